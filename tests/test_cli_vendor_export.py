"""A whole 企查查 batch export (tests/tables/vendor_corpus.py: QCC_EXPORT), GBK CSV and XLSX, through
``recommender rank FILE -o out.xlsx`` as an officer runs it: the process, its printed report, the workbook."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.tables.vendor_corpus import QCC_EXPORT, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
FIRST_ROW = QCC_EXPORT.header_rows[-1] + 1  # the file row of the first data row


def _rank(source: Path, target: Path, *options: str) -> str:
    done = subprocess.run([sys.executable, "-m", "recommender.cli", "rank", str(source), "-o", str(target), "--shortlist", "5",
                           "--top", "20", "--workers", "1", *options],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rows(path: Path) -> tuple[list[str], list[dict[str, object]], openpyxl.Workbook]:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    return header, [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)], book


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_officers_run_on_a_vendor_export(tmp_path, kind):
    source = (write_csv if kind == "csv" else write_xlsx)(QCC_EXPORT, tmp_path / f"企查查导出.{kind}")
    out = _rank(source, tmp_path / "ranked.xlsx")
    # 1 the header row it took; the counts of every band
    assert "表头：第 5 行" in out
    assert "已排序 15 行" in out and "非存续企业 4 行" in out and "非企业行 4 行" in out and "重复企业 2 行" in out
    # 8 the top list under labels, with what each later row is
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("排名"))
    assert re.split(r"\s{2,}", lines[at].strip()) == ["排名", "企业名称", "产业链 · 环节", "动作", "得分", "落地可能", "优先级", "备注"]
    top = {re.split(r"\s{2,}", line.strip())[1]: line for line in lines[at + 1:at + 12] if len(re.split(r"\s{2,}", line.strip())) > 2}
    listed = lines[at + 1:at + 12]
    assert "短名单第" in listed[0] and sum("短名单第 1 位" in line for line in listed) == 1  # the best firm is shortlisted; one is first
    assert "重复：同输入第 6 行" in top["广东甲锂能科技有限公司"] and "非存续企业" in top["江门市乙新材料有限公司"]
    assert re.search(r"\s(补链|强链|延链|建链)\s", out) and " · " in out
    # 7 the column report: every input column, with what it fed and what could not be read
    assert "参保人数 → 员工人数" in out and "1 个值无法读取" in out and "电话 → 原样保留" in out
    header, rows, book = _rows(tmp_path / "ranked.xlsx")
    assert len(rows) == 15 and [r["rank"] for r in rows] == list(range(1, 16))
    by_name = {r["企业名称"]: r for r in rows if r["企业名称"]}
    # 2 vendor columns: city from the address where 所属城市 is "-", the GB/T 4754 class as evidence, inactive firms
    assert "所在地" not in by_name["江门市己储能科技有限公司"]["reasons"]  # known: not among the missing fields
    assert "所在地" in by_name["东莞市丁光电股份有限公司"]["reasons"]  # no city, county or address at all
    assert "行业代码3841" in by_name["中山市戊精密有限公司"]["reasons"]  # its own words name no link: the class code does
    for name in ("江门市乙新材料有限公司", "东莞市丁光电股份有限公司", "中山市戊精密有限公司", "珠海辛新能源有限公司"):
        assert by_name[name]["shortlist"] is None and "非存续企业" in by_name[name]["reasons"]
        assert by_name[name]["rank"] > max(r["rank"] for r in by_name.values() if "非存续" not in r["reasons"] and not r["duplicate_of"])
    # 3 values as written: a headcount range said with the number used
    assert "员工100–499人（按300人计）" in by_name["江门市乙新材料有限公司"]["reasons"]
    # 4 a bad value is named and the row still ranks among the firms
    bad = by_name["佛山丙电机(集团)有限公司"]
    assert "员工人数无法解析为数字" in bad["errors"] and bad["rank"] < by_name["江门市乙新材料有限公司"]["rank"]
    nameless = next(r for r in rows if not r["企业名称"] and r["errors"])
    assert "缺少企业名称" in nameless["errors"] and "缺少企业名称" in nameless["reasons"]
    # 5 rows that are not firms last, no errors
    assert all("非企业行" in r["reasons"] and not r["errors"] for r in rows[-4:])
    # 6 copies right after their first copy, named by the input row, never shortlisted
    for copy in (r for r in rows if r["duplicate_of"]):
        first = next(r for r in rows if r["序号"] == copy["duplicate_of"] - FIRST_ROW + 1)
        assert copy["rank"] == first["rank"] + 1 and copy["shortlist"] is None
        assert f"与输入文件第 {copy['duplicate_of']} 行为同一企业" in copy["reasons"]
    assert sorted(r["shortlist"] for r in rows if r["shortlist"]) == list(range(1, len([r for r in rows if r["shortlist"]]) + 1))
    # 8 the workbook: styled frozen header, filter, widths, wrapped reasons, typed cells, the notes sheet
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:") and sheet["A1"].font.b
    width = {h: sheet.column_dimensions[openpyxl.utils.get_column_letter(j + 1)].width for j, h in enumerate(header)}
    assert width["序号"] < 12 and 20 <= width["企业名称"] <= 40 and width["reasons"] >= 50
    assert sheet.cell(2, header.index("reasons") + 1).alignment.wrap_text
    assert all(isinstance(r["score"], float | int) for r in rows)
    first_firm = by_name["广东甲锂能科技股份有限公司"]
    assert isinstance(first_firm["核准日期"], dt.datetime) and isinstance(first_firm["序号"], int)
    assert first_firm["股票代码"] == "001234" and first_firm["统一社会信用代码"] == "91440300MA5DAAAA1X"
    assert first_firm["更多电话"] == "13800138000"
    if kind == "xlsx":  # a date cell stays a date; text stays text
        assert first_firm["成立日期"] == dt.datetime(2012, 8, 8) and by_name["江门市乙新材料有限公司"]["成立日期"] == "2010/5/12"
    notes = {row[0]: row[1] for row in book["说明 Notes"].iter_rows(values_only=True) if row[0]}
    assert notes["行数 / rows"] == 15 and notes["表头所在行 / header rows"] == "5" and notes["落地模型版本 / landing model version"] == "prior"
    assert notes["产业链图谱版本 / map version"] and "短名单覆盖" in notes["短名单覆盖 / shortlist coverage"]
    assert notes["参保人数"].startswith("员工人数")


def test_an_english_run_speaks_english_throughout(tmp_path):
    source = write_csv(QCC_EXPORT, tmp_path / "export.csv")
    out = _rank(source, tmp_path / "ranked.xlsx", "--lang", "en")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    names = {QCC_EXPORT_NAME for QCC_EXPORT_NAME in (r[1] for r in QCC_EXPORT.rows[5:] if len(r) > 1) if QCC_EXPORT_NAME}
    for line in out.splitlines():  # only input data (firm names, column names) is Chinese
        text = line
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        text = re.sub(r"^\s+\S+ → ", "", text) if "→" in text and not text.startswith("ranked") else text
        assert not cjk.search(text), line
    assert "shortlist #1" in out and "copy of input row 6" in out and "not active" in out and "not a firm" in out
    _, rows, book = _rows(tmp_path / "ranked.xlsx")
    by_name = {r["企业名称"]: r for r in rows if r["企业名称"]}
    assert "100–499 staff (taken as 300)" in by_name["江门市乙新材料有限公司"]["reasons"]
    assert "registration status 注销 (deregistered)" in by_name["江门市乙新材料有限公司"]["reasons"]
    assert by_name["佛山丙电机(集团)有限公司"]["errors"] == "employees: not a number"
    for row in rows:
        for column in ("chain", "link", "action", "errors"):
            assert not cjk.search(str(row[column] or "")), (column, row[column])
    notes = {row[0]: row[1] for row in book["说明 Notes"].iter_rows(values_only=True) if row[0]}
    assert not cjk.search(notes["短名单覆盖 / shortlist coverage"]) and not cjk.search(notes["参保人数"])
