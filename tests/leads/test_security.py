"""Sign-in, roles, CSRF and the lead REST endpoints through the real app (TestClient)."""

from __future__ import annotations

import datetime as dt
import logging
import shutil

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

import api.auth.accounts as accounts
from api.db import make_engine, session_scope
from api.db.migrate import downgrade
from api.db.models import UserSession
from api.main import create_app
from api.manage import create_user
from api.settings import Settings

from ..conftest import TINY_MAP

KEY = "crm-key-0123456789abcdef"
PASSWORDS = {"ada": "ada-secret-pass-1", "otto": "otto-secret-pass-2", "vera": "vera-secret-pass-3"}
FOIL = {"name": "广东某铜箔科技有限公司", "description": "锂电铜箔的研发、生产", "city": "深圳"}


@pytest.fixture
def settings(tmp_path):
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    return Settings(map_dir=folder, data_dir=tmp_path / "data", api_keys=f"crm:{KEY}", api_key_roles="crm:officer",
                    score_batching=False, watch_map=False)


def _users(settings):
    for name, role in (("ada", "admin"), ("otto", "officer"), ("vera", "viewer")):
        create_user(name, role, PASSWORDS[name], settings)


def _sign_in(client, name):
    response = client.post("/v1/auth/sign-in", json={"name": name, "password": PASSWORDS[name]})
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


def test_without_users_reads_are_open_and_changes_need_a_key(settings):
    with TestClient(create_app(settings)) as c:
        assert c.get("/v1/leads").json() == {"total": 0, "leads": []}
        assert c.post("/v1/score", json=FOIL).status_code == 200
        assert c.post("/v1/leads", json={"profile": FOIL}).status_code == 401
        created = c.post("/v1/leads", json={"profile": FOIL}, headers={"X-API-Key": KEY})
        assert created.status_code == 201 and created.json()["created_by"] == "crm" and created.json()["score"] > 0
        assert c.post("/v1/leads", json={"profile": {"name": "广东某铜箔科技股份有限公司"}}, headers={"X-API-Key": KEY}).status_code == 409
        # the key is an officer: no map edits
        assert c.patch("/v1/chains/battery/links/foil", json={"status": "present"}, headers={"X-API-Key": KEY}).status_code == 403


def test_once_a_user_exists_everything_needs_a_session_or_key(settings, caplog):
    _users(settings)
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(settings)) as c:
        for path in ("/v1/leads", "/v1/chains", "/v1/version"):
            assert c.get(path).status_code == 401, path
        assert c.post("/v1/score", json=FOIL).status_code == 401  # the fast path steps aside
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200
        bad = c.post("/v1/auth/sign-in", json={"name": "vera", "password": "wrong-password-x"})
        assert bad.status_code == 401 and "password" in bad.json()["message"]
        csrf = _sign_in(c, "vera")
        me = c.get("/v1/auth/me")
        assert me.json()["role"] == "viewer"
        cookie = c.cookies.jar
        (session_cookie,) = [k for k in cookie if k.name == "recommender_session"]
        assert session_cookie.has_nonstandard_attr("HttpOnly") and not session_cookie.secure
        assert c.get("/v1/leads").status_code == 200
        # a viewer cannot add or change a lead, rank, or change the map
        assert c.post("/v1/leads", json={"profile": FOIL}, headers={"X-CSRF-Token": csrf}).status_code == 403
        assert c.post("/v1/score", json=FOIL, headers={"X-CSRF-Token": csrf}).status_code == 403
        assert c.patch("/v1/chains/battery/links/foil", json={"status": "present"}, headers={"X-CSRF-Token": csrf}).status_code == 403
        c.cookies.clear()
        csrf = _sign_in(c, "otto")
        assert c.post("/v1/leads", json={"profile": FOIL}).json()["error"] == "csrf"  # no token
        assert c.post("/v1/leads", json={"profile": FOIL}, headers={"X-CSRF-Token": "forged"}).status_code == 403
        lead = c.post("/v1/leads", json={"profile": FOIL}, headers={"X-CSRF-Token": csrf}).json()
        assert lead["created_by"] == "otto" and lead["stage_zh"] == "线索"
        moved = c.patch(f"/v1/leads/{lead['id']}", json={"version": 1, "stage": "接洽"}, headers={"X-CSRF-Token": csrf})
        assert moved.status_code == 200 and moved.json()["updated_by"] == "otto"
        # an officer cannot promote a model nor list them
        assert c.post("/v1/models/pipeline/20250101-abc/promote", headers={"X-CSRF-Token": csrf}).status_code == 403
        assert c.get("/v1/models").status_code == 403
        # a key needs no CSRF token
        assert c.patch(f"/v1/leads/{lead['id']}", json={"version": 2, "notes": "x"}, headers={"X-API-Key": KEY}).status_code == 200
        bodies = [r for r in (me.text, moved.text, bad.text)]
    for password in PASSWORDS.values():
        assert all(password not in body for body in bodies)
        assert password not in caplog.text


