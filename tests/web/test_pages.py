"""The workbench pages through the app (TestClient): every page, the job lifecycle, edits, the docs."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
from html import unescape
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.db import session_scope
from api.db.models import JobRecord
from api.main import create_app
from api.settings import Settings
from recommender import Recommender

from .conftest import KEY, candidate_rows, vendor_csv, wait_for_job

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def web(map_copy, tmp_path_factory):
    jobs = tmp_path_factory.mktemp("jobs")
    settings = Settings(map_dir=map_copy, model="demo", api_keys={"alice": KEY}, jobs_dir=jobs, max_upload_rows=5000)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        client.jobs_dir = jobs
        yield client


@pytest.fixture(scope="module")
def vendor_file(tmp_path_factory) -> Path:
    return vendor_csv(tmp_path_factory.mktemp("in") / "名单-导出.csv")


@pytest.fixture(scope="module")
def job(web, vendor_file) -> str:
    response = web.post("/jobs", files={"file": (vendor_file.name, vendor_file.read_bytes(), "text/csv")},
                        data={"top": "10", "shortlist": "5"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    status = wait_for_job(web.get, url)
    assert status["state"] == "done", status
    return url


@pytest.fixture(scope="module")
def cli_ranked(vendor_file, map_copy, tmp_path_factory) -> pd.DataFrame:
    """The same file ranked by the command line's call, as the reference."""
    target = tmp_path_factory.mktemp("cli") / "ranked.xlsx"
    Recommender(map_copy, model="demo").rank_file(vendor_file, target, top=10, shortlist=5)
    return pd.read_excel(target, dtype=str)


def test_rank_page_is_chinese_with_labelled_fields(web):
    page = web.get("/", headers={"cookie": ""})
    assert page.status_code == 200
    for field in ("file", "top", "shortlist"):
        assert re.search(rf'<label for="{field}">', page.text) and f'id="{field}"' in page.text
    assert "排序名单" in page.text and 'lang="zh-CN"' in page.text


def test_english_switch_is_remembered(web):
    english = web.get("/jobs?lang=en")
    assert "Ranking jobs" in english.text and english.cookies.get("lang") == "en"
    assert "Ranking jobs" in web.get("/jobs").text  # the cookie keeps it
    assert "排序任务" in web.get("/jobs?lang=zh").text
    assert "排序任务" in web.get("/jobs").text


def test_gbk_vendor_upload_ranks_every_row_as_the_cli(web, job, cli_ranked):
    status = web.get(f"{job}/status").json()
    assert status["rows"] == len(candidate_rows()) - 1 == len(cli_ranked)
    page = web.get(job)
    assert page.status_code == 200
    first = re.search(r'<a class="firm" href="[^"]+/rows/1">([^<]+)</a>', page.text)
    assert unescape(first.group(1)) == cli_ranked.iloc[0, 0]
    assert "短名单覆盖" in page.text
    on_first_page = cli_ranked["shortlist"].notna() & (cli_ranked["rank"].astype(int) <= 50)
    assert page.text.count('class="badge"') == on_first_page.sum() > 0  # the shortlisted rows are marked


