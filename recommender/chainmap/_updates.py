"""Change a chain map on disk: one link's status or priority, validated, atomic, versioned.

When a target firm lands, the gap closes: the link's ``status`` moves (``missing`` →
``present``) or its ``priority`` drops. :func:`update_link` makes that change in a map folder:

1. under an exclusive lock (``history/.lock``, ``fcntl.flock``: threads and processes);
2. the chain file's YAML is read, the link's fields set, and the would-be file written beside
   a view of the rest of the map in a temporary folder that :func:`~recommender.load_map`
   validates in full (schema, references, every quote against its source): an invalid change
   raises :class:`~recommender.MapError` and nothing is written;
3. the old chain file is copied to ``history/<chain file>.<UTC time>.yaml``;
4. the new file is written to a temporary file in ``chains/`` with the old file's mode (and
   owner, where permitted) and moved over the old one with ``os.replace`` (atomic on POSIX: a
   reader sees the old file or the new, never half);
5. the map is loaded again from its folder and returned with the fields before and after.

An audit log (:meth:`~recommender.chainmap.AuditLog.update_link`) joins in through
``on_write``: its entry is committed as pending before step 4 and completed after it, so a
process killed in between leaves a pending entry that :meth:`~recommender.chainmap.AuditLog.recover`
settles by comparing it with the chain file. Each update (and recovery) first clears what a killed
update left: staging folders ``history/.stage-*`` and temporary files in ``chains/``.

The chain file is rewritten with ``yaml.safe_dump`` (comments and layout are not kept; the
previous text is in ``history/``). Nothing here knows about HTTP.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from ..exceptions import LinkNotFoundError, MapError
from ._schema import PRIORITIES, ChainMap, load_map

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: a process-local lock only
    fcntl = None  # type: ignore[assignment]

__all__ = ["HISTORY_DIR", "PRIORITIES", "UPDATABLE_FIELDS", "LinkChange", "LinkNotFoundError", "update_link"]

#: The folder of a map that keeps the previous versions of changed chain files.
HISTORY_DIR = "history"
#: The link fields :func:`update_link` may change.
UPDATABLE_FIELDS = ("status", "priority", "status_quote", "priority_quote")

_TOP_LEVEL = ("map.yaml", "parks.yaml", "leaders.yaml", "strategy.yaml", "vocabulary.yaml", "sources")


@dataclass(frozen=True)
class LinkChange:
    """What :func:`update_link` did.

    ``before`` and ``after`` hold the requested fields as they were and as they are (a field
    absent from the file is ``None``); ``changed`` is False when they are equal, and then no
    file was written. ``backup`` is the copy of the old chain file (None when unchanged).
    """

    chain_id: str
    link_id: str
    before: dict[str, object]
    after: dict[str, object]
    changed: bool
    map_version_before: str
    map_version_after: str
    backup: Path | None
    chain_map: ChainMap


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """The map folder's update lock (``history/.lock``), for updates and their recovery."""
    history = folder / HISTORY_DIR
    history.mkdir(exist_ok=True)
    with (history / ".lock").open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _chain_file(folder: Path, chain_id: str) -> Path:
    """The file that holds a chain (files are named freely; the id inside counts)."""
    for path in sorted((folder / "chains").glob("*.yaml")):
        with path.open("rb") as fh:
            data = yaml.safe_load(fh)
        if isinstance(data, dict) and data.get("id") == chain_id:
            return path
    raise LinkNotFoundError(str(folder / "chains"), f"chain[{chain_id}]", "no such chain", missing="chain")


def link_fields(directory: str | Path, chain_id: str, link_id: str, fields: tuple[str, ...] | list[str]) -> dict[str, object]:
    """The ``fields`` of one link as its chain file holds them now (an absent field is None).

    Raises
    ------
    LinkNotFoundError
        The chain or the link does not exist.
    """
    _, _, entry = _read_link(Path(directory), chain_id, link_id)
    return {field: entry.get(field) for field in fields}


def _read_link(folder: Path, chain_id: str, link_id: str) -> tuple[Path, dict, dict]:
    """The chain's file, its parsed YAML and the link's entry in it."""
    chain_file = _chain_file(folder, chain_id)
    with chain_file.open("rb") as fh:
        data = yaml.safe_load(fh)
    links = data.get("links") if isinstance(data, dict) else None
    entry = next((x for x in links or [] if isinstance(x, dict) and x.get("id") == link_id), None)
    if entry is None:
        raise LinkNotFoundError(str(chain_file), f"links[{link_id}]", f"no such link in chain {chain_id!r}", missing="link")
    return chain_file, data, entry


def clear_stale(folder: Path) -> None:
    """Remove what an update killed midway left: staging folders and temporary chain files.
    Call under the map's lock (no update is running then)."""
    for stage in (folder / HISTORY_DIR).glob(".stage-*"):
        shutil.rmtree(stage, ignore_errors=True)
    for tmp in (folder / "chains").glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def _dump(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)


