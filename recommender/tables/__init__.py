"""Reading and writing candidate tables (CSV/XLSX) safely, and reading vendor exports as officers have them.

Private modules by concern: ``_reading`` (encodings, limits, streaming), ``_header`` (finding the
header, recognising columns), ``_vendor`` (vendor columns → profile fields, row kinds,
duplicates), ``_values`` (numbers, money, headcounts, dates as written), ``_writing`` (safe CSV
and styled XLSX), ``_report`` (the column report and the notes sheet).

Imports only :mod:`recommender.exceptions` and :mod:`recommender.reference`.
"""

from ._header import CANONICAL_COLUMNS, PASSTHROUGH_COLUMNS, VENDOR_COLUMNS, find_header
from ._output import check_output_path, output_errors
from ._reading import InputTable, TableChunk, open_table
from ._report import ColumnUse, column_report, format_column_report, notes_rows
from ._values import FX_DATE, FX_RATES, Headcount, is_missing, parse_count, parse_headcount, parse_money, parse_year
from ._writing import XLSX_MAX_ROWS, TableWriter, encode_csv_rows, neutralise, write_table

__all__ = [
    "CANONICAL_COLUMNS", "FX_DATE", "FX_RATES", "PASSTHROUGH_COLUMNS", "VENDOR_COLUMNS", "XLSX_MAX_ROWS", "ColumnUse",
    "Headcount", "InputTable", "TableChunk", "TableWriter", "check_output_path", "column_report", "encode_csv_rows",
    "find_header", "format_column_report", "is_missing", "neutralise", "notes_rows", "open_table", "output_errors",
    "parse_count", "parse_headcount", "parse_money", "parse_year", "write_table",
]
