"""Firm profiles: canonical fields, parsed and checked, one row per firm.

Input tables arrive as text. :func:`_prepare_profiles` turns their canonical columns into the
declared :data:`_PROFILE_COLUMNS`: numbers parsed as officers write them (``约300``, ``300-500``,
``1.2万``, money such as ``1.2亿元`` or ``800万美元`` in 万元, headcounts such as ``少于50人``, dates of
any form → the year; :mod:`recommender.tables._values`), blanks and ``-``/``暂无``/``未公开`` marked
missing; an optional ``capital`` (注册资本, 万元) stands in for a missing revenue as the size signal.
A headcount written as a range keeps its ends (:data:`RANGE_COLUMNS`) next to the number used
(``50-99人``: 75, from 50 to 99), so the reasons can say both.
The same marks in a text field (a city of ``-``, a description of ``暂无``) are blanks too.
An unreadable value counts as missing and is named in ``errors`` (in Chinese, with English after
``/``), as is a missing name. Nothing is dropped: the ranking stage ranks a row with an unreadable
value on what is known, and holds back (ranks last) only a row without a name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._columnar import Column, Columns, as_list, n_rows
from ..exceptions import ProfileError
from ..tables._values import blank_missing, is_missing, parse_count, parse_headcount, parse_money, parse_year

__all__ = [
    "FIELDS", "NUMERIC_BOUNDS", "NUMERIC_FIELDS", "RANGE_COLUMNS", "profile_columns",
    "profile_records",
]

#: Canonical text fields of a firm profile.
_TEXT_FIELDS = ("name", "description", "city", "country", "industry_code", "tags", "customers")
#: Canonical numeric fields: employees (人), revenue (万元), founded (year), patents (件).
NUMERIC_FIELDS = ("employees", "revenue", "founded", "patents")
#: The plausible range of each numeric field; a value outside is a row error (files) or a 422 (the service).
NUMERIC_BOUNDS: dict[str, tuple[float, float]] = {"employees": (0, 5_000_000), "revenue": (0, 1e10), "founded": (1800, 2100), "patents": (0, 1_000_000)}
#: Every canonical field, in the order of the input contract.
FIELDS = ("name", "description", "city", "country", "industry_code", "employees", "revenue", "founded", "tags", "customers", "patents")
_FIELD_SET = frozenset(FIELDS)
#: The ends of a headcount written as a range (``50-99人``: 50 and 99; ``少于50人``: 0 and 49;
#: ``大于10000人``: 10,000 and NaN, open above), beside ``employees``, the number used (the range's
#: middle to a whole person, or its floor when open); both NaN for a single number or a blank.
RANGE_COLUMNS = ("employees_low", "employees_high")
#: Columns of a prepared profile table.
_PROFILE_COLUMNS = (*_TEXT_FIELDS, *NUMERIC_FIELDS, *RANGE_COLUMNS, "errors")

_FIELD_ZH = {"name": "企业名称", "employees": "员工人数", "revenue": "营业收入", "founded": "成立年份", "patents": "专利数",
             "capital": "注册资本"}
_BOUNDS = {**NUMERIC_BOUNDS, "capital": (0, 1e10)}


def _parse_value(value: str, field: str) -> float | tuple[float, float, float] | None:
    """One value as officers write it (:mod:`recommender.tables._values`): money in 万元, headcount
    ranges (the number used and the range's ends, NaN for an open end), dates → year, counts;
    None when unreadable."""
    if field in ("revenue", "capital"):
        return parse_money(value)
    if field == "employees":
        headcount = parse_headcount(value)
        if headcount is None:
            return None
        if not headcount.is_range:
            return headcount.value
        return headcount.value, headcount.low, np.nan if headcount.high is None else headcount.high
    if field == "founded":
        year = parse_year(value)
        return None if year is None else float(year)
    return parse_count(value)


def _to_float(text: np.ndarray) -> np.ndarray:
    """Plain numbers parsed, NaN elsewhere.

    Long columns go through pandas' parser; a few values (one posted profile) through
    ``float``, restricted to what pandas accepts (ASCII, no ``_`` separators), since pandas
    costs a fixed ~0.1 ms per call.
    """
    if len(text) > 64:
        return pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(dtype=np.float64, copy=True)
    values = np.full(len(text), np.nan)
    for i, raw in enumerate(text.tolist()):
        if raw.isascii() and "_" not in raw:
            try:
                values[i] = float(raw)
            except ValueError:
                pass
    return values


def _parse_numbers(column: Column, field: str) -> tuple[np.ndarray, dict[int, str], np.ndarray | None]:
    """Parse one numeric column; return values (NaN where missing or bad), the errors by row and,
    for ``employees``, the ends of ranges (shape (rows, 2), NaN where none; else None).

    A column of numbers (the tables stage's columns whose values it read, or a frame's numeric
    dtype) is taken as it is and only checked against the field's bounds; text is read.
    """
    numbers = _numbers(column)
    if numbers is not None and not (field == "founded" and (numbers >= 10_000).any()):
        ends = np.full((len(numbers), 2), np.nan) if field == "employees" else None
        return _in_bounds(numbers, field, {}, ends, lambda i: str(numbers[i]))
    text = _text(column)
    values = _to_float(text)
    errors: dict[int, str] = {}
    ends = np.full((len(text), 2), np.nan) if field == "employees" else None
    if not any(text):  # every cell blank: nothing to read, check or report
        return values, errors, ends
    unread = np.isnan(values) & (text != "")
    if field == "founded":  # a bare number from 10000 on is an Excel serial date
        serial = values >= 10_000
        unread |= serial
        values[serial] = np.nan
    bad = unread.nonzero()[0]
    parsed_of: dict[str, float | tuple[float, float, float] | str | None] = {}  # vendor columns repeat a few words
    for i in bad.tolist():
        raw = text[i]
        if raw not in parsed_of:
            parsed_of[raw] = "missing" if is_missing(raw) else _parse_value(raw, field)
        parsed = parsed_of[raw]
        if parsed == "missing":
            continue
        if parsed is None:
            errors[i] = f"{_FIELD_ZH[field]}无法解析为数字：{raw[:30]!r} / {field}: not a number"
        elif isinstance(parsed, tuple):
            values[i] = parsed[0]
            ends[i] = parsed[1:]  # type: ignore[index]
        else:
            values[i] = parsed
    return _in_bounds(values, field, errors, ends, lambda i: text[i])


def _in_bounds(values: np.ndarray, field: str, errors: dict[int, str], ends: np.ndarray | None,
               written: Callable[[int], str]) -> tuple[np.ndarray, dict[int, str], np.ndarray | None]:
    """Values outside the field's bounds → NaN and an error quoting the value as written."""
    low, high = _BOUNDS[field]
    out_of_range = ((values < low) | (values > high)).nonzero()[0]  # NaN is neither
    for i in out_of_range.tolist():
        errors[i] = f"{_FIELD_ZH[field]}超出合理范围：{written(i)[:30]!r} / {field}: out of range"
        values[i] = np.nan
        if ends is not None:
            ends[i] = np.nan
    return values, errors, ends


def _numbers(column: Column) -> np.ndarray | None:
    """A column of numbers (float or integer dtype) as a fresh float array; None for any other."""
    dtype = getattr(column, "dtype", None)
    if dtype is None or dtype.kind not in "fiu":
        return None
    if isinstance(column, pd.Series):
        return column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    return np.array(column, dtype=np.float64)


def _text(column: Column) -> np.ndarray:
    """Stripped text per row ("" for a missing value), as an object array."""
    text = np.empty(len(column), dtype=object)
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.StringDtype):  # text or NaN: no per-value type checks
        text[:] = [v.strip() for v in column.fillna("").tolist()]
        return text
    values = as_list(column)
    text[:] = [v.strip() if type(v) is str else "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v).strip()
               for v in values]
    return text