def _staged_view(folder: Path, chain_file: Path, text: str, into: Path) -> Path:
    """A folder that shows the map with ``chain_file`` replaced by ``text`` (links to the rest)."""
    view = into / "map"
    (view / "chains").mkdir(parents=True)
    for name in _TOP_LEVEL:
        source = folder / name
        if source.exists():
            _link_or_copy(source, view / name)
    for path in (folder / "chains").glob("*.yaml"):
        if path.name != chain_file.name:
            _link_or_copy(path, view / "chains" / path.name)
    (view / "chains" / chain_file.name).write_text(text, encoding="utf-8")
    return view


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        target.symlink_to(source.resolve(), target_is_directory=source.is_dir())
    except OSError:  # pragma: no cover - filesystems without symlinks
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: a temporary file with the old file's mode (and owner,
    where permitted), synced, then renamed over it."""
    old = path.stat()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, old.st_mode & 0o7777)
        if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, old.st_uid, old.st_gid)
            except PermissionError:  # only root may give a file away; the group where one is a member
                try:
                    os.fchown(fd, -1, old.st_gid)
                except PermissionError:
                    pass
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)


def _backup(folder: Path, chain_file: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = folder / HISTORY_DIR / f"{chain_file.stem}.{stamp}.yaml"
    counter = 1
    while target.exists():
        target = folder / HISTORY_DIR / f"{chain_file.stem}.{stamp}-{counter}.yaml"
        counter += 1
    shutil.copy2(chain_file, target)
    return target


def update_link(
    directory: str | Path,
    chain_id: str,
    link_id: str,
    changes: Mapping[str, object],
    *,
    now: datetime | None = None,
    on_write: Callable[[LinkChange], Callable[[LinkChange], None]] | None = None,
) -> LinkChange:
    """Change fields of one link in a map folder; validate, back up and write atomically.

    Parameters
    ----------
    directory : path
        The map folder (it must be writable; ``history/`` is created inside it).
    chain_id, link_id : str
        The chain and its link.
    changes : mapping
        Fields of :data:`UPDATABLE_FIELDS` to set: ``status`` (one of ``STATUSES``),
        ``priority`` (one of :data:`PRIORITIES`), ``status_quote`` / ``priority_quote``
        (``{"doc": ..., "text": ...}``, checked against the map's sources;
        ``priority_quote`` may be None to remove it).
    now : datetime, optional
        The time of the change, for the backup's name (default: now, UTC).
    on_write : callable, optional
        Called, under the lock, with the validated change just before the chain file is
        replaced (``map_version_after`` is the version that will be served); it returns a
        callable that is called with the final change once the file is replaced. Not called
        when nothing changes. If it raises, nothing is written.

    Returns
    -------
    LinkChange

    Raises
    ------
    LinkNotFoundError
        The chain or the link does not exist.
    MapError
        The changed map would be invalid (every problem listed); nothing is written.
    ValueError
        ``changes`` is empty or names a field that cannot be changed.
    """
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise ValueError(f"The 'changes' parameter of update_link can only hold {list(UPDATABLE_FIELDS)}. Got {unknown} instead.")
    if not changes:
        raise ValueError("The 'changes' parameter of update_link must name at least one field. Got an empty mapping instead.")
    folder = Path(directory)
    now = now or datetime.now(UTC)
    with locked(folder):
        clear_stale(folder)
        current = load_map(folder)
        chain_file, data, entry = _read_link(folder, chain_id, link_id)
        before = {field: entry.get(field) for field in changes}
        for field, value in changes.items():
            if value is None:
                entry.pop(field, None)
            else:
                entry[field] = dict(value) if isinstance(value, Mapping) else value
        after = {field: entry.get(field) for field in changes}
        if before == after:
            return LinkChange(chain_id, link_id, before, after, False, current.version, current.version, None, current)
        text = _dump(data)
        with tempfile.TemporaryDirectory(prefix=".stage-", dir=folder / HISTORY_DIR) as tmp:
            view = _staged_view(folder, chain_file, text, Path(tmp))
            try:
                staged = load_map(view)
            except MapError as exc:  # name the real files, not the staging folder
                raise MapError([(p.replace(str(view), str(folder), 1), e, f, m) for p, e, f, m in exc.problems]) from None
        backup = _backup(folder, chain_file, now)
        written = None
        if on_write is not None:
            written = on_write(LinkChange(chain_id, link_id, before, after, True, current.version, staged.version, backup, staged))
        _write_atomically(chain_file, text)
        updated = load_map(folder)
        change = LinkChange(chain_id, link_id, before, after, True, current.version, updated.version, backup, updated)
        if written is not None:
            written(change)
        if updated.digest != staged.digest:  # pragma: no cover - someone edited the folder by hand meanwhile
            raise MapError([(str(folder), "map", "", "the map changed on disk during the update; try again")])
    return change

