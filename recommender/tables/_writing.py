"""Writing candidate tables: CSV and XLSX that are safe and easy to read in Excel.

:class:`TableWriter` streams to a temporary file beside the target and moves it into place only
on a clean close, so a failed run never leaves a truncated table. CSV is UTF-8 with a BOM, CRLF,
minimal quoting; text cells that Excel would run as formulas are neutralised (:func:`neutralise`)
and quoted. XLSX is written with XlsxWriter as strings, numbers and dates only (no formulas, no
hyperlinks): a bold, frozen header row with an autofilter, column widths fitted to the text,
wrapped long-text columns, number columns as numbers, cells that are not text (an XLSX input's
numbers, dates, times and booleans) as cells of their type, and text columns whose every value
reads as a plain number or every value as a date (``typed_columns``: a CSV input's columns) as
numbers or dates; rows beyond one sheet continue on ``Sheet2``, ``Sheet3``... with the header
repeated; :meth:`TableWriter.add_notes` adds a last sheet ``说明 Notes``.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InputFileError, OutputFileError
from . import _parquet
from ._output import check_output_path, output_errors
from ._values import is_missing
from ._vendor import is_total_or_note

__all__ = ["XLSX_MAX_ROWS", "TableWriter", "encode_csv_rows", "neutralise", "write_table"]

#: Data rows per worksheet when writing XLSX (Excel's 1,048,576 rows minus the header).
XLSX_MAX_ROWS = 1_048_575
NOTES_SHEET = "说明 Notes"

_WRITE_TYPES = (".csv", ".xlsx", ".parquet")
_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_SAFE_TEXT = re.compile(_NUMBER.pattern + "|-+")
_CSV_SCAN = re.compile(r'[",\r]|\n[=+\-@\t＝＋－＠]')
_WRITE_BATCH = 65_536
_XLSX_MAX_CHARS = 32_767
_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?")
_DATE_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "time": "hh:mm:ss"}
_MAX_WIDTH = 60
_WIDTH_SAMPLE = 2_000


# --- writing ---------------------------------------------------------------------------------

def neutralise(value: str) -> str:
    """Guard one text cell against formula injection when opened in a spreadsheet.

    A cell starting with ``=``, ``+``, ``-``, ``@``, tab, CR, LF or full-width ``＝＋－＠`` is
    prefixed with ``'``, unless it is a plain decimal number (``-5``, ``+86``, ``-3.2e4``) or
    only dashes (``-``, ``--``, the usual "no data" mark), which a spreadsheet cannot run.

    Parameters
    ----------
    value : str

    Returns
    -------
    str
        ``value`` or ``"'" + value``.
    """
    if value[:1] in _TRIGGERS and not _SAFE_TEXT.fullmatch(value):
        return "'" + value
    return value


def _text_cells(series: pd.Series) -> list[str]:
    if not isinstance(series.dtype, pd.StringDtype):
        series = series.astype(object).where(series.notna(), "").astype(str)
    return series.fillna("").tolist()


def _xlsx_cells(series: pd.Series) -> list[Any]:
    """One column's cells for XLSX: text as text, other values (numbers, dates, booleans of an
    XLSX input's cells) as they are; blanks (None, NaN, NA) as ``""``."""
    if series.dtype != object:
        return _text_cells(series)
    values = series.tolist()
    if all(type(v) is str for v in values):
        return values
    out: list[Any] = []
    for v in values:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out.append("")
        elif isinstance(v, np.generic):
            out.append(v.item())
        else:
            out.append(v)
    return out


def _typed_by_pattern(values: list[Any]) -> list[Any]:
    """A text column of a CSV input as numbers or dates, when it safely is one: every value that
    is not blank, a "no data" mark (``-``, ``暂无`` …) or the cell of a total or note row (合计,
    数据来源：…), which stay text, is a plain decimal number (no leading zero, at most 15 digits:
    ``0601``, ``000001``, 18-digit codes stay text), or every one is a date (``2012-08-08``,
    ``2012/8/8``, with or without a time). Otherwise the column is left as it is: a column is
    typed whole, never cell by cell."""
    first = next((v for v in values if isinstance(v, str) and v.strip() and not _kept_as_text(v)), None)
    if first is None or not (_PLAIN_NUMBER.fullmatch(first) or _DATE.fullmatch(first)):
        return values  # most text columns stop here, at their first value
    kind = "number" if _PLAIN_NUMBER.fullmatch(first) else "date"
    converted: dict[str, object] = {}
    out: list[Any] = []
    for v in values:
        if not isinstance(v, str) or not v:
            out.append(v)
            continue
        if v not in converted:
            converted[v] = _as_number(v) if kind == "number" else _as_date(v)
            if converted[v] is None:
                if not _kept_as_text(v):
                    return values  # one value of another kind: the column stays text
                converted[v] = v
        out.append(converted[v])
    return out


