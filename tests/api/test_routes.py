"""The REST service through FastAPI's test client: every endpoint, every error path."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

with warnings.catch_warnings():  # starlette suggests httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.main import create_app
from api.schemas import SCORE_EXAMPLE
from api.settings import Settings
from recommender import Recommender
from recommender.cli import app as cli_app

DATA = Path(__file__).resolve().parents[1] / "data"
TINY_MAP = DATA / "tiny_map"
KEY = "alice-0123456789abcdef"
OTHER_KEY = "crm-feed-0123456789abcdef"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FOIL = dict(SCORE_EXAMPLE)  # the example profile of the OpenAPI docs
CELLS = {"name": "某电芯公司", "description": "锂离子电池电芯制造", "employees": 1200}


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture
def map_dir(tmp_path: Path) -> Path:
    target = tmp_path / "map"
    shutil.copytree(TINY_MAP, target)
    return target


@pytest.fixture
def settings(map_dir: Path) -> Settings:
    return Settings(map_dir=map_dir, api_keys={"alice": KEY, "crm": OTHER_KEY}, max_batch=5, max_body_bytes=20_000,
                    max_upload_bytes=200_000, max_upload_rows=50)


@pytest.fixture
def client(settings: Settings):
    with _client(settings) as c:
        yield c


@pytest.fixture(scope="module")
def ro_client():
    """The tiny map served without keys, shared by tests that change nothing."""
    with _client(Settings(map_dir=TINY_MAP)) as c:
        yield c


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return body


# -- health, version, request ids -------------------------------------------------------------
def test_api_healthz_is_alive(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_api_readyz_reports_map_and_model(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["model_version"] == "prior"
    assert body["map_version"] == Recommender(TINY_MAP).map_version


def test_api_readyz_fails_until_the_map_loads(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(TINY_MAP, broken)
    (broken / "parks.yaml").write_text("parks: [", encoding="utf-8")
    with _client(Settings(map_dir=broken)) as c:
        response = c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["ready"] is False and "invalid" in response.json()["map"]
        _error(c.post("/v1/score", json=FOIL), 503, "not_ready")
        shutil.copy(TINY_MAP / "parks.yaml", broken / "parks.yaml")  # fixed on disk: the next request reloads it
        assert c.get("/readyz").status_code == 200


def test_api_readyz_fails_when_the_model_is_missing(map_dir, tmp_path):
    with _client(Settings(map_dir=map_dir, model=str(tmp_path / "no-such-model"))) as c:
        response = c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["map"] == "loaded" and "model" in response.json()["model"]
        _error(c.post("/v1/score", json=FOIL), 503, "not_ready")


def test_api_version_names_service_map_and_model(client):
    body = client.get("/v1/version").json()
    assert body["map_id"] == "tiny" and body["model_version"] == "prior" and body["version"]


def test_api_version_sees_a_hand_edit_as_every_endpoint_does(client, map_dir):
    import time

    from api.state import WATCH_SECONDS

    before = client.get("/v1/version").json()["map_version"]
    chain_file = map_dir / "chains" / "battery.yaml"
    text = chain_file.read_text(encoding="utf-8")
    chain_file.write_text(text.replace("status: missing", "status: weak", 1), encoding="utf-8")  # edited in place
    time.sleep(WATCH_SECONDS + 0.2)
    after = client.get("/v1/version").json()["map_version"]
    assert after != before
    assert client.get("/v1/chains").json()["map_version"] == after == client.get("/v1/version").json()["map_version"]


def test_api_request_id_is_made_and_echoed(client):
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    assert client.get("/healthz").headers["x-request-id"] not in (made, "")  # each request its own
    assert client.get("/healthz", headers={"X-Request-ID": "crm-42.a"}).headers["x-request-id"] == "crm-42.a"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id\t<script>"}).headers["x-request-id"] != "bad id\t<script>"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_worker_makes_request_ids_of_its_own():
    from api.middleware import _take_request_id

    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the forked worker: its first two ids, then gone
        os.write(write, _take_request_id([]) + _take_request_id([]))
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read, "rb") as pipe:
        theirs = pipe.read()
    ours = _take_request_id([]) + _take_request_id([])
    assert len(theirs) == len(ours) == 64
    assert {theirs[:32], theirs[32:]}.isdisjoint({ours[:32], ours[32:]}) and theirs[:16] != ours[:16]


def test_api_responses_say_nosniff(client):
    assert client.get("/healthz").headers["x-content-type-options"] == "nosniff"


# -- score --------------------------------------------------------------------------------------
def test_api_score_returns_result_with_versions(client):
    response = client.post("/v1/score", json=FOIL)
    assert response.status_code == 200
    body = response.json()
    assert body["link_id"] == "foil" and body["action"] == "补链" and body["park"] == "材料园"
    assert body["score"] == pytest.approx(sum(body["components"].values()), abs=0.011)
    assert body["map_version"] == client.get("/v1/version").json()["map_version"]
    assert body["model_version"] == "prior" and 0 <= body["likelihood"] <= 1
    assert body["reasons"] and body["errors"] == []


def test_api_score_equals_cli_score(client):
    for profile in (FOIL, CELLS, {"name": "无关公司", "description": "餐饮服务"}):
        api = client.post("/v1/score", json=profile).json()
        run = CliRunner().invoke(cli_app, ["score", "--json", json.dumps(profile, ensure_ascii=False), "--map", str(TINY_MAP)])
        assert run.exit_code == 0, run.output
        cli = json.loads(run.stdout)
        assert {k: api[k] for k in cli} == cli


def test_api_score_in_english(client):
    body = client.post("/v1/score", params={"lang": "en"}, json=FOIL).json()
    assert body["link"] == "Copper foil" and body["park"] == "Materials park"


def test_api_score_batch_matches_single_scores(client):
    response = client.post("/v1/score/batch", json={"profiles": [FOIL, CELLS]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["firm"] for r in results] == [FOIL["name"], CELLS["name"]]
    assert results[0] == client.post("/v1/score", json=FOIL).json()
    assert results[1] == client.post("/v1/score", json=CELLS).json()


def test_api_score_batch_over_the_limit_is_422(client):
    body = _error(client.post("/v1/score/batch", json={"profiles": [CELLS] * 6}), 422, "invalid_request")
    assert body["detail"][0]["loc"] == ["body", "profiles"] and body["detail"][0]["type"] == "too_long"
    assert client.get("/openapi.json").json()["components"]["schemas"]["ScoreBatchRequest"]["properties"]["profiles"]["maxItems"] == 5


def test_api_unknown_query_parameter_is_422(client):
    body = _error(client.post("/v1/score", params={"lang": "zh", "debug": "1"}, json=FOIL), 422, "invalid_request")
    assert body["detail"] == [{"loc": ["query", "debug"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}]
    _error(client.get("/v1/chains", params={"x": "1"}), 422, "invalid_request")


def test_api_score_batch_empty_is_422(client):
    _error(client.post("/v1/score/batch", json={"profiles": []}), 422, "invalid_request")


@pytest.mark.parametrize(
    ("change", "loc", "kind"),
    [
        ({"score": 100}, ["body", "score"], "extra_forbidden"),
        ({"employees": "300"}, ["body", "employees"], "float_type"),
        ({"employees": True}, ["body", "employees"], "float_type"),
        ({"employees": -1}, ["body", "employees"], "greater_than_equal"),
        ({"revenue": 1e12}, ["body", "revenue"], "less_than_equal"),
        ({"founded": 2012.5}, ["body", "founded"], "int_from_float"),
        ({"founded": "2012"}, ["body", "founded"], "int_type"),
        ({"patents": "25"}, ["body", "patents"], "int_type"),
        ({"industry_code": 601}, ["body", "industry_code"], "string_type"),
        ({"industry_code": "06-01"}, ["body", "industry_code"], "string_pattern_mismatch"),
        ({"name": ""}, ["body", "name"], "string_too_short"),
        ({"name": "名" * 201}, ["body", "name"], "string_too_long"),
        ({"description": "x" * 5001}, ["body", "description"], "string_too_long"),
        ({"tags": ["a"] * 51}, ["body", "tags"], None),
    ],
)
def test_api_score_bad_field_is_422_naming_it(client, change, loc, kind):
    body = _error(client.post("/v1/score", json={**FOIL, **change}), 422, "invalid_request")
    assert any(item["loc"][: len(loc)] == loc and (kind is None or item["type"] == kind) for item in body["detail"]), body


def test_api_score_missing_name_is_422(client):
    body = _error(client.post("/v1/score", json={"description": "锂电铜箔"}), 422, "invalid_request")
    assert body["detail"][0]["loc"] == ["body", "name"] and body["detail"][0]["type"] == "missing"


def test_api_score_keeps_leading_zeros_of_codes(client):
    assert client.post("/v1/score", json={**CELLS, "industry_code": "0601"}).status_code == 200


@pytest.mark.parametrize("content", [b'{"name": "x",', b'\xff\xfe{"name": "x"}', b'\xff\xfe{"name":1}'], ids=["broken", "not-utf8", "not-utf8-2"])
def test_api_unparseable_json_is_400_as_the_readme_says(client, content):
    response = client.post("/v1/score", content=content, headers={"Content-Type": "application/json"})
    _error(response, 400, "bad_request")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "| 400 | the body cannot be parsed (not UTF-8 JSON, broken multipart) |" in readme


def test_api_broken_multipart_is_400(client):
    response = client.post("/v1/rank", content=b"junk", headers={"Content-Type": "multipart/form-data"})
    _error(response, 400, "bad_request")


def test_api_unreadable_upload_never_shows_a_server_path(settings, tmp_path):
    """The 422 of an unreadable upload names the problem, never where the server keeps files."""
    import tempfile

    from recommender import EncodingError, InputFileError

    app = create_app(settings)
    secret = str(tmp_path / "recommender-rank-x" / "upload.xlsx")

    @app.get("/unreadable")
    def unreadable():
        raise InputFileError(secret, f"cannot open {secret} (in {tempfile.gettempdir()})")

    @app.get("/undecodable")
    def undecodable():
        raise EncodingError(secret, 3, f"bad bytes in {secret}")

    with TestClient(app, raise_server_exceptions=False) as c:
        for path, code in (("/unreadable", "input_file_error"), ("/undecodable", "encoding_error")):
            body = _error(c.get(path), 422, code)
            text = json.dumps(body, ensure_ascii=False)
            assert str(tmp_path) not in text and tempfile.gettempdir() not in text and "recommender-rank" not in text
            assert "cannot open" in text or "bad bytes" in text


def test_api_non_json_content_type_is_422(client):
    _error(client.post("/v1/score", content=json.dumps(FOIL), headers={"Content-Type": "text/plain"}), 422, "invalid_request")


def test_api_oversize_body_is_413(client):
    huge = {**FOIL, "description": "锂电铜箔" * 3000}
    body = _error(client.post("/v1/score", json=huge), 413, "too_large")
    assert body["detail"][0]["loc"] == ["body"]


def test_api_oversize_chunked_body_is_413(client):
    def chunks():
        for _ in range(30):
            yield b"x" * 1000

    _error(client.post("/v1/score", content=chunks(), headers={"Content-Type": "application/json"}), 413, "too_large")


def test_api_unknown_path_and_method_are_json(client):
    _error(client.get("/v1/nothing"), 404, "not_found")
    _error(client.get("/v1/score"), 405, "method_not_allowed")


def test_api_unexpected_error_is_500_without_details(settings):
    app = create_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom", headers={"X-Request-ID": "req-500"})
    body = _error(response, 500, "internal_error")
    assert "secret" not in response.text and "RuntimeError" not in response.text
    assert body["detail"] == []
    # a 500 passes the edge like every other answer: the request id and the common headers
    assert body["request_id"] == "req-500" and response.headers["x-request-id"] == "req-500"
    assert response.headers["x-content-type-options"] == "nosniff"


# -- rank -----------------------------------------------------------------------------------------
GBK_ROWS = [
    ["企业名称", "经营范围", "所在城市", "员工人数", "行业代码", "备注"],
    ["广东某铜箔科技有限公司", "锂电铜箔的研发、生产", "深圳", "约300", "3252", "=HYPERLINK(\"http://x\")"],
    ["某电芯公司", "锂离子电池电芯制造", "江门", "1200", "0601", "+1"],
    ["", "无名称的行", "", "abc", "", "-2"],
    ["某餐饮公司", "餐饮服务", "广州", "50", "", "@SUM(A1)"],
]


def _gbk_csv(rows=GBK_ROWS) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("gbk")


def _xlsx(rows=GBK_ROWS) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_api_rank_gbk_csv_returns_every_row_safely(client):
    response = client.post("/v1/rank", files={"file": ("候选企业.csv", _gbk_csv(), "text/csv")}, params={"shortlist": 2})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["x-rows"] == "4" and response.headers["x-bad-rows"] == "1"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == GBK_ROWS[0] and "rank" in header and "shortlist" in header
    assert sorted(r[0] for r in body) == sorted(r[0] for r in GBK_ROWS[1:])
    assert body[0][0] == "广东某铜箔科技有限公司"
    assert body[-1][0] == ""  # the bad row comes back, last
    notes = {r[0]: r[5] for r in body}
    assert notes["广东某铜箔科技有限公司"].startswith("'=") and notes["某餐饮公司"].startswith("'@")
    assert {r[4] for r in body} >= {"0601", "3252"}
    assert "ranked" in response.headers["content-disposition"]


def test_api_rank_xlsx_returns_xlsx_without_formulas(client):
    response = client.post("/v1/rank", files={"file": ("firms.xlsx", _xlsx(), XLSX_TYPE)})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 5
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)


def test_api_rank_json_report_lists_the_top_rows(client):
    response = client.post("/v1/rank", files={"file": ("firms.csv", _gbk_csv(), "text/csv")}, params={"top": 2, "shortlist": 1},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == 4 and len(body["top"]) == 2 and body["coverage"]
    assert body["top"][0]["企业名称"] == "广东某铜箔科技有限公司"


@pytest.mark.parametrize(("name", "content_type"), [("firms.xls", "application/vnd.ms-excel"), ("firms.pdf", "application/pdf"), ("firms", "application/octet-stream")])
def test_api_rank_wrong_file_type_is_415(client, name, content_type):
    body = _error(client.post("/v1/rank", files={"file": (name, b"data", content_type)}), 415, "unsupported_media_type")
    assert body["detail"][0]["loc"] == ["body", "file"]


def test_api_rank_fake_xlsx_is_415(client):
    _error(client.post("/v1/rank", files={"file": ("firms.xlsx", b"not a zip", XLSX_TYPE)}), 415, "unsupported_media_type")


def test_api_rank_upload_over_the_limit_is_413(client):
    big = _gbk_csv(GBK_ROWS[:1] + [["公司", "x" * 1000, "", "", "", ""]] * 300)
    _error(client.post("/v1/rank", files={"file": ("firms.csv", big, "text/csv")}), 413, "too_large")


def test_api_rank_chunked_upload_over_the_limit_is_413(client):
    def chunks():
        yield b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n'
        for _ in range(300):
            yield "企业名称,经营范围\n".encode() * 50
        yield b"\r\n--xx--\r\n"

    response = client.post("/v1/rank", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=xx"})
    body = _error(response, 413, "too_large")
    assert body["detail"][0]["loc"] == ["body"]


def test_api_rank_too_many_rows_is_413(client):
    many = _gbk_csv(GBK_ROWS[:1] + [["公司", "锂电铜箔", "", "", "", ""]] * 51)
    body = _error(client.post("/v1/rank", files={"file": ("firms.csv", many, "text/csv")}), 413, "too_large")
    assert "50" in body["detail"][0]["msg"]


def test_api_rank_undecodable_bytes_name_the_line(client):
    bad = "企业名称,经营范围\n甲公司,锂电铜箔\n".encode() + b"\xff\xfe\xfa,x\n"
    body = _error(client.post("/v1/rank", files={"file": ("firms.csv", bad, "text/csv")}), 422, "encoding_error")
    assert body["detail"][0]["loc"][:2] == ["file", "line"]
    assert "/tmp" not in json.dumps(body)


def test_api_rank_without_a_name_column_is_422(client):
    body = _error(client.post("/v1/rank", files={"file": ("firms.csv", b"a,b\n1,2\n", "text/csv")}), 422, "input_file_error")
    assert "name" in body["detail"][0]["msg"] and "recommender-rank" not in json.dumps(body)


def test_api_rank_leaves_no_temporary_files(client, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client.post("/v1/rank", files={"file": ("firms.csv", _gbk_csv(), "text/csv")})
    client.post("/v1/rank", files={"file": ("firms.xlsx", b"junk", XLSX_TYPE)})
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("recommender-rank-")]


# -- chains and parks -------------------------------------------------------------------------------
def test_api_chains_list_links_with_status_and_need(ro_client):
    body = ro_client.get("/v1/chains").json()
    assert body["map_id"] == "tiny" and body["city"]["zh"] == "河源"
    (chain,) = body["chains"]
    assert chain["gaps"] == 1
    foil = next(link for link in chain["links"] if link["id"] == "foil")
    assert foil["status"] == "missing" and foil["action"] == "补链" and foil["need"] > 0
    assert foil["park_id"] == "material_park"


def test_api_chain_detail_has_quotes(ro_client):
    body = ro_client.get("/v1/chains/battery").json()
    foil = body["links"][0]
    assert foil["status_quote"]["text"] == "河源市电池产业缺少铜箔。" and foil["industry_codes"] == ["3252"]


def test_api_unknown_chain_is_404(ro_client):
    body = _error(ro_client.get("/v1/chains/nope"), 404, "not_found")
    assert body["detail"][0]["loc"] == ["path", "chain_id"]


def test_api_parks(ro_client):
    parks = ro_client.get("/v1/parks").json()["parks"]
    assert {p["id"] for p in parks} == {"eco_park", "material_park"}


# -- updates, keys, audit ---------------------------------------------------------------------------
def test_api_update_without_key_is_401(client, map_dir):
    before = (map_dir / "chains" / "battery.yaml").read_bytes()
    _error(client.patch("/v1/chains/battery/links/foil", json={"status": "present"}), 401, "unauthorized")
    assert (map_dir / "chains" / "battery.yaml").read_bytes() == before


def test_api_update_with_wrong_key_is_403(client, map_dir):
    before = (map_dir / "chains" / "battery.yaml").read_bytes()
    for key in ("wrong-key-0123456789", KEY + "x", KEY[:-1], "ключ-неверный-0123456".encode()):
        _error(client.patch("/v1/chains/battery/links/foil", json={"status": "present"}, headers={"X-API-Key": key}), 403, "forbidden")
    assert (map_dir / "chains" / "battery.yaml").read_bytes() == before


def test_api_update_is_denied_when_no_keys_are_configured(map_dir):
    with _client(Settings(map_dir=map_dir)) as c:
        _error(c.patch("/v1/chains/battery/links/foil", json={"status": "present"}, headers={"X-API-Key": KEY}), 403, "forbidden")
        _error(c.get("/v1/audit", headers={"X-API-Key": KEY}), 403, "forbidden")


def test_api_update_applies_versions_audits_and_serves_at_once(client, map_dir):
    old_version = client.get("/v1/version").json()["map_version"]
    old_score = client.post("/v1/score", json=FOIL).json()
    response = client.patch(
        "/v1/chains/battery/links/foil", json={"status": "present", "note": "某铜箔项目已签约落地"}, headers={"X-API-Key": KEY, "X-Request-ID": "req-1"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["changed"] is True and body["before"] == {"status": "missing"} and body["after"] == {"status": "present"}
    assert body["map_version_before"] == old_version != body["map_version"]
    # on disk: the new file, the old one kept
    data = yaml.safe_load((map_dir / "chains" / "battery.yaml").read_text(encoding="utf-8"))
    assert data["links"][0]["status"] == "present"
    (backup,) = (map_dir / "history").glob("battery.*.yaml")
    assert yaml.safe_load(backup.read_text(encoding="utf-8"))["links"][0]["status"] == "missing"
    # served from the next request on
    new_score = client.post("/v1/score", json=FOIL).json()
    assert new_score["map_version"] == body["map_version"]
    assert new_score["action"] == "强链" and new_score["score"] < old_score["score"]
    # audit-logged, with who, when, before and after
    entries = client.get("/v1/audit", headers={"X-API-Key": OTHER_KEY}).json()["entries"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor"] == "alice" and entry["action"] == "update_link" and entry["id"] == body["audit_id"]
    assert entry["before"] == {"status": "missing"} and entry["after"] == {"status": "present"}
    assert entry["request_id"] == "req-1" and entry["note"] == "某铜箔项目已签约落地" and entry["at"].endswith("Z")


@pytest.mark.parametrize("payload", [{"status": "missing"}, {}, {"note": "only a note"}, {"status": None}])
def test_api_update_that_changes_nothing_is_not_logged(client, map_dir, payload):
    before = (map_dir / "chains" / "battery.yaml").read_bytes()
    response = client.patch("/v1/chains/battery/links/foil", json=payload, headers={"X-API-Key": KEY})
    assert response.status_code == 200 and response.json()["changed"] is False and response.json()["audit_id"] is None
    assert client.get("/v1/audit", headers={"X-API-Key": KEY}).json()["entries"] == []
    assert (map_dir / "chains" / "battery.yaml").read_bytes() == before


def test_api_invalid_update_is_422_and_writes_nothing(client, map_dir):
    before = (map_dir / "chains" / "battery.yaml").read_bytes()
    response = client.patch("/v1/chains/battery/links/cells", json={"priority": "key_target"}, headers={"X-API-Key": KEY})
    body = _error(response, 422, "invalid_request")
    assert body["detail"][0]["loc"] == ["map", "chains/battery.yaml", "links[cells]", "priority_quote"]
    bad_quote = {"priority": "target", "priority_quote": {"doc": "d1", "text": "不在原文中的句子"}}
    body = _error(client.patch("/v1/chains/battery/links/cells", json=bad_quote, headers={"X-API-Key": KEY}), 422, "invalid_request")
    assert "quote not found" in body["detail"][0]["msg"]
    assert (map_dir / "chains" / "battery.yaml").read_bytes() == before
    assert not list((map_dir / "history").glob("*.yaml"))
    assert client.get("/v1/audit", headers={"X-API-Key": KEY}).json()["entries"] == []


def test_api_update_with_a_quote_from_the_sources(client):
    change = {"priority": "target", "priority_quote": {"doc": "d1", "text": "电芯制造已经形成规模。"}}
    response = client.patch("/v1/chains/battery/links/cells", json=change, headers={"X-API-Key": KEY})
    assert response.status_code == 200, response.text
    assert client.get("/v1/chains/battery").json()["links"][1]["priority"] == "target"


@pytest.mark.parametrize(
    ("path", "payload", "status", "code"),
    [
        ("/v1/chains/battery/links/nope", {"status": "present"}, 404, "not_found"),
        ("/v1/chains/nope/links/foil", {"status": "present"}, 404, "not_found"),
        ("/v1/chains/battery/links/foil", {"status": "gone"}, 422, "invalid_request"),
        ("/v1/chains/battery/links/foil", {"stage": "upstream"}, 422, "invalid_request"),
        ("/v1/chains/nope/links/foil", {}, 404, "not_found"),
    ],
)
def test_api_bad_update_requests(client, path, payload, status, code):
    _error(client.patch(path, json=payload, headers={"X-API-Key": KEY}), status, code)


def test_api_update_of_the_embedded_map_is_409(tmp_path):
    with _client(Settings(map_dir=None, api_keys={"alice": KEY}, watch_map=False)) as c:
        _error(c.patch("/v1/chains/battery/links/foil", json={"status": "present"}, headers={"X-API-Key": KEY}), 409, "conflict")


def test_api_audit_needs_a_key(client):
    _error(client.get("/v1/audit"), 401, "unauthorized")
    _error(client.get("/v1/audit", headers={"X-API-Key": "nope-nope-nope-nope"}), 403, "forbidden")


def test_api_audit_filters_and_pages(client):
    for status in ("weak", "present", "strong"):
        client.patch("/v1/chains/battery/links/foil", json={"status": status}, headers={"X-API-Key": KEY})
    client.patch("/v1/chains/battery/links/cells", json={"status": "weak"}, headers={"X-API-Key": OTHER_KEY})
    audit = lambda **q: client.get("/v1/audit", params=q, headers={"X-API-Key": KEY}).json()["entries"]  # noqa: E731
    assert [e["after"]["status"] for e in audit(link_id="foil")] == ["strong", "present", "weak"]
    assert [e["actor"] for e in audit(limit=1)] == ["crm"]
    assert len(audit(offset=3)) == 1
    assert audit(chain_id="nope") == []


def test_api_model_reload_keeps_the_last_good_model(client, monkeypatch):
    from recommender import ModelError

    store = client.app.state.store
    response = client.post("/v1/model/reload", headers={"X-API-Key": KEY})
    assert response.status_code == 200 and response.json()["model_version"] == "prior" and response.json()["changed"] is False
    good = store.current

    def broken():
        raise ModelError("the file's sha256 differs")

    monkeypatch.setattr(store, "_load_model", broken)
    body = _error(client.post("/v1/model/reload", headers={"X-API-Key": KEY}), 422, "invalid_request")
    assert "sha256" in body["detail"][0]["msg"]
    assert store.current is good and client.get("/readyz").status_code == 200
    assert client.post("/v1/score", json=FOIL).status_code == 200


def test_api_model_reload_needs_a_key(client):
    _error(client.post("/v1/model/reload"), 401, "unauthorized")


# -- settings, CORS, docs -----------------------------------------------------------------------------
def test_api_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RECOMMENDER_API_KEYS", f"alice:{KEY}, crm:{OTHER_KEY}")
    monkeypatch.setenv("RECOMMENDER_CORS_ORIGINS", "https://crm.example.cn,https://bi.example.cn")
    monkeypatch.setenv("RECOMMENDER_MAP_DIR", str(tmp_path))
    monkeypatch.setenv("RECOMMENDER_MAX_BATCH", "7")
    settings = Settings()
    assert {k: v.get_secret_value() for k, v in settings.api_keys.items()} == {"alice": KEY, "crm": OTHER_KEY}
    assert settings.cors_origins == ("https://crm.example.cn", "https://bi.example.cn")
    assert settings.max_batch == 7 and settings.audit_path == tmp_path / "history" / "audit.sqlite3"
    assert KEY not in repr(settings)


def test_api_settings_defaults_are_closed(monkeypatch):
    for name in ("RECOMMENDER_API_KEYS", "RECOMMENDER_CORS_ORIGINS", "RECOMMENDER_MAP_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.api_keys == {} and settings.cors_origins == () and settings.map_dir is None and settings.audit_path is None


@pytest.mark.parametrize("env", [{"RECOMMENDER_API_KEYS": "alice:short"}, {"RECOMMENDER_API_KEYS": "no-name-key-0123456789"},
                                 {"RECOMMENDER_CORS_ORIGINS": "*"}, {"RECOMMENDER_MAX_BATCH": "0"}])
def test_api_settings_refuse_unsafe_values(monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RECOMMENDER_API_KEYS": f"alice:{KEY}, bob"}, "entry 2 must be 'name:key'"),
        ({"RECOMMENDER_API_KEYS": f"alice:{KEY}, alice:{OTHER_KEY}"}, "entry 2: the name must be non-empty and unique"),
        ({"RECOMMENDER_API_KEYS": f":{KEY}"}, "entry 1: the name must be non-empty and unique"),
        ({"RECOMMENDER_API_KEY_ROLES": "crm:officer, bi:boss"}, "entry 2 must be 'name:role' with a role of viewer, officer, admin"),
        ({"RECOMMENDER_API_KEY_ROLES": "crm"}, "entry 1 must be 'name:role'"),
    ],
)
def test_api_settings_name_lists_say_which_entry_is_wrong(monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=re.escape(message)):
        Settings()


def test_api_settings_key_roles_from_the_environment(monkeypatch):
    monkeypatch.setenv("RECOMMENDER_API_KEY_ROLES", "crm:officer, bi:viewer, crm:admin")
    settings = Settings()
    assert settings.api_key_roles == {"crm": "admin", "bi": "viewer"}  # a name given twice: the last role counts
    assert settings.key_role("bi") == "viewer" and settings.key_role("other") == "admin"


def test_api_cors_is_closed_by_default(client):
    response = client.options("/v1/score", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in response.headers


def test_api_cors_allows_listed_origins_only(map_dir):
    with _client(Settings(map_dir=map_dir, cors_origins=("https://crm.example.cn",))) as c:
        ok = c.options("/v1/score", headers={"Origin": "https://crm.example.cn", "Access-Control-Request-Method": "POST"})
        assert ok.headers["access-control-allow-origin"] == "https://crm.example.cn"
        evil = c.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in evil.headers


def test_api_docs_carry_chinese_examples(ro_client):
    schema = ro_client.get("/openapi.json").json()
    example = schema["components"]["schemas"]["ScoreRequest"]["examples"][0]
    assert example["name"] == "广东某铜箔科技有限公司"
    assert ro_client.get("/docs").status_code == 200
    assert schema["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"


def test_api_docs_can_be_turned_off(map_dir):
    with _client(Settings(map_dir=map_dir, docs=False)) as c:
        assert c.get("/docs").status_code == 404 and c.get("/openapi.json").status_code == 404


def test_api_app_import_loads_nothing():
    import importlib

    import api.main

    module = importlib.reload(api.main)
    assert not hasattr(module.app.state, "store")


# -- landing models -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    """A models folder with one trained version of a tiny landing model ("tiny")."""
    from recommender import load_map
    from recommender.likelihood import model_card, read_history, save_model, train_landing

    folder = tmp_path_factory.mktemp("models") / "tiny"
    model, evaluation = train_landing(read_history(DATA / "tiny_history.csv"), load_map(TINY_MAP), name="tiny")
    save_model(model, folder, card=model_card(model, evaluation))
    return folder


def _copy_models(models: Path, tmp_path: Path) -> Path:
    target = tmp_path / "models" / "tiny"
    shutil.copytree(models, target)
    return target


def test_api_serves_a_trained_model_like_the_cli(map_dir, models):
    with _client(Settings(map_dir=map_dir, model=str(models))) as c:
        ready = c.get("/readyz").json()
        assert ready["model_version"].startswith("tiny/")
        body = c.post("/v1/score", json=FOIL).json()
        assert body["model_version"] == ready["model_version"] and body["likelihood_factors"]
        run = CliRunner().invoke(cli_app, ["score", "--json", json.dumps(FOIL, ensure_ascii=False), "--map", str(map_dir), "--model", str(models)])
        assert run.exit_code == 0, run.output
        cli = json.loads(run.stdout)
        assert {k: body[k] for k in cli} == cli


def test_api_corrupt_model_is_not_ready(map_dir, models, tmp_path):
    folder = _copy_models(models, tmp_path)
    next(folder.glob("*.skops")).write_bytes(b"PK\x03\x04 not a model")
    with _client(Settings(map_dir=map_dir, model=str(folder))) as c:
        response = c.get("/readyz")
        assert response.status_code == 503 and response.json()["map"] == "loaded"
        _error(c.post("/v1/score", json=FOIL), 503, "not_ready")


def test_api_failed_model_reload_keeps_the_last_good_model(map_dir, models, tmp_path):
    folder = _copy_models(models, tmp_path)
    with _client(Settings(map_dir=map_dir, model=str(folder), api_keys={"alice": KEY})) as c:
        good = c.get("/readyz").json()["model_version"]
        next(folder.glob("*.skops")).write_bytes(b"tampered")
        body = _error(c.post("/v1/model/reload", headers={"X-API-Key": KEY}), 422, "invalid_request")
        assert body["detail"][0]["loc"] == ["model"]
        assert c.get("/readyz").status_code == 200
        assert c.post("/v1/score", json=FOIL).json()["model_version"] == good
        assert c.get("/v1/audit", headers={"X-API-Key": KEY}).json()["entries"] == []


def test_api_model_reload_serves_a_new_version_and_audits_it(map_dir, models, tmp_path):
    from recommender import load_map
    from recommender.likelihood import read_history, save_model, train_landing

    folder = _copy_models(models, tmp_path)
    with _client(Settings(map_dir=map_dir, model=str(folder), api_keys={"alice": KEY}, watch_map=False)) as c:
        before = c.get("/readyz").json()["model_version"]
        model, _ = train_landing(read_history(DATA / "tiny_history.csv"), load_map(map_dir), name="tiny", test_share=0.4)
        save_model(model, folder)
        response = c.post("/v1/model/reload", headers={"X-API-Key": KEY})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model_version_before"] == before and body["model_version"] == model.version != before and body["changed"]
        assert c.post("/v1/score", json=FOIL).json()["model_version"] == model.version
        (entry,) = c.get("/v1/audit", headers={"X-API-Key": KEY}).json()["entries"]
        assert entry["action"] == "reload_model" and entry["after"] == {"model_version": model.version} and entry["actor"] == "alice"


@pytest.fixture(scope="module")
def embedded_client():
    with _client(Settings(map_dir=None)) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 200, f"the embedded map or the default model does not load: {ready.text}"
        yield c


def test_api_embedded_map_scores_like_the_cli(embedded_client):
    body = embedded_client.post("/v1/score", json=FOIL).json()
    run = CliRunner().invoke(cli_app, ["score", "--json", json.dumps(FOIL, ensure_ascii=False)])
    assert run.exit_code == 0, run.output
    cli = json.loads(run.stdout)
    assert {k: body[k] for k in cli} == cli
    assert body["model_version"] == "prior"  # no model trained on the bureau's outcomes: the prior, as the CLI uses


def test_api_demo_model_says_synthetic_in_every_answer(tmp_path):
    with _client(Settings(map_dir=None, model="demo")) as c:
        score = c.post("/v1/score", json=FOIL).json()
        batch = c.post("/v1/score/batch", json={"profiles": [FOIL]}).json()
        version = c.get("/v1/version").json()
        ranked = c.post("/v1/rank", files={"file": ("firms.csv", _gbk_csv(), "text/csv")})
    assert score["model_version"].startswith("demo/") and "synthetic" in score["model_version"]
    assert batch["model_version"] == batch["results"][0]["model_version"] == score["model_version"] == version["model_version"]
    assert "synthetic" in ranked.headers["x-model-version"]


def test_api_no_url_in_a_profile_is_fetched(client, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the service tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    profile = {**FOIL, "description": "见 http://169.254.169.254/latest/meta-data 及 https://example.com/a.csv", "customers": "http://evil.example"}
    assert client.post("/v1/score", json=profile).status_code == 200


# -- adaptive batching of /v1/score ---------------------------------------------------------------
def _profiles(n: int) -> list[dict]:
    kinds = [FOIL, CELLS, {"name": "某餐饮公司", "description": "餐饮服务"}, {**FOIL, "employees": 20, "city": "江门"}]
    return [{**kinds[i % len(kinds)], "name": f"企业{i}"} for i in range(n)]


def test_api_batcher_scores_like_the_library_one_by_one(tiny_map, tmp_path, monkeypatch):
    import asyncio

    from api.batching import ScoreBatcher

    other = tmp_path / "map"
    shutil.copytree(TINY_MAP, other)
    text = (other / "chains" / "battery.yaml").read_text(encoding="utf-8").replace("status: missing", "status: present")
    (other / "chains" / "battery.yaml").write_text(text, encoding="utf-8")
    old, new = Recommender(TINY_MAP), Recommender(other)
    sizes: list[int] = []
    results = Recommender.results

    def counting(self, frame, *, lang="zh"):
        sizes.append(len(frame))
        return results(self, frame, lang=lang)

    monkeypatch.setattr(Recommender, "results", counting)
    jobs = [(old if i % 3 else new, p, "en" if i % 5 == 0 else "zh") for i, p in enumerate(_profiles(40))]

    async def run():
        batcher = ScoreBatcher(max_batch=16)
        await batcher.start()
        try:
            return await asyncio.gather(*(batcher.score(rec, p, lang=lang) for rec, p, lang in jobs))
        finally:
            await batcher.stop()

    batched = asyncio.run(run())
    assert len(sizes) < len(jobs) and max(sizes) <= 16  # scored in batches
    monkeypatch.setattr(Recommender, "results", results)
    for (rec, profile, lang), result in zip(jobs, batched, strict=True):
        assert result == rec.score(profile, lang=lang)  # same map, same language, same answer


def test_api_batcher_isolates_a_failing_profile(monkeypatch):
    import asyncio

    from api.batching import ScoreBatcher

    rec = Recommender(TINY_MAP)
    results = Recommender.results

    def fragile(self, frame, *, lang="zh"):
        if "坏" in list(frame["name"]):
            raise RuntimeError("boom")
        return results(self, frame, lang=lang)

    monkeypatch.setattr(Recommender, "results", fragile)

    async def run():
        batcher = ScoreBatcher()
        await batcher.start()
        try:
            profiles = [FOIL, {**CELLS, "name": "坏"}, CELLS]
            return await asyncio.gather(*(batcher.score(rec, p) for p in profiles), return_exceptions=True)
        finally:
            await batcher.stop()

    good, bad, also_good = asyncio.run(run())
    assert isinstance(bad, RuntimeError)
    assert good.firm == FOIL["name"] and also_good.firm == CELLS["name"]


def test_api_concurrent_scores_equal_single_scores(client):
    from concurrent.futures import ThreadPoolExecutor

    profiles = _profiles(24)
    with ThreadPoolExecutor(8) as pool:
        concurrent = list(pool.map(lambda p: client.post("/v1/score", json=p).json(), profiles))
    for profile, body in zip(profiles, concurrent, strict=True):
        assert body == client.post("/v1/score", json=profile).json()


def test_api_scores_without_batching(map_dir):
    with _client(Settings(map_dir=map_dir, score_batching=False)) as c:
        assert c.app.state.batcher is None
        assert c.post("/v1/score", json=FOIL).json()["link_id"] == "foil"


def _batch_sizes(monkeypatch) -> list[int]:
    """The sizes of the batches the score batcher scores from now on (a list it appends to)."""
    import api.batching as batching

    sizes: list[int] = []
    score_rows = batching._score_rows

    def recording(recommender, items, lang):
        sizes.append(len(items))
        return score_rows(recommender, items, lang)

    monkeypatch.setattr(batching, "_score_rows", recording)
    return sizes


def test_api_batcher_gathers_requests_arriving_together_under_load(monkeypatch):
    import asyncio

    import api.batching as batching

    rec = Recommender(TINY_MAP)
    sizes = _batch_sizes(monkeypatch)

    async def late(batcher, passes, profile):
        for _ in range(passes):  # arrives a few loop passes after the others, as requests do
            await asyncio.sleep(0)
        return await batcher.score(rec, profile)

    async def run():
        batcher = batching.ScoreBatcher(max_batch=16)
        await batcher.start()
        try:
            alone = await batcher.score(rec, CELLS)  # idle: scored at once, alone
            burst = await asyncio.gather(*(batcher.score(rec, {**CELLS, "name": f"b{i}"}) for i in range(8)))
            staggered = await asyncio.gather(*(late(batcher, k % 4, {**FOIL, "name": f"s{k}"}) for k in range(6)))
            return alone, burst, staggered
        finally:
            await batcher.stop()

    alone, burst, staggered = asyncio.run(run())
    assert sizes == [1, 8, 6]  # the six staggered requests waited for each other, in one batch
    assert [r.firm for r in staggered] == [f"s{k}" for k in range(6)] and alone.firm == CELLS["name"]
    assert all(r.score == staggered[0].score for r in staggered)


def test_api_batcher_sleeps_while_a_batch_gathers(monkeypatch):
    # a batch waiting for requests that do not come leaves the processor to others (the process
    # sending them, the other workers): the loop sleeps until a request or the deadline wakes it
    import asyncio
    import time

    import api.batching as batching

    rec = Recommender(TINY_MAP)
    sizes = _batch_sizes(monkeypatch)
    monkeypatch.setattr(batching, "GATHER_SECONDS", 0.5)

    async def run():
        batcher = batching.ScoreBatcher(max_batch=16)
        await batcher.start()
        try:
            await asyncio.gather(*(batcher.score(rec, {**CELLS, "name": f"b{i}"}) for i in range(8)))  # 8 came together
            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(batcher.score(rec, {**CELLS, "name": f"c{i}"}) for i in range(3)))  # 3 of the 8 expected
            waited, used = time.perf_counter() - wall, time.process_time() - cpu
            full = time.perf_counter()
            await asyncio.gather(*(batcher.score(rec, {**CELLS, "name": f"d{i}"}) for i in range(7)))  # as many as expected
            return waited, used, time.perf_counter() - full
        finally:
            await batcher.stop()

    waited, used, full = asyncio.run(run())
    assert sizes == [8, 3, 7]
    assert waited >= 0.5  # the three waited for the others until the deadline,
    assert used < 0.25  # asleep: a loop polling for them would have used the whole half second
    assert full < 0.5  # a batch that fills is scored when its last request comes, not at the deadline


def _edit_in_place(path: Path, old: str, new: str) -> None:
    """Rewrite a file's text in place (same inode: its folder's stat does not change)."""
    inode = path.stat().st_ino
    with path.open("r+", encoding="utf-8") as f:
        text = f.read().replace(old, new)
        f.seek(0)
        f.write(text)
        f.truncate()
    assert path.stat().st_ino == inode


def _served_within(client, read, expected, seconds: float = 10.0):
    import time

    deadline = time.monotonic() + seconds
    seen = read(client)
    while seen != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        seen = read(client)
    return seen


def test_api_a_hand_edit_outside_chains_is_served_without_a_restart(client, map_dir):
    """Requests stat only ``chains/`` each time; the other files are checked about once a second."""
    def first_park(c):
        return c.get("/v1/parks").json()["parks"][0]["name"]["zh"]

    assert first_park(client) == "生态园"
    _edit_in_place(map_dir / "parks.yaml", "name: {zh: 生态园,", "name: {zh: 江门生态园,")
    assert _served_within(client, first_park, "江门生态园") == "江门生态园"
    assert client.post("/v1/score", json=FOIL).json()["map_version"] == client.get("/v1/version").json()["map_version"]


def test_api_a_chain_file_edited_in_place_is_served_without_a_restart(client, map_dir):
    """An edit in place leaves ``chains/`` unchanged; the once-a-second check stats each file in it."""
    def foil_status(c):
        return next(link["status"] for link in c.get("/v1/chains/battery").json()["links"] if link["id"] == "foil")

    before = foil_status(client)
    assert before == "missing"
    _edit_in_place(map_dir / "chains" / "battery.yaml", "status: missing", "status: present")
    assert _served_within(client, foil_status, "present") == "present"
