"""Scored firms → a ranking, a shortlist, and ranked files.

One path for every table: :func:`score_chunk` scores a chunk of rows into the ranked-result
columns and the sort keys (a pure function, so any engine can call it per part of a table);
:func:`rank_order` orders the keys of the whole table; one assembly puts the input columns, the
rank, the result columns, the shortlist position and the model version together.
:func:`rank_frame` ranks a frame in memory as one chunk; :func:`rank_file` differs only in
where the rows come from and go to.

Order: the band first (:func:`_band`: active firms; firms whose registration status says they
are not active; rows without a firm name; rows that are not firms: totals, notes, blank rows),
then priority (high first; priority = 100 × √(score/100 × likelihood), see
:mod:`recommender.likelihood`), then score, then confidence, then input order; a later copy of a
firm (same credit code or normalised name, marked ``duplicate_of`` the first copy's row number)
right after its first copy. Every ranked row shows ``score`` (strategic value), ``likelihood``
(landing model, or the prior) and ``priority``, the likelihood's main parts
(``likelihood_reasons``) and the ``model_version``. A row with an unreadable value ranks on what
is known, the value named in ``errors``; the reasons say why a row is in a later band or is a
copy. Only active firms that are not copies are shortlisted. An output column whose name the
input already has gets the first free suffix (``rank_1``, ``score_2``).

Files are read in chunks; each chunk is scored (in worker processes when ``workers > 1``; the
first and last chunks cut in pieces so that every worker starts at once and they finish
together; the workers die with this process) and, for CSV output, its rows are encoded at
once and spilled to a temporary file, so what waits in memory for the global sort is about 64
bytes per row (six sort keys and where the row lies). The output is then written in rank
order, reading each row back, in runs of ranks written in place (one per worker) into room
reserved from the lines' known lengths. XLSX output (for lists an officer opens in Excel, not
millions of rows) keeps the rows in memory. The shortlist pool keeps only the best rows of
each chunk with their link affinities.

The shortlist (按图索骥) picks K firms greedily by marginal gain: a firm's chain value on each
link it serves, times the share of that link's need still open, plus its firm traits; once
a firm is picked, the need left on its links shrinks by its affinity, so a second firm for a
gap already covered is worth less than a first firm for another gap.
"""

from __future__ import annotations

import errno
import gc
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._columnar import python_strings
from .._parent import die_with_parent
from ..likelihood._tables import PRIOR_VERSION, estimate_landing, priority
from ..scoring._explanation import explain_frame, likelihood_reasons
from ..scoring._scorer import COMPONENT_COLUMNS, RESULT_COLUMNS, Scorer
from ..tables._io import TableChunk, TableWriter, encode_csv_rows, open_table
from ..tables._output import check_output_path, output_errors
from ..tables._report import ColumnUse, column_report, identifier_column, notes_rows
from ..tables._vendor import inactive_in_english

if TYPE_CHECKING:
    from ..likelihood._modelstore import LandingModel

__all__ = [
    "OUTPUT_COLUMNS", "RANK_DEFAULTS", "RANKED_RESULT_COLUMNS", "SORT_KEY_COLUMNS", "Coverage", "RankOptions", "RankReport", "ScoredChunk",
    "output_names", "rank_file", "rank_frame", "rank_order", "score_chunk", "shortlist",
]

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
#: Buffers one ``os.pwritev`` call takes (POSIX allows no fewer than 16; no ``sysconf`` on Windows).
_IOV_MAX = max(16, os.sysconf("SC_IOV_MAX")) if hasattr(os, "sysconf") else 16
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
    """What :func:`rank_file` did (the Dask engine's report extends it)."""

    rows: int = field(metadata={"description": "data rows read (every row comes back once)"})
    bad_rows: int = field(metadata={"description": "rows with a problem (named in their errors column)"})
    matched_rows: int = field(metadata={"description": "rows matched to a chain link"})
    top: pd.DataFrame = field(metadata={"description": "the best rows: the input columns and the output columns"})
    shortlist: pd.DataFrame
    coverage: Coverage | None = field(metadata={"description": "the shortlist's coverage of the map's gaps, when a shortlist was asked for"})
    model_version: str = field(default=PRIOR_VERSION, metadata={"description": "the landing model that produced the rows, or 'prior'"})
    columns: tuple[ColumnUse, ...] = field(default=(), metadata={"description": "the column report: each input column and what it fed"})
    header_rows: tuple[int, ...] = field(default=(), metadata={"description": "the file's rows (1-based) that made the header"})
    inactive_rows: int = field(default=0, metadata={
        "description": "firms whose registration status says they are not active (ranked after active firms)"})
    not_firm_rows: int = field(default=0, metadata={"description": "totals, notes and blank rows (kept, ranked last)"})
    duplicate_rows: int = field(default=0, metadata={"description": "later copies of a firm (same credit code or name), ranked after the first"})
    top_bands: tuple[int, ...] = ()  # the band (BAND_*) of each row of ``top``


