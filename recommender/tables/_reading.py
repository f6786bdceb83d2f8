"""Reading candidate-firm tables: CSV and XLSX, streamed, in bounded memory and time.

:func:`open_table` treats every file as hostile:

* CSV (``.csv``, ``.txt``): a byte-order mark decides the encoding (UTF-8, UTF-16, UTF-32);
  otherwise the encoding is decided on the whole file, streamed: strict UTF-8, else strict
  GB18030 (a superset of GBK and GB2312). No detector guesses (short GBK samples are often
  "detected" as Korean). A file in which some lines are UTF-8 (Chinese text that only UTF-8
  reads as Chinese) and others are not is refused as mixed encodings, naming a line of each,
  rather than read as GB18030 mojibake; bytes that neither decodes raise :class:`EncodingError`
  naming the 1-based line. The delimiter is ``,`` unless the first lines hold no comma but tabs
  or semicolons (Excel's "Unicode Text" export is tab-separated UTF-16).
* XLSX: the declared uncompressed size of the archive is capped, and the shared-strings table is
  counted, streamed, before openpyxl opens the workbook: more strings than the worksheets have
  string cells, or more characters than ``max_shared_chars``, is refused. openpyxl parses
  through defusedxml (checked before parsing); the first worksheet is streamed read-only with
  cached values, never formulas; reading stops with an error after ``max_seconds``.
* The header is found among the first rows (:func:`~._header.find_header`: title rows, blank
  rows, merged cells, a two-row header); :attr:`InputTable.header_rows` says which rows it took.
* Every value is text, exactly as in the file (``"0601"`` keeps its zero, nothing is parsed as
  a number or NA, ``""`` for empty; an XLSX date cell as ``2012-08-08``). Blank rows between
  data rows are kept (as rows of empty cells), so every row comes back, the same in CSV and
  XLSX; blank rows after the last data row are dropped.

Fields are recognised from headers in Chinese or English (:mod:`._header`); the profile table
of a chunk is made by :func:`~._vendor.profiles`. Original columns always pass through unchanged
in :attr:`TableChunk.raw`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
import time
import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd

from ..exceptions import EncodingError, InputFileError
from . import _parquet
from ._header import CANONICAL_COLUMNS, HEADER_SEARCH_ROWS, field_of, find_header
from ._vendor import Duplicates, profiles

__all__ = ["InputTable", "TableChunk", "firm_identity", "open_table"]

_READ_TYPES = (".csv", ".txt", ".xlsx", ".parquet")
_BLOCK = 1 << 20  # bytes per read when checking an encoding
_SNIFF_CHARS = 1 << 20
_UTF8_EVIDENCE = 8
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_FIELDS_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EXCEL_ROWS = 1_048_576
# What a damaged archive or workbook raises from zipfile / openpyxl (RuntimeError: encrypted member).
_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError, OSError,
               zlib.error)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_LATIN_MIDDLE = re.compile(r"[\u0080-\u07ff]")


def _xlsx_errors() -> tuple[type[BaseException], ...]:
    """What a damaged workbook raises (openpyxl is imported only when a workbook is read)."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (*_ZIP_ERRORS, InvalidFileException, KeyError, TypeError, IndexError, AttributeError, ParseError)



