"""Rank very large inputs (a national registry: tens of millions of firms) on a Dask cluster.

The same library code runs per partition as in the local engine (:func:`recommender.ranking.score_chunk`,
through ``map_partitions`` with an explicit meta), with the same promises: every input row comes
back exactly once, rows are ranked in the local engine's bands (active firms; firms not active;
rows without a name; rows that are not firms), text cells are neutralised as the local writer
does, scores are identical. Unlike the local engine it marks no duplicates: a later copy of a
firm is ranked on its own keys and ``duplicate_of`` stays empty (finding copies across the whole
input would take a shuffle on the normalised name).

How a run goes (:func:`rank_dask`):

1. **Pieces.** Parquet inputs are cut into pieces of about ``partition_size`` rows from their
   footers; CSV files are first read on the workers, one task per file, with the local reader
   (:func:`~recommender.io.open_table`: the same encoding decision, header rules and errors
   naming the file and line) and staged as Parquet pieces. Every row gets its global number:
   its piece's offset plus its position (inputs in the order given, rows in file order).
2. **Score** each piece (``map_partitions``) and write the scored rows, unsorted, to a staging
   Parquet dataset. Each worker builds the chain map, the matcher's automaton and the landing
   model's tables once (:func:`engine`, a per-process cache, warmed by a worker plugin when the
   worker joins); tasks carry only the map folder and the model reference.
3. **Global answers** from small per-part summaries: the global top N (each part's best N, then
   merged), the shortlist pool (each part's best rows by score, merged; their link affinities are
   recomputed for those rows only), counts, and a sample of sort keys from which the ranges of
   the output partitions are drawn (quantiles); a pass over the key column counts each range.
4. **Sort**: the rows are shuffled into those ranges (``set_index`` on one int64 key that encodes
   the local engine's order: the band, priority, score, confidence, input order) and each
   range gets ranks from its offset. The output parts are written with the local writer
   (:class:`~recommender.io.TableWriter`: Parquet by default, or CSV parts), then
   ``_SUMMARY.json``; the folder is moved into place only when all of it is written, so a failed
   run leaves no output that looks complete.

The shortlist pool is the best ``max(2000, 20 K)`` matched active firms (band 0) by score (ties by
input order) over the whole input, whatever the partitioning.
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from distributed import WorkerPlugin

from .._recommender import Recommender
from ..exceptions import InputFileError
from ..tables._io import open_table
from ..tables._parquet import ParquetPiece, is_parquet, parquet_files, parquet_pieces, read_piece
from ..tables._vendor import profiles
from ._rank import (
    _NUMERIC,
    BAND_FIRM,
    BAND_INACTIVE,
    BAND_NOT_FIRM,
    OUTPUT_COLUMNS,
    RANKED_RESULT_COLUMNS,
    _RankCounts,
    output_names,
    score_chunk,
    shortlist,
)

__all__ = ["DaskRankReport", "engine", "rank_dask",]

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


def _score_partition(raw: pd.DataFrame, spec: _Spec) -> pd.DataFrame:
    """Score one partition of input rows (text columns, index = global row numbers).

    Returns the input columns, the result columns (output names) and the helper columns: the
    row number, the sort key and whether the row matched a link.
    """
    rec = engine(spec.map_dir, spec.model_ref)
    rows = raw.index.to_numpy(dtype=np.int64)
    raw = raw.reset_index(drop=True)
    chunk = score_chunk(rec.scorer, profiles(raw, spec.sources, spec.units), lang=spec.lang, model=rec.model)
    result = chunk.result
    band = chunk.keys[:, 0].astype(np.int64)
    result.columns = [spec.names[c] for c in RANKED_RESULT_COLUMNS]
    out = pd.concat([raw, result], axis=1)
    out[ROW] = rows
    priority, score, confidence = (result[spec.names[c]].to_numpy(dtype=np.float64) for c in ("priority", "score", "confidence"))
    out[ORDER] = _order_key(band, priority, score, confidence, rows)
    out[MATCHED] = chunk.linked
    out.index = pd.RangeIndex(len(out))
    text = [c for c in out.columns if out[c].dtype == object]
    return out.astype(dict.fromkeys(text, "str")) if text else out


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
            "parts": parts}


def _part_summary(path: str, top: int, pool_size: int, step: int, errors: str, score: str) -> dict:
    """Counts, a sample of sort keys, the best ``top`` rows and the shortlist candidates of one scored part."""
    import pyarrow.parquet as pq

    keys = pq.read_table(path, columns=[ORDER, MATCHED, errors, score]).to_pandas()
    order = keys[ORDER].to_numpy(dtype=np.int64)
    bad = keys[errors].to_numpy(dtype=object) != ""
    band = _band_of(order)
    matched = keys[MATCHED].to_numpy(dtype=bool)
    ordered = np.sort(order)
    best = np.argsort(order, kind="stable")[:top]
    ok = np.flatnonzero((band == BAND_FIRM) & matched)
    # ties by input order: the row number is the low bits of the key
    candidates = ok[np.lexsort((order[ok] & MAX_ROWS, -keys[score].to_numpy()[ok]))][:pool_size]
    wanted = np.union1d(best, candidates)
    rows = pq.read_table(path).take(wanted).to_pandas() if len(wanted) else None
    pick = {int(w): i for i, w in enumerate(wanted)}
    return {
        "rows": len(order),
        "bad": int(bad.sum()),
        "matched": int(matched.sum()),
        "inactive": int((band == BAND_INACTIVE).sum()),
        "not_firm": int((band == BAND_NOT_FIRM).sum()),
        "sample": ordered[::step],
        "min": int(ordered[0]) if len(ordered) else None,
        "max": int(ordered[-1]) if len(ordered) else None,
        "top": rows.iloc[[pick[int(i)] for i in best]] if rows is not None else None,
        "pool": rows.iloc[[pick[int(i)] for i in candidates]] if rows is not None else None,
    }


def _histogram(path: str, inner: np.ndarray) -> np.ndarray:
    """How many keys of one scored part fall in each output range (``inner``: the inner boundaries)."""
    import pyarrow.parquet as pq

    order = pq.read_table(path, columns=[ORDER]).column(0).to_numpy()
    return np.bincount(np.searchsorted(inner, order, side="right"), minlength=len(inner) + 1)


def _finish(part: pd.DataFrame, divisions: tuple[int, ...], counts: np.ndarray, offsets: np.ndarray,
            slots: dict[int, int], version: str, spec: _Spec) -> pd.DataFrame:
    """Ranks, shortlist positions and the model version for one sorted range; the output columns in order."""
    n = len(spec.columns)
    if len(part):
        k = min(int(np.searchsorted(divisions, part.index[0], side="right")) - 1, len(counts) - 1)
        if len(part) != counts[k]:
            raise RuntimeError(f"output range {k} holds {len(part)} rows, {counts[k]} expected")
        if not part.index.is_monotonic_increasing:
            part = part.sort_index()
        first = int(offsets[k]) + 1
    else:
        first = 1
    out = part.reset_index(drop=True)
    rows = out.pop(ROW).to_numpy(dtype=np.int64)
    out = out.drop(columns=[c for c in (ORDER, MATCHED) if c in out.columns])
    out.insert(n, spec.names["rank"], np.arange(first, first + len(out), dtype=np.int64))
    out[spec.names["shortlist"]] = pd.array([slots.get(int(r)) for r in rows], dtype="Int64")
    out[spec.names["model_version"]] = pd.Series([version] * len(out), dtype="str")
    return out


def _write_part(frame: pd.DataFrame, path: str, numeric: list[str]) -> int:
    from ..tables._io import TableWriter

    with TableWriter(path, list(frame.columns), numeric_columns=numeric) as writer:
        writer.write(frame)
    return len(frame)


@dataclass(frozen=True)
class DaskRankReport(_RankCounts):
    """What :func:`rank_dask` did (as :class:`~recommender.ranking.RankReport`, plus the parts written)."""

    model_version: str
    map_version: str
    parts: int
    output: Path
    inactive_rows: int = 0
    not_firm_rows: int = 0
    duplicate_rows: int = 0  # always 0: this engine marks no duplicates
    header_rows: tuple[int, ...] = ()
    columns: tuple = ()  # no column report from this engine


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


def _compute(client, collection, progress: bool):  # noqa: ANN001, ANN202
    futures = client.compute(collection)
    if progress:
        from distributed import progress as show

        show(futures)
        print(file=sys.stderr)
    return client.gather(futures)


def _gather(client, futures, progress: bool) -> list:  # noqa: ANN001
    if progress:
        from distributed import progress as show

        show(futures)
        print(file=sys.stderr)
    return client.gather(futures)


def _pieces(client, paths: list[Path], stage: Path, rows: int, progress: bool):  # noqa: ANN001, ANN202
    """The inputs as Parquet pieces, their columns and canonical mapping (CSV files staged on the workers)."""
    stage.mkdir()
    csv_jobs = {i: client.submit(_stage_csv, str(p.resolve()), str(stage), i, rows, pure=False)
                for i, p in enumerate(paths) if not is_parquet(p)}
    staged = dict(zip(csv_jobs, _gather(client, list(csv_jobs.values()), progress), strict=True))
    pieces: list[ParquetPiece] = []
    header: tuple[str, ...] | None = None
    mapping: dict[str, str] = {}
    units: dict[str, float] = {}
    for i, path in enumerate(paths):
        if i in staged:
            info = staged[i]
            columns, found, found_units = tuple(info["columns"]), info["mapping"], info["units"]
            for part, _ in info["parts"]:
                pieces.extend(parquet_pieces([Path(part)], rows))
        else:
            table = open_table(path)
            columns, found, found_units = table.columns, table.mapping, table.units
            pieces.extend(parquet_pieces(parquet_files(path), rows))
        if header is None:
            header, mapping, units = columns, found, found_units
        elif columns != header:
            raise InputFileError(str(path), f"its columns {list(columns)[:10]} differ from those of {paths[0]} {list(header)[:10]}")
    assert header is not None
    return pieces, header, mapping, units


def _run(client, rec: Recommender, paths: list[Path], output: Path, work: Path, map_ref: str | None, model_ref: str | None,  # noqa: ANN001
         lang: str, top: int, shortlist_k: int, partition_size: int, fmt: str, version: str, progress: bool) -> DaskRankReport:
    import dask
    import dask.dataframe as dd

    pieces, columns, mapping, units = _pieces(client, paths, work / "input", partition_size, progress)
    total = sum(p.rows for p in pieces)
    if total > MAX_ROWS:
        raise InputFileError(str(paths[0]), f"{total} rows, more than the {MAX_ROWS} one run ranks; split the input")
    names = output_names(columns)
    if clash := set(_HELPERS) & set(columns):
        raise InputFileError(str(paths[0]), f"column names reserved by the engine: {sorted(clash)}")
    sources: dict[str, list[str]] = {}
    for column, canon in mapping.items():
        sources.setdefault(canon, []).append(column)
    spec = _Spec(map_ref, model_ref, lang, tuple(columns), sources, names, units)
    offsets = np.concatenate([[0], np.cumsum([p.rows for p in pieces])]).astype(np.int64)
    items = [(p, int(o)) for p, o in zip(pieces, offsets[:-1], strict=True) if p.rows]
    sample = pd.DataFrame({c: pd.Series(["示例"], dtype="str") for c in columns}, index=pd.RangeIndex(0, 1))
    raw_meta = sample.iloc[:0]
    meta = _score_partition(sample, spec).iloc[:0]
    parts_out = max(1, math.ceil(total / partition_size))
    scored_dir = work / "scored"
    with dask.config.set({"dataframe.convert-string": False}):
        if items:
            raw = dd.from_map(_read, items, columns=tuple(columns), meta=raw_meta, enforce_metadata=False)
            scored = raw.map_partitions(_score_partition, spec, meta=meta)
            _compute(client, scored.to_parquet(scored_dir, write_index=False, compute=False,
                                               name_function=lambda i: f"part.{i:06d}.parquet"), progress)
        files = sorted(str(p) for p in scored_dir.glob("*.parquet")) if scored_dir.exists() else []
        pool_size = max(2_000, 20 * shortlist_k) if shortlist_k else 0
        step = max(1, total // (parts_out * _SAMPLES_PER_PART))
        summaries = _gather(client, client.map(_part_summary, files, top=top, pool_size=pool_size, step=step,
                                               errors=names["errors"], score=names["score"]), progress)
        rows = sum(s["rows"] for s in summaries)
        if rows != total:
            raise RuntimeError(f"{rows} rows scored, {total} read")
        bad = sum(s["bad"] for s in summaries)
        inactive = sum(s["inactive"] for s in summaries)
        not_firm = sum(s["not_firm"] for s in summaries)
        matched = sum(s["matched"] for s in summaries)
        chosen, coverage, slots = _shortlist(rec, summaries, spec, shortlist_k, pool_size)
        top_frame = _top(summaries, top, slots, version, spec, meta)
        part_names: list[str] = []
        staged_out = work / "output"
        staged_out.mkdir()
        if files:
            divisions, counts = _ranges(client, files, summaries, parts_out, progress)
            starts = np.concatenate([[0], np.cumsum(counts)])[:-1]
            out_meta = _finish(meta.set_index(ORDER), divisions, counts, starts, {}, version, spec)
            ranked = (dd.read_parquet(files, index=False, split_row_groups=False)
                      .set_index(ORDER, divisions=list(divisions))
                      .map_partitions(_finish, divisions, counts, starts, slots, version, spec, meta=out_meta))
            numeric = [names[c] for c in _NUMERIC]
            suffix = ".csv" if fmt == "csv" else ".parquet"
            part_names = [f"part.{i:05d}{suffix}" for i in range(ranked.npartitions)]
            writes = [dask.delayed(_write_part)(d, str(staged_out / n), numeric) for d, n in zip(ranked.to_delayed(), part_names, strict=True)]
            written = _compute(client, writes, progress)
            if sum(written) != total:
                raise RuntimeError(f"{sum(written)} rows written, {total} read")
    summary = {
        "rows": total, "bad_rows": bad, "matched_rows": matched, "inactive_rows": inactive, "not_firm_rows": not_firm,
        "parts": part_names, "format": fmt,
        "columns": [*columns, *(names[c] for c in OUTPUT_COLUMNS)],
        "inputs": [str(p) for p in paths],
        "map": {"id": rec.chain_map.id, "version": rec.map_version}, "model_version": version,
        "coverage": None if coverage is None else {
            "gap_links": coverage.gap_links, "covered_links": coverage.covered_links, "covered_need": coverage.covered_need,
            "by_chain": {k: list(v) for k, v in coverage.by_chain.items()}},
        "shortlist": [{"row": int(r), "name": str(n), "gain": float(g)} for r, n, g in
                      zip(chosen.get("row", []), chosen.get("name", []), chosen.get("gain", []), strict=True)],
    }
    (staged_out / "_SUMMARY.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    _replace_dir(staged_out, output)
    return DaskRankReport(rows=total, bad_rows=bad, matched_rows=matched, top=top_frame, shortlist=chosen, coverage=coverage,
                          model_version=version, map_version=rec.map_version, parts=len(part_names), output=output,
                          inactive_rows=inactive, not_firm_rows=not_firm)


def _ranges(client, files: list[str], summaries: list[dict], parts: int, progress: bool) -> tuple[tuple[int, ...], np.ndarray]:  # noqa: ANN001
    """Output ranges of the sort key from the parts' samples (quantiles), and the exact row count of each."""
    sample = np.sort(np.concatenate([s["sample"] for s in summaries]))
    low = min(s["min"] for s in summaries if s["min"] is not None)
    high = max(s["max"] for s in summaries if s["max"] is not None)
    inner = np.unique(sample[(np.arange(1, parts) * len(sample)) // parts]) if parts > 1 else np.zeros(0, dtype=np.int64)
    inner = inner[(inner > low) & (inner <= high)]
    divisions = (low, *(int(v) for v in inner), high) if high > low or len(inner) else (low, high)
    counts = np.sum(_gather(client, client.map(_histogram, files, inner=np.asarray(divisions[1:-1], dtype=np.int64)), progress), axis=0)
    return divisions, counts


def _shortlist(rec: Recommender, summaries: list[dict], spec: _Spec, k: int, pool_size: int):  # noqa: ANN202
    """The shortlist over the global pool: each part's candidates merged, affinities recomputed for those rows."""
    if not k:
        return pd.DataFrame(), None, {}
    names = spec.names
    frames = [s["pool"] for s in summaries if s["pool"] is not None and len(s["pool"])]
    if frames:
        pool = pd.concat(frames, ignore_index=True)
        pool = pool.iloc[np.lexsort((pool[ROW].to_numpy(), -pool[names["score"]].to_numpy()))[:pool_size]].reset_index(drop=True)
    else:
        pool = pd.DataFrame({**{c: pd.Series([], dtype="str") for c in spec.columns}, ROW: pd.Series([], dtype="int64"),
                             **{names[c]: pd.Series([], dtype="float64") for c in RANKED_RESULT_COLUMNS if c.startswith("score")}})
    raw = pool[list(spec.columns)].reset_index(drop=True)
    scored, match = rec.scorer.score_with_match(profiles(raw, spec.sources, spec.units))
    if len(pool) and not np.array_equal(scored["score"].to_numpy(), pool[names["score"]].to_numpy()):
        raise RuntimeError("the shortlist candidates scored differently on a second pass")
    candidates = scored[["name", "score", "link_id", "chain_id", *[c for c in RANKED_RESULT_COLUMNS if c.startswith("score_")]]].copy()
    candidates["row"] = pool[ROW].to_numpy(dtype=np.int64)
    chosen, coverage = shortlist(rec.scorer, candidates, match.affinity, k)
    slots = {int(r): i + 1 for i, r in enumerate(chosen["row"])}
    return chosen.reset_index(drop=True), coverage, slots


def _top(summaries: list[dict], top: int, slots: dict[int, int], version: str, spec: _Spec, meta: pd.DataFrame) -> pd.DataFrame:
    """The ``top`` best rows overall, with the output columns (each part's best, merged)."""
    frames = [s["top"] for s in summaries if s["top"] is not None and len(s["top"])]
    frame = pd.concat(frames, ignore_index=True).sort_values(ORDER, kind="stable").head(top) if frames and top else meta
    frame = frame.set_index(ORDER)
    counts = np.array([len(frame)])
    divisions = (int(frame.index[0]) if len(frame) else 0, int(frame.index[-1]) if len(frame) else 0)
    return _finish(frame, divisions, counts, np.zeros(1, dtype=np.int64), slots, version, spec)


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
