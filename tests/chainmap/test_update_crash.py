"""Map updates under faults: a process killed (SIGKILL) at random points during updates leaves
the map and the audit log in agreement after recovery; a replaced chain file keeps its mode and owner."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import yaml

from recommender import load_map
from recommender.chainmap import AuditLog, update_link

CHAIN = Path("chains") / "battery.yaml"


def _update_forever(folder: Path, db: Path, ready) -> None:
    log = AuditLog(db)
    ready.set()
    for status in itertools.cycle(["present", "weak", "missing", "strong"]):
        log.update_link(folder, "battery", "foil", {"status": status}, actor="loop", note=status)


def _status(folder: Path) -> str:
    data = yaml.safe_load((folder / CHAIN).read_text(encoding="utf-8"))
    return next(link["status"] for link in data["links"] if link["id"] == "foil")


def _states(db: Path) -> dict[str, int]:
    if not db.exists():  # killed before the first entry
        return {}
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT state, count(*) FROM changes GROUP BY state").fetchall())


def test_kill_9_during_updates_leaves_map_and_audit_in_agreement(folder, tmp_path):
    db = folder / "history" / "audit.sqlite3"
    context = multiprocessing.get_context("fork")  # a real process, started without importing the library again
    rng = random.Random(16)
    kills = 0
    for _ in range(24):
        ready = context.Event()
        process = context.Process(target=_update_forever, args=(folder, db, ready), daemon=True)
        process.start()
        try:
            assert ready.wait(30)
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.kill()
            process.join()
        kills += process.exitcode == -signal.SIGKILL
        log = AuditLog(db)
        log.recover(folder)  # what the service does on start-up
        assert not list((folder / "history").glob(".stage-*")) and not list((folder / "chains").glob(".*.tmp"))
        entries = list(reversed(log.entries(limit=10_000, chain_id="battery", link_id="foil")))
        last = entries[-1].after if entries else {"status": "missing"}  # none finished yet: the map as it came
        assert last == {"status": _status(folder)}  # the map holds what the log says last
        for earlier, later in zip(entries, entries[1:], strict=False):  # every change on disk is in the log, in order
            assert later.before == earlier.after
        if entries:
            assert entries[-1].map_version_after == load_map(folder).version
        assert "pending" not in _states(db)
    assert kills == 24
    assert len(entries) >= 8  # updates finished between the kills


def test_recover_settles_a_pending_entry_by_the_chain_file(folder):
    db = folder / "history" / "audit.sqlite3"
    log = AuditLog(db)

    def killed_after_the_rename(change):
        def complete(final):
            raise KeyboardInterrupt  # the process dies before the entry is completed
        return complete

    def killed_before_the_rename(change):
        raise KeyboardInterrupt

    for die in (killed_before_the_rename, killed_after_the_rename):
        with pytest.raises(KeyboardInterrupt):  # a pending entry committed, then the process dies before or after the rename
            update_link(folder, "battery", "foil", {"status": "weak" if die is killed_before_the_rename else "present"},
                        on_write=lambda change, die=die: _pending(log, change) or die(change))
    assert _states(db) == {"pending": 2}
    assert log.entries() == []  # pending entries are not shown
    (folder / "history" / ".stage-left-behind").mkdir()
    assert log.recover(folder) == 2
    assert _states(db) == {"aborted": 1, "done": 1}
    [entry] = log.entries()
    assert entry.after == {"status": "present"} == {"status": _status(folder)}
    assert not (folder / "history" / ".stage-left-behind").exists()


def _pending(log: AuditLog, change) -> None:
    with log.transaction() as tx:
        tx._insert("t", "update_link", change.chain_id, change.link_id, change.before, change.after,
                   change.map_version_before, change.map_version_after, None, None, None, state="pending")


def test_audit_update_link_records_the_change_once(folder):
    log = AuditLog(folder / "history" / "audit.sqlite3")
    change, entry = log.update_link(folder, "battery", "foil", {"status": "present"}, actor="alice", request_id="r1", note="landed")
    assert change.changed and entry is not None and entry.map_version_after == change.map_version_after == load_map(folder).version
    assert [e.id for e in log.entries()] == [entry.id] and log.entries()[0].note == "landed"
    unchanged, none = log.update_link(folder, "battery", "foil", {"status": "present"}, actor="alice")
    assert not unchanged.changed and none is None and len(log.entries()) == 1


def test_a_log_from_before_entry_states_still_reads(folder):
    db = folder / "history" / "audit.sqlite3"
    db.parent.mkdir(exist_ok=True)
    with sqlite3.connect(db) as connection:  # the schema without the state column
        connection.executescript(
            "CREATE TABLE changes (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
            " chain_id TEXT, link_id TEXT, before TEXT NOT NULL, after TEXT NOT NULL, map_version_before TEXT NOT NULL,"
            " map_version_after TEXT NOT NULL, request_id TEXT, note TEXT);"
            "INSERT INTO changes (at, actor, action, chain_id, link_id, before, after, map_version_before, map_version_after)"
            " VALUES ('2026-01-01T00:00:00.000000Z', 'old', 'update_link', 'battery', 'foil', '{}', '{}', 'a', 'b');")
    log = AuditLog(db)
    assert [e.actor for e in log.entries()] == ["old"]
    log.update_link(folder, "battery", "foil", {"status": "present"}, actor="new")
    assert [e.actor for e in log.entries()] == ["new", "old"]


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640])
def test_update_keeps_the_chain_files_mode(folder, mode):
    path = folder / CHAIN
    path.chmod(mode)
    update_link(folder, "battery", "foil", {"status": "present"})
    assert path.stat().st_mode & 0o7777 == mode
    assert _status(folder) == "present"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_update_keeps_the_chain_files_owner(folder):
    path = folder / CHAIN
    os.chown(path, 1234, 2345)
    update_link(folder, "battery", "foil", {"status": "present"})
    assert (path.stat().st_uid, path.stat().st_gid) == (1234, 2345)


def test_recover_writes_nothing_into_a_map_never_updated(folder):
    assert AuditLog(folder / "history" / "audit.sqlite3").recover(folder) == 0
    assert not (folder / "history").exists()