@dataclass(frozen=True, eq=False)
class TableChunk:
    """A run of consecutive data rows.

    Attributes
    ----------
    start_row : int
        0-based index of the chunk's first data row (the header not counted; blank rows counted).
    raw : pandas.DataFrame
        The file's columns (``InputTable.columns``), every value text, ``""`` for empty.
        Index: the 0-based data-row numbers ``start_row, start_row + 1, ...``.
    profiles : pandas.DataFrame
        One text column per key of :data:`CANONICAL_COLUMNS`, in that order, stripped of
        surrounding whitespace, ``""`` where the file has no such column, then ``capital``,
        ``status`` and ``kind`` (:func:`~._vendor.profiles`). Same index as ``raw``. Made from
        ``raw`` on first use (a chunk sent to another process carries ``raw`` only).
    first_line : int
        The file's row number (1-based, as a spreadsheet shows it) of data row 0.
    duplicate_of : numpy.ndarray or None
        Per row, the file row number of the first copy of the same firm; 0 for none.
    cells : pandas.DataFrame or None
        XLSX: the cells as the workbook types them (``str``, ``int``/``float``, ``datetime``,
        ``bool``; None when empty), same shape and index as ``raw``, so that an XLSX output gives
        every input cell back with its type. None for CSV and Parquet.
    """

    start_row: int
    raw: pd.DataFrame
    sources: dict[str, list[str]] = field(repr=False)  # field -> the file's columns
    units: dict[str, float] = field(default_factory=dict, repr=False)  # money column -> yuan per unit
    first_line: int = 2
    duplicate_of: np.ndarray | None = field(default=None, repr=False)
    cells: pd.DataFrame | None = field(default=None, repr=False)

    @cached_property
    def profiles(self) -> pd.DataFrame:
        return profiles(self.raw, self.sources, self.units)

    @property
    def row_numbers(self) -> np.ndarray:
        """The file's row number of each row."""
        return np.arange(len(self.raw)) + self.start_row + self.first_line

    def part(self, start: int, stop: int) -> TableChunk:
        """Rows ``start:stop`` of this chunk, as a chunk."""
        dup = None if self.duplicate_of is None else self.duplicate_of[start:stop]
        cells = None if self.cells is None else self.cells.iloc[start:stop]
        return TableChunk(self.start_row + start, self.raw.iloc[start:stop], self.sources, self.units, self.first_line, dup, cells)

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in ("start_row", "raw", "sources", "units", "first_line", "duplicate_of", "cells")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


@dataclass(frozen=True)
class _Limits:
    chunk_rows: int
    max_rows: int | None
    max_columns: int
    max_cell_chars: int
    max_unzipped_bytes: int
    max_shared_chars: int = 64 * 2**20
    max_seconds: float = 600.0


@dataclass(frozen=True)
class InputTable:
    """An opened input table: its header, recognised columns and encoding.

    Attributes
    ----------
    path : Path
    columns : tuple of str
        The headers, stripped of surrounding whitespace and BOM; an empty header is named
        ``"Unnamed: i"`` (0-based position); repeats become ``"x"``, ``"x.1"``, ...
    mapping : dict of str to str
        Header -> field, for every recognised header (the canonical columns and the vendor
        columns of :data:`~._header.VENDOR_COLUMNS`).
    encoding : str or None
        ``"utf-8"``, ``"utf-8-sig"``, ``"gb18030"``, ``"utf-16"`` or ``"utf-32"``; None for XLSX.
    delimiter : str or None
        The CSV field separator; None for XLSX.
    header_rows : tuple of int
        The file's row numbers (1-based, as a spreadsheet shows them) that make the header.
    units : dict of str to float
        Money columns -> yuan per unit written (``营业收入(元)``: 1; default 10,000, 万元).
    """

    path: Path
    columns: tuple[str, ...]
    mapping: dict[str, str]
    encoding: str | None
    delimiter: str | None = None
    _limits: _Limits = field(default=_Limits(50_000, None, 500, 32_767, 512 * 2**20), repr=False)
    header_rows: tuple[int, ...] = (1,)
    units: dict[str, float] = field(default_factory=dict)

    @property
    def typed_cells(self) -> bool:
        """Whether the chunks carry the cells' own types (:attr:`TableChunk.cells`): XLSX input."""
        return self.encoding is None and not _parquet.is_parquet(self.path)

    def chunks(self) -> Iterator[TableChunk]:
        """Stream the data rows, ``chunk_rows`` at a time; each call reads the file afresh.

        Yields
        ------
        TableChunk
            Every data row exactly once, in file order, with later copies of a firm marked
            (:attr:`TableChunk.duplicate_of`).

        Raises
        ------
        InputFileError
            A row has more fields than the header, a cell is longer than ``max_cell_chars``,
            the file holds more than ``max_rows`` data rows (raised before the chunk holding
            the excess row is yielded), or reading took longer than ``max_seconds``.
        """
        rows: Iterator[tuple]  # (start, text frame) or, for XLSX, (start, text frame, the cells' values)
        if self.encoding is None and _parquet.is_parquet(self.path):
            limits = self._limits
            rows = _parquet.iter_frames(self.path, self.columns, limits.chunk_rows, limits.max_rows, limits.max_cell_chars)
        else:
            rows = _csv_frames(self) if self.encoding is not None else _xlsx_frames(self)
        sources: dict[str, list[str]] = {}
        for column, canon in self.mapping.items():
            sources.setdefault(canon, []).append(column)
        first_line = self.header_rows[-1] + 1
        duplicates = Duplicates()
        for start, raw, *cells in _without_trailing_blanks(rows):
            names, codes = firm_identity(raw, sources)
            lines = np.arange(start, start + len(raw)) + first_line
            dup = duplicates.mark(names, codes, np.full(len(raw), "", dtype=object), lines)
            yield TableChunk(start, raw, sources, self.units, first_line, dup, cells[0] if cells else None)