def _kept_as_text(text: str) -> bool:
    """A value a typed column keeps as text: a "no data" mark, or a total's or a note's cell."""
    return is_missing(text) or is_total_or_note(text)


def _as_number(text: str) -> int | float | None:
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    return float(text) if "." in text else int(text)


def _as_date(text: str) -> dt.datetime | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    year, _, month, day, hour, minute, second = match.groups()
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


def _numeric_cells(series: pd.Series, column: str) -> list[int | float | None]:
    """Numbers for one column (None where missing); integral float columns become ints."""
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else "O"
    if kind in "iu":
        return list(series.tolist())
    if kind == "b":
        return list(series.astype(np.int64).tolist())
    if kind != "f":
        return [_to_number(v, column, label) for v, label in zip(series.tolist(), series.index, strict=True)]
    values = series.to_numpy()
    if (infinite := np.flatnonzero(np.isinf(values))).size:
        raise ValueError(f"column {column!r} is listed in numeric_columns, but row "
                         f"{series.index[infinite[0]]!r} holds {values[infinite[0]]}, not a finite number")
    missing = np.isnan(values)
    present = values[~missing]
    if (present == np.trunc(present)).all() and (np.abs(present) < 2**53).all():
        out: list[Any] = np.where(missing, 0, values).astype(np.int64).tolist()
    else:
        out = values.tolist()
    for i in np.flatnonzero(missing).tolist():
        out[i] = None
    return out


def _to_number(value: object, column: str, label: object) -> int | float | None:
    number: int | float | None = None
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, numbers.Real):
        number = int(value) if isinstance(value, numbers.Integral) else float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _INTEGER.fullmatch(text):
            number = int(text)
        elif _NUMBER.fullmatch(text):
            number = float(text)
    if isinstance(number, float) and math.isnan(number) and not isinstance(value, str):
        return None  # e.g. a numpy.float32 NaN in an object column
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        raise ValueError(f"column {column!r} is listed in numeric_columns, but row {label!r} "
                         f"holds {value!r}, not a finite number")
    return number


def _csv_numbers(values: list[int | float | None]) -> list[str]:
    texts = list(map(str, values))  # str(float) is its shortest round-trip repr
    if None in values:
        texts = ["" if v is None else t for v, t in zip(values, texts, strict=True)]
    return texts


def _csv_cell(value: str, lone: bool) -> str:
    if value[:1] in _TRIGGERS and not _SAFE_TEXT.fullmatch(value):
        return "\"'" + value.replace('"', '""') + '"'
    if ('"' in value or "," in value or "\n" in value or "\r" in value
            or (lone and (not value or value.isspace()))):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_text(values: list[str], lone: bool) -> list[str]:
    """Encode one column's cells for CSV; a column needing no change skips the per-cell loop."""
    if not lone:
        joined = "\n".join(values)
        if (joined.count("\n") == len(values) - 1 and not _CSV_SCAN.search(joined)
                and not (values and values[0][:1] in _TRIGGERS)):
            return values
    return [_csv_cell(v, lone) if lone or v[:1] in _TRIGGERS or '"' in v or "," in v or "\n" in v or "\r" in v
            else v for v in values]


