"""The map-change audit kept in the service's database, with the interface of
:class:`recommender.chainmap.AuditLog` (``transaction()`` → ``record`` / ``record_model``, ``entries``).

The routes use it as they used the SQLite file: the change is made inside the transaction and
its entry is committed only when the change succeeded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from recommender.chainmap import AuditEntry, AuditLog, LinkChange, update_link
from recommender.chainmap._audit import Recorder, entry_state, recover_folder

from .models import MapChange

__all__ = ["DbAuditLog", "import_file_audit"]


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _entry(row: MapChange) -> AuditEntry:
    return AuditEntry(
        row.id, _stamp(row.at), row.actor, row.action, row.chain_id, row.link_id, dict(row.before), dict(row.after),
        row.map_version_before, row.map_version_after, row.request_id, row.note,
    )


class _Transaction(Recorder):
    def __init__(self, session: Session):
        self._session = session
        self.entries: list[AuditEntry] = []

    def _insert(
        self, actor, action, chain_id, link_id, before, after, v_before, v_after, request_id=None, note=None, at=None, state="done"
    ) -> AuditEntry:
        row = MapChange(
            at=at or datetime.now(UTC), actor=actor, action=action, chain_id=chain_id, link_id=link_id,
            before=before, after=after, map_version_before=v_before, map_version_after=v_after, request_id=request_id, note=note,
            state=state,
        )
        self._session.add(row)
        self._session.flush()
        entry = _entry(row)
        self.entries.append(entry)
        return entry


class DbAuditLog:
    """The audit log in the ``map_changes`` table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        """Entries recorded inside are committed together when the block ends without error."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield _Transaction(session)

    def entries(self, *, limit: int = 100, offset: int = 0, chain_id: str | None = None, link_id: str | None = None) -> list[AuditEntry]:
        query = select(MapChange).where(MapChange.state == "done")
        if chain_id is not None:
            query = query.where(MapChange.chain_id == chain_id)
        if link_id is not None:
            query = query.where(MapChange.link_id == link_id)
        with Session(self.engine) as session:
            rows = session.scalars(query.order_by(MapChange.id.desc()).limit(limit).offset(offset)).all()
            return [_entry(row) for row in rows]

    def update_link(self, directory: str | Path, chain_id: str, link_id: str, changes: Mapping[str, object], *, actor: str,
                    request_id: str | None = None, note: str | None = None) -> tuple[LinkChange, AuditEntry | None]:
        """:func:`~recommender.chainmap.update_link` and its entry as one step, as
        :meth:`recommender.chainmap.AuditLog.update_link` does: the entry is committed as pending
        before the chain file is replaced and marked done after it."""
        entries: list[AuditEntry] = []

        def begin(change: LinkChange):  # noqa: ANN202
            with self.transaction() as tx:
                self._settle(tx._session, Path(directory))
                entry = tx._insert(actor, "update_link", chain_id, link_id, change.before, change.after, change.map_version_before,
                                   change.map_version_after, request_id, note, None, state="pending")

            def complete(final: LinkChange) -> None:
                with Session(self.engine) as session, session.begin():
                    row = session.get(MapChange, entry.id)
                    assert row is not None
                    row.state, row.map_version_after = "done", final.map_version_after
                entries.append(replace(entry, map_version_after=final.map_version_after))

            return complete

        change = update_link(directory, chain_id, link_id, changes, on_write=begin)
        return change, (entries[0] if entries else None)

    def recover(self, directory: str | Path) -> int:
        """Settle what updates killed midway left: staging folders go, and each pending entry
        becomes done when the chain file holds its values after, aborted otherwise."""
        folder = Path(directory)

        def settle() -> int:
            with Session(self.engine) as session, session.begin():
                return self._settle(session, folder)

        return recover_folder(folder, settle)

    @staticmethod
    def _settle(session: Session, folder: Path) -> int:
        pending = session.scalars(select(MapChange).where(MapChange.state == "pending", MapChange.action == "update_link")).all()
        for row in pending:
            row.state = entry_state(folder, row.chain_id or "", row.link_id or "", dict(row.after))
        return len(pending)


def _key(at: datetime | str, actor: str, action: str, chain_id: str | None, link_id: str | None, v_before: str, v_after: str) -> tuple:
    """What tells one change from another: its moment (to the microsecond), who, what, and the map versions."""
    stamp = _stamp(at) if isinstance(at, datetime) else at
    return stamp, actor, action, chain_id, link_id, v_before, v_after


def import_file_audit(engine: Engine, path: Path | None, map_dir: Path | None = None) -> int:
    """Carry the entries of the library's audit file (:class:`recommender.chainmap.AuditLog`,
    ``RECOMMENDER_AUDIT_DB`` or ``<map>/history/audit.sqlite3``) into ``map_changes``, once.

    Done entries are copied with their time, actor, values, versions, request id and note; an
    entry already in the table (the same time, actor, action, link and versions) is skipped, so
    running it again adds nothing. Pending entries of a killed writer are settled first
    (:meth:`AuditLog.recover`) when the map folder is known. The number of entries added.
    """
    if path is None or not Path(path).is_file():
        return 0
    log = AuditLog(path)
    if map_dir is not None and Path(map_dir).is_dir():
        log.recover(map_dir)
    old = log.entries(limit=2**62)
    if not old:
        return 0
    with Session(engine) as session, session.begin():
        rows = session.execute(select(MapChange.at, MapChange.actor, MapChange.action, MapChange.chain_id, MapChange.link_id,
                                      MapChange.map_version_before, MapChange.map_version_after)).all()
        known = {_key(*row) for row in rows}
        added = 0
        for entry in reversed(old):  # oldest first, so the table's ids keep their order
            key = _key(entry.at, entry.actor, entry.action, entry.chain_id, entry.link_id, entry.map_version_before, entry.map_version_after)
            if key in known:
                continue
            known.add(key)
            session.add(MapChange(
                at=datetime.strptime(entry.at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC), actor=entry.actor, action=entry.action,
                chain_id=entry.chain_id, link_id=entry.link_id, before=dict(entry.before), after=dict(entry.after),
                map_version_before=entry.map_version_before, map_version_after=entry.map_version_after, request_id=entry.request_id,
                note=entry.note, state="done",
            ))
            added += 1
    return added
