"""Scored firms → a ranking, a shortlist, and ranked files.

Order: bands first (active firms; firms whose registration status says they are not active;
rows without a firm name; rows that are not firms: totals, notes, blank rows), then priority (high first; priority = 100 × √(score/100 ×
likelihood), see :mod:`recommender.likelihood`), then score, then confidence, then input order.
Every ranked row shows ``score`` (strategic value), ``likelihood`` (landing model, or the
prior) and ``priority``, the likelihood's main parts (``likelihood_reasons``) and the
``model_version``. A row with an unreadable value ranks on what is known, the value named in
``errors``; a row without a name is held back in its band. A later copy of a firm (same credit
code or normalised name) is marked ``duplicate_of`` the first copy's row number and ranked right
after it. Only active firms that are not copies are shortlisted.

Files are read in chunks; each chunk is scored (in worker processes when ``workers > 1``; the
first and last chunks cut in pieces so that every worker starts at once and they finish
together) and, for CSV output, its rows are encoded at once and spilled to a temporary file,
so what waits in memory for the global sort is 64 bytes per row (five sort keys and where the
row lies). The output is then written in rank order, reading each row back; for large files
the workers write runs of ranks in place, into room the main process reserved from the
lines' known lengths. XLSX output (for lists an officer opens in Excel, not millions of rows)
keeps the rows in memory. The shortlist pool keeps only the best rows of each chunk with
their link affinities.

The shortlist (按图索骥) picks K firms greedily by marginal gain: a firm's chain value on each
link it serves, times the share of that link's need still open, plus its firm traits; once
a firm is picked, the need left on its links shrinks by its affinity, so a second firm for a
gap already covered is worth less than a first firm for another gap.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..likelihood._estimators import PRIOR_VERSION, estimate_landing, priority
from ..scoring._explanation import explain_frame, likelihood_reasons
from ..scoring._scorer import COMPONENT_COLUMNS, RESULT_COLUMNS, Scorer
from ..tables._io import TableChunk, TableWriter, encode_csv_rows, open_table
from ..tables._report import ColumnUse, column_report, identifier_column, notes_rows

if TYPE_CHECKING:
    from ..likelihood._modelstore import LandingModel

__all__ = ["OUTPUT_COLUMNS", "RANKED_RESULT_COLUMNS", "Coverage", "RankReport", "rank_file", "rank_frame", "shortlist"]

_AFTER_REASONS = RESULT_COLUMNS.index("reasons") + 1
#: The scorer's result columns with the landing model's: likelihood and priority after the
#: score, the likelihood's main parts after the reasons.
RANKED_RESULT_COLUMNS = (
    RESULT_COLUMNS[0], "likelihood", "priority", *RESULT_COLUMNS[1:_AFTER_REASONS], "likelihood_reasons", *RESULT_COLUMNS[_AFTER_REASONS:],
    "duplicate_of",
)
#: Columns appended to the input columns of a ranked table, in order.
OUTPUT_COLUMNS = ("rank", *RANKED_RESULT_COLUMNS, "shortlist", "model_version")
_NUMERIC = ("rank", "score", "likelihood", "priority", "confidence", *COMPONENT_COLUMNS, "duplicate_of", "shortlist")
#: Row bands, ranked in this order: active firms, firms not active, rows without a name, rows that are not firms.
BAND_FIRM, BAND_INACTIVE, BAND_NO_NAME, BAND_NOT_FIRM = 0, 1, 2, 3
_NOT_FIRM_KINDS = ("blank", "total", "note")
_ACTIONS_EN = {"补链": "fill the gap", "强链": "strengthen", "延链": "extend", "建链": "build"}
_GAP_STATUSES = ("missing", "weak")
_COVERED = 0.5


@dataclass(frozen=True)
class Coverage:
    """How much of the map's gaps (missing and weak links) a shortlist serves."""

    gap_links: int
    covered_links: int
    covered_need: float  # share of the gaps' need served, 0-1
    by_chain: dict[str, tuple[int, int]]  # chain id -> (covered, gaps)

    def summary(self, lang: str = "zh") -> str:
        if lang == "zh":
            return f"短名单覆盖 {self.covered_links}/{self.gap_links} 个缺口环节（缺失或薄弱），覆盖缺口需求的 {self.covered_need:.0%}"
        return f"the shortlist serves {self.covered_links} of {self.gap_links} gap links (missing or weak), {self.covered_need:.0%} of their need"


