"""Frames and plots for notebooks and reports.

Imports :mod:`recommender.chainmap`, :mod:`recommender.ranking` and :mod:`recommender.tables`.
"""

from ._frames import CHAIN_COLUMNS, MOVE_COLUMNS, chains_frame, close_gap, gap_matrix, rank_moves, read_firms
from ._plots import (
    coverage_bars,
    effect_bars,
    feature_parts,
    gap_heatmap,
    likelihood_drivers,
    link_needs,
    rank_changes,
    roc_and_calibration,
    score_bars,
    supply_graph,
    value_vs_likelihood,
)
from ._style import (
    CJK_FONT_CANDIDATES,
    COMPONENT_COLORS,
    LABELS,
    NO_LINK_COLOR,
    STATUS_COLORS,
    MissingFontWarning,
    Style,
    find_cjk_font,
    legend_patches,
    readable,
)

__all__ = ['CHAIN_COLUMNS', 'CJK_FONT_CANDIDATES', 'COMPONENT_COLORS', 'LABELS', 'MOVE_COLUMNS', 'MissingFontWarning', 'NO_LINK_COLOR', 'STATUS_COLORS', 'Style', 'chains_frame', 'close_gap', 'coverage_bars', 'effect_bars', 'feature_parts', 'find_cjk_font', 'gap_heatmap', 'gap_matrix', 'legend_patches', 'likelihood_drivers', 'link_needs', 'rank_changes', 'rank_moves', 'read_firms', 'readable', 'roc_and_calibration', 'score_bars', 'supply_graph', 'value_vs_likelihood']
