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
   credit code (:meth:`~recommender.tables._vendor.Duplicates.keys`) and return the distinct
   hashes; the rows whose name or code occurs more than once anywhere are fetched (names and
   codes only) and marked in input order by the local reader's
   :class:`~recommender.tables._vendor.Duplicates`, which gives the local engine's answer:
   ``duplicate_of`` is the row number of the first copy as in one file holding all inputs in
   order under the first input's header.
3. **Score** each piece (:func:`score_chunk` with those copies) and stage its rows on the shared
   disk as an Arrow IPC file sorted by one int64 sort key (:func:`_order_key`: the band,
   priority, score, confidence, input order); copies of firms go to a second file. Each worker
   builds the chain map, the matcher's automaton and the landing model's tables once
   (:func:`engine`, a per-process cache, warmed by a worker plugin when the worker joins);
   tasks carry only the map folder and the model reference. A task returns small things:
   counts, unreadable values per column, a sample of its keys, its shortlist candidates with
   their affinities, and the keys of rows that copies follow.
4. **The global order from the keys alone.** The ranges of the output parts are quantiles of the
   samples; each staged file (sorted) says where each range starts in it; a copy takes its
   first copy's key (its file re-sorted, copies only), so it lands right after it. The
   shortlist is picked from the merged candidates (the local engine's pool and greedy pick).
5. **Write** each output part: its rows are read back from the slice of every staged file that
   falls in its range (a memory map: only those batches are touched), sorted, ranked from the
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
import functools
import glob
import json
import math
import os
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

from .._recommender import Recommender
from ..exceptions import InputFileError
from ..tables._io import InputTable, open_table
from ..tables._parquet import ParquetPiece, is_parquet, parquet_files, parquet_pieces, read_piece
from ..tables._reading import firm_identity
from ..tables._report import column_report
from ..tables._vendor import Duplicates, profiles
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

__all__ = ["DaskRankReport", "engine", "rank_dask"]

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


@functools.cache
def engine(map_dir: str | None, model_ref: str | None) -> Recommender:
    """The map, its scorer (matcher automaton included) and the landing model, built once per process."""
    return Recommender(map_dir, model=model_ref)


class _EngineLoader(WorkerPlugin):
    """A worker plugin that builds :func:`engine` when a worker joins (also a worker that replaces a lost one)."""

    name = "recommender-engine"

    def __init__(self, map_dir: str | None, model_ref: str | None):
        self.map_dir = map_dir
        self.model_ref = model_ref

    async def setup(self, worker) -> None:  # noqa: ANN001 - distributed.Worker
        await asyncio.get_running_loop().run_in_executor(None, engine, self.map_dir, self.model_ref)


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


def _identities(item: tuple[ParquetPiece, int], spec: _Spec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a piece: the firm name, the credit code (as read) and the 64-bit hashes of their
    normalised forms (:meth:`Duplicates.keys`; 0 where there is none)."""
    piece, _ = item
    wanted = [c for c in (*spec.sources["name"], *spec.sources.get("credit_code", [])) if c in spec.columns]
    raw = _read_columns(piece, spec.columns, wanted)
    names, codes = firm_identity(raw, spec.sources)
    codes = codes if codes is not None else np.full(len(names), "", dtype=object)
    keys = [Duplicates.keys(n, c) if n else ("", "") for n, c in zip(names.tolist(), codes.tolist(), strict=True)]
    hashed = np.zeros((len(keys), 2), dtype=np.uint64)
    for j, tag in enumerate(("n", "c")):
        present = np.array([bool(k[j]) for k in keys], dtype=bool)
        if present.any():
            hashed[present, j] = pd.util.hash_array(np.array([tag + k[j] for k in keys if k[j]], dtype=object))
    hashed[hashed == 0] = 1  # 0 means "none"
    for j in range(2):
        hashed[[not k[j] for k in keys], j] = 0
    return names, codes, hashed


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


def _identity_counts(item: tuple[ParquetPiece, int], spec: _Spec) -> tuple[np.ndarray, np.ndarray]:
    """The distinct identity hashes of a piece and how often each occurs in it."""
    hashed = _identities(item, spec)[2].ravel()
    return np.unique(hashed[hashed != 0], return_counts=True)


def _identity_rows(item: tuple[ParquetPiece, int], spec: _Spec, shared: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of a piece whose name or code occurs more than once in the input: global row numbers, names, codes."""
    names, codes, hashed = _identities(item, spec)
    at = np.flatnonzero(np.isin(hashed, shared).any(axis=1))
    return at + item[1], names[at], codes[at]


def _duplicates(client, items: list[tuple[ParquetPiece, int]], spec: _Spec, progress: bool) -> dict[int, int]:  # noqa: ANN001
    """Later copies of a firm over the whole input: global row → the file row number of its first copy.

    Only rows whose normalised name or credit code occurs more than once can be copies or first
    copies; those rows alone, in input order, go through :class:`Duplicates` (the local reader's
    marking), which gives the local engine's answer. The first pass returns only distinct hashes.
    """
    if not items:
        return {}
    counted = _gather(client, client.map(_identity_counts, items, spec=spec), progress)
    values = np.concatenate([v for v, _ in counted])
    within = np.concatenate([v[c > 1] for v, c in counted])
    across, seen = np.unique(values, return_counts=True)
    shared = np.union1d(within, across[seen > 1])
    del values, across, seen
    if not len(shared):
        return {}
    # scattered once to every worker, never a task argument (a large array argument is shipped with each task)
    found = _gather(client, client.map(_identity_rows, items, spec=spec, shared=client.scatter(shared, broadcast=True)), progress)
    rows = np.concatenate([f[0] for f in found])
    if not len(rows):
        return {}
    names = np.concatenate([f[1] for f in found])
    codes = np.concatenate([f[2] for f in found])
    first = Duplicates().mark(names, codes, np.full(len(rows), "", dtype=object), rows + spec.first_line)
    copies = first > 0
    return dict(zip(rows[copies].tolist(), first[copies].tolist(), strict=True))


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


def _score_piece(item: tuple[ParquetPiece, int], index: int, copies: dict[int, int], firsts: np.ndarray, spec: _Spec,
                 folder: str, pool_size: int, step: int) -> dict:
    """Score one piece (:func:`score_chunk`, as the local engine) and stage its rows (runs on a worker).

    The rows that are not copies go to ``main-i.arrow`` sorted by their sort key, the copies of
    firms (ranked by their first copy's key, not known here) to ``copy-i.arrow``. Returns the
    counts, a sample of the sort keys, the shortlist candidates, the unreadable values per
    column, and the sort keys of ``firsts`` (rows of this piece that later copies follow).
    """
    rec = engine(spec.map_dir, spec.model_ref)
    piece, offset = item
    raw = _read(item, spec.columns).reset_index(drop=True)
    duplicate_of = np.zeros(len(raw), dtype=np.int64)
    for row, line in copies.items():
        duplicate_of[row - offset] = line
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
    stage = Path(folder)
    _write_arrow(frame.iloc[main], stage / f"main-{index:06d}.arrow")
    copy_path = None
    if copy.any():
        copy_path = stage / f"copy-{index:06d}.arrow"
        _write_arrow(frame.iloc[np.flatnonzero(copy)], copy_path)
    wanted = np.isin(rows, firsts)
    return {
        "rows": len(rows), "bad": int(chunk.bad.sum()), "matched": chunk.matched,
        "inactive": int((band == BAND_INACTIVE).sum()), "not_firm": int((band == BAND_NOT_FIRM).sum()),
        "duplicates": int(copy.sum()), "unreadable": dict(prof.attrs.get("unreadable", {})),
        "sample": key[main][::step], "main": str(stage / f"main-{index:06d}.arrow"), "main_rows": len(main),
        "copies": None if copy_path is None else str(copy_path),
        "pool": None if chunk.candidates is None else (chunk.candidates, chunk.affinity),
        "firsts": dict(zip(rows[wanted].tolist(), key[wanted].tolist(), strict=True)),
    }


def _bounds(summary: dict, anchors: dict[int, int], inner: np.ndarray) -> dict:
    """Where each output range starts in a piece's staged files (runs on a worker).

    The main file is sorted already; the copies get their first copy's sort key (``anchors``:
    row → key) and are rewritten sorted by it, then by row, so that each copy lands right after
    its first copy (and after earlier copies) in whichever range that falls.
    """
    def cuts(keys: np.ndarray) -> np.ndarray:
        return np.concatenate([[0], np.searchsorted(keys, inner, side="left"), [len(keys)]])

    out: dict[str, object] = {"main": cuts(_read_arrow(summary["main"], columns=[ORDER])[ORDER].to_numpy(dtype=np.int64))}
    if summary["copies"] is not None:
        frame = _read_arrow(summary["copies"])
        try:
            frame[ORDER] = [anchors[int(r)] for r in frame[ROW].to_numpy()]
        except KeyError as exc:
            raise RuntimeError(f"the first copy of row {exc} was not scored") from None
        frame = frame.iloc[np.lexsort((frame[ROW].to_numpy(), frame[ORDER].to_numpy()))]
        path = Path(summary["copies"]).with_suffix(".sorted.arrow")
        _write_arrow(frame, path)
        out["copies"] = (str(path), cuts(frame[ORDER].to_numpy(dtype=np.int64)))
    return out


def _finish(part: pd.DataFrame, first: int, slots: dict[int, int], version: str, spec: _Spec) -> pd.DataFrame:
    """Ranks ``first, first + 1, …``, shortlist positions and the model version for rows in rank order; the output columns in order."""
    out = part.reset_index(drop=True)
    rows = out.pop(ROW).to_numpy(dtype=np.int64)
    out = out.drop(columns=[c for c in (ORDER, MATCHED) if c in out.columns])
    out.insert(len(spec.columns), spec.names["rank"], np.arange(first, first + len(out), dtype=np.int64))
    out[spec.names["shortlist"]] = pd.array([slots.get(int(r)) for r in rows], dtype="Int64")
    out[spec.names["model_version"]] = pd.Series([version] * len(out), dtype="str")
    return out


def _write_range(slices: list[tuple[str, int, int]], first: int, expected: int, path: str, head: int, *, slots: dict[int, int],
                 version: str, spec: _Spec, numeric: list[str]) -> tuple[int, pd.DataFrame | None]:
    """One output part (runs on a worker): its rows read back from every staged file's slice,
    sorted, ranked from ``first`` and written; returns the rows written and the first ``head``."""
    import pyarrow as pa

    from ..tables._io import TableWriter

    # one conversion to pandas for the whole part: converting each slice costs per column, and a part has a slice per staged file
    tables = [_arrow_slice(p, a, b) for p, a, b in slices]
    part = pa.concat_tables(tables, promote_options="permissive").to_pandas() if tables else None
    if part is None or len(part) != expected:
        raise RuntimeError(f"output part {Path(path).name} holds {0 if part is None else len(part)} rows, {expected} expected")
    del tables
    part = part.iloc[np.lexsort((part[ROW].to_numpy(), part[ORDER].to_numpy()))]
    out = _finish(part, first, slots, version, spec)
    del part
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
    """
    from distributed import Client, LocalCluster

    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
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
    try:
        if client is None:
            if scheduler is None:
                cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                       dashboard_address=":0" if progress else None)
                client = Client(cluster)
            else:
                client = Client(scheduler)
        if progress and not sys.stderr.isatty() and client.dashboard_link:
            _console(f"Dask 仪表盘 / dashboard: {client.dashboard_link}")
        client.register_plugin(_EngineLoader(map_ref, model_ref), name=_EngineLoader.name)
        report = _run(client, rec, paths, output, work, map_ref, model_ref, lang, top, shortlist_k, partition_size, fmt, version,
                      progress and sys.stderr.isatty())
    finally:
        if own_client and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(work, ignore_errors=True)
    return report


def _gather(client, futures, progress: bool) -> list:  # noqa: ANN001
    if progress:
        from distributed import progress as show

        show(futures)
        print(file=sys.stderr)
    return client.gather(futures)


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

    # 1. later copies of a firm, over the whole input (small: names and codes only)
    copy_of = _duplicates(client, items, spec, progress)
    firsts = np.unique(np.fromiter(copy_of.values(), dtype=np.int64, count=len(copy_of)) - spec.first_line)
    bounds = offsets[[i for i, p in enumerate(pieces) if p.rows] + [len(pieces)]] if items else np.zeros(1, dtype=np.int64)
    copies_of_piece: list[dict[int, int]] = [{} for _ in items]
    for row, line in copy_of.items():
        copies_of_piece[int(np.searchsorted(bounds, row, side="right")) - 1][row] = line
    lap("duplicates")

    # 2. score each piece, stage its rows sorted by the sort key
    parts_out = max(1, math.ceil(total / partition_size))
    pool_size = _pool_size(shortlist_k)
    step = max(1, total // (parts_out * _SAMPLES_PER_PART))
    scored = work / "scored"
    scored.mkdir()
    summaries = _gather(client, client.map(
        _score_piece, items, list(range(len(items))), copies_of_piece,
        [firsts[(firsts >= bounds[i]) & (firsts < bounds[i + 1])] for i in range(len(items))],
        spec=spec, folder=str(scored), pool_size=pool_size, step=step, pure=False), progress)
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
    anchors: dict[int, int] = {}
    for s in summaries:
        anchors.update(s["firsts"])
    anchor_of = {row: anchors[line - spec.first_line] for row, line in copy_of.items()}
    inner = _inner_bounds(summaries, parts_out)
    where = _gather(client, client.map(
        _bounds, [{"main": s["main"], "copies": s["copies"]} for s in summaries],
        [{r: anchor_of[r] for r in piece_copies} for piece_copies in copies_of_piece],
        inner=inner, pure=False), progress)
    slices: list[list[tuple[str, int, int]]] = [[] for _ in range(len(inner) + 1)]
    for s, w in zip(summaries, where, strict=True):
        for path, cuts in ((s["main"], w["main"]), *([w["copies"]] if "copies" in w else [])):
            for k in range(len(inner) + 1):
                if cuts[k + 1] > cuts[k]:
                    slices[k].append((path, int(cuts[k]), int(cuts[k + 1])))
    sizes = np.array([sum(b - a for _, a, b in part) for part in slices], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])[:-1] + 1
    lap("order")

    # 4. each output part: its rows read back from the staged slices, sorted, ranked, written
    staged_out = work / "output"
    staged_out.mkdir()
    suffix = ".csv" if fmt == "csv" else ".parquet"
    keep = [k for k in range(len(slices)) if sizes[k]]
    part_names = [f"part.{i:05d}{suffix}" for i in range(len(keep))]
    numeric = [names[c] for c in _NUMERIC]
    written = _gather(client, client.map(
        _write_range, [slices[k] for k in keep], [int(starts[k]) for k in keep], [int(sizes[k]) for k in keep],
        [str(staged_out / n) for n in part_names], [max(0, min(top, total) - int(starts[k]) + 1) for k in keep],
        slots=slots, version=version, spec=spec, numeric=numeric, pure=False), progress)
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
    for s in summaries:
        if s["pool"] is not None:
            pool.merge(*s["pool"])
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