def firm_identity(raw: pd.DataFrame, sources: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray | None]:
    """Per row, the firm name and the credit code (None: no such column) that
    :class:`~._vendor.Duplicates` compares: the first non-blank of the columns feeding each."""
    codes = sources.get("credit_code", [])
    return _first_text(raw, sources["name"]), _first_text(raw, codes) if codes else None


def _first_text(raw: pd.DataFrame, columns: list[str]) -> np.ndarray:
    value = raw[columns[0]].str.strip().to_numpy(dtype=object)
    for column in columns[1:]:
        value = np.where(value != "", value, raw[column].str.strip().to_numpy(dtype=object))
    return value


def _filled_length(frame: pd.DataFrame) -> int:
    """Rows up to and including the last one with a non-blank cell (0: all blank). Looks at the
    last rows first, in windows that grow, so a frame that ends in a filled row costs a few rows."""
    end, window = len(frame), 64
    while end > 0:
        start = max(0, end - window)
        part = frame.iloc[start:end]
        blank = np.ones(len(part), dtype=bool)
        for column in part.columns:
            blank &= part[column].to_numpy(dtype=object) == ""
        filled = np.flatnonzero(~blank)
        if filled.size:
            return start + int(filled[-1]) + 1
        end, window = start, window * 4
    return 0


def _without_trailing_blanks(frames: Iterator[tuple]) -> Iterator[tuple]:
    """The frames with the blank rows after the last non-blank row dropped (held back across
    frames). Each item is ``(start, frame, *alongside)``: frames of the same rows (an XLSX
    sheet's typed cells) are cut and held back with ``frame``."""
    held: tuple[pd.DataFrame, ...] | None = None
    for start, *parts in frames:
        if held is not None:
            parts = [pd.concat([h, p]) for h, p in zip(held, parts, strict=True)]
            start -= len(held[0])
        cut = _filled_length(parts[0])
        held = tuple(p.iloc[cut:] for p in parts) if cut < len(parts[0]) else None
        if cut:
            yield start, *(p.iloc[:cut] for p in parts)


