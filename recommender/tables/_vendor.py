"""Vendor columns → profile fields, row kinds, duplicates and the column report.

From a chunk of raw text rows (:func:`profiles`):

* numbers as written: money (营业收入, 注册资本/实缴资本) in 万元 whatever the unit or currency,
  dates of every form and Excel serials → the year, full-width digits; ``-``, ``--``, ``/``,
  ``暂无``, ``未公开`` as missing; headcounts (``少于50人``, ``50-99人``) checked and ranges left as
  written, for the profile stage to keep the range (:data:`~recommender.scoring.RANGE_COLUMNS`). A
  value that cannot be read is left as written (the profile stage names it in the row's
  ``errors``) and counted for its column. A column whose values were all read comes as floats,
  which the profile stage does not parse again;
* the city from 所属城市, else from 所属区县, 所属省份 or the address (:func:`recommender.reference.city_of`);
* the GB/T 4754 code from the 国标行业门类…小类 names (the most specific one wins);
* 企业类型 as an origin hint (外商投资/中外合资 → ``外资``, 港澳台 → ``港澳台资``, added to ``tags``),
  上市状态 ``上市`` and 企业规模 (大型/中型/小型/微型, a size class) where the headcount is missing;
* ``kind``: ``"blank"``, ``"total"`` (合计/总计/小计), ``"note"`` (注：/说明/数据来源 ...) for rows that
  are not firms, ``"inactive"`` for a firm whose 登记状态/经营状态 is 注销, 吊销, 迁出, 停业, 清算 ...,
  else ``""``.

:class:`Duplicates` marks later copies of a firm (the same 统一社会信用代码 or the same normalised
name) with the row number of the first one, across the chunks of a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..reference import city_of, industry_code_for_name
from ._header import CANONICAL_COLUMNS, field_of
from ._values import blank_missing, is_missing, is_missing_mark, parse_count, parse_headcount, parse_money, parse_year

__all__ = [
    "INACTIVE_WORDS", "PROFILE_EXTRA_COLUMNS", "Duplicates", "firm_name_column", "inactive_in_english", "is_total_or_note", "profiles",
    "text_profiles",
]

#: Columns a chunk's profile table has beyond :data:`CANONICAL_COLUMNS`.
PROFILE_EXTRA_COLUMNS = ("capital", "status", "kind")
#: Registration or operating status words of a firm that is not active.
INACTIVE_WORDS = ("注销", "吊销", "迁出", "停业", "清算", "撤销", "歇业", "责令关闭", "破产", "dissolved", "revoked", "deregistered")
_INACTIVE_EN = {"注销": "deregistered", "吊销": "licence revoked", "迁出": "moved away", "停业": "suspended", "清算": "in liquidation",
                "撤销": "registration cancelled", "歇业": "closed", "责令关闭": "ordered closed", "破产": "bankrupt"}
_JOINED = frozenset({"description", "tags", "customers"})
_JOIN_SEP = "；"
_NUMERIC = ("employees", "revenue", "founded", "patents", "capital")
_TOTAL = re.compile(r"^\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|总\s*数|total|subtotal|grand total|sum)\s*[:：]?\s*$", re.I)
_NOTE = re.compile(r"^\s*(?:注[:：\s]|注\s*[0-9①-⑩]|※|\*|说明|备注|数据来源|来源[:：]|资料来源|note[s:]|source[:\s]|"
                   r"导出时间|数据截止|更新时间)", re.I)
_SPACES = re.compile(r"\s+")
#: Either of the two (a first look, before the rule that tells them apart).
_TOTAL_OR_NOTE = re.compile(f"{_TOTAL.pattern}|{_NOTE.pattern}", re.I)
_INACTIVE = re.compile("|".join(INACTIVE_WORDS), re.I)
_FOREIGN = re.compile(r"外商|外资|外国|中外合资|中外合作|外商独资|foreign", re.I)
_HMT = re.compile(r"港澳台|港、澳、台|台港澳|香港|澳门|台湾|台商|港商")
_SIZE_CLASS = {"大型": "1000", "中型": "300", "小型": "50", "微型": "10", "large": "1000", "medium": "300", "small": "50",
               "micro": "10"}
#: The characters ``\s`` matches (``str.isspace``), listed: a firm name's spaces of every width.
_WHITESPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
#: What a firm's name key drops: a company-form ending, 集团, brackets, punctuation and spaces. Every alternative opens
#: with one literal character, so the scanner passes over the others in C (1.45x faster on 1M names than classes).
_NAME_FORMS = re.compile("|".join(["股份有限公司$", "有限责任公司$", "有限公司$", "责任公司$", "公司$", "集团",
                                   *map(re.escape, "()[]【】〔〕{}·・.,、-—_'\"" + _WHITESPACE)]))


def inactive_in_english(status: str) -> str:
    """What a registration status that marks a firm not active says, in English (``吊销，未注销``
    → ``licence revoked``); ``""`` when it names no known word."""
    found = _INACTIVE.search(status)
    return _INACTIVE_EN.get(found.group(0), found.group(0)) if found else ""


def is_total_or_note(cell: str) -> bool:
    """A cell that makes its row a total (合计, 小计 …) or a note (注：, 数据来源 …)."""
    return bool(_TOTAL.match(cell) or _NOTE.match(cell))


def _strip(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [v.strip() for v in values]
    return out


def _normalise_number(field: str, text: np.ndarray, unit: float) -> tuple[np.ndarray, int]:
    """Numbers written as officers write them → the values the profile stage reads; unreadable
    values counted.

    The values come back as floats (NaN where blank or a missing word) when every one was read,
    so the profile stage does not parse them again. Otherwise (a value that cannot be read, or a
    headcount range such as ``50-99人``, whose ends the profile stage keeps) they come back as
    text: plain numbers as text, the rest as written, for the profile stage to read or name.
    """
    plain = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(dtype=np.float64, copy=True)
    if field in ("revenue", "capital") and unit != 1e4:
        plain = plain * unit / 1e4
    as_written: list[int] = []  # rows the profile stage must read as written
    if field == "founded":  # a bare number from 10000 on: an Excel serial date
        for i in np.flatnonzero(~np.isnan(plain) & (plain >= 10_000)).tolist():
            year = parse_year(text[i])
            if year is None:
                as_written.append(i)
            else:
                plain[i] = year
    unreadable = 0
    read: dict[str, float | str | None] = {}  # vendor columns repeat a few words (少于50人, 50-99人 …)
    for i in np.flatnonzero(np.isnan(plain) & (text != "")).tolist():
        raw = text[i]
        if raw not in read:
            read[raw] = np.nan if is_missing(raw) else _read_number(raw, field, unit)
        value = read[raw]
        if isinstance(value, float):
            plain[i] = value
        else:
            unreadable += value is None
            as_written.append(i)
    if not as_written:
        return plain, 0
    out = _as_text(plain)
    out[as_written] = text[as_written]
    return out, unreadable


def _read_number(raw: str, field: str, unit: float) -> float | str | None:
    """One value as written → the number the profile stage reads (None: unreadable). A headcount
    range stays as written (``50-99人``): the profile keeps its ends."""
    value: float | None
    if field in ("revenue", "capital"):
        value = parse_money(raw, unit=unit)
    elif field == "employees":
        headcount = parse_headcount(raw)
        if headcount is None:
            return None
        return raw if headcount.is_range else float(headcount.value)
    elif field == "founded":
        year = parse_year(raw)
        value = None if year is None else float(year)
    else:
        value = parse_count(raw)
    return None if value is None else round(value, 6)


def _first(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Each row's first value present among ``parts`` (columns in file order): text, or floats
    when every part is a column of numbers read (:func:`_normalise_number`)."""
    if not parts:
        return np.full(n, "", dtype=object)
    if all(part.dtype.kind == "f" for part in parts):
        value = parts[0]
        for part in parts[1:]:
            value = np.where(np.isnan(value), part, value)
        return value
    parts = [_as_text(part) for part in parts]
    value = parts[0]
    for part in parts[1:]:
        value = np.where(value != "", value, part)
    return value


