"""Hostile inputs: a shared-strings bomb (peak memory measured in a subprocess) and mixed encodings."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile

import pytest

from recommender.exceptions import EncodingError
from recommender.tables import open_table

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
_BOOK = """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_BOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
_SHEET = """<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row></sheetData></worksheet>"""


def _bomb(path, strings: int, chars: int) -> None:
    """A workbook of two string cells whose shared-strings table holds ``strings`` strings of ``chars`` characters."""
    head = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS), ("xl/workbook.xml", _BOOK),
                           ("xl/_rels/workbook.xml.rels", _BOOK_RELS), ("xl/worksheets/sheet1.xml", _SHEET)):
            archive.writestr(name, text)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(head.encode() + b"<si><t>\xe4\xbc\x81\xe4\xb8\x9a\xe5\x90\x8d\xe7\xa7\xb0</t></si><si><t>x</t></si>")
            item = b"<si><t>" + b"a" * chars + b"</t></si>"
            for _ in range(strings):
                member.write(item)
            member.write(b"</sst>")


def test_shared_strings_bomb_is_refused_fast_in_bounded_memory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, strings=40_000, chars=5_000)  # 200 MB of shared strings for 2 cells, about 0.2 MB zipped
    assert path.stat().st_size < 2_000_000
    script = textwrap.dedent(f"""
        import json, resource, time
        from recommender.tables import open_table
        from recommender.exceptions import InputFileError
        base_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the imports' own peak
        start = time.monotonic()
        try:
            open_table({str(path)!r})
            outcome = "read"
        except InputFileError as exc:
            outcome = str(exc)
        print(json.dumps({{"outcome": outcome, "seconds": time.monotonic() - start,
                          "grew_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base_mib}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"].startswith(f"{path}: the shared-strings table holds more than"), result
    assert result["grew_mib"] < 120, result  # the strings alone would take 200 MB
    assert result["seconds"] < 30, result


def test_shared_strings_within_bounds_are_read(tmp_path):
    path = tmp_path / "ok.xlsx"
    _bomb(path, strings=0, chars=0)
    table = open_table(path)
    assert table.columns == ("企业名称",)
    assert [c.raw["企业名称"].tolist() for c in table.chunks()] == [["x"]]


@pytest.mark.parametrize("utf8_chars", [1, 3, 7])
def test_mixed_utf8_and_gbk_lines_are_refused_naming_both(tmp_path, utf8_chars):
    # fewer than 8 UTF-8 characters before a GBK line used to be read as GB18030 mojibake
    name = "江门科技公司"[: max(utf8_chars, 2)]
    path = tmp_path / "mixed.csv"
    path.write_bytes("企业名称\n".encode("ascii", "ignore").replace(b"\n", b"") + b"name\n" + name.encode() + b"\n"
                     + "佛山电机有限公司\n".encode("gbk"))
    with pytest.raises(EncodingError, match=r"mixed encodings: line 2 is UTF-8 but line 3 is not"):
        open_table(path)


def test_pure_gbk_file_whose_first_line_happens_to_be_utf8_is_still_read(tmp_path):
    # "山莞" in GBK is c9 bd dd b8: valid UTF-8 for two characters of U+0080-U+07FF, not Chinese
    assert "山莞".encode("gbk").decode("utf-8")
    path = tmp_path / "gbk.csv"
    path.write_bytes("企业名称,城市\n山莞,江门\n江门市科恒实业股份有限公司,江门\n".encode("gbk"))
    table = open_table(path)
    assert table.encoding == "gb18030"
    assert [n for c in table.chunks() for n in c.raw["企业名称"]] == ["山莞", "江门市科恒实业股份有限公司"]
