"""Scored rows → 2–5 short reasons an officer can read, in Chinese (default) or English.

Reasons, in order, as far as they apply: the link served and the phrase that matched (or why
nothing matched); the fit to the strategy (midstream "waist", follow strategy); the firm's
strength; its origin and the chain leader or terminal maker it supplies; the park; and the
fields that were missing. Reasons are joined with "；" in output files.
"""

from __future__ import annotations

import math

import pandas as pd

from .chainmap import ChainMap

__all__ = ["LANGUAGES", "REASON_SEPARATOR", "explain_frame", "explain_row"]

LANGUAGES = ("zh", "en")
REASON_SEPARATOR = "；"

_STAGE = {
    "zh": {"upstream": "上游", "midstream": "中游", "downstream": "下游", "service": "服务"},
    "en": {"upstream": "upstream", "midstream": "midstream", "downstream": "downstream", "service": "service"},
}
_STATUS = {
    "zh": {"missing": "缺失", "weak": "薄弱", "present": "已有", "strong": "优势"},
    "en": {"missing": "missing", "weak": "weak", "present": "present", "strong": "strong"},
}
_ACTION_EN = {"补链": "fill a gap (补链)", "强链": "strengthen (强链)", "延链": "extend (延链)", "建链": "build (建链)"}
_MISSING = {
    "zh": {"description": "主营业务", "place": "所在地", "size": "规模（员工/营收）", "tags": "企业标签",
           "customers": "主要客户", "patents": "专利数", "industry_code": "行业代码"},
    "en": {"description": "description", "place": "location", "size": "size (staff/revenue)", "tags": "tags",
           "customers": "customers", "patents": "patents", "industry_code": "industry code"},
}


def _evidence(term: str, lang: str) -> str:
    if term.startswith("code:"):
        return f"行业代码{term[5:]}" if lang == "zh" else f"industry code {term[5:]}"
    return f"“{term}”" if lang == "zh" else f'"{term}"'


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:g}"


def explain_row(row: pd.Series | dict, chain_map: ChainMap, lang: str = "zh") -> list[str]:
    """The reasons for one scored row (a row of :meth:`Scorer.score_frame`)."""
    zh = lang == "zh"
    reasons: list[str] = []
    if row["link_id"]:
        stage = _STAGE[lang][row["stage"]]
        status = _STATUS[lang][row["status"]]
        if zh:
            reasons.append(f"{row['action']}：{row['chain']}·{row['link']}（{stage}，本地{status}），依据{_evidence(row['evidence'], lang)}")
        else:
            reasons.append(f"{_ACTION_EN.get(row['action'], row['action'])}: {row['chain_en']} · {row['link_en']} ({stage}, locally {status}), matched {_evidence(row['evidence'], lang)}")
        fit = []
        if row["stage"] == "midstream":
            fit.append("中游“腰部”环节" if zh else 'midstream "waist" link')
        if row["maturity"] == "maturing":
            fit.append("技术趋于成熟，合乎跟随策略" if zh else "maturing technology (follow strategy)")
        elif row["maturity"] == "frontier":
            fit.append("前沿技术，产业化风险较高" if zh else "frontier technology, higher risk")
        if fit:
            reasons.append("，".join(fit) if zh else "; ".join(fit))
    elif row["trade_only"]:
        reasons.append("仅销售或贸易相关产品，不构成产业链环节，得分低" if zh else "only sells or trades the products; fills no chain link, so it scores low")
    else:
        reasons.append("未匹配到任何产业链环节，得分低" if zh else "matches no chain link, so it scores low")
    strength = []
    if row["tags_found"]:
        strength.append(row["tags_found"])
    employees, revenue, patents = row["employees"], row["revenue"], row["patents"]
    if not math.isnan(employees):
        strength.append(f"员工{_number(employees)}人" if zh else f"{_number(employees)} staff")
    if not math.isnan(revenue):
        strength.append(f"营收{_number(revenue)}万元" if zh else f"revenue {_number(revenue)} (10k CNY)")
    if not math.isnan(patents) and patents > 0:
        strength.append(f"专利{_number(patents)}项" if zh else f"{_number(patents)} patents")
    if strength:
        reasons.append(("企业实力：" if zh else "strength: ") + ("，".join(strength) if zh else ", ".join(strength)))
    ties = []
    if row["origin_group"]:
        group = chain_map.strategy.origins.get(row["origin_group"])
        label = (group.name.zh if zh else group.name.en) if group else row["origin_group"]
        ties.append(f"来自{row['origin_place']}（{label}）" if zh else f"from {row['origin_place']} ({label})")
    if row["leader"]:
        kind = {"local_leader": ("链主", "a chain leader"), "terminal_maker": ("终端龙头", "a terminal maker")}[row["leader_kind"]]
        ties.append(f"客户含{row['leader']}（{kind[0]}，跟大王）" if zh else f"supplies {row['leader']} ({kind[1]})")
    if ties:
        reasons.append("，".join(ties) if zh else "; ".join(ties))
    if row["link_id"] and row["park"]:
        reasons.append(f"建议落户{row['park']}" if zh else f"suggested park: {row['park_en']}")
    if row["missing"]:
        fields = [_MISSING[lang][k] for k in row["missing"].split(",")]
        reasons.append(("缺少" + "、".join(fields) + "，按中性值计，置信度下调") if zh else ("missing " + ", ".join(fields) + ": neutral values used, lower confidence"))
    if len(reasons) < 2:
        reasons.append(f"匹配置信度{row['confidence']:.2f}" if zh else f"match confidence {row['confidence']:.2f}")
    if len(reasons) > 5:
        reasons = reasons[:4] + reasons[-1:]
    return reasons


def explain_frame(scored: pd.DataFrame, chain_map: ChainMap, lang: str = "zh") -> pd.Series:
    """Reasons for every scored row, each joined with :data:`REASON_SEPARATOR`."""
    if lang not in LANGUAGES:
        raise ValueError(f"The 'lang' parameter of explain_frame must be one of {LANGUAGES}. Got {lang!r} instead.")
    columns = ("link_id", "stage", "status", "action", "chain", "link", "chain_en", "link_en", "evidence", "maturity",
               "trade_only", "tags_found", "employees", "revenue", "patents", "origin_group", "origin_place", "leader",
               "leader_kind", "park", "park_en", "missing", "confidence")
    arrays = [scored[c].tolist() for c in columns]
    reasons = [REASON_SEPARATOR.join(explain_row(dict(zip(columns, values, strict=True)), chain_map, lang)) for values in zip(*arrays, strict=True)]
    return pd.Series(reasons, index=scored.index, dtype=object)