class _Pool:
    """The best rows seen so far, with their affinities, for the shortlist."""

    def __init__(self, size: int):
        self.size = size
        self.frames: list[pd.DataFrame] = []
        self.affinity: list[sp.csr_matrix] = []

    def add(self, scored: pd.DataFrame, affinity: sp.csr_matrix, row_numbers: np.ndarray, eligible: np.ndarray) -> None:
        ok = np.flatnonzero(eligible)
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


def _band(profiles: pd.DataFrame) -> np.ndarray:
    """Each row's band (``BAND_*``), the first sort key, from its profile's name and ``kind``
    (the tables stage's row kind): an active firm 0; a firm whose registration status says it
    is not active 1; a row without a firm name 2; a row that is not a firm (a total, a note, a
    blank row) 3. Rows of a later band rank after every row of an earlier one whatever their
    priority; only band-0 rows can be shortlisted."""
    band = np.zeros(len(profiles), dtype=np.int64)
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
                else f"registration status {status[i]} ({inactive_in_english(status[i])}): not an active firm, ranked after active firms, "
                     "never shortlisted")
        reasons[i] = note + ("；" if zh else "; ") + reasons[i] if reasons[i] else note
    for i in np.flatnonzero(duplicate_of > 0).tolist():
        note = (f"与输入文件第 {duplicate_of[i]} 行为同一企业（信用代码或名称相同），排在其后，不重复列入短名单" if zh
                else f"the same firm as row {duplicate_of[i]} of the input file (same credit code or name): ranked right after it, "
                     "never shortlisted twice")
        reasons[i] = note + ("；" if zh else "; ") + reasons[i] if reasons[i] else note
    for i in np.flatnonzero(band == BAND_NO_NAME).tolist():
        note = "缺少企业名称，排在有名称的企业之后，不列入短名单" if zh else "no firm name: ranked after the named firms, never shortlisted"
        reasons[i] = note + ("；" if zh else "; ") + reasons[i] if reasons[i] else note
    not_firm = band == BAND_NOT_FIRM
    reasons[not_firm] = "非企业行（合计、说明或空行），排在最后" if zh else "not a firm (a total, a note or a blank row): ranked last"
    result["reasons"] = reasons
    result["errors"] = np.where(not_firm, "", result["errors"].to_numpy(dtype=object))


def _result_frame(scorer: Scorer, scored: pd.DataFrame, lang: str, model: LandingModel | None = None) -> pd.DataFrame:
    """:data:`RANKED_RESULT_COLUMNS` of scored rows."""
    landing = estimate_landing(scored, scorer.points, model)
    out = scored[[c for c in RESULT_COLUMNS if c != "reasons"]].copy()
    out.insert(RESULT_COLUMNS.index("reasons"), "reasons", explain_frame(scored, scorer.chain_map, lang))
    out.insert(1, "likelihood", np.round(landing.likelihood, 4))
    out.insert(2, "priority", priority(scored["score"].to_numpy(), landing.likelihood))
    out.insert(list(out.columns).index("reasons") + 1, "likelihood_reasons", likelihood_reasons(landing, scorer.chain_map, lang=lang))
    if lang == "en":
        has = scored["link_id"].to_numpy(dtype=object) != ""
        out["chain"] = np.where(has, scored["chain_en"], "")
        out["link"] = np.where(has, scored["link_en"], "")
        out["park"] = np.where(has, scored["park_en"], "")
        out["action"] = scored["action"].map(lambda a: _ACTIONS_EN.get(a, a))
        for column in ("reasons", "likelihood_reasons"):  # English separators, no Chinese action words
            out[column] = out[column].str.replace("；", "; ", regex=False).str.replace(r" ?\((?:补链|强链|延链|建链)\)", "", regex=True)
        out["errors"] = _english_errors(out["errors"].to_numpy(dtype=object))
    out["duplicate_of"] = np.nan
    return out


def _english_errors(errors: np.ndarray) -> np.ndarray:
    """Each row's errors (``中文 / English`` parts joined by ``；``) in English only."""
    out = errors.copy()
    for i in np.flatnonzero(errors != "").tolist():
        out[i] = "; ".join(part.rpartition(" / ")[2] for part in errors[i].split("；"))
    return out


