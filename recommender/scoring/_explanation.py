"""Scored rows → 2–5 short reasons an officer can read, in Chinese (default) or English.

Reasons, in order, as far as they apply: the link served and the phrase that matched (or why
nothing matched); a second link for a firm with several businesses, and why the first came first; the fit to the strategy (midstream "waist", follow strategy); the firm's
strength; its origin and the chain leader or terminal maker it supplies; the park; and the
fields that were missing. Reasons are joined with "；" in output files.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from .._cache import KeptValues, per_value_list
from .._columnar import Columns, as_list
from ..chainmap._schema import COMPONENTS, STAGE_NAMES, STATUS_NAMES, ChainMap
from ..likelihood._tables import FEATURE_LABELS, LandingEstimate
from ..reference._industry import industry_class

__all__ = ["LANGUAGES", "explain_columns", "explain_frame", "likelihood_reasons"]

LANGUAGES = ("zh", "en")
_REASON_SEPARATOR = "；"

_STAGE = {lang: {key: names[i] for key, names in STAGE_NAMES.items()} for i, lang in enumerate(LANGUAGES)}
_STATUS = {lang: {key: names[i] for key, names in STATUS_NAMES.items()} for i, lang in enumerate(LANGUAGES)}
_LEADER_KIND = {"local_leader": ("链主", "chain leader"), "terminal_maker": ("终端龙头", "terminal maker")}
_ACTION_EN = {"补链": "fill a gap (补链)", "强链": "strengthen (强链)", "延链": "extend (延链)", "建链": "build (建链)"}
_MISSING = {
    "zh": {"description": "主营业务", "place": "所在地", "size": "规模（员工/营收）", "tags": "企业标签",
           "customers": "主要客户", "patents": "专利数", "industry_code": "行业代码"},
    "en": {"description": "description", "place": "location", "size": "size (staff/revenue)", "tags": "tags",
           "customers": "customers", "patents": "patents", "industry_code": "industry code"},
}


#: The largest float: what np.nan_to_num puts for an infinity.
_FLOAT_MAX = float(np.finfo(np.float64).max)

#: The scored columns that reasons read.
_READ = (
    "link_id", "evidence", "trade_only", "action", "chain", "link", "chain_en", "link_en", "stage", "status", "maturity",
    "park", "park_en", "tags_found", "employees", "employees_low", "employees_high", "revenue", "patents", "origin_group", "origin_place", "leader",
    "leader_kind", "missing", "link_2_id", "chain_2", "link_2", "chain_2_en", "link_2_en", "action_2", "affinity", "affinity_2",
)


def _evidence(term: str, lang: str) -> str:
    if term.startswith("code:"):
        return f"行业代码{term[5:]}" if lang == "zh" else f"industry code {term[5:]}"
    return f"“{term}”" if lang == "zh" else f'"{term}"'


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:g}"


def _match_reason(link_id: str, action: str, chain: str, link: str, chain_en: str, link_en: str, stage: str,
                  status: str, evidence: str, trade_only: bool, lang: str) -> str:
    zh = lang == "zh"
    if link_id:
        stage_text, status_text = _STAGE[lang][stage], _STATUS[lang][status]
        if zh:
            return f"{action}：{chain}·{link}（{stage_text}，本地{status_text}），依据{_evidence(evidence, lang)}"
        return f"{_ACTION_EN.get(action, action)}: {chain_en} · {link_en} ({stage_text}, locally {status_text}), matched {_evidence(evidence, lang)}"
    if trade_only:
        return "仅销售或贸易相关产品，不构成产业链环节，得分低" if zh else "only sells or trades the products; fills no chain link, so it scores low"
    return "未匹配到任何产业链环节，得分低" if zh else "matches no chain link, so it scores low"


def _class_why(code: str, main: bool, lang: str) -> str:
    """Why the industry class chose the primary link: its code (and class name), and whether
    the link is the class's main link (``class_links`` of the map's vocabulary)."""
    known = industry_class(code)
    if lang == "zh":
        name = f"{code}{known.name}" if known is not None else code
        return f"按行业类别选定（行业代码{name}{'，该类别的主要环节' if main else ''}）"
    return f"by the industry class (code {code}{', its main link' if main else ''})"


def _second_reason(link_2_id: str, chain_2: str, link_2: str, chain_2_en: str, link_2_en: str, action_2: str,
                   by_evidence: bool, class_code: str, class_main: bool, lang: str) -> str:
    """The second link a firm with several businesses serves, and why the first came first
    (``class_code``: the firm's industry class decided, its words naming neither link more
    strongly; else ``by_evidence``: its affinity is at least the second's; else the map's need)."""
    if not link_2_id:
        return ""
    if lang == "zh":
        why = _class_why(class_code, class_main, lang) if class_code else "因主营业务证据更强而选定" if by_evidence else "因图谱需求更高而选定"
        return f"另可服务{chain_2}·{link_2}（{action_2}），主环节{why}"
    why = (_class_why(class_code, class_main, lang) if class_code
           else "for stronger evidence for the main business" if by_evidence else "for the map's greater need")
    return f"also serves {chain_2_en} · {link_2_en} ({_ACTION_EN.get(action_2, action_2)}); the primary link chosen {why}"


def _fit_reason(link_id: str, stage: str, maturity: str, lang: str) -> str:
    if not link_id:
        return ""
    zh = lang == "zh"
    fit = []
    if stage == "midstream":
        fit.append("中游“腰部”环节" if zh else 'midstream "waist" link')
    if maturity == "maturing":
        fit.append("技术趋于成熟，合乎跟随策略" if zh else "maturing technology (follow strategy)")
    elif maturity == "frontier":
        fit.append("前沿技术，产业化风险较高" if zh else "frontier technology, higher risk")
    return ("，" if zh else "; ").join(fit)


def _quantity(value: float, field: str, lang: str) -> str:
    if value != value or (field == "patents" and value <= 0):  # NaN, or no patents
        return ""
    number = _number(value)
    if lang == "zh":
        return {"employees": f"员工{number}人", "revenue": f"营收{number}万元", "patents": f"专利{number}项"}[field]
    return {"employees": f"{number} staff", "revenue": f"revenue {number} (10k CNY)", "patents": f"{number} patents"}[field]


def _headcount(value: float, low: float, high: float, lang: str) -> str:
    """The headcount as written when it was a range, with the number used: ``员工50–99人（按75人计）``.
    ``low`` < 0: a single number (or none); ``high`` < 0: a range open above."""
    if low < 0 or value != value:
        return _quantity(value, "employees", lang)
    zh = lang == "zh"
    if high < 0:
        written = f"{_number(low)}人以上" if zh else f"{_number(low)}+"
    elif low == 0:
        written = f"少于{_number(high + 1)}人" if zh else f"under {_number(high + 1)}"
    else:
        written = f"{_number(low)}–{_number(high)}人" if zh else f"{_number(low)}–{_number(high)}"
    return f"员工{written}（按{_number(value)}人计）" if zh else f"{written} staff (taken as {_number(value)})"


def _strength_reason(tags_found: str, employees: str, revenue: str, patents: str, lang: str) -> str:
    parts = [p for p in (tags_found, employees, revenue, patents) if p]
    if not parts:
        return ""
    return ("企业实力：" + "，".join(parts)) if lang == "zh" else ("strength: " + ", ".join(parts))


def _ties_reason(origin_group: str, origin_place: str, leader: str, leader_kind: str, chain_map: ChainMap, lang: str) -> str:
    zh = lang == "zh"
    ties = []
    if origin_group:
        group = chain_map.strategy.origins.get(origin_group)
        label = (group.name.zh if zh else group.name.en) if group else origin_group
        if origin_place.startswith("tag:"):
            tag = origin_place[4:]
            ties.append(f"{label}（企业标签“{tag}”）" if zh else f"{label} (tag \"{tag}\")")
        else:
            ties.append(f"来自{origin_place}（{label}）" if zh else f"from {origin_place} ({label})")
    if leader:
        kind = _LEADER_KIND[leader_kind]
        ties.append(f"客户含{leader}（{kind[0]}，跟大王）" if zh else f"supplies {leader} (a {kind[1]})")
    return ("，" if zh else "; ").join(ties)


def _park_reason(link_id: str, park: str, park_en: str, lang: str) -> str:
    if not (link_id and park):
        return ""
    return f"建议落户{park}" if lang == "zh" else f"suggested park: {park_en}"


def _missing_reason(missing: str, lang: str) -> str:
    if not missing:
        return ""
    fields = [_MISSING[lang][k] for k in missing.split(",")]
    if lang == "zh":
        return "缺少" + "、".join(fields) + "，按中性值计，置信度下调"
    return "missing " + ", ".join(fields) + ": neutral values used, lower confidence"


def _assemble(parts: Sequence[str], confidence: float, lang: str) -> list[str]:
    reasons = [p for p in parts if p]
    if len(reasons) < 2:
        reasons.append(f"匹配置信度{confidence:.2f}" if lang == "zh" else f"match confidence {confidence:.2f}")
    if len(reasons) > 5:
        reasons = reasons[:4] + reasons[-1:]
    return reasons


#: Reasons kept across calls, by kind and language: each is a pure function of the values it is
#: keyed on (a link's texts, the evidence, a missing-fields list), which recur from batch to batch.
_KEPT_REASONS: dict[tuple[str, str], KeptValues] = {}

#: The same for the reasons that also read the map (origins, class links), per map.
_KEPT_MAP_REASONS: weakref.WeakKeyDictionary[ChainMap, dict[tuple[str, str], KeptValues]] = weakref.WeakKeyDictionary()


def _kept(kind: str, lang: str, chain_map: ChainMap | None = None) -> KeptValues:
    kept = _KEPT_REASONS if chain_map is None else _KEPT_MAP_REASONS.setdefault(chain_map, {})
    cache = kept.get((kind, lang))
    if cache is None:
        cache = kept[kind, lang] = KeptValues()
    return cache


def _reason_columns(scored: pd.DataFrame | Columns, chain_map: ChainMap, lang: str) -> list[list[str]]:
    """Each kind of reason for every row, computed once per distinct input (and kept across calls)."""
    columns = {name: as_list(scored[name]) for name in _READ}
    col = columns.__getitem__

    def once(fn: Callable[..., str], kind: str, *names: str) -> list[str]:
        return per_value_list(lambda *values: fn(*values, lang), *(col(n) for n in names), cache=_kept(kind, lang))

    # NaN never equals itself, so the range's ends are keyed with -1 for "none" (cached per value),
    # infinities as the largest floats (what np.nan_to_num(nan=-1.0) gives, without its fixed cost)
    low, high = ([-1.0 if v != v else min(max(v, -_FLOAT_MAX), _FLOAT_MAX) for v in np.asarray(col(name), dtype=np.float64).tolist()]
                 for name in ("employees_low", "employees_high"))
    quantities = [
        per_value_list(lambda v, a, b: _headcount(v, a, b, lang), col("employees"), low, high),
        *(per_value_list(lambda v, f=field: _quantity(v, f, lang), col(field)) for field in ("revenue", "patents")),
    ]
    strength = [
        _strength_reason(t, e, r, p, lang) if (t or e or r or p) else ""
        for t, e, r, p in zip(col("tags_found"), *quantities, strict=True)
    ]
    # which side won, and whether the industry class decided (a primary link whose strongest
    # evidence is the industry code) and chose the class's main link
    class_links = chain_map.vocabulary.class_links

    def second(link_2: str, chain_2: str, name_2: str, chain_2_en: str, name_2_en: str, action_2: str, by_evidence: bool,
               evidence: str, link: str) -> str:
        if not link_2:
            return ""
        code = evidence[5:] if evidence.startswith("code:") else ""
        main = class_links.get(code) if code else None
        return _second_reason(link_2, chain_2, name_2, chain_2_en, name_2_en, action_2, by_evidence, code,
                              main is not None and main.link == link, lang)

    won = [a >= b for a, b in zip(col("affinity"), col("affinity_2"), strict=True)]
    return [
        once(_match_reason, "match", "link_id", "action", "chain", "link", "chain_en", "link_en", "stage", "status", "evidence", "trade_only"),
        per_value_list(second, *(col(n) for n in ("link_2_id", "chain_2", "link_2", "chain_2_en", "link_2_en", "action_2")), won,
                       col("evidence"), col("link_id"), cache=_kept("second", lang, chain_map)),
        once(_fit_reason, "fit", "link_id", "stage", "maturity"),
        strength,
        per_value_list(lambda g, p, n, k: _ties_reason(g, p, n, k, chain_map, lang), col("origin_group"), col("origin_place"), col("leader"),
                       col("leader_kind"), cache=_kept("ties", lang, chain_map)),
        once(_park_reason, "park", "link_id", "park", "park_en"),
        once(_missing_reason, "missing", "missing"),
    ]


def _explain_row(row: pd.Series | dict, chain_map: ChainMap, lang: str = "zh") -> list[str]:
    """The reasons for one scored row (a row of :meth:`Scorer.score_frame`)."""
    return explain_columns({name: [value] for name, value in dict(row).items()}, chain_map, lang, joined=False)[0]


def explain_frame(scored: pd.DataFrame, chain_map: ChainMap, lang: str = "zh", *, joined: bool = True) -> pd.Series:
    """Reasons for every scored row: joined with :data:`_REASON_SEPARATOR`, or as lists."""
    return pd.Series(explain_columns(scored, chain_map, lang, joined=joined), index=scored.index, dtype=object)


def explain_columns(scored: pd.DataFrame | Columns, chain_map: ChainMap, lang: str = "zh", *, joined: bool = True) -> list:
    """:func:`explain_frame` on columns (a DataFrame or the dict of
    :meth:`~recommender.scoring.Scorer.score_columns`): one item per row."""
    if lang not in LANGUAGES:
        raise ValueError(f"The 'lang' parameter of explain_frame must be one of {LANGUAGES}. Got {lang!r} instead.")
    columns = _reason_columns(scored, chain_map, lang)
    confidence = as_list(scored["confidence"])
    reasons = [_assemble(parts, c, lang) for *parts, c in zip(*columns, confidence, strict=True)]
    if joined:
        return [_REASON_SEPARATOR.join(r) for r in reasons]
    return reasons


# -- the landing likelihood's largest parts ----------------------------------------------------
#: Numeric landing features shown as percentages (shares of 0-1), counts after log10(x + 1)
#: with their unit, plain counts, and yes/no flags.
_SHARES = frozenset({*(f"fit_{name}" for name in COMPONENTS), "affinity", "size"})
_LOGS = {"employees_log": ("人", " staff"), "revenue_log": ("万元", " (10k CNY)"), "patents_log": ("项", "")}
_COUNTS = {"profile_gaps": ("项", " fields")}
_FLAGS = frozenset({"firm_green", "trade_only"})
_BIN = re.compile(r"^(?:< (?P<below>\S+)|≥ (?P<above>\S+)|\[(?P<low>\S+), (?P<high>\S+)\))$")
_WORDS = {"missing": ("缺失", "missing"), "other": ("其他", "other"), "all": ("全部", "all")}


def _level_text(feature: str, label: str, chain_map: ChainMap | None = None, lang: str = "zh") -> str:
    """A landing feature's bin or category label as officers read it.

    ``fit_chain_need`` ``[0.696, 0.85)`` → ``70%–85%``; ``employees_log`` ``< 1.23`` → ``< 16人``;
    ``trade_only`` ``≥ 0.5`` → ``是``; ``stage`` ``upstream`` → ``上游``; a chain id → its name.
    """
    zh = lang == "zh"
    if label in _WORDS:
        return _WORDS[label][0 if zh else 1]
    match = _BIN.match(label)
    if match is None:
        return _category_text(feature, label, chain_map, zh)
    if feature in _FLAGS:
        yes = match["above"] is not None or (match["low"] is not None and float(match["low"]) >= 0.5)
        return ("是" if yes else "否") if zh else ("yes" if yes else "no")
    if feature in _COUNTS or feature in _LOGS:
        unit = (_COUNTS.get(feature) or _LOGS[feature])[0 if zh else 1]
        log = feature in _LOGS

        def whole(edge: str) -> int:  # the least whole count at or above a bin edge
            value = 10 ** float(edge) - 1 if log else float(edge)
            return max(0, math.ceil(value - 1e-9))

        if match["below"] is not None:
            return f"< {whole(match['below'])}{unit}"
        if match["above"] is not None:
            return f"≥ {whole(match['above'])}{unit}"
        low, high = whole(match["low"]), whole(match["high"]) - 1
        return f"{low}{unit}" if high <= low else f"{low}–{high}{unit}"
    if feature in _SHARES:
        def pct(edge: str) -> str:
            value = float(edge) * 100
            text = f"{value:.0f}"
            if text in ("0", "100") and abs(value - round(value)) >= 0.05:  # 99.8% is not 100%
                text = f"{value:.1f}"
            return f"{text}%"

        if match["below"] is not None:
            return f"< {pct(match['below'])}"
        if match["above"] is not None:
            return f"≥ {pct(match['above'])}"
        return f"{pct(match['low'])}–{pct(match['high'])}"
    return label


def _category_text(feature: str, label: str, chain_map: ChainMap | None, zh: bool) -> str:
    if feature == "stage":
        return _STAGE["zh" if zh else "en"].get(label, label)
    if feature == "leader_kind" and label in _LEADER_KIND:
        return _LEADER_KIND[label][0 if zh else 1]
    if feature == "action" and not zh:
        return _ACTION_EN.get(label, label)
    if chain_map is not None:
        if feature == "chain_id":
            chain = next((c for c in chain_map.chains if c.id == label), None)
            if chain is not None:
                return chain.name.zh if zh else chain.name.en
        if feature == "origin_group" and label in chain_map.strategy.origins:
            name = chain_map.strategy.origins[label].name
            return name.zh if zh else name.en
    return label


#: Texts of likelihood reasons by (language, map version, feature, level, part): a few hundred per model.
_ITEM_TEXTS = KeptValues(50_000)


def likelihood_reasons(
    estimate: LandingEstimate, chain_map: ChainMap | None = None, *, lang: str = "zh", top: int = 3, joined: bool = True
) -> list[str] | list[list[str]]:
    """Per row, the ``top`` largest parts of the landing likelihood as text, e.g.
    ``↑ 来源 本地 (+0.62)``, the levels as :func:`_level_text` writes them; joined with "；"
    ("; " in English), or as a list per row with ``joined=False``. Parts under 0.005 are left out.

    Rows under the prior get "先验（无训练模型）" / "prior (no trained model)".
    """
    n = len(estimate.likelihood)
    if not estimate.names:
        prior = "先验（无训练模型）" if lang == "zh" else "prior (no trained model)"
        return [prior] * n if joined else [[prior] for _ in range(n)]
    parts = estimate.parts
    names = estimate.names
    label = [FEATURE_LABELS.get(name, (name, name))[0 if lang == "zh" else 1] for name in names]
    order = np.argsort(-np.abs(parts), axis=1, kind="stable")[:, :top]
    rows = np.arange(n)[:, np.newaxis]
    chosen = np.round(parts[rows, order], 2).tolist()
    chosen_levels = estimate.labels[rows, order].tolist()
    # the same (feature, level, part) recurs across firms and requests: each text is made once
    # per language and map version (the map names chains and origins)
    version = chain_map.version if chain_map is not None else None
    _ITEM_TEXTS.bound()
    rows_text = []
    for ks, levels, values in zip(order.tolist(), chosen_levels, chosen, strict=True):
        items = []
        for k, level, part in zip(ks, levels, values, strict=True):
            if abs(part) < 0.005:
                continue
            key = (lang, version, names[k], level, part)
            text = _ITEM_TEXTS.get(key)
            if text is None:
                text = _ITEM_TEXTS[key] = f"{'↑' if part > 0 else '↓'} {label[k]} {_level_text(names[k], level, chain_map, lang)} ({part:+.2f})"
            items.append(text)
        rows_text.append(items)
    if not joined:
        return rows_text
    sep = "；" if lang == "zh" else "; "
    return [sep.join(items) for items in rows_text]
