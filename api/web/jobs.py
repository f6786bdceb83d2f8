"""Ranking jobs of the workbench: a folder per job, run in a thread pool, never in memory only.

A job folder holds

- ``input.csv`` or ``input.xlsx``: the upload as it came;
- ``ranked.csv``: what ``recommender rank -o ranked.csv`` writes (``Recommender.rank_file``: the
  one ranking of the job);
- ``ranked.xlsx``: what ``recommender rank -o ranked.xlsx`` writes, by the same call (its typed
  cells, styles and notes sheet are the command line's by construction), once the results are open;
- ``ranked.parquet``: the same rows, in rank order, for paging on the server;

and the job's row in the service database's ``jobs`` table (:class:`api.db.models.JobRecord`) its
status: the state (``queued`` → ``running`` → ``writing`` → ``done`` or ``failed``), rows done, the
counts, the filter values and the shortlist's coverage. A job is ``done`` once the CSV and the
Parquet file are written, so its results open while the XLSX (the slow part: every cell through
the writer) is still written; ``xlsx`` says ``writing``, ``ready`` or ``failed``. Jobs older than the retention are
deleted, row and folder.

Ranking runs in a :class:`~concurrent.futures.ThreadPoolExecutor`, so the event loop keeps
serving pages and API requests while a 100,000-row file is ranked.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import Engine, delete, select

from recommender import OUTPUT_COLUMNS, EncodingError, InputFileError, Recommender
from recommender.tables import open_table

from ..db import session_scope
from ..db.models import JobRecord

__all__ = ["FILTER_COLUMNS", "Job", "JobStore", "ROW_GROUP"]

log = logging.getLogger("api.web")

PARQUET = "ranked.parquet"
#: rows per Parquet row group: a page reads one or two groups
ROW_GROUP = 4096
#: output columns whose distinct values are offered as filters
FILTER_COLUMNS = ("chain", "link", "action", "park")
_NUMBERS = {"rank": pa.int64(), "score": pa.float64(), "likelihood": pa.float64(), "priority": pa.float64(),
            "confidence": pa.float64(), "shortlist": pa.int64()}
_ID_CHARS = set("0123456789abcdef-")
_PROGRESS_ROWS = 2_000  # rows ranked between progress reports (the ranked file does not depend on it)
_STATUS_EVERY = 0.25  # seconds between progress writes
_GUARDED = "^'[=+\\-@\t\r\n＝＋－＠]"  # a cell the CSV writer neutralised (recommender.tables.neutralise)


@dataclass(frozen=True)
class Job:
    """A job's folder and its last written status."""

    folder: Path
    status: dict

    @property
    def id(self) -> str:
        return self.folder.name

    @property
    def columns(self) -> dict[str, str]:
        """Output column -> its name in the ranked files (a suffix when the input had that name)."""
        return self.status.get("columns", {})

    def path(self, name: str) -> Path:
        return self.folder / name


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _count_lines(path: Path) -> int | None:
    """Rows of a CSV, for the progress bar (an estimate: quoted line breaks count too); None for XLSX."""
    if path.suffix != ".csv":
        return None
    lines = 0
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 1)


