"""The reading and writing names under their former module (other stages import them from here)."""

from ._header import CANONICAL_COLUMNS
from ._reading import InputTable, TableChunk, open_table
from ._writing import XLSX_MAX_ROWS, TableWriter, encode_csv_rows, neutralise, write_table

__all__ = [
    "CANONICAL_COLUMNS",
    "XLSX_MAX_ROWS",
    "InputTable",
    "TableChunk",
    "TableWriter",
    "encode_csv_rows",
    "neutralise",
    "open_table",
    "write_table",
]