@dataclass(frozen=True)
class ScoredChunk:
    """A chunk of rows scored and ready to rank: what :func:`score_chunk` returns.

    Attributes
    ----------
    result : DataFrame
        :data:`RANKED_RESULT_COLUMNS`, one row per input row, in input order (a fresh RangeIndex).
    keys : ndarray of float64, shape (rows, 6)
        The sort keys, columns :data:`SORT_KEY_COLUMNS`; :func:`rank_order` orders them (the
        keys of several chunks, concatenated, order the whole table).
    bad : ndarray of bool
        Rows with errors (no name, an unreadable value; rows that are not firms have none).
    matched : int
        Rows that match a link.
    candidates : DataFrame or None
        With ``pool_size``: the best rows for the shortlist (name, score, link and chain ids,
        the component columns and ``row``), at most ``pool_size``.
    affinity : sparse matrix or None
        The link affinities of ``candidates``, in the scorer's link order.
    linked : ndarray of bool or None
        Rows that match a link.
    """

    result: pd.DataFrame
    keys: np.ndarray
    bad: np.ndarray
    matched: int
    candidates: pd.DataFrame | None = None
    affinity: sp.csr_matrix | None = None
    linked: np.ndarray | None = None


#: The columns of :attr:`ScoredChunk.keys`: the band (:func:`_band`), priority, score,
#: confidence, the row's 0-based number in the whole table, and for a later copy of a firm the
#: row number of its first copy (-1 for every other row).
SORT_KEY_COLUMNS = ("band", "priority", "score", "confidence", "row", "first_copy")


def score_chunk(
    scorer: Scorer, profiles: pd.DataFrame, *, start_row: int = 0, lang: str = "zh",
    model: LandingModel | None = None, pool_size: int = 0, duplicate_of: np.ndarray | None = None, first_line: int = 2,
) -> ScoredChunk:
    """Score a chunk of rows: the ranked-result columns and the sort keys, nothing written.

    A pure function of its arguments, for any engine that ranks a table in parts (this
    process, worker processes, partitions of a distributed frame): concatenate the chunks'
    ``keys`` and :func:`rank_order` gives the order of the whole table.

    Parameters
    ----------
    profiles : DataFrame
        Text columns named as :data:`~recommender.tables.CANONICAL_COLUMNS` (``""`` for blank),
        and optionally ``kind`` and ``status`` (:attr:`TableChunk.profiles`), which set the band.
    start_row : int
        The 0-based number of the chunk's first row in the whole table (the last sort key).
    lang : "zh" or "en", the language of reasons and names.
    model : the landing model (checked against the scorer's map); None for the prior.
    pool_size : keep this many of the best shortlist candidates (0: none).
    duplicate_of : per row, the file row number of the first copy of the same firm, 0 for none
        (:attr:`TableChunk.duplicate_of`); None: no copies.
    first_line : the file row number of data row 0 (turns ``duplicate_of`` into a data-row number).
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a chunk makes millions of short-lived objects and no reference cycles worth a pass
    try:
        scored, match = scorer.score_with_match(profiles)
        result = _result_frame(scorer, scored, lang, model).reset_index(drop=True)
        rows = np.arange(start_row, start_row + len(scored))
        band = _band(profiles)
        copy_of = (np.zeros(len(scored), dtype=np.int64) if duplicate_of is None
                   else np.where(band == BAND_NOT_FIRM, 0, np.asarray(duplicate_of, dtype=np.int64)))
        result["duplicate_of"] = np.where(copy_of > 0, copy_of, np.nan)
        _band_texts(result, profiles, band, copy_of, lang)
        keys = np.column_stack([
            band, result["priority"].to_numpy(dtype=np.float64), scored["score"].to_numpy(dtype=np.float64),
            scored["confidence"].to_numpy(dtype=np.float64), rows, np.where(copy_of > 0, copy_of - first_line, -1),
        ])
        has_link = scored["link_id"].to_numpy(dtype=object) != ""
        candidates = affinity = None
        if pool_size:
            chosen = _Pool(pool_size)
            chosen.add(scored, match.affinity, rows, (band == BAND_FIRM) & (copy_of == 0) & has_link)
            candidates, affinity = chosen.result()
        bad = result["errors"].to_numpy(dtype=object) != ""
        return ScoredChunk(result, keys, bad, int(has_link.sum()), candidates, affinity, has_link)
    finally:
        if gc_was_enabled:
            gc.enable()


def rank_order(keys: np.ndarray) -> np.ndarray:
    """Positions of rows in rank order (:data:`SORT_KEY_COLUMNS`): band, then priority, score
    and confidence, each high first, then input order; a later copy of a firm right after its
    first copy (copies of one firm in input order). A copy whose first copy is not among
    ``keys`` (part of a table) keeps its own place."""
    band, prio, score, confidence, row = keys[:, :5].T
    order = np.lexsort((row, -confidence, -score, -prio, band))
    if keys.shape[1] < 6 or not (keys[:, 5] >= 0).any():
        return order
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    by_row = np.argsort(row, kind="stable")
    copies = np.flatnonzero(keys[:, 5] >= 0)
    at = np.minimum(np.searchsorted(row[by_row], keys[copies, 5]), len(row) - 1)
    found = row[by_row[at]] == keys[copies, 5]
    anchor = position.copy()
    anchor[copies[found]] = position[by_row[at[found]]]
    is_copy = np.zeros(len(order), dtype=bool)
    is_copy[copies[found]] = True
    return np.lexsort((row, is_copy, anchor))


def output_names(columns: Iterable[object]) -> dict[str, str]:
    """Each of :data:`OUTPUT_COLUMNS` → its name beside the input ``columns``: the column's own
    name, or, when an input column (or an output column before it) has that name, the first
    free ``name_1``, ``name_2``, …"""
    names: dict[str, str] = {}
    taken = set(map(str, columns))
    for col in OUTPUT_COLUMNS:
        name = col
        suffix = 1
        while name in taken:
            name = f"{col}_{suffix}"
            suffix += 1
        taken.add(name)
        names[col] = name
    return names


def _pool_size(shortlist_k: int) -> int:
    """How many of the best rows by score the shortlist chooses from."""
    return max(2_000, 20 * shortlist_k) if shortlist_k else 0


def _pick(scorer: Scorer, pool: _Pool | None, k: int, rows: int) -> tuple[pd.DataFrame, Coverage | None, np.ndarray]:
    """The shortlist from the pool: the picked rows, the coverage and each row's position (0: none)."""
    slot = np.zeros(rows, dtype=np.int64)
    if pool is None:
        return pd.DataFrame(), None, slot
    frame, affinity = pool.result()
    chosen, coverage = shortlist(scorer, frame, affinity, k)
    slot[chosen["row"].to_numpy(dtype=np.int64)] = np.arange(1, len(chosen) + 1)
    return chosen, coverage, slot