class JobStore:
    """The jobs under one folder.

    Parameters
    ----------
    root : path
        The jobs folder (created when missing).
    engine : Engine
        The service's database (the ``jobs`` table).
    retention_days : float
        Jobs older than this are deleted (on start and whenever a job is created).
    workers : int
        Jobs ranked at the same time; more wait in the queue.
    max_rows : int or None
        Most data rows of an upload.
    """

    def __init__(self, root: Path, engine: Engine, *, retention_days: float, workers: int, max_rows: int | None):
        self.root = Path(root)
        self.engine = engine
        self.retention_days = retention_days
        self.max_rows = max_rows
        self.root.mkdir(parents=True, exist_ok=True)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rank-job")
        self._lock = threading.Lock()
        self._running: dict[Path, dict] = {}
        self.purge()

    def close(self) -> None:
        """Take no more jobs; the queued ones and those still ranking are marked failed (the service stops)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            unfinished = list(self._running.items())
        stopped = "服务已停止，请重新上传 / the service stopped: upload the file again"
        for folder, status in unfinished:
            try:
                done = status.get("state") == "done"  # only its XLSX was still being written
                self._write_status(folder, {**status, "xlsx": "failed", "xlsx_error": stopped} if done
                                   else {**status, "state": "failed", "error": stopped})
            except Exception:  # the database may be closing too; the log says which job
                log.exception("could not mark job %s as stopped", folder.name)

    # -- reading ---------------------------------------------------------------------------
    def get(self, job_id: str) -> Job | None:
        if not job_id or not set(job_id) <= _ID_CHARS or len(job_id) > 64:
            return None
        with session_scope(self.engine) as db:
            record = db.get(JobRecord, job_id)
            status = record.status if record is not None else None
        folder = self.root / job_id
        return Job(folder, status) if status is not None and folder.is_dir() else None

    def list(self, limit: int = 500) -> list[Job]:
        with session_scope(self.engine) as db:
            rows = db.execute(select(JobRecord.id, JobRecord.status).order_by(JobRecord.created_at.desc()).limit(limit)).all()
        return [Job(self.root / job_id, status) for job_id, status in rows if (self.root / job_id).is_dir()]

    def purge(self) -> int:
        """Delete jobs older than the retention (their rows and folders, and folders without a row); the number deleted."""
        cutoff = datetime.now(UTC) - dt.timedelta(days=self.retention_days)
        with session_scope(self.engine) as db:
            old = set(db.scalars(select(JobRecord.id).where(JobRecord.created_at < cutoff)))
            db.execute(delete(JobRecord).where(JobRecord.id.in_(old)))
            known = set(db.scalars(select(JobRecord.id)))
        gone = 0
        for folder in self.root.iterdir():
            try:
                stale = folder.name not in known and folder.stat().st_mtime < cutoff.timestamp()
                if folder.is_dir() and (folder.name in old or stale):
                    shutil.rmtree(folder, ignore_errors=True)
                    gone += 1
            except OSError:
                continue
        return gone

    # -- writing ---------------------------------------------------------------------------
    def _write_status(self, folder: Path, status: dict) -> None:
        now = datetime.now(UTC)
        with session_scope(self.engine) as db:
            record = db.get(JobRecord, folder.name)
            if record is None:
                db.add(JobRecord(id=folder.name, file=status.get("file", "")[:300], state=status["state"], created_at=now, updated_at=now,
                                 created_by=status.get("created_by"), status=dict(status)))
            else:
                record.state, record.status, record.updated_at = status["state"], dict(status), now

    def create(self, upload: Path, filename: str, kind: str, *, recommender: Recommender, top: int, shortlist: int, lang: str,
               actor: str | None = None) -> Job:
        """Move ``upload`` into a new job folder and queue the ranking; the job comes back at once."""
        self.purge()
        job_id = f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"
        folder = self.root / job_id
        folder.mkdir()
        source = folder / f"input{kind}"
        shutil.move(upload, source)
        status = {
            "id": job_id, "file": filename, "created": _now(), "state": "queued", "rows_done": 0,
            "rows_total": _count_lines(source), "top": top, "shortlist": shortlist, "lang": lang,
            "map_version": recommender.map_version, "model_version": recommender.model_version, "created_by": actor,
        }
        self._write_status(folder, status)
        with self._lock:
            self._running[folder] = status
        self._executor.submit(self._run, folder, source, status, recommender)
        return Job(folder, status)

    def _run(self, folder: Path, source: Path, status: dict, recommender: Recommender) -> None:
        status = dict(status)
        with self._lock:
            self._running[folder] = status  # close() sees how far it got
        last = 0.0

        def progress(rows: int) -> None:
            nonlocal last
            status["rows_done"] += rows
            now = time.monotonic()
            if now - last >= _STATUS_EVERY:
                last = now
                self._write_status(folder, status)

        try:
            table = open_table(source, max_rows=self.max_rows)
            status.update(state="running", mapping=table.mapping, input_columns=list(table.columns))
            self._write_status(folder, status)
            options = {"lang": status["lang"], "top": status["top"], "shortlist": status["shortlist"], "max_rows": self.max_rows,
                       "chunk_rows": _PROGRESS_ROWS}
            report = recommender.rank_file(source, folder / "ranked.csv", progress=progress, **options)
            status.update(state="writing", rows_total=report.rows, rows_done=report.rows)
            self._write_status(folder, status)
            columns = dict(zip(OUTPUT_COLUMNS, _csv_header(folder / "ranked.csv")[-len(OUTPUT_COLUMNS):], strict=True))
            table = _read_ranked(folder / "ranked.csv", columns)
            plain = _unguarded(table)
            values = _to_parquet(plain, folder / PARQUET, columns)
            coverage = report.coverage
            status.update(
                state="done", finished=_now(), rows=report.rows, bad_rows=report.bad_rows, matched_rows=report.matched_rows,
                columns=columns, values=values, xlsx="writing",
                coverage=None if coverage is None else {
                    "zh": coverage.summary("zh"), "en": coverage.summary("en"), "gap_links": coverage.gap_links,
                    "covered_links": coverage.covered_links, "covered_need": coverage.covered_need,
                },
            )
            self._write_status(folder, status)  # the results open now; the XLSX follows
            try:
                _to_xlsx(recommender, source, folder / "ranked.xlsx", options)
                status.update(xlsx="ready")
            except Exception as exc:  # e.g. a cell over Excel's 32,767 characters: the CSV stays
                log.warning("job %s: no XLSX: %s", folder.name, exc)
                status.update(xlsx="failed", xlsx_error=_public_message(exc, source))
        except (InputFileError, EncodingError) as exc:
            status.update(state="failed", error=_public_message(exc, source))
        except Exception:  # the job fails, the service goes on; the log has the trace
            log.exception("job %s failed", folder.name)
            status.update(state="failed", error="内部错误 / internal error")
        with self._lock:
            self._running.pop(folder, None)
        self._write_status(folder, status)


def _public_message(exc: Exception, source: Path) -> str:
    """The library's message without this machine's paths."""
    return str(exc).replace(str(source), source.name).replace(str(source.parent), "")


def _unguard(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """The cells of one text column with the CSV's guard taken off; None when none is guarded."""
    guarded = pc.match_substring_regex(text, _GUARDED)
    if not pc.any(guarded).as_py():
        return None
    return pc.if_else(guarded, pc.utf8_slice_codeunits(text, 1), text)


