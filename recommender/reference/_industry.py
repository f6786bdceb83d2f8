"""GB/T 4754-2017 (国民经济行业分类): every class at every level, with its parent and official note.

The table is package data (``data/gbt4754_2017.csv``, one row per class: ``code,level,name,parent,description``),
read on first use and kept for the life of the process. Codes are written as the standard writes them:
a letter for a 门类 (``"C"``), two digits for a 大类 (``"38"``), three for a 中类 (``"384"``), four for a
小类 (``"3841"``). Look-ups also accept the vendor form with the section letter in front (``"C3841"``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

from ._text import compact, data_rows, normalise_name

__all__ = [
    "INDUSTRY_LEVELS",
    "IndustryClass",
    "industry_class",
    "industry_code_for_name",
]

#: Level number → the standard's name for it.
INDUSTRY_LEVELS: dict[int, str] = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}

@dataclass(frozen=True, slots=True)
class IndustryClass:
    """One class of GB/T 4754-2017.

    Attributes
    ----------
    code : str
        ``"C"``, ``"38"``, ``"384"`` or ``"3841"``.
    level : int
        1 门类, 2 大类, 3 中类, 4 小类 (see :data:`INDUSTRY_LEVELS`).
    name : str
        The official Chinese name, e.g. ``"锂离子电池制造"``.
    parent : str or None
        The code one level up; None for a 门类.
    description : str
        The standard's note (说明) on what the class covers; empty where the standard gives none.
    """

    code: str
    level: int
    name: str
    parent: str | None
    description: str = ""

    @property
    def level_name(self) -> str:
        """``"门类"``, ``"大类"``, ``"中类"`` or ``"小类"``."""
        return INDUSTRY_LEVELS[self.level]


_DATA_FILE = "gbt4754_2017.csv"
_CODE = re.compile(r"[A-T](?:\d{2,4})?|\d{2,4}")
_LEADING_CODE = re.compile(r"^([A-T]\d{2,4}|\d{2,4}|[A-T](?![A-Za-z]))[-:：.、]?(.*)$")
_TRAILING_CODE = re.compile(r"^(.*?)[(\[【]?([A-T]\d{2,4}|\d{2,4}|[A-T])[)\]】]?$")


@dataclass(frozen=True, slots=True)
class _Table:
    by_code: dict[str, IndustryClass]
    by_name: dict[str, tuple[str, ...]]
    section_of: dict[str, str]


@cache
def _table() -> _Table:
    """Read the packaged table once."""
    by_code: dict[str, IndustryClass] = {}
    by_name: dict[str, list[str]] = defaultdict(list)
    for row in data_rows(_DATA_FILE):
        item = IndustryClass(row["code"], int(row["level"]), row["name"], row["parent"] or None, row["description"])
        by_code[item.code] = item
        by_name[normalise_name(item.name)].append(item.code)
    section_of: dict[str, str] = {}
    for code, item in by_code.items():
        while item.parent is not None:
            item = by_code[item.parent]
        section_of[code] = item.code
    return _Table(by_code, {name: tuple(codes) for name, codes in by_name.items()}, section_of)


def _canonical(code: str) -> str | None:
    """``code`` as the table keys it, or None: ``"c3841"`` → ``"3841"`` (the letter must be 3841's section)."""
    text = compact(code).upper()
    if not _CODE.fullmatch(text):
        return None
    table = _table()
    if text[0].isalpha() and len(text) > 1:
        letter, text = text[0], text[1:]
        if table.section_of.get(text) != letter:
            return None
    return text if text in table.by_code else None


def industry_class(code: str) -> IndustryClass | None:
    """The class with this code, or None.

    Parameters
    ----------
    code : str
        ``"3841"``, ``"C3841"``, ``"384"``, ``"38"``, ``"C"`` (case and surrounding spaces ignored).
        A letter in front of digits must be their 门类: ``"D3841"`` is None.

    Returns
    -------
    IndustryClass or None
    """
    if not isinstance(code, str):
        return None
    canonical = _canonical(code)
    return None if canonical is None else _table().by_code[canonical]


def _industry_path(code: str) -> tuple[IndustryClass, ...]:
    """The chain from the 门类 down to the class with ``code`` (written as :func:`industry_class`
    takes it), empty for an unknown code: ``_industry_path("3841")`` is C 制造业, 38
    电气机械和器材制造业, 384 电池制造, 3841 锂离子电池制造."""
    item = industry_class(code)
    chain: list[IndustryClass] = []
    by_code = _table().by_code
    while item is not None:
        chain.append(item)
        item = by_code[item.parent] if item.parent is not None else None
    return tuple(reversed(chain))


def _industry_classes(level: int | None = None) -> tuple[IndustryClass, ...]:
    """Every class in the standard's order, or those of one level.

    Parameters
    ----------
    level : int, optional
        1 门类, 2 大类, 3 中类, 4 小类.

    Returns
    -------
    tuple of IndustryClass
    """
    items = _table().by_code.values()
    return tuple(item for item in items if level is None or item.level == level)


def _is_ancestor(upper: str, lower: str, by_code: dict[str, IndustryClass]) -> bool:
    item = by_code[lower]
    while item.parent is not None:
        if item.parent == upper:
            return True
        item = by_code[item.parent]
    return False


def _code_for_exact_name(name: str, level: int | None) -> str | None:
    table = _table()
    codes = [c for c in table.by_name.get(normalise_name(name), ()) if level is None or table.by_code[c].level == level]
    if not codes:
        return None
    deepest = max(codes, key=lambda c: table.by_code[c].level)
    if all(c == deepest or _is_ancestor(c, deepest, table.by_code) for c in codes):
        return deepest
    return None


@lru_cache(maxsize=1 << 16)  # pure; the map and vendor columns repeat their names
def industry_code_for_name(name: str, level: int | None = None) -> str | None:
    """The code of the class a 国标行业 value names, or None.

    Accepted forms: the official name (``"制造业"``, ``"计算机、通信和其他电子设备制造业"``,
    ``"锂离子电池制造"``), compared after removing whitespace, punctuation and symbols and unifying
    full- and half-width characters; a code (``"C3841"``, ``"3841"``, ``"C"``); a code and a name together
    (``"3841 锂离子电池制造"``, ``"C3841-锂离子电池制造"``, ``"锂离子电池制造（C3841）"``). When a code and a
    name are both given the code decides, provided the name is empty or names that very class or one on
    its chain.

    Where the standard gives one name to a class and to its only child (中类 ``"019"`` and 小类 ``"0190"``
    其他农业; 门类 ``"K"`` and 大类 ``"70"`` 房地产业), the deepest class is returned unless ``level`` says
    otherwise; a name shared by classes on different branches returns None.

    Parameters
    ----------
    name : str
        The value of a 国标行业门类/大类/中类/小类 column.
    level : int, optional
        Only classes of this level (1 门类 … 4 小类) count, e.g. for a 国标行业大类 column.

    Returns
    -------
    str or None
        The code as :attr:`IndustryClass.code` writes it (``"3841"``, ``"C"``).
    """
    if not isinstance(name, str) or not compact(name):
        return None
    by_level = (lambda code: code) if level is None else (lambda code: code if _table().by_code[code].level == level else None)
    code = _canonical(name)
    if code is not None:
        return by_level(code)
    text = compact(name)
    for pattern, code_group, name_group in ((_LEADING_CODE, 1, 2), (_TRAILING_CODE, 2, 1)):
        match = pattern.match(text)
        if match is None:
            continue
        code = _canonical(match.group(code_group))
        if code is None:
            continue
        rest = normalise_name(match.group(name_group))
        chain = _industry_path(code)
        if not rest or any(normalise_name(item.name) == rest for item in chain):
            return by_level(code)
    return _code_for_exact_name(name, level)