def test_stale_update_is_409_with_a_clear_message_and_kept(settings):
    with TestClient(create_app(settings)) as c:
        headers = {"X-API-Key": KEY}
        lead = c.post("/v1/leads", json={"profile": FOIL}, headers=headers).json()
        first = c.patch(f"/v1/leads/{lead['id']}", json={"version": 1, "stage": "考察"}, headers=headers)
        second = c.patch(f"/v1/leads/{lead['id']}", json={"version": 1, "stage": "流失", "lost_reason": "went elsewhere"}, headers=headers)
        assert first.status_code == 200 and second.status_code == 409
        assert second.json()["error"] == "stale_version" and "刷新" in second.json()["message"] and "reload" in second.json()["message"]
        history = c.get(f"/v1/leads/{lead['id']}/history").json()
        assert [e["kind"] for e in history] == ["created", "updated", "rejected"]
        assert history[2]["changes"] == {"stage": "流失", "lost_reason": "went elsewhere"}
        assert c.get(f"/v1/leads/{lead['id']}").json()["stage"] == "visit"
        assert c.patch(f"/v1/leads/{lead['id']}", json={"version": 2, "stage": "lost"}, headers=headers).status_code == 422
        listed = c.get("/v1/leads", params={"stage": "考察"}).json()
        assert listed["total"] == 1 and c.get("/v1/leads", params={"stage": "nope"}).status_code == 422


def test_unknown_user_costs_the_same_hash_work_as_a_wrong_password(settings, monkeypatch):
    _users(settings)
    calls = []

    class Spy:
        def __init__(self, real):
            self.real = real

        def verify(self, stored, password):
            calls.append(stored.split("$")[:4])  # algorithm, version, cost parameters
            return self.real.verify(stored, password)

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr(accounts, "_hasher", Spy(accounts._hasher))
    with TestClient(create_app(settings)) as c:
        assert c.post("/v1/auth/sign-in", json={"name": "ada", "password": "not-the-password"}).status_code == 401
        assert c.post("/v1/auth/sign-in", json={"name": "nobody", "password": "not-the-password"}).status_code == 401
    assert len(calls) == 2 and calls[0] == calls[1]  # the same algorithm, version and cost parameters


