import io
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from recommender import COMPONENTS  # noqa: E402
from recommender.analysis import _plots as plots  # noqa: E402
from recommender.analysis import _style as plotstyle  # noqa: E402
from recommender.analysis._frames import rank_moves  # noqa: E402
from recommender.ranking._rank import Coverage  # noqa: E402

needs_cjk = pytest.mark.skipif(plotstyle.find_cjk_font() is None, reason="no CJK font installed (scripts/install_fonts.sh)")


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(plotstyle, "find_cjk_font", lambda: None)


@pytest.fixture
def ranked():
    """Three firms in rank order, components chosen by hand."""
    rows = [
        ("甲公司", {"chain_need": 40.0, "stage": 5.0, "firm_strength": 8.0}),
        ("乙公司", {"chain_need": 20.0, "origin": 10.0}),
        ("丙公司", {"green": 5.0}),
    ]
    frame = pd.DataFrame([{"name": name, **{f"score_{c}": parts.get(c, 0.0) for c in COMPONENTS}} for name, parts in rows])
    frame["score"] = frame[[f"score_{c}" for c in COMPONENTS]].sum(axis=1)
    frame["rank"] = [1, 2, 3]
    return frame


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _render(fig: Figure) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=40)


# -- fonts and language ------------------------------------------------------------------
def test_gap_heatmap_without_cjk_font_uses_english_labels(tiny_map, no_cjk_font):
    with pytest.warns(plotstyle.MissingFontWarning, match="No CJK font found"):
        fig = plots.gap_heatmap(tiny_map)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["upstream", "midstream", "downstream", "service"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Batteries"]
    assert "Chain gap map" in ax.get_title()


@needs_cjk
def test_gap_heatmap_with_cjk_font_uses_chinese_labels_in_that_font(tiny_map):
    fig = plots.gap_heatmap(tiny_map)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["上游", "中游", "下游", "服务"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["电池"]
    assert ax.get_xticklabels()[0].get_fontfamily()[0] == plotstyle.find_cjk_font()


@needs_cjk
def test_chinese_figures_render_without_missing_glyphs(tiny_map, ranked):
    figures = [
        plots.gap_heatmap(tiny_map),
        plots.link_needs(tiny_map, "battery"),
        plots.supply_graph(tiny_map, "battery"),
        plots.score_bars(ranked),
        plots.coverage_bars({"battery": (0, 1)}, {"battery": (1, 1)}, chain_map=tiny_map),
    ]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        for fig in figures:
            _render(fig)


# -- chain maps ---------------------------------------------------------------------------
def test_gap_heatmap_cells_count_links_and_gaps(tiny_map):
    fig = plots.gap_heatmap(tiny_map, lang="en")
    ax = fig.axes[0]
    assert len(ax.images) == 1
    assert ax.images[0].get_array().tolist() == [[3, 0, 4, 4]]  # missing, strong, no link, no link
    cells = [t.get_text() for t in ax.texts]
    assert cells == ["1 links, 1 gaps", "1 links, 0 gaps"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["strong", "present", "weak", "missing", "no link"]


def test_link_needs_draws_one_bar_per_link_labelled_by_action(tiny_map):
    fig = plots.link_needs(tiny_map, "battery", lang="en")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["upstream · Copper foil", "midstream · Cell making"]
    assert [round(p.get_width(), 2) for p in ax.patches] == [1.0, 0.1]  # need: missing × key target, strong × normal
    assert [t.get_text() for t in ax.texts] == ["补链", "强链"]


def test_link_needs_unknown_chain_names_the_chains(tiny_map):
    with pytest.raises(KeyError, match="no chain 'steel'; chains: \\['battery'\\]"):
        plots.link_needs(tiny_map, "steel", lang="en")


def test_supply_graph_marks_gaps_with_a_dashed_ring(tiny_map):
    fig = plots.supply_graph(tiny_map, "battery", lang="en")
    ax = fig.axes[0]
    rings = [c for c in ax.collections if c.get_gid() == "gaps"]
    assert len(rings) == 1 and len(rings[0].get_offsets()) == 1  # foil is missing
    dash = rings[0].get_linestyle()[0]
    assert dash[1] is not None  # dashed, not solid
    assert len(ax.patches) == 1  # the one edge foil → cells
    assert {"Copper foil", "Cell making", "upstream", "midstream"} <= set(_texts(fig))
    assert "gap (missing or weak)" in [t.get_text() for t in fig.legends[0].get_texts()]


# -- rankings -----------------------------------------------------------------------------
def test_score_bars_stacks_components_and_writes_totals(ranked):
    fig = plots.score_bars(ranked, n=2, lang="en")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["甲公司", "乙公司"]
    assert len(ax.patches) == 2 * len(COMPONENTS)
    assert [t.get_text() for t in ax.texts] == ["53.0", "30.0"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [plotstyle.TERMS["en"]["component"][c] for c in COMPONENTS]


def test_score_bars_without_components_explains(ranked):
    with pytest.raises(ValueError, match="score component columns such as 'score_chain_need'"):
        plots.score_bars(ranked[["name", "score"]], lang="en")


def test_coverage_bars_shows_share_and_counts_per_chain(tiny_map):
    before = Coverage(gap_links=4, covered_links=1, covered_need=0.25, by_chain={"battery": (1, 4)})
    after = Coverage(gap_links=4, covered_links=3, covered_need=0.7, by_chain={"battery": (3, 4)})
    fig = plots.coverage_bars(before, after, chain_map=tiny_map, labels=("top 10", "shortlist"), lang="en")
    ax = fig.axes[0]
    assert [round(p.get_width(), 2) for p in ax.patches] == [0.25, 0.75]
    assert [t.get_text() for t in ax.texts] == ["1/4", "3/4"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Batteries"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["top 10 (need covered 25%)", "shortlist (need covered 70%)"]


def test_rank_changes_draws_a_line_per_moving_firm(ranked):
    after = ranked.assign(rank=[2, 1, 3])  # 甲 falls, 乙 climbs, 丙 stays
    fig = plots.rank_changes(rank_moves(ranked, after), lang="en")
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    texts = _texts(fig)
    assert {"甲公司 (1)", "(2) 甲公司", "乙公司 (2)", "(1) 乙公司"} <= set(texts)
    assert not any("丙公司" in t for t in texts)
    colors = {line.get_ydata()[0]: line.get_color() for line in ax.lines}
    assert colors[0] == "#d73027" and colors[1] == "#1a9850"  # 甲 (first on the left) falls, 乙 climbs


# -- the landing model --------------------------------------------------------------------
def test_roc_and_calibration_reports_auc_and_brier():
    y = np.array([0, 0, 1, 1])
    fig = plots.roc_and_calibration(y, {"model": [0.1, 0.2, 0.8, 0.9], "coin": [0.5, 0.5, 0.5, 0.5]}, n_bins=2, lang="en")
    roc, cal = fig.axes
    assert [t.get_text() for t in roc.get_legend().get_texts()] == ["chance", "model (AUC 1.00)", "coin (AUC 0.50)"]
    # Brier by hand: model (0.01 + 0.04 + 0.04 + 0.01) / 4 = 0.025, coin 0.25
    assert [t.get_text() for t in cal.get_legend().get_texts()] == ["perfectly calibrated", "model (Brier 0.025)", "coin (Brier 0.250)"]


def test_roc_and_calibration_draws_baselines_on_the_roc_panel_only():
    y = np.array([0, 0, 1, 1])
    fig = plots.roc_and_calibration(y, [0.1, 0.2, 0.8, 0.9], baselines={"rule score": [30.0, 60.0, 40.0, 70.0]}, n_bins=2, lang="en")
    roc, cal = fig.axes
    # rule score by hand: pairs (landed > lost) 40>30, 70>30, 70>60 of 4 → AUC 0.75
    assert [t.get_text() for t in roc.get_legend().get_texts()] == ["chance", "model (AUC 1.00)", "rule score (AUC 0.75)"]
    assert len(cal.lines) == 2  # the diagonal and the model


def test_feature_parts_orders_levels_by_raw_value_and_counts_firms():
    contributions = pd.DataFrame({"size": [-0.5, 0.2, 0.2, 0.9], "chain": [0.1, 0.1, -0.3, 0.0]})
    levels = pd.DataFrame({"size": ["big", "mid", "mid", "small"], "chain": ["a", "a", "b", "c"]})
    raw = pd.DataFrame({"size": [900.0, 100.0, 120.0, 5.0], "chain": ["a", "a", "b", "c"]})
    fig = plots.feature_parts(contributions, levels, order=raw, labels={"size": "firm size"}, lang="en")
    size_ax, chain_ax = fig.axes[:2]  # size first: mean |part| 0.45 > 0.125
    assert size_ax.get_title() == "firm size"
    assert [t.get_text() for t in size_ax.get_yticklabels()] == ["small (1)", "mid (2)", "big (1)"]
    assert [round(p.get_width(), 2) for p in size_ax.patches] == [0.9, 0.2, -0.5]
    assert [t.get_text() for t in chain_ax.get_yticklabels()] == ["b (1)", "c (1)", "a (2)"]  # categories by part


def test_likelihood_drivers_ranks_features_by_mean_absolute_part():
    contributions = pd.DataFrame({"size": [-1.0, 1.0], "chain": [0.2, 0.0], "origin": [0.5, 0.4]})
    fig = plots.likelihood_drivers(contributions, labels={"size": ("规模", "firm size"), "origin": "origin fit"}, lang="en")
    ax = fig.axes[0]
    # mean |part|: size 1.0, origin 0.45, chain 0.1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["firm size", "origin fit", "chain"]
    assert [round(p.get_width(), 2) for p in ax.patches] == [1.0, 0.45, 0.1]
    assert ax.get_title() == "What moves the landing likelihood most"


def test_effect_bars_orders_by_size_and_colours_by_sign():
    fig = plots.effect_bars({"a": 0.1, "b": -0.9, "c": 0.5}, n=2, lang="en")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c"]
    assert [p.get_width() for p in ax.patches] == [-0.9, 0.5]
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()


def test_value_vs_likelihood_lists_the_best_by_expected_value():
    frame = pd.DataFrame({"name": ["a", "b", "c", "d"], "score": [80.0, 60.0, 40.0, 90.0], "likelihood": [0.2, 0.5, 0.9, 0.1]})
    fig = plots.value_vs_likelihood(frame, top=2, lang="en")
    ax, side = fig.axes[:2]
    # expected value: a 16, b 30, c 36, d 9 → c, b
    assert [t.get_text() for t in ax.texts] == ["1", "2"]
    listing = side.texts[0].get_text()
    assert listing.index("1. c") < listing.index("2. b") and "a" not in listing.replace("×", "")
    assert "40.0 × 0.90 = 36.0" in listing


def test_value_vs_likelihood_names_missing_columns():
    with pytest.raises(ValueError, match="must have the columns \\['likelihood'\\]"):
        plots.value_vs_likelihood(pd.DataFrame({"score": [1.0]}), lang="en")