@dataclass(frozen=True)
class RankReport:
    """What :func:`rank_file` did."""

    rows: int
    bad_rows: int
    matched_rows: int
    top: pd.DataFrame
    shortlist: pd.DataFrame
    coverage: Coverage | None
    model_version: str = PRIOR_VERSION
    columns: tuple[ColumnUse, ...] = ()  # the column report: which input column fed which field
    header_rows: tuple[int, ...] = ()
    inactive_rows: int = 0
    not_firm_rows: int = 0
    duplicate_rows: int = 0


def _bands(profiles: pd.DataFrame) -> np.ndarray:
    """Each row's band (``BAND_*``) from its profile: its ``kind`` (tables stage) and name."""
    band = np.zeros(len(profiles), dtype=np.int8)
    if "name" in profiles:
        band[profiles["name"].astype(str).str.strip().to_numpy(dtype=object) == ""] = BAND_NO_NAME
    else:
        band[:] = BAND_NO_NAME
    if "kind" in profiles:
        kind = profiles["kind"].to_numpy(dtype=object)
        band[(kind == "inactive") & (band == BAND_FIRM)] = BAND_INACTIVE
        band[np.isin(kind, _NOT_FIRM_KINDS)] = BAND_NOT_FIRM
    return band


def _band_texts(result: pd.DataFrame, profiles: pd.DataFrame, band: np.ndarray, duplicate_of: np.ndarray, lang: str) -> None:
    """Say in ``reasons`` why a row is in its band or a copy; rows that are not firms carry no errors."""
    zh = lang == "zh"
    reasons = result["reasons"].to_numpy(dtype=object).copy()
    status = profiles["status"].to_numpy(dtype=object) if "status" in profiles else np.full(len(band), "", dtype=object)
    for i in np.flatnonzero(band == BAND_INACTIVE).tolist():
        note = (f"登记状态为“{status[i]}”，非存续企业，排在存续企业之后，不列入短名单" if zh
                else f"registration status {status[i]}: not an active firm, ranked after active firms, never shortlisted")
        reasons[i] = note + ("；" if zh else "; ") + reasons[i] if reasons[i] else note
    for i in np.flatnonzero(duplicate_of > 0).tolist():
        note = (f"与第 {duplicate_of[i]} 行为同一企业，排在其后，不重复列入短名单" if zh
                else f"the same firm as row {duplicate_of[i]}: ranked right after it, never shortlisted twice")
        reasons[i] = note + ("；" if zh else "; ") + reasons[i] if reasons[i] else note
    not_firm = band == BAND_NOT_FIRM
    reasons[not_firm] = "非企业行（合计、说明或空行），排在最后" if zh else "not a firm (a total, a note or a blank row): ranked last"
    result["reasons"] = reasons
    result["errors"] = np.where(not_firm, "", result["errors"].to_numpy(dtype=object))


def _sort_key(band: np.ndarray, scored: pd.DataFrame, row_numbers: np.ndarray, priorities: np.ndarray) -> np.ndarray:
    """Positions that sort rows: by band, priority desc, score desc, confidence desc, input order."""
    return np.lexsort((row_numbers, -scored["confidence"].to_numpy(), -scored["score"].to_numpy(), -priorities, band))