def _assemble(raw: pd.DataFrame, result: pd.DataFrame, at: np.ndarray, ranks: np.ndarray, slots: np.ndarray,
              version: str, names: dict[str, str]) -> pd.DataFrame:
    """The output rows ``at`` (positions in ``raw`` and ``result``) with their ranks and
    shortlist positions (0: none): the input columns, then :data:`OUTPUT_COLUMNS` named by
    ``names``. Every ranked table, file and report is assembled here."""
    head = raw.iloc[at].reset_index(drop=True)
    head.columns = list(map(str, raw.columns))
    body = result.iloc[at].reset_index(drop=True)
    body.columns = [names[c] for c in RANKED_RESULT_COLUMNS]
    n = len(at)
    rank = pd.DataFrame({names["rank"]: np.asarray(ranks, dtype=np.int64)})
    shortlisted = pd.array(np.asarray(slots, dtype=np.int64), dtype="Int64")
    shortlisted[np.asarray(slots) == 0] = pd.NA
    tail = pd.DataFrame({names["shortlist"]: shortlisted, names["model_version"]: [version] * n})
    return pd.concat([head, rank, body, tail], axis=1)


def rank_frame(
    scorer: Scorer, frame: pd.DataFrame, *, lang: str = "zh", shortlist_k: int = 0, model: LandingModel | None = None,
) -> tuple[pd.DataFrame, Coverage | None]:
    """Rank a DataFrame of firms with canonical column names, in memory.

    ``model`` is the landing model (checked against the scorer's map), None for the prior.
    The same path as :func:`rank_file` (one chunk, rows in memory): the shortlist chooses among
    the same pool of best rows.

    Returns
    -------
    The input columns plus :data:`OUTPUT_COLUMNS` (renamed as :func:`output_names` says), in
    rank order, and the shortlist coverage (None when ``shortlist_k`` is 0).
    """
    text = frame.astype(str).where(frame.notna(), "")
    chunk = score_chunk(scorer, text, lang=lang, model=model, pool_size=_pool_size(shortlist_k))
    pool = None
    if shortlist_k > 0 and chunk.candidates is not None and chunk.affinity is not None:
        pool = _Pool(_pool_size(shortlist_k))
        pool.merge(chunk.candidates, chunk.affinity)
    _, coverage, slot = _pick(scorer, pool, shortlist_k, len(frame))
    order = rank_order(chunk.keys)
    version = model.version if model is not None else PRIOR_VERSION
    out = _assemble(frame, chunk.result, order, np.arange(1, len(order) + 1), slot[order], version, output_names(frame.columns))
    return out, coverage