def _as_text(values: np.ndarray) -> np.ndarray:
    """A column of numbers read → their text ("" for NaN, a whole number without ".0", as officers
    write it); text as it is."""
    if values.dtype.kind != "f":
        return values
    out = np.empty(len(values), dtype=object)
    out[:] = ["" if v != v else str(int(v)) if v.is_integer() else str(v) for v in values.tolist()]
    return out


def text_profiles(frame: pd.DataFrame) -> pd.DataFrame:
    """A profile table (:func:`profiles`) with every column as text: the numeric fields whose values
    were all read, as their text, so that tables of several chunks join into columns of one kind."""
    typed = {column: _as_text(frame[column].to_numpy()) for column in frame.columns if frame[column].dtype.kind == "f"}
    return frame.assign(**typed) if typed else frame


def _kind(raw: pd.DataFrame, name: np.ndarray, status: np.ndarray) -> np.ndarray:
    kind = np.full(len(raw), "", dtype=object)
    if status.size and (status != "").any():
        inactive = np.array([bool(s) and _INACTIVE.search(s) is not None for s in status.tolist()], dtype=bool)
        kind[inactive] = "inactive"
    blank = _blank_rows(raw)
    kind[blank] = "blank"
    # a total or a note sits in the name cell or the first cell: look only where that cell is
    # not an ordinary firm name (short, or starting with a note word)
    first = _strip(raw.iloc[:, 0].tolist()) if raw.shape[1] else name
    hit = _TOTAL_OR_NOTE.match
    candidates = [i for i, (a, b, empty) in enumerate(zip(name.tolist(), first.tolist(), blank.tolist(), strict=True))
                  if not empty and ((a and hit(a)) or (b and b != a and hit(b)))]
    for i in candidates:
        for cell in (name[i], first[i]):
            if cell and (_TOTAL.match(cell) or (_NOTE.match(cell) and not name[i].endswith(("公司", "厂", "集团")))):
                kind[i] = "total" if _TOTAL.match(cell) else "note"
                break
    # a row whose only cells are a note (数据来源：企查查) with no firm name is a note too
    notes = np.flatnonzero((kind == "") & (name == ""))
    for i in notes.tolist():
        cells = [c for c in raw.iloc[i].tolist() if c.strip()]
        if len(cells) <= 2 and any(_NOTE.match(c) or _TOTAL.match(c) for c in cells):
            kind[i] = "note"
    return kind