class _Pool:
    """The best rows seen so far, with their affinities, for the shortlist."""

    def __init__(self, size: int):
        self.size = size
        self.frames: list[pd.DataFrame] = []
        self.affinity: list[sp.csr_matrix] = []

    def add(self, scored: pd.DataFrame, affinity: sp.csr_matrix, row_numbers: np.ndarray, eligible: np.ndarray) -> None:
        ok = np.flatnonzero(eligible & (scored["link_id"].to_numpy(dtype=object) != ""))
        keep = ok[np.argsort(-scored["score"].to_numpy()[ok], kind="stable")[: self.size]]
        frame = scored.iloc[keep][["name", "score", "link_id", "chain_id", *COMPONENT_COLUMNS]].copy()
        frame["row"] = row_numbers[keep]
        self.merge(frame, affinity[keep])

    def merge(self, frame: pd.DataFrame, affinity: sp.csr_matrix) -> None:
        self.frames.append(frame)
        self.affinity.append(affinity)
        if sum(len(f) for f in self.frames) > 4 * self.size:
            self._compact()

    def _compact(self) -> None:
        frame, affinity = self.result()
        keep = np.argsort(-frame["score"].to_numpy(), kind="stable")[: self.size]
        self.frames, self.affinity = [frame.iloc[keep]], [affinity[keep]]

    def result(self) -> tuple[pd.DataFrame, sp.csr_matrix]:
        if not self.frames:
            return pd.DataFrame(columns=["name", "score", "link_id", "chain_id", *COMPONENT_COLUMNS, "row"]), sp.csr_matrix((0, 0))
        return pd.concat(self.frames), sp.vstack(self.affinity).tocsr()


def shortlist(scorer: Scorer, pool: pd.DataFrame, affinity: sp.csr_matrix, k: int) -> tuple[pd.DataFrame, Coverage]:
    """Pick ``k`` firms of ``pool`` that together serve the most need.

    Parameters
    ----------
    pool : DataFrame with ``score``, the component columns and ``row`` (input row number).
    affinity : sparse matrix, shape (len(pool), n_links), in the scorer's link order.

    Returns
    -------
    The picked rows in pick order (with ``gain``) and the coverage of the map's gaps.
    """
    features = scorer.link_features
    value = scorer.link_value
    firm_part = pool[["score_firm_strength", "score_origin", "score_leader_supply"]].sum(axis=1).to_numpy()
    open_need = np.ones(affinity.shape[1] if affinity.shape[0] else len(value))
    picked: list[int] = []
    gains: list[float] = []
    dense = affinity.toarray() if affinity.shape[0] else np.zeros((0, len(value)))
    available = np.ones(len(pool), dtype=bool)
    for _ in range(min(k, len(pool))):
        gain = (dense * (value * open_need)).max(axis=1) + firm_part
        gain[~available] = -np.inf
        best = int(np.argmax(gain))
        picked.append(best)
        gains.append(float(gain[best]))
        available[best] = False
        open_need *= 1.0 - dense[best]
    chosen = pool.iloc[picked].copy()
    chosen["gain"] = np.round(gains, 2)
    gap = features["status"].isin(_GAP_STATUSES).to_numpy()
    served = dense[picked].max(axis=0) if picked else np.zeros(len(value))
    covered = gap & (served >= _COVERED)
    need = features["need"].to_numpy()
    by_chain: dict[str, tuple[int, int]] = {}
    for chain_id, is_gap, is_covered in zip(features["chain_id"], gap, covered, strict=True):
        if is_gap:
            c, g = by_chain.get(chain_id, (0, 0))
            by_chain[chain_id] = (c + int(is_covered), g + 1)
    total_need = float(need[gap].sum())
    coverage = Coverage(
        gap_links=int(gap.sum()),
        covered_links=int(covered.sum()),
        covered_need=float((need * np.minimum(served, 1.0))[gap].sum() / total_need) if total_need else 0.0,
        by_chain=by_chain,
    )
    return chosen, coverage


def _result_frame(scorer: Scorer, scored: pd.DataFrame, lang: str, model: LandingModel | None = None) -> pd.DataFrame:
    """:data:`RANKED_RESULT_COLUMNS` of scored rows (``duplicate_of`` empty)."""
    landing = estimate_landing(scored, scorer.points, model)
    out = scored[[c for c in RESULT_COLUMNS if c != "reasons"]].copy()
    out.insert(RESULT_COLUMNS.index("reasons"), "reasons", explain_frame(scored, scorer.chain_map, lang))
    out.insert(1, "likelihood", np.round(landing.likelihood, 4))
    out.insert(2, "priority", priority(scored["score"].to_numpy(), landing.likelihood))
    out.insert(out.columns.get_loc("reasons") + 1, "likelihood_reasons", likelihood_reasons(landing, scorer.chain_map, lang=lang))
    if lang == "en":
        has = scored["link_id"].to_numpy(dtype=object) != ""
        out["chain"] = np.where(has, scored["chain_en"], "")
        out["link"] = np.where(has, scored["link_en"], "")
        out["park"] = np.where(has, scored["park_en"], "")
        out["action"] = scored["action"].map(lambda a: _ACTIONS_EN.get(a, a))
        for column in ("reasons", "likelihood_reasons"):  # English separators, no Chinese action words
            out[column] = out[column].str.replace("；", "; ", regex=False).str.replace(r" ?\((?:补链|强链|延链|建链)\)", "", regex=True)
    out["duplicate_of"] = np.nan
    return out


