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

A link update and its entry are one step from the reader's side, even if the process is killed
(``kill -9``) midway: :meth:`AuditLog.update_link` commits the entry as *pending* before the
chain file is replaced and marks it *done* after. Only done entries are listed. A pending
entry whose writer died is settled by :meth:`AuditLog.recover` (run at start-up, and before
every update): done if the chain file holds its values after, *aborted* otherwise.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict, Unpack

from ._updates import HISTORY_DIR, LinkChange, LinkNotFoundError, clear_stale, link_fields, locked, update_link

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
    note TEXT,
    state TEXT NOT NULL DEFAULT 'done'
);
CREATE INDEX IF NOT EXISTS changes_link ON changes (chain_id, link_id);
"""
#: Entry states: committed before the change is written, after it, or found never written.
PENDING, DONE, ABORTED = "pending", "done", "aborted"


def entry_state(folder: Path, chain_id: str, link_id: str, after: Mapping[str, object]) -> str:
    """How a pending entry settles: ``"done"`` when the chain file in the map folder ``folder``
    holds its values ``after``, ``"aborted"`` otherwise (also when the link is gone)."""
    try:
        now = link_fields(folder, chain_id, link_id, list(after))
    except LinkNotFoundError:
        return ABORTED
    return DONE if json.loads(json.dumps(now, sort_keys=True)) == dict(after) else ABORTED


def recover_folder(folder: Path, settle: Callable[[], int]) -> int:
    """Run ``settle`` (which settles an audit log's pending entries with :func:`entry_state`)
    under the map's update lock, once staging folders and temporary files are cleared; 0 when
    no update ever ran in ``folder`` (nothing to settle, nothing written)."""
    if not (folder / HISTORY_DIR).is_dir():
        return 0
    with locked(folder):
        clear_stale(folder)
        return settle()
_COLUMNS = "id, at, actor, action, chain_id, link_id, before, after, map_version_before, map_version_after, request_id, note"


@dataclass(frozen=True)
class AuditEntry:
    """One recorded change (field descriptions are carried to the service's wire model)."""

    id: int
    at: str = field(metadata={"description": "UTC, ISO 8601"})  # e.g. "2026-11-22T20:45:12.123456Z"
    actor: str = field(metadata={"description": "the name of the API key used"})
    action: str = field(metadata={"description": "update_link | reload_model"})
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


class EntryContext(TypedDict, total=False):
    """What else an audit entry may say, each left out at will: the request it answered
    (``request_id``), the officer's ``note``, and when it was made (``at``; default now)."""

    request_id: str | None
    note: str | None
    at: datetime | None


class Recorder:
    """What a transaction of an audit log records, the SQLite file's here and the service database's
    (:mod:`api.db.audit`) alike: each kind of entry as the fields of one row, which ``_insert`` stores."""

    entries: list[AuditEntry]

    def record(self, *, actor: str, change: LinkChange, **context: Unpack[EntryContext]) -> AuditEntry:
        """Add an ``update_link`` entry for ``change``; committed when the transaction ends without error."""
        return self._insert(
            actor, "update_link", change.chain_id, change.link_id, change.before, change.after,
            change.map_version_before, change.map_version_after, **context,
        )

    def record_model(self, *, actor: str, before: str, after: str, map_version: str, **context: Unpack[EntryContext]) -> AuditEntry:
        """Add a ``reload_model`` entry: the model version before and after."""
        return self._insert(
            actor, "reload_model", None, None, {"model_version": before}, {"model_version": after}, map_version, map_version, **context
        )

    def _insert(
        self, actor, action, chain_id, link_id, before, after, v_before, v_after, request_id=None, note=None, at=None, state=DONE
    ) -> AuditEntry:
        raise NotImplementedError


class _Transaction(Recorder):
    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection
        self.entries: list[AuditEntry] = []

    def _insert(
        self, actor, action, chain_id, link_id, before, after, v_before, v_after, request_id=None, note=None, at=None, state=DONE
    ) -> AuditEntry:
        stamp = (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        values = (
            stamp, actor, action, chain_id, link_id,
            json.dumps(before, ensure_ascii=False, sort_keys=True),
            json.dumps(after, ensure_ascii=False, sort_keys=True),
            v_before, v_after, request_id, note,
        )
        cursor = self._connection.execute(
            "INSERT INTO changes (at, actor, action, chain_id, link_id, before, after, map_version_before, map_version_after, request_id, note, state)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, state),
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
        if "state" not in {row[1] for row in connection.execute("PRAGMA table_info(changes)")}:  # a log from before states
            connection.execute(f"ALTER TABLE changes ADD COLUMN state TEXT NOT NULL DEFAULT '{DONE}'")
        return connection

    def update_link(
        self,
        directory: str | Path,
        chain_id: str,
        link_id: str,
        changes: Mapping[str, object],
        *,
        actor: str,
        request_id: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> tuple[LinkChange, AuditEntry | None]:
        """:func:`~recommender.chainmap.update_link` and its entry, as one step.

        The entry is committed as pending before the chain file is replaced and marked done
        after it; a change that writes nothing records nothing. Pending entries left by a
        killed process are settled first (:meth:`recover`).

        Returns
        -------
        The change and its entry (None when nothing changed).
        """
        entries: list[AuditEntry] = []

        def begin(change: LinkChange):
            with self.transaction() as tx:
                self._settle(tx, Path(directory))
                entry = tx._insert(actor, "update_link", chain_id, link_id, change.before, change.after, change.map_version_before,
                                   change.map_version_after, request_id, note, now, state=PENDING)

            def complete(final: LinkChange) -> None:
                with self.transaction() as done:
                    done._connection.execute("UPDATE changes SET state = ?, map_version_after = ? WHERE id = ?",
                                             (DONE, final.map_version_after, entry.id))
                entries.append(replace(entry, map_version_after=final.map_version_after))

            return complete

        change = update_link(directory, chain_id, link_id, changes, now=now, on_write=begin)
        return change, (entries[0] if entries else None)

    def recover(self, directory: str | Path) -> int:
        """Settle what updates killed midway left in the map folder ``directory``: staging
        folders and temporary files go, and each pending entry becomes done when the chain
        file holds its values after, aborted otherwise. Takes the map's update lock.

        Returns
        -------
        How many pending entries were settled.
        """
        folder = Path(directory)

        def settle() -> int:
            if not self.path.is_file():
                return 0
            with self.transaction() as tx:
                return self._settle(tx, folder)

        return recover_folder(folder, settle)

    @staticmethod
    def _settle(tx: _Transaction, folder: Path) -> int:
        """Pending entries → done or aborted, by the chain files (the caller holds the map's lock)."""
        pending = tx._connection.execute(
            "SELECT id, chain_id, link_id, after FROM changes WHERE state = ? AND action = 'update_link'", (PENDING,)).fetchall()
        for id_, chain_id, link_id, after in pending:
            tx._connection.execute("UPDATE changes SET state = ? WHERE id = ?", (entry_state(folder, chain_id, link_id, json.loads(after)), id_))
        return len(pending)

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
        where, params = ["state = ?"], [DONE]
        if chain_id is not None:
            where.append("chain_id = ?")
            params.append(chain_id)
        if link_id is not None:
            where.append("link_id = ?")
            params.append(link_id)
        sql = f"SELECT {_COLUMNS} FROM changes WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
        with closing(self._connect()) as connection:
            rows = connection.execute(sql, (*params, int(limit), int(offset))).fetchall()
        return [_entry(row) for row in rows]
