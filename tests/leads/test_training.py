"""Outcomes of the pipeline train a candidate; only promotion changes the likelihood ranking uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.db import ensure_schema, make_engine, session_scope
from api.leads import service as leads
from api.leads.training import MIN_OUTCOMES, HistoryTooSmall, train_from_pipeline
from api.main import create_app
from api.settings import Settings
from recommender import load_map
from recommender.cli import app as cli
from recommender.likelihood import read_history

HISTORY = Path(__file__).resolve().parents[2] / "seeds" / "examples" / "history.csv"
KEY = "admin-key-0123456789abcdef"
FIRM = {"name": "深圳某储能科技有限公司", "description": "锂离子电池储能系统集成、电池管理系统的研发与生产", "city": "深圳",
        "employees": 800, "tags": "专精特新"}


def _seed(settings: Settings, n: int) -> None:
    history = read_history(HISTORY)
    engine = make_engine(settings.database)
    ensure_schema(engine)
    stage = {"landed": "落地", "signed": "签约", "lost": "流失"}
    with session_scope(engine) as db:
        for i in range(n):
            profile = {k: v for k, v in history.profiles.iloc[i].items() if v}
            leads.create_lead(db, leads.NewLead(
                profile=profile, stage=stage[history.outcome[i]], lost_reason="选择了其他城市" if history.outcome[i] == "lost" else None,
                first_contact_date=dt.date.fromisoformat(str(history.contact_date[i]))), actor="seed")
        leads.create_lead(db, leads.NewLead(profile={"name": "还在洽谈的公司"}, stage="洽谈"), actor="seed")  # open: left out
    engine.dispose()


@pytest.fixture
def settings(tmp_path, monkeypatch):
    for name in ("RECOMMENDER_MAP_DIR", "RECOMMENDER_MODEL", "RECOMMENDER_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RECOMMENDER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RECOMMENDER_API_KEYS", f"boss:{KEY}")
    return Settings(score_batching=False, watch_map=False)


def test_too_small_a_history_keeps_the_served_model(settings):
    _seed(settings, 60)
    result = CliRunner().invoke(cli, ["train", "--from-db"])
    assert result.exit_code == 0 and "too small" in result.output and "60 outcomes" in result.output
    engine = make_engine(settings.database)
    with session_scope(engine) as db, pytest.raises(HistoryTooSmall, match=str(MIN_OUTCOMES)):
        train_from_pipeline(db, settings, load_map(None), actor="t", current=None)
    engine.dispose()
    assert not (settings.state_dir / "models" / "pipeline").exists()


def test_train_from_the_pipeline_then_promote_changes_the_likelihood(settings):
    _seed(settings, 400)
    result = CliRunner().invoke(cli, ["train", "--from-db"])
    assert result.exit_code == 0, result.output
    assert "400 real outcomes" in result.output and "current: prior" in result.output and "rule_score" in result.output
    model_id = result.output.split("candidate ", 1)[1].split(":", 1)[0]
    assert model_id.startswith("pipeline/")
    headers = {"X-API-Key": KEY}
    with TestClient(create_app(settings)) as c:
        before = c.post("/v1/score", json=FIRM).json()
        assert before["model_version"] == "prior"  # a candidate is not used
        models = c.get("/v1/models", headers=headers).json()
        assert [(m["id"], m["status"], m["outcomes"]) for m in models] == [(model_id, "candidate", 400)]
        promoted = c.post(f"/v1/models/{model_id}/promote", headers=headers)
        assert promoted.status_code == 200 and promoted.json()["status"] == "promoted"
        after = c.post("/v1/score", json=FIRM).json()
        assert after["model_version"] == model_id and after["likelihood"] != before["likelihood"]
        audit = c.get("/v1/audit", headers=headers).json()["entries"]
        assert audit[0]["actor"] == "boss" and audit[0]["after"] == {"model_version": model_id}
    card = next((settings.state_dir / "models" / "pipeline").glob("*.model-card.md")).read_text(encoding="utf-8")
    assert "400 real outcomes" in card and "first contacted" in card
    listed = CliRunner().invoke(cli, ["models", "list"])
    assert f"{model_id}  promoted" in listed.output
