"""Read and write candidate-firm tables safely: CSV and XLSX, streamed, in bounded memory.

Reading (:func:`open_table`) treats every file as hostile:

* CSV (``.csv``, ``.txt``): a byte-order mark decides the encoding (UTF-8, UTF-16, UTF-32);
  otherwise the whole file is checked, streamed, with a strict UTF-8 decoder and then a strict
  GB18030 decoder (a superset of GBK and GB2312). No detector guesses (short GBK samples are
  often "detected" as Korean). Bytes that neither decodes raise :class:`EncodingError` naming
  the 1-based line. A file that is valid UTF-8 for at least ``8`` non-ASCII characters before a
  bad byte is taken to be damaged UTF-8 and is refused rather than re-read as GB18030 mojibake.
  The delimiter is ``,`` unless the first line holds no comma but tabs or semicolons (Excel's
  "Unicode Text" export is tab-separated UTF-16).
* XLSX: the declared uncompressed size of the archive is capped before openpyxl opens it;
  openpyxl parses through defusedxml (checked before parsing); the first worksheet is streamed
  read-only with cached values, never formulas.
* Every value is text, exactly as in the file (``"0601"`` keeps its zero, nothing is parsed as
  a number or NA, ``""`` for empty). Blank lines / empty sheet rows are skipped; the header is
  the first non-blank row.

Canonical profile columns (:data:`CANONICAL_COLUMNS`) are recognised from headers in Chinese
or English. When several headers map to one canonical column, ``description``, ``tags`` and
``customers`` join the non-empty values in file order with ``"；"``; every other column takes
the first non-empty value in file order. Original columns always pass through unchanged in
:attr:`TableChunk.raw`.

Writing (:class:`TableWriter`, :func:`write_table`) streams to a temporary file beside the
target and moves it into place only on a clean close, so a failed run never leaves a
truncated table. CSV is UTF-8 with a BOM, CRLF, minimal quoting; text cells that Excel would
run as formulas are neutralised (:func:`neutralise`) and quoted. XLSX is written with
XlsxWriter as strings and numbers only (no formulas, no hyperlinks); rows beyond one sheet
continue on ``Sheet2``, ``Sheet3``... with the header repeated.
"""

from __future__ import annotations

import codecs
import datetime as dt
import math
import numbers
import os
import re
import secrets
import unicodedata
import zipfile
import zlib
from collections.abc import Collection, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd

from ..exceptions import EncodingError, InputFileError, OutputFileError
from . import _parquet
from ._output import check_output_path, output_errors

__all__ = [
    "CANONICAL_COLUMNS",
    "XLSX_MAX_ROWS",
    "encode_csv_rows",
    "InputTable",
    "TableChunk",
    "TableWriter",
    "neutralise",
    "open_table",
    "write_table",
]

#: Canonical profile column -> accepted header aliases. Matching ignores case, surrounding
#: spaces, a BOM, full-/half-width differences and ``_``; a trailing unit in brackets is
#: accepted only where it names the expected unit (e.g. ``营业收入（万元）``, not ``营业收入(元)``).
CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "公司名称", "名称", "name", "company", "company name", "firm", "enterprise"),
    "description": (
        "主营业务", "经营范围", "主营产品", "业务描述", "简介", "企业简介", "business scope",
        "main business", "products", "description", "profile",
    ),
    "city": ("所在城市", "所在地", "城市", "注册地", "地区", "location", "city", "headquarters"),
    "country": ("国家", "国家/地区", "country"),
    "industry_code": ("行业代码", "国标行业代码", "行业分类代码", "industry_code", "industry code", "gb/t 4754"),
    "employees": ("员工人数", "从业人数", "参保人数", "人员规模", "employees", "headcount", "staff"),
    "revenue": ("营业收入", "营收", "年营业额", "revenue"),
    "founded": ("成立年份", "成立日期", "成立时间", "founded", "year founded", "established"),
    "tags": ("企业标签", "资质", "标签", "tags", "certifications"),
    "customers": ("主要客户", "客户", "customers", "key customers"),
    "patents": ("专利数", "专利数量", "专利", "patents", "patent count"),
}
#: Data rows per worksheet when writing XLSX (Excel's 1,048,576 rows minus the header).
XLSX_MAX_ROWS = 1_048_575