def _blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or whitespace. Each column is looked at only in the rows
    still blank after the columns before it, so most rows cost one cell."""
    blank = np.ones(len(raw), dtype=bool)
    for column in raw.columns:
        rows = np.flatnonzero(blank)
        if not rows.size:
            break
        values = raw[column].to_numpy(dtype=object)[rows]
        blank[rows] = [not v.strip() for v in values.tolist()]
    return blank


def _hints(company_type: np.ndarray, listing: np.ndarray) -> np.ndarray:
    hints = np.full(len(company_type), "", dtype=object)
    for i in np.flatnonzero((company_type != "") | (listing != "")).tolist():
        words = []
        if _HMT.search(company_type[i]):
            words.append("港澳台资")
        elif _FOREIGN.search(company_type[i]):
            words.append("外资")
        if listing[i] and re.search(r"上市|listed", listing[i], re.I) and not re.search(r"未上市|非上市|not listed|unlisted|退市", listing[i], re.I):
            words.append("上市")
        hints[i] = _JOIN_SEP.join(words)
    return hints


def profiles(raw: pd.DataFrame, sources: Mapping[str, list[str]], units: Mapping[str, float]) -> pd.DataFrame:
    """A chunk's profile table: :data:`CANONICAL_COLUMNS` and :data:`PROFILE_EXTRA_COLUMNS`, as
    text, but a numeric field whose values were all read as floats (NaN where blank), which the
    profile stage takes as they are.

    ``sources`` maps each field to its input columns in file order; ``units`` the yuan per unit
    of money columns. ``frame.attrs["unreadable"]`` holds, per input column, how many of its
    values could not be read.
    """
    n = len(raw)
    unreadable: dict[str, int] = {}
    column_text: dict[str, np.ndarray] = {}

    def text(column: str) -> np.ndarray:
        if column not in column_text:
            column_text[column] = _strip(raw[column].tolist())
        return column_text[column]

    out: dict[str, np.ndarray] = {}
    for field in (*CANONICAL_COLUMNS, "capital"):
        parts = []
        for column in sources.get(field, ()):
            values = text(column)
            if field in _NUMERIC:
                values, bad = _normalise_number(field, values, units.get(column, 1e4))
                if bad:
                    unreadable[column] = unreadable.get(column, 0) + bad
            parts.append(values)
        if field in _JOINED and len(parts) > 1:
            value = parts[0]
            for part in parts[1:]:
                value = np.where((value != "") & (part != ""), value + _JOIN_SEP + part, value + part)
            out[field] = value
        else:
            out[field] = _first(parts, n)
    for field in ("city", "industry_code"):  # "-" or 暂无 is no city or code: look for one in other columns
        out[field] = blank_missing(out[field])
    _derive_city(out, sources, text)
    _derive_industry(out, sources, text, unreadable)
    extra = lambda field: _first([text(c) for c in sources.get(field, ())], n)  # noqa: E731
    hints = _hints(extra("company_type"), extra("listing"))
    if (hints != "").any():
        tags = out["tags"]
        out["tags"] = np.where((tags != "") & (hints != ""), tags + _JOIN_SEP + hints, tags + hints)
    if sources.get("size_class"):
        size = np.array([_SIZE_CLASS.get(re.sub(r"企业$", "", s).lower(), "") for s in extra("size_class").tolist()], dtype=object)
        employees = out["employees"]
        if employees.dtype.kind == "f":
            size = np.array([float(s) if s else np.nan for s in size.tolist()])
            out["employees"] = np.where(np.isnan(employees), size, employees)
        else:
            out["employees"] = np.where(employees != "", employees, size)
    status = extra("status")
    out["status"] = status
    out["kind"] = _kind(raw, out["name"], status)
    # (text stays in object columns: the profile stage reads Python strings, and pandas' own
    # string columns would cost a conversion each way)
    frame = pd.DataFrame({name: pd.Series(values, index=raw.index, dtype=values.dtype, copy=False) for name, values in out.items()})
    frame.attrs["unreadable"] = unreadable
    return frame


def _derive_city(out: dict[str, np.ndarray], sources: Mapping[str, list[str]], text) -> None:
    columns = [c for field in ("district", "address", "province") for c in sources.get(field, ())]
    if not columns:
        return
    city = out["city"]
    for i in np.flatnonzero(city == "").tolist():
        for column in columns:
            value = text(column)[i]
            if value and not is_missing(value) and (found := city_of(value)):
                city[i] = found
                break
    out["city"] = city


def _derive_industry(out: dict[str, np.ndarray], sources: Mapping[str, list[str]], text, unreadable: dict[str, int]) -> None:
    columns = sources.get("industry_name", ())
    if not columns:
        return
    code = out["industry_code"].copy()
    for i in np.flatnonzero(code == "").tolist():
        found = ""
        for column in columns:
            value = text(column)[i]
            if not value or is_missing(value):
                continue
            mapped = industry_code_for_name(value)
            if mapped is None:
                unreadable[column] = unreadable.get(column, 0) + 1
            elif len(mapped) > len(found) or not found[:1].isdigit():
                found = mapped if mapped[:1].isdigit() or not found else found
        code[i] = found
    out["industry_code"] = code


def firm_name_column(columns: list[str]) -> str | None:
    """The first of ``columns`` that holds the firm name (by its header), or None."""
    return next((c for c in columns if field_of(str(c))[0] == "name"), None)


def _name_key(name: str) -> str:
    return _NAME_FORMS.sub("", unicodedata.normalize("NFKC", name).casefold())


def _code_key(code: str) -> str:
    return _SPACES.sub("", code).upper() if code and not is_missing_mark(code.strip()) else ""


class _Seen:
    """Keys met in earlier chunks and the row number of each one's first copy, kept as two
    64-bit hashes of the key (pandas' ``hash_array`` under two hash keys: 128 bits, so two
    distinct keys share both with a chance of about 10⁻²⁶ in a file of ten million rows) in
    arrays sorted by the first: 24 bytes a key, where a Python string and a dict entry took
    about 160 (160 MB for a million firms)."""

    _KEYS = ("recommender-dup1", "recommender-dup2")

    def __init__(self) -> None:
        self.hi = np.empty(0, dtype=np.uint64)
        self.lo = np.empty(0, dtype=np.uint64)
        self.row = np.empty(0, dtype=np.int64)

    @classmethod
    def _hashes(cls, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        values = np.array(keys, dtype=object)
        hi, lo = (pd.util.hash_array(values, hash_key=k, categorize=False) for k in cls._KEYS)
        return hi, lo

    def find(self, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """Per key (given by its two hashes, :meth:`_hashes`), the row of its first copy in an
        earlier chunk, 0 for none."""
        found = np.zeros(len(hi), dtype=np.int64)
        if not len(hi) or not self.hi.size:
            return found
        size = self.hi.size
        # looked up in sorted order: each search starts where the last ended (6x faster than in the keys' order)
        order = np.argsort(hi)
        left = np.empty(len(hi), dtype=np.intp)
        left[order] = np.searchsorted(self.hi, hi[order], side="left")
        at = np.minimum(left, size - 1)
        present = (left < size) & (self.hi[at] == hi)
        # (a first hash kept more than once: two keys whose first hashes agree, compared by the second)
        several = present & (left + 1 < size) & (self.hi[np.minimum(left + 1, size - 1)] == hi)
        hit = np.flatnonzero(present & ~several & (self.lo[at] == lo))
        found[hit] = self.row[left[hit]]
        for i in np.flatnonzero(several).tolist():
            right = int(np.searchsorted(self.hi, hi[i], side="right"))
            same = np.flatnonzero(self.lo[left[i]:right] == lo[i])
            found[i] = self.row[left[i] + same[0]] if same.size else 0
        return found

    def add(self, hi: np.ndarray, lo: np.ndarray, rows: np.ndarray) -> None:
        """Keep keys met for the first time (by their hashes), with the row of each one's first copy."""
        if not len(hi):
            return
        order = np.argsort(hi, kind="stable")
        at = np.searchsorted(self.hi, hi[order], side="right")
        self.hi = np.insert(self.hi, at, hi[order])
        self.lo = np.insert(self.lo, at, lo[order])
        self.row = np.insert(self.row, at, rows[order])


