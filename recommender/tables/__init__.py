"""Reading and writing candidate tables (CSV/XLSX) safely: encodings, headers, limits, formula neutralisation.

Imports only :mod:`recommender.exceptions`.
"""

from ._io import CANONICAL_COLUMNS, XLSX_MAX_ROWS, InputTable, TableChunk, TableWriter, encode_csv_rows, neutralise, open_table, write_table

__all__ = ['CANONICAL_COLUMNS', 'InputTable', 'TableChunk', 'TableWriter', 'XLSX_MAX_ROWS', 'encode_csv_rows', 'neutralise', 'open_table', 'write_table']