def _csv_number_texts(series: pd.Series, column: str) -> list[str]:
    """A numeric column's CSV cells, as ``_csv_numbers(_numeric_cells(series, column))``.

    A column of fractional floats (scores, likelihoods: a few thousand distinct values in tens
    of thousands of rows) writes each distinct value once: 2.9x less CPU time for the score
    columns of a ranked chunk. Any other column (integral, infinite, with a negative zero, short)
    goes the general way."""
    values = series.to_numpy() if isinstance(series.dtype, np.dtype) and series.dtype.kind == "f" else None
    if values is None or len(values) < 256:
        return _csv_numbers(_numeric_cells(series, column))
    missing = np.isnan(values)
    present = values[~missing]
    if (not np.isfinite(present).all() or (present == np.trunc(present)).all()
            or np.signbit(present[present == 0]).any()):
        return _csv_numbers(_numeric_cells(series, column))
    unique, inverse = np.unique(values, return_inverse=True)
    cells = np.array([str(v) for v in unique.tolist()], dtype=object)[inverse]
    cells[missing] = ""
    return cells.tolist()


def _csv_lines(cells: list[list[str]]) -> list[str]:
    """Rows of CSV text from columns of encoded cells."""
    return list(map(",".join, zip(*cells, strict=True))) if cells and cells[0] else []


def encode_csv_rows(frame: pd.DataFrame, *, numeric_columns: Collection[str] = ()) -> list[str]:
    """Each row of ``frame`` as CSV text (no line end), neutralised as :class:`TableWriter` does.

    For callers that assemble output rows from parts before writing them in another order
    (:meth:`TableWriter.write_encoded_lines`, once UTF-8); a part is joined to its neighbours with ``","``.
    """
    return _csv_lines([
        _csv_number_texts(frame[c], str(c)) if c in numeric_columns else _csv_text(_text_cells(frame[c]), lone=False)
        for c in frame.columns
    ])


