"""Values as officers and vendor exports write them: numbers, money, headcounts and dates.

Every parser takes one cell's text and never raises: it returns the value, or ``None`` when the
text cannot be read. :func:`is_missing` tells blanks and the usual "no data" marks (``-``,
``--``, ``/``, ``暂无``, ``未公开``, ``不详`` ...) from unreadable text; callers check it first.
Full-width digits and signs are read as half-width (NFKC); thousands separators are dropped.

Money is returned in 万元 (10,000 yuan). Foreign currencies are converted with :data:`FX_RATES`,
a fixed, dated table: good enough for a size signal, not for accounting.

Imports nothing from :mod:`recommender`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from .._cache import KeptValues

__all__ = [
    "FX_DATE", "FX_RATES", "MISSING_MARKS", "Headcount", "blank_missing", "is_missing", "is_missing_mark", "parse_count", "parse_headcount",
    "parse_money", "parse_year",
]

#: Text that means "no value" (compared after NFKC, case-folded, spaces removed).
MISSING_MARKS = frozenset({
    "", "-", "--", "---", "—", "——", "/", "\\", "暂无", "未公开", "不详", "未知", "无数据", "无", "空", "null", "none",
    "n/a", "na", "nan", "unknown", "not disclosed", "企业未公示", "未公示", "-/-",
})
#: Yuan per unit of each foreign currency: rounded annual averages of the central parity rates
#: of the People's Bank of China / the State Administration of Foreign Exchange for 2024.
FX_DATE = "2024"
FX_RATES: dict[str, float] = {
    "人民币": 1.0, "元": 1.0, "美元": 7.12, "港元": 0.912, "港币": 0.912, "欧元": 7.71, "日元": 0.047,
    "英镑": 9.10, "新台币": 0.222, "台币": 0.222, "新加坡元": 5.33, "澳门元": 0.886, "韩元": 0.0052,
    "澳元": 4.70, "加元": 5.20, "瑞士法郎": 8.10,
    "usd": 7.12, "hkd": 0.912, "eur": 7.71, "jpy": 0.047, "gbp": 9.10, "cny": 1.0, "rmb": 1.0,
}
_SCALE = {"": 1.0, "十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8,
          "十亿": 1e9, "百亿": 1e10, "k": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_NUM = r"\d+(?:\.\d+)?|\.\d+"
_APPROX = r"(?:约|近|超过|超|逾|大约|大概|将近|about|approx\.?|~|≈)?"
_TAIL = r"(?:以上|以下|左右|余|多|上下|\+|or more)?"
_CURRENCIES = sorted((re.escape(c) for c in FX_RATES), key=len, reverse=True)
_SCALE_WORD = r"(?:十亿|百亿|十万|百万|千万|[十百千万亿]|k|m|million|bn|billion)"
_AMOUNT = re.compile(rf"^(?P<a>{_NUM})\s*(?P<sa>{_SCALE_WORD})?(?:\s*(?:-|~|～|至|到|to)\s*(?P<b>{_NUM})\s*(?P<sb>{_SCALE_WORD})?)?$", re.I)
_CURRENCY = re.compile("|".join(_CURRENCIES), re.I)
_APPROX_RE = re.compile(rf"^{_APPROX}\s*", re.I)
_TAIL_RE = re.compile(r"\s*(?:以上|以下|左右|余|多|上下|\+|or more)\s*$", re.I)
_COUNT = re.compile(
    rf"^{_APPROX}\s*(?P<a>{_NUM})\s*(?P<sa>万)?(?:\s*(?:-|~|至|到|to)\s*(?P<b>{_NUM})\s*(?P<sb>万)?)?"
    rf"\s*(?:人|名|家|件|个|项|条|people|employees|persons)?\s*{_TAIL}\s*(?:人|名|件|个|项)?$",
    re.IGNORECASE,
)
_BELOW = re.compile(rf"^(?:少于|小于|不足|低于|不到|under|less than|fewer than|<|＜)\s*(?P<a>{_NUM})\s*(?P<sa>万)?\s*(?:人|名)?$", re.I)
_ABOVE = re.compile(
    rf"^(?:大于|多于|超过|高于|逾|over|more than|>|＞|≥|>=)?\s*(?P<a>{_NUM})\s*(?P<sa>万)?\s*(?:人|名)?\s*(?:以上|及以上|\+|or more)?$", re.I)
_YMD = re.compile(r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?P<d>\d{1,2})\s*日?)?\s*月?)?\s*年?"
                  r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DMY = re.compile(r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})$")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december"
_WORDY = re.compile(rf"^(?:\d{{1,2}}\s+)?(?:{_MONTHS})\.?\s+(?:\d{{1,2}},?\s+)?(?P<y>\d{{4}})$|^\d{{1,2}}\s+(?:{_MONTHS})\.?\s+(?P<y2>\d{{4}})$", re.I)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FIRST_YEAR, _LAST_YEAR = 1800, 2100
_LAST_SERIAL = (dt.date(_LAST_YEAR, 12, 31) - _EXCEL_EPOCH).days
_FIRST_SERIAL = 10_000  # 1927-05-18; a 4-digit number is a year (3021: a mistyped one), never a serial


def _clean(text: object) -> str:
    value = unicodedata.normalize("NFKC", str(text)).strip()
    return re.sub(r"(?<=\d)[,，'](?=\d{3})", "", value).replace("　", " ")


_MARK_KEYS = frozenset(re.sub(r"\s+", "", m) for m in MISSING_MARKS)  # compared without spaces: "not disclosed", "N / A"


def is_missing(text: object) -> bool:
    """True for a blank cell or a "no data" mark (:data:`MISSING_MARKS`)."""
    return re.sub(r"\s+", "", _clean(text)).casefold() in _MARK_KEYS


# the longest a mark can be as written (room for spaces inside it): ASCII ones, and the others
_LONGEST_ASCII_MARK = max(len(m) for m in MISSING_MARKS if m.isascii()) + 4
_LONGEST_WIDE_MARK = max(len(m) for m in MISSING_MARKS if not m.isascii()) + 2


#: :func:`is_missing` of the short cells :func:`blank_missing` has looked at, kept across calls
#: (cities, countries, codes and tags recur from profile to profile); emptied beyond
#: 20,000 entries.
_SEEN = KeptValues(20_000)


_LONGEST_MARK = max(_LONGEST_WIDE_MARK, _LONGEST_ASCII_MARK)


def is_missing_mark(value: str) -> bool:
    """:func:`is_missing` of a stripped cell, read only when it is short enough to be a mark
    (a long cell, a description or a credit code, costs a length test)."""
    short = len(value) <= _LONGEST_WIDE_MARK or (len(value) <= _LONGEST_ASCII_MARK and value.isascii())
    return short and is_missing(value)


def _seen_missing(value: str) -> bool:
    """:func:`is_missing_mark`, looked up in :data:`_SEEN` first."""
    found = _SEEN.get(value)
    if found is None:
        found = _SEEN[value] = is_missing_mark(value)
    return found


def blank_missing(text: np.ndarray) -> np.ndarray:
    """Text cells (an object array of stripped ``str``) with every "no data" mark made ``""``:
    a city of ``-`` or a description of ``暂无`` is missing, not a value. Only cells as short as a
    mark are looked at, each distinct one once; returns ``text`` itself when nothing changes."""
    _SEEN.bound()
    values = text.tolist()
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    short = np.flatnonzero((lengths > 0) & (lengths <= _LONGEST_MARK)).tolist()
    marked = [i for i in short if _seen_missing(values[i])]
    if not marked:
        return text
    out = text.copy()
    out[marked] = ""
    return out


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _mid(a: str, sa: str | None, b: str | None, sb: str | None, default: float = 1.0) -> float:
    low = float(a) * (_SCALE[(sa or "").lower()] if sa else default)
    if b is None:
        return low
    high = float(b) * (_SCALE[(sb or "").lower()] if sb else (_SCALE[(sa or "").lower()] if sa else default))
    return (low + high) / 2


def parse_count(text: object) -> float | None:
    """A count: ``300``, ``约300``, ``1,200``, ``1.2万`` (12,000), ``300-500`` (400), ``１２件``; None if unreadable."""
    match = _COUNT.match(_clean(text))
    if match is None:
        return None
    return _finite(_mid(match["a"], match["sa"], match["b"], match["sb"]))


def parse_money(text: object, *, unit: float = 1e4) -> float | None:
    """An amount of money in 万元.

    ``5000万元``, ``5000万``, ``约3000万``, ``1.2亿元`` (12,000), ``5000万人民币``, ``800万美元`` (800 × 7.12),
    ``300万港元``, ``50000元`` (5), ``1,000-2,000万`` (1,500). A number without a scale word is in
    ``unit`` yuan (default 10,000: the 万元 of a ``营业收入（万元）`` column).

    Returns
    -------
    float or None
        万元; None if the text is not an amount.
    """
    value = _APPROX_RE.sub("", _clean(text)).replace("(", "").replace(")", "").replace("（", "").replace("）", "")
    currencies = {c.lower() for c in _CURRENCY.findall(value)}
    value = _TAIL_RE.sub("", _CURRENCY.sub("", value).strip())
    value = _TAIL_RE.sub("", value)
    foreign = currencies - {"元", "人民币", "rmb", "cny"}
    if len(foreign) > 1:
        return None  # two foreign currencies
    match = _AMOUNT.match(value)
    if match is None:
        return None
    scale_a, scale_b = (match["sa"] or "").lower(), (match["sb"] or "").lower()
    if match["b"] is not None and scale_b and not scale_a:
        scale_a = scale_b  # 1000-2000万: both ends in 万
    if scale_a or scale_b or (currencies & {"元"}) or foreign:
        per_a, per_b = _SCALE[scale_a], _SCALE[scale_b or scale_a]
    else:
        per_a = per_b = unit  # a bare number (or 人民币 alone): the column's unit
    yuan = float(match["a"]) * per_a
    if match["b"] is not None:
        yuan = (yuan + float(match["b"]) * per_b) / 2
    rate = FX_RATES[next(iter(foreign))] if foreign else 1.0
    return _finite(yuan * rate / 1e4)


@dataclass(frozen=True)
class Headcount:
    """A headcount read from text: the number used for scoring and the range written.

    ``low``/``high`` are the range's ends (``high`` None when open above: ``大于10000人``); for a
    single number both are the number. :attr:`is_range` tells a range from a single number.
    """

    value: float
    low: float
    high: float | None

    @property
    def is_range(self) -> bool:
        return self.high is None or self.low != self.high


def _middle(low: float, high: float) -> float:
    """The middle of a headcount range, to the nearest whole person (halves up): ``50-99人`` → 75."""
    return float(math.floor((low + high) / 2 + 0.5))


def parse_headcount(text: object) -> Headcount | None:
    """``少于50人`` (0–49, value 25), ``50-99人`` (value 75, the middle to a whole person),
    ``大于10000人`` / ``10000人以上`` (10,000+, value 10,000: the floor of an open range),
    ``约300``, ``1.2万人``; None if unreadable."""
    value = _clean(text)
    if match := _BELOW.match(value):
        top = float(match["a"]) * (1e4 if match["sa"] else 1)
        high = max(top - 1, 0.0)
        return Headcount(_middle(0.0, high), 0.0, high) if math.isfinite(top) else None
    if (match := _ABOVE.match(value)) and re.search(r"[>＞≥大多超高逾以+]|over|more", value, re.I):
        low = float(match["a"]) * (1e4 if match["sa"] else 1)
        return Headcount(low, low, None) if math.isfinite(low) else None
    match = _COUNT.match(value)
    if match is None:
        return None
    low = float(match["a"]) * (1e4 if match["sa"] else 1)
    high = low if match["b"] is None else float(match["b"]) * (1e4 if (match["sb"] or match["sa"]) else 1)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    low, high = min(low, high), max(low, high)
    return Headcount(low if low == high else _middle(low, high), low, high)


def parse_year(text: object) -> int | None:
    """The year of a date in any common form, or of an Excel serial date.

    ``2012``, ``2012-08-08``, ``2010/5/12``, ``2000年8月7日``, ``2012.08``, ``20120808``,
    ``2012-08-08 00:00:00``, ``12/05/2010``, ``May 12, 2010``, ``41129`` (an Excel serial from 10000 on: 2012).
    Years outside 1800–2100 and impossible dates are unreadable (None).
    """
    value = _clean(text)
    year: int | None = None
    bare = re.fullmatch(r"\d+(?:\.\d+)?", value) is not None and int(value.partition(".")[0]) >= _FIRST_SERIAL
    if bare and len(value.partition(".")[0]) != 8:  # 10000 or more and not 20120808: an Excel serial date
        serial = float(value)
        if serial <= _LAST_SERIAL:
            year = (_EXCEL_EPOCH + dt.timedelta(days=int(serial))).year
    elif match := (_YMD.match(value) or _COMPACT.match(value)):
        year = int(match["y"])
        month, day = match["m"], match["d"]
        try:
            dt.date(year, int(month or 1), int(day or 1))
        except ValueError:
            return None
    elif match := _DMY.match(value):
        year = int(match["y"])
        a, b = int(match["a"]), int(match["b"])
        if not (1 <= min(a, b) and max(a, b) <= 31 and min(a, b) <= 12):
            return None
    elif match := _WORDY.match(value):
        year = int(match["y"] or match["y2"])
    if year is None or not _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    return year