_READ_TYPES = (".csv", ".txt", ".xlsx", ".parquet")
_WRITE_TYPES = (".csv", ".xlsx", ".parquet")
_JOINED = frozenset({"description", "tags", "customers"})
_JOIN_SEP = "；"
_UNITS = {"revenue": ("万元", "万元人民币"), "employees": ("人",), "patents": ("件", "项", "个"),
          "founded": ("年",)}
_UNIT_SUFFIX = re.compile(r"^(.*?)\s*[(\[【]\s*([^()\[\]【】]*?)\s*[)\]】]$")
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


def _xlsx_errors() -> tuple[type[BaseException], ...]:
    """What a damaged workbook raises (openpyxl is imported only when a workbook is read)."""
    from openpyxl.utils.exceptions import InvalidFileException

    return (*_ZIP_ERRORS, InvalidFileException, KeyError, TypeError, IndexError, AttributeError, ParseError)


_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_SAFE_TEXT = re.compile(_NUMBER.pattern + "|-+")
_CSV_SCAN = re.compile(r'[",\r]|\n[=+\-@\t＝＋－＠]')
_WRITE_BATCH = 65_536
_XLSX_MAX_CHARS = 32_767


def _header_key(header: str) -> str:
    key = unicodedata.normalize("NFKC", header).replace("\ufeff", "").casefold()
    return re.sub(r"[\s_]+", " ", key).strip()


_ALIASES = {_header_key(a): canon for canon, aliases in CANONICAL_COLUMNS.items() for a in aliases}


def _canonical(header: str) -> str | None:
    key = _header_key(header)
    if key in _ALIASES:
        return _ALIASES[key]
    match = _UNIT_SUFFIX.match(key)
    if match and (canon := _ALIASES.get(match[1])) and match[2] in _UNITS.get(canon, ()):
        return canon
    return None


@dataclass(frozen=True, eq=False)
class TableChunk:
    """A run of consecutive data rows.

    Attributes
    ----------
    start_row : int
        0-based index of the chunk's first data row (blank rows and the header not counted).
    raw : pandas.DataFrame
        The file's columns (``InputTable.columns``), every value text, ``""`` for empty.
        Index: the 0-based data-row numbers ``start_row, start_row + 1, ...``.
    profiles : pandas.DataFrame
        One text column per key of :data:`CANONICAL_COLUMNS`, in that order, stripped of
        surrounding whitespace, ``""`` where the file has no such column. Same index as ``raw``.
        Made from ``raw`` on first use (a chunk sent to another process carries ``raw`` only).
    """

    start_row: int
    raw: pd.DataFrame
    sources: dict[str, list[str]] = field(repr=False)  # canonical column -> the file's columns

    @cached_property
    def profiles(self) -> pd.DataFrame:
        return _profiles(self.raw, self.sources)

    def __getstate__(self) -> dict:
        return {"start_row": self.start_row, "raw": self.raw, "sources": self.sources}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