def test_failed_sign_ins_are_slowed(settings):
    _users(settings)
    with TestClient(create_app(settings)) as c:
        codes = [c.post("/v1/auth/sign-in", json={"name": "ada", "password": f"wrong-{i}-xxxxxx"}).status_code for i in range(4)]
        assert codes == [401, 401, 401, 429]
        refused = c.post("/v1/auth/sign-in", json={"name": "ada", "password": PASSWORDS["ada"]})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_sessions_expire_and_sign_out_ends_them(settings):
    _users(settings)
    with TestClient(create_app(settings)) as c:
        csrf = _sign_in(c, "otto")
        assert c.get("/v1/leads").status_code == 200
        engine = make_engine(settings.database)
        with session_scope(engine) as db:
            db.execute(update(UserSession).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        engine.dispose()
        assert c.get("/v1/leads").status_code == 401
        _sign_in(c, "otto")
        assert c.post("/v1/auth/sign-out", headers={"X-CSRF-Token": csrf}).status_code in (204, 403)
        csrf = c.get("/v1/auth/me").json()["csrf_token"]
        assert c.post("/v1/auth/sign-out", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert c.get("/v1/leads").status_code == 401


def test_the_service_refuses_a_database_that_is_behind(settings):
    with TestClient(create_app(settings)):
        pass
    engine = make_engine(settings.database)
    downgrade(engine, "0001")
    engine.dispose()
    with pytest.raises(RuntimeError, match="recommender db upgrade"), TestClient(create_app(settings)):
        pass


def test_once_a_user_exists_the_api_docs_need_a_session_or_key(settings):
    with TestClient(create_app(settings)) as c:
        for path in ("/docs", "/redoc", "/openapi.json"):  # no user yet: open as before
            assert c.get(path).status_code == 200, path
    _users(settings)
    with TestClient(create_app(settings)) as c:
        assert c.get("/openapi.json").status_code == 401
        for path in ("/docs", "/redoc"):
            page = c.get(path, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"].startswith("/sign-in"), path
        assert c.get("/openapi.json", headers={"X-API-Key": KEY}).json()["paths"]
        _sign_in(c, "vera")
        assert "swagger-ui-bundle.js" in c.get("/docs").text and "redoc.standalone.js" in c.get("/redoc").text
        assert c.get("/openapi.json").json()["paths"]


def _form_token(html: str) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_the_sign_in_form_carries_a_csrf_token(settings):
    _users(settings)
    with TestClient(create_app(settings)) as c:
        form = c.get("/sign-in")
        token = _form_token(form.text)
        assert any(k.name == "recommender_signin" for k in c.cookies.jar)
        good = {"name": "otto", "password": PASSWORDS["otto"]}
        # a form posted from elsewhere (no token, a forged one, or another browser's) signs nobody in
        assert c.post("/sign-in", data=good, follow_redirects=False).status_code == 403
        assert c.post("/sign-in", data={**good, "csrf_token": "forged"}, follow_redirects=False).status_code == 403
        with TestClient(create_app(settings)) as other:
            assert other.post("/sign-in", data={**good, "csrf_token": token}, follow_redirects=False).status_code == 403
        assert not any(k.name == "recommender_session" for k in c.cookies.jar)
        signed = c.post("/sign-in", data={**good, "csrf_token": token}, follow_redirects=False)
        assert signed.status_code == 303 and any(k.name == "recommender_session" for k in c.cookies.jar)
        assert c.get("/v1/auth/me").json()["name"] == "otto"


@pytest.mark.parametrize(("path", "allowed"), [
    (["接洽", "洽谈", "落地"], True),  # forward, skipping stages
    (["考察", "接洽"], False),  # back
    (["签约", "流失"], False),  # lost only from an open stage
    (["洽谈", "流失", "线索", "接洽"], True),  # a lost lead reopened as a lead
    (["流失", "接洽"], False),  # reopened only as 线索
    (["落地", "流失"], False),  # landed is final
    (["落地", "线索"], False),
    (["接洽", "接洽"], True),  # the same stage: no move, other fields may change
])
def test_stage_changes_follow_the_pipeline(settings, path, allowed):
    with TestClient(create_app(settings)) as c:
        headers = {"X-API-Key": KEY}
        lead = c.post("/v1/leads", json={"profile": FOIL}, headers=headers).json()
        version = lead["version"]
        for i, stage in enumerate(path):
            body = {"version": version, "stage": stage, **({"lost_reason": "选择了别的城市"} if stage == "流失" else {})}
            moved = c.patch(f"/v1/leads/{lead['id']}", json=body, headers=headers)
            if i < len(path) - 1 or allowed:
                assert moved.status_code == 200, (stage, moved.text)
                version = moved.json()["version"]
            else:
                assert moved.status_code == 409, moved.text
                assert "阶段" in moved.json()["message"] and "stage" in moved.json()["message"]
                assert c.get(f"/v1/leads/{lead['id']}").json()["stage_zh"] == path[-2]


def test_the_lead_page_offers_and_takes_only_moves_in_order(settings):
    import re

    with TestClient(create_app(settings)) as c:
        headers = {"X-API-Key": KEY}
        lead = c.post("/v1/leads", json={"profile": FOIL, "stage": "洽谈"}, headers=headers).json()
        page = c.get(f"/leads/{lead['id']}", headers=headers).text
        select = page.split('id="lead-stage-select"')[1].split("</select>")[0]
        assert re.findall(r'<option value="(\w+)"', select) == ["negotiation", "signed", "landed", "lost"]
        back = c.post(f"/leads/{lead['id']}", data={"version": str(lead["version"]), "stage": "contact"}, headers=headers)
        assert back.status_code == 409 and "洽谈" in back.text and "接洽" in back.text
        assert c.get(f"/v1/leads/{lead['id']}").json()["stage"] == "negotiation"
        ahead = c.post(f"/leads/{lead['id']}", data={"version": str(lead["version"]), "stage": "landed"}, headers=headers)
        assert ahead.status_code == 200 and c.get(f"/v1/leads/{lead['id']}").json()["stage"] == "landed"
        final = c.get(f"/leads/{lead['id']}", headers=headers).text
        assert re.findall(r'<option value="(\w+)"', final.split('id="lead-stage-select"')[1].split("</select>")[0]) == ["landed"]
