"""The 企查查 batch export (QCC_EXPORT) and the vendor corpus through POST /v1/rank on a real server
(uvicorn on 127.0.0.1, the embedded map): the JSON report and the ranked file, as the command gives them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import httpx
import openpyxl
import pytest

pytest.importorskip("fastapi")

from ..servers import running_server
from ..tables.vendor_corpus import LAYOUTS, QCC_EXPORT, write_csv, write_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> str:
    home = tmp_path_factory.mktemp("home")
    env = {**os.environ, "XDG_DATA_HOME": str(home), "RECOMMENDER_JOBS_DIR": str(home / "jobs")}
    env.pop("RECOMMENDER_MAP_DIR", None)
    with running_server(env) as server:
        yield server.url


def _post(url: str, path: Path, *, json: bool, lang: str = "zh") -> httpx.Response:
    media = "text/csv" if path.suffix == ".csv" else XLSX_TYPE
    return httpx.post(f"{url}/v1/rank", params={"top": 20, "shortlist": 5, "lang": lang}, timeout=120,
                      headers={"Accept": "application/json"} if json else {},
                      files={"file": (path.name, path.read_bytes(), media)})


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_vendor_export_json_report_over_http(url, tmp_path, kind):
    source = (write_csv if kind == "csv" else write_xlsx)(QCC_EXPORT, tmp_path / f"export.{kind}")
    response = _post(url, source, json=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rows"], body["header_rows"], body["inactive_rows"], body["not_firm_rows"], body["duplicate_rows"]) == (15, [5], 4, 4, 2)
    assert body["bad_rows"] == 2 and body["model_version"] == "prior" and body["map_version"] and "短名单覆盖" in body["coverage"]
    used = {c["column"]: c for c in body["columns"]}
    assert used["参保人数"]["unreadable"] == 1 and used["参保人数"]["field"] == "employees" and used["电话"]["field"] == ""
    assert set(used) == set(QCC_EXPORT.rows[4])
    top = body["top"]
    assert [row["rank"] for row in top] == list(range(1, 16))
    copies = [row for row in top if row["duplicate_of"]]
    assert sorted(int(row["duplicate_of"]) for row in copies) == [6, 8] and not any(row["shortlist"] for row in copies)
    assert all(not row["shortlist"] for row in top if "非存续企业" in row["reasons"])
    assert any("员工100–499人（按300人计）" in row["reasons"] for row in top)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_vendor_export_file_answer_over_http(url, tmp_path, kind):
    source = (write_csv if kind == "csv" else write_xlsx)(QCC_EXPORT, tmp_path / f"export.{kind}")
    response = _post(url, source, json=False, lang="en")
    assert response.status_code == 200, response.text
    assert response.headers["X-Rows"] == "15" and response.headers["X-Model-Version"] == "prior"
    if kind == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == ["Sheet1", "说明 Notes"]
        values = list(book.worksheets[0].iter_rows(values_only=True))
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
        first = next(r for r in rows if r["企业名称"] == "广东甲锂能科技股份有限公司")
        assert first["成立日期"] == dt.datetime(2012, 8, 8) and first["股票代码"] == "001234" and isinstance(first["score"], float)
    assert len(rows) == 15
    by_name = {r["企业名称"]: r for r in rows if r["企业名称"]}
    assert "registration status 注销 (deregistered)" in by_name["江门市乙新材料有限公司"]["reasons"]
    assert by_name["佛山丙电机(集团)有限公司"]["errors"] == "employees: not a number"
    assert all("not a firm" in r["reasons"] for r in rows[-4:])


@pytest.mark.parametrize(("layout", "kind"), [(la, k) for la in LAYOUTS for k in ("csv", "xlsx")],
                         ids=[f"{la.name}.{k}" for la in LAYOUTS for k in ("csv", "xlsx")])
def test_corpus_counts_over_http(url, tmp_path, layout, kind):
    source = (write_csv if kind == "csv" else write_xlsx)(layout, tmp_path / f"{layout.name}.{kind}")
    body = _post(url, source, json=True).json()
    assert body["rows"] == len(layout.rows) - layout.header_rows[-1] and body["header_rows"] == list(layout.header_rows)
    assert body["inactive_rows"] == sum(k == "inactive" for k in layout.kinds.values())
    assert body["not_firm_rows"] == sum(k in ("blank", "total", "note") for k in layout.kinds.values())
    assert body["duplicate_rows"] == len(layout.duplicates)
