"""What the matcher reads from one firm: its links and affinities, its production links."""

import pandas as pd


def links_of(scorer, description: str, name: str = "某公司") -> dict[str, float]:
    """Link id → affinity for one firm (a name and a description)."""
    match = scorer.matcher.match(pd.DataFrame([{"name": name, "description": description}]))
    row = match.affinity.getrow(0)
    return {scorer.matcher.link_ids_[c]: v for c, v in zip(row.indices, row.data, strict=True)}


def production(scorer, links) -> list[str]:
    """The production links (not service links) among ``links``."""
    return [link for link in links if scorer.chain_map.link_by_id[link].stage != "service"]


def top_link(scorer, description: str) -> str:
    """The link with the highest affinity for one firm ('' when none)."""
    links = links_of(scorer, description)
    return max(links, key=links.get) if links else ""
