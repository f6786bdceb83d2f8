"""Rank very large inputs (a national registry: tens of millions of firms) on a Dask cluster.

The same library code runs per piece of the input as in the local engine
(:func:`recommender.ranking.score_chunk`, one task per piece), with the same promises: every
input row comes back exactly once, rows are ranked in the local engine's bands (active firms;
firms not active; rows without a name; rows that are not firms), later copies of a firm are
marked and ranked right after the first copy, text cells are neutralised as the local writer
does, scores and order are identical, and the column report is the local one.

How a run goes (:func:`rank_dask`); no step holds more than about a piece of rows on a worker:

1. **Pieces.** Parquet inputs are cut into pieces of about ``partition_size`` rows from their
   footers; CSV files are first read on the workers, one task per file, with the local reader
   (:func:`~recommender.io.open_table`: the same encoding decision, header rules and errors
   naming the file and line) and staged as Parquet pieces. Every row gets its global number:
   its piece's offset plus its position (inputs in the order given, rows in file order).
2. **Copies of firms** (:func:`_duplicates`): the workers hash each row's normalised name and
   credit code (:meth:`~recommender.tables._vendor.Duplicates.keys`, 128 bits as the local
   reader keeps them) into buckets on the staging disk; each bucket finds its keys met more than
   once; a group of rows sharing a key marks its first row as the first copy and the others as
   its copies, except where a row repeats its name with some rows and its code with others,
   linking two groups: the rows of linked groups are marked together in input order as the local reader's
   :class:`~recommender.tables._vendor.Duplicates` marks them. ``duplicate_of`` is the row
   number of the first copy as in one file holding all inputs in order under the first input's
   header. Every task reads and writes a bucket's or a piece's keys; no task and not the client
   holds the keys of the whole input.
3. **Score** each piece (:func:`score_chunk` with those copies) and stage its rows on the shared
   disk as an Arrow IPC file sorted by one int64 sort key (:func:`_order_key`: the band,
   priority, score, confidence, input order); copies of firms go to a second file. Each worker
   builds the chain map, the matcher's automaton and the landing model's tables once
   (:func:`engine`, a per-process cache, warmed by a worker plugin when the worker joins);
   tasks carry only the map folder and the model reference. A task returns small things:
   counts, unreadable values per column and a sample of its keys; its shortlist candidates
   with their affinities and the sort keys of rows that copies follow go to the staging disk.
   After each piece the worker empties the per-value caches and hands its freed heap back
   (:func:`_task`); the engine's cluster runs its workers without Dask's profiler and with short logs
   (:data:`WORKER_CONFIG`), whose objects, kept across pieces, would keep the pieces' freed memory.
   What a worker still keeps rises slowly (a fraction of a MiB a piece); a worker whose memory after a task passes
   ``recycle_above`` (:data:`RECYCLE_ABOVE_MIB`) is retired between tasks and started afresh by its nanny
   (:class:`_Recycler`), so that a worker's memory stays under that bound plus one task's working set whatever the
   input size.
4. **The global order from the keys alone.** The ranges of the output parts are quantiles of the
   samples; each staged file (sorted) says where each range starts in it (saved beside it; the
   client keeps only the rows per range); a copy takes its first copy's key (its file re-sorted,
   copies only), so it lands right after it. The
   shortlist is picked from the merged candidates (the local engine's pool and greedy pick).
5. **Write** each output part: its rows are read back from the slice of every staged file that
   falls in its range (a memory map: only those batches are touched, and each slice's rows are
   copied out before the next file is opened), sorted, ranked from the
   range's offset and written with the local writer (:class:`~recommender.io.TableWriter`:
   Parquet by default, or CSV parts); then ``_SUMMARY.json`` (counts, column report,
   coverage, map and model versions). The folder is moved into place only when all of it is
   written, so a failed run leaves no output that looks complete. No step moves whole rows
   between workers: each row is written to the staging disk once and read back once.

The shortlist pool is the best ``max(2000, 20 K)`` matched active firms that are not copies
(band 0) by score (ties by input order) over the whole input, whatever the partitioning.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import functools
import glob
import json
import math
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from distributed import WorkerPlugin

from .._cache import forget_values
from .._recommender import Recommender
from ..exceptions import InputFileError
from ..tables._io import InputTable, open_table
from ..tables._parquet import ParquetPiece, is_parquet, parquet_files, parquet_pieces, read_piece
from ..tables._reading import firm_identity
from ..tables._report import column_report
from ..tables._vendor import Duplicates, _Seen, profiles
from ._rank import (
    _NUMERIC,
    BAND_INACTIVE,
    BAND_NOT_FIRM,
    OUTPUT_COLUMNS,
    RANKED_RESULT_COLUMNS,
    RankReport,
    _Pool,
    _pool_size,
    output_names,
    score_chunk,
    shortlist,
)

__all__ = ["EVENTS", "RECYCLE_ABOVE_MIB", "WORKER_CONFIG", "DaskRankReport", "engine", "local_cluster", "rank_dask"]

ROW = "__row__"
ORDER = "__order__"
MATCHED = "__matched__"
_HELPERS = (ROW, ORDER, MATCHED)
#: Rows an input may hold: the global row number takes the low 26 bits of the int64 sort key.
MAX_ROWS = 2**26 - 1
_ROW_BITS = 26
_BAND_BITS = 2
#: Where the band starts in the sort key (its top bits; the sign bit stays clear).
_BAND_SHIFT = 63 - _BAND_BITS
_SAMPLES_PER_PART = 64
#: Rows per record batch of a staged file: an output part reads at most one batch more than its rows at each end of a slice.
_BATCH = 1024


def _hand_back_memory() -> None:
    """Return the heap memory freed by a task to the system: Arrow's pool (mimalloc/jemalloc) keeps what pandas' string
    columns and the staged files freed, and glibc's malloc keeps free pages its automatic trim does not reach (below a live
    block); on one worker that kept memory rose piece after piece (issue #15). Costs a few milliseconds per task.

    Dask's cache of key prefixes (``dask.utils.key_split``, up to 100,000 entries) is emptied too: it kept each task's
    key, received while the task before it ran, so each piece left a few small objects among its freed cells, each
    keeping the 1 MiB arena of Python's small-object allocator it sits in from being given back (benchmarks/README.md)."""
    import pyarrow as pa
    from dask.utils import key_split

    key_split.cache_clear()
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():  # noqa: ANN202 - a ctypes function or None
    """glibc's ``malloc_trim``, looked up once per process; None elsewhere (musl has none, nor other systems)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return None


def _task(fn):  # noqa: ANN001, ANN202 - keeps fn's signature
    """A worker task that hands back its freed memory (:func:`_hand_back_memory`) once it returns, its rows dropped."""
    @functools.wraps(fn)
    def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return fn(*args, **kwargs)
        finally:
            _hand_back_memory()

    return run


#: Dask settings of the worker processes of the cluster the engine starts (:func:`local_cluster`; start the workers of
#: another cluster with the same). With Dask's defaults a worker keeps, for 1,000 profile cycles (a second each), 1,000
#: transitions and stimuli and 7,200 system samples (an hour), small objects made while a piece is scored: the
#: statistical profiler's call trees (some 6,000 blocks a piece), the task logs and the monitor's numbers. Each keeps the
#: 1 MiB arena of Python's small-object allocator it sits in, among the piece's freed cells, from being given back: the
#: worker's memory between pieces rose about 2 MiB a piece of 100,000 rows (issue #15). Without the profiler and with
#: short logs about 60 blocks a piece outlived it, a few of them each task's key kept in Dask's cache of key prefixes
#: (emptied after each task by :func:`_hand_back_memory`); the rise is smaller, not gone (benchmarks/README.md).
WORKER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.low-level-log-length": 10,
    "distributed.admin.log-length": 100,
    "distributed.admin.system-monitor.log-length": 1,
}


def local_cluster(n_workers: int, **kwargs: object):  # noqa: ANN201 - distributed.LocalCluster
    """A LocalCluster on this machine of ``n_workers`` single-threaded worker processes with :data:`WORKER_CONFIG`."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(WORKER_CONFIG):  # the nannies take the settings to their workers when they are made (here)
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, **kwargs)