def open_table(path: str | os.PathLike[str], *, chunk_rows: int = 50_000,
               max_rows: int | None = None, max_columns: int = 500,
               max_cell_chars: int = 32_767, max_unzipped_bytes: int = 512 * 2**20,
               max_shared_chars: int = 64 * 2**20, max_seconds: float = 600.0) -> InputTable:
    """Open a CSV or XLSX table of candidate firms, find and check its header.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.txt`` or ``.xlsx`` file (extension case-insensitive).
    chunk_rows : int, default 50_000
        Data rows per :class:`TableChunk`.
    max_rows : int or None, default None
        Most data rows accepted (None: no limit).
    max_columns : int, default 500
        Most header columns accepted.
    max_cell_chars : int, default 32_767
        Longest cell accepted, in characters (Excel's limit).
    max_unzipped_bytes : int, default 512 MiB
        Largest total uncompressed size of an XLSX archive.
    max_shared_chars : int, default 64 Mi
        Most characters in an XLSX shared-strings table (it is held in memory while reading).
    max_seconds : float, default 600
        Longest time spent reading an XLSX workbook (opening it and each pass over its rows).

    Returns
    -------
    InputTable
        Iterate :meth:`InputTable.chunks` for the rows.

    Raises
    ------
    InputFileError
        Unsupported type, missing or empty file, no firm-name column among the first rows,
        a limit exceeded, a corrupt workbook or malformed CSV.
    EncodingError
        Bytes that no accepted encoding decodes, or lines in two encodings; names the line.
    """
    for name, value, least in (("chunk_rows", chunk_rows, 1), ("max_columns", max_columns, 1),
                               ("max_cell_chars", max_cell_chars, 1),
                               ("max_unzipped_bytes", max_unzipped_bytes, 1),
                               ("max_shared_chars", max_shared_chars, 1),
                               ("max_rows", 0 if max_rows is None else max_rows, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ValueError(f"The {name!r} parameter of open_table must be an int >= {least}. "
                             f"Got {value!r} instead.")
    if not isinstance(max_seconds, (int, float)) or isinstance(max_seconds, bool) or not max_seconds > 0:
        raise ValueError(f"The 'max_seconds' parameter of open_table must be a number > 0. Got {max_seconds!r} instead.")
    path = Path(path)
    limits = _Limits(chunk_rows, max_rows, max_columns, max_cell_chars, max_unzipped_bytes, max_shared_chars,
                     float(max_seconds))
    suffix = path.suffix.lower()
    if path.is_dir():
        suffix = ".parquet"  # a Parquet dataset
    if suffix not in _READ_TYPES:
        raise InputFileError(str(path), f"unsupported file type {suffix or '(no extension)'!r}; "
                                        f"accepted: {', '.join(_READ_TYPES)}")
    if suffix == ".parquet":  # the schema's names are the header: no rows above it to search
        encoding = delimiter = None
        top = [_parquet.parquet_columns(_parquet.parquet_files(path))]
    elif not path.is_file():
        raise InputFileError(str(path), "file not found" if not path.exists() else "not a file")
    elif path.stat().st_size == 0:
        raise InputFileError(str(path), "file is empty")
    elif suffix == ".xlsx":
        _check_zip(path, limits)
        encoding = delimiter = None
        top = _xlsx_top(path, limits)
    else:
        encoding = _detect_encoding(path)
        delimiter = _sniff_delimiter(path, encoding)
        top = _csv_top(path, encoding, delimiter)
    if not any(any(c.strip() for c in row) for row in top):
        raise InputFileError(str(path), "file is empty (no header row)")
    found = find_header(top)
    if found is None:
        first = next(row for row in top if any(c.strip() for c in row))
        shown = ", ".join(c for c in first[:20] if c) + (", ..." if len(first) > 20 else "")
        raise InputFileError(str(path), f"no firm-name column in the first {HEADER_SEARCH_ROWS} rows; the header "
                             f"needs one of {', '.join(CANONICAL_COLUMNS['name'])} (first row: {shown})")
    header = found.cells
    if len(header) > max_columns:
        raise InputFileError(str(path), f"row {found.last + 1} has {len(header)} columns, more than "
                                        f"max_columns={max_columns}")
    cleaned = [h.strip().strip("\ufeff").strip() or f"Unnamed: {i}" for i, h in enumerate(header)]
    columns = _dedupe(cleaned)
    mapping: dict[str, str] = {}
    units: dict[str, float] = {}
    for column, text in zip(columns, cleaned, strict=True):
        target, unit = field_of(text)
        if target is not None:
            mapping[column] = target
            if target in ("revenue", "capital"):
                units[column] = unit
    header_rows = tuple(range(found.first + 1, found.last + 2))
    return InputTable(path, columns, mapping, encoding, delimiter, limits, header_rows, units)


def _dedupe(names: list[str]) -> tuple[str, ...]:
    originals, seen, out = set(names), set(), []
    for name in names:
        unique, k = name, 0
        while unique in seen or (k and unique in originals):
            k += 1
            unique = f"{name}.{k}"
        seen.add(unique)
        out.append(unique)
    return tuple(out)



# --- CSV -------------------------------------------------------------------------------------

@dataclass
class _DecodeFailure:
    line: int
    bad: bytes
    non_ascii: int


def _scan(path: Path, encoding: str) -> _DecodeFailure | None:
    """Strictly decode the whole file in blocks; report the first bad byte's line.

    Also refuses NUL characters (binary data, or UTF-16 without a byte-order mark).
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    newlines = non_ascii = 0
    with path.open("rb") as f:
        while True:
            block = f.read(_BLOCK)
            state = decoder.getstate()
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                retry = codecs.getincrementaldecoder(encoding)("strict")
                retry.setstate(state)
                good = retry.decode(block[:max(0, exc.start - len(state[0]))])
                non_ascii += len(good) - len(good.encode("ascii", "ignore"))
                return _DecodeFailure(newlines + good.count("\n") + 1,
                                      exc.object[exc.start:exc.end], non_ascii)
            if "\x00" in text:
                line = newlines + text[:text.index("\x00")].count("\n") + 1
                raise EncodingError(str(path), line, "NUL byte: not a text table (a binary file, "
                                    "or UTF-16 saved without a byte-order mark?)")
            newlines += text.count("\n")
            if non_ascii < _UTF8_EVIDENCE and not text.isascii():
                non_ascii += len(text) - len(text.encode("ascii", "ignore"))
            if not block:
                return None




def _mixed_lines(path: Path) -> tuple[int, int] | None:
    """(a UTF-8 line, a line that is not UTF-8) when the file mixes them, else None.

    A line counts as UTF-8 when it decodes as UTF-8 to Chinese text (two or more CJK characters
    and nothing from U+0080–U+07FF, which GBK bytes that happen to be valid UTF-8 decode to).
    """
    utf8_line = other_line = 0
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                other_line = other_line or number
            else:
                if not utf8_line and len(_CJK.findall(text)) >= 2 and not _LATIN_MIDDLE.search(text):
                    utf8_line = number
            if utf8_line and other_line:
                return utf8_line, other_line
    return None


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(b"PK\x03\x04"):
        raise InputFileError(str(path), "this is a zip archive (an .xlsx workbook?), not a CSV "
                                        "text file; save it with the .xlsx extension")
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if failure := _scan(path, encoding):
                raise EncodingError(str(path), failure.line,
                                    f"bytes {failure.bad.hex(' ')} are not valid {encoding} "
                                    "although the file starts with its byte-order mark")
            return encoding
    utf8 = _scan(path, "utf-8")
    if utf8 is None:
        return "utf-8"
    if utf8.non_ascii >= _UTF8_EVIDENCE:
        raise EncodingError(str(path), utf8.line,
                            f"bytes {utf8.bad.hex(' ')} are not valid UTF-8; the lines before "
                            "are UTF-8, so no other encoding is guessed (damaged file?)")
    if mixed := _mixed_lines(path):
        raise EncodingError(str(path), mixed[1],
                            f"mixed encodings: line {mixed[0]} is UTF-8 but line {mixed[1]} is not "
                            "(GBK?); re-save the whole file in one encoding, e.g. 'CSV UTF-8'")
    gb = _scan(path, "gb18030")
    if gb is None:
        return "gb18030"
    worst = max(utf8, gb, key=lambda f: f.line)
    raise EncodingError(str(path), worst.line,
                        f"bytes {worst.bad.hex(' ')} are neither UTF-8 nor GB18030/GBK; "
                        "re-save the file as 'CSV UTF-8'")


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as f:
        text = f.read(_SNIFF_CHARS)
    # the first line decides (a title row saved from Excel keeps its commas: "名单,,,")
    line = text.splitlines()[0] if text else ""
    if "," in line:
        return ","
    return max(("\t", ";"), key=line.count) if ("\t" in line or ";" in line) else ","


def _csv_top(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    """The first records of the file (blank lines as empty records), each cell text."""
    out: list[list[str]] = []
    try:
        with path.open(encoding="utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding, newline="") as f:
            reader = csv.reader(f, delimiter=delimiter)
            for record in reader:
                out.append(record)
                if len(out) >= HEADER_SEARCH_ROWS:
                    break
    except csv.Error as exc:
        raise InputFileError(str(path), f"malformed CSV near line {len(out) + 1}: {exc}") from None
    return out


def _csv_lines_before(path: Path, encoding: str, delimiter: str, records: int) -> int:
    """Physical lines taken by the first ``records`` records."""
    with path.open(encoding="utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        for _ in range(records):
            if next(reader, None) is None:
                break
        return reader.line_num


def _read_csv(path: Path, encoding: str, delimiter: str, **options: Any) -> Any:
    # The C parser skips a UTF-8 BOM itself and reads "utf-8" without a Python text layer.
    return pd.read_csv(path, sep=delimiter, header=None, dtype=str, keep_default_na=False,
                       na_filter=False, encoding="utf-8" if encoding == "utf-8-sig" else encoding,
                       engine="c", skip_blank_lines=False, index_col=False, **options)


def _csv_frames(table: InputTable) -> Iterator[tuple[int, pd.DataFrame]]:
    path, limits, width = table.path, table._limits, len(table.columns)
    assert table.encoding is not None and table.delimiter is not None
    header_records = table.header_rows[-1]
    skip = _csv_lines_before(path, table.encoding, table.delimiter, header_records)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            with _read_csv(path, table.encoding, table.delimiter, chunksize=limits.chunk_rows, skiprows=skip,
                           names=range(width + 1)) as reader:
                start = 0
                for frame in reader:
                    _check_row_count(path, start, len(frame), limits.max_rows)
                    extra = frame[width].to_numpy(dtype=object)
                    if (extra != "").any():
                        row = int(np.flatnonzero(extra != "")[0])
                        raise _too_wide(table, header_records + start + row + 1)
                    frame = frame.drop(columns=width)
                    frame.columns = list(table.columns)
                    frame.index = pd.RangeIndex(start, start + len(frame))
                    for column in frame.columns:
                        values = frame[column].to_numpy(dtype=object)
                        if max(map(len, values), default=0) > limits.max_cell_chars:
                            row = next(i for i, v in enumerate(values) if len(v) > limits.max_cell_chars)
                            raise InputFileError(str(path), f"row {header_records + start + row + 1}, column "
                                                 f"{column!r}: cell longer than max_cell_chars="
                                                 f"{limits.max_cell_chars}")
                    yield start, frame
                    start += len(frame)
    except pd.errors.ParserWarning:
        raise _too_wide(table, 0) from None
    except pd.errors.ParserError as exc:
        raise _parser_error(path, table.encoding, exc) from None


def _too_wide(table: InputTable, record: int) -> InputFileError:
    """The error for the first record (at or after ``record``) with more fields than the header."""
    assert table.encoding is not None and table.delimiter is not None
    encoding = "utf-8-sig" if table.encoding in ("utf-8", "utf-8-sig") else table.encoding
    width, saw = len(table.columns), 0
    with table.path.open(encoding=encoding, newline="") as f:
        for number, fields in enumerate(csv.reader(f, delimiter=table.delimiter), start=1):
            if number > max(record - 1, table.header_rows[-1]) and len(fields) > width:
                record, saw = number, len(fields)
                break
    line = _line_of_record(table.path, table.encoding, record)
    where = f"line {line}" if line == record else f"line {line} (row {record} in a spreadsheet)"
    return InputFileError(str(table.path), f"{where}: {saw} fields, but the header has {width}")


def _check_row_count(path: Path, start: int, rows: int, max_rows: int | None) -> None:
    if max_rows is not None and start + rows > max_rows:
        raise InputFileError(str(path), f"data row {max_rows + 1}: more than max_rows={max_rows} "
                                        "data rows", reason="too_many_rows")


def _parser_error(path: Path, encoding: str, exc: Exception) -> InputFileError:
    message = str(exc).replace("Error tokenizing data. C error: ", "").strip()
    match = _FIELDS_ERROR.search(message)
    if not match:
        return InputFileError(str(path), f"malformed CSV: {message}")
    expected, record, saw = (int(g) for g in match.groups())
    line = _line_of_record(path, encoding, record)
    where = f"line {line}" if line == record else f"line {line} (row {record} in a spreadsheet)"
    return InputFileError(str(path), f"{where}: {saw} fields, but the header has {expected}")


def _line_of_record(path: Path, encoding: str, record: int) -> int:
    """Physical line ending CSV record ``record`` (1-based, blank lines counted as records)."""
    in_quotes, seen = False, 0
    with path.open(encoding=encoding, newline="") as f:
        for number, line in enumerate(f, start=1):
            in_quotes ^= line.count('"') % 2 == 1
            seen += not in_quotes
            if seen == record:
                return number
    return record



# --- XLSX ------------------------------------------------------------------------------------

_SHEET_FILE = re.compile(r"xl/worksheets/[^/]+\.xml$")


def _check_zip(path: Path, limits: _Limits) -> None:
    with path.open("rb") as f:
        if f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise InputFileError(str(path), "password-protected or legacy .xls workbook; save it "
                                            "as an unprotected .xlsx")
    cap = limits.max_unzipped_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            # zipfile stops reading each member at its declared size (and then fails its CRC), so the
            # declared total bounds what openpyxl can inflate.
            if total > cap:
                raise InputFileError(str(path), f"workbook unzips to {total} bytes, more than "
                                                f"max_unzipped_bytes={cap}", reason="too_large")
            strings = next((i for i in infos if i.filename.lower() == "xl/sharedstrings.xml"), None)
            if strings is not None:
                deadline = time.monotonic() + limits.max_seconds
                cells = sum(_count_in(archive, info, b't="s"', deadline, path) for info in infos
                            if _SHEET_FILE.match(info.filename))
                _check_shared_strings(archive, strings, cells, limits, deadline, path)
    except InputFileError:
        raise
    except _ZIP_ERRORS as exc:
        raise InputFileError(str(path), f"not a valid .xlsx workbook ({exc})") from None


def _count_in(archive: zipfile.ZipFile, info: zipfile.ZipInfo, needle: bytes, deadline: float, path: Path) -> int:
    """Occurrences of ``needle`` in a member, streamed."""
    count, tail = 0, b""
    with archive.open(info) as member:
        while block := member.read(_BLOCK):
            data = tail + block
            count += data.count(needle)
            tail = data[-(len(needle) - 1):]  # shorter than the needle: nothing counted twice
            _check_time(deadline, path)
    return count


def _check_time(deadline: float, path: Path) -> None:
    if time.monotonic() > deadline:
        raise InputFileError(str(path), "reading the workbook took longer than max_seconds; "
                                        "save it as CSV or split it")


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cells: int, limits: _Limits,
                          deadline: float, path: Path) -> None:
    """Count the shared strings and their characters, streamed, before openpyxl loads them all."""
    import defusedxml.ElementTree as safe_xml

    count = chars = 0
    limit_count = cells + 1_000
    limit_chars = min(limits.max_shared_chars, (cells + 1_000) * limits.max_cell_chars)
    try:
        with archive.open(info) as member:
            for _, element in safe_xml.iterparse(member, events=("end",)):
                tag = element.tag.rpartition("}")[2]
                if tag == "t":
                    chars += len(element.text or "")
                elif tag == "si":
                    count += 1
                    element.clear()
                if count > limit_count or chars > limit_chars:
                    raise InputFileError(str(path), f"the shared-strings table holds more than "
                                         f"{limit_count if count > limit_count else limit_chars} "
                                         f"{'strings' if count > limit_count else 'characters'} for "
                                         f"{cells} string cells (max_shared_chars={limits.max_shared_chars}); "
                                         "refusing to load it", reason="too_large")
                if not count % 4096:
                    _check_time(deadline, path)
    except InputFileError:
        raise
    except (ParseError, ValueError) as exc:
        raise InputFileError(str(path), f"corrupt shared-strings table ({exc})") from None


@contextmanager
def _first_sheet(path: Path) -> Iterator[Any]:
    import defusedxml
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # pragma: no cover - OPENPYXL_DEFUSEDXML=False in the environment
        raise InputFileError(str(path), f"refusing to parse XLSX without defusedxml "
                                        f"{defusedxml.__version__}; unset OPENPYXL_DEFUSEDXML")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _xlsx_errors() as exc:
        raise InputFileError(str(path), f"not a readable .xlsx workbook ({exc})") from None
    try:
        if not workbook.worksheets:
            raise InputFileError(str(path), "the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the declared range
        yield sheet
    finally:
        workbook.close()



def _xlsx_rows(path: Path, limits: _Limits) -> Generator[tuple[int, list[str], list[object]], None, None]:
    """Yield (sheet row number, cell texts without trailing empties, the cells' values) for
    every row up to the last non-empty one (gaps filled with empty rows)."""
    deadline = time.monotonic() + limits.max_seconds
    with _first_sheet(path) as sheet:
        rows = enumerate(sheet.iter_rows(max_row=_EXCEL_ROWS, values_only=True), start=1)
        last = 0
        while True:
            try:
                number, values = next(rows)
                texts = [_cell_text(v) for v in values]
            except StopIteration:
                return
            except _xlsx_errors() as exc:
                raise InputFileError(str(path), f"corrupt .xlsx worksheet ({exc})") from None
            if not number % 1024:
                _check_time(deadline, path)
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                continue
            if max(map(len, texts)) > limits.max_cell_chars:
                column = next(j for j, t in enumerate(texts) if len(t) > limits.max_cell_chars)
                raise InputFileError(str(path), f"row {number}, column {_column_letter(column + 1)}: "
                                     f"cell longer than max_cell_chars={limits.max_cell_chars}")
            for gap in range(last + 1, number):
                yield gap, [], []
            last = number
            yield number, texts, list(values[:len(texts)])


def _xlsx_top(path: Path, limits: _Limits) -> list[list[str]]:
    out: list[list[str]] = []
    rows = _xlsx_rows(path, limits)
    try:
        for _, texts, _values in rows:
            out.append(texts)
            if len(out) >= HEADER_SEARCH_ROWS:
                break
    finally:
        rows.close()
    if not out:
        raise InputFileError(str(path), "file is empty (the first worksheet has no rows)")
    return out


def _xlsx_frames(table: InputTable) -> Iterator[tuple[int, pd.DataFrame, pd.DataFrame]]:
    """(start, cell texts, the cells' values) for each run of ``chunk_rows`` data rows."""
    path, limits, width = table.path, table._limits, len(table.columns)
    batch: list[list[str]] = []
    values: list[list[object]] = []
    start = 0
    header_end = table.header_rows[-1]
    rows = _xlsx_rows(path, limits)
    try:
        for number, texts, cells in rows:
            if number <= header_end:
                continue
            if len(texts) > width:
                raise InputFileError(str(path), f"row {number}, column {_column_letter(len(texts))}: "
                                     f"a value beyond the header's {width} columns")
            _check_row_count(path, start, len(batch) + 1, limits.max_rows)
            batch.append(texts + [""] * (width - len(texts)))
            values.append(cells + [None] * (width - len(cells)))
            if len(batch) == limits.chunk_rows:
                yield start, _frame(batch, table.columns, start), _frame(values, table.columns, start, object)
                start, batch, values = start + len(batch), [], []
    finally:
        rows.close()
    if batch:
        yield start, _frame(batch, table.columns, start), _frame(values, table.columns, start, object)


def _frame(rows: list[list[str]] | list[list[object]], columns: tuple[str, ...], start: int, dtype: str | type = "str") -> pd.DataFrame:
    """Rows as a frame of ``dtype`` (``object``: the cells' values as they are)."""
    frame = pd.DataFrame(rows, columns=list(columns), dtype=dtype)
    frame.index = pd.RangeIndex(start, start + len(rows))
    return frame


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return format(value, ".15g")  # what Excel shows
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)



def _column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)