def test_downloads_are_the_cli_files(web, job, cli_ranked):
    xlsx = web.get(f"{job}/download/xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX_TYPE
    assert "attachment" in xlsx.headers["content-disposition"]
    downloaded = pd.read_excel(io.BytesIO(xlsx.content), dtype=str)
    pd.testing.assert_frame_equal(downloaded, cli_ranked)
    csv_file = web.get(f"{job}/download/csv")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    assert len(pd.read_csv(io.BytesIO(csv_file.content), dtype=str, encoding="utf-8-sig")) == len(cli_ranked)


def _ranks(html: str) -> list[int]:
    return [int(r) for r in re.findall(r'/rows/(\d+)">', html)]


def test_results_filter_sort_and_pages_match_the_file(web, job, cli_ranked):
    ranked = cli_ranked.assign(score=cli_ranked["score"].astype(float), rank=cli_ranked["rank"].astype(int))
    chain = ranked["chain"].dropna().value_counts().index[0]
    page = web.get(job, params={"chain": chain, "size": 500})
    assert _ranks(page.text) == ranked.loc[ranked["chain"] == chain, "rank"].tolist()
    page = web.get(job, params={"score_min": "30", "score_max": "60", "sort": "score", "order": "desc", "size": 500})
    expected = ranked[(ranked["score"] >= 30) & (ranked["score"] <= 60)].sort_values(["score", "rank"], ascending=[False, True])
    assert _ranks(page.text) == expected["rank"].tolist()
    page = web.get(job, params={"errors": "1"})
    assert _ranks(page.text) == ranked.loc[ranked["errors"].notna(), "rank"].tolist() != []
    name = ranked.iloc[5, 0]
    assert ranked.iloc[5]["rank"] in _ranks(web.get(job, params={"q": name[2:6]}).text)
    second = web.get(job, params={"size": 10, "page": 2})
    assert _ranks(second.text) == list(range(11, 21))
    assert "第 2 / 17 页" in second.text
    assert _ranks(web.get(job, params={"shortlisted": "1"}).text) == sorted(
        ranked.loc[ranked["shortlist"].notna(), "rank"].tolist())


def test_firm_page_shows_parts_evidence_and_place(web, job, cli_ranked):
    page = web.get(f"{job}/rows/1")
    assert page.status_code == 200
    text = _text(page.text)
    assert cli_ranked.iloc[0, 0] in text
    shown = float(re.search(r'id="firm-score">([\d.]+)<', page.text).group(1))
    assert shown == pytest.approx(float(cli_ranked.iloc[0]["score"]), abs=0.01)
    bars = re.findall(r"<title>[^:]+: ([\d.]+) / \d+</title>", page.text)
    assert len(bars) == 9 and sum(map(float, bars)) == pytest.approx(shown, abs=0.05)
    description = re.search(r'id="firm-description">(.*?)</p>', page.text, re.S).group(1)
    assert "<mark>" in description
    assert 'class="link status-' in page.text and "current" in page.text and "依据原文" in page.text
    assert web.get(f"{job}/rows/99999").status_code == 404
    assert web.get("/jobs/nope/rows/1").status_code == 404


def test_jobs_list_names_the_file(web, job, vendor_file):
    page = web.get("/jobs?lang=zh")
    assert vendor_file.name in page.text and job in page.text


@pytest.mark.parametrize(("name", "content", "status", "says"), [
    ("firms.xls", b"\xd0\xcf\x11\xe0 legacy", 415, ".xls"),
    ("firms.csv", "公司,地址\r\n甲,乙\r\n".encode("gbk"), 422, "企业名称"),
    ("firms.csv", b"\xef\xbb\xbf\xe4\xbc\x81\xe4\xb8\x9a\xe5\x90\x8d\xe7\xa7\xb0\n\xff\xfe\xfa bad\n", 422, "line"),
    ("firms.xlsx", b"not a zip", 422, "firms.xlsx"),
])
def test_a_bad_file_gets_a_clear_message_and_no_job(web, name, content, status, says):
    before = set(os.listdir(web.jobs_dir))
    response = web.post("/jobs", files={"file": (name, content, "application/octet-stream")}, data={"top": "10"}, follow_redirects=False)
    assert response.status_code == status
    message = _text(re.search(r'<p class="notice error"[^>]*>(.*?)</p>', response.text, re.S).group(1))
    assert says in message
    assert str(web.jobs_dir) not in response.text
    assert {d for d in os.listdir(web.jobs_dir) if not d.startswith("upload-")} - before == set()


def test_score_form_gives_the_api_answer(web):
    form = {"name": "某电芯公司", "description": "锂离子电池电芯制造、动力电池模组", "city": "深圳", "employees": "1200", "patents": "35"}
    page = web.post("/score", data=form)
    api = web.post("/v1/score", json={**form, "employees": 1200, "patents": 35}).json()
    assert page.status_code == 200
    assert float(re.search(r'id="firm-score">([\d.]+)<', page.text).group(1)) == pytest.approx(api["score"], abs=0.005)
    assert float(re.search(r'id="firm-likelihood">([\d.]+)<', page.text).group(1)) == pytest.approx(api["likelihood"], abs=0.005)
    assert f"{api['chain']} · {api['link']}" in unescape(page.text)
    bad = web.post("/score", data={**form, "employees": "-5"})
    assert bad.status_code == 422 and "employees" in bad.text


def test_map_page_lays_out_links_by_stage_and_status(web):
    page = web.get("/map")
    assert page.status_code == 200
    assert page.text.count('class="card chain"') == 22
    assert 'data-status="missing"' in page.text and "缺口概览" in page.text
    assert re.search(r"<h3>上游</h3>", page.text) and "<details" in page.text and "供应关系" in page.text


def test_map_page_draws_every_supply_edge_as_an_arrow_between_links_by_stage(web):
    page = web.get("/map").text
    assert page.count('<svg class="chain-graph"') == 22
    for chain_id in ("new_energy_battery", "scrap_metal", "lifestyle_services"):
        links = web.get(f"/v1/chains/{chain_id}").json()["links"]
        svg = page.split(f'data-chain="{chain_id}"')[1].split("</svg>")[0]
        drawn = re.findall(r'<path class="edge[^"]*" d="M[^"]+" marker-end="url\(#arrow-' + chain_id + r'\)" data-edge="([^"]+)"', svg)
        assert sorted(drawn) == sorted(f"{link['id']}→{target}" for link in links for target in link["supplies"])
        boxes = dict(re.findall(r'<g class="node status-(\w+)" data-link="([^"]+)">', svg)[i][::-1] for i in range(len(links)))
        assert boxes == {link["id"]: link["status"] for link in links}  # every link once, coloured by its status
        x = {link: float(at) for link, at in re.findall(r'data-link="([^"]+)"><title>[^<]*</title><rect x="([\d.]+)"', svg)}
        order = {"upstream": 0, "midstream": 1, "downstream": 2, "service": 3}
        for a in links:
            for b in links:
                if order[a["stage"]] < order[b["stage"]]:
                    assert x[a["id"]] < x[b["id"]]  # laid out by stage, left to right
                elif a["stage"] == b["stage"]:
                    assert x[a["id"]] == x[b["id"]]
        outside = {t for link in links for t in link["supplies"]} - {link["id"] for link in links}
        assert len(re.findall(r'<g class="node external"', svg)) == len(outside)


def _link_status(web, chain_id: str, link_id: str) -> str:
    return next(link["status"] for link in web.get(f"/v1/chains/{chain_id}").json()["links"] if link["id"] == link_id)


def test_editing_a_link_needs_a_note_and_a_key_and_is_audited(web):
    chains = web.get("/v1/chains").json()["chains"]
    chain, link = next((c, k) for c in chains for k in c["links"] if k["status"] == "missing")
    form = {"link": f"{chain['id']}/{link['id']}", "status": "weak", "note": "", "api_key": KEY}
    assert web.post("/map/links", data=form).status_code == 422
    wrong = web.post("/map/links", data={**form, "note": "签约落地", "api_key": "x" * 20})
    assert wrong.status_code == 403 and "API 密钥无效" in wrong.text
    assert _link_status(web, chain["id"], link["id"]) == "missing"
    saved = web.post("/map/links", data={**form, "note": "签约落地"})
    assert saved.status_code == 200 and "已保存" in saved.text
    assert _link_status(web, chain["id"], link["id"]) == "weak"
    assert re.search(rf'data-link="{chain["id"]}/{link["id"]}" data-status="weak"', saved.text)
    audit = web.post("/audit", data={"api_key": KEY})
    assert audit.status_code == 200 and "签约落地" in audit.text and f"{chain['id']} · {link['id']}" in audit.text
    entries = web.get("/v1/audit", headers={"X-API-Key": KEY}).json()["entries"]
    assert entries[0]["note"] == "签约落地" and entries[0]["after"] == {"status": "weak"}
    assert web.post("/audit", data={"api_key": "nope-nope-nope-nope"}).status_code == 403


def test_openapi_has_only_the_json_api(web):
    paths = set(web.get("/openapi.json").json()["paths"])
    assert {
        "/healthz", "/readyz", "/v1/version", "/v1/score", "/v1/score/batch", "/v1/rank", "/v1/chains", "/v1/chains/{chain_id}",
        "/v1/parks", "/v1/chains/{chain_id}/links/{link_id}", "/v1/audit", "/v1/model/reload", "/v1/leads", "/v1/models",
    } <= paths
    assert all(path.startswith("/v1/") or path in ("/healthz", "/readyz") for path in paths), paths  # no page in the schema


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_load_nothing_from_outside(web, path):
    page = web.get(path)
    assert page.status_code == 200
    for url in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert url.startswith("/static/"), url
        assert web.get(url).status_code == 200
    assert "cdn" not in page.text and "fonts.googleapis" not in page.text


def test_every_page_loads_only_local_assets(web, job):
    for path in ("/", "/jobs", job, f"{job}/rows/2", "/map", "/score", "/audit"):
        page = web.get(path)
        assert page.status_code == 200, path
        for url in re.findall(r'(?:src|href)="([^"#]+)"', page.text):
            assert url.startswith("/"), (path, url)


def test_old_jobs_are_deleted_after_the_retention(map_copy, tmp_path):
    jobs = tmp_path / "jobs"
    old, leftover = jobs / "20200101-000000-deadbeef", jobs / "20200101-000000-0ddba11"
    for folder in (old, leftover):
        folder.mkdir(parents=True)
        (folder / "ranked.csv").write_text("name\n", "utf-8")
    stamp = time.time() - 3 * 86_400
    os.utime(leftover, (stamp, stamp))  # a folder without a row in the table, older than the retention
    settings = Settings(map_dir=map_copy, model="prior", jobs_dir=jobs, jobs_retention_days=2, data_dir=tmp_path / "state")
    with TestClient(create_app(settings)) as client:
        with session_scope(client.app.state.db) as db:
            db.add(JobRecord(id=old.name, file="old.csv", state="done", created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
                             updated_at=dt.datetime.now(dt.UTC), status={"id": old.name, "file": "old.csv", "state": "done"}))
        assert "deadbeef" not in client.get("/jobs").text
        with session_scope(client.app.state.db) as db:
            assert db.get(JobRecord, old.name) is None
    assert not old.exists() and not leftover.exists()


def test_an_xlsx_upload_is_ranked(web, tmp_path):
    rows = candidate_rows()[:30]
    rows[5][1] = "=1+1 锂离子电池电芯制造"
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.active.cell(row=6, column=2).data_type = "s"  # text that looks like a formula, as a string cell
    path = tmp_path / "firms.xlsx"
    book.save(path)
    response = web.post("/jobs", files={"file": ("firms.xlsx", path.read_bytes(), XLSX_TYPE)}, follow_redirects=False)
    job = response.headers["location"]
    status = wait_for_job(web.get, job)
    assert status["state"] == "done" and status["rows"] == 29
    page = web.get(job, params={"q": rows[5][0]})
    rank = _ranks(page.text)[0]
    firm = web.get(f"{job}/rows/{rank}").text
    assert "=1+1 " in unescape(firm) and "'=1+1" not in unescape(firm)  # as the firm wrote it, not as the CSV guards it
    assert b"'=1+1" in web.get(f"{job}/download/csv").content