@functools.cache
def engine(map_dir: str | None, model_ref: str | None) -> Recommender:
    """The map, its scorer (matcher automaton included) and the landing model, built once per process."""
    return Recommender(map_dir, model=model_ref)


#: The topic of the events the engine's worker plugins log on the scheduler (``Client.get_events``): ``{"action": "ready",
#: "pid", "seconds"}`` when a worker has built its engine, ``{"action": "recycle", "pid", "rss_mib", "tasks"}`` when a
#: worker is retired for its memory (:class:`_Recycler`).
EVENTS = "recommender-worker"


class _EngineLoader(WorkerPlugin):
    """A worker plugin that builds :func:`engine` when a worker joins (also a worker that replaces a lost or recycled one)."""

    name = "recommender-engine"

    def __init__(self, map_dir: str | None, model_ref: str | None):
        self.map_dir = map_dir
        self.model_ref = model_ref

    async def setup(self, worker) -> None:  # noqa: ANN001 - distributed.Worker
        start = time.perf_counter()
        await asyncio.get_running_loop().run_in_executor(None, engine, self.map_dir, self.model_ref)
        worker.log_event(EVENTS, {"action": "ready", "pid": os.getpid(), "seconds": round(time.perf_counter() - start, 3)})


#: A worker's memory (RSS, MiB) after a task above which it is retired between tasks and started afresh by its nanny
#: (:class:`_Recycler`; ``recommender rank --engine dask --recycle-above``). A worker of the engine holds about
#: 300–500 MiB between pieces (the map, matcher, model and Python's heap) and about 600–700 MiB more while it scores or
#: writes a piece of 100,000 rows (benchmarks/README.md); its memory between pieces rises by some 0.3–0.8 MiB a piece.
#: With this bound a single-threaded worker's memory stays under the bound plus one task's working set (768 + ~700 MiB at
#: 100,000 rows a piece, under 2 GiB) whatever the input size, give or take what one task keeps: Dask has started the
#: worker's next task when the task that passed the bound ends, and that task runs to its end (what a task keeps is
#: under a MiB in a worker some pieces old, several MiB in a young one). A worker is recycled after several hundred pieces
#: at this bound; a recycle costs the worker about 4–5 s (a new process, its imports, the engine; benchmarks/README.md).
RECYCLE_ABOVE_MIB = 768


#: In a worker process: whether a recycle (:class:`_Recycler`) has begun there and not been given up. Set as the task
#: that passed the bound ends, before its result reaches the scheduler, so a client that has every result and then asks
#: each worker (:func:`_recycling`) learns of a recycle the scheduler may not have heard of yet (:func:`_await_recycles`).
_RECYCLING = False


def _recycling() -> bool:
    """Run on each worker by :func:`_await_recycles`: :data:`_RECYCLING` there."""
    return _RECYCLING


def _set_recycling(value: bool) -> None:
    global _RECYCLING
    _RECYCLING = value


