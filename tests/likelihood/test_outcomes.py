"""Reading a training history: columns, outcome words, dates, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.exceptions import ModelError
from recommender.likelihood import read_history

DATA = Path(__file__).resolve().parents[1] / "data"


def _write(tmp_path: Path, rows: list[dict], name: str = "history.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _rows(outcomes, dates=None, date_header="首次接触日期", outcome_header="结果"):
    dates = dates or [f"2023-0{1 + i % 9}-1{i % 10}" for i in range(len(outcomes))]
    return [
        {"企业名称": f"企业{i}", "主营业务": "锂电铜箔生产", date_header: d, outcome_header: o}
        for i, (o, d) in enumerate(zip(outcomes, dates, strict=True))
    ]


def test_history_labels_landed_and_signed_as_one_and_lost_as_zero(tmp_path):
    path = _write(tmp_path, _rows(["落地", "签约", "未落地", "已落地", "已签约", "流失"]))
    history = read_history(path)
    np.testing.assert_array_equal(history.label, [1, 1, 0, 1, 1, 0])
    assert list(history.outcome) == ["landed", "signed", "lost", "landed", "signed", "lost"]
    np.testing.assert_array_equal(history.rows, [1, 2, 3, 4, 5, 6])
    assert history.profiles.loc[0, "name"] == "企业0" and history.profiles.loc[0, "description"] == "锂电铜箔生产"
    assert len(history.sha256) == 64


def test_history_accepts_english_headers_words_and_date_forms(tmp_path):
    dates = ["2023-05-01", "2023/5/2", "2023.5.3", "2023年5月4日", "20230505", "2023-05-06 10:30:00"]
    rows = _rows(["Landed", "SIGNED", "lost", "landed", "signed", "Lost"], dates, "contact_date", "outcome")
    history = read_history(_write(tmp_path, rows))
    assert [str(d) for d in history.contact_date] == [f"2023-05-0{i}" for i in range(1, 7)]
    np.testing.assert_array_equal(history.label, [1, 1, 0, 1, 1, 0])
    assert history.period == ("2023-05-01", "2023-05-06")


def test_history_reads_xlsx(tmp_path):
    path = tmp_path / "history.xlsx"
    pd.DataFrame(_rows(["落地", "未落地"])).to_excel(path, index=False)
    assert list(read_history(path).label) == [1, 0]


def test_history_without_an_outcome_column_is_refused(tmp_path):
    rows = [{"企业名称": "甲", "首次接触日期": "2023-01-01"}]
    with pytest.raises(ModelError, match=r"no outcome column; the header needs one of 结果, .*outcome"):
        read_history(_write(tmp_path, rows))


def test_history_without_a_date_column_is_refused(tmp_path):
    rows = [{"企业名称": "甲", "结果": "落地"}]
    with pytest.raises(ModelError, match=r"no first-contact date column; the header needs one of 首次接触日期"):
        read_history(_write(tmp_path, rows))


def test_history_of_one_class_only_is_refused(tmp_path):
    with pytest.raises(ModelError, match=r"every one of the 3 firms was lost; a landing model needs both"):
        read_history(_write(tmp_path, _rows(["未落地"] * 3)))
    with pytest.raises(ModelError, match=r"every one of the 2 firms was landed or signed"):
        read_history(_write(tmp_path, _rows(["落地", "签约"]), "b.csv"))


def test_history_names_the_rows_of_unknown_outcome_words(tmp_path):
    path = _write(tmp_path, _rows(["落地", "待定", "未落地", "待定", "maybe"]))
    with pytest.raises(ModelError, match=r"unknown outcome '待定' in data rows 2, 4; expected one of 落地") as info:
        read_history(path)
    assert "unknown outcome 'maybe' in data rows 5" in str(info.value)


def test_history_names_the_rows_of_unparsable_dates(tmp_path):
    dates = ["2023-01-01", "去年春天", "2023-13-01", "2023-02-30", "2023-03-01"]
    with pytest.raises(ModelError, match=r"unparsable date '去年春天' in data rows 2;") as info:
        read_history(_write(tmp_path, _rows(["落地", "未落地", "落地", "未落地", "落地"], dates)))
    assert "'2023-13-01' in data rows 3" in str(info.value)
    assert "'2023-02-30' in data rows 4" in str(info.value)


def test_history_reports_every_problem_at_once(tmp_path):
    dates = ["2023-01-01", "", "soon", "2023-01-04"]
    with pytest.raises(ModelError, match=r"4 problem\(s\) in the history") as info:
        read_history(_write(tmp_path, _rows(["落地", "", "未落地", "?"], dates)))
    message = str(info.value)
    for expected in ("blank outcome in data rows 2", "unknown outcome '?' in data rows 4", "blank date in data rows 2", "unparsable date 'soon' in data rows 3"):
        assert expected in message


def test_history_shortens_long_row_lists(tmp_path):
    outcomes = ["落地", "未落地"] + ["待定"] * 30
    with pytest.raises(ModelError, match=r"data rows 3, 4, .*, 22 … \(30 rows in all\)"):
        read_history(_write(tmp_path, _rows(outcomes, ["2023-01-01"] * 32)))


def test_tiny_fixture_history_reads(tiny_map):
    history = read_history(DATA / "tiny_history.csv")
    assert len(history) == 300 and 0 < history.label.mean() < 1
