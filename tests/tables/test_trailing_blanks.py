"""Blank rows after the last filled row are dropped; blank rows between filled rows are kept."""

import pandas as pd
import pytest

from recommender.tables._reading import _filled_length, _without_trailing_blanks


def _frame(cells: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"name": cells, "city": [""] * len(cells)})


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([], 0),
        ([""] * 5, 0),
        (["甲"], 1),
        (["甲", "", "乙"], 3),  # a blank row between firms stays
        (["甲"] + [""] * 300, 1),  # past the first windows (64, then 256 rows)
        ([""] * 1000 + ["乙"] + [""] * 70, 1001),
    ],
)
def test_filled_length_is_the_last_filled_row(cells, expected):
    assert _filled_length(_frame(cells)) == expected


def test_trailing_blanks_held_across_chunks_and_dropped_at_the_end():
    chunks = [(0, _frame(["甲", "", ""])), (3, _frame(["", "乙", ""])), (6, _frame(["", ""]))]
    out = [(start, frame["name"].tolist()) for start, frame in _without_trailing_blanks(iter(chunks))]
    assert out == [(0, ["甲"]), (1, ["", "", "", "乙"])]


def test_blank_rows_are_rows_of_empty_or_whitespace_cells_in_any_column():
    from recommender.tables._vendor import _blank_rows

    frame = pd.DataFrame({
        "name": ["甲", "", " ", "\u3000", "", "\t", ""],
        "city": ["", "", "", "", "江门", "", " \u3000 "],
        "note": ["", "", "\n", "", "", "数据来源：企查查", ""],
    })
    expected = [all(not cell.strip() for cell in row) for row in frame.itertuples(index=False)]
    assert _blank_rows(frame).tolist() == expected == [False, True, True, True, False, False, True]
    assert _blank_rows(frame.iloc[:0]).tolist() == []
    assert _blank_rows(pd.DataFrame(index=range(2))).tolist() == [True, True]  # no columns: nothing filled
