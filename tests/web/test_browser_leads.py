"""The lead pipeline in a real browser (Debian's chromium via Playwright) against a real uvicorn on 127.0.0.1:
an officer ranks a list, adds the top five to the pipeline, moves one to 落地 and one to 流失, sees the board;
an admin trains a model from a seeded history of outcomes, promotes it, and the next ranking's likelihoods change.
"""

from __future__ import annotations

import os
import re

import pytest

from api.auth import add_user
from api.db import ensure_schema, make_engine, session_scope
from api.settings import Settings

from ..leads.test_training import _seed
from ..servers import running_server
from .conftest import candidate_rows, vendor_csv
from .test_browser import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
PASSWORD = "correct-horse-battery"
STEPS = ("contact", "visit", "negotiation", "signed", "landed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data)
    engine = make_engine(settings.database)
    ensure_schema(engine)
    with session_scope(engine) as db:
        add_user(db, "wang", PASSWORD, "admin", actor="setup")
        add_user(db, "li", PASSWORD, "officer", actor="setup")
    engine.dispose()
    _seed(settings, 400)  # a history of 400 closed leads (outcomes), through api.leads
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOMMENDER_")}
    env.update(RECOMMENDER_DATA_DIR=str(data), RECOMMENDER_JOBS_DIR=str(tmp_path_factory.mktemp("jobs")))
    with running_server(env) as running:
        yield running.url


def _sign_in(page, server: str, name: str) -> None:
    page.goto(f"{server}/leads")
    page.wait_for_url(re.compile(r"/sign-in\?next=/leads$"))  # users exist: every page asks to sign in
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("#sign-in-submit").click()
    page.wait_for_url("**/leads")


def _rank(page, server: str, upload) -> dict[str, str]:
    """Rank a file from the page; the first page's likelihood by firm."""
    page.goto(f"{server}/")
    page.get_by_label("候选企业文件").set_input_files(str(upload))
    page.get_by_role("button", name="开始排序").click()
    page.wait_for_selector("table#results", timeout=120_000)
    rows = page.locator("table#results tbody tr")
    return {rows.nth(i).locator("a.firm").inner_text(): rows.nth(i).locator("td:nth-child(6)").inner_text() for i in range(rows.count())}


def _save_stage(page, stage: str, reason: str = "") -> None:
    page.select_option("#lead-stage-select", value=stage)
    if reason:
        page.get_by_label("流失原因（流失时必填）").fill(reason)
    page.locator("#lead-save").click()
    page.wait_for_selector("#lead-notice")
    assert page.locator("#lead-notice").inner_text() == "已保存。", page.locator("#lead-notice").inner_text()


def test_pipeline_and_training_in_chromium(server, browser, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()

    def shot(name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)

    upload = vendor_csv(tmp_path / "名单.csv", candidate_rows()[:41])

    # the officer: signed in, named in the header; ranks a list and adds the top five to the pipeline
    _sign_in(page, server, "li")
    assert page.locator("#who").inner_text() == "li · 招商专员"
    assert page.locator('a[href="/models"]').count() == 0  # models are for admins
    shot("01-signed-in")
    before = _rank(page, server, upload)
    checks = page.locator("table#results input.pick")
    top = page.locator("table#results a.firm").all_inner_texts()[:5]
    for i in range(5):
        checks.nth(i).check()
    shot("02-results-checked")
    page.locator("#add-leads-submit").click()
    page.wait_for_selector("#leads-notice")
    assert "已加入线索库 5 家企业" in page.locator("#leads-notice").inner_text()
    listed = page.locator("table#leads a.lead").all_inner_texts()
    assert set(top) <= set(listed)
    shot("03-leads")

    # one through every stage to 落地, another to 流失 with a reason
    page.locator("table#leads a.lead", has_text=top[0]).first.click()
    page.wait_for_selector("#lead-form")
    for stage in STEPS:
        _save_stage(page, stage)
    assert page.locator("#lead-stage").inner_text() == "落地"
    history = page.locator("#lead-history tbody tr")
    assert history.count() == 1 + len(STEPS) and "li" in history.last.inner_text() and "签约 → 落地" in history.last.inner_text()
    shot("04-lead-landed")
    page.goto(f"{server}/leads")
    page.locator("table#leads a.lead", has_text=top[1]).first.click()
    page.select_option("#lead-stage-select", value="lost")
    page.locator("#lead-save").click()  # no reason: refused, input kept
    assert "流失" in page.locator("#lead-notice").inner_text() and page.locator("#lead-stage").inner_text() == "线索"
    _save_stage(page, "lost", "选择了外地园区")
    page.goto(f"{server}/leads/board")
    assert top[0] in page.locator('section[data-stage="landed"]').inner_text()
    assert top[1] in page.locator('section[data-stage="lost"]').inner_text()
    lines = page.locator('section[data-stage="lost"] .board-card span').all_inner_texts()
    assert "选择了外地园区" in " ".join(lines) and not any(line.strip().startswith("·") for line in lines)  # no dangling separator
    shot("05-board")
    page.locator("#sign-out").click()
    page.wait_for_url("**/sign-in")

    # the admin: trains from the pipeline (400 seeded outcomes + these two), promotes, ranks again
    _sign_in(page, server, "wang")
    page.goto(f"{server}/models")
    serving = page.locator("#serving").inner_text()
    page.locator("#train").click()
    page.wait_for_selector("#models-notice", timeout=300_000)
    assert "已训练候选模型" in page.locator("#models-notice").inner_text(), page.locator("#models-notice").inner_text()
    card = page.locator("section.model").first
    assert card.get_attribute("data-status") == "candidate" and "402 real outcomes" in card.inner_text()
    shot("06-models-candidate")
    card.locator("button.promote").click()
    page.wait_for_selector("#models-notice")
    assert "已启用" in page.locator("#models-notice").inner_text()
    assert page.locator("#serving").inner_text() != serving and "pipeline/" in page.locator("#serving").inner_text()
    shot("07-models-promoted")
    after = _rank(page, server, upload)
    shot("08-results-after")
    common = set(before) & set(after)
    assert common and any(before[name] != after[name] for name in common), (before, after)
    page.goto(f"{server}/audit")
    assert "wang" in page.locator("table#audit tbody tr").first.inner_text()
    context.close()
