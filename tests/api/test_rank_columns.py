"""POST /v1/rank with input columns named like output columns (a file ranked before)."""

from __future__ import annotations

import csv
import io
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest

with warnings.catch_warnings():  # starlette suggests httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = [
    ["企业名称", "经营范围", "rank", "shortlist", "model_version", "score", "rank_1"],
    ["广东某铜箔科技有限公司", "锂电铜箔的研发、生产", "3", "", "prior", "1", "x"],
    ["某电芯公司", "锂离子电池电芯制造", "1", "1", "prior", "2", "y"],
    ["", "无名称的行", "2", "", "prior", "3", "z"],
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("map") / "map"
    shutil.copytree(TINY_MAP, folder)
    with TestClient(create_app(Settings(map_dir=folder)), raise_server_exceptions=False) as c:
        yield c


def _upload(kind: str) -> tuple[str, bytes, str]:
    if kind == ".csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(ROWS)
        return "ranked-before.csv", out.getvalue().encode("utf-8"), "text/csv"
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return "ranked-before.xlsx", data.getvalue(), XLSX_TYPE


EXPECTED = [*ROWS[0], "rank_2", "score_1", "likelihood", "priority", "chain", "link", "action", "link_2", "action_2", "park", "confidence",
            "reasons", "likelihood_reasons", "errors"]


@pytest.mark.parametrize("kind", [".csv", ".xlsx"])
@pytest.mark.parametrize("params", [{}, {"top": 2, "shortlist": 1}, {"top": 0}])
def test_api_ranks_a_file_with_output_column_names(client, kind, params):
    response = client.post("/v1/rank", files={"file": _upload(kind)}, params=params)
    assert response.status_code == 200, response.text
    if kind == ".csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    header = rows[0]
    assert header[: len(EXPECTED)] == EXPECTED and len(header) == len(set(header))
    assert header[-2:] == ["shortlist_1", "model_version_1"]
    rank = header.index("rank_2")
    assert [int(r[rank]) for r in rows[1:]] == [1, 2, 3]
    assert sorted(r[6] for r in rows[1:]) == ["x", "y", "z"]  # the input's own rank_1, unchanged


@pytest.mark.parametrize("kind", [".csv", ".xlsx"])
def test_api_json_report_with_output_column_names(client, kind):
    response = client.post("/v1/rank", files={"file": _upload(kind)}, params={"top": 3, "shortlist": 1},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    top = response.json()["top"]
    assert [row["rank_2"] for row in top] == [1, 2, 3]
    assert {row["rank"] for row in top} == {"1", "2", "3"}  # the input's column, as text
    assert sum(row["shortlist_1"] == 1 for row in top) == 1
