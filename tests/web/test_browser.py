"""The workbench in a real browser (Debian's chromium driven by Playwright) against a real uvicorn on 127.0.0.1.

Skipped only when /usr/bin/chromium is missing (``.ci/run`` installs it as root).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import openpyxl
import pytest

from ..servers import running_server
from .conftest import KEY, candidate_rows, vendor_csv

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def server(map_copy, tmp_path_factory):
    env = {**os.environ, "RECOMMENDER_MAP_DIR": str(map_copy), "RECOMMENDER_MODEL": "demo", "RECOMMENDER_API_KEYS": f"alice:{KEY}",
           "RECOMMENDER_JOBS_DIR": str(tmp_path_factory.mktemp("jobs"))}
    with running_server(env) as running:
        yield running.url


def test_officer_flow_in_chromium(server, browser, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
    # the outside is blocked: any request off 127.0.0.1 is aborted (and recorded, so the test fails)
    context.route(lambda url: urlsplit(url).hostname != "127.0.0.1", lambda route: route.abort())
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))

    def shot(name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)

    # 1. upload a GBK vendor export (the sample list 25 times: long enough to watch), watch the progress, land on the results
    rows = candidate_rows()
    rows = [rows[0], *(rows[1:] * 100)]  # long enough (16,300 rows, reported every 2,000) to see the bar move
    upload = vendor_csv(tmp_path / "名单-导出.csv", rows)
    polls: list[int] = []
    page.on("response", lambda response: polls.append(response.status) if response.url.endswith("/status") else None)
    page.goto(f"{server}/")
    assert page.get_by_label("候选企业文件").is_visible()
    shot("01-rank")
    page.get_by_label("候选企业文件").set_input_files(str(upload))
    page.get_by_label("短名单数量（0 为不选）").fill("5")
    page.get_by_role("button", name="开始排序").click()
    page.wait_for_selector("#job-progress progress")
    shot("02-progress")
    shown = []  # the bar's values while the job runs
    while page.locator("table#results").count() == 0:
        try:
            shown.append(page.evaluate("(document.getElementById('bar') || {}).value"))
        except Exception:  # the page navigated to the results meanwhile
            pass
        page.wait_for_timeout(200)
    page.wait_for_selector("table#results")
    shot("03-results")
    job_url = page.url.split("?")[0]
    status = httpx.get(f"{job_url}/status").json()
    assert status["state"] == "done" and status["rows"] == len(rows) - 1
    assert polls and set(polls) == {200}  # the page polled the JSON status until the job was done
    values = [v for v in shown if v is not None]
    assert values == sorted(values) and len(set(values)) >= 2, values  # the bar moved forward
    top = page.locator("table#results tbody tr").first.locator("a.firm").inner_text()
    assert top

    # 2. filter by a chain: every row shown is of that chain
    options = page.locator("#filter-chain option").all_inner_texts()[1:]
    chain = options[0].rsplit(" (", 1)[0]
    page.select_option("#filter-chain", label=options[0])
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**chain=*")
    cells = page.locator("table#results tbody tr td:nth-child(3)").all_inner_texts()
    assert cells and all(cell.startswith(chain) for cell in cells)
    shot("04-filtered")

    # 3. keyboard: focus the first firm, arrow down moves to the second, Enter opens it
    first = page.locator("table#results a.firm").first
    first.focus()
    page.keyboard.press("ArrowDown")
    second_name = page.locator("table#results a.firm").nth(1).inner_text()
    assert page.evaluate("document.activeElement.textContent") == second_name
    page.keyboard.press("Enter")
    page.wait_for_selector("#firm-name")
    assert page.locator("#firm-name").inner_text() == second_name
    assert page.locator("svg.bars rect.bar-got").count() == 9
    shot("05-firm")

    # 4. download the XLSX: every row came back
    page.goto(job_url)
    with page.expect_download() as info:
        page.locator("#download-xlsx").click()
    path = tmp_path / "ranked.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [row[0] for row in rows[1:]]
    assert sorted(n or "" for n in names) == sorted(expected)
    assert names[0] == top

    # 5. the chain map: find a missing link and open its quote
    page.goto(f"{server}/map")
    missing = page.locator('details[data-status="missing"]').first
    link_ref = missing.get_attribute("data-link")
    missing.locator("summary").click()
    assert missing.locator("blockquote").first.is_visible()
    shot("06-map")
    graph = page.locator('svg.chain-graph[data-chain="new_energy_battery"]')
    graph.scroll_into_view_if_needed()
    edges = graph.locator("path.edge")
    assert edges.count() == 27 and all(edges.nth(i).bounding_box()["width"] > 10 for i in range(edges.count()))
    assert graph.locator("g.node.status-missing rect").first.evaluate("r => getComputedStyle(r).fill") == "rgb(248, 208, 204)"
    page.locator("#chain-new_energy_battery").screenshot(path=str(shots / "06-map-edges.png"))

    # 6. edit that link with a key; the change shows on the map and in the audit view
    page.locator("#edit").scroll_into_view_if_needed()
    page.select_option("#edit-link", value=link_ref)
    page.select_option("#edit-status", value="weak")
    page.get_by_label("修改说明（必填）").fill("浏览器测试：已签约")
    page.get_by_label("API 密钥").fill(KEY)
    page.locator("#edit-save").click()
    page.wait_for_selector("#map-notice")
    assert "已保存" in page.locator("#map-notice").inner_text()
    assert page.locator(f'details[data-link="{link_ref}"]').get_attribute("data-status") == "weak"
    shot("07-map-saved")
    page.goto(f"{server}/audit")
    page.get_by_label("API 密钥").fill(KEY)
    page.locator("#audit-show").click()
    page.wait_for_selector("table#audit")
    assert "浏览器测试：已签约" in page.locator("table#audit tbody tr").first.inner_text()
    shot("08-audit")

    # 7. English
    page.locator("#lang-switch").click()
    page.wait_for_url("**lang=en*")
    assert page.locator("h1").inner_text() == "Map changes"
    page.goto(job_url)
    assert page.get_by_role("button", name="Filter").is_visible()
    shot("09-results-en")
    page.goto(f"{server}/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    shot("10-docs")

    context.close()
    outside = [url for url in requests if urlsplit(url).hostname != "127.0.0.1"]
    assert requests and not outside, outside
    assert len(list(shots.glob("*.png"))) == 11