def _prepare_profiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical text columns → a profile table with :data:`_PROFILE_COLUMNS`.

    Parameters
    ----------
    frame : DataFrame
        Any subset of :data:`FIELDS` as text columns; absent columns count as blank.

    Returns
    -------
    DataFrame with the same index; text fields as ``str`` ("" when blank), numeric fields as
    float (NaN when blank, unknown or bad), and ``errors``: "" or the row's problems joined
    by "；".
    """
    return pd.DataFrame(profile_columns(frame), index=frame.index)


def profile_columns(frame: pd.DataFrame | Columns) -> dict[str, np.ndarray]:
    """:func:`_prepare_profiles` as a dict of equal-length arrays (``_PROFILE_COLUMNS``).

    ``frame`` is a DataFrame or a mapping of field → equal-length sequences (e.g.
    :func:`profile_records`); the columnar form costs nothing per call, for one firm at a time.
    """
    n = n_rows(frame)
    out: dict[str, np.ndarray] = {}
    given = [field for field in _TEXT_FIELDS if field in frame]
    if given:  # a city of "-", a description of "暂无": missing (every text field in one pass: a fixed cost per call)
        texts = blank_missing(np.concatenate([_text(frame[field]) for field in given]))
        out.update(zip(given, (texts[k * n : (k + 1) * n] for k in range(len(given))), strict=True))
    for field in _TEXT_FIELDS:
        if field not in out:
            out[field] = np.full(n, "", dtype=object)
    # (rows with errors only, each row's in field order)
    row_errors: dict[int, list[str]] = {row: ["缺少企业名称 / name: missing"] for row in (out["name"] == "").nonzero()[0].tolist()}
    ends = None
    for field in NUMERIC_FIELDS:
        if field in frame:
            values, errors, field_ends = _parse_numbers(frame[field], field)
            ends = field_ends if field_ends is not None else ends
            for i, err in errors.items():
                row_errors.setdefault(i, []).append(err)
        else:
            values = np.full(n, np.nan)
        out[field] = values
    for k, name in enumerate(RANGE_COLUMNS):
        out[name] = ends[:, k].copy() if ends is not None else np.full(n, np.nan)
    if "capital" in frame:  # registered or paid-in capital: a size signal where revenue is missing
        capital, errors, _ = _parse_numbers(frame["capital"], "capital")
        revenue = out["revenue"]
        out["revenue"] = np.where(np.isnan(revenue), capital, revenue)
        for i, err in errors.items():
            row_errors.setdefault(i, []).append(err)
    joined = np.full(n, "", dtype=object)
    for i, errs in row_errors.items():
        joined[i] = "；".join(errs)
    out["errors"] = joined
    return {name: out[name] for name in _PROFILE_COLUMNS}


def profile_records(profiles: Sequence[Mapping[str, object]]) -> dict[str, list[str] | np.ndarray]:
    """Profiles given as mappings (JSON) → canonical columns, one item per profile: text, except
    a numeric field whose every value is a number within :data:`NUMERIC_BOUNDS` (or blank), which
    comes as floats (NaN for blank) and is read as it is, not written out and parsed again.

    Raises
    ------
    ProfileError
        For an unknown field or a value that is not text or a number.
    """
    rows = [_profile_row(profile) for profile in profiles]
    out: dict[str, list[str] | np.ndarray] = {}
    for field in FIELDS:
        values = [row.get(field, "") for row in rows]
        if field in NUMERIC_BOUNDS:
            low, high = NUMERIC_BOUNDS[field]
            if all(v == "" or (type(v) is not str and low <= v <= high) for v in values):  # (NaN is not within)
                out[field] = np.array([np.nan if v == "" else v for v in values], dtype=np.float64)
            else:  # text, as a file's cells: read, and each value outside its bounds reported as written
                out[field] = [v if type(v) is str else str(v) for v in values]
        else:
            out[field] = values
    return out


def _profile_row(profile: Mapping[str, object]) -> dict[str, Any]:
    """One profile's fields: text as ``str`` ("" for None), a number of a numeric field as it is."""
    row: dict[str, Any] = {}
    for key, value in profile.items():
        if key not in _FIELD_SET:
            raise ProfileError(key, f"unknown field; expected one of {list(FIELDS)}")
        if type(value) is str:  # the common case first
            row[key] = value
        elif value is None:
            row[key] = ""
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            row[key] = "；".join(value)
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProfileError(key, f"must be text or a number, got {type(value).__name__}")
        else:
            row[key] = value if key in NUMERIC_BOUNDS else str(value)
    return row
