"""What the firm page shows: the score's parts, the evidence in the firm's own words, the
likelihood's parts and the link's place in its chain.

A ranked row is scored again through the same library calls (``Recommender.results`` and the
scorer's matcher) to recover what the ranked file does not hold: the matched terms, the second
link and every part of the likelihood.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from recommender import STAGES, Recommender, Result
from recommender._columnar import Columns
from recommender.chainmap import COMPONENT_NAMES
from recommender.likelihood import FEATURE_LABELS
from recommender.scoring import profile_columns
from recommender.tables._header import field_of
from recommender.tables._vendor import profiles

__all__ = ["firm_view", "profile_from_row"]


def profile_from_row(row: Mapping[str, object], mapping: Mapping[str, str]) -> pd.DataFrame:
    """The canonical profile (one row) of a ranked row's input columns, read as the ranking read them."""
    sources: dict[str, list[str]] = {}
    for column, canon in mapping.items():
        sources.setdefault(canon, []).append(column)
    units = {column: field_of(column)[1] for column, canon in mapping.items() if canon in ("revenue", "capital")}
    raw = pd.DataFrame({column: ["" if row.get(column) is None else str(row[column])] for column in mapping})
    return profiles(raw, sources, units)


def _highlight(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) around every occurrence of ``terms`` (case-insensitive)."""
    terms = sorted({t for t in terms if t and not t.startswith("code:")}, key=len, reverse=True)
    if not text or not terms:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for hit in pattern.finditer(text):
        if hit.start() > at:
            pieces.append((text[at:hit.start()], False))
        pieces.append((hit.group(0), True))
        at = hit.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _link_place(recommender: Recommender, link_id: str | None, lang: str) -> dict | None:
    """The link's chain laid out by stage, the link marked, with its status quote."""
    if not link_id:
        return None
    chain_map = recommender.chain_map
    link = chain_map.link_by_id[link_id]
    chain = next(c for c in chain_map.chains if any(item.id == link_id for item in c.links))
    en = lang == "en"
    stages = [
        (stage, [{"id": item.id, "name": item.name.en if en else item.name.zh, "status": item.status, "priority": item.priority,
                  "current": item.id == link_id} for item in chain.links if item.stage == stage])
        for stage in STAGES
    ]
    return {
        "chain": chain.name.en if en else chain.name.zh, "chain_id": chain.id, "link": link.name.en if en else link.name.zh,
        "link_id": link.id, "status": link.status, "priority": link.priority, "stage": link.stage,
        "quote": link.status_quote.text, "doc": link.status_quote.doc, "stages": [(s, items) for s, items in stages if items],
    }


def firm_view(recommender: Recommender, profile: pd.DataFrame | Columns, lang: str) -> dict:
    """Everything the firm page shows for a one-row canonical profile (a frame or columns)."""
    result: Result = recommender.results(profile, lang=lang)[0]
    columns = profile_columns(profile)
    scored, match = recommender.scorer.score_columns(columns)
    link_ids = list(recommender.scorer.matcher.link_ids_)
    start, end = match.indptr[0], match.indptr[1]
    order = np.argsort(-match.data[start:end], kind="stable")
    matched = [(link_ids[match.indices[start + k]], float(match.data[start + k]), str(match.evidence[start + k])) for k in order]
    second = next(((lid, a, ev) for lid, a, ev in matched if lid != result.link_id), None)
    index = 1 if lang == "en" else 0
    components = [
        {"name": c.name, "label": COMPONENT_NAMES.get(c.name, (c.name, c.name))[index], "points": c.points, "max": c.max_points}
        for c in result.components
    ]
    factors = [
        {"label": FEATURE_LABELS.get(f.feature, (f.feature, f.feature))[index], "level": f.level, "log_odds": f.log_odds}
        for f in result.likelihood_factors
    ]
    description = str(columns["description"][0])
    evidence = str(scored["evidence"][0]) if len(scored["evidence"]) else ""
    second_view = None
    if second is not None:
        place = _link_place(recommender, second[0], lang)
        second_view = {**place, "affinity": second[1], "evidence": second[2]} if place else None
    return {
        "result": result,
        "components": components,
        "factors": factors,
        "evidence": evidence,
        "description": _highlight(description, [evidence, *(ev for _, _, ev in matched[:3])]),
        "affinity": float(scored["affinity"][0]) if len(scored["affinity"]) else 0.0,
        "place": _link_place(recommender, result.link_id, lang),
        "second": second_view,
    }


def bars_svg(components: list[dict], width: int = 520, bar: int = 22) -> str:
    """The score's components as a horizontal bar chart (inline SVG): points against each maximum."""
    label_w, gap = 110, 6
    height = len(components) * (bar + gap) + gap
    scale = (width - label_w - 70) / max((c["max"] for c in components), default=1)
    parts = [f'<svg class="bars" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, c in enumerate(components):
        y = gap + i * (bar + gap)
        full, got = c["max"] * scale, c["points"] * scale
        label = _escape(c["label"])
        parts.append(
            f'<g><title>{label}: {c["points"]:.2f} / {c["max"]:.0f}</title>'
            f'<text x="{label_w - 6}" y="{y + bar * 0.7:.1f}" text-anchor="end">{label}</text>'
            f'<rect x="{label_w}" y="{y}" width="{full:.1f}" height="{bar}" class="bar-max"/>'
            f'<rect x="{label_w}" y="{y}" width="{got:.1f}" height="{bar}" class="bar-got"/>'
            f'<text x="{label_w + full + 6:.1f}" y="{y + bar * 0.7:.1f}">{c["points"]:.2f} / {c["max"]:.0f}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