def _output_names(columns: tuple[str, ...]) -> dict[str, str]:
    """Output column names that do not clash with input columns (``score`` → ``score_1``)."""
    names: dict[str, str] = {}
    taken = set(columns)
    for col in OUTPUT_COLUMNS:
        name = col
        suffix = 1
        while name in taken:
            name = f"{col}_{suffix}"
            suffix += 1
        taken.add(name)
        names[col] = name
    return names


def rank_frame(
    scorer: Scorer, frame: pd.DataFrame, *, lang: str = "zh", shortlist_k: int = 0, model: LandingModel | None = None,
) -> tuple[pd.DataFrame, Coverage | None]:
    """Rank a DataFrame of firms with canonical column names, in memory.

    ``model`` is the landing model (checked against the scorer's map), None for the prior.

    Returns
    -------
    The input columns plus :data:`OUTPUT_COLUMNS`, in rank order, and the shortlist coverage
    (None when ``shortlist_k`` is 0).
    """
    text = frame.astype(str).where(frame.notna(), "")
    scored, match = scorer.score_with_match(text)
    names = _output_names(tuple(map(str, frame.columns)))
    result = _result_frame(scorer, scored, lang, model)
    band = _bands(text)
    _band_texts(result, text, band, np.zeros(len(frame), dtype=np.int64), lang)
    order = _sort_key(band, scored, np.arange(len(frame)), result["priority"].to_numpy())
    out = pd.concat([frame.reset_index(drop=True), result.reset_index(drop=True)], axis=1).iloc[order]
    out.insert(len(frame.columns), "rank", np.arange(1, len(frame) + 1))
    out["shortlist"] = pd.array([pd.NA] * len(out), dtype="Int64")
    coverage = None
    if shortlist_k > 0:
        pool = scored.assign(row=np.arange(len(frame)))
        ok = pd.Series(band == BAND_FIRM, index=pool.index) & (pool["link_id"] != "")
        chosen, coverage = shortlist(scorer, pool[ok], match.affinity[np.flatnonzero(ok.to_numpy())], shortlist_k)
        position = {row: i + 1 for i, row in enumerate(chosen["row"])}
        out["shortlist"] = pd.array([position.get(i) for i in out.index], dtype="Int64")
    out["model_version"] = model.version if model is not None else PRIOR_VERSION
    out.columns = [*map(str, frame.columns), *(names[c] for c in OUTPUT_COLUMNS)]
    return out.reset_index(drop=True), coverage


@dataclass(frozen=True)
class _ChunkDone:
    """What ranking one chunk leaves for the final write.

    ``keys`` holds the sort key columns (band, priority, score, confidence, row, the row of the
    first copy or -1). For CSV
    output the chunk's rows were written, encoded, to its spill file and ``body`` holds each
    row's (offset, length of the input part, length of the result part) there; for XLSX it is
    the chunk's frame (input and result columns). ``top`` is the chunk's best rows as a frame,
    for the report.
    """

    keys: np.ndarray
    body: np.ndarray | pd.DataFrame
    top: pd.DataFrame
    matched: int
    pool: tuple[pd.DataFrame, sp.csr_matrix] | None
    bad: int = 0  # rows with errors (rows that are not firms never have any)
    unreadable: dict[str, int] | None = None  # input column -> values that could not be read