@dataclass(frozen=True)
class _ChunkDone:
    """What ranking one chunk of a file leaves for the final write (:func:`score_chunk`'s
    keys, counts and shortlist candidates, and the rows to write).

    For CSV output the chunk's rows were written, encoded, to its spill file and ``body``
    holds each row's (offset, length of the input part, length of the result part) there; for
    XLSX it is the chunk's input and result frames. ``top`` is the chunk's best rows (input
    and result frames, and their sort keys), for the report: the chunk's best rows that are not
    copies, and its copies of firms (:func:`_prune_top` keeps those whose first copy can rank
    high enough). ``unreadable`` counts, per input column, the values that could not be read.
    """

    keys: np.ndarray
    bad: int
    matched: int
    pool: tuple[pd.DataFrame, sp.csr_matrix] | None
    body: np.ndarray | tuple[pd.DataFrame, pd.DataFrame]
    top: tuple[pd.DataFrame, pd.DataFrame, np.ndarray]
    unreadable: dict[str, int]


#: One chunk's work for :func:`_rank_chunk`: the chunk, the language, its spill file (None for
#: XLSX output), the shortlist pool size and how many of the best rows to keep for the report.
_ChunkJob = tuple[TableChunk, str, Path | None, int, int]


def _rank_chunk(
    scorer: Scorer, chunk: TableChunk, lang: str, spill: Path | None, pool_size: int, top: int, model: LandingModel | None = None,
) -> _ChunkDone:
    """Score one chunk of a file (:func:`score_chunk`) and encode its rows for output (to ``spill`` for CSV)."""
    profiles = chunk.profiles
    scored = score_chunk(scorer, profiles, start_row=chunk.start_row, lang=lang, model=model, pool_size=pool_size,
                         duplicate_of=chunk.duplicate_of, first_line=chunk.first_line)
    raw = chunk.raw.reset_index(drop=True)
    copy = scored.keys[:, 5] >= 0
    best = np.union1d(np.flatnonzero(~copy)[rank_order(scored.keys[~copy, :5])[:top]], np.flatnonzero(copy) if top else [])
    best = best.astype(np.int64)
    top_rows = (raw.iloc[best], scored.result.iloc[best], scored.keys[best])
    if spill is not None:
        with output_errors(spill):
            body: np.ndarray | tuple[pd.DataFrame, pd.DataFrame] = _spill(
                spill, encode_csv_rows(raw), encode_csv_rows(scored.result, numeric_columns=_NUMERIC))
    else:  # XLSX output: the input's cells as typed, where the input has types (XLSX)
        body = (raw if chunk.cells is None else chunk.cells.reset_index(drop=True), scored.result)
    pool = (scored.candidates, scored.affinity) if scored.candidates is not None and scored.affinity is not None else None
    return _ChunkDone(scored.keys, int(scored.bad.sum()), scored.matched, pool, body, top_rows,
                      dict(profiles.attrs.get("unreadable", {})))


def _spill(path: Path, heads: list[str], tails: list[str]) -> np.ndarray:
    """Write each row's encoded input and result parts to ``path``; return, per row, its
    offset and the byte lengths of the two parts.

    Each part is encoded by Python. (pyarrow's one-pass encoding of all the parts took less CPU
    on its own, but 2–3x more inside a ranking worker, chunk after chunk: its allocator hands
    freed buffers back to the system, so each chunk's buffers fault their pages in afresh; see
    ``benchmarks/README.md``.)"""
    encoded: list[bytes] = [b""] * (2 * len(heads))
    encoded[0::2] = [head.encode() for head in heads]
    encoded[1::2] = [tail.encode() for tail in tails]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)).reshape(-1, 2)
    sizes = lengths.sum(axis=1)
    spans = np.column_stack([np.cumsum(sizes) - sizes, lengths])
    with path.open("wb") as fh:
        fh.write(b"".join(encoded))
    return spans


