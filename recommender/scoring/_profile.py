"""Firm profiles: canonical fields, parsed and checked, one row per firm.

Input tables arrive as text. :func:`prepare_profiles` turns their canonical columns into the
declared :data:`PROFILE_COLUMNS`: numbers parsed (``约300``, ``300-500``, ``1,200``, ``1.2万``),
blanks marked missing, unparsable values and a missing name written to ``errors`` (in
Chinese, with English after ``/``). Nothing is dropped: a bad row keeps its place and is
ranked last by the ranking stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._columnar import as_list, n_rows
from ..exceptions import ProfileError

__all__ = [
    "FIELDS", "NUMERIC_BOUNDS", "NUMERIC_FIELDS", "PROFILE_COLUMNS", "TEXT_FIELDS", "prepare_profiles", "profile_columns", "profile_frame",
    "profile_records",
]

#: Canonical text fields of a firm profile.
TEXT_FIELDS = ("name", "description", "city", "country", "industry_code", "tags", "customers")
#: Canonical numeric fields: employees (人), revenue (万元), founded (year), patents (件).
NUMERIC_FIELDS = ("employees", "revenue", "founded", "patents")
#: The plausible range of each numeric field; a value outside is a row error (files) or a 422 (the service).
NUMERIC_BOUNDS: dict[str, tuple[float, float]] = {"employees": (0, 5_000_000), "revenue": (0, 1e10), "founded": (1800, 2100), "patents": (0, 1_000_000)}
#: Every canonical field, in the order of the input contract.
FIELDS = ("name", "description", "city", "country", "industry_code", "employees", "revenue", "founded", "tags", "customers", "patents")
#: Columns of a prepared profile table.
PROFILE_COLUMNS = (*TEXT_FIELDS, *NUMERIC_FIELDS, "errors")

_FIELD_ZH = {"name": "企业名称", "employees": "员工人数", "revenue": "营业收入", "founded": "成立年份", "patents": "专利数"}
_UNKNOWN = {"不详", "未知", "暂无", "无数据", "n/a", "na", "none", "unknown", "-", "—", "--", "/"}
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


_MESSY = re.compile(
    r"^(?:约|近|超过|逾|大约|大概|about|approx\.?|~)?\s*(\d+(?:\.\d+)?)\s*(万)?"
    r"(?:\s*(?:-|~|～|至|到|to)\s*(\d+(?:\.\d+)?)\s*(万)?)?"
    r"\s*(?:人|名|家|件|个|项|年|万元|元|以上|左右|余|多|\+|people|employees)*$",
    re.IGNORECASE,
)


def _parse_messy(value: str) -> float | None:
    """``约300`` → 300, ``300-500`` → 400, ``1.2万`` → 12000, ``1,200`` → 1200; else None."""
    match = _MESSY.match(value.replace(",", "").replace("，", "").strip())
    if match is None:
        return None
    low, low_wan, high, high_wan = match.groups()
    numbers = [float(low) * (10_000 if low_wan else 1)]
    if high is not None:
        numbers.append(float(high) * (10_000 if high_wan else 1))
    return float(np.mean(numbers))


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


def _parse_numbers(column: Sequence, field: str) -> tuple[np.ndarray, list[str]]:
    """Parse one numeric column; return values (NaN where missing or bad) and per-row errors."""
    text = _text(column)
    values = _to_float(text)
    errors = [""] * len(text)
    bad = np.flatnonzero(np.isnan(values) & (text != ""))
    low, high = NUMERIC_BOUNDS[field]
    for i in bad:
        raw = text[i]
        if raw.lower() in _UNKNOWN:
            continue
        parsed = _parse_messy(raw)
        if parsed is None:
            errors[i] = f"{_FIELD_ZH[field]}无法解析为数字：{raw[:30]!r} / {field}: not a number"
        else:
            values[i] = parsed
    out_of_range = np.flatnonzero(~np.isnan(values) & ((values < low) | (values > high)))
    for i in out_of_range:
        errors[i] = f"{_FIELD_ZH[field]}超出合理范围：{text[i][:30]!r} / {field}: out of range"
        values[i] = np.nan
    return values, errors


def _text(column: Sequence) -> np.ndarray:
    """Stripped text per row ("" for a missing value), as an object array."""
    values = as_list(column)
    text = np.empty(len(values), dtype=object)
    text[:] = ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v).strip() for v in values]
    return text


def prepare_profiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical text columns → a profile table with :data:`PROFILE_COLUMNS`.

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


def profile_columns(frame: pd.DataFrame | Mapping[str, Sequence]) -> dict[str, np.ndarray]:
    """:func:`prepare_profiles` as a dict of equal-length arrays (``PROFILE_COLUMNS``).

    ``frame`` is a DataFrame or a mapping of field → equal-length sequences (e.g.
    :func:`profile_records`); the columnar form costs nothing per call, for one firm at a time.
    """
    n = n_rows(frame)
    out: dict[str, object] = {}
    for field in TEXT_FIELDS:
        if field in frame:
            out[field] = _text(frame[field])
        else:
            out[field] = np.full(n, "", dtype=object)
    row_errors: list[list[str]] = [[] for _ in range(n)]
    for i in np.flatnonzero(out["name"] == ""):
        row_errors[i].append("缺少企业名称 / name: missing")
    for field in NUMERIC_FIELDS:
        if field in frame:
            values, errors = _parse_numbers(frame[field], field)
            for i, err in enumerate(errors):
                if err:
                    row_errors[i].append(err)
        else:
            values = np.full(n, np.nan)
        out[field] = values
    errors = np.empty(n, dtype=object)
    errors[:] = ["；".join(e) for e in row_errors]
    out["errors"] = errors
    return {name: out[name] for name in PROFILE_COLUMNS}


def profile_frame(profile: Mapping[str, object]) -> pd.DataFrame:
    """One profile given as a mapping (JSON) → a one-row text frame of canonical fields.

    Raises
    ------
    ProfileError
        For an unknown field or a value that is not text or a number.
    """
    return pd.DataFrame(profile_records([profile]), dtype=object)


def profile_records(profiles: Sequence[Mapping[str, object]]) -> dict[str, list[str]]:
    """Profiles given as mappings (JSON) → canonical text columns, one item per profile.

    Raises
    ------
    ProfileError
        For an unknown field or a value that is not text or a number.
    """
    rows = [_profile_row(profile) for profile in profiles]
    return {field: [row.get(field, "") for row in rows] for field in FIELDS}


def _profile_row(profile: Mapping[str, object]) -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in profile.items():
        if key not in FIELDS:
            raise ProfileError(key, f"unknown field; expected one of {list(FIELDS)}")
        if value is None:
            row[key] = ""
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            row[key] = "；".join(value)
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProfileError(key, f"must be text or a number, got {type(value).__name__}")
        else:
            row[key] = str(value)
    return row
