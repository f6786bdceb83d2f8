"""Figures of chain maps, rankings and the landing model, for notebooks and briefings.

Every helper returns a :class:`matplotlib.figure.Figure` built without pyplot (no global
state; display it in a notebook after ``%matplotlib inline``, or ``fig.savefig(...)``).

Labels are Chinese when a CJK font is installed (:func:`find_cjk_font`; run
``scripts/install_fonts.sh``); otherwise they fall back to English with a
:class:`MissingFontWarning`, so a figure never shows boxes for its own labels (see
:mod:`recommender.analysis`). Data values that are Chinese (firm names) can only render with
a CJK font. Pass ``lang="en"`` for English labels on purpose.

Needs the ``notebooks`` extra (matplotlib; networkx for :func:`supply_graph`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..chainmap._links import encode_links
from ..chainmap._schema import COMPONENTS, GAP_STATUSES, STAGES, STATUSES, Chain, ChainMap
from ..ranking._rank import Coverage
from ._frames import gap_matrix
from ._style import (
    COMPONENT_COLORS,
    NO_LINK_COLOR,
    STATUS_COLORS,
    Style,
    legend_patches,
    readable,
)

__all__ = [
    "coverage_bars",
    "effect_bars",
    "feature_parts",
    "gap_heatmap",
    "likelihood_drivers",
    "link_needs",
    "rank_changes",
    "roc_and_calibration",
    "score_bars",
    "supply_graph",
    "value_vs_likelihood",
]

# -- chain maps ---------------------------------------------------------------------------
def gap_heatmap(chain_map: ChainMap, *, lang: str | None = None) -> Figure:
    """Chains × stages, each cell coloured by the most-needed status of its links.

    A cell reads "3 links, 2 gaps" (gaps: missing or weak links); grey cells have no link.
    """
    style = Style(lang)
    matrix = gap_matrix(chain_map)
    codes = {s: i for i, s in enumerate(STATUSES)}
    grid = np.array([[codes.get(v, len(STATUSES)) if v is not None else len(STATUSES) for v in row] for row in matrix.to_numpy()])
    cmap = ListedColormap([STATUS_COLORS[s] for s in STATUSES] + [NO_LINK_COLOR])
    norm = BoundaryNorm(np.arange(-0.5, len(STATUSES) + 1), cmap.N)
    n_chains = len(matrix)
    with style.figure(figsize=(8.5, 1.2 + 0.42 * n_chains)) as fig:
        ax = fig.add_subplot()
        ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto")
        ax.set_xticks(range(len(STAGES)), [style.terms["stage"][s] for s in STAGES])
        ax.xaxis.tick_top()
        ax.set_yticks(range(n_chains), [style.name(c.name.zh, c.name.en) for c in chain_map.chains])
        ax.set_xticks(np.arange(-0.5, len(STAGES)), minor=True)
        ax.set_yticks(np.arange(-0.5, n_chains), minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="both", length=0)
        for i, chain in enumerate(chain_map.chains):
            for j, stage in enumerate(STAGES):
                links = [link for link in chain.links if link.stage == stage]
                if not links:
                    continue
                gaps = sum(link.status in GAP_STATUSES for link in links)
                color = "white" if grid[i, j] in (codes["strong"], codes["missing"]) else "black"
                cell = style.text["heatmap_cell"].format(links=len(links), gaps=gaps)
                ax.text(j, i, cell, ha="center", va="center", fontsize=8, color=color)
        ax.set_title(style.text["heatmap_title"])
        handles = [*legend_patches(style), Patch(facecolor=NO_LINK_COLOR, edgecolor="none", label=style.text["no_link"])]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig


def _chain(chain_map: ChainMap, chain_id: str) -> Chain:
    try:
        return chain_map.chain_by_id[chain_id]
    except KeyError:
        raise KeyError(f"the map {chain_map.id!r} has no chain {chain_id!r}; chains: {list(chain_map.chain_by_id)}") from None


def link_needs(chain_map: ChainMap, chain_id: str, *, lang: str | None = None) -> Figure:
    """One chain's links as horizontal bars of need, coloured by status, labelled by action.

    Links are ordered by stage (upstream at the top); each bar ends with the link's action
    (补链 / 强链 / 延链 / 建链).
    """
    style = Style(lang)
    chain = _chain(chain_map, chain_id)
    table = encode_links(chain_map)
    table = table[table["chain_id"] == chain_id].copy()
    table["_stage"] = table["stage"].map({s: i for i, s in enumerate(STAGES)})
    table = table.sort_values("_stage", kind="stable")
    labels = [
        f"{style.terms['stage'][stage]} · {style.name(zh, en)}"
        for stage, zh, en in zip(table["stage"], table["link_zh"], table["link_en"], strict=True)
    ]
    with style.figure(figsize=(8, 1.2 + 0.4 * len(table))) as fig:
        ax = fig.add_subplot()
        y = np.arange(len(table))
        bars = ax.barh(y, table["need"], color=[STATUS_COLORS[s] for s in table["status"]])
        ax.bar_label(bars, labels=list(table["action"]), padding=3, fontsize=8)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, max(1.0, float(table["need"].max()) * 1.15))
        ax.set_xlabel(style.text["needs_x"])
        ax.set_title(style.text["needs_title"].format(chain=style.name(chain.name.zh, chain.name.en)))
        ax.spines[["top", "right"]].set_visible(False)
        present = [s for s in STATUSES if s in set(table["status"])]
        ax.legend(handles=legend_patches(style, present), loc="lower right", frameon=False)
    return fig


def supply_graph(chain_map: ChainMap, chain_id: str, *, lang: str | None = None) -> Figure:
    """One chain's supply graph, left (upstream) to right (service), gaps marked.

    Nodes are the chain's links coloured by status; gaps (missing or weak) get a dashed red
    ring; links of other chains that supply or are supplied by this chain are drawn in grey.
    An edge runs from a supplier link to the link it supplies.
    """
    try:
        import networkx as nx
    except ImportError as exc:  # pragma: no cover - the notebooks extra installs it
        raise ImportError("supply_graph needs networkx: pip install 'recommender[notebooks]'") from exc
    style = Style(lang)
    chain = _chain(chain_map, chain_id)
    own = {link.id for link in chain.links}
    graph = nx.DiGraph()
    graph.add_nodes_from(link.id for link in chain.links)  # own links first: they head each stage's column
    for link in chain_map.links:
        for target in link.supplies:
            if link.id in own or target in own:
                graph.add_edge(link.id, target)
    for node in graph.nodes:
        link = chain_map.link_by_id[node]
        graph.nodes[node]["layer"] = STAGES.index(link.stage)
    # columns by stage, left to right; in each, the chain's own links (map order), then the
    # other chains' links; nodes zig-zag so edges inside a column do not run through its nodes
    pos: dict[str, tuple[float, float]] = {}
    for layer in sorted(set(nx.get_node_attributes(graph, "layer").values())):
        column = [n for n in graph if graph.nodes[n]["layer"] == layer]
        column.sort(key=lambda n: n not in own)
        for k, node in enumerate(column):
            shift = (0.12 if k % 2 else -0.12) if len(column) > 1 else 0.0
            pos[node] = (float(layer) + shift, (len(column) - 1) / 2 - k)
    gaps = [n for n in graph if n in own and chain_map.link_by_id[n].status in GAP_STATUSES]
    solid = [n for n in graph if n in own and n not in gaps]
    others = [n for n in graph if n not in own]
    labels = {n: style.name(chain_map.link_by_id[n].name.zh, chain_map.link_by_id[n].name.en) for n in graph}
    widest = max(Counter(nx.get_node_attributes(graph, "layer").values()).values(), default=1)
    with style.figure(figsize=(9, 1.6 + 0.9 * max(1, widest))) as fig:
        ax = fig.add_subplot()
        same = [(u, v) for u, v in graph.edges if graph.nodes[u]["layer"] == graph.nodes[v]["layer"]]
        across = [(u, v) for u, v in graph.edges if graph.nodes[u]["layer"] != graph.nodes[v]["layer"]]
        for edges, rad in ((across, 0.05), (same, 0.3)):
            if edges:
                nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, edge_color="#777777", arrows=True, arrowsize=14,
                                       node_size=700, connectionstyle=f"arc3,rad={rad}")
        if solid:
            nx.draw_networkx_nodes(graph, pos, nodelist=solid, ax=ax, node_size=700, edgecolors="#333333", linewidths=1,
                                   node_color=[STATUS_COLORS[chain_map.link_by_id[n].status] for n in solid])
        if gaps:
            ring = nx.draw_networkx_nodes(graph, pos, nodelist=gaps, ax=ax, node_size=700, edgecolors="#b2182b", linewidths=3,
                                          node_color=[STATUS_COLORS[chain_map.link_by_id[n].status] for n in gaps])
            ring.set_linestyle("--")
            ring.set_gid("gaps")
        if others:
            nx.draw_networkx_nodes(graph, pos, nodelist=others, ax=ax, node_size=500, node_color="#e0e0e0",
                                   edgecolors="#999999", linewidths=1)
        for node, (x, y) in pos.items():
            ax.annotate(labels[node], (x, y), xytext=(0, -16), textcoords="offset points", ha="center", va="top", fontsize=8,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        stages_here = sorted({graph.nodes[n]["layer"] for n in graph})
        for layer in stages_here:
            xs = [pos[n][0] for n in graph if graph.nodes[n]["layer"] == layer]
            ax.text(float(np.mean(xs)), 1.0, style.terms["stage"][STAGES[layer]], transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=10, color="#555555")
        ax.set_title(style.text["graph_title"].format(chain=style.name(chain.name.zh, chain.name.en)), pad=24)
        ax.margins(0.15)
        ax.set_axis_off()
        statuses = sorted({chain_map.link_by_id[n].status for n in own}, key=STATUSES.index)
        handles = [*legend_patches(style, statuses),
                   Line2D([], [], marker="o", linestyle="none", markersize=11, markerfacecolor="white",
                          markeredgecolor="#b2182b", markeredgewidth=2.5, label=style.text["graph_gap"])]
        if others:
            handles.append(Patch(facecolor="#e0e0e0", edgecolor="#999999", label=style.text["graph_other"]))
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig


# -- rankings -----------------------------------------------------------------------------
def _component_columns(frame: pd.DataFrame) -> list[str]:
    columns = [f"score_{name}" for name in COMPONENTS if f"score_{name}" in frame.columns]
    if not columns:
        raise ValueError(f"The ranked table must have score component columns such as 'score_chain_need'. Got {list(frame.columns)[:12]}.")
    return columns


def score_bars(ranked: pd.DataFrame, n: int = 10, *, label: str = "name", lang: str | None = None) -> Figure:
    """The first ``n`` rows of a ranked table as stacked bars of their score components.

    Parameters
    ----------
    ranked : a table from :meth:`Recommender.rank` (rank order), with ``score_<component>``
        columns and a ``label`` column naming each firm.
    n : how many rows to draw.
    """
    style = Style(lang)
    columns = _component_columns(ranked)
    top = ranked.head(n)
    names = top[label].astype(str).tolist() if label in top.columns else [str(i) for i in top.index]
    y = np.arange(len(top))
    with style.figure(figsize=(10, 1.4 + 0.38 * len(top))) as fig:
        ax = fig.add_subplot()
        left = np.zeros(len(top))
        for column in columns:
            name = column.removeprefix("score_")
            values = top[column].to_numpy(dtype=float)
            ax.barh(y, values, left=left, color=COMPONENT_COLORS[name], label=style.terms["component"][name])
            left += values
        for yi, total in zip(y, left, strict=True):
            ax.text(total + 0.5, float(yi), f"{total:.1f}", va="center", fontsize=8)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, max(10.0, float(left.max()) * 1.1) if len(left) else 100)
        ax.set_xlabel(style.text["score_x"])
        ax.set_title(style.text["score_title"].format(n=len(top)))
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(loc="outside right upper", frameon=False)
    return fig


def _by_chain(coverage: Coverage | Mapping[str, tuple[int, int]]) -> Mapping[str, tuple[int, int]]:
    return coverage.by_chain if isinstance(coverage, Coverage) else coverage


def coverage_bars(
    before: Coverage | Mapping[str, tuple[int, int]],
    after: Coverage | Mapping[str, tuple[int, int]],
    *,
    chain_map: ChainMap | None = None,
    labels: tuple[str, str] | None = None,
    lang: str | None = None,
) -> Figure:
    """Each chain's gap links covered, before and after, as paired horizontal bars.

    Parameters
    ----------
    before, after : :class:`Coverage` (e.g. the plain top K and the shortlist) or mappings
        chain id → (covered, gaps).
    chain_map : names the chains and orders them as in the map (ids otherwise).
    labels : the two legend labels ("before", "after" by default).
    """
    style = Style(lang)
    first, second = _by_chain(before), _by_chain(after)
    ids = list(dict.fromkeys([*first, *second]))
    if chain_map is not None:
        order = {c.id: i for i, c in enumerate(chain_map.chains)}
        ids.sort(key=lambda c: order.get(c, len(order)))
    names = [style.name(chain_map.chain_by_id[c].name.zh, chain_map.chain_by_id[c].name.en)
             if chain_map is not None and c in chain_map.chain_by_id else c for c in ids]
    names_of_two = labels or (style.text["before"], style.text["after"])
    legend = list(names_of_two)
    for i, coverage in enumerate((before, after)):
        if isinstance(coverage, Coverage):
            legend[i] = f"{names_of_two[i]}（{style.text['coverage_need']} {coverage.covered_need:.0%}）" if style.lang == "zh" \
                else f"{names_of_two[i]} ({style.text['coverage_need']} {coverage.covered_need:.0%})"
    y = np.arange(len(ids))
    height = 0.38
    with style.figure(figsize=(8.5, 1.6 + 0.5 * len(ids))) as fig:
        ax = fig.add_subplot()
        for k, (table, color) in enumerate(((first, "#9ecae1"), (second, "#2171b5"))):
            covered = np.array([table.get(c, (0, 0))[0] for c in ids], dtype=float)
            gaps = np.array([table.get(c, (0, 0))[1] for c in ids], dtype=float)
            share = np.divide(covered, gaps, out=np.zeros_like(covered), where=gaps > 0)
            bars = ax.barh(y + (k - 0.5) * height, share, height=height, color=color, label=legend[k])
            ax.bar_label(bars, labels=[f"{int(c)}/{int(g)}" for c, g in zip(covered, gaps, strict=True)], padding=3, fontsize=8)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.15)
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_xlabel(style.text["coverage_x"])
        ax.set_title(style.text["coverage_title"])
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


def rank_changes(moves: pd.DataFrame, n: int = 15, *, lang: str | None = None) -> Figure:
    """The ``n`` biggest moves of a :func:`recommender.analysis.rank_moves` table as a slope chart.

    Firms that did not move are left out. Each side lists the firms in rank order, evenly
    spaced (so far-apart ranks stay readable), with the actual rank in brackets; climbers are
    green, fallers red.
    """
    style = Style(lang)
    top = moves[moves["move"] != 0].head(n)
    left = {name: i for i, name in enumerate(top.sort_values("rank_before", kind="stable").index)}
    right = {name: i for i, name in enumerate(top.sort_values("rank_after", kind="stable").index)}
    with style.figure(figsize=(9, 1.4 + 0.36 * max(len(top), 1))) as fig:
        ax = fig.add_subplot()
        for name, row in top.iterrows():
            color = "#1a9850" if row["move"] > 0 else "#d73027"
            ax.plot([0, 1], [left[name], right[name]], marker="o", color=color)
            ax.text(-0.03, left[name], f"{name} ({int(row['rank_before'])})", ha="right", va="center", fontsize=8)
            ax.text(1.03, right[name], f"({int(row['rank_after'])}) {name}", ha="left", va="center", fontsize=8)
        ax.set_xlim(-0.9, 1.9)
        ax.set_ylim(max(len(top), 1) - 0.5, -0.5)
        ax.set_xticks([0, 1], [style.text["before"], style.text["after"]])
        ax.set_yticks([])
        ax.set_title(style.text["moves_title"].format(n=len(top)))
        ax.spines[["top", "right", "bottom", "left"]].set_visible(False)
    return fig


# -- the landing model --------------------------------------------------------------------
def roc_and_calibration(
    y_true: Sequence[int] | np.ndarray,
    proba: Sequence[float] | np.ndarray | Mapping[str, Sequence[float] | np.ndarray],
    *,
    baselines: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    n_bins: int = 10,
    lang: str | None = None,
) -> Figure:
    """ROC curve (with AUC) and calibration curve (with Brier score), side by side.

    Parameters
    ----------
    y_true : shape (n,), 1 where the firm landed, 0 otherwise.
    proba : shape (n,) predicted probabilities, or a mapping name → probabilities to compare
        several models; each is drawn in both panels.
    baselines : mapping name → values of shape (n,) that rank firms but are not
        probabilities (e.g. the rule-based score); drawn, dashed, on the ROC panel only.
    n_bins : bins of the calibration curve (quantile bins, so each holds as many firms).
    """
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

    style = Style(lang)
    y = np.asarray(y_true)
    curves = dict(proba) if isinstance(proba, Mapping) else {style.name("模型", "model"): proba}
    with style.figure(figsize=(10, 4.6)) as fig:
        roc_ax, cal_ax = fig.subplots(1, 2)
        roc_ax.plot([0, 1], [0, 1], linestyle=":", color="#999999", label=style.text["chance"])
        cal_ax.plot([0, 1], [0, 1], linestyle=":", color="#999999", label=style.text["perfect"])
        for name, p in curves.items():
            p = np.asarray(p, dtype=float)
            fpr, tpr, _ = roc_curve(y, p)
            (line,) = roc_ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, p):.2f})")
            observed, predicted = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
            cal_ax.plot(predicted, observed, marker="o", color=line.get_color(), label=f"{name} (Brier {brier_score_loss(y, p):.3f})")
        for name, values in (baselines or {}).items():
            values = np.asarray(values, dtype=float)
            fpr, tpr, _ = roc_curve(y, values)
            roc_ax.plot(fpr, tpr, linestyle="--", linewidth=1.2, label=f"{name} (AUC {roc_auc_score(y, values):.2f})")
        roc_ax.set(xlabel=style.text["roc_x"], ylabel=style.text["roc_y"], title=style.text["roc_title"], xlim=(0, 1), ylim=(0, 1.02))
        cal_ax.set(xlabel=style.text["cal_x"], ylabel=style.text["cal_y"], title=style.text["cal_title"], xlim=(0, 1), ylim=(0, 1.02))
        for ax in (roc_ax, cal_ax):
            ax.set_aspect("equal")
            ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def effect_bars(
    effects: pd.Series | Mapping[str, float],
    n: int = 15,
    *,
    xlabel: str | None = None,
    title: str | None = None,
    lang: str | None = None,
) -> Figure:
    """The ``n`` largest effects as horizontal bars, largest at the top, coloured by sign.

    Parameters
    ----------
    effects : name → effect, e.g. each feature's mean absolute log-odds part (how much it
        moves the likelihood) or a signed coefficient (positive raises the likelihood).
    xlabel, title : override the default labels.
    """
    style = Style(lang)
    series = pd.Series(effects, dtype=float)
    top = series.reindex(series.abs().sort_values(ascending=False, kind="stable").index).head(n)
    y = np.arange(len(top))
    with style.figure(figsize=(8, 1.2 + 0.35 * max(len(top), 1))) as fig:
        ax = fig.add_subplot()
        ax.barh(y, top.to_numpy(), color=["#2171b5" if v >= 0 else "#d73027" for v in top.to_numpy()])
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(y, [str(i) for i in top.index])
        ax.invert_yaxis()
        ax.set_xlabel(xlabel if xlabel is not None else style.text["effects_x"])
        ax.set_title(title if title is not None else style.text["effects_title"])
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def likelihood_drivers(
    contributions: pd.DataFrame,
    *,
    labels: Mapping[str, str | tuple[str, str]] | None = None,
    n: int = 12,
    lang: str | None = None,
) -> Figure:
    """Which features move the landing likelihood most: mean absolute log-odds part per feature.

    Parameters
    ----------
    contributions : per firm (rows) and feature (columns), the log-odds part of an additive
        model (e.g. ``LandingEstimate.contributions``).
    labels : feature name → readable name, or (zh, en) pair (e.g. ``FEATURE_LABELS``).
    n : how many features to draw, largest first.
    """
    style = Style(lang)
    strength = contributions.abs().mean()
    strength.index = [readable(labels, str(name), style) for name in strength.index]
    return effect_bars(strength, n=n, xlabel=style.text["drivers_x"], title=style.text["drivers_title"], lang=style.lang)


def feature_parts(
    contributions: pd.DataFrame,
    levels: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    order: pd.DataFrame | None = None,
    labels: Mapping[str, str | tuple[str, str]] | None = None,
    n: int = 6,
    lang: str | None = None,
) -> Figure:
    """How each value of a feature moves the likelihood: one small panel per feature.

    For an additive model (log-odds = baseline + one part per feature), each panel shows the
    part (log-odds) of every level of one feature, with how many firms hold it; bars to the
    right raise the likelihood.

    Parameters
    ----------
    contributions, levels : per firm (rows) and feature (columns): the log-odds part and the
        label of the feature's bin or category (e.g. ``LandingEstimate.contributions`` and
        ``.levels``).
    features : the features to draw; by default the ``n`` of largest mean absolute part.
    order : optional raw feature values (same shape); a numeric feature's levels are then
        ordered by their median value (low to high), others by their part.
    labels : feature name → readable name, or (zh, en) pair, for panel titles (e.g.
        ``recommender.likelihood.FEATURE_LABELS``).
    """
    style = Style(lang)
    if features is None:
        strength = contributions.abs().mean().sort_values(ascending=False, kind="stable")
        features = list(strength.index[:n])
    features = list(features)
    cols = min(3, max(len(features), 1))
    rows = int(np.ceil(len(features) / cols)) or 1
    with style.figure(figsize=(4.2 * cols, 0.4 + 2.6 * rows)) as fig:
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for ax, name in zip(axes, features, strict=False):
            table = pd.DataFrame({"level": levels[name].astype(str), "part": contributions[name].astype(float)})
            if order is not None and name in order.columns and pd.api.types.is_numeric_dtype(order[name]):
                table["key"] = order[name].to_numpy()
            else:
                table["key"] = table["part"]
            grouped = table.groupby("level", sort=False).agg(part=("part", "mean"), firms=("part", "size"), key=("key", "median"))
            grouped = grouped.sort_values("key", kind="stable")
            y = np.arange(len(grouped))
            ax.barh(y, grouped["part"], color=["#2171b5" if v >= 0 else "#d73027" for v in grouped["part"]])
            ax.axvline(0, color="#333333", linewidth=0.8)
            ax.set_yticks(y, [f"{level} ({firms})" for level, firms in zip(grouped.index, grouped["firms"], strict=True)], fontsize=7)
            ax.invert_yaxis()
            ax.set_title(readable(labels, name, style), fontsize=10)
            ax.spines[["top", "right"]].set_visible(False)
        for ax in axes[len(features):]:
            ax.set_axis_off()
        fig.suptitle(style.text["parts_title"])
        fig.supxlabel(style.text["parts_x"], fontsize=9)
    return fig


def value_vs_likelihood(
    frame: pd.DataFrame,
    *,
    value: str = "score",
    likelihood: str = "likelihood",
    label: str = "name",
    top: int = 10,
    lang: str | None = None,
) -> Figure:
    """Strategic value against landing likelihood, one dot per firm, the best picks labelled.

    Dots are coloured by expected value (value × likelihood); the ``top`` firms by expected
    value are circled and numbered, and listed by name beside the plot.

    Parameters
    ----------
    frame : one row per firm with the ``value``, ``likelihood`` and ``label`` columns.
    """
    style = Style(lang)
    missing = [c for c in (value, likelihood) if c not in frame.columns]
    if missing:
        raise ValueError(f"The frame of value_vs_likelihood must have the columns {missing}. Got {list(frame.columns)[:12]}.")
    x = frame[likelihood].to_numpy(dtype=float)
    v = frame[value].to_numpy(dtype=float)
    expected = x * v
    best = np.argsort(-np.nan_to_num(expected, nan=-np.inf), kind="stable")[:top]
    names = frame[label].astype(str).to_numpy() if label in frame.columns else frame.index.astype(str).to_numpy()
    with style.figure(figsize=(11, 6.5)) as fig:
        ax, side = fig.subplots(1, 2, width_ratios=(3, 1))
        points = ax.scatter(x, v, c=expected, cmap="viridis", s=28, alpha=0.85, edgecolors="none")
        fig.colorbar(points, ax=ax, label=style.text["scatter_color"], location="bottom", shrink=0.6, aspect=40)
        ax.scatter(x[best], v[best], s=120, facecolors="none", edgecolors="#d73027", linewidths=1.5)
        for rank, i in enumerate(best, start=1):
            ax.annotate(str(rank), (x[i], v[i]), xytext=(5, 5), textcoords="offset points", fontsize=9, fontweight="bold", color="#b2182b")
        side.set_axis_off()
        side.set_title(style.text["scatter_top"].format(n=len(best)), loc="left", fontsize=10)
        lines = [f"{rank:>2}. {names[i]}\n     {v[i]:.1f} × {x[i]:.2f} = {expected[i]:.1f}" for rank, i in enumerate(best, start=1)]
        side.text(0, 1, "\n".join(lines), va="top", ha="left", fontsize=8, transform=side.transAxes, linespacing=1.5)
        ax.set_xlim(0, 1.02)
        ax.set_xlabel(style.text["scatter_x"])
        ax.set_ylabel(style.text["scatter_y"])
        ax.set_title(style.text["scatter_title"])
        ax.spines[["top", "right"]].set_visible(False)
    return fig
