"""Pipeline stages and the one-lead-per-firm key.

Stages, in order: 线索 lead → 接洽 contact → 考察 visit → 洽谈 negotiation → 签约 signed →
落地 landed; or 流失 lost (with a reason) from any open stage (线索 … 洽谈). A lead moves forward
one or more stages, or to 流失; a lost lead may be reopened as 线索; 落地 is final
(:func:`allowed_moves`). Every move is kept in its history.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CLOSED_STAGES", "OPEN_STAGES", "STAGES", "allowed_moves", "check_move", "firm_key", "normalise_credit_code", "normalise_name", "parse_stage",]

#: English code → Chinese name, in pipeline order.
STAGES: dict[str, str] = {
    "lead": "线索", "contact": "接洽", "visit": "考察", "negotiation": "洽谈", "signed": "签约", "landed": "落地", "lost": "流失",
}
CLOSED_STAGES = frozenset({"signed", "landed", "lost"})
OPEN_STAGES = tuple(code for code in STAGES if code not in CLOSED_STAGES)
#: Outcomes for training: signed and landed count 1, lost 0 (as in recommender.likelihood).
OUTCOME_OF_STAGE = {"signed": "签约", "landed": "落地", "lost": "流失"}
_FORWARD = ("lead", "contact", "visit", "negotiation", "signed", "landed")
_BY_NAME = {**{code: code for code in STAGES}, **{zh: code for code, zh in STAGES.items()}}

_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "co.,ltd.", "co.,ltd", "co.ltd", "co ltd",
             "company limited", "limited", "ltd.", "ltd", "inc.", "inc", "corporation", "corp.", "corp", "group")
_BRACKETS = re.compile(r"[(\[（【][^()\[\]（）【】]*[)\]）】]")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def parse_stage(text: str) -> str:
    """A stage code from its English code or Chinese name.

    Raises
    ------
    ValueError
        Naming the accepted values.
    """
    code = _BY_NAME.get(unicodedata.normalize("NFKC", text).strip().casefold()) or _BY_NAME.get(text.strip())
    if code is None:
        accepted = ", ".join(f"{zh}/{code}" for code, zh in STAGES.items())
        raise ValueError(f"未知阶段 {text!r} / unknown stage {text!r}; expected one of {accepted}")
    return code


def allowed_moves(stage: str) -> tuple[str, ...]:
    """The stages a lead at ``stage`` may move to, in pipeline order."""
    if stage == "lost":
        return ("lead",)
    later = _FORWARD[_FORWARD.index(stage) + 1:]
    return (*later, "lost") if stage in OPEN_STAGES else later


def check_move(before: str, after: str) -> None:
    """Nothing when a lead may move from ``before`` to ``after`` (or stays).

    Raises
    ------
    ValueError
        Naming both stages and where the lead may go.
    """
    if after == before or after in allowed_moves(before):
        return
    moves = allowed_moves(before)
    zh = "、".join(STAGES[m] for m in moves) or "无（落地为最终阶段）"
    en = ", ".join(moves) or "none (landed is final)"
    raise ValueError(f"阶段不能从 {STAGES[before]} 改为 {STAGES[after]}，可改为：{zh} / "
                     f"the stage cannot go from {before} to {after}; it may go to: {en}")


def _stage_label(code: str, lang: str = "zh") -> str:
    return STAGES[code] if lang == "zh" else code


def normalise_name(name: str) -> str:
    """A firm name for matching: full/half width, case, spaces and punctuation folded, bracketed
    parts such as （集团） or (深圳) dropped, legal-form suffixes (有限公司, 股份有限公司, Co., Ltd. …) removed.

    >>> normalise_name("江门 市 ABC 科技（集团）股份有限公司") == normalise_name("江门市abc科技有限公司")
    True
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _BRACKETS.sub("", text)
    text = re.sub(r"[\s·・.,，、\-_'\"]+", "", text)
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            bare = suffix.replace(" ", "").replace(",", "").replace(".", "")
            if text.endswith(bare) and len(text) > len(bare):
                text, changed = text[: -len(bare)], True
    return text


def normalise_credit_code(code: str | None) -> str | None:
    """A 统一社会信用代码 in upper case without spaces; None when blank.

    Raises
    ------
    ValueError
        Not 18 characters of the code's alphabet.
    """
    if code is None:
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", code)).upper()
    if not text:
        return None
    if not _CREDIT_CODE.match(text):
        raise ValueError(f"统一社会信用代码格式不对 / invalid unified social credit code {code!r} (18 characters)")
    return text


def firm_key(name: str, credit_code: str | None) -> str:
    """The key that makes a firm's lead unique: its credit code where given, else its normalised name."""
    code = normalise_credit_code(credit_code)
    if code is not None:
        return f"code:{code}"
    bare = normalise_name(name)
    if not bare:
        raise ValueError(f"企业名称为空 / the firm name {name!r} is empty after normalising")
    return f"name:{bare}"
