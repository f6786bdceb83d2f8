"""The vendor-layout corpus (tests/tables/vendor_corpus.py) through POST /v1/rank: file and JSON answers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from tests.tables.vendor_corpus import LAYOUTS, write_csv, write_xlsx

TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CASES = [(layout, kind) for layout in LAYOUTS for kind in ("csv", "xlsx")]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(map_dir=TINY_MAP)), raise_server_exceptions=False) as c:
        yield c


def _upload(client, path: Path, *, json: bool = False, lang: str = "zh"):
    media = "text/csv" if path.suffix == ".csv" else XLSX_TYPE
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/v1/rank?top=50&shortlist=3&lang={lang}", files={"file": (path.name, path.read_bytes(), media)}, headers=headers)


@pytest.mark.parametrize(("layout", "kind"), CASES, ids=[f"{la.name}.{k}" for la, k in CASES])
def test_rank_json_report_counts_bands_and_reports_columns(client, tmp_path, layout, kind):
    path = (write_csv if kind == "csv" else write_xlsx)(layout, tmp_path / f"{layout.name}.{kind}")
    response = _upload(client, path, json=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == len(layout.rows) - layout.header_rows[-1]
    assert body["header_rows"] == list(layout.header_rows)
    assert body["inactive_rows"] == sum(k == "inactive" for k in layout.kinds.values())
    assert body["not_firm_rows"] == sum(k in ("blank", "total", "note") for k in layout.kinds.values())
    assert body["duplicate_rows"] == len(layout.duplicates)
    used = {c["column"]: c for c in body["columns"]}
    assert any(c["field"] == "name" for c in body["columns"])
    assert all(c["use"] for c in used.values())
    inactive = {n for n, f in layout.expect.items() if f.get("kind") == "inactive"}
    assert not any(row["shortlist"] and any(n in row.values() for n in inactive) for row in body["top"])


@pytest.mark.parametrize(("layout", "kind"), CASES, ids=[f"{la.name}.{k}" for la, k in CASES])
def test_rank_file_answer_keeps_every_row_once(client, tmp_path, layout, kind):
    path = (write_csv if kind == "csv" else write_xlsx)(layout, tmp_path / f"{layout.name}.{kind}")
    response = _upload(client, path)
    assert response.status_code == 200, response.text
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        header, data = rows[0], rows[1:]
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.sheetnames[-1] == "说明 Notes"
        values = list(book.worksheets[0].iter_rows(values_only=True))
        header, data = list(values[0]), values[1:]
    assert len(data) == len(layout.rows) - layout.header_rows[-1]
    rank = header.index("rank")
    assert sorted(int(r[rank]) for r in data) == list(range(1, len(data) + 1))
    duplicate = header.index("duplicate_of")
    assert sorted(int(r[duplicate]) for r in data if r[duplicate] not in ("", None)) == sorted(layout.duplicates.values())