class _Recycler(WorkerPlugin):
    """A worker plugin that bounds a worker's memory by recycling it, as process pools recycle a worker after so many tasks.

    Each time a task has ended (its memory handed back, :func:`_task`) the worker's RSS is read (as Dask's memory manager
    reads it); above ``above_mib`` the worker is retired between tasks and its nanny starts a fresh worker process, whose
    engine :class:`_EngineLoader` builds. The retirement is Dask's own (:meth:`distributed.Worker.close_gracefully` with
    ``restart=True``, which ``distributed.worker.lifetime`` uses on a timer), in this order: the worker takes the state
    ``retire_workers`` gives it (no task starts, the scheduler assigns none), lets a task it had started end and waits up
    to ``drain_seconds`` for the client to take the results it holds; ``Scheduler.retire_workers`` moves what it still
    holds to another worker and removes it as expected, handing the tasks assigned to it to other workers without counting
    a failure; the worker closes and its nanny starts a new one. Where no other worker can take its results, the
    scheduler does not retire it: it goes on and tries again after a later task. The task Dask had already started when
    the bound was passed (the next task starts as the last ends) runs to its end first. A worker without a nanny (``dask worker
    --no-nanny``) would not come back: it is never recycled. Each recycle is logged on the scheduler (:data:`EVENTS`).
    """

    name = "recommender-recycle"

    def __init__(self, above_mib: int, drain_seconds: float = 5.0):
        self.above_mib = above_mib
        self.drain_seconds = drain_seconds

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed.Worker
        self.worker = worker
        self.tasks = 0
        self.retiring: asyncio.Task | None = None
        self.warned = False

    def transition(self, key, start: str, finish: str, **kwargs: object) -> None:  # noqa: ANN001 - a Dask key
        if start != "executing" or self.retiring is not None:
            return
        self.tasks += 1
        rss = self.worker.monitor.get_process_memory()  # the RSS, as Dask's memory manager reads it
        if rss <= self.above_mib * 2**20:
            return
        if self.worker.nanny is None:
            if not self.warned:
                self.warned = True
                self.worker.log_event(EVENTS, {"action": "no-nanny", "pid": os.getpid(), "rss_mib": rss // 2**20})
            return
        _set_recycling(True)
        self.retiring = asyncio.get_running_loop().create_task(self._retire(rss))

    async def _retire(self, rss: int) -> None:
        from distributed.core import Status

        worker = self.worker
        if worker.status != Status.running:
            self.retiring = None
            _set_recycling(False)
            return  # closing already, or paused by its memory manager (which resumes it)
        # no task starts from now on, and the scheduler assigns none (the state retire_workers puts a worker in)
        worker.status = Status.closing_gracefully
        await self._settle()
        # Once the scheduler has removed it, the worker closes on its own when the scheduler's stream ends, and would ask
        # its nanny to close too (Worker.close(nanny=True)), racing the close below that leaves the nanny to start a new
        # worker: forgotten here, the nanny is asked by neither and starts a new worker when this one exits.
        nanny, worker.nanny = worker.nanny, None
        worker.log_event(EVENTS, {"action": "recycle", "pid": os.getpid(), "rss_mib": rss // 2**20, "tasks": self.tasks})
        try:
            retired = worker.address in await worker.scheduler.retire_workers(
                workers=[worker.address], close_workers=False, remove=True, stimulus_id=f"recommender-recycle-{time.time()}")
        except Exception:  # noqa: BLE001 - the scheduler's stream ended first: the worker is closing, removed by the scheduler
            retired = worker.status in (Status.closing, Status.closed)
        if not retired:
            # results only this worker holds and no other worker could take: it stays, and tries again after a later task
            worker.nanny = nanny
            worker.log_event(EVENTS, {"action": "recycle-aborted", "pid": os.getpid()})
            if worker.status == Status.closing_gracefully:
                worker.status = Status.running
            self.retiring = None
            _set_recycling(False)
            return
        await self._settle(drain=False)
        await worker.close(nanny=False, reason=f"recycled: {rss // 2**20} MiB after a task, above {self.above_mib} MiB")

    async def _settle(self, drain: bool = True) -> None:
        """Until no task runs here and (``drain``, for up to ``drain_seconds``) the client has taken the results held here."""
        deadline = time.monotonic() + self.drain_seconds
        while self.worker.state.executing_count or (drain and len(self.worker.data) and time.monotonic() < deadline):
            await asyncio.sleep(0.02)


@dataclass(frozen=True)
class _Spec:
    """What a task needs to find its engine and name its columns (small, pickled into tasks)."""

    map_dir: str | None
    model_ref: str | None
    lang: str
    columns: tuple[str, ...]
    sources: dict[str, list[str]] = field(hash=False)
    names: dict[str, str] = field(hash=False)
    units: dict[str, float] = field(default_factory=dict, hash=False)
    first_line: int = 2  # the row number (as a spreadsheet shows it) of the first data row


def _order_key(band: np.ndarray, priority: np.ndarray, score: np.ndarray, confidence: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One int64 per row whose ascending order is the local engine's ranking order.

    Bits, high to low: the sign (0), the band (2: 0-3), 10000 - priority×100 (14),
    10000 - score×100 (14), 100 - confidence×100 (7), row (26). Priority, score and confidence
    are rounded to 0.01; a value past its bits raises ``ValueError``.
    """
    p = np.rint(np.asarray(priority, dtype=np.float64) * 100).astype(np.int64)
    s = np.rint(np.asarray(score, dtype=np.float64) * 100).astype(np.int64)
    c = np.rint(np.asarray(confidence, dtype=np.float64) * 100).astype(np.int64)
    row = np.asarray(row, dtype=np.int64)
    b = np.asarray(band, dtype=np.int64)
    for name, values, top in (("band", b, 2**_BAND_BITS - 1), ("priority", p, 10_000), ("score", s, 10_000), ("confidence", c, 100),
                              ("row", row, MAX_ROWS)):
        if len(values) and (values.min() < 0 or values.max() > top):
            raise ValueError(f"{name} out of the range the sort key holds: {values.min()}…{values.max()}")
    grade = (b << 35) | ((10_000 - p) << 21) | ((10_000 - s) << 7) | (100 - c)
    return (grade << _ROW_BITS) | row


def _band_of(key: np.ndarray) -> np.ndarray:
    """The band held in sort keys made by :func:`_order_key`."""
    return np.asarray(key, dtype=np.int64) >> _BAND_SHIFT


def _read(item: tuple[ParquetPiece, int], columns: tuple[str, ...]) -> pd.DataFrame:
    piece, offset = item
    frame = read_piece(piece, columns)
    frame.index = pd.RangeIndex(offset, offset + len(frame))
    return frame


@_task
def _stage_csv(path: str, folder: str, index: int, rows: int) -> dict:
    """Read one CSV file with the local reader and stage it as Parquet pieces of ``rows`` rows (runs on a worker)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = open_table(path, chunk_rows=rows)
    parts = []
    for k, chunk in enumerate(table.chunks()):
        target = Path(folder) / f"f{index:05d}-{k:06d}.parquet"
        frame = chunk.raw.reset_index(drop=True)
        columns = [pa.array(frame[c].tolist(), type=pa.string()) for c in frame.columns]
        pq.write_table(pa.Table.from_arrays(columns, names=[f"c{j}" for j in range(len(columns))]), target)
        parts.append((str(target), len(frame)))
    return {"path": path, "columns": table.columns, "mapping": table.mapping, "units": table.units, "encoding": table.encoding,
            "header_rows": table.header_rows, "parts": parts}


# -- duplicates: which rows are later copies of a firm, over the whole input ---------------------------------------
#
# Every step below is a task over one piece or one bucket and reads and writes small arrays on the staging disk;
# no task, and not the client, holds the identities of the whole input.

#: One identity key of one row: its 128-bit hash (as :class:`~recommender.tables._vendor._Seen` keeps it), the global
#: row number and the kind of key (0: normalised name, 1: credit code).
_KEY = np.dtype([("hi", "<u8"), ("lo", "<u8"), ("row", "<i8"), ("kind", "u1")])
#: A key met more than once, with its group's signature: the sum of a 64-bit mix of the group's row numbers.
_SHARED = np.dtype([*_KEY.descr, ("sig", "<u8")])
#: A copy of a firm (``first`` ≥ 0: the global row of its first copy) or a first copy that has copies (``first`` = -1).
_MARK = np.dtype([("row", "<i8"), ("first", "<i8")])


def _save_parts(path: Path, data: np.ndarray, part: np.ndarray, parts: int) -> None:
    """Save ``data`` grouped by ``part`` (0 … parts-1) with the offsets of each group, so a reader loads one group only."""
    order = np.argsort(part, kind="stable")
    offsets = np.searchsorted(part[order], np.arange(parts + 1), side="left").astype(np.int64)
    for suffix, values in ((".off.npy", offsets), (".npy", data[order])):
        target = path.with_name(path.name + suffix)
        tmp = target.with_name(target.name + ".tmp")
        with open(tmp, "wb") as sink:
            np.save(sink, values)
        os.replace(tmp, target)


def _load_part(path: Path, part: int | slice, dtype: np.dtype) -> np.ndarray:
    """Group ``part`` (a slice: all) of what :func:`_save_parts` saved (only its pages are read)."""
    offsets = np.load(path.with_name(path.name + ".off.npy"))
    if isinstance(part, slice):
        start, stop = int(offsets[0]), int(offsets[-1])
    else:
        start, stop = int(offsets[part]), int(offsets[part + 1])
    if stop <= start:
        return np.empty(0, dtype=dtype)
    return np.array(np.load(path.with_name(path.name + ".npy"), mmap_mode="r")[start:stop])


def _load_parts(paths: Sequence[Path], part: int, dtype: np.dtype) -> np.ndarray:
    return np.concatenate([_load_part(p, part, dtype) for p in paths]) if paths else np.empty(0, dtype=dtype)


def _bucket(hi: np.ndarray, buckets: int) -> np.ndarray:
    return (hi % np.uint64(buckets)).astype(np.int64)


def _piece_of(rows: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    return np.searchsorted(bounds, rows, side="right").astype(np.int64) - 1


def _read_columns(piece: ParquetPiece, columns: tuple[str, ...], wanted: list[str]) -> pd.DataFrame:
    """Some columns of a piece as text (all of them read where the file's own names are not unique)."""
    import pyarrow.parquet as pq

    from ..tables._parquet import text_frame

    file = pq.ParquetFile(piece.path)
    names = file.schema_arrow.names
    if len(set(names)) != len(names) or len(names) != len(columns):
        return read_piece(piece, columns)[wanted]
    table = file.read_row_group(piece.group, columns=[names[columns.index(c)] for c in wanted])
    return text_frame(table.slice(piece.start, piece.rows), wanted)


@_task
def _dup_keys(item: tuple[ParquetPiece, int], index: int, spec: _Spec, folder: str, buckets: int) -> int:
    """Step 1, per piece: each row's normalised name and credit code (:meth:`Duplicates.keys`) as 128-bit hashes, saved
    grouped by bucket (``keys-i``). Returns the number of keys."""
    piece, offset = item
    wanted = [c for c in (*spec.sources["name"], *spec.sources.get("credit_code", [])) if c in spec.columns]
    raw = _read_columns(piece, spec.columns, wanted)
    names, codes = firm_identity(raw, spec.sources)
    code_list = codes.tolist() if codes is not None else [""] * len(names)
    pairs = [Duplicates.keys(n, c) if n else ("", "") for n, c in zip(names.tolist(), code_list, strict=True)]
    found = []
    for kind in (0, 1):
        at = np.array([i for i, p in enumerate(pairs) if p[kind]], dtype=np.int64)
        if not len(at):
            continue
        keys = np.empty(len(at), dtype=_KEY)
        keys["hi"], keys["lo"] = _Seen._hashes([pairs[i][kind] for i in at.tolist()])
        keys["row"], keys["kind"] = at + offset, kind
        found.append(keys)
    keys = np.concatenate(found) if found else np.empty(0, dtype=_KEY)
    _save_parts(Path(folder) / f"keys-{index:06d}", keys, _bucket(keys["hi"], buckets), buckets)
    return len(keys)


def _dup_groups(bucket: int, folder: str, pieces: int, bounds: np.ndarray) -> int:
    """Step 2, per bucket: the keys met more than once, with the first row of each (``shared-b``: grouped by the piece of
    the row). Returns their number."""
    stage = Path(folder)
    keys = _load_parts([stage / f"keys-{p:06d}" for p in range(pieces)], bucket, _KEY)
    keys = keys[np.lexsort((keys["row"], keys["lo"], keys["hi"], keys["kind"]))]
    start, group = _groups(keys)
    shared = np.empty(len(keys), dtype=_SHARED)
    for name in ("hi", "lo", "row", "kind"):
        shared[name] = keys[name]
    if len(keys):
        shared["sig"] = np.add.reduceat(_mix(keys["row"]), np.flatnonzero(start))[group]
        shared = shared[np.bincount(group)[group] > 1]
    _save_parts(stage / f"shared-{bucket:06d}", shared, _piece_of(shared["row"], bounds), pieces)
    return len(shared)


def _mix(rows: np.ndarray) -> np.ndarray:
    """A 64-bit mix of row numbers (splitmix64's finaliser): sums of it tell sets of rows apart."""
    x = rows.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _dup_links(index: int, folder: str, buckets: int) -> int:
    """Step 3, per piece: a row whose name and credit code are both met elsewhere, by different sets of rows, links
    two groups of copies, whose rows must then be marked together in input order; the keys of such rows are saved
    grouped by bucket (``links-i``). (Where both keys are met by the same rows, a firm listed again with the same
    name and code, the two groups are one and nothing is linked.)"""
    stage = Path(folder)
    shared = _load_parts([stage / f"shared-{b:06d}" for b in range(buckets)], index, _SHARED)
    shared = shared[np.lexsort((shared["kind"], shared["row"]))]
    pair = np.flatnonzero(shared["row"][1:] == shared["row"][:-1])  # a name (kind 0) then a code of one row
    differ = pair[shared["sig"][pair] != shared["sig"][pair + 1]]
    links = shared[np.sort(np.concatenate([differ, differ + 1]))]
    _save_parts(stage / f"links-{index:06d}", links, _bucket(links["hi"], buckets), buckets)
    return len(links)


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For keys sorted by kind and hash: where each group of equal keys starts, and each key's group number."""
    start = np.ones(len(keys), dtype=bool)
    if len(keys):
        start[1:] = (keys["kind"][1:] != keys["kind"][:-1]) | (keys["hi"][1:] != keys["hi"][:-1]) | (keys["lo"][1:] != keys["lo"][:-1])
    return start, np.cumsum(start) - 1


def _dup_marks(bucket: int, folder: str, pieces: int, bounds: np.ndarray) -> int:
    """Step 4, per bucket: in each group of keys met more than once and not linked to another group, the first row is
    the first copy and every later row a copy of it (``marks-b``, grouped by piece: each copy under its own piece,
    each first copy under its own). The rows of linked groups are set aside (``linked-b``). Returns their number."""
    stage = Path(folder)
    shared = _load_part(stage / f"shared-{bucket:06d}", slice(None), _SHARED)
    links = _load_parts([stage / f"links-{p:06d}" for p in range(pieces)], bucket, _SHARED)
    both = np.concatenate([shared, links])
    is_link = np.repeat(np.array([False, True]), [len(shared), len(links)])
    # a link is also one of the bucket's shared keys: sorted after the shared keys of its group
    order = np.lexsort((is_link, both["row"], both["lo"], both["hi"], both["kind"]))
    both, is_link = both[order], is_link[order]
    start, group = _groups(both)
    linked = (np.bincount(group, weights=is_link, minlength=int(group[-1]) + 1 if len(group) else 0) > 0)[group]
    first_row = both["row"][start][group]
    copy = ~linked & ~start & ~is_link
    firsts = both["row"][~linked & start]
    marks = np.empty(int(copy.sum()) + len(firsts), dtype=_MARK)
    n = int(copy.sum())
    marks["row"][:n], marks["first"][:n] = both["row"][copy], first_row[copy]
    marks["row"][n:], marks["first"][n:] = firsts, -1
    _save_parts(stage / f"marks-{bucket:06d}", marks, _piece_of(marks["row"], bounds), pieces)
    aside = both[linked & ~is_link]
    _save_parts(stage / f"linked-{bucket:06d}", aside, np.zeros(len(aside), dtype=np.int64), 1)
    return len(aside)


def _dup_linked(folder: str, buckets: int, pieces: int, bounds: np.ndarray) -> int:
    """Step 5, one task: the rows of linked groups marked in input order as :meth:`Duplicates.mark` marks them (a copy
    is a row whose credit code or name a first copy before it has; a copy's name and code are not kept), on their
    hashes (``marks-linked``). Only rows of groups linked through a row that repeats its name with some rows and its
    code with others come here. Returns the number of copies."""
    stage = Path(folder)
    keys = np.concatenate([_load_part(stage / f"linked-{b:06d}", 0, _SHARED) for b in range(buckets)])
    keys = keys[np.lexsort((keys["kind"], keys["row"]))]
    codes: dict[tuple[int, int], int] = {}
    names: dict[tuple[int, int], int] = {}
    marks: list[tuple[int, int]] = []
    row_list, kinds = keys["row"].tolist(), keys["kind"].tolist()
    pairs = list(zip(keys["hi"].tolist(), keys["lo"].tolist(), strict=True))
    i = 0
    while i < len(row_list):
        row, name, code = row_list[i], None, None
        while i < len(row_list) and row_list[i] == row:
            if kinds[i]:
                code = pairs[i]
            else:
                name = pairs[i]
            i += 1
        first = codes.get(code) if code is not None else None
        if first is None and name is not None:
            first = names.get(name)
        if first is not None:
            marks.append((row, first))
            continue
        if code is not None:
            codes[code] = row
        if name is not None:
            names.setdefault(name, row)
    out = np.array(marks, dtype=np.int64).reshape(-1, 2)
    held = np.unique(out[:, 1])
    result = np.empty(len(out) + len(held), dtype=_MARK)
    result["row"][:len(out)], result["first"][:len(out)] = out[:, 0], out[:, 1]
    result["row"][len(out):], result["first"][len(out):] = held, -1
    _save_parts(stage / "marks-linked", result, _piece_of(result["row"], bounds), pieces)
    return len(out)


def _duplicates(client, items: list[tuple[ParquetPiece, int]], spec: _Spec, folder: Path, bounds: np.ndarray,  # noqa: ANN001
                progress: bool) -> tuple[list[Path], int]:
    """Later copies of a firm over the whole input, as the local reader's :class:`Duplicates` marks them in input order.

    A row can be a copy only of a row with the same normalised name or credit code. The keys of each piece are hashed
    into buckets (1); each bucket finds its keys met more than once (2). A group of rows sharing a key whose rows
    repeat nothing else is marked at once: its first row is the first copy, the others copies of it (4); so is a firm
    listed again with the same name and code (its name group and its code group hold the same rows). Where a row
    repeats its name with some rows and its code with others (3), whether it is a first copy depends on the other
    group too, so the rows of such linked groups are marked together in input order, one task (5). Returns the files
    of marks, each grouped by piece (``_load_parts(files, piece, _MARK)``), and the number of rows set aside as linked.
    """
    folder.mkdir()
    pieces = len(items)
    buckets = max(1, pieces)
    where = str(folder)
    _gather(client, client.map(_dup_keys, items, list(range(pieces)), spec=spec, folder=where, buckets=buckets, pure=False), progress)
    _gather(client, client.map(_dup_groups, list(range(buckets)), folder=where, pieces=pieces, bounds=bounds, pure=False), progress)
    _gather(client, client.map(_dup_links, list(range(pieces)), folder=where, buckets=buckets, pure=False), progress)
    linked = sum(_gather(client, client.map(_dup_marks, list(range(buckets)), folder=where, pieces=pieces, bounds=bounds, pure=False),
                         progress))
    files = [folder / f"marks-{b:06d}" for b in range(buckets)]
    if linked:
        client.submit(_dup_linked, where, buckets, pieces, bounds, pure=False).result()
        files.append(folder / "marks-linked")
    return files, linked


# -- scoring: each piece scored once, staged sorted by its sort key ------------------------------------------------


def _write_arrow(frame: pd.DataFrame, path: Path) -> None:
    """Stage rows as an Arrow IPC file of :data:`_BATCH`-row batches (written beside, then moved into place)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False).combine_chunks()
    part = path.with_name(path.name + ".tmp")
    with pa.OSFile(str(part), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=_BATCH)
    os.replace(part, path)


def _read_arrow(path: str, start: int = 0, stop: int | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Rows ``start:stop`` of a staged file: only the batches holding them are touched (a memory map)."""
    return _arrow_slice(path, start, stop, columns).to_pandas()


def _arrow_slice(path: str, start: int = 0, stop: int | None = None, columns: list[str] | None = None):  # noqa: ANN202 - pyarrow.Table
    import pyarrow as pa

    with pa.memory_map(path) as source:
        reader = pa.ipc.open_file(source)
        stop = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches)) if stop is None else stop
        if stop <= start:
            return reader.schema.empty_table()
        first, last = start // _BATCH, (stop - 1) // _BATCH
        batches = [reader.get_batch(i) for i in range(first, last + 1)]
        if any(b.num_rows != _BATCH for b in batches[:-1]):
            raise RuntimeError(f"{path}: a staged batch is not {_BATCH} rows")
        table = pa.Table.from_batches(batches, schema=reader.schema).slice(start - first * _BATCH, stop - start)
        return table.select(columns) if columns is not None else table


@_task
def _score_piece(item: tuple[ParquetPiece, int], index: int, spec: _Spec, folder: str, marks: list[str], pool_size: int,
                 step: int) -> dict:
    """Score one piece (:func:`score_chunk`, as the local engine) and stage its rows (runs on a worker).

    The copies of firms among its rows and the rows that copies follow are read from the duplicates step's files
    (``marks``). The rows that are not copies go to ``main-i.arrow`` sorted by their sort key, the copies of firms
    (ranked by their first copy's key, not known here) to ``copy-i.arrow`` with the rows they follow
    (``follows-i``); the sort keys of the rows that copies follow go to ``firsts-i``, the shortlist candidates to
    ``pool-i.pkl``. Returns the counts, a sample of the sort keys, the unreadable values per column and the
    candidates' file.
    """
    rec = engine(spec.map_dir, spec.model_ref)
    piece, offset = item
    stage = Path(folder)
    found = np.unique(_load_parts([Path(m) for m in marks], index, _MARK))  # a copy by name and code is marked twice
    copies = found[found["first"] >= 0]
    raw = _read(item, spec.columns).reset_index(drop=True)
    duplicate_of = np.zeros(len(raw), dtype=np.int64)
    duplicate_of[copies["row"] - offset] = copies["first"] + spec.first_line
    prof = profiles(raw, spec.sources, spec.units)
    chunk = score_chunk(rec.scorer, prof, start_row=offset, lang=spec.lang, model=rec.model, pool_size=pool_size,
                        duplicate_of=duplicate_of, first_line=spec.first_line)
    keys = chunk.keys
    rows = keys[:, 4].astype(np.int64)
    band = keys[:, 0].astype(np.int64)
    key = _order_key(band, keys[:, 1], keys[:, 2], keys[:, 3], rows)
    result = chunk.result
    result.columns = [spec.names[c] for c in RANKED_RESULT_COLUMNS]
    frame = pd.concat([raw, result], axis=1)
    frame[ROW] = rows
    frame[ORDER] = key
    frame[MATCHED] = chunk.linked
    copy = keys[:, 5] >= 0
    main = np.flatnonzero(~copy)
    main = main[np.argsort(key[main], kind="stable")]
    _write_arrow(frame.iloc[main], stage / f"main-{index:06d}.arrow")
    copy_path = None
    if copy.any():
        copy_path = stage / f"copy-{index:06d}.arrow"
        _write_arrow(frame.iloc[np.flatnonzero(copy)], copy_path)
        _save_parts(stage / f"follows-{index:06d}", copies, np.zeros(len(copies), dtype=np.int64), 1)
    wanted = np.flatnonzero(np.isin(rows, found["row"][found["first"] < 0]))
    wanted = wanted[np.argsort(rows[wanted])]
    held = np.empty(len(wanted), dtype=_MARK)  # row → its sort key, by row
    held["row"], held["first"] = rows[wanted], key[wanted]
    _save_parts(stage / f"firsts-{index:06d}", held, np.zeros(len(held), dtype=np.int64), 1)
    forget_values()  # what a piece's rows left in the caches kept across calls would pin its arenas
    return {
        "rows": len(rows), "bad": int(chunk.bad.sum()), "matched": chunk.matched,
        "inactive": int((band == BAND_INACTIVE).sum()), "not_firm": int((band == BAND_NOT_FIRM).sum()),
        "duplicates": int(copy.sum()), "unreadable": dict(prof.attrs.get("unreadable", {})),
        "sample": key[main][::step], "main_rows": len(main), "copies": copy_path is not None,
        "pool": None if chunk.candidates is None else _save_pool(chunk.candidates, chunk.affinity, stage / f"pool-{index:06d}.pkl"),
    }


def _save_pool(candidates: pd.DataFrame, affinity: object, path: Path) -> str:
    """A piece's shortlist candidates and their affinities, staged for the client to merge one piece at a time."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as sink:
        pickle.dump((candidates, affinity), sink, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return str(path)


@_task
def _bounds(index: int, copies: bool, folder: str, bounds: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Where each output range starts in a piece's staged files (runs on a worker): saved as ``cuts-i`` (main file, copies
    file); returns the rows of each range in them.

    The main file is sorted already; the copies get their first copy's sort key (from the ``firsts`` file of the
    piece holding it) and are rewritten sorted by it, then by row, so that each copy lands right after its first
    copy (and after earlier copies) in whichever range that falls.
    """
    def cuts(keys: np.ndarray) -> np.ndarray:
        return np.concatenate([[0], np.searchsorted(keys, inner, side="left"), [len(keys)]])

    stage = Path(folder)
    out = np.zeros((2, len(inner) + 2), dtype=np.int64)
    out[0] = cuts(_read_arrow(str(stage / f"main-{index:06d}.arrow"), columns=[ORDER])[ORDER].to_numpy(dtype=np.int64))
    if copies:
        follows = _load_part(stage / f"follows-{index:06d}", 0, _MARK)
        follows = follows[np.argsort(follows["row"])]
        anchor = np.full(len(follows), -1, dtype=np.int64)
        holder = _piece_of(follows["first"], bounds)
        for piece in np.unique(holder).tolist():
            held = _load_part(stage / f"firsts-{piece:06d}", 0, _MARK)
            at = np.flatnonzero(holder == piece)
            pos = np.minimum(np.searchsorted(held["row"], follows["first"][at]), max(len(held) - 1, 0))
            ok = held["row"][pos] == follows["first"][at] if len(held) else np.zeros(len(at), dtype=bool)
            anchor[at[ok]] = held["first"][pos[ok]]
        if (anchor < 0).any():
            raise RuntimeError(f"the first copy of row {int(follows['first'][anchor < 0][0])} was not scored")
        frame = _read_arrow(str(stage / f"copy-{index:06d}.arrow"))
        row = frame[ROW].to_numpy(dtype=np.int64)
        pos = np.searchsorted(follows["row"], row)
        if not np.array_equal(follows["row"][np.minimum(pos, len(follows) - 1)], row):
            raise RuntimeError(f"copies staged for piece {index} differ from the copies marked")
        frame[ORDER] = anchor[pos]
        frame = frame.iloc[np.lexsort((row, anchor[pos]))]
        _write_arrow(frame, stage / f"copy-{index:06d}.sorted.arrow")
        out[1] = cuts(frame[ORDER].to_numpy(dtype=np.int64))
    target = stage / f"cuts-{index:06d}.npy"
    with open(target.with_name(target.name + ".tmp"), "wb") as sink:
        np.save(sink, out)
    os.replace(target.with_name(target.name + ".tmp"), target)
    return np.diff(out[0]) + np.diff(out[1])


def _finish(part: pd.DataFrame, first: int, slots: dict[int, int], version: str, spec: _Spec) -> pd.DataFrame:
    """Ranks ``first, first + 1, …``, shortlist positions and the model version for rows in rank order; the output columns in order."""
    out = part.reset_index(drop=True)
    rows = out.pop(ROW).to_numpy(dtype=np.int64)
    out = out.drop(columns=[c for c in (ORDER, MATCHED) if c in out.columns])
    out.insert(len(spec.columns), spec.names["rank"], np.arange(first, first + len(out), dtype=np.int64))
    out[spec.names["shortlist"]] = pd.array([slots.get(int(r)) for r in rows], dtype="Int64")
    out[spec.names["model_version"]] = pd.Series([version] * len(out), dtype="str")
    return out


def _slices(part: int, pieces: int, folder: str) -> list[tuple[str, int, int]]:
    """The slices of the staged files (path, start, stop) that hold output range ``part``, from each piece's ``cuts``."""
    stage = Path(folder)
    found = []
    for i in range(pieces):
        cut = np.load(stage / f"cuts-{i:06d}.npy")
        for j, name in enumerate((f"main-{i:06d}.arrow", f"copy-{i:06d}.sorted.arrow")):
            if cut[j, part + 1] > cut[j, part]:
                found.append((str(stage / name), int(cut[j, part]), int(cut[j, part + 1])))
    return found


@_task
def _write_range(part: int, first: int, expected: int, path: str, head: int, *, pieces: int, folder: str, slots: dict[int, int],
                 version: str, spec: _Spec, numeric: list[str]) -> tuple[int, pd.DataFrame | None]:
    """One output part (runs on a worker): its rows read back from every staged file's slice of range ``part``,
    sorted, ranked from ``first`` and written; returns the rows written and the first ``head``."""
    import pyarrow as pa

    from ..tables._io import TableWriter

    # each slice's rows copied out of its file at once (the file's pages then left): a part holds its rows, not the
    # batches around them in every staged file; one conversion to pandas for the whole part (converting each slice
    # costs per column, and a part has a slice per staged file)
    tables = []
    for p, a, b in _slices(part, pieces, folder):
        piece = _arrow_slice(p, a, b)
        tables.append(piece.take(pa.array(np.arange(piece.num_rows))))
        del piece
    whole = pa.concat_tables(tables, promote_options="permissive") if tables else None
    del tables
    frame = whole.to_pandas() if whole is not None else None
    del whole
    if frame is None or len(frame) != expected:
        raise RuntimeError(f"output part {Path(path).name} holds {0 if frame is None else len(frame)} rows, {expected} expected")
    frame = frame.iloc[np.lexsort((frame[ROW].to_numpy(), frame[ORDER].to_numpy()))]
    out = _finish(frame, first, slots, version, spec)
    del frame
    with TableWriter(path, list(out.columns), numeric_columns=numeric) as writer:
        writer.write(out)
    return len(out), out.head(head) if head > 0 else None


@dataclass(frozen=True, kw_only=True)
class DaskRankReport(RankReport):
    """What :func:`rank_dask` did: a :class:`~recommender.ranking.RankReport`, plus the parts written."""

    map_version: str
    parts: int
    output: Path
    seconds: dict[str, float] = field(default_factory=dict)  # wall seconds of each step: read, duplicates, score, order, write
    #: the engine's worker events received during the run (scheduler time, message; :data:`EVENTS`): engines built, recycles
    events: list[tuple[float, dict]] = field(default_factory=list)

    @property
    def recycled(self) -> int:
        """Workers retired for their memory and started afresh during the run (:class:`_Recycler`)."""
        actions = [msg.get("action") for _, msg in self.events]
        return actions.count("recycle") - actions.count("recycle-aborted")


def _expand_inputs(patterns: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Files and Parquet datasets named by the arguments, globs expanded (sorted), in order."""
    found: list[Path] = []
    for pattern in map(str, patterns):
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not matches:
            raise InputFileError(pattern, "no file matches")
        found.extend(Path(m) for m in matches)
    return found


def _model_ref(model: object) -> str | None:
    if model is None or str(model) == "prior":
        return None
    path = Path(str(model))
    return str(path.resolve()) if path.exists() else str(model)


def _console(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rank_dask(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    map_dir: str | os.PathLike[str] | None = None,
    model: str | os.PathLike[str] | None = None,
    lang: str = "zh",
    top: int = 10,
    shortlist_k: int = 0,
    partition_size: int = 100_000,
    output_format: str | None = None,
    scheduler: str | None = None,
    client=None,  # noqa: ANN001 - a distributed.Client to use (tests)
    n_workers: int | None = None,
    progress: bool = False,
    recycle_above: int = RECYCLE_ABOVE_MIB,
) -> DaskRankReport:
    """Rank CSV files and Parquet datasets on a Dask cluster into a folder of ranked parts.

    Parameters
    ----------
    inputs : files, folders (Parquet datasets) or glob patterns; their rows are numbered in this order.
    output : the output folder (replaced when the run succeeds).
    map_dir, model : the chain map (None: embedded) and the landing model reference (None or "prior": the prior).
    partition_size : rows per partition.
    output_format : "parquet" (default) or "csv" (UTF-8 with BOM, one header per part).
    scheduler : a scheduler address; None starts a LocalCluster on this machine (or uses ``client``).
    progress : show Dask's progress bar (a terminal) or print the dashboard link.
    recycle_above : MiB; a worker whose memory after a task is above it is retired between tasks and started afresh by its
        nanny (:class:`_Recycler`), so that a worker's memory stays bounded whatever the input size; 0: never.
    """
    import dask
    from distributed import Client

    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    if recycle_above < 0:
        raise ValueError(f"recycle_above must be 0 (never) or a number of MiB, got {recycle_above}")
    output = Path(output)
    fmt = (output_format or ("csv" if output.suffix.lower() == ".csv" else "parquet")).lower()
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"output_format must be 'parquet' or 'csv', got {output_format!r}")
    map_ref = str(Path(map_dir).resolve()) if map_dir is not None else None
    model_ref = _model_ref(model)
    rec = engine(map_ref, model_ref)  # fails here, before any cluster work, on a bad map or model
    version = rec.model_version
    paths = _expand_inputs(inputs)
    for path in paths:
        if not path.exists():
            raise InputFileError(str(path), "file not found")
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent))
    cluster = None
    own_client = client is None
    workers_at_start, recycling = 0, False
    try:
        if client is None:
            if scheduler is None:
                cluster = local_cluster(n_workers or os.cpu_count() or 1, dashboard_address=":0" if progress else None)
                client = Client(cluster)
            else:
                client = Client(scheduler)
        if progress and not sys.stderr.isatty() and client.dashboard_link:
            _console(f"Dask 仪表盘 / dashboard: {client.dashboard_link}")
        client.register_plugin(_EngineLoader(map_ref, model_ref), name=_EngineLoader.name)
        workers_at_start = len(client.scheduler_info(n_workers=-1)["workers"])
        if recycle_above:
            client.register_plugin(_Recycler(recycle_above), name=_Recycler.name)
            recycling = True
        # received as they come (the scheduler keeps only the last few events of a topic: distributed.admin.low-level-log-length)
        events: list[tuple[float, dict]] = []
        client.subscribe_topic(EVENTS, events.append)
        # a cluster object in this process (LocalCluster) closes a worker's nanny when no worker of its name has come back
        # within this timeout (15 s by default): a recycled worker's new process (imports, engine) may take about that long
        with dask.config.set({"distributed.deploy.lost-worker-timeout": "300s"} if recycle_above else {}):
            report = _run(client, rec, paths, output, work, map_ref, model_ref, lang, top, shortlist_k, partition_size, fmt, version,
                          progress and sys.stderr.isatty())
            if recycle_above:
                with contextlib.suppress(Exception):  # (a worker closing as it is asked: tried again on the way out)
                    client.unregister_worker_plugin(_Recycler.name)  # a cluster shared with other work does not keep recycling
                    recycling = False
                if cluster is None:  # a cluster that outlives the run is left with as many workers as it had, none leaving
                    _await_recycles(client, workers_at_start, events)
        report = dataclasses.replace(report, events=list(events))
    finally:
        if client is not None and client.status == "running":
            with contextlib.suppress(Exception):  # a cluster lost, or not subscribed yet: nothing to undo
                client.unsubscribe_topic(EVENTS)
            if recycling:
                with contextlib.suppress(Exception):  # (apart: a failed unsubscribe must not leave the plugin registered)
                    client.unregister_worker_plugin(_Recycler.name)
        if own_client and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(work, ignore_errors=True)
    return report


#: How long a run waits at its end for the workers it recycled to be back (a new process: imports, the engine).
RECYCLED_BACK_SECONDS = 120.0
_LEAVING = frozenset({"closing_gracefully", "closing", "closed"})


def _await_recycles(client, workers: int, events: Sequence[tuple[float, dict]],  # noqa: ANN001 - a Client
                    timeout: float = RECYCLED_BACK_SECONDS) -> None:
    """Until no worker is retiring or closing and, once the run has recycled a worker (``events``, received as they come),
    the cluster has ``workers`` workers again: a worker retired for its memory after one of the run's last tasks
    (:class:`_Recycler`) may still be handing back its results or starting afresh when the results are in; without this,
    the run would return with a worker closing or missing, and the next work on the cluster would meet it. (A worker lost
    otherwise, one without a nanny, is not waited for.) Past ``timeout``, a warning: the ranking itself is complete."""
    deadline = time.monotonic() + timeout
    settled = 0
    while True:
        with contextlib.suppress(Exception):  # a scheduler busy with the workers' changes answers on the next try
            states = [w.get("status") for w in client.scheduler_info(n_workers=-1)["workers"].values()]
            recycled = any(message.get("action") == "recycle" for _, message in list(events))
            # (and no worker says it has begun a recycle the scheduler has not heard of yet: a worker that closes does not
            # answer, and is seen leaving by the scheduler)
            starting = any(client.run(_recycling, on_error="ignore").values())
            # (twice in a row: a recycle's event, sent before its worker leaves, has then had a poll's time to arrive)
            settled = settled + 1 if (len(states) >= workers or not recycled) and not _LEAVING.intersection(states) and not starting else 0
            if settled == 2:
                return
        if time.monotonic() > deadline:
            _console(f"警告：{timeout:.0f} 秒内回收的 Dask 工作进程未全部恢复 / warning: recycled Dask workers not all back within "
                     f"{timeout:.0f} s")
            return
        time.sleep(0.1)


def _gather(client, futures: Sequence, progress: bool) -> list:  # noqa: ANN001
    """The tasks' results in the order given, each taken as soon as its task ends and its future released: the worker then
    drops it, instead of holding every task's result (made among the task's rows, so keeping their heap from being given
    back) until the last ends. ``futures`` is read, not changed (a released future that the caller still holds keeps
    nothing on the workers)."""
    if progress:
        from distributed import progress as show

        show(futures)
        print(file=sys.stderr)
    from distributed import as_completed

    where = {future.key: i for i, future in enumerate(futures)}
    out: list = [None] * len(where)
    for future, result in as_completed(futures, with_results=True):
        out[where[future.key]] = result
        future.release()
    return out


def _pieces(client, paths: list[Path], stage: Path, rows: int, progress: bool) -> tuple[list[ParquetPiece], InputTable]:  # noqa: ANN001
    """The inputs as Parquet pieces, and the first input's table (columns, mapping, units, header rows); CSV files staged on the workers."""
    stage.mkdir()
    csv_jobs = {i: client.submit(_stage_csv, str(p.resolve()), str(stage), i, rows, pure=False)
                for i, p in enumerate(paths) if not is_parquet(p)}
    staged = dict(zip(csv_jobs, _gather(client, list(csv_jobs.values()), progress), strict=True))
    pieces: list[ParquetPiece] = []
    first: InputTable | None = None
    for i, path in enumerate(paths):
        if i in staged:
            info = staged[i]
            table = InputTable(path, tuple(info["columns"]), info["mapping"], info["encoding"], header_rows=tuple(info["header_rows"]),
                               units=info["units"])
            for part, _ in info["parts"]:
                pieces.extend(parquet_pieces([Path(part)], rows))
        else:
            table = open_table(path)
            pieces.extend(parquet_pieces(parquet_files(path), rows))
        if first is None:
            first = table
        elif table.columns != first.columns:
            raise InputFileError(str(path), f"its columns {list(table.columns)[:10]} differ from those of {paths[0]} {list(first.columns)[:10]}")
    assert first is not None
    return pieces, first


def _run(client, rec: Recommender, paths: list[Path], output: Path, work: Path, map_ref: str | None, model_ref: str | None,  # noqa: ANN001
         lang: str, top: int, shortlist_k: int, partition_size: int, fmt: str, version: str, progress: bool) -> DaskRankReport:
    clock = [time.perf_counter()]
    seconds: dict[str, float] = {}

    def lap(step: str) -> None:
        clock.append(time.perf_counter())
        seconds[step] = round(clock[-1] - clock[-2], 2)

    pieces, table = _pieces(client, paths, work / "input", partition_size, progress)
    lap("read")
    columns = table.columns
    total = sum(p.rows for p in pieces)
    if total > MAX_ROWS:
        raise InputFileError(str(paths[0]), f"{total} rows, more than the {MAX_ROWS} one run ranks; split the input")
    names = output_names(columns)
    if clash := set(_HELPERS) & set(columns):
        raise InputFileError(str(paths[0]), f"column names reserved by the engine: {sorted(clash)}")
    sources: dict[str, list[str]] = {}
    for column, canon in table.mapping.items():
        sources.setdefault(canon, []).append(column)
    spec = _Spec(map_ref, model_ref, lang, tuple(columns), sources, names, table.units, table.header_rows[-1] + 1)
    offsets = np.concatenate([[0], np.cumsum([p.rows for p in pieces])]).astype(np.int64)
    items = [(p, int(o)) for p, o in zip(pieces, offsets[:-1], strict=True) if p.rows]

    # 1. later copies of a firm, over the whole input (in buckets of identity keys on the staging disk)
    bounds = offsets[[i for i, p in enumerate(pieces) if p.rows] + [len(pieces)]] if items else np.zeros(1, dtype=np.int64)
    marks, _ = _duplicates(client, items, spec, work / "copies", bounds, progress) if items else ([], 0)
    lap("duplicates")

    # 2. score each piece, stage its rows sorted by the sort key
    parts_out = max(1, math.ceil(total / partition_size))
    pool_size = _pool_size(shortlist_k)
    step = max(1, total // (parts_out * _SAMPLES_PER_PART))
    scored = work / "scored"
    scored.mkdir()
    summaries = _gather(client, client.map(
        _score_piece, items, list(range(len(items))), spec=spec, folder=str(scored), marks=[str(m) for m in marks],
        pool_size=pool_size, step=step, pure=False), progress)
    rows = sum(s["rows"] for s in summaries)
    if rows != total:
        raise RuntimeError(f"{rows} rows scored, {total} read")
    counts = {k: sum(s[k] for s in summaries) for k in ("bad", "matched", "inactive", "not_firm", "duplicates")}
    unreadable: dict[str, int] = {}
    for s in summaries:
        for column, n in s["unreadable"].items():
            unreadable[column] = unreadable.get(column, 0) + n
    lap("score")
    chosen, coverage, slots = _shortlist(rec, summaries, shortlist_k, pool_size)

    # 3. the global order from the sort keys alone: output ranges (quantiles of a sample), each file's slice of each range
    inner = _inner_bounds(summaries, parts_out)
    copies = [s["copies"] for s in summaries]
    del summaries
    sizes = np.zeros(len(inner) + 1, dtype=np.int64)
    for counted in _gather(client, client.map(_bounds, list(range(len(items))), copies, folder=str(scored), bounds=bounds, inner=inner,
                                              pure=False), progress):
        sizes += counted
    starts = np.concatenate([[0], np.cumsum(sizes)])[:-1] + 1
    lap("order")

    # 4. each output part: its rows read back from the staged slices, sorted, ranked, written
    staged_out = work / "output"
    staged_out.mkdir()
    suffix = ".csv" if fmt == "csv" else ".parquet"
    keep = [k for k in range(len(sizes)) if sizes[k]]
    part_names = [f"part.{i:05d}{suffix}" for i in range(len(keep))]
    numeric = [names[c] for c in _NUMERIC]
    written = _gather(client, client.map(
        _write_range, keep, [int(starts[k]) for k in keep], [int(sizes[k]) for k in keep],
        [str(staged_out / n) for n in part_names], [max(0, min(top, total) - int(starts[k]) + 1) for k in keep],
        pieces=len(items), folder=str(scored), slots=slots, version=version, spec=spec, numeric=numeric, pure=False), progress)
    if sum(n for n, _ in written) != total:
        raise RuntimeError(f"{sum(n for n, _ in written)} rows written, {total} read")
    heads = [h for _, h in written if h is not None and len(h)]
    top_frame = (pd.concat(heads, ignore_index=True).head(top) if heads
                 else pd.DataFrame(columns=[*columns, *(names[c] for c in OUTPUT_COLUMNS)]))
    lap("write")
    report = column_report(table, unreadable)
    summary = {
        "rows": total, "bad_rows": counts["bad"], "matched_rows": counts["matched"], "inactive_rows": counts["inactive"],
        "not_firm_rows": counts["not_firm"], "duplicate_rows": counts["duplicates"],
        "parts": part_names, "format": fmt,
        "columns": [*columns, *(names[c] for c in OUTPUT_COLUMNS)],
        "inputs": [str(p) for p in paths], "header_rows": list(table.header_rows),
        "column_report": [use.as_dict(lang) for use in report],
        "map": {"id": rec.chain_map.id, "version": rec.map_version}, "model_version": version,
        "coverage": None if coverage is None else {
            "gap_links": coverage.gap_links, "covered_links": coverage.covered_links, "covered_need": coverage.covered_need,
            "by_chain": {k: list(v) for k, v in coverage.by_chain.items()}},
        "shortlist": [{"row": int(r), "name": str(n), "gain": float(g)} for r, n, g in
                      zip(chosen.get("row", []), chosen.get("name", []), chosen.get("gain", []), strict=True)],
        "seconds": seconds,
    }
    (staged_out / "_SUMMARY.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    _replace_dir(staged_out, output)
    return DaskRankReport(rows=total, bad_rows=counts["bad"], matched_rows=counts["matched"], top=top_frame, shortlist=chosen,
                          coverage=coverage, model_version=version, map_version=rec.map_version, parts=len(part_names), output=output,
                          inactive_rows=counts["inactive"], not_firm_rows=counts["not_firm"], duplicate_rows=counts["duplicates"],
                          header_rows=table.header_rows, columns=report, seconds=seconds)


def _inner_bounds(summaries: list[dict], parts: int) -> np.ndarray:
    """The inner boundaries of the output ranges of the sort key: quantiles of the pieces' samples."""
    samples = [s["sample"] for s in summaries if len(s["sample"])]
    if parts <= 1 or not samples:
        return np.zeros(0, dtype=np.int64)
    sample = np.sort(np.concatenate(samples))
    return np.unique(sample[(np.arange(1, parts) * len(sample)) // parts]).astype(np.int64)


def _shortlist(rec: Recommender, summaries: list[dict], k: int, pool_size: int):  # noqa: ANN202
    """The shortlist over the global pool: each piece's candidates (with their affinities) merged, as the local engine does."""
    if not k:
        return pd.DataFrame(), None, {}
    pool = _Pool(pool_size)
    for s in summaries:  # in piece order, one piece's candidates read at a time (the pool keeps at most 4 × its size)
        if s["pool"] is not None:
            with open(s["pool"], "rb") as source:
                pool.merge(*pickle.load(source))
    frame, affinity = pool.result()
    if len(frame):
        best = np.lexsort((frame["row"].to_numpy(), -frame["score"].to_numpy()))[:pool_size]
        frame, affinity = frame.iloc[best], affinity[best]
    chosen, coverage = shortlist(rec.scorer, frame.reset_index(drop=True), affinity, k)
    slots = {int(r): i + 1 for i, r in enumerate(chosen["row"])}
    return chosen.reset_index(drop=True), coverage, slots


def _replace_dir(staged: Path, target: Path) -> None:
    """Move the finished output folder to ``target``, replacing what is there only now."""
    if target.is_dir():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(staged, target)
        shutil.rmtree(old, ignore_errors=True)
    elif target.exists():
        raise InputFileError(str(target), "the output exists and is not a folder")
    else:
        os.replace(staged, target)
