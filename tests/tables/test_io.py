import datetime as dt
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.exceptions import EncodingError, InputFileError
from recommender.tables import CANONICAL_COLUMNS, TableWriter, _reading, _writing, neutralise, open_table, write_table
from recommender.tables import _io as io


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def read_all(table: io.InputTable) -> pd.DataFrame:
    chunks = list(table.chunks())
    return pd.concat([c.raw for c in chunks]) if chunks else pd.DataFrame(columns=list(table.columns))


def profiles(table: io.InputTable) -> pd.DataFrame:
    return pd.concat([c.profiles for c in table.chunks()])


def sheet_rows(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def test_io_all_is_pinned():
    assert sorted(io.__all__) == sorted([
        "CANONICAL_COLUMNS", "XLSX_MAX_ROWS", "encode_csv_rows", "InputTable", "TableChunk", "TableWriter",
        "neutralise", "open_table", "write_table",
    ])


# --- encodings --------------------------------------------------------------------------------

def test_open_table_reads_gbk_with_chinese_headers(tmp_path):
    text = "企业名称,主营业务,所在城市\n江门市科恒实业股份有限公司,锂电池正极材料,江门\n"
    table = open_table(write_bytes(tmp_path / "f.csv", text.encode("gbk")))
    assert table.encoding == "gb18030"
    assert table.columns == ("企业名称", "主营业务", "所在城市")
    assert read_all(table).iloc[0].tolist() == ["江门市科恒实业股份有限公司", "锂电池正极材料", "江门"]


def test_open_table_reads_gb18030_only_characters(tmp_path):
    text = "企业名称,简介\n𠮷野家餐饮,䶮€\n"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    table = open_table(write_bytes(tmp_path / "f.csv", text.encode("gb18030")))
    assert read_all(table).iloc[0].tolist() == ["𠮷野家餐饮", "䶮€"]


def test_open_table_strips_utf8_bom_from_first_header(tmp_path):
    table = open_table(write_bytes(tmp_path / "f.csv", "企业名称,城市\n甲,江门\n".encode("utf-8-sig")))
    assert table.encoding == "utf-8-sig"
    assert table.columns[0] == "企业名称"
    assert table.mapping == {"企业名称": "name", "城市": "city"}


def test_open_table_reads_utf8_without_bom(tmp_path):
    table = open_table(write_bytes(tmp_path / "f.csv", "company,city\nÄrzte GmbH,München\n".encode()))
    assert table.encoding == "utf-8"
    assert read_all(table).iloc[0].tolist() == ["Ärzte GmbH", "München"]


@pytest.mark.parametrize("text", ["企业名称\n华为\n", "名称\n华为技术\n", "企业名称\n比亚迪\n", "企业名称,城市\n甲公司,江门\n"])
def test_open_table_reads_short_gbk_that_detectors_call_korean(tmp_path, text):
    table = open_table(write_bytes(tmp_path / "f.csv", text.encode("gbk")))
    assert table.encoding == "gb18030"
    lines = text.splitlines()
    assert table.columns == tuple(lines[0].split(","))
    assert read_all(table).iloc[0].tolist() == lines[1].split(",")


def test_open_table_names_line_of_undecodable_bytes(tmp_path):
    data = "企业名称,城市\n甲,江门\n".encode("gbk") + b"\xff\xfe,x\n" + "乙,佛山\n".encode("gbk")
    with pytest.raises(EncodingError, match=r"line 3: bytes ff .* neither UTF-8 nor GB18030") as info:
        open_table(write_bytes(tmp_path / "f.csv", data))
    assert info.value.line == 3


def test_open_table_refuses_damaged_utf8_instead_of_gb18030_mojibake(tmp_path):
    # Valid UTF-8 Chinese, then one stray Latin-1 byte: GB18030 would "decode" it all as mojibake.
    data = "企业名称,主营业务\n甲公司,锂电池正极材料\n".encode() + b"caf\xe9 bar,x\n"
    with pytest.raises(EncodingError, match=r"line 3: bytes e9 .* not valid UTF-8; the lines before are UTF-8"):
        open_table(write_bytes(tmp_path / "f.csv", data))


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-16"])
def test_open_table_names_line_of_bad_bytes_across_read_blocks(tmp_path, monkeypatch, encoding):
    monkeypatch.setattr(_reading, "_BLOCK", 7)  # blocks end mid-character and mid-line
    text = "企业名称,主营业务\n" + "".join(f"企业{i},锂电池正极材料\n" for i in range(50))
    bad = {"gbk": b"\x80x\n", "utf-8": b"\xff\n", "utf-16": b"\x00\xdc\n\x00"}[encoding]
    with pytest.raises(EncodingError, match="line 52: bytes") as info:
        open_table(write_bytes(tmp_path / "f.csv", text.encode(encoding) + bad))
    assert info.value.line == 52


def test_open_table_refuses_nul_bytes(tmp_path):
    data = "企业名称\n甲\n".encode() + b"a\x00b\n"
    with pytest.raises(EncodingError, match="line 3: NUL byte"):
        open_table(write_bytes(tmp_path / "f.csv", data))


def test_open_table_reads_utf16_tab_separated_unicode_text(tmp_path):
    table = open_table(write_bytes(tmp_path / "f.txt", "企业名称\t行业代码\n甲,乙公司\t0601\n".encode("utf-16")))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert read_all(table).iloc[0].tolist() == ["甲,乙公司", "0601"]


def test_open_table_refuses_workbook_saved_as_csv(tmp_path):
    xlsx = write_xlsx(tmp_path / "f.xlsx", [["企业名称"], ["甲"]])
    with pytest.raises(InputFileError, match="zip archive"):
        open_table(write_bytes(tmp_path / "f.csv", xlsx.read_bytes()))


# --- values and structure ---------------------------------------------------------------------

def test_open_table_keeps_leading_zeros_and_na_like_text(tmp_path):
    path = write_bytes(tmp_path / "f.csv", "企业名称,行业代码,员工人数\n甲,0601,NA\n乙,,null\n".encode())
    raw = read_all(open_table(path))
    assert raw["行业代码"].tolist() == ["0601", ""]
    assert raw["员工人数"].tolist() == ["NA", "null"]


def test_open_table_keeps_quoted_newline_in_one_cell(tmp_path):
    path = write_bytes(tmp_path / "f.csv", '企业名称,主营业务\n甲,"锂电池\n正极材料"\n乙,铜箔\n'.encode())
    raw = read_all(open_table(path))
    assert raw["主营业务"].tolist() == ["锂电池\n正极材料", "铜箔"]


def test_open_table_names_line_of_ragged_row(tmp_path):
    path = write_bytes(tmp_path / "f.csv", "企业名称,城市\n甲,江门\n乙,佛山,多余\n".encode())
    with pytest.raises(InputFileError, match="line 3: 3 fields, but the header has 2"):
        read_all(open_table(path))


def test_open_table_names_physical_line_of_ragged_row_after_quoted_newline(tmp_path):
    path = write_bytes(tmp_path / "f.csv", '企业名称,城市\n"甲\n公司",江门\n乙,佛山,多余\n'.encode())
    with pytest.raises(InputFileError, match=r"line 4 \(row 3 in a spreadsheet\): 3 fields"):
        read_all(open_table(path))


def test_open_table_pads_short_rows_with_empty_text(tmp_path):
    raw = read_all(open_table(write_bytes(tmp_path / "f.csv", "企业名称,城市,国家\n甲\n".encode())))
    assert raw.iloc[0].tolist() == ["甲", "", ""]


def test_open_table_dedupes_and_cleans_headers(tmp_path):
    path = write_bytes(tmp_path / "f.csv", " 企业名称 ,x,x,x.1,\n甲,1,2,3,4\n".encode())
    assert open_table(path).columns == ("企业名称", "x", "x.2", "x.1", "Unnamed: 4")


def test_open_table_maps_aliases_case_and_width_insensitively(tmp_path):
    path = write_bytes(tmp_path / "f.csv", "Company Name,ＣＩＴＹ,营业收入（万元）,营业收入(元),Industry_Code\n甲,江门,1,2,0601\n".encode())
    table = open_table(path)
    assert table.mapping == {"Company Name": "name", "ＣＩＴＹ": "city", "营业收入（万元）": "revenue",
                             "营业收入(元)": "revenue", "Industry_Code": "industry_code"}
    assert table.units == {"营业收入（万元）": 1e4, "营业收入(元)": 1.0}


def test_open_table_joins_description_columns_and_coalesces_others(tmp_path):
    text = "企业名称,公司名称,主营业务,经营范围,城市\n甲,,铜箔, 锂电池 ,江门\n,乙,,电机,\n"
    prof = profiles(open_table(write_bytes(tmp_path / "f.csv", text.encode())))
    assert list(prof.columns) == [*CANONICAL_COLUMNS, "capital", "status", "kind"]
    assert prof["name"].tolist() == ["甲", "乙"]
    assert prof["description"].tolist() == ["铜箔；锂电池", "电机"]
    assert prof["city"].tolist() == ["江门", ""]
    assert prof["patents"].tolist() == ["", ""]


def test_open_table_chunks_every_row_once_across_boundaries(tmp_path):
    body = "".join(f"firm{i},{i:04d}\n" for i in range(10))
    table = open_table(write_bytes(tmp_path / "f.csv", ("企业名称,行业代码\n" + body).encode()), chunk_rows=3)
    chunks = list(table.chunks())
    assert [c.start_row for c in chunks] == [0, 3, 6, 9]
    assert [len(c.raw) for c in chunks] == [3, 3, 3, 1]
    assert all(list(c.raw.index) == list(c.profiles.index) for c in chunks)
    raw = pd.concat([c.raw for c in chunks])
    assert list(raw.index) == list(range(10))
    assert raw["企业名称"].tolist() == [f"firm{i}" for i in range(10)]


def test_open_table_chunks_xlsx_every_row_once_across_boundaries(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [["企业名称"], *[[f"firm{i}"] for i in range(10)]])
    chunks = list(open_table(path, chunk_rows=3).chunks())
    assert [c.start_row for c in chunks] == [0, 3, 6, 9]
    assert pd.concat([c.raw for c in chunks])["企业名称"].tolist() == [f"firm{i}" for i in range(10)]


def test_input_table_chunks_reads_the_file_afresh_each_time(tmp_path):
    table = open_table(write_bytes(tmp_path / "f.csv", "企业名称\n甲\n乙\n".encode()))
    assert read_all(table).equals(read_all(table))


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_open_table_refuses_empty_file(tmp_path, content):
    with pytest.raises(InputFileError, match="empty"):
        open_table(write_bytes(tmp_path / "f.csv", content))


def test_open_table_refuses_bad_parameter(tmp_path):
    with pytest.raises(ValueError, match="The 'chunk_rows' parameter of open_table must be an int >= 1. Got 0 instead."):
        open_table(tmp_path / "f.csv", chunk_rows=0)


def test_open_table_refuses_encrypted_or_legacy_workbook(tmp_path):
    path = write_bytes(tmp_path / "f.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputFileError, match="password-protected or legacy .xls workbook"):
        open_table(path)


def test_open_table_refuses_unknown_extension(tmp_path):
    with pytest.raises(InputFileError, match=r"unsupported file type '\.xls'; accepted: \.csv, \.txt, \.xlsx"):
        open_table(write_bytes(tmp_path / "f.xls", b"x"))


def test_open_table_refuses_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="nope.csv: file not found"):
        open_table(tmp_path / "nope.csv")


def test_open_table_refuses_header_without_name_column(tmp_path):
    with pytest.raises(InputFileError, match=r"no firm-name column in the first 30 rows; the header needs one of 企业名称, 公司名称, 名称, .*\(first row: 城市, 行业代码\)"):
        open_table(write_bytes(tmp_path / "f.csv", "城市,行业代码\n江门,0601\n".encode()))


def test_open_table_refuses_more_than_max_rows_in_csv(tmp_path):
    body = "".join(f"firm{i}\n" for i in range(5))
    table = open_table(write_bytes(tmp_path / "f.csv", ("企业名称\n" + body).encode()), max_rows=4)
    with pytest.raises(InputFileError, match="data row 5: more than max_rows=4"):
        read_all(table)


def test_open_table_refuses_more_than_max_rows_in_xlsx(tmp_path):
    table = open_table(write_xlsx(tmp_path / "f.xlsx", [["企业名称"], ["a"], ["b"], ["c"]]), max_rows=2)
    with pytest.raises(InputFileError, match="data row 3: more than max_rows=2"):
        read_all(table)


def test_open_table_refuses_too_many_columns(tmp_path):
    with pytest.raises(InputFileError, match="row 1 has 4 columns, more than max_columns=3"):
        open_table(write_bytes(tmp_path / "f.csv", "企业名称,a,b,c\n".encode()), max_columns=3)


def test_open_table_refuses_long_csv_cell(tmp_path):
    table = open_table(write_bytes(tmp_path / "f.csv", "企业名称,简介\n甲,abc\n乙,abcdef\n".encode()), max_cell_chars=5)
    with pytest.raises(InputFileError, match="row 3, column '简介': cell longer than max_cell_chars=5"):
        read_all(table)


def test_open_table_refuses_long_xlsx_cell(tmp_path):
    rows = [["企业名称", "简介"]] + [["甲", "abc"]] * 40 + [["甲", "abcdef"]]
    table = open_table(write_xlsx(tmp_path / "f.xlsx", rows), max_cell_chars=5)
    with pytest.raises(InputFileError, match="row 42, column B: cell longer than max_cell_chars=5"):
        read_all(table)
    with pytest.raises(InputFileError, match="row 2, column B: cell longer than max_cell_chars=5"):
        open_table(write_xlsx(tmp_path / "g.xlsx", [["企业名称", "简介"], ["甲", "abcdef"]]), max_cell_chars=5)


def test_open_table_refuses_xlsx_value_beyond_header(tmp_path):
    table = open_table(write_xlsx(tmp_path / "f.xlsx", [["企业名称", "城市"], ["甲", "江门", None, "备注"]]))
    with pytest.raises(InputFileError, match="row 2, column D: a value beyond the header's 2 columns"):
        read_all(table)


def test_open_table_refuses_xlsx_over_unzipped_cap(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [["企业名称"], ["甲"]])
    with pytest.raises(InputFileError, match="unzips to .* more than max_unzipped_bytes=1000"):
        open_table(path, max_unzipped_bytes=1000)


@pytest.mark.parametrize("mangle", [lambda b: b"not a zip at all", lambda b: b[: len(b) // 2]])
def test_open_table_refuses_corrupt_xlsx(tmp_path, mangle):
    good = write_xlsx(tmp_path / "good.xlsx", [["企业名称"], ["甲"]])
    with pytest.raises(InputFileError, match="not a valid .xlsx workbook"):
        open_table(write_bytes(tmp_path / "bad.xlsx", mangle(good.read_bytes())))


def test_open_table_refuses_zip_without_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "f.xlsx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputFileError, match="not a readable .xlsx workbook"):
        open_table(tmp_path / "f.xlsx")


# --- XLSX in ----------------------------------------------------------------------------------

def test_open_table_reads_xlsx_cells_as_text(tmp_path):
    rows = [["企业名称", "营业收入", "成立日期", "行业代码", "专利数", "资质"],
            ["甲", 1200, dt.datetime(2020, 1, 31), "0601", 12.5, None],
            ["乙", 0.1 + 0.2, dt.datetime(2020, 1, 31, 8, 30), 601, True, ""]]
    table = open_table(write_xlsx(tmp_path / "f.XLSX", rows))
    assert table.encoding is None
    raw = read_all(table)
    assert raw.iloc[0].tolist() == ["甲", "1200", "2020-01-31", "0601", "12.5", ""]
    assert raw.iloc[1].tolist() == ["乙", "0.3", "2020-01-31T08:30:00", "601", "TRUE", ""]
    assert all(raw[c].map(type).eq(str).all() for c in raw.columns)


def test_open_table_keeps_blank_xlsx_rows_between_and_drops_them_before_and_after(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [[None], ["企业名称", None], [None, None], ["甲"], ["乙"], [None], [None]])
    table = open_table(path)
    assert table.columns == ("企业名称",)
    assert table.header_rows == (2,)
    assert read_all(table)["企业名称"].tolist() == ["", "甲", "乙"]


# --- writing ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("\n=1", "'\n=1"), ("＝1+1", "'＝1+1"), ("＠x", "'＠x"),
    ("-5", "-5"), ("+86", "+86"), ("-3.2e4", "-3.2e4"), ("-", "-"), ("--", "--"), ("a=1", "a=1"), ("", ""),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_write_table_csv_neutralises_and_quotes_formula_cells(tmp_path):
    frame = pd.DataFrame({"企业名称": ["=HYPERLINK(\"x\")", "-5", "甲,乙", "+86 138"], "score": [1.5, -2.0, None, 3]})
    write_table(tmp_path / "out.csv", frame, numeric_columns=["score"])
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").split("\r\n") == [
        "企业名称,score", '"\'=HYPERLINK(""x"")",1.5', "-5,-2.0", '"甲,乙",', "\"'+86 138\",3.0", ""]


def test_write_table_csv_writes_numeric_columns_as_plain_numbers(tmp_path):
    frame = pd.DataFrame({"企业名称": ["甲", "乙", "丙"], "rank": [1.0, None, -3.0], "n": ["-7", " 2.5 ", ""],
                          "flag": [True, False, True], "count": pd.array([1, None, 3], dtype="Int64")})
    write_table(tmp_path / "out.csv", frame, numeric_columns=["rank", "n", "flag", "count"])
    assert (tmp_path / "out.csv").read_bytes().decode("utf-8-sig").split("\r\n")[1:] == [
        "甲,1,-7,1,1", "乙,,2.5,0,", "丙,-3,,1,3", ""]


def test_write_table_csv_round_trips_through_open_table(tmp_path):
    frame = pd.DataFrame({"企业名称": ["甲", "乙"], "行业代码": ["0601", ""], "主营业务": ['a "b"\nc', "=x"]})
    write_table(tmp_path / "out.csv", frame)
    raw = read_all(open_table(tmp_path / "out.csv"))
    assert raw.values.tolist() == [["甲", "0601", 'a "b"\nc'], ["乙", "", "'=x"]]


def test_write_table_xlsx_keeps_formula_like_text_as_strings(tmp_path):
    frame = pd.DataFrame({"企业名称": ["=1+1", "http://evil.example", "-5"], "score": [1.0, float("nan"), 3]})
    write_table(tmp_path / "out.xlsx", frame, numeric_columns=["score"])
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        names = archive.namelist()
    assert "<f>" not in sheet and "<f " not in sheet
    assert "hyperlink" not in sheet and not any("sheet1.xml.rels" in n for n in names)
    assert sheet_rows(tmp_path / "out.xlsx")["Sheet1"] == [("企业名称", "score"), ("=1+1", 1), ("http://evil.example", None), ("-5", 3)]


def test_write_table_xlsx_round_trips_through_open_table(tmp_path):
    frame = pd.DataFrame({"企业名称": ["甲", "乙"], "行业代码": ["0601", ""], "营业收入": [1200, 12.5]})
    write_table(tmp_path / "out.xlsx", frame, numeric_columns=["营业收入"])
    assert read_all(open_table(tmp_path / "out.xlsx")).values.tolist() == [["甲", "0601", "1200"], ["乙", "", "12.5"]]


def test_table_writer_splits_xlsx_sheets_repeating_header(tmp_path, monkeypatch):
    monkeypatch.setattr(_writing, "XLSX_MAX_ROWS", 3)
    with TableWriter(tmp_path / "out.xlsx", ["企业名称", "n"], numeric_columns=["n"]) as writer:
        writer.write(pd.DataFrame({"企业名称": list("abcde"), "n": range(5)}))
        writer.write(pd.DataFrame({"企业名称": list("fg"), "n": range(5, 7)}))
    assert writer.rows_written == 7
    sheets = sheet_rows(tmp_path / "out.xlsx")
    assert list(sheets) == ["Sheet1", "Sheet2", "Sheet3"]
    assert all(rows[0] == ("企业名称", "n") for rows in sheets.values())
    assert [r for rows in sheets.values() for r in rows[1:]] == [(c, i) for i, c in enumerate("abcdefg")]
    assert [len(rows) - 1 for rows in sheets.values()] == [3, 3, 1]


def test_table_writer_streams_csv_chunks_in_order(tmp_path):
    with TableWriter(tmp_path / "out.csv", ["企业名称"]) as writer:
        for i in range(3):
            writer.write(pd.DataFrame({"企业名称": [f"f{i}a", "", f"f{i}b"]}))
    raw = read_all(open_table(tmp_path / "out.csv"))
    assert raw["企业名称"].tolist() == ["f0a", "", "f0b", "f1a", "", "f1b", "f2a", "", "f2b"]


def test_table_writer_discards_partial_output_on_error(tmp_path):
    target = write_bytes(tmp_path / "out.csv", b"previous")
    with pytest.raises(ValueError, match=r"column 'n' is listed in numeric_columns, but row 1 holds 'x', not a finite number"):
        with TableWriter(target, ["企业名称", "n"], numeric_columns=["n"]) as writer:
            writer.write(pd.DataFrame({"企业名称": ["a", "b"], "n": ["1", "x"]}))
    assert target.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [target]


def test_table_writer_refuses_frame_with_other_columns(tmp_path):
    with pytest.raises(ValueError, match="frame columns .* differ from the writer's columns"):
        with TableWriter(tmp_path / "out.csv", ["企业名称", "n"]) as writer:
            writer.write(pd.DataFrame({"n": [1], "企业名称": ["a"]}))
    assert not (tmp_path / "out.csv").exists()


def test_table_writer_refuses_infinite_number(tmp_path):
    with pytest.raises(ValueError, match="holds inf, not a finite number"):
        write_table(tmp_path / "out.xlsx", pd.DataFrame({"n": [float("inf")]}), numeric_columns=["n"])


def test_table_writer_refuses_unknown_output_extension(tmp_path):
    with pytest.raises(InputFileError, match=r"out.json: unsupported output type '\.json'; accepted: \.csv, \.xlsx"):
        TableWriter(tmp_path / "out.json", ["企业名称"])


def test_table_writer_refuses_unknown_numeric_column(tmp_path):
    with pytest.raises(ValueError, match=r"names columns not in 'columns': \['score'\]"):
        TableWriter(tmp_path / "out.csv", ["企业名称"], numeric_columns=["score"])


def test_table_writer_refuses_xlsx_text_over_excel_limit(tmp_path):
    with pytest.raises(ValueError, match="longer than Excel's 32767 characters"):
        write_table(tmp_path / "out.xlsx", pd.DataFrame({"企业名称": ["x" * 32_768]}))
    assert list(tmp_path.iterdir()) == []


tricky = st.sampled_from(list('=+-@\t\r\n",;\' 0.e＝＋－＠\u3000\ufeff'))
cells = st.text(tricky | st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(cells, cells), min_size=0, max_size=8), lone=st.booleans())
def test_write_table_csv_round_trip_property(rows, lone):
    frame = pd.DataFrame(rows, columns=["企业名称", "备注"], dtype=object)
    if lone:
        frame = frame[["企业名称"]]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.csv"
        write_table(path, frame)
        raw = read_all(open_table(path))
    expected = [[neutralise(v) for v in row] for row in frame.values.tolist()]
    while expected and not any(expected[-1]):
        expected.pop()  # blank rows after the last data row are not rows
    assert raw.values.tolist() == expected


headers = st.text(tricky | st.characters(exclude_categories=("Cs",), exclude_characters="\x00\ufeff"), min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(header=headers.filter(lambda h: h == h.strip() and h != "企业名称"))
def test_write_table_csv_header_round_trip_property(header):
    frame = pd.DataFrame({"企业名称": ["甲"], header: ["x"]})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.csv"
        write_table(path, frame)
        assert open_table(path).columns == ("企业名称", neutralise(header))
