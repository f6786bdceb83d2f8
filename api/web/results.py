"""A page of a job's ranked rows, sorted and filtered on the server from its Parquet file.

The file is in rank order with row groups of :data:`~api.web.jobs.ROW_GROUP` rows. A query reads
only the columns it filters and sorts on, picks the page's rows, then reads the shown columns
of just the row groups that hold them: the first page of a 100,000-row job costs about what it
costs for 100 rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .jobs import PARQUET, Job

__all__ = ["SORTS", "Query", "page", "row"]

#: sortable output columns; "rank" is the file's order
SORTS = ("rank", "score", "likelihood", "priority", "confidence", "name")
#: what the table shows of each row
SHOWN = ("rank", "chain", "link", "action", "score", "likelihood", "priority", "park", "confidence", "reasons", "errors", "shortlist")


@dataclass(frozen=True)
class Query:
    """Filters, sort and page of the results table (all optional)."""

    chain: str = ""
    link: str = ""
    action: str = ""
    park: str = ""
    score_min: float | None = None
    score_max: float | None = None
    q: str = ""
    errors_only: bool = False
    shortlist_only: bool = False
    sort: str = "rank"
    desc: bool = False
    page: int = 1
    size: int = 50


@dataclass
class Page:
    rows: list[dict]
    total: int
    page: int
    pages: int
    extra: dict = field(default_factory=dict)


def _name_column(job: Job) -> str:
    """The input column holding the firm's name (the first one the reader recognised)."""
    mapping = job.status.get("mapping", {})
    return next((col for col, canon in mapping.items() if canon == "name"), job.status.get("input_columns", ["name"])[0])


def _filter(job: Job, query: Query) -> pc.Expression | None:
    cols = job.columns
    parts = []
    for column in ("chain", "link", "action", "park"):
        value = getattr(query, column)
        if value:
            parts.append(pc.field(cols[column]) == value)
    if query.score_min is not None:
        parts.append(pc.field(cols["score"]) >= query.score_min)
    if query.score_max is not None:
        parts.append(pc.field(cols["score"]) <= query.score_max)
    if query.q:
        parts.append(pc.match_substring(pc.field(_name_column(job)), query.q, ignore_case=True))
    if query.errors_only:
        parts.append(pc.field(cols["errors"]) != "")
    if query.shortlist_only:
        parts.append(pc.field(cols["shortlist"]).is_valid())
    if not parts:
        return None
    expression = parts[0]
    for part in parts[1:]:
        expression = expression & part
    return expression


def _positions(job: Job, query: Query, file: pq.ParquetFile) -> np.ndarray:
    """Row positions (0-based, = rank - 1) of the rows that pass the filters, in the asked order."""
    expression = _filter(job, query)
    if expression is None and query.sort == "rank":
        total = file.metadata.num_rows
        return np.arange(total - 1, -1, -1) if query.desc else np.arange(total)
    sort_column = _name_column(job) if query.sort == "name" else job.columns[query.sort]
    rank = job.columns["rank"]
    needed = {rank, sort_column}
    if expression is not None:
        table = ds.dataset(job.path(PARQUET), format="parquet").to_table(columns=sorted(needed), filter=expression)
    else:
        table = file.read(columns=sorted(needed))
    order = "descending" if query.desc else "ascending"
    keys = [(sort_column, order)] if sort_column == rank else [(sort_column, order), (rank, "ascending")]
    indices = pc.sort_indices(table, sort_keys=keys)
    ranks = pc.take(table[rank], indices).to_numpy(zero_copy_only=False)
    return ranks.astype(np.int64) - 1


def _read_rows(file: pq.ParquetFile, positions: np.ndarray, columns: list[str]) -> list[dict]:
    """The rows at ``positions`` (in that order), reading only the row groups that hold them."""
    if not len(positions):
        return []
    sizes = [file.metadata.row_group(i).num_rows for i in range(file.metadata.num_row_groups)]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    groups = np.searchsorted(starts, positions, side="right") - 1
    wanted = sorted(set(groups.tolist()))
    table = file.read_row_groups(wanted, columns=columns)
    offset = {g: int(sum(sizes[w] for w in wanted[:k])) for k, g in enumerate(wanted)}
    local = [offset[g] + int(p - starts[g]) for g, p in zip(groups.tolist(), positions.tolist(), strict=True)]
    return table.take(pa.array(local)).to_pylist()


def page(job: Job, query: Query) -> Page:
    """The asked page of the job's rows, each as ``{"firm": ..., "rank": ..., ...}`` by output column."""
    file = pq.ParquetFile(job.path(PARQUET))
    positions = _positions(job, query, file)
    total = len(positions)
    pages = max(1, -(-total // query.size))
    number = min(max(query.page, 1), pages)
    chosen = positions[(number - 1) * query.size: number * query.size]
    name = _name_column(job)
    names = {job.columns[c]: c for c in SHOWN}
    raw = _read_rows(file, chosen, [name, *names])
    rows = [{"firm": r[name], **{names[k]: v for k, v in r.items() if k in names}} for r in raw]
    return Page(rows=rows, total=total, page=number, pages=pages)


def row(job: Job, rank: int) -> dict | None:
    """Every column of the row with this rank, by its name in the file; None when there is none."""
    file = pq.ParquetFile(job.path(PARQUET))
    if not 1 <= rank <= file.metadata.num_rows:
        return None
    return _read_rows(file, np.array([rank - 1]), file.schema_arrow.names)[0]