class _ChunkKeys(NamedTuple):
    """A chunk's keys of one kind (names or credit codes): as text, as the two hashes :class:`_Seen`
    keeps, whether each is filled (not ``""``), and whether another row of the chunk may share it."""

    text: list[str]
    hi: np.ndarray
    lo: np.ndarray
    filled: np.ndarray
    shared: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, key: Callable[[str], str]) -> _ChunkKeys:
        """The keys ``key`` makes of ``values``."""
        text = [key(v) for v in values.tolist()]
        hi, lo = _Seen._hashes(text)
        filled = np.array(text, dtype=object).astype(bool)
        shared = np.zeros(len(text), dtype=bool)
        at = np.flatnonzero(filled)
        # a first hash met twice: the same key, or (rarely) two keys told apart as text in Duplicates.mark
        shared[at] = pd.Series(hi[at]).duplicated(keep=False).to_numpy()
        return cls(text, hi, lo, filled, shared)

    @classmethod
    def blank(cls, n: int) -> _ChunkKeys:
        """``n`` rows without a key (a file with no credit-code column)."""
        zeros, none = np.zeros(n, dtype=np.uint64), np.zeros(n, dtype=bool)
        return cls([""] * n, zeros, zeros, none, none)

    def first_rows(self, seen: _Seen) -> np.ndarray:
        """Per key, the row of its first copy among ``seen`` (an earlier chunk's keys), 0 for none
        or for no key."""
        if not self.filled.any():
            return np.zeros(len(self.text), dtype=np.int64)
        return np.where(self.filled, seen.find(self.hi, self.lo), 0)


