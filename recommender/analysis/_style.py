"""The language and font of figure labels: Chinese with an installed CJK font, else English.

:func:`find_cjk_font` looks for a font that renders Chinese among matplotlib's fonts (and
rescans the system folders once, for a font installed after matplotlib built its cache).
:func:`_label_language` decides a figure's label language: Chinese when such a font exists;
otherwise English, with a :class:`MissingFontWarning` naming the fix
(``scripts/install_fonts.sh``). :mod:`recommender.analysis` draws with these.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text

from ..chainmap._schema import COMPONENT_NAMES, COMPONENTS, STAGE_NAMES, STATUS_NAMES, STATUSES
from ..exceptions import MissingFontWarning

__all__ = [
    "CJK_FONT_CANDIDATES",
    "COMPONENT_COLORS",
    "LABELS",
    "NO_LINK_COLOR",
    "STATUS_COLORS",
    "TERMS",
    "MissingFontWarning",
    "Style",
    "find_cjk_font",
    "legend_patches",
    "readable",
]

#: Font families tried in order (Simplified Chinese forms first); then any family whose name
#: looks CJK (:data:`_CJK_NAME`).
CJK_FONT_CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "Source Han Sans",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
    "Heiti SC", "STHeiti", "Hiragino Sans GB", "Sarasa Gothic SC", "AR PL UMing CN", "AR PL UKai CN",
    "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Serif CJK SC", "Droid Sans Fallback",
)
_CJK_NAME = re.compile(r"CJK|Han Sans|Han Serif|WenQuanYi|AR PL|SimHei|SimSun|YaHei|PingFang|Heiti|Droid Sans Fallback", re.I)
_CJK_FILE = re.compile(r"cjk|wqy|wenquanyi|sourcehan|simhei|simsun|msyh|uming|ukai|pingfang|droidsansfallback", re.I)

#: Colour of each link status: strong greens to a missing red.
STATUS_COLORS = {"strong": "#1a9850", "present": "#a6d96a", "weak": "#fdae61", "missing": "#d73027"}
NO_LINK_COLOR = "#f0f0f0"
#: Colour of each score component: matplotlib's ten-colour qualitative palette, in order.
COMPONENT_COLORS: dict[str, str] = {name: to_hex(mpl.colormaps["tab10"](i)) for i, name in enumerate(COMPONENTS)}

#: The names of stages, link statuses and score components, by language (from the map's tables).
TERMS: dict[str, dict[str, dict[str, str]]] = {
    lang: {
        kind: {key: pair[i] for key, pair in names.items()}
        for kind, names in (("stage", STAGE_NAMES), ("status", STATUS_NAMES), ("component", COMPONENT_NAMES))
    }
    for i, lang in enumerate(("zh", "en"))
}

#: Every other label a figure writes, by language.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "no_link": "无环节",
        "heatmap_title": "产业链缺口图（按最需补强的环节着色）",
        "heatmap_cell": "{links}环节·{gaps}缺口",
        "needs_title": "{chain}：各环节需求",
        "needs_x": "需求（缺口程度 × 优先级）",
        "graph_title": "{chain}：供应关系（虚线红框为缺口）",
        "graph_gap": "缺口（缺失或薄弱）",
        "graph_other": "其他链条的环节",
        "score_title": "前{n}名企业的得分构成",
        "score_x": "得分（0–100）",
        "coverage_title": "各产业链缺口环节的覆盖",
        "coverage_x": "已覆盖的缺口环节占比",
        "coverage_need": "需求覆盖",
        "before": "之前",
        "after": "之后",
        "roc_title": "ROC 曲线",
        "roc_x": "误报率",
        "roc_y": "命中率",
        "chance": "随机",
        "cal_title": "校准曲线",
        "cal_x": "预测落地概率",
        "cal_y": "实际落地比例",
        "perfect": "完全校准",
        "effects_title": "各项影响",
        "effects_x": "影响（正为提高落地可能性）",
        "parts_title": "各特征取值对落地可能性的影响（括号内为企业数）",
        "drivers_title": "哪些特征最能左右落地可能性",
        "drivers_x": "平均影响（|对数几率|，企业间平均）",
        "parts_x": "对数几率的增减（右为提高）",
        "scatter_title": "战略价值与落地可能性",
        "scatter_x": "落地可能性",
        "scatter_y": "战略价值（得分）",
        "scatter_color": "期望价值 = 价值 × 可能性",
        "scatter_top": "期望价值前{n}名（价值 × 可能性）",
        "moves_title": "排名变化（{n}家变动最大的企业）",
    },
    "en": {
        "no_link": "no link",
        "heatmap_title": "Chain gap map (each cell coloured by its most-needed link)",
        "heatmap_cell": "{links} links, {gaps} gaps",
        "needs_title": "{chain}: need by link",
        "needs_x": "need (gap × priority)",
        "graph_title": "{chain}: supply graph (gaps in dashed red)",
        "graph_gap": "gap (missing or weak)",
        "graph_other": "link of another chain",
        "score_title": "Score components of the top {n} firms",
        "score_x": "score (0-100)",
        "coverage_title": "Gap links covered, by chain",
        "coverage_x": "share of gap links covered",
        "coverage_need": "need covered",
        "before": "before",
        "after": "after",
        "roc_title": "ROC curve",
        "roc_x": "false positive rate",
        "roc_y": "true positive rate",
        "chance": "chance",
        "cal_title": "Calibration",
        "cal_x": "predicted landing probability",
        "cal_y": "observed landing rate",
        "perfect": "perfectly calibrated",
        "effects_title": "Effects",
        "effects_x": "effect (positive raises the likelihood)",
        "parts_title": "How each value of a feature moves the landing likelihood (firms in brackets)",
        "drivers_title": "What moves the landing likelihood most",
        "drivers_x": "mean absolute log-odds part over firms",
        "parts_x": "log-odds part (right raises the likelihood)",
        "scatter_title": "Strategic value against landing likelihood",
        "scatter_x": "landing likelihood",
        "scatter_y": "strategic value (score)",
        "scatter_color": "expected value = value × likelihood",
        "scatter_top": "Top {n} by expected value (value × likelihood)",
        "moves_title": "Rank changes ({n} biggest moves)",
    },
}


# -- fonts and language ------------------------------------------------------------------
def _installed_families() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


def _pick(families: set[str]) -> str | None:
    for name in CJK_FONT_CANDIDATES:
        if name in families:
            return name
    return next((name for name in sorted(families) if _CJK_NAME.search(name)), None)


@lru_cache(maxsize=1)
def _scan() -> str | None:
    found = _pick(_installed_families())
    if found is not None:
        return found
    # matplotlib caches its font list; a font installed after the cache was built is only
    # seen by scanning the system folders again.
    for path in font_manager.findSystemFonts():
        if _CJK_FILE.search(path):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable font file: skip it
                continue
    return _pick(_installed_families())


def find_cjk_font() -> str | None:
    """The family name of an installed font that renders Chinese, or None.

    Tries :data:`CJK_FONT_CANDIDATES` in order, then any family whose name looks CJK; fonts
    installed after matplotlib built its font cache are found by a rescan (once per process).
    """
    return _scan()


def _label_language(lang: str | None = None, *, stacklevel: int = 2) -> tuple[str, str | None]:
    """The language figure labels use, and the CJK font for Chinese.

    Parameters
    ----------
    lang : "zh", "en", or None for Chinese when a CJK font is installed.

    Returns
    -------
    ``("zh", family)`` or ``("en", None)``. Asking for Chinese (or None) without a CJK font
    warns with :class:`MissingFontWarning` and returns English; ``stacklevel`` is that of
    the warning (2: the caller of this function).
    """
    if lang not in (None, "zh", "en"):
        raise ValueError(f"The 'lang' parameter must be 'zh', 'en' or None. Got {lang!r} instead.")
    if lang == "en":
        return "en", None
    font = find_cjk_font()
    if font is None:
        warnings.warn(
            "No CJK font found (tried Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, AR PL, …); "
            "figure labels fall back to English. Install one with scripts/install_fonts.sh "
            "(Debian/Ubuntu: apt-get install fonts-noto-cjk) and restart the kernel.",
            MissingFontWarning,
            stacklevel=stacklevel + 1,
        )
        return "en", None
    return "zh", font


class Style:
    """The labels and font of one figure."""

    def __init__(self, lang: str | None):
        # a warning points at the code that called the plotting function
        self.lang, self.font = _label_language(lang, stacklevel=3)
        self.text = LABELS[self.lang]
        self.terms = TERMS[self.lang]

    @property
    def families(self) -> list[str]:
        return [self.font, "sans-serif"] if self.font else ["sans-serif"]

    @contextmanager
    def figure(self, **kwargs: Any) -> Iterator[Figure]:
        """A new figure whose text (titles, ticks made later too) uses the style's font.

        ``kwargs`` go to :class:`matplotlib.figure.Figure` (``figsize``, …).
        """
        with mpl.rc_context({"font.family": self.families, "axes.unicode_minus": False}):
            fig = Figure(layout="constrained", **kwargs)
            yield fig
            for text in fig.findobj(Text):
                text.set_fontfamily(self.families)

    def name(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


def readable(labels: Mapping[str, str | tuple[str, str]] | None, name: str, style: Style) -> str:
    """A readable name: ``labels[name]``, a (zh, en) pair picked by the figure's language."""
    value = (labels or {}).get(name, name)
    return value if isinstance(value, str) else style.name(*value)


def legend_patches(style: Style, statuses: Sequence[str] = STATUSES) -> list[Patch]:
    return [Patch(facecolor=STATUS_COLORS[s], edgecolor="none", label=style.terms["status"][s]) for s in statuses]
