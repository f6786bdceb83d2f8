"""Input cells keep their type in XLSX output: an XLSX input's cells as the workbook typed them,
a CSV input's columns as numbers or dates only where every value is one (codes stay text)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from recommender import Recommender

TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"
HEADER = ["企业名称", "主营业务", "成立日期", "核准时间", "员工人数", "营业收入(万元)", "股票代码", "统一社会信用代码", "联系方式", "备注", "是否高新"]


def _workbook(path: Path) -> Path:
    """A workbook as an export has it: real date and number cells, text cells that look numeric."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    rows = [
        ["甲电池有限公司", "锂离子电池制造", dt.datetime(2012, 8, 8), dt.datetime(2020, 1, 2, 9, 30), 120, 5200.5, "000001",
         "91440300MA5EXAMPL1", "13800138000", "2012-08-08", True],
        ["乙材料有限公司", "正极材料生产", dt.datetime(1999, 12, 31), None, 45, 800, "300750", "91440700MA5EXAMPL2", "0750-1234567",
         "5000", False],
        ["合计", None, None, None, 165, 6000.5, None, None, None, None, None],
    ]
    for row in rows:
        sheet.append(row)
    for r in (2, 3):
        sheet.cell(r, 3).number_format = "yyyy/m/d"
    sheet.cell(2, 4).number_format = "yyyy-mm-dd hh:mm"
    book.save(path)
    return path


def _cells(path: Path) -> dict[str, dict[str, openpyxl.cell.cell.Cell]]:
    """Output cells by the first column's value and column header (the first sheet)."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    return {row[0].value: dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2)}


@pytest.mark.parametrize("workers", [1, 2])
def test_xlsx_input_cells_come_back_with_their_type(tmp_path, workers):
    source = _workbook(tmp_path / "in.xlsx")
    Recommender(TINY_MAP).rank_file(source, tmp_path / "out.xlsx", workers=workers)
    cells = _cells(tmp_path / "out.xlsx")
    first, second, total = cells["甲电池有限公司"], cells["乙材料有限公司"], cells["合计"]
    # date cells as dates with a date format, a date with a time keeps its time
    assert first["成立日期"].is_date and first["成立日期"].value == dt.datetime(2012, 8, 8)
    assert "yy" in first["成立日期"].number_format and "h" not in first["成立日期"].number_format
    assert first["核准时间"].is_date and first["核准时间"].value == dt.datetime(2020, 1, 2, 9, 30)
    assert "hh:mm" in first["核准时间"].number_format
    # numbers as numbers (an integer and a fraction), also in a total row
    assert first["员工人数"].data_type == "n" and first["员工人数"].value == 120
    assert first["营业收入(万元)"].value == 5200.5 and total["营业收入(万元)"].value == 6000.5
    # text stays text, whatever it looks like: leading zeros, long digits, an ISO date, a number
    for cell, text in ((first["股票代码"], "000001"), (second["股票代码"], "300750"), (first["联系方式"], "13800138000"),
                       (first["统一社会信用代码"], "91440300MA5EXAMPL1"), (first["备注"], "2012-08-08"), (second["备注"], "5000"),
                       (second["联系方式"], "0750-1234567")):
        assert cell.data_type == "s" and cell.value == text
    assert first["是否高新"].data_type == "b" and first["是否高新"].value is True and second["是否高新"].value is False
    assert first["核准时间"].value and second["核准时间"].value is None  # an empty cell stays empty


def test_xlsx_input_to_csv_output_gives_the_cells_as_text(tmp_path):
    source = _workbook(tmp_path / "in.xlsx")
    Recommender(TINY_MAP).rank_file(source, tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "2012-08-08,2020-01-02T09:30:00,120,5200.5,000001," in text


def test_csv_input_columns_are_typed_only_where_every_value_is_one(tmp_path):
    lines = [
        "序号,企业名称,主营业务,成立日期,员工人数,营业收入(万元),股票代码,行业代码,统一社会信用代码,手机,注册资本,成立年份",
        "1,甲电池有限公司,锂离子电池制造,2012-08-08,120,5200.5,000001,3841,91440300MA5EXAMPL1,13800138000,5000万元,2012",
        "2,乙材料有限公司,正极材料生产,2013/5/1,-,800,300750,0601,91440700MA5EXAMPL2,13900139000,800,2013",
        "3,丙电机有限公司,电机制造,2015-03-01 10:30,暂无,1200,600000,3811,91440600MA5EXAMPL3,13700137000,1200,二〇一五",
        "合计,,,,120,7200.5,,,,,,",
    ]
    source = tmp_path / "in.csv"
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    Recommender(TINY_MAP).rank_file(source, tmp_path / "out.xlsx")
    cells = _cells(tmp_path / "out.xlsx")  # by 序号
    first, second, third, total = cells[1], cells[2], cells[3], cells["合计"]
    assert first["企业名称"].value == "甲电池有限公司" and third["企业名称"].value == "丙电机有限公司"
    # every value a number (no-data marks and the total row's word aside): numbers
    assert first["序号"].data_type == "n" and first["序号"].value == 1 and total["序号"].value == "合计"
    assert first["员工人数"].value == 120 and second["员工人数"].value == "-" and third["员工人数"].value == "暂无"
    assert first["营业收入(万元)"].value == 5200.5 and total["营业收入(万元)"].value == 7200.5
    # every value a date: dates, with a time where one was written
    assert first["成立日期"].is_date and first["成立日期"].value == dt.datetime(2012, 8, 8)
    assert second["成立日期"].value == dt.datetime(2013, 5, 1) and third["成立日期"].value == dt.datetime(2015, 3, 1, 10, 30)
    # codes never become numbers: leading zeros, code and phone columns, 18-character codes
    for row, column, text in ((first, "股票代码", "000001"), (second, "股票代码", "300750"), (second, "行业代码", "0601"),
                              (first, "行业代码", "3841"), (first, "手机", "13800138000"),
                              (first, "统一社会信用代码", "91440300MA5EXAMPL1")):
        assert row[column].data_type == "s" and row[column].value == text
    # a column with one value of another kind stays text, whole
    assert first["注册资本"].value == "5000万元" and second["注册资本"].value == "800" and second["注册资本"].data_type == "s"
    assert first["成立年份"].value == "2012" and third["成立年份"].value == "二〇一五"


def test_output_widths_fit_dates_numbers_and_text(tmp_path):
    source = _workbook(tmp_path / "in.xlsx")
    Recommender(TINY_MAP).rank_file(source, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    width = {h: sheet.column_dimensions[openpyxl.utils.get_column_letter(j + 1)].width for j, h in enumerate(header)}
    assert width["核准时间"] >= 19 and width["成立日期"] >= 10  # a date with a time, a date
    assert width["reasons"] <= 61 and width["统一社会信用代码"] >= 18