class Duplicates:
    """Later copies of a firm across a file's chunks: the same credit code or normalised name.

    :meth:`mark` returns, per row, the row number of the first copy (0 for a first copy or a row
    that is not a firm). Names are compared after NFKC (full/half width), case folding, removing
    spaces, brackets and punctuation, and the company-form endings 有限公司, 股份有限公司,
    有限责任公司 and (集团). A chunk's rows are compared with each other as text and with the
    earlier chunks' through :class:`_Seen`.
    """

    def __init__(self) -> None:
        self._codes = _Seen()
        self._names = _Seen()

    @staticmethod
    def keys(name: str, code: str) -> tuple[str, str]:
        """The normalised name and credit code that :meth:`mark` compares (``""``: none)."""
        return _name_key(name), _code_key(code)

    def mark(self, names: np.ndarray, codes: np.ndarray | None, kinds: np.ndarray, row_numbers: np.ndarray) -> np.ndarray:
        out = np.zeros(len(names), dtype=np.int64)
        firms = np.flatnonzero(names.astype(bool) & ~np.isin(kinds, ("blank", "total", "note")))
        if not len(firms):
            return out
        # each key hashed once: looked up among the earlier chunks', then kept if new
        name_keys = _ChunkKeys.of(names[firms], _name_key)
        code_keys = _ChunkKeys.of(codes[firms], _code_key) if codes is not None else _ChunkKeys.blank(len(firms))
        name_seen, code_seen = name_keys.first_rows(self._names), code_keys.first_rows(self._codes)
        # a row whose keys no other row of the chunk has: its first copy is in an earlier chunk, or it is one
        first = np.where(code_seen > 0, code_seen, name_seen)
        # rows sharing a key within the chunk are compared in order, as text: a copy's keys are not kept
        chunk_codes: dict[str, int] = {}
        chunk_names: dict[str, int] = {}
        rows = row_numbers[firms]
        for j in np.flatnonzero(name_keys.shared | code_keys.shared).tolist():
            key, code, row = name_keys.text[j], code_keys.text[j], int(rows[j])
            # a key is either in an earlier chunk or in this one, never both
            found = ((chunk_codes.get(code) or int(code_seen[j])) if code else 0) or (key and (int(name_seen[j]) or chunk_names.get(key)))
            first[j] = found or 0
            if found:
                continue
            if code:
                chunk_codes[code] = row
            if key:
                chunk_names[key] = row
        new = first == 0
        for seen, keys in ((self._names, name_keys), (self._codes, code_keys)):
            kept = new & keys.filled
            seen.add(keys.hi[kept], keys.lo[kept], rows[kept])
        out[firms] = first
        return out
