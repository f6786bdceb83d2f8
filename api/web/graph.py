"""A chain's links and supply edges drawn as inline SVG: links laid out by stage, arrows for edges.

Columns follow the stages (upstream → midstream → downstream → services; only those the chain
has), a last column holds the links of other chains this chain supplies. A link is a box coloured
by its status, ★ for a key target; an arrow runs from a link to each link it supplies: left to
right between columns, as an arc on the column's right side within one stage, and back to an
earlier stage (recycling) as a dashed line along the gaps and under the boxes. Everything is
escaped here; the template inserts the result as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Node", "chain_svg"]

_W, _H, _GAP, _ROW, _TOP, _LEFT = 196, 34, 84, 48, 34, 8
_CHARS = 13  # characters of a name that fit in a box


@dataclass(frozen=True)
class Node:
    """One box: a link of this chain (``column`` its stage) or of another chain (``status`` None)."""

    id: str
    label: str
    column: str
    status: str | None = None
    key_target: bool = False
    title: str = ""


def _short(text: str) -> str:
    return text if len(text) <= _CHARS else text[: _CHARS - 1] + "…"


def _ends(edges: Sequence[tuple[str, str]], place: dict[str, tuple[float, float]]) -> dict[tuple[str, str, str], float]:
    """Where each edge leaves and enters its boxes (the y offset from the box's top): the edges on one
    side of a box spread along it, in the order of the other end's height, so arrows do not meet in one point."""
    sides: dict[tuple[str, str], list[tuple[float, str, str, str]]] = {}
    for a, b in edges:
        if place[b][0] >= place[a][0]:
            sides.setdefault((a, "out"), []).append((place[b][1], a, b, "out"))
            sides.setdefault((b, "in"), []).append((place[a][1], a, b, "in"))
    ends = {}
    for group in sides.values():
        group.sort()
        for i, (_, a, b, end) in enumerate(group):
            ends[a, b, end] = _H / 2 if len(group) == 1 else 6 + (_H - 12) * i / (len(group) - 1)
    return ends


def chain_svg(chain_id: str, columns: Sequence[tuple[str, str]], nodes: Sequence[Node], edges: Sequence[tuple[str, str]],
              title: str) -> str:
    """The SVG of one chain.

    Parameters
    ----------
    chain_id : the chain's id (the arrow marker's id is made unique with it).
    columns : (column key, heading) in drawing order.
    nodes : the boxes; each one's ``column`` is a key of ``columns``.
    edges : (from node id, to node id): the supply edges.
    title : the accessible name of the drawing.
    """
    col_of = {key: i for i, (key, _) in enumerate(columns)}
    rows: dict[str, int] = {}
    place: dict[str, tuple[float, float]] = {}
    for node in nodes:
        row = rows.get(node.column, 0)
        rows[node.column] = row + 1
        place[node.id] = (_LEFT + col_of[node.column] * (_W + _GAP), _TOP + row * _ROW)
    width = _LEFT + len(columns) * (_W + _GAP)
    bottom = _TOP + max(rows.values(), default=0) * _ROW
    drawn = [(a, b) for a, b in edges if a in place and b in place and a != b]
    backward = [(a, b) for a, b in drawn if place[b][0] < place[a][0]]
    height = bottom + 8 + (10 + 8 * len(backward) if backward else 0)
    marker = f"arrow-{escape(chain_id)}"
    out = [
        f'<svg class="chain-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" data-chain="{escape(chain_id)}">',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow-head"/></marker></defs>',
    ]
    for key, heading in columns:
        left = _LEFT + col_of[key] * (_W + _GAP)
        out.append(f'<text class="column-head" x="{left + _W / 2:.0f}" y="18" text-anchor="middle">{escape(heading)}</text>')
    ends = _ends(drawn, place)
    for source, target in drawn:
        (x1, y1), (x2, y2) = place[source], place[target]
        if x1 == x2:  # within one stage: an arc on the right side, wider for links further apart
            y1, y2 = y1 + ends[source, target, "out"], y2 + ends[source, target, "in"]
            bulge = 26 + abs(y2 - y1) * 0.25
            d = f"M{x1 + _W:.0f},{y1:.0f} C{x1 + _W + bulge:.0f},{y1:.0f} {x2 + _W + bulge:.0f},{y2:.0f} {x2 + _W + 1:.0f},{y2:.0f}"
            kind = "edge"
        elif x2 > x1:
            y1, y2 = y1 + ends[source, target, "out"], y2 + ends[source, target, "in"]
            sx, tx = x1 + _W, x2 - 1
            d = f"M{sx:.0f},{y1:.0f} C{(sx + tx) / 2:.0f},{y1:.0f} {(sx + tx) / 2:.0f},{y2:.0f} {tx:.0f},{y2:.0f}"
            kind = "edge"
        else:  # back to an earlier stage (recycling): out left, down a gap, along the bottom, up a gap, in from the right
            lane = backward.index((source, target))
            y1, y2 = y1 + _H / 2 + 4, y2 + _H / 2 + 4
            below, shift = bottom + 6 + 8 * lane, 10 + 5 * (lane % 6)
            down, up = x1 - shift, x2 + _W + shift
            d = f"M{x1:.0f},{y1:.0f} H{down:.0f} V{below:.0f} H{up:.0f} V{y2:.0f} H{x2 + _W + 1:.0f}"
            kind = "edge back"
        out.append(f'<path class="{kind}" d="{d}" marker-end="url(#{marker})" data-edge="{escape(source)}→{escape(target)}"/>')
    for node in nodes:
        x, y = place[node.id]
        status = f"status-{node.status}" if node.status else "external"
        label = ("★ " if node.key_target else "") + _short(node.label)
        out.append(
            f'<g class="node {status}" data-link="{escape(node.id)}"><title>{escape(node.title or node.label)}</title>'
            f'<rect x="{x}" y="{y}" width="{_W}" height="{_H}" rx="5"/>'
            f'<text x="{x + 8}" y="{y + _H / 2 + 5:.0f}">{escape(label)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