@dataclass(frozen=True)
class _Limits:
    chunk_rows: int
    max_rows: int | None
    max_columns: int
    max_cell_chars: int
    max_unzipped_bytes: int


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
        Header -> canonical column, for every recognised header.
    encoding : str or None
        ``"utf-8"``, ``"utf-8-sig"``, ``"gb18030"``, ``"utf-16"`` or ``"utf-32"``; None for XLSX.
    delimiter : str or None
        The CSV field separator; None for XLSX.
    """

    path: Path
    columns: tuple[str, ...]
    mapping: dict[str, str]
    encoding: str | None
    delimiter: str | None = None
    _limits: _Limits = field(default=_Limits(50_000, None, 500, 32_767, 512 * 2**20), repr=False)

    def chunks(self) -> Iterator[TableChunk]:
        """Stream the data rows, ``chunk_rows`` at a time; each call reads the file afresh.

        Yields
        ------
        TableChunk
            Every data row exactly once, in file order.

        Raises
        ------
        InputFileError
            A row has more fields than the header, a cell is longer than ``max_cell_chars``,
            or the file holds more than ``max_rows`` data rows (raised before the chunk
            holding the excess row is yielded).
        """
        if self.encoding is None and _parquet.is_parquet(self.path):
            limits = self._limits
            rows = _parquet.iter_frames(self.path, self.columns, limits.chunk_rows, limits.max_rows, limits.max_cell_chars)
        else:
            rows = _csv_frames(self) if self.encoding is not None else _xlsx_frames(self)
        sources: dict[str, list[str]] = {}
        for column, canon in self.mapping.items():
            sources.setdefault(canon, []).append(column)
        for start, raw in rows:
            yield TableChunk(start, raw, sources)


def open_table(path: str | os.PathLike[str], *, chunk_rows: int = 50_000,
               max_rows: int | None = None, max_columns: int = 500,
               max_cell_chars: int = 32_767, max_unzipped_bytes: int = 512 * 2**20) -> InputTable:
    """Open a CSV or XLSX table of candidate firms and check its header.

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

    Returns
    -------
    InputTable
        Iterate :meth:`InputTable.chunks` for the rows.

    Raises
    ------
    InputFileError
        Unsupported type, missing or empty file, no firm-name column, a limit exceeded,
        a corrupt workbook or malformed CSV.
    EncodingError
        Bytes that no accepted encoding decodes; names the line.
    """
    for name, value, least in (("chunk_rows", chunk_rows, 1), ("max_columns", max_columns, 1),
                               ("max_cell_chars", max_cell_chars, 1),
                               ("max_unzipped_bytes", max_unzipped_bytes, 1),
                               ("max_rows", 0 if max_rows is None else max_rows, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ValueError(f"The {name!r} parameter of open_table must be an int >= {least}. "
                             f"Got {value!r} instead.")
    path = Path(path)
    limits = _Limits(chunk_rows, max_rows, max_columns, max_cell_chars, max_unzipped_bytes)
    suffix = path.suffix.lower()
    if path.is_dir():
        suffix = ".parquet"  # a Parquet dataset
    if suffix not in _READ_TYPES:
        raise InputFileError(str(path), f"unsupported file type {suffix or '(no extension)'!r}; "
                                        f"accepted: {', '.join(_READ_TYPES)}")
    if suffix == ".parquet":
        encoding = delimiter = None
        header = _parquet.parquet_columns(_parquet.parquet_files(path))
    elif not path.is_file():
        raise InputFileError(str(path), "file not found" if not path.exists() else "not a file")
    elif path.stat().st_size == 0:
        raise InputFileError(str(path), "file is empty")
    elif suffix == ".xlsx":
        _check_zip(path, max_unzipped_bytes)
        encoding = delimiter = None
        header = _xlsx_header(path, limits)
    else:
        encoding = _detect_encoding(path)
        delimiter = _sniff_delimiter(path, encoding)
        header = _csv_header(path, encoding, delimiter)
    if len(header) > max_columns:
        raise InputFileError(str(path), f"row 1 has {len(header)} columns, more than "
                                        f"max_columns={max_columns}")
    cleaned = [h.strip().strip("\ufeff").strip() or f"Unnamed: {i}" for i, h in enumerate(header)]
    columns = _dedupe(cleaned)
    mapping = {col: canon for col, h in zip(columns, cleaned, strict=True) if (canon := _canonical(h))}
    if "name" not in mapping.values():
        found = ", ".join(columns[:20]) + (", ..." if len(columns) > 20 else "")
        raise InputFileError(str(path), "no firm-name column; the header (the first non-blank row) "
                             f"needs one of {', '.join(CANONICAL_COLUMNS['name'])} (found: {found})")
    return InputTable(path, columns, mapping, encoding, delimiter, limits)


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


def _profiles(raw: pd.DataFrame, sources: dict[str, list[str]]) -> pd.DataFrame:
    out = {}
    for canon in CANONICAL_COLUMNS:
        parts = [pd.Series([v.strip() for v in raw[col].tolist()], index=raw.index, dtype=object) for col in sources.get(canon, ())]
        if not parts:
            out[canon] = pd.Series("", index=raw.index, dtype="str")
            continue
        value = parts[0]
        for part in parts[1:]:
            if canon in _JOINED:
                value = (value + _JOIN_SEP + part).where((value != "") & (part != ""), value + part)
            else:
                value = value.where(value != "", part)
        out[canon] = value
    return pd.DataFrame(out, index=raw.index)


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
    gb = _scan(path, "gb18030")
    if gb is None:
        return "gb18030"
    worst = max(utf8, gb, key=lambda f: f.line)
    raise EncodingError(str(path), worst.line,
                        f"bytes {worst.bad.hex(' ')} are neither UTF-8 nor GB18030/GBK; "
                        "re-save the file as 'CSV UTF-8'")


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as f:
        line = f.readline(_SNIFF_CHARS)
    if "," in line:
        return ","
    return max(("\t", ";"), key=line.count) if ("\t" in line or ";" in line) else ","


def _read_csv(path: Path, encoding: str, delimiter: str, **options: Any) -> Any:
    # The C parser skips a UTF-8 BOM itself and reads "utf-8" without a Python text layer.
    return pd.read_csv(path, sep=delimiter, header=None, dtype=str, keep_default_na=False,
                       na_filter=False, encoding="utf-8" if encoding == "utf-8-sig" else encoding,
                       engine="c", skip_blank_lines=True, **options)


def _csv_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    try:
        frame = _read_csv(path, encoding, delimiter, nrows=1)
    except pd.errors.EmptyDataError:
        raise InputFileError(str(path), "file is empty (no header row)") from None
    except pd.errors.ParserError as exc:
        raise _parser_error(path, encoding, exc) from None
    if frame.empty:
        raise InputFileError(str(path), "file is empty (no header row)")
    return [str(v) for v in frame.iloc[0].tolist()]


def _csv_frames(table: InputTable) -> Iterator[tuple[int, pd.DataFrame]]:
    path, limits = table.path, table._limits
    assert table.encoding is not None and table.delimiter is not None
    try:
        with _read_csv(path, table.encoding, table.delimiter, chunksize=limits.chunk_rows) as reader:
            reader.get_chunk(1)  # the header, read by open_table
            start = 0
            for frame in reader:
                _check_row_count(path, start, len(frame), limits.max_rows)
                frame.columns = list(table.columns)
                frame.index = pd.RangeIndex(start, start + len(frame))
                for column in frame.columns:
                    values = frame[column].to_numpy(dtype=object)
                    if max(map(len, values), default=0) > limits.max_cell_chars:
                        row = next(i for i, v in enumerate(values) if len(v) > limits.max_cell_chars)
                        raise InputFileError(str(path), f"data row {start + row + 1}, column "
                                             f"{column!r}: cell longer than max_cell_chars="
                                             f"{limits.max_cell_chars}")
                yield start, frame
                start += len(frame)
    except pd.errors.ParserError as exc:
        raise _parser_error(path, table.encoding, exc) from None


def _check_row_count(path: Path, start: int, rows: int, max_rows: int | None) -> None:
    if max_rows is not None and start + rows > max_rows:
        raise InputFileError(str(path), f"data row {max_rows + 1}: more than max_rows={max_rows} "
                                        "data rows",
                             reason="too_many_rows")


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

def _check_zip(path: Path, cap: int) -> None:
    with path.open("rb") as f:
        if f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise InputFileError(str(path), "password-protected or legacy .xls workbook; save it "
                                            "as an unprotected .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except _ZIP_ERRORS as exc:
        raise InputFileError(str(path), f"not a valid .xlsx workbook ({exc})") from None
    # zipfile stops reading each member at its declared size (and then fails its CRC), so the
    # declared total bounds what openpyxl can inflate.
    if total > cap:
        raise InputFileError(str(path), f"workbook unzips to {total} bytes, more than "
                                        f"max_unzipped_bytes={cap}", reason="too_large")


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


def _xlsx_rows(path: Path, limits: _Limits) -> Iterator[tuple[int, list[str]]]:
    """Yield (sheet row number, cell texts without trailing empties) for non-empty rows."""
    with _first_sheet(path) as sheet:
        rows = enumerate(sheet.iter_rows(max_row=_EXCEL_ROWS, values_only=True), start=1)
        while True:
            try:
                number, values = next(rows)
                texts = [_cell_text(v) for v in values]
            except StopIteration:
                return
            except _xlsx_errors() as exc:
                raise InputFileError(str(path), f"corrupt .xlsx worksheet ({exc})") from None
            while texts and not texts[-1]:
                texts.pop()
            if not texts:
                continue
            if max(map(len, texts)) > limits.max_cell_chars:
                column = next(j for j, t in enumerate(texts) if len(t) > limits.max_cell_chars)
                raise InputFileError(str(path), f"row {number}, column {_column_letter(column + 1)}: "
                                     f"cell longer than max_cell_chars={limits.max_cell_chars}")
            yield number, texts


def _xlsx_header(path: Path, limits: _Limits) -> list[str]:
    with closing(_xlsx_rows(path, limits)) as rows:
        for _, texts in rows:
            return texts
    raise InputFileError(str(path), "file is empty (the first worksheet has no rows)")


def _xlsx_frames(table: InputTable) -> Iterator[tuple[int, pd.DataFrame]]:
    path, limits, width = table.path, table._limits, len(table.columns)
    batch: list[list[str]] = []
    start = 0
    with closing(_xlsx_rows(path, limits)) as rows:
        next(rows, None)  # the header, read by open_table
        for number, texts in rows:
            if len(texts) > width:
                raise InputFileError(str(path), f"row {number}, column {_column_letter(len(texts))}: "
                                     f"a value beyond the header's {width} columns")
            _check_row_count(path, start, len(batch) + 1, limits.max_rows)
            batch.append(texts + [""] * (width - len(texts)))
            if len(batch) == limits.chunk_rows:
                yield start, _frame(batch, table.columns, start)
                start, batch = start + len(batch), []
    if batch:
        yield start, _frame(batch, table.columns, start)


def _frame(rows: list[list[str]], columns: tuple[str, ...], start: int) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns), dtype="str")
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


def _numeric_cells(series: pd.Series, column: str) -> list[int | float | None]:
    """Numbers for one column (None where missing); integral float columns become ints."""
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else "O"
    if kind in "iu":
        return series.tolist()
    if kind == "b":
        return series.astype(np.int64).tolist()
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


def _csv_lines(columns: list[tuple[bool, list[Any]]], lone: bool) -> list[str]:
    cells = [_csv_numbers(values) if numeric else _csv_text(values, lone) for numeric, values in columns]
    return list(map(",".join, zip(*cells, strict=True))) if cells and cells[0] else []


def encode_csv_rows(frame: pd.DataFrame, *, numeric_columns: Collection[str] = ()) -> list[str]:
    """Each row of ``frame`` as CSV text (no line end), neutralised as :class:`TableWriter` does.

    For callers that assemble output rows from parts before writing them in another order
    (:meth:`TableWriter.write_encoded_lines`, once UTF-8); a part is joined to its neighbours with ``","``.
    """
    columns = [
        (True, _numeric_cells(frame[c], str(c))) if c in numeric_columns else (False, _text_cells(frame[c]))
        for c in frame.columns
    ]
    return _csv_lines(columns, lone=False)


class _CsvSink:
    def __init__(self, path: Path, header: list[str]):
        self._file = path.open("x", encoding="utf-8-sig", newline="")
        self._lone = len(header) == 1
        self._file.write(",".join(_csv_text(header, self._lone)) + "\r\n")

    def write(self, columns: list[tuple[bool, list[Any]]]) -> None:
        self.write_lines(_csv_lines(columns, self._lone))

    def write_lines(self, lines: list[str]) -> None:
        if lines:
            self._file.write("\r\n".join(lines) + "\r\n")

    def write_encoded_lines(self, lines: list[bytes]) -> None:
        if lines:
            self._file.flush()
            self._file.buffer.write(b"\r\n".join(lines) + b"\r\n")

    def reserve(self, nbytes: int) -> int:
        self._file.flush()
        offset = self._file.buffer.tell()
        os.ftruncate(self._file.fileno(), offset + nbytes)
        self._file.seek(0, os.SEEK_END)
        return offset

    def close(self) -> None:
        self._file.close()


class _XlsxSink:
    def __init__(self, path: Path, header: list[str]):
        import xlsxwriter

        self._book = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        self._header = header
        self._sheet: Any = None
        self._row = 0
        self._sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        self._sheet = self._book.add_worksheet(f"Sheet{self._sheets}")
        for j, name in enumerate(self._header):
            self._sheet.write_string(0, j, name)
        self._sheet.freeze_panes(1, 0)
        self._row = 1

    def write(self, columns: list[tuple[bool, list[Any]]]) -> None:
        rows = len(columns[0][1]) if columns else 0
        for i in range(rows):
            if self._row > XLSX_MAX_ROWS:
                self._new_sheet()
            write_string, write_number, row = self._sheet.write_string, self._sheet.write_number, self._row
            for j, (numeric, values) in enumerate(columns):
                value = values[i]
                if numeric:
                    if value is not None:
                        write_number(row, j, value)
                elif value:
                    write_string(row, j, value)
            self._row += 1

    def close(self) -> None:
        from xlsxwriter.exceptions import FileCreateError

        error = None
        try:
            self._book.close()
        except FileCreateError as exc:  # xlsxwriter wraps the operating system's error
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
            error = OSError(cause.errno, cause.strerror)
        if error is not None:  # raised without the traceback, which holds the half-written file open
            raise error


class TableWriter:
    """Stream rows to a ``.csv`` or ``.xlsx`` file that is safe to open in Excel.

    Use as a context manager: the rows go to a temporary file beside ``path`` that replaces
    ``path`` only on a clean :meth:`close`; if the block raises, the partial output is deleted
    and an existing file at ``path`` is left untouched.

    Parameters
    ----------
    path : str or path-like
        The output; its extension (``.csv`` or ``.xlsx``, case-insensitive) picks the format.
    columns : sequence of str
        The header; every frame passed to :meth:`write` has exactly these columns, in order.
    numeric_columns : collection of str, default ()
        Columns written as numbers (int or float; NaN/None/"" blank), never neutralised.
        A value that is not a number, or is infinite, raises ``ValueError``.

    Raises
    ------
    InputFileError
        The extension is not ``.csv`` or ``.xlsx``.
    OutputFileError
        ``path`` cannot be written (a folder, a missing or read-only folder: checked at once;
        a full disk: when it happens). The temporary file is removed on every failure.
    ValueError
        ``numeric_columns`` names a column not in ``columns``, or ``columns`` is empty.
    """

    def __init__(self, path: str | os.PathLike[str], columns: Sequence[str], *,
                 numeric_columns: Collection[str] = ()):
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
        self._tmp = self.path.with_name(f".{self.path.stem}.{secrets.token_hex(4)}.part{suffix}")
        header = [str(c) for c in self.columns]
        if suffix == ".xlsx" and (long := [h for h in header if len(h) > _XLSX_MAX_CHARS]):
            raise ValueError(f"column name longer than {_XLSX_MAX_CHARS} characters: {long[0][:40]!r}...")
        check_output_path(self.path)
        self._sink: _CsvSink | _XlsxSink | _parquet.ParquetSink | None = None
        with self._os_errors():
            self._sink = (
                _CsvSink(self._tmp, header) if suffix == ".csv"
                else _parquet.ParquetSink(self._tmp, header, self._numeric) if suffix == ".parquet" else _XlsxSink(self._tmp, header))

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
        for start in range(0, len(frame), _WRITE_BATCH):
            part = frame.iloc[start:start + _WRITE_BATCH]
            if isinstance(self._sink, _parquet.ParquetSink):
                self._sink.write_frame(part)
                self.rows_written += len(part)
                continue
            columns: list[tuple[bool, list[Any]]] = []
            for j, numeric in enumerate(self._numeric):
                series, name = part.iloc[:, j], str(self.columns[j])
                if numeric:
                    columns.append((True, _numeric_cells(series, name)))
                    continue
                values = _text_cells(series)
                if xlsx and max(map(len, values), default=0) > _XLSX_MAX_CHARS:
                    row = next(i for i, v in enumerate(values) if len(v) > _XLSX_MAX_CHARS)
                    raise ValueError(f"column {name!r}, row {series.index[row]!r}: text longer than "
                                     f"Excel's {_XLSX_MAX_CHARS} characters; write CSV instead")
                columns.append((False, values))
            with self._os_errors():
                self._sink.write(columns)
            self.rows_written += len(part)

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


def _column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)
