"""End to end against a real uvicorn server on 127.0.0.1: two officers edit one lead at once."""

from __future__ import annotations

import shutil
import threading

import httpx

from api.manage import create_user
from api.settings import Settings

from ..api.test_server import _server
from ..conftest import TINY_MAP

FOIL = {"name": "广东某铜箔科技有限公司", "description": "锂电铜箔的研发、生产", "city": "深圳"}


def test_two_officers_save_one_lead_at_once_over_http(tmp_path):
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    data = tmp_path / "data"
    for name in ("amy", "bob"):
        create_user(name, "officer", f"{name}-password-123", Settings(map_dir=folder, data_dir=data))
    with _server(folder, RECOMMENDER_DATA_DIR=str(data)) as url:
        clients = {name: httpx.Client(base_url=url, timeout=30) for name in ("amy", "bob")}
        tokens = {}
        for name, client in clients.items():
            signed = client.post("/v1/auth/sign-in", json={"name": name, "password": f"{name}-password-123"})
            assert signed.status_code == 200 and "recommender_session" in client.cookies
            assert "password" not in signed.text
            tokens[name] = signed.json()["csrf_token"]
        assert httpx.get(f"{url}/v1/leads").status_code == 401  # no session, no key
        lead = clients["amy"].post("/v1/leads", json={"profile": FOIL}, headers={"X-CSRF-Token": tokens["amy"]}).json()
        barrier = threading.Barrier(2)
        answers = {}

        def save(name, change):
            barrier.wait()
            answers[name] = clients[name].patch(f"/v1/leads/{lead['id']}", json={"version": 1, **change},
                                                headers={"X-CSRF-Token": tokens[name]})

        threads = [threading.Thread(target=save, args=("amy", {"stage": "接洽", "next_step": "call"})),
                   threading.Thread(target=save, args=("bob", {"owner": "bob", "notes": "met at a fair"}))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r.status_code for r in answers.values()) == [200, 409]
        loser = next(name for name, r in answers.items() if r.status_code == 409)
        assert "version" in answers[loser].json()["message"]
        history = clients["amy"].get(f"/v1/leads/{lead['id']}/history").json()
        kinds = {(e["actor"], e["kind"]) for e in history[1:]}
        assert kinds == {("amy", "updated" if loser == "bob" else "rejected"), ("bob", "updated" if loser == "amy" else "rejected")}
        exported = clients["bob"].get("/v1/leads/export.xlsx")
        assert exported.status_code == 200 and exported.content[:2] == b"PK"
        for client in clients.values():
            client.close()
