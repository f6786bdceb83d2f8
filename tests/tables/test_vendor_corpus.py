"""The vendor-layout corpus (tests/tables/vendor_corpus.py), as GBK CSV and XLSX, read and ranked."""

from __future__ import annotations

import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from recommender import Recommender
from recommender.scoring import FIELDS
from recommender.scoring._profile import _prepare_profiles
from recommender.tables import open_table

from .vendor_corpus import LAYOUTS, Layout, write_csv, write_xlsx

TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"
CASES = [(layout, kind) for layout in LAYOUTS for kind in ("csv", "xlsx")]
IDS = [f"{layout.name}.{kind}" for layout, kind in CASES]


def _write(layout: Layout, kind: str, folder: Path) -> Path:
    return (write_csv if kind == "csv" else write_xlsx)(layout, folder / f"{layout.name}.{kind}")


def _profiles(path: Path) -> tuple[object, pd.DataFrame, list[int]]:
    table = open_table(path)
    chunks = list(table.chunks())
    frame = pd.concat([c.profiles for c in chunks])
    lines = [int(n) for c in chunks for n in c.row_numbers]
    dups = [int(d) for c in chunks for d in c.duplicate_of]
    frame["line"], frame["dup"] = lines, dups
    return table, frame, lines


@pytest.mark.parametrize(("layout", "kind"), CASES, ids=IDS)
def test_vendor_layout_yields_its_header_rows_fields_kinds_and_duplicates(tmp_path, layout, kind):
    table, frame, lines = _profiles(_write(layout, kind, tmp_path))
    assert table.header_rows == layout.header_rows
    assert lines == list(range(layout.header_rows[-1] + 1, len(layout.rows) + 1))  # every row once, blanks too
    assert frame["name"].iloc[0] != ""
    by_line = frame.set_index("line")
    for line in by_line.index:
        assert by_line.loc[line, "kind"] == (layout.kinds.get(line, "")), line
        assert by_line.loc[line, "dup"] == layout.duplicates.get(line, 0), line
    firms = frame.drop_duplicates("name").set_index("name")
    # the numbers as the profile stage reads them (headcount ranges keep their ends)
    prepared = _prepare_profiles(firms.reset_index()[[c for c in FIELDS if c in firms.reset_index()]]).set_index("name")
    numeric = {"founded", "employees", "revenue", "capital", "patents"}
    for name, fields in layout.expect.items():
        for field, expected in fields.items():
            got = firms.loc[name, field] if field == "capital" or field not in prepared else prepared.loc[name, field]
            if field in ("employees_low", "employees_high"):
                assert (math.isnan(got) and expected is None) or got == expected, (name, field, got)
            elif field in numeric:
                try:
                    value: float | None = float(got)
                except ValueError:  # blank, or unreadable: left as written for the errors column
                    value = None
                value = None if value is not None and math.isnan(value) else value
                assert (value is None and expected is None) or (value is not None and math.isclose(value, expected)), (name, field, got)
            elif field in ("tags", "city"):
                assert expected in got, (name, field, got)  # 所属城市 "深圳市" is kept as written
            elif field != "kind":
                assert got == expected, (name, field, got)


