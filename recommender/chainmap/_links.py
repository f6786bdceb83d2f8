"""Chain map → one feature vector per link: what each link needs and how easy it is to land.

Features (all in [0, 1]):

* ``need``: by local status (missing > weak > present > strong; a project the documents name
  to bring in as a gap) × priority (重点引进 first);
* ``stage``: the "waist" preference (midstream first);
* ``maturity``: the follow strategy (maturing technology over the frontier);
* ``relatedness``: the share of the link's supply neighbourhood the city already has, in the
  spirit of the economic-complexity "density": a link next to strong local links is easier to
  land; a link without edges takes its chain's average;
* ``green``: recycling and circular links (无废城市);
* ``park``: the park that best hosts the link (its own parks first, then parks that specialise
  in its chain), never a park that excludes heavy industry for a heavy link.

The action of a link: 延链 for extension links, 建链 for a missing link of a future chain,
补链 for other missing links, 强链 otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._schema import ChainMap, Link, Strategy

__all__ = ["LINK_FEATURE_COLUMNS", "PRESENCE", "encode_links",]

#: Columns of the link feature table, indexed by link id.
LINK_FEATURE_COLUMNS = (
    "chain_id", "chain_zh", "chain_en", "link_zh", "link_en", "stage", "status", "priority",
    "maturity", "action", "need", "stage_weight", "maturity_weight", "relatedness", "green",
    "heavy", "park_id", "park_zh", "park_en", "park_fit",
)

#: How much of a link the city already has, by status (used for relatedness).
PRESENCE = {"strong": 1.0, "present": 0.7, "weak": 0.35, "missing": 0.0}


def _link_action(link: Link, chain_group: str) -> str:
    """补链 / 强链 / 延链 / 建链 for a link."""
    if link.role == "extension":
        return "延链"
    if link.status == "missing":
        return "建链" if chain_group == "future" else "补链"
    return "强链"


def _relatedness(chain_map: ChainMap) -> dict[str, float]:
    neighbours: dict[str, set[str]] = {link.id: set() for link in chain_map.links}
    for link in chain_map.links:
        for target in link.supplies:
            neighbours[link.id].add(target)
            neighbours[target].add(link.id)
    status = {link.id: link.status for link in chain_map.links}
    out: dict[str, float] = {}
    for chain in chain_map.chains:
        for link in chain.links:
            near = neighbours[link.id] or {other.id for other in chain.links if other.id != link.id}
            out[link.id] = float(np.mean([PRESENCE[status[n]] for n in sorted(near)])) if near else 0.5  # sorted: the same sum whatever the hash seed
    return out


def _park_for(chain_map: ChainMap, link: Link, chain_id: str) -> tuple[str, float]:
    """The park that hosts a link and how well (1.0 its own park, 0.7 a chain park)."""
    allowed = [p for p in chain_map.parks if not (link.heavy and p.excludes_heavy_industry)]
    allowed_ids = {p.id for p in allowed}
    for park_id in link.parks:
        if park_id in allowed_ids:
            return park_id, 1.0
    for park in allowed:
        if link.id in park.specialises:
            return park.id, 1.0
    for park in allowed:
        if chain_id in park.specialises:
            return park.id, 0.7
    return "", 0.0


def encode_links(chain_map: ChainMap) -> pd.DataFrame:
    """The link feature table of a chain map.

    Returns
    -------
    DataFrame indexed by link id (in map order) with columns :data:`LINK_FEATURE_COLUMNS`.
    """
    strategy = chain_map.strategy
    related = _relatedness(chain_map)
    rows = []
    for chain in chain_map.chains:
        for link in chain.links:
            park_id, park_fit = _park_for(chain_map, link, chain.id)
            park = chain_map.park_by_id.get(park_id)
            rows.append({
                "link_id": link.id,
                "chain_id": chain.id,
                "chain_zh": chain.name.zh,
                "chain_en": chain.name.en,
                "link_zh": link.name.zh,
                "link_en": link.name.en,
                "stage": link.stage,
                "status": link.status,
                "priority": link.priority,
                "maturity": link.maturity,
                "action": _link_action(link, chain.group),
                "need": _need(link, strategy),
                "stage_weight": strategy.stage_weight[link.stage],
                "maturity_weight": strategy.maturity_weight[link.maturity],
                "relatedness": related[link.id],
                "green": 1.0 if link.green else 0.0,
                "heavy": link.heavy,
                "park_id": park_id,
                "park_zh": park.name.zh if park else "",
                "park_en": park.name.en if park else "",
                "park_fit": park_fit,
            })
    return pd.DataFrame(rows).set_index("link_id")[list(LINK_FEATURE_COLUMNS)]


def _need(link: Link, strategy: Strategy) -> float:
    """The link's need: by its local status, at least a gap's where the documents name it as a
    project to bring in; × its priority."""
    need = strategy.status_need[link.status]
    if link.project_quote is not None:
        need = max(need, strategy.status_need["missing"])
    return need * strategy.priority_weight[link.priority]
