"""Chain maps and rankings as pandas tables, and the what-ifs analysts ask about.

Small helpers for notebooks and reports, on the public API only:

* :func:`chains_frame`: one row per chain, its links counted by status;
* :func:`gap_matrix`: chains × stages, the most-needed status of each cell (the gap map);
* :func:`close_gap`: a copy of a map with one link's status changed ("what if we land it?");
* :func:`rank_moves`: who moves between two rankings of the same firms;
* :func:`read_firms`: a candidate file (CSV/XLSX, Chinese or English headers) as a table of
  canonical profile columns, ready for :meth:`Recommender.rank`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os

import pandas as pd

from ..chainmap._schema import GAP_STATUSES, STAGES, STATUSES, ChainMap
from ..tables._io import open_table
from ..tables._vendor import text_profiles

__all__ = ["CHAIN_COLUMNS", "MOVE_COLUMNS", "chains_frame", "close_gap", "gap_matrix", "rank_moves", "read_firms"]

#: Columns of :func:`chains_frame`, indexed by chain id.
CHAIN_COLUMNS = ("chain_zh", "chain_en", "group", "links", *STATUSES, "gaps", "key_targets")
#: Columns of :func:`rank_moves`.
MOVE_COLUMNS = ("rank_before", "rank_after", "move", "score_before", "score_after", "score_change")

#: Statuses from most needed to least: a cell of the gap map shows the first one present.
_NEED_ORDER = ("missing", "weak", "present", "strong")


def chains_frame(chain_map: ChainMap) -> pd.DataFrame:
    """One row per chain: names, group, links counted by status, gaps and key targets.

    Returns
    -------
    DataFrame indexed by chain id (map order) with columns :data:`CHAIN_COLUMNS`; ``gaps``
    counts missing and weak links.
    """
    rows: list[dict[str, object]] = []
    for chain in chain_map.chains:
        statuses: list[str] = [link.status for link in chain.links]
        rows.append({
            "chain_id": chain.id,
            "chain_zh": chain.name.zh,
            "chain_en": chain.name.en,
            "group": chain.group,
            "links": len(chain.links),
            **{status: statuses.count(status) for status in STATUSES},
            "gaps": sum(statuses.count(status) for status in GAP_STATUSES),
            "key_targets": sum(link.priority == "key_target" for link in chain.links),
        })
    return pd.DataFrame(rows, columns=["chain_id", *CHAIN_COLUMNS]).set_index("chain_id")


def gap_matrix(chain_map: ChainMap) -> pd.DataFrame:
    """Chains × stages: the most-needed status among a chain's links at each stage.

    Returns
    -------
    DataFrame indexed by chain id (map order), one column per stage in :data:`STAGES` order,
    holding ``"missing"``, ``"weak"``, ``"present"``, ``"strong"``, or None where the chain has
    no link at that stage.
    """
    table: dict[str, dict[str, str | None]] = {}
    for chain in chain_map.chains:
        cells: dict[str, str | None] = {}
        for stage in STAGES:
            present = {link.status for link in chain.links if link.stage == stage}
            cells[stage] = next((s for s in _NEED_ORDER if s in present), None)
        table[chain.id] = cells
    frame = pd.DataFrame.from_dict(table, orient="index", columns=list(STAGES)).astype(object)
    frame.index.name = "chain_id"
    return frame.where(frame.notna(), None)


def close_gap(chain_map: ChainMap, link_id: str, *, status: str = "strong") -> ChainMap:
    """A copy of ``chain_map`` in which one link has a new status.

    The copy answers "what if this gap were closed?": rank again with
    ``Recommender(close_gap(m, "foil"))`` and compare with :func:`rank_moves`. Quotes are kept
    as they are, so the copy is for what-ifs, not for publishing; its version carries a
    different digest.

    Parameters
    ----------
    link_id : the link to change.
    status : one of ``"strong"``, ``"present"``, ``"weak"``, ``"missing"``.

    Raises
    ------
    KeyError
        If the map has no link ``link_id``.
    ValueError
        If ``status`` is not a known status.
    """
    if status not in STATUSES:
        raise ValueError(f"The 'status' parameter of close_gap must be one of {list(STATUSES)}. Got {status!r} instead.")
    if link_id not in chain_map.link_by_id:
        raise KeyError(f"the map {chain_map.id!r} has no link {link_id!r}")
    owner = chain_map.chain_of[link_id]
    links = [link.model_copy(update={"status": status}) if link.id == link_id else link for link in owner.links]
    chains = tuple(chain.model_copy(update={"links": links}) if chain.id == owner.id else chain for chain in chain_map.chains)
    digest = hashlib.sha256(f"{chain_map.digest}\0{link_id}\0{status}".encode()).hexdigest()
    return dataclasses.replace(chain_map, chains=chains, digest=digest)


def rank_moves(before: pd.DataFrame, after: pd.DataFrame, *, key: str = "name") -> pd.DataFrame:
    """Who moves between two rankings of the same firms.

    Parameters
    ----------
    before, after : ranked tables (from :meth:`Recommender.rank`) with ``key``, ``rank`` and
        ``score`` columns.
    key : the column that names a firm; its values must be unique.

    Returns
    -------
    DataFrame indexed by ``key`` with columns :data:`MOVE_COLUMNS`, biggest moves first;
    ``move`` is positive for a firm that climbs (``rank_before - rank_after``).

    Raises
    ------
    ValueError
        If a column is missing, a key is repeated, or the two tables hold different firms.
    """
    for label, frame in (("before", before), ("after", after)):
        missing = [c for c in (key, "rank", "score") if c not in frame.columns]
        if missing:
            raise ValueError(f"The '{label}' table of rank_moves must have the columns {missing}.")
        repeated = frame[key][frame[key].duplicated()].unique().tolist()
        if repeated:
            raise ValueError(f"The '{label}' table of rank_moves repeats the key {key!r}: {repeated[:5]}")
    b = before.set_index(key)[["rank", "score"]].add_suffix("_before")
    a = after.set_index(key)[["rank", "score"]].add_suffix("_after")
    if set(b.index) != set(a.index):
        raise ValueError("The two tables of rank_moves must hold the same firms.")
    out = b.join(a)
    out["move"] = out["rank_before"] - out["rank_after"]
    out["score_change"] = (out["score_after"] - out["score_before"]).round(2)
    out = out[list(MOVE_COLUMNS)]
    order = out["move"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order]


def read_firms(path: str | os.PathLike[str], *, max_rows: int | None = None) -> pd.DataFrame:
    """A candidate-firm file as one DataFrame of canonical profile columns (all text).

    Headers in Chinese or English are recognised (``企业名称`` → ``name``, …); columns the
    profile does not use are left out. For files too large for memory, use
    :meth:`Recommender.rank_file`.

    Raises
    ------
    InputFileError, EncodingError
        As :func:`recommender.tables.open_table`.
    """
    table = open_table(path, max_rows=max_rows)
    frames = [text_profiles(chunk.profiles) for chunk in table.chunks()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