def _unguarded(table: pa.Table) -> pa.Table:
    """Text cells (and the header) as the firm wrote them: the ``'`` the CSV put before formula-like text taken off.

    The same ``table`` when nothing was guarded. (Text that itself began with ``'`` and a formula
    sign loses its ``'`` too, in the page view only: the downloads keep it.)
    """
    out = table
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        if pa.types.is_string(column.type) and (plain := _unguard(column)) is not None:
            out = out.set_column(i, name, plain)
    header = _unguard(pa.array(out.column_names, pa.string()))
    return out if header is None else out.rename_columns(header.to_pylist())


def _csv_header(path: Path) -> list[str]:
    return pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16)).schema.names


def _numeric_names(columns: dict[str, str]) -> list[str]:
    """The ranked files' names of the output columns written as numbers."""
    return [columns[c] for c in OUTPUT_COLUMNS if c in _NUMBERS or c.startswith("score_")]


def _read_ranked(csv_path: Path, columns: dict[str, str]) -> pa.Table:
    """The ranked CSV as written: text columns as text (empty, never null), output numbers as numbers."""
    types = dict.fromkeys(_csv_header(csv_path), pa.string())
    for name in _numeric_names(columns):
        types[name] = pa.int64() if name in (columns["rank"], columns["shortlist"]) else pa.float64()
    return pacsv.read_csv(
        csv_path,
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def _to_xlsx(recommender: Recommender, source: Path, target: Path, options: dict) -> None:
    """The command line's XLSX: the same library call on the upload, after the results are open."""
    recommender.rank_file(source, target, **options)


def _to_parquet(table: pa.Table, target: Path, columns: dict[str, str]) -> dict[str, list[list]]:
    """The ranked rows as Parquet for paging; the filter values with counts."""
    pq.write_table(table, target, row_group_size=ROW_GROUP, compression="zstd")
    values = {}
    for column in FILTER_COLUMNS:
        counts = pc.value_counts(table[columns[column]]).to_pylist()
        values[column] = sorted(([c["values"], c["counts"]] for c in counts if c["values"]), key=lambda vc: (-vc[1], vc[0]))
    return values
