"""Training history: the firms a bureau courted, when it first contacted them, and the outcome.

A history is a CSV/XLSX table read by :func:`recommender.tables.open_table`: the usual profile
columns (企业名称, 主营业务, 所在城市, …), plus

==============  ===============================================================================
column          accepted headers (case, width and spaces ignored)
==============  ===============================================================================
contact date    首次接触日期, 首次接触时间, 接触日期, 首次接洽日期, contact_date, contact date,
                first_contact, first contact, date
outcome         结果, 招商结果, 落地情况, 状态, outcome, result, status
==============  ===============================================================================

Dates: ``2023-05-01``, ``2023/5/1``, ``2023.5.1``, ``2023年5月1日``, ``20230501`` (a time after
the date is ignored). Outcomes, and the label each gets:

* **positive (1)**: 落地 / 已落地 / landed, and 签约 / 已签约 / signed. A signed firm has
  committed; whether it has already broken ground depends mostly on when it was contacted,
  so counting it as negative would teach the model that recent contacts fail.
* **negative (0)**: 未落地 / 未签约 / 流失 / 放弃 / lost.

Nothing is guessed: a blank or unknown outcome and a blank or unparsable date are errors.
The whole file is checked first and every problem is reported at once in one
:class:`~recommender.exceptions.ModelError`, naming the data rows (1-based, the header not
counted; in a file without blank lines data row *n* is on line *n + 1*).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import ModelError
from ..tables._io import open_table

__all__ = ["DATE_HEADERS", "NEGATIVE_OUTCOMES", "OUTCOME_HEADERS", "POSITIVE_OUTCOMES", "History", "read_history"]

#: Headers accepted for the first-contact date, in order of preference.
DATE_HEADERS = ("首次接触日期", "首次接触时间", "接触日期", "首次接洽日期", "contact_date", "contact date", "first_contact", "first contact", "date")
#: Headers accepted for the outcome, in order of preference.
OUTCOME_HEADERS = ("结果", "招商结果", "落地情况", "状态", "outcome", "result", "status")
#: Outcome words counted as landing (label 1) → their canonical English name.
POSITIVE_OUTCOMES = {"落地": "landed", "已落地": "landed", "landed": "landed", "签约": "signed", "已签约": "signed", "signed": "signed"}
#: Outcome words counted as not landing (label 0).
NEGATIVE_OUTCOMES = {"未落地": "lost", "未签约": "lost", "流失": "lost", "放弃": "lost", "lost": "lost"}

_OUTCOMES = {**POSITIVE_OUTCOMES, **NEGATIVE_OUTCOMES}
_SHOWN_ROWS = 20
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class History:
    """A validated history, one row per courted firm, in file order.

    Attributes
    ----------
    path : str
    sha256 : str
        Digest of the file's bytes (recorded with a model trained on it).
    profiles : DataFrame, shape (n, 11)
        Canonical text profile columns (``recommender.tables.CANONICAL_COLUMNS``).
    contact_date : ndarray of datetime64[D], shape (n,)
    outcome : ndarray of str, shape (n,)
        "landed", "signed" or "lost".
    label : ndarray of int, shape (n,)
        1 for landed or signed, 0 for lost.
    rows : ndarray of int, shape (n,)
        1-based data-row numbers.
    """

    path: str
    sha256: str
    profiles: pd.DataFrame
    contact_date: np.ndarray
    outcome: np.ndarray
    label: np.ndarray
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.label)

    @property
    def period(self) -> tuple[str, str]:
        """First and last contact dates, ISO format."""
        return str(self.contact_date.min()), str(self.contact_date.max())


def _key(header: str) -> str:
    return re.sub(r"[\s_]+", " ", unicodedata.normalize("NFKC", header).replace("\ufeff", "").casefold()).strip()


def _find_column(columns: tuple[str, ...], accepted: tuple[str, ...]) -> str | None:
    keys = {_key(c): c for c in reversed(columns)}
    for header in accepted:
        if _key(header) in keys:
            return keys[_key(header)]
    return None


def _parse_date(text: str) -> np.datetime64 | None:
    text = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        return None
    year, month, day = map(int, match.groups())
    if not 1900 <= year <= 2100:
        return None
    try:
        return np.datetime64(pd.Timestamp(year=year, month=month, day=day).date(), "D")
    except ValueError:
        return None


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:_SHOWN_ROWS]))
    return shown + (f" … ({len(rows)} rows in all)" if len(rows) > _SHOWN_ROWS else "")


def read_history(path: str | Path, *, max_rows: int | None = None, chunk_rows: int = 50_000) -> History:
    """Read and check a history file.

    Parameters
    ----------
    path : str or Path
        A CSV or XLSX table (see the module docstring for the columns).
    max_rows : int, optional
        Refuse files with more data rows.

    Returns
    -------
    History

    Raises
    ------
    ModelError
        No contact-date or outcome column; blank or unknown outcomes; blank or unparsable
        dates (all named with their data rows); or a single outcome class.
    InputFileError, EncodingError
        The file cannot be read (from :func:`recommender.tables.open_table`).
    """
    table = open_table(path, max_rows=max_rows, chunk_rows=chunk_rows)
    date_col = _find_column(table.columns, DATE_HEADERS)
    outcome_col = _find_column(table.columns, OUTCOME_HEADERS)
    missing = []
    if outcome_col is None:
        missing.append(f"no outcome column; the header needs one of {', '.join(OUTCOME_HEADERS)}")
    if date_col is None:
        missing.append(f"no first-contact date column; the header needs one of {', '.join(DATE_HEADERS)}")
    if missing:
        raise ModelError(f"{path}: " + "; ".join(missing) + f" (found: {', '.join(table.columns)})")

    profiles: list[pd.DataFrame] = []
    dates: list[np.datetime64] = []
    outcomes: list[str] = []
    rows: list[int] = []
    unknown: dict[str, list[int]] = {}
    blank_outcome: list[int] = []
    bad_dates: dict[str, list[int]] = {}
    blank_date: list[int] = []
    for chunk in table.chunks():
        profiles.append(chunk.profiles)
        for index, raw_outcome, raw_date in zip(chunk.raw.index, chunk.raw[outcome_col], chunk.raw[date_col], strict=True):
            row = int(index) + 1
            rows.append(row)
            word = unicodedata.normalize("NFKC", raw_outcome).strip()
            outcome = _OUTCOMES.get(word.casefold() if word.isascii() else word)
            if not word:
                blank_outcome.append(row)
            elif outcome is None:
                unknown.setdefault(word[:30], []).append(row)
            outcomes.append(outcome or "")
            date = _parse_date(raw_date)
            if not raw_date.strip():
                blank_date.append(row)
            elif date is None:
                bad_dates.setdefault(raw_date.strip()[:30], []).append(row)
            dates.append(date if date is not None else np.datetime64("NaT", "D"))

    problems = []
    if blank_outcome:
        problems.append(f"column {outcome_col!r}: blank outcome in data rows {_rows_text(blank_outcome)}")
    for word, where in unknown.items():
        problems.append(
            f"column {outcome_col!r}: unknown outcome {word!r} in data rows {_rows_text(where)}; "
            f"expected one of {', '.join(POSITIVE_OUTCOMES)} (landed, counted 1) or {', '.join(NEGATIVE_OUTCOMES)} (not landed, counted 0)"
        )
    if blank_date:
        problems.append(f"column {date_col!r}: blank date in data rows {_rows_text(blank_date)}")
    for text, where in bad_dates.items():
        problems.append(f"column {date_col!r}: unparsable date {text!r} in data rows {_rows_text(where)}; expected e.g. 2023-05-01 or 2023年5月1日")
    if problems:
        raise ModelError(f"{path}: {len(problems)} problem(s) in the history:\n" + "\n".join("  " + p for p in problems))
    if not rows:
        raise ModelError(f"{path}: the history has no data rows")

    outcome_words = np.array(outcomes, dtype=object)
    label = np.isin(outcome_words, ("landed", "signed")).astype(np.int64)
    if label.min() == label.max():
        kind = "landed or signed" if label[0] else "lost"
        raise ModelError(
            f"{path}: every one of the {len(label)} firms was {kind}; a landing model needs both "
            f"firms that landed (落地/签约) and firms that did not (未落地)"
        )
    with Path(path).open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return History(
        path=str(path),
        sha256=digest,
        profiles=pd.concat(profiles).reset_index(drop=True),
        contact_date=np.array(dates, dtype="datetime64[D]"),
        outcome=outcome_words.astype(str),
        label=label,
        rows=np.array(rows, dtype=np.int64),
    )
