"""An append-only audit log of admin changes in an embedded SQLite database.

Each entry records who did what (``action``: ``update_link`` or ``reload_model``), when
(UTC), to which chain and link (for link updates), the values before and after, and the map
versions before and after. Writes go through :meth:`AuditLog.transaction`,
which takes SQLite's write lock first (``BEGIN IMMEDIATE``), so a caller can make the change
inside it and the entry is committed only when the change succeeded::

    log = AuditLog("audit.sqlite3")
    with log.transaction() as tx:
        change = update_link(folder, "battery", "foil", {"status": "present"})
        tx.record(actor="alice", change=change)

The database uses write-ahead logging, so readers in other processes are not blocked.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ._updates import LinkChange

__all__ = ["AuditEntry", "AuditLog"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    chain_id TEXT,
    link_id TEXT,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    map_version_before TEXT NOT NULL,
    map_version_after TEXT NOT NULL,
    request_id TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS changes_link ON changes (chain_id, link_id);
"""
_COLUMNS = "id, at, actor, action, chain_id, link_id, before, after, map_version_before, map_version_after, request_id, note"


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change."""

    id: int
    at: str  # ISO 8601, UTC, e.g. "2026-11-22T20:45:12.123456Z"
    actor: str
    action: str  # "update_link" | "reload_model"
    chain_id: str | None
    link_id: str | None
    before: dict[str, object]
    after: dict[str, object]
    map_version_before: str
    map_version_after: str
    request_id: str | None
    note: str | None


def _entry(row: tuple) -> AuditEntry:
    id_, at, actor, action, chain_id, link_id, before, after, v_before, v_after, request_id, note = row
    return AuditEntry(id_, at, actor, action, chain_id, link_id, json.loads(before), json.loads(after), v_before, v_after, request_id, note)


class _Transaction:
    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection
        self.entries: list[AuditEntry] = []

    def record(
        self,
        *,
        actor: str,
        change: LinkChange,
        request_id: str | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Add an ``update_link`` entry for ``change``; committed when the transaction ends without error."""
        return self._insert(
            actor, "update_link", change.chain_id, change.link_id, change.before, change.after,
            change.map_version_before, change.map_version_after, request_id, note, at,
        )

    def record_model(
        self,
        *,
        actor: str,
        before: str,
        after: str,
        map_version: str,
        request_id: str | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Add a ``reload_model`` entry: the model version before and after."""
        return self._insert(
            actor, "reload_model", None, None, {"model_version": before}, {"model_version": after},
            map_version, map_version, request_id, note, at,
        )

    def _insert(self, actor, action, chain_id, link_id, before, after, v_before, v_after, request_id, note, at) -> AuditEntry:
        stamp = (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        values = (
            stamp, actor, action, chain_id, link_id,
            json.dumps(before, ensure_ascii=False, sort_keys=True),
            json.dumps(after, ensure_ascii=False, sort_keys=True),
            v_before, v_after, request_id, note,
        )
        cursor = self._connection.execute(
            "INSERT INTO changes (at, actor, action, chain_id, link_id, before, after, map_version_before, map_version_after, request_id, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        entry = _entry((cursor.lastrowid, *values))
        self.entries.append(entry)
        return entry


class AuditLog:
    """The audit log in one SQLite file (created with its folder on first write).

    Parameters
    ----------
    path : path
        The database file.
    timeout : float
        Seconds to wait for another writer's lock.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0):
        self.path = Path(path)
        self.timeout = timeout

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        return connection

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        """A write transaction: entries recorded inside are committed together, or not at all."""
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield _Transaction(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def entries(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        chain_id: str | None = None,
        link_id: str | None = None,
    ) -> list[AuditEntry]:
        """Recorded changes, newest first, optionally of one chain or link."""
        if not self.path.is_file():
            return []
        where, params = [], []
        if chain_id is not None:
            where.append("chain_id = ?")
            params.append(chain_id)
        if link_id is not None:
            where.append("link_id = ?")
            params.append(link_id)
        sql = f"SELECT {_COLUMNS} FROM changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        with closing(self._connect()) as connection:
            rows = connection.execute(sql, (*params, int(limit), int(offset))).fetchall()
        return [_entry(row) for row in rows]