def _score_chunk(
    scorer: Scorer, chunk: TableChunk, lang: str, spill: Path | None,
    pool_size: int, top: int, model: LandingModel | None = None,
) -> _ChunkDone:
    """Score one chunk and encode its rows for output (to ``spill`` for CSV output)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a chunk makes millions of short-lived objects and no reference cycles worth a pass
    try:
        return _score_chunk_body(scorer, chunk, lang, spill, pool_size, top, model)
    finally:
        if gc_was_enabled:
            gc.enable()


def _score_chunk_body(
    scorer: Scorer, chunk: TableChunk, lang: str, spill: Path | None, pool_size: int, top: int, model: LandingModel | None,
) -> _ChunkDone:
    profiles, start_row = chunk.profiles, chunk.start_row
    scored, match = scorer.score_with_match(profiles)
    row_numbers = np.arange(start_row, start_row + len(chunk.raw))
    result = _result_frame(scorer, scored, lang, model).reset_index(drop=True)
    raw = chunk.raw.reset_index(drop=True)
    band = _bands(profiles)
    duplicate_of = np.zeros(len(raw), dtype=np.int64) if chunk.duplicate_of is None else np.where(band == BAND_NOT_FIRM, 0, chunk.duplicate_of)
    result["duplicate_of"] = np.where(duplicate_of > 0, duplicate_of, np.nan)
    _band_texts(result, profiles, band, duplicate_of, lang)
    priorities = result["priority"].to_numpy(dtype=np.float64)
    first_copy = np.where(duplicate_of > 0, duplicate_of - chunk.first_line, -1)
    keys = np.column_stack([band, priorities, scored["score"].to_numpy(), scored["confidence"].to_numpy(), row_numbers, first_copy])
    best = _sort_key(band, scored, row_numbers, priorities)[:top]
    top_rows = pd.concat([raw.iloc[best], result.iloc[best]], axis=1).assign(_row=row_numbers[best])
    if spill is not None:
        body: np.ndarray | pd.DataFrame = _spill(spill, encode_csv_rows(raw), encode_csv_rows(result, numeric_columns=_NUMERIC))
    else:
        body = pd.concat([raw, result], axis=1)
    pool = None
    if pool_size:
        chosen = _Pool(pool_size)
        chosen.add(scored, match.affinity, row_numbers, (band == BAND_FIRM) & (duplicate_of == 0))
        pool = chosen.result()
    bad = int((result["errors"].to_numpy(dtype=object) != "").sum())
    return _ChunkDone(keys, body, top_rows, int((scored["link_id"] != "").sum()), pool, bad, profiles.attrs.get("unreadable", {}))


def _spill(path: Path, heads: list[str], tails: list[str]) -> np.ndarray:
    """Write each row's encoded input and result parts to ``path``; return, per row, its
    offset and the byte lengths of the two parts."""
    head_bytes = [h.encode() for h in heads]
    tail_bytes = [t.encode() for t in tails]
    spans = np.empty((len(heads), 3), dtype=np.int64)
    spans[:, 1] = [len(b) for b in head_bytes]
    spans[:, 2] = [len(b) for b in tail_bytes]
    sizes = spans[:, 1] + spans[:, 2]
    spans[:, 0] = np.cumsum(sizes) - sizes
    with path.open("wb") as fh:
        fh.write(b"".join(b for pair in zip(head_bytes, tail_bytes, strict=True) for b in pair))
    return spans


def _ranked_blocks(spills: list[Path], where: np.ndarray, picked: np.ndarray, first_rank: int, version: str) -> Iterator[list[bytes]]:
    """Output lines (UTF-8, no line end) ranked ``first_rank, …``, read back from the spill
    files 50,000 at a time.

    ``where`` holds, per line, its spill file, offset, and the lengths of its input and result
    parts. ``os.pread`` rather than a memory map: rows in rank order are scattered over the
    files, and each page fault of a map brings its neighbours into resident memory too.
    """
    tail_end = f",{version}".encode()
    pread = os.pread
    with ExitStack() as stack:
        fds = [stack.enter_context(path.open("rb")).fileno() for path in spills]
        for start in range(0, len(where), 50_000):
            stop = min(start + 50_000, len(where))
            rows = zip(picked[start:stop].tolist(), where[start:stop].tolist(), strict=True)
            yield [
                b"%s,%d,%s,%s%s" % (data[:head], rank, data[head:], b"%d" % p if p else b"", tail_end)
                for rank, (p, (f, offset, head, tail)) in enumerate(rows, start=first_rank + start)
                for data in (pread(fds[f], head + tail, offset),)
            ]


def _write_ranked_at(path: Path, position: int, nbytes: int, spills: list[Path], where: np.ndarray, picked: np.ndarray,
                     first_rank: int, version: str) -> None:
    """Write lines ``first_rank, …`` (:func:`_ranked_blocks`) into ``path`` at ``position``,
    room of ``nbytes`` that the main process reserved (:meth:`TableWriter.reserve_encoded`)."""
    end = position + nbytes
    out = os.open(path, os.O_WRONLY)
    try:
        for lines in _ranked_blocks(spills, where, picked, first_rank, version):
            data = b"\r\n".join(lines) + b"\r\n"
            os.pwrite(out, data, position)
            position += len(data)
    finally:
        os.close(out)
    if position != end:
        raise RuntimeError(f"ranked rows took {position - end:+d} bytes more than reserved")


def _line_bytes(where: np.ndarray, picked: np.ndarray, first_rank: int, version: str) -> np.ndarray:
    """The length in bytes of each line :func:`_ranked_blocks` makes, with its CRLF."""
    ranks = np.arange(first_rank, first_rank + len(where), dtype=np.int64)
    return (
        where[:, 2] + where[:, 3] + 3 + _digits(ranks) + np.where(picked > 0, _digits(picked), 0)
        + len(f",{version}".encode()) + 2
    )


def _digits(values: np.ndarray) -> np.ndarray:
    """Decimal digits of non-negative integers (1 for 0)."""
    return 1 + sum((values >= 10**k).astype(np.int64) for k in range(1, 19))


#: From this many rows, worker processes format the ranked CSV output in parallel runs.
PARALLEL_WRITE_ROWS = 100_000

_WORKER_SCORER: Scorer | None = None
_WORKER_MODEL: LandingModel | None = None


def _init_worker(scorer: Scorer, model: LandingModel | None = None) -> None:
    global _WORKER_SCORER, _WORKER_MODEL
    _WORKER_SCORER = scorer
    _WORKER_MODEL = model


def _score_chunk_in_worker(*args: object) -> _ChunkDone:
    assert _WORKER_SCORER is not None
    return _score_chunk(_WORKER_SCORER, *args, model=_WORKER_MODEL)  # type: ignore[arg-type]


def _global_order(keys: np.ndarray) -> np.ndarray:
    """Positions of rows in rank order: band, priority, score, confidence desc, input order; a later
    copy of a firm right after its first copy. Row ``i`` of ``keys`` is data row ``i``."""
    band, prio, score, confidence, row = keys[:, :5].T
    order = np.lexsort((row, -confidence, -score, -prio, band))
    if keys.shape[1] < 6 or not (copies := keys[:, 5] >= 0).any():
        return order
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    anchor = np.where(copies, position[np.where(copies, keys[:, 5], 0).astype(np.int64)], position)
    return np.lexsort((row, copies, anchor))


def rank_file(
    scorer: Scorer,
    source: str | Path,
    target: str | Path,
    *,
    lang: str = "zh",
    top: int = 10,
    shortlist_k: int = 0,
    chunk_rows: int = 50_000,
    max_rows: int | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    model: LandingModel | None = None,
) -> RankReport:
    """Rank a CSV/XLSX file of firms into a CSV/XLSX file, every row exactly once.

    Parameters
    ----------
    source, target : paths; the format follows each file's extension.
    lang : "zh" or "en", the language of reasons and names.
    top : how many of the best rows to return in the report.
    shortlist_k : pick this many firms for the shortlist (0: none).
    workers : processes that score chunks (1: in this process).
    progress : called with the number of rows done after each chunk.
    model : the landing model (checked against the scorer's map); None for the prior.
    """
    version = model.version if model is not None else PRIOR_VERSION
    table = open_table(source, chunk_rows=chunk_rows, max_rows=max_rows)
    names = _output_names(table.columns)
    columns = [*table.columns, *(names[c] for c in OUTPUT_COLUMNS)]
    numeric = [names[c] for c in _NUMERIC]
    csv_out = Path(target).suffix.lower() == ".csv"
    # the writer checks the output type before any work; it replaces the target only on success
    typed = [c for c in table.columns if not identifier_column(c, table.mapping.get(c, ""))]
    wrap = [names["reasons"], names["likelihood_reasons"], names["errors"], *(c for c, f in table.mapping.items() if f == "description")]
    with TableWriter(target, columns, numeric_columns=numeric, wrap_columns=wrap, typed_columns=typed) as writer, tempfile.TemporaryDirectory(prefix="rank-") as tmp:
        pool_size = max(2_000, 20 * shortlist_k) if shortlist_k else 0
        pool = _Pool(pool_size) if shortlist_k else None
        spills: list[Path] = []

        def jobs() -> Iterator[tuple]:
            for chunk in _even_out(table.chunks(), 2 * workers if workers > 1 else 1):
                spill = Path(tmp) / f"chunk{len(spills):05d}.bin" if csv_out else None
                if spill is not None:
                    spills.append(spill)
                yield chunk, lang, spill, pool_size, top

        if workers > 1:
            # fork shares the fitted scorer and model without re-importing; spawn where fork is unavailable
            context = get_context("fork" if "fork" in get_all_start_methods() else "spawn")
            gc.freeze()  # forked workers then never touch (and copy) the parent's objects in a collection
            executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(scorer, model))
            done: Iterator[_ChunkDone] = _bounded_map(executor, _score_chunk_in_worker, jobs(), ahead=workers + 1)
        else:
            executor = None
            done = (_score_chunk(scorer, *job, model=model) for job in jobs())
        keys: list[np.ndarray] = []
        bodies: list[np.ndarray | pd.DataFrame] = []
        tops: list[pd.DataFrame] = []
        matched = bad = 0
        unreadable: dict[str, int] = {}
        stack = ExitStack()
        if executor is not None:
            stack.callback(executor.shutdown, cancel_futures=True)
        with stack:
            for chunk in done:
                keys.append(chunk.keys)
                bodies.append(chunk.body)
                tops.append(chunk.top)
                matched += chunk.matched
                bad += chunk.bad
                for column, count in (chunk.unreadable or {}).items():
                    unreadable[column] = unreadable.get(column, 0) + count
                if pool is not None and chunk.pool is not None:
                    pool.merge(*chunk.pool)
                if progress is not None:
                    progress(len(chunk.keys))
            all_keys = np.concatenate(keys) if keys else np.zeros((0, 6))
            order = _global_order(all_keys)
            rows = len(order)
            chosen = pd.DataFrame()
            coverage = None
            slot = np.zeros(rows, dtype=np.int64)  # shortlist position by input row, 0 = not picked
            if pool is not None:
                frame, affinity = pool.result()
                chosen, coverage = shortlist(scorer, frame, affinity, shortlist_k)
                slot[chosen["row"].to_numpy(dtype=np.int64)] = np.arange(1, len(chosen) + 1)
            picked = slot[all_keys[:, 4].astype(np.int64)[order]]
            if csv_out:
                spans = np.concatenate(bodies) if bodies else np.zeros((0, 3), dtype=np.int64)
                spill_of = np.repeat(np.arange(len(bodies)), [len(b) for b in bodies])
                where = np.column_stack([spill_of[order], spans[order]])
                if executor is None or rows < PARALLEL_WRITE_ROWS:
                    for lines in _ranked_blocks(spills, where, picked, 1, version):
                        writer.write_encoded_lines(lines)
                else:  # each worker reads back, formats and writes a run of ranks in its place
                    sizes = _line_bytes(where, picked, 1, version)
                    path, offset = writer.reserve_encoded(int(sizes.sum()), rows)
                    bounds = np.linspace(0, rows, workers + 1).astype(int)
                    starts = offset + np.r_[0, np.cumsum(sizes)][bounds]
                    runs = [
                        executor.submit(_write_ranked_at, path, int(starts[k]), int(starts[k + 1] - starts[k]), spills,
                                        where[a:b], picked[a:b], a + 1, version)
                        for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
                    ]
                    for run in runs:
                        run.result()
            else:
                body = pd.concat(bodies, ignore_index=True) if bodies else pd.DataFrame(columns=[*table.columns, *RANKED_RESULT_COLUMNS])
                body = body.iloc[order].reset_index(drop=True)
                body.insert(len(table.columns), "rank", np.arange(1, rows + 1))
                body["shortlist"] = [int(p) if p else None for p in picked]
                body["model_version"] = version
                body.columns = columns
                writer.write(body)
            report = RankReport(
                rows=rows, bad_rows=bad, matched_rows=matched, top=_report_top(tops, all_keys, top, slot, version, columns), shortlist=chosen,
                coverage=coverage, model_version=version, columns=column_report(table, unreadable), header_rows=table.header_rows,
                inactive_rows=int((all_keys[:, 0] == BAND_INACTIVE).sum()), not_firm_rows=int((all_keys[:, 0] == BAND_NOT_FIRM).sum()),
                duplicate_rows=int((all_keys[:, 5] >= 0).sum()),
            )
            writer.add_notes(_notes(report, scorer, lang))
    return report


def _notes(report: RankReport, scorer: Scorer, lang: str) -> list[list[object]]:
    counts = [
        ("行数", "rows", report.rows), ("匹配到环节", "matched a link", report.matched_rows),
        ("有问题的行", "rows with problems", report.bad_rows), ("非存续企业", "firms not active", report.inactive_rows),
        ("非企业行", "rows that are not firms", report.not_firm_rows), ("重复企业", "duplicate rows", report.duplicate_rows),
        ("短名单企业数", "firms shortlisted", len(report.shortlist)),
    ]
    return notes_rows(counts=counts, columns=report.columns, header_rows=report.header_rows,
                      coverage=report.coverage.summary(lang) if report.coverage is not None else None,
                      map_version=scorer.chain_map.version, model_version=report.model_version, lang=lang)


def _report_top(tops: list[pd.DataFrame], keys: np.ndarray, top: int, slot: np.ndarray, version: str, columns: list[str]) -> pd.DataFrame:
    """The ``top`` best rows as a frame with the output columns, from each chunk's best rows.

    Rows are numbered 0…n-1 in file order, so a row's number is also its position in ``keys``.
    """
    if not tops or not top:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(tops, ignore_index=True)
    rows = frame.pop("_row").to_numpy(dtype=np.int64)
    rank_of = np.empty(len(keys), dtype=np.int64)
    rank_of[_global_order(keys)] = np.arange(1, len(keys) + 1)
    best = np.argsort(rank_of[rows], kind="stable")[:top]
    frame = frame.iloc[best].reset_index(drop=True)
    rows = rows[best]
    frame.insert(len(columns) - len(OUTPUT_COLUMNS), "rank", rank_of[rows])
    frame["shortlist"] = [int(slot[r]) or None for r in rows]
    frame["model_version"] = version
    frame.columns = columns
    return frame


def _even_out(chunks: Iterable[TableChunk], parts: int) -> Iterator[TableChunk]:
    """The chunks, with the first and the last cut into ``parts`` pieces: every worker starts at
    once, and they finish together (a small file is one chunk, both first and last)."""
    held: TableChunk | None = None
    first = True
    for chunk in chunks:
        if held is not None:
            yield from _cut(held, parts) if first else (held,)
            first = False
        held = chunk
    if held is not None:
        yield from _cut(held, parts)


def _cut(chunk: TableChunk, parts: int) -> Iterator[TableChunk]:
    size = max(1, -(-len(chunk.raw) // parts))
    for start in range(0, len(chunk.raw), size):
        yield chunk.part(start, start + size)


def _bounded_map(executor: ProcessPoolExecutor, fn: Callable, jobs: Iterator[tuple], *, ahead: int) -> Iterator:
    """``executor.map`` in order, with at most ``ahead`` jobs submitted at once (bounded memory)."""
    pending: deque = deque()
    for job in jobs:
        pending.append(executor.submit(fn, *job))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