def _ranked_blocks(spills: list[Path], where: np.ndarray, picked: np.ndarray, first_rank: int, version: str) -> Iterator[list[bytes]]:
    """Output lines (UTF-8, each with its CRLF) ranked ``first_rank, …``, read back from the
    spill files 50,000 at a time: the CSV form of :func:`_assemble`'s rows.

    ``where`` holds, per line, its spill file, offset, and the lengths of its input and result
    parts. ``os.pread`` rather than a memory map: rows in rank order are scattered over the
    files, and each page fault of a map brings its neighbours into resident memory too.
    """
    tail_end = f",{version}\r\n".encode()
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
                     first_rank: int, version: str, target: str) -> None:
    """Write lines ``first_rank, …`` (:func:`_ranked_blocks`) into ``path`` at ``position``,
    room of ``nbytes`` that the main process reserved (:meth:`TableWriter.reserve_encoded`).
    An operating-system error names ``target``, the file being made."""
    end = position + nbytes
    with output_errors(target):
        out = os.open(path, os.O_WRONLY)
        try:
            for lines in _ranked_blocks(spills, where, picked, first_rank, version):
                # the lines as they are, up to IOV_MAX a call: joined into one buffer, each block's
                # fresh pages faulted in cost more than the writing (0.7x the CPU; benchmarks/README.md)
                for at in range(0, len(lines), _IOV_MAX):
                    part = lines[at:at + _IOV_MAX]
                    size = sum(map(len, part))
                    if os.pwritev(out, part, position) != size:  # a full disk can cut a write short before it fails
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    position += size
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


_WORKER_SCORER: Scorer | None = None
_WORKER_MODEL: LandingModel | None = None


def _init_worker(scorer: Scorer, model: LandingModel | None, parent: int) -> None:
    global _WORKER_SCORER, _WORKER_MODEL
    _WORKER_SCORER = scorer
    _WORKER_MODEL = model
    pd.set_option("mode.string_storage", "python")  # as python_strings() in the main process, for good here
    die_with_parent(parent)


def _rank_chunk_in_worker(chunk: TableChunk, lang: str, spill: Path | None, pool_size: int, top: int) -> _ChunkDone:
    assert _WORKER_SCORER is not None
    return _rank_chunk(_WORKER_SCORER, chunk, lang, spill, pool_size, top, model=_WORKER_MODEL)


