"""Map updates on disk (recommender.chainmap) and the audit log (recommender.chainmap)."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from recommender import MapError, load_map
from recommender.chainmap import AuditLog, LinkNotFoundError, update_link

TINY_MAP = Path(__file__).resolve().parents[1] / "data" / "tiny_map"
WHEN = datetime(2026, 11, 22, 8, 30, tzinfo=UTC)


def _chain(folder: Path) -> dict:
    return yaml.safe_load((folder / "chains" / "battery.yaml").read_text(encoding="utf-8"))


def test_mapstore_update_changes_the_link_and_returns_before_after(folder):
    old = load_map(folder)
    change = update_link(folder, "battery", "foil", {"status": "present"}, now=WHEN)
    assert change.changed and change.before == {"status": "missing"} and change.after == {"status": "present"}
    assert change.map_version_before == old.version != change.map_version_after
    assert change.chain_map.link_by_id["foil"].status == "present"
    assert change.chain_map.version == load_map(folder).version
    assert _chain(folder)["links"][0]["status"] == "present"


def test_mapstore_update_keeps_the_old_version(folder):
    original = (folder / "chains" / "battery.yaml").read_bytes()
    change = update_link(folder, "battery", "foil", {"status": "present"}, now=WHEN)
    assert change.backup == folder / "history" / "battery.20261122T083000.000000Z.yaml"
    assert change.backup.read_bytes() == original
    second = update_link(folder, "battery", "foil", {"status": "strong"}, now=WHEN)
    assert second.backup != change.backup and yaml.safe_load(second.backup.read_text(encoding="utf-8"))["links"][0]["status"] == "present"


def test_mapstore_unchanged_update_writes_nothing(folder):
    original = (folder / "chains" / "battery.yaml").read_bytes()
    change = update_link(folder, "battery", "foil", {"status": "missing"})
    assert not change.changed and change.backup is None and change.map_version_before == change.map_version_after
    assert (folder / "chains" / "battery.yaml").read_bytes() == original
    assert not list((folder / "history").glob("*.yaml"))


def test_mapstore_invalid_update_raises_and_writes_nothing(folder):
    original = (folder / "chains" / "battery.yaml").read_bytes()
    with pytest.raises(MapError, match="priority_quote: required") as info:
        update_link(folder, "battery", "cells", {"priority": "key_target"})
    (problem,) = info.value.problems
    assert problem[0] == str(folder / "chains" / "battery.yaml")  # the real file, not the staging copy
    assert (folder / "chains" / "battery.yaml").read_bytes() == original
    assert not list((folder / "history").glob("*.yaml")) and not list((folder / "history").glob(".stage-*"))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"status": "gone"}, "status"),
        ({"priority": "urgent"}, "priority"),
        ({"status_quote": {"doc": "d1", "text": "原文里没有这句话。"}}, "quote not found"),
        ({"status_quote": {"doc": "nope", "text": "电芯制造已经形成规模。"}}, "unknown source document"),
        ({"status_quote": {"doc": "d1", "text": "电芯制造已经形成规模。", "extra": 1}}, "extra"),
    ],
)
def test_mapstore_update_is_validated_against_the_whole_map(folder, changes, match):
    with pytest.raises(MapError, match=match):
        update_link(folder, "battery", "foil", changes)
    assert load_map(folder).version == load_map(TINY_MAP).version


def test_mapstore_update_with_a_quote_from_the_sources(folder):
    change = update_link(folder, "battery", "cells", {"priority": "target", "priority_quote": {"doc": "d1", "text": "电芯制造已经形成规模。"}})
    assert change.after["priority_quote"] == {"doc": "d1", "text": "电芯制造已经形成规模。"}
    assert change.chain_map.link_by_id["cells"].priority == "target"


def test_mapstore_priority_quote_can_be_removed(folder):
    change = update_link(folder, "battery", "foil", {"priority": "normal", "priority_quote": None})
    assert "priority_quote" not in _chain(folder)["links"][0] and change.after == {"priority": "normal", "priority_quote": None}


@pytest.mark.parametrize(("chain", "link"), [("nope", "foil"), ("battery", "nope")])
def test_mapstore_unknown_chain_or_link(folder, chain, link):
    with pytest.raises(LinkNotFoundError, match="no such") as caught:
        update_link(folder, chain, link, {"status": "present"})
    assert caught.value.missing == ("chain" if chain == "nope" else "link")
    again = pickle.loads(pickle.dumps(caught.value))  # as raised in another process
    assert (type(again), again.missing, again.problems) == (LinkNotFoundError, caught.value.missing, caught.value.problems)


@pytest.mark.parametrize("changes", [{}, {"stage": "upstream"}, {"id": "x"}])
def test_mapstore_refuses_other_fields(folder, changes):
    with pytest.raises(ValueError, match="'changes' parameter of update_link"):
        update_link(folder, "battery", "foil", changes)


def test_mapstore_rewrites_yaml_safely(folder):
    update_link(folder, "battery", "foil", {"status": "present"})
    text = (folder / "chains" / "battery.yaml").read_text(encoding="utf-8")
    assert "铜箔" in text and "\\u" not in text  # unicode kept readable
    assert "'3252'" in text  # codes stay text
    assert "!!python" not in text
    assert list(_chain(folder)) == ["id", "name", "group", "quote", "links"]  # key order kept
    assert not [p for p in (folder / "chains").iterdir() if p.suffix != ".yaml"]  # no temp file left


def test_mapstore_concurrent_updates_all_land(folder):
    errors: list[BaseException] = []

    def run(link: str, changes: dict) -> None:
        try:
            update_link(folder, "battery", link, changes)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=("foil", {"status": "present"})),
        threading.Thread(target=run, args=("cells", {"status": "weak"})),
        threading.Thread(target=run, args=("foil", {"priority": "target"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    links = {x["id"]: x for x in _chain(folder)["links"]}
    assert links["foil"]["status"] == "present" and links["foil"]["priority"] == "target" and links["cells"]["status"] == "weak"
    assert len(list((folder / "history").glob("battery.*.yaml"))) == 3


# -- audit ------------------------------------------------------------------------------------------
def test_audit_records_who_when_before_after(folder, tmp_path):
    log = AuditLog(tmp_path / "audit" / "audit.sqlite3")
    with log.transaction() as tx:
        change = update_link(folder, "battery", "foil", {"status": "present"})
        entry = tx.record(actor="alice", change=change, request_id="r1", note="落地", at=WHEN)
    (stored,) = log.entries()
    assert stored == entry
    assert stored.actor == "alice" and stored.action == "update_link" and stored.at == "2026-11-22T08:30:00.000000Z"
    assert (stored.chain_id, stored.link_id) == ("battery", "foil")
    assert stored.before == {"status": "missing"} and stored.after == {"status": "present"}
    assert stored.map_version_after == change.map_version_after and stored.note == "落地"


def test_audit_rolls_back_when_the_change_fails(folder, tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    with pytest.raises(MapError), log.transaction() as tx:
        tx.record(actor="alice", change=update_link(folder, "battery", "foil", {"status": "present"}))
        update_link(folder, "battery", "cells", {"priority": "key_target"})
    assert log.entries() == []


def test_audit_lists_newest_first_with_filters(folder, tmp_path):
    log = AuditLog(tmp_path / "audit.sqlite3")
    for link, status in (("foil", "weak"), ("cells", "weak"), ("foil", "present")):
        with log.transaction() as tx:
            tx.record(actor="alice", change=update_link(folder, "battery", link, {"status": status}))
    with log.transaction() as tx:
        tx.record_model(actor="bob", before="prior", after="default/1", map_version="v")
    assert [e.action for e in log.entries()] == ["reload_model", "update_link", "update_link", "update_link"]
    assert [e.after["status"] for e in log.entries(link_id="foil")] == ["present", "weak"]
    assert len(log.entries(limit=2)) == 2 and len(log.entries(offset=3)) == 1
    assert log.entries(chain_id="other") == []


def test_audit_without_a_database_is_empty(tmp_path):
    assert AuditLog(tmp_path / "none.sqlite3").entries() == []
    assert not (tmp_path / "none.sqlite3").exists()


def test_audit_database_is_plain_sqlite(folder, tmp_path):
    path = tmp_path / "audit.sqlite3"
    with AuditLog(path).transaction() as tx:
        tx.record(actor="alice", change=update_link(folder, "battery", "foil", {"status": "present"}))
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT actor, action, link_id FROM changes").fetchall() == [("alice", "update_link", "foil")]


def test_mapstore_refuses_a_map_with_python_tags(folder):
    path = folder / "chains" / "battery.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("group: circular", "group: !!python/object/apply:os.system ['echo pwned']"),
                    encoding="utf-8")
    with pytest.raises(MapError, match="not valid YAML"):
        update_link(folder, "battery", "foil", {"status": "present"})
