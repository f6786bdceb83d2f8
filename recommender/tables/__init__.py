"""Reading and writing candidate tables (CSV/XLSX) safely: encodings, headers, limits, formula neutralisation.

Imports only :mod:`recommender.exceptions`.
"""

from ._io import CANONICAL_COLUMNS, XLSX_MAX_ROWS, InputTable, TableChunk, TableWriter, encode_csv_rows, neutralise, open_table, write_table
from ._output import check_output_path, output_errors

__all__ = ['CANONICAL_COLUMNS', 'InputTable', 'TableChunk', 'TableWriter', 'XLSX_MAX_ROWS', 'check_output_path', 'encode_csv_rows', 'neutralise', 'open_table', 'output_errors', 'write_table']