@contextmanager
def _workers(workers: int, scorer: Scorer, model: LandingModel | None) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes that hold the scorer and model and die with this process (None for one)."""
    if workers <= 1:
        yield None
        return
    # fork shares the fitted scorer and model without re-importing; spawn where fork is unavailable
    context = get_context("fork" if "fork" in get_all_start_methods() else "spawn")
    gc.freeze()  # forked workers then never touch (and copy) the parent's objects in a collection
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(scorer, model, os.getpid()))
    try:
        yield executor
    finally:
        executor.shutdown(cancel_futures=True)


class RankOptions(TypedDict, total=False):
    """How :func:`rank_file` and :meth:`recommender.Recommender.rank_file` read, rank and write; each
    may be left out (:data:`RANK_DEFAULTS` then says what it is).

    lang : "zh" or "en", the language of reasons and names.
    top : how many of the best rows to return in the report.
    chunk_rows : rows read and scored at a time.
    max_rows : the most data rows accepted; a file with more is refused (None: no limit).
    workers : processes that score chunks (1: in this process).
    progress : called with the number of rows done after each chunk.
    overwrite : allow ``target`` to be ``source`` itself; it is replaced once ranked.
    """

    lang: str
    top: int
    chunk_rows: int
    max_rows: int | None
    workers: int
    progress: Callable[[int], None] | None
    overwrite: bool


#: Each of :class:`RankOptions` when it is left out (the command line's defaults too).
RANK_DEFAULTS: RankOptions = {
    "lang": "zh", "top": 10, "chunk_rows": 25_000, "max_rows": None, "workers": 1, "progress": None, "overwrite": False,
}


def rank_file(
    scorer: Scorer,
    source: str | Path,
    target: str | Path,
    *,
    shortlist_k: int = 0,
    model: LandingModel | None = None,
    **options: Unpack[RankOptions],
) -> RankReport:
    """Rank a CSV/XLSX file of firms into a CSV/XLSX file, every row exactly once.

    Parameters
    ----------
    source, target : paths; the format follows each file's extension.
    shortlist_k : pick this many firms for the shortlist (0: none).
    model : the landing model (checked against the scorer's map); None for the prior.
    **options : see :class:`RankOptions` (language, top rows, chunks, row limit, workers, progress, overwrite).

    Raises
    ------
    OutputFileError
        ``target`` cannot be written (checked before the work where it can be: a folder, a
        missing or read-only folder, the input itself); nothing is left behind.
    TypeError
        An option that :class:`RankOptions` does not name.
    """
    if unknown := sorted(options.keys() - RankOptions.__optional_keys__):
        raise TypeError(f"rank_file() got unexpected keyword arguments: {', '.join(unknown)}")
    opts = RANK_DEFAULTS | options
    lang, top, workers, progress, overwrite = opts["lang"], opts["top"], opts["workers"], opts["progress"], opts["overwrite"]
    version = model.version if model is not None else PRIOR_VERSION
    check_output_path(target, source=source, overwrite=overwrite)
    table = open_table(source, chunk_rows=opts["chunk_rows"], max_rows=opts["max_rows"])
    names = output_names(table.columns)
    columns = [*table.columns, *(names[c] for c in OUTPUT_COLUMNS)]
    csv_out = Path(target).suffix.lower() == ".csv"
    pool_size = _pool_size(shortlist_k)
    pool = _Pool(pool_size) if shortlist_k else None
    # an XLSX input's cells keep their own types; a CSV input's columns are typed where safe
    typed = [] if table.typed_cells else [c for c in table.columns if not identifier_column(c, table.mapping.get(c, ""))]
    wrap = [names["reasons"], names["likelihood_reasons"], names["errors"], *(c for c, f in table.mapping.items() if f == "description")]
    unreadable: dict[str, int] = {}
    # the writer checks the output before any work; it replaces the target only on success
    with (python_strings(),
          TableWriter(target, columns, numeric_columns=[names[c] for c in _NUMERIC], wrap_columns=wrap, typed_columns=typed) as writer,
          tempfile.TemporaryDirectory(prefix="rank-") as tmp,
          _workers(workers, scorer, model) as executor):
        spills: list[Path] = []

        def jobs() -> Iterator[_ChunkJob]:
            for chunk in _even_out(table.chunks(), 2 * workers if executor is not None else 1):
                spill = Path(tmp) / f"chunk{len(spills):05d}.bin" if csv_out else None
                if spill is not None:
                    spills.append(spill)
                yield chunk, lang, spill, pool_size, top

        done: Iterator[_ChunkDone] = (
            _bounded_map(executor, _rank_chunk_in_worker, jobs(), ahead=workers + 1, held=2 * workers + 2) if executor is not None
            else (_rank_chunk(scorer, *job, model=model) for job in jobs())
        )
        parts: list[_ChunkDone] = []
        for part in done:
            if pool is not None and part.pool is not None:
                pool.merge(*part.pool)
            parts.append(replace(part, pool=None))
            for column, count in part.unreadable.items():
                unreadable[column] = unreadable.get(column, 0) + count
            if top:
                _prune_top(parts, top)
            if progress is not None:
                progress(len(part.keys))
        keys = np.concatenate([p.keys for p in parts]) if parts else np.zeros((0, len(SORT_KEY_COLUMNS)))
        order = rank_order(keys)  # rows are numbered in file order, so a row's number is its position in keys
        rows = len(order)
        chosen, coverage, slot = _pick(scorer, pool, shortlist_k, rows)
        if csv_out:
            spans = np.concatenate([p.body for p in parts]) if parts else np.zeros((0, 3), dtype=np.int64)
            spill_of = np.repeat(np.arange(len(parts)), [len(p.body) for p in parts])
            # the chunks' own keys and spans are copied above: let them go before the rows are placed
            parts = [replace(p, keys=p.keys[:0], body=np.zeros((0, 3), dtype=np.int64)) for p in parts]
            where = np.column_stack([spill_of[order], spans[order]])
            del spans, spill_of
            picked = slot[order]
            sizes = _line_bytes(where, picked, 1, version)
            path, offset = writer.reserve_encoded(int(sizes.sum()), rows)
            # the rows are formatted and written in place in runs of ranks, one run per worker
            bounds = np.linspace(0, rows, (workers if executor is not None else 1) + 1).astype(int)
            starts = offset + np.r_[0, np.cumsum(sizes)][bounds]
            runs = [
                (path, int(starts[k]), int(starts[k + 1] - starts[k]), spills, where[a:b], picked[a:b], int(a) + 1, version, str(target))
                for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
            ]
            if executor is not None:
                for future in [executor.submit(_write_ranked_at, *run) for run in runs]:
                    future.result()
            else:
                for run in runs:
                    _write_ranked_at(*run)
        else:
            raw = pd.concat([p.body[0] for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=list(table.columns))
            result = (pd.concat([p.body[1] for p in parts], ignore_index=True) if parts
                      else pd.DataFrame(columns=list(RANKED_RESULT_COLUMNS)))
            writer.write(_assemble(raw, result, order, np.arange(1, rows + 1), slot[order], version, names))
        best, bands = _report_top(parts, keys, order, top, slot, version, names, table.columns)
        report = RankReport(
            rows=rows, bad_rows=sum(p.bad for p in parts), matched_rows=sum(p.matched for p in parts),
            top=best, top_bands=bands, shortlist=chosen, coverage=coverage,
            model_version=version, columns=column_report(table, unreadable), header_rows=table.header_rows,
            inactive_rows=int((keys[:, 0] == BAND_INACTIVE).sum()), not_firm_rows=int((keys[:, 0] == BAND_NOT_FIRM).sum()),
            duplicate_rows=int((keys[:, 5] >= 0).sum()),
        )
        writer.add_notes(_notes(report, scorer, lang))
    return report


def _notes(report: RankReport, scorer: Scorer, lang: str) -> list[list[object]]:
    """The rows of the notes sheet of an XLSX output: counts, the column report, versions."""
    counts = [
        ("行数", "rows", report.rows), ("匹配到环节", "matched a link", report.matched_rows),
        ("有问题的行", "rows with problems", report.bad_rows), ("非存续企业", "firms not active", report.inactive_rows),
        ("非企业行", "rows that are not firms", report.not_firm_rows), ("重复企业", "duplicate rows", report.duplicate_rows),
        ("短名单企业数", "firms shortlisted", len(report.shortlist)),
    ]
    return notes_rows(counts=counts, columns=report.columns, header_rows=report.header_rows,
                      coverage=report.coverage.summary(lang) if report.coverage is not None else None,
                      map_version=scorer.chain_map.version, model_version=report.model_version, lang=lang)


def _prune_top(parts: list[_ChunkDone], top: int) -> None:
    """Drop from the chunks' best rows the copies of firms whose first copy is no longer among
    the ``top`` best rows that are not copies (rows only ever push it further down, and a
    copy ranks right after its first copy, so such a copy cannot make the top)."""
    keys = np.concatenate([p.top[2] for p in parts])
    firsts = keys[keys[:, 5] < 0]
    kept = firsts[rank_order(firsts[:, :5])[:top], 4]
    for i, part in enumerate(parts):
        raw, result, part_keys = part.top
        keep = (part_keys[:, 5] < 0) | np.isin(part_keys[:, 5], kept)
        if not keep.all():
            parts[i] = replace(part, top=(raw.iloc[keep], result.iloc[keep], part_keys[keep]))


def _report_top(parts: list[_ChunkDone], keys: np.ndarray, order: np.ndarray, top: int, slot: np.ndarray, version: str,
                names: dict[str, str], input_columns: tuple[str, ...]) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """The ``top`` best rows with the output columns, from each chunk's best rows, and their bands."""
    if not parts or not top:
        return pd.DataFrame(columns=[*input_columns, *(names[c] for c in OUTPUT_COLUMNS)]), ()
    raw = pd.concat([p.top[0] for p in parts], ignore_index=True)
    result = pd.concat([p.top[1] for p in parts], ignore_index=True)
    rows = np.concatenate([p.top[2][:, 4] for p in parts]).astype(np.int64)
    rank_of = np.empty(len(keys), dtype=np.int64)
    rank_of[order] = np.arange(1, len(keys) + 1)
    best = np.argsort(rank_of[rows], kind="stable")[:top]
    bands = tuple(int(b) for b in keys[rows[best], 0])
    return _assemble(raw, result, best, rank_of[rows[best]], slot[rows[best]], version, names), bands


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


def _bounded_map(executor: ProcessPoolExecutor, fn: Callable, jobs: Iterable[tuple], *, ahead: int, held: int) -> Iterator:
    """``executor.map`` in order, with at most ``ahead`` jobs submitted and not finished, and at
    most ``held`` jobs whose results wait for an older one (bounded memory).

    A job is submitted as soon as any one finishes, not only the oldest: a worker that finishes
    first then finds its next job waiting while this process still waits for an older one (an
    order-bound window left that worker idle while the next chunk was read)."""
    pending: deque[Future] = deque()  # submitted, in job order, until yielded
    running: set[Future] = set()  # submitted and not finished
    remaining = iter(jobs)
    more = True
    while True:
        while more and len(running) < ahead and len(pending) < held:
            job = next(remaining, None)
            if job is None:
                more = False
                break
            future = executor.submit(fn, *job)
            pending.append(future)
            running.add(future)
        if not pending:
            return
        if pending[0].done():
            running.discard(pending[0])
            yield pending.popleft().result()
        else:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            running -= finished