class _CsvSink:
    def __init__(self, path: Path, header: list[str]):
        self._file = path.open("x", encoding="utf-8-sig", newline="")
        self._lone = len(header) == 1
        self._file.write(",".join(_csv_text(header, self._lone)) + "\r\n")

    def write(self, columns: list[tuple[bool, list[Any]]]) -> None:
        self.write_lines(_csv_lines([_csv_numbers(values) if numeric else _csv_text(values, self._lone) for numeric, values in columns]))

    def write_lines(self, lines: list[str]) -> None:
        if lines:
            self._file.write("\r\n".join(lines) + "\r\n")

    def write_encoded_lines(self, lines: list[bytes]) -> None:
        if lines:
            self._file.flush()
            self._file.buffer.write(b"\r\n".join(lines) + b"\r\n")

    def reserve(self, nbytes: int) -> int:
        self._file.flush()
        offset = os.lseek(self._file.fileno(), 0, os.SEEK_CUR)
        os.ftruncate(self._file.fileno(), offset + nbytes)
        self._file.seek(0, os.SEEK_END)
        return offset

    def close(self) -> None:
        self._file.close()


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _XlsxSink:
    def __init__(self, path: Path, header: list[str], *, wrap: Collection[int] = ()):
        import xlsxwriter

        self._book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self._head_format = self._book.add_format({
            "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        self._wrap_format = self._book.add_format({"text_wrap": True, "valign": "top"})
        self._date_formats = {kind: self._book.add_format({"num_format": f}) for kind, f in _DATE_FORMATS.items()}
        self._header = header
        self._wrap = frozenset(wrap)
        self._widths = [min(_display_width(h), _MAX_WIDTH) for h in header]
        self._sheet: Any = None
        self._sheets: list[Any] = []
        self._row = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheet = self._book.add_worksheet(f"Sheet{len(self._sheets) + 1}")
        self._sheets.append(self._sheet)
        for j, name in enumerate(self._header):
            self._sheet.write_string(0, j, name, self._head_format)
        self._sheet.freeze_panes(1, 0)
        self._row = 1

    def _fit(self, columns: list[tuple[bool, list[Any]]]) -> None:
        for j, (numeric, values) in enumerate(columns):
            sample = values[:_WIDTH_SAMPLE]
            if numeric:
                width = max((len(f"{v:.4g}" if isinstance(v, float) else str(v)) for v in sample if v is not None), default=0)
            else:  # a total's or a note's text (数据来源：…) runs over its neighbours; it does not widen its column
                width = max((_display_width(v) if isinstance(v, str) else _value_width(v)
                             for v in sample if not (isinstance(v, str) and is_total_or_note(v))), default=0)
            self._widths[j] = max(self._widths[j], min(width + 2, _MAX_WIDTH))

    def write(self, columns: list[tuple[bool, list[Any]]]) -> None:
        self._fit(columns)
        rows = len(columns[0][1]) if columns else 0
        kinds = [("n" if numeric else "w" if j in self._wrap else "s") for j, (numeric, _) in enumerate(columns)]
        wrap = self._wrap_format
        for i in range(rows):
            if self._row > XLSX_MAX_ROWS:
                self._new_sheet()
            sheet, row = self._sheet, self._row
            for j, (_, values) in enumerate(columns):
                value, kind = values[i], kinds[j]
                if kind == "n":
                    if value is not None:
                        sheet.write_number(row, j, value)
                elif type(value) is str:
                    if value:
                        sheet.write_string(row, j, value, wrap if kind == "w" else None)
                elif value is not None:
                    self._write_value(row, j, value)
            self._row += 1

    def _write_value(self, row: int, j: int, value: object) -> None:
        """A cell that is not text, as a cell of its type (an XLSX input's number, date, time or boolean)."""
        sheet = self._sheet
        if isinstance(value, bool):
            sheet.write_boolean(row, j, value)
        elif isinstance(value, numbers.Real) and math.isfinite(value):
            sheet.write_number(row, j, value)
        elif isinstance(value, dt.datetime):
            plain = value.replace(tzinfo=None)
            sheet.write_datetime(row, j, plain, self._date_formats["date" if plain.time() == dt.time() else "datetime"])
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, j, value, self._date_formats["date"])
        elif isinstance(value, dt.time):
            sheet.write_datetime(row, j, value.replace(tzinfo=None), self._date_formats["time"])
        else:
            sheet.write_string(row, j, str(value))

    def add_notes(self, rows: Sequence[Sequence[object]]) -> None:
        sheet = self._book.add_worksheet(NOTES_SHEET)
        widths = [0, 0, 0, 0, 0]
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    sheet.write_number(i, j, value)
                elif value not in (None, ""):
                    sheet.write_string(i, j, str(value), self._head_format if i == 0 else None)
                if j < len(widths):
                    widths[j] = max(widths[j], min(_display_width(str(value)) + 2, _MAX_WIDTH))
        for j, width in enumerate(widths):
            if width:
                sheet.set_column(j, j, width)

    def close(self) -> None:
        last = len(self._header) - 1
        for sheet in self._sheets:
            for j, width in enumerate(self._widths):
                sheet.set_column(j, j, max(width, 6))
            sheet.autofilter(0, 0, XLSX_MAX_ROWS if sheet is not self._sheet else max(self._row - 1, 1), last)
        from xlsxwriter.exceptions import FileCreateError

        error = None
        try:
            self._book.close()
        except FileCreateError as exc:  # xlsxwriter wraps the operating system's error
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
            error = OSError(cause.errno, cause.strerror)
            _release_zip_files(exc)
        if error is not None:  # raised without the traceback, which holds the half-written file open
            raise error


def _release_zip_files(exc: BaseException) -> None:
    """Close the half-written archive a failed ``Workbook.close`` leaves open, without finishing it.

    Left to the garbage collector, the archive would try again to write its directory to the
    same full disk and report that failure where nobody can catch it.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        tb = error.__traceback__
        while tb is not None:
            for value in tb.tb_frame.f_locals.values():
                if isinstance(value, zipfile.ZipFile) and value.fp is not None:
                    fp, value.fp = value.fp, None
                    with suppress(OSError):  # its buffer cannot be flushed to the full disk either
                        fp.close()
            tb = tb.tb_next
        pending += [error.__cause__, error.__context__]


def _value_width(value: object) -> int:
    """Columns a cell that is not text takes: a date 10, a date with a time 19, a number its digits."""
    if isinstance(value, dt.datetime):
        return 10 if value.time() == dt.time() else 19
    if isinstance(value, (dt.date, dt.time)):
        return 10 if isinstance(value, dt.date) else 8
    return len(f"{value:.10g}" if isinstance(value, float) else str(value))


class TableWriter:
    """Stream rows to a ``.csv``, ``.xlsx`` or ``.parquet`` file that is safe to open in Excel.

    Use as a context manager: the rows go to a temporary file beside ``path`` that replaces
    ``path`` only on a clean :meth:`close`; if the block raises, the partial output is deleted
    and an existing file at ``path`` is left untouched.

    Parameters
    ----------
    path : str or path-like
        The output; its extension (``.csv``, ``.xlsx`` or ``.parquet``, case-insensitive) picks the format.
    columns : sequence of str
        The header; every frame passed to :meth:`write` has exactly these columns, in order.
    numeric_columns : collection of str, default ()
        Columns written as numbers (int or float; NaN/None/"" blank), never neutralised.
        A value that is not a number, or is infinite, raises ``ValueError``.
    wrap_columns : collection of str, default ()
        XLSX: long-text columns written with wrapped lines.
    typed_columns : collection of str, default ()
        XLSX: text columns (of a CSV input) written as numbers when every value that is not
        blank or a "no data" mark is a plain decimal number (no leading zero, at most 15
        digits), or as dates when every one is a date (``2012-08-08``, ``2012/8/8``, with or
        without a time); otherwise as text. Decided on each frame passed to :meth:`write`.
        In every other text column, values that are not ``str`` (an XLSX input's cells:
        numbers, dates, times, booleans) are written as cells of their type.

    Raises
    ------
    InputFileError
        The extension is not ``.csv``, ``.xlsx`` or ``.parquet``.
    OutputFileError
        ``path`` cannot be written (a folder, a missing or read-only folder: checked at once;
        a full disk: when it happens). The temporary file is removed on every failure.
    ValueError
        ``numeric_columns`` names a column not in ``columns``, or ``columns`` is empty.
    """

    def __init__(self, path: str | os.PathLike[str], columns: Sequence[str], *,
                 numeric_columns: Collection[str] = (), wrap_columns: Collection[str] = (),
                 typed_columns: Collection[str] = ()):
        self.path = Path(path)
        self.columns = tuple(columns)
        self.numeric_columns = frozenset(numeric_columns)
        self.rows_written = 0
        suffix = self.path.suffix.lower()
        if suffix not in _WRITE_TYPES:
            raise InputFileError(str(self.path), f"unsupported output type {suffix or '(none)'!r}; "
                                                 f"accepted: {', '.join(_WRITE_TYPES)}")
        if not self.columns:
            raise ValueError("The 'columns' parameter of TableWriter must not be empty.")
        if unknown := self.numeric_columns - set(self.columns):
            raise ValueError(f"The 'numeric_columns' parameter of TableWriter names columns not in "
                             f"'columns': {sorted(map(str, unknown))}.")
        self._numeric = [c in self.numeric_columns for c in self.columns]
        self._typed = [c in set(typed_columns) and c not in self.numeric_columns for c in self.columns]
        self._tmp = self.path.with_name(f".{self.path.stem}.{secrets.token_hex(4)}.part{suffix}")
        header = [str(c) for c in self.columns]
        if suffix == ".xlsx" and (long := [h for h in header if len(h) > _XLSX_MAX_CHARS]):
            raise ValueError(f"column name longer than {_XLSX_MAX_CHARS} characters: {long[0][:40]!r}...")
        check_output_path(self.path)
        self._sink: _CsvSink | _XlsxSink | _parquet.ParquetSink | None = None
        with self._os_errors():
            self._sink = (
                _CsvSink(self._tmp, header) if suffix == ".csv"
                else _parquet.ParquetSink(self._tmp, header, self._numeric) if suffix == ".parquet" else _XlsxSink(
                    self._tmp, header, wrap=[j for j, c in enumerate(self.columns) if c in set(wrap_columns)]))

    @contextmanager
    def _os_errors(self) -> Iterator[None]:
        """An operating-system error while writing: the partial file goes, and the error is
        raised as :class:`OutputFileError` naming :attr:`path`."""
        try:
            with output_errors(self.path):
                yield
        except OutputFileError:
            self._discard()
            self._tmp.unlink(missing_ok=True)
            raise

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame``, in order.

        Parameters
        ----------
        frame : pandas.DataFrame
            Exactly the writer's ``columns``, in order; any index.

        Raises
        ------
        ValueError
            Other columns; a numeric column holding a non-number; an XLSX text cell over
            32,767 characters; the writer is closed.
        """
        if self._sink is None:
            raise ValueError(f"{self.path}: the TableWriter is closed")
        if list(frame.columns) != list(self.columns):
            raise ValueError(f"frame columns {list(frame.columns)} differ from the writer's "
                             f"columns {list(self.columns)}")
        xlsx = isinstance(self._sink, _XlsxSink)
        # XLSX: each column's cells (typed columns converted whole, never cell by cell)
        cells = {j: (_typed_by_pattern if self._typed[j] else list)(_xlsx_cells(frame.iloc[:, j]))
                 for j, numeric in enumerate(self._numeric) if xlsx and not numeric}
        for start in range(0, len(frame), _WRITE_BATCH):
            part = frame.iloc[start:start + _WRITE_BATCH]
            if isinstance(self._sink, _parquet.ParquetSink):
                with self._os_errors():
                    self._sink.write_frame(part)
                self.rows_written += len(part)
                continue
            columns: list[tuple[bool, list[Any]]] = []
            for j, numeric in enumerate(self._numeric):
                series, name = part.iloc[:, j], str(self.columns[j])
                if numeric:
                    columns.append((True, _numeric_cells(series, name)))
                    continue
                values = cells[j][start:start + _WRITE_BATCH] if xlsx else _text_cells(series)
                if xlsx and max((len(v) for v in values if isinstance(v, str)), default=0) > _XLSX_MAX_CHARS:
                    row = next(i for i, v in enumerate(values) if isinstance(v, str) and len(v) > _XLSX_MAX_CHARS)
                    raise ValueError(f"column {name!r}, row {series.index[row]!r}: text longer than "
                                     f"Excel's {_XLSX_MAX_CHARS} characters; write CSV instead")
                columns.append((False, values))
            with self._os_errors():
                self._sink.write(columns)
            self.rows_written += len(part)

    def add_notes(self, rows: Sequence[Sequence[object]]) -> None:
        """XLSX: write ``rows`` (the first one a header) to a last sheet ``说明 Notes``; CSV: nothing."""
        if self._sink is None:
            raise ValueError(f"{self.path}: the TableWriter is closed")
        if isinstance(self._sink, _XlsxSink):
            with self._os_errors():
                self._sink.add_notes(rows)

    def write_encoded_lines(self, lines: list[bytes]) -> None:
        """Append CSV rows encoded by :func:`encode_csv_rows` and then as UTF-8 (CSV output only)."""
        if not isinstance(self._sink, _CsvSink):
            raise ValueError(f"{self.path}: write_encoded_lines needs an open CSV writer")
        with self._os_errors():
            self._sink.write_encoded_lines(lines)
        self.rows_written += len(lines)

    def reserve_encoded(self, nbytes: int, rows: int) -> tuple[Path, int]:
        """Leave ``nbytes`` for ``rows`` CSV rows that other processes write in place, encoded
        as :meth:`write_encoded_lines` writes them (CSV output only).

        Returns
        -------
        The file being written and the offset of the room; the rows go there with
        ``os.pwrite`` before this writer is closed.
        """
        if not isinstance(self._sink, _CsvSink):
            raise ValueError(f"{self.path}: reserve_encoded needs an open CSV writer")
        with self._os_errors():
            offset = self._sink.reserve(nbytes)
        self.rows_written += rows
        return self._tmp, offset

    def close(self) -> None:
        """Finish the file and move it to ``path``. Closing twice does nothing."""
        if self._sink is None:
            return
        sink, self._sink = self._sink, None
        try:
            with output_errors(self.path):
                sink.close()
                os.replace(self._tmp, self.path)
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise

    def _discard(self) -> None:
        if self._sink is None:
            return
        sink, self._sink = self._sink, None
        try:
            sink.close()
        except (OSError, ValueError):  # a full disk again: the file goes anyway, the first error stands
            pass
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self._discard()


def write_table(path: str | os.PathLike[str], frame: pd.DataFrame, *,
                numeric_columns: Collection[str] = ()) -> None:
    """Write one frame to ``path`` (``.csv`` or ``.xlsx``) through :class:`TableWriter`.

    Parameters
    ----------
    path : str or path-like
    frame : pandas.DataFrame
        Its columns become the header.
    numeric_columns : collection of str, default ()
        Columns written as numbers.
    """
    with TableWriter(path, list(frame.columns), numeric_columns=numeric_columns) as writer:
        writer.write(frame)