@pytest.mark.parametrize(("layout", "kind"), CASES, ids=IDS)
def test_vendor_layout_ranks_every_row_once_in_bands(tmp_path, layout, kind):
    source = _write(layout, kind, tmp_path)
    target = tmp_path / f"out.{kind}"
    report = Recommender(TINY_MAP).rank_file(source, target, top=50, shortlist=5, workers=1)
    data_rows = len(layout.rows) - layout.header_rows[-1]
    assert report.rows == data_rows
    assert report.inactive_rows == sum(k == "inactive" for k in layout.kinds.values())
    assert report.not_firm_rows == sum(k in ("blank", "total", "note") for k in layout.kinds.values())
    assert report.duplicate_rows == len(layout.duplicates)
    top = report.top
    name = next(c for c in top.columns if c in ("企业名称", "公司名称"))
    ranks = {}
    for _, row in top.iterrows():
        ranks.setdefault(row[name], []).append(int(row["rank"]))
    inactive = {n for n, f in layout.expect.items() if f.get("kind") == "inactive"}
    active = {n for n in layout.expect if n not in inactive}
    assert max(min(ranks[n]) for n in active) < min(min(ranks[n]) for n in inactive)
    # not-a-firm rows last, with no errors, said in the reasons
    tail = top.sort_values("rank").tail(report.not_firm_rows)
    assert (tail["errors"] == "").all() and tail["reasons"].str.contains("非企业行").all()
    # a later copy right after its first copy, never shortlisted
    for first in layout.duplicates.values():
        copy = top[top["duplicate_of"] == first]
        assert len(copy) == 1 and pd.isna(copy["shortlist"]).all()
        assert "同一企业" in copy["reasons"].iloc[0]
    # a firm that is not active says so and is never shortlisted
    for n in inactive:
        row = top[top[name] == n].iloc[0]
        assert pd.isna(row["shortlist"]) and "非存续企业" in row["reasons"]
    unreadable = {use.column: use.unreadable for use in report.columns}
    assert set(unreadable) == set(open_table(source).columns)
    if layout.name == "qichacha":
        assert unreadable["参保人数"] == 1  # "abc人"
        # a headcount range is said in the reasons, with the number used
        assert "员工少于50人（按25人计）" in top[top[name] == "深圳市甲锂电科技有限公司"]["reasons"].iloc[0]
        assert "员工100–499人（按300人计）" in top[top[name] == "江门市乙新材料有限公司"]["reasons"].iloc[0]
        row = top[top[name] == "佛山市丙电机有限公司"].iloc[0]
        assert "员工人数" in row["errors"] and int(row["rank"]) < min(ranks[n][0] for n in inactive)


def test_xlsx_output_has_typed_cells_a_styled_header_and_a_notes_sheet(tmp_path):
    layout = LAYOUTS[0]
    source = write_xlsx(layout, tmp_path / "in.xlsx")
    Recommender(TINY_MAP).rank_file(source, tmp_path / "out.xlsx", shortlist=2, workers=1)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    sheet, notes = book.worksheets[0], book.worksheets[-1]
    assert notes.title == "说明 Notes"
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref and sheet["A1"].font.b
    founded = header.index("成立日期") + 1
    dates = [sheet.cell(r, founded).value for r in range(2, sheet.max_row + 1)]
    assert any(hasattr(d, "year") and d.year == 2012 for d in dates)  # a date cell comes back a date
    score = header.index("score") + 1
    assert all(isinstance(sheet.cell(r, score).value, (int, float)) for r in range(2, sheet.max_row + 1))
    code = header.index("统一社会信用代码") + 1
    assert all(isinstance(sheet.cell(r, code).value, (str, type(None))) for r in range(2, sheet.max_row + 1))
    reasons = header.index("reasons") + 1
    assert sheet.cell(2, reasons).alignment.wrap_text
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(reasons)].width > 10
    items = {row[0].value: row[1].value for row in notes.iter_rows() if row[0].value}
    assert items["行数 / rows"] == 7 and items["重复企业 / duplicate rows"] == 1
    assert "产业链图谱版本 / map version" in items and "落地模型版本 / landing model version" in items
    assert items["参保人数"] and any(r[0].value == "参保人数" and r[2].value == 1 for r in notes.iter_rows())


def test_english_run_speaks_english(tmp_path):
    layout = LAYOUTS[0]
    source = write_csv(layout, tmp_path / "in.csv")
    report = Recommender(TINY_MAP).rank_file(source, tmp_path / "out.csv", lang="en", top=20, workers=1)
    text = " ".join(report.top["reasons"].tolist() + report.top["action"].tolist() + report.top["chain"].tolist())
    assert not any(word in text for word in ("补链", "强链", "延链", "建链", "非企业行", "非存续企业"))
    assert "not a firm" in text
    assert "under 50 staff (taken as 25)" in text and "10,000+ staff (taken as 10,000)" in text
    assert not any(re.search(r"[\u4e00-\u9fff]", use.use_en) for use in report.columns)
