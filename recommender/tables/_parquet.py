"""Parquet tables in and out (pyarrow), with the same promises as CSV and XLSX.

Reading: a ``.parquet`` file, or a folder of them (a dataset: every ``*.parquet`` below it, in
path order, names starting with ``_`` or ``.`` skipped). Every value becomes text as the
XLSX reader makes it (``""`` for null, ``3.0`` → ``"3"``), so a Parquet table ranks exactly as
the same table saved as CSV. Rows are read a row group (or a slice of one) at a time, so memory
stays bounded; :func:`parquet_pieces` cuts a dataset into pieces of about N rows for engines
that read pieces in other processes.

Writing (:class:`ParquetSink`, used by :class:`~recommender.io.TableWriter`): text cells are
neutralised as in CSV (a cell starting ``=``, ``+``, ``-``, ``@`` … gets a ``'``), numbers stay
numbers; the file is written beside the target and moved into place on a clean close.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import InputFileError

__all__ = ["ParquetPiece", "ParquetSink", "is_parquet", "parquet_columns", "parquet_files", "parquet_pieces", "read_piece", "text_frame"]


def is_parquet(path: str | os.PathLike[str]) -> bool:
    """A ``.parquet`` file or a folder (a Parquet dataset)."""
    path = Path(path)
    return path.suffix.lower() == ".parquet" or path.is_dir()


def parquet_files(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files of ``path`` (a file, or every ``*.parquet`` below a folder, sorted)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.exists():
        raise InputFileError(str(path), "file not found")
    files = sorted(
        p for p in path.rglob("*.parquet")
        if p.is_file() and not any(part.startswith(("_", ".")) for part in p.relative_to(path).parts)
    )
    if not files:
        raise InputFileError(str(path), "a folder with no .parquet file")
    return files


def _metadata(path: Path):  # noqa: ANN202 - pyarrow.parquet.FileMetaData
    import pyarrow.lib
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata
    except (pyarrow.lib.ArrowException, OSError) as exc:
        raise InputFileError(str(path), f"not a readable Parquet file ({exc})") from None


def parquet_columns(files: Sequence[Path]) -> list[str]:
    """The column names every file shares (the first file's, in order); a file with others is refused."""
    first: list[str] | None = None
    for path in files:
        names = list(_metadata(path).schema.to_arrow_schema().names)
        if first is None:
            first = names
        elif names != first:
            raise InputFileError(str(path), f"its columns {names[:10]} differ from those of {files[0].name} {first[:10]}")
    return first or []


@dataclass(frozen=True)
class ParquetPiece:
    """Rows ``start:stop`` of row group ``group`` of a Parquet file."""

    path: str
    group: int
    start: int
    stop: int

    @property
    def rows(self) -> int:
        return self.stop - self.start


def parquet_pieces(files: Sequence[Path], rows: int) -> list[ParquetPiece]:
    """Cut the files into pieces of at most ``rows`` rows, in file and row order (small row groups are not merged)."""
    pieces: list[ParquetPiece] = []
    for path in files:
        meta = _metadata(path)
        for group in range(meta.num_row_groups):
            size = meta.row_group(group).num_rows
            pieces.extend(ParquetPiece(str(path), group, a, min(a + rows, size)) for a in range(0, size, rows))
    return pieces


def read_piece(piece: ParquetPiece, columns: Sequence[str], max_cell_chars: int = 32_767) -> pd.DataFrame:
    """The piece's rows as text (:func:`text_frame`), index 0…n-1."""
    import pyarrow.parquet as pq

    group = pq.ParquetFile(piece.path).read_row_group(piece.group)
    frame = text_frame(group.slice(piece.start, piece.rows), columns)
    for column in frame.columns:
        values = frame[column].to_numpy(dtype=object)
        if max(map(len, values), default=0) > max_cell_chars:
            row = next(i for i, v in enumerate(values) if len(v) > max_cell_chars)
            raise InputFileError(piece.path, f"row group {piece.group}, row {piece.start + row + 1}, column {column!r}: "
                                             f"cell longer than max_cell_chars={max_cell_chars}")
    return frame


def text_frame(table, columns: Sequence[str]) -> pd.DataFrame:  # noqa: ANN001 - a pyarrow.Table
    """Every cell of ``table`` as text, as the XLSX reader makes it; named ``columns`` (the deduplicated headers)."""
    import pyarrow as pa

    from ._reading import _cell_text

    out = {}
    for name, column in zip(columns, table.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            values = column.fill_null("").to_pylist()
        else:
            values = [_cell_text(v) for v in column.to_pylist()]
        out[name] = pd.Series(values, dtype="str")
    return pd.DataFrame(out, index=pd.RangeIndex(len(table)))


def iter_frames(path: Path, columns: Sequence[str], chunk_rows: int, max_rows: int | None,
                max_cell_chars: int) -> Iterator[tuple[int, pd.DataFrame]]:
    """(first row, frame) for every ``chunk_rows`` rows of a Parquet file or dataset, in order."""
    start = 0
    for piece in parquet_pieces(parquet_files(path), chunk_rows):
        if max_rows is not None and start + piece.rows > max_rows:
            raise InputFileError(str(path), f"data row {max_rows + 1}: more than max_rows={max_rows} data rows",
                                 reason="too_many_rows")
        frame = read_piece(piece, columns, max_cell_chars)
        frame.index = pd.RangeIndex(start, start + len(frame))
        yield start, frame
        start += len(frame)


def _neutralised_text(series: pd.Series) -> list[str]:
    """A text column's cells as written to CSV or Parquet: ``""`` for missing, formula triggers neutralised."""
    from ._writing import _text_cells, neutralise

    return [neutralise(v) if v else v for v in _text_cells(series)]


def _arrow_table(frame: pd.DataFrame, numeric: Sequence[bool], schema=None):  # noqa: ANN001, ANN201 - pyarrow types
    """``frame`` as a pyarrow table: numeric columns as numbers, every other column neutralised text."""
    import pyarrow as pa

    arrays = []
    for j, is_number in enumerate(numeric):
        series = frame.iloc[:, j]
        if is_number:
            values = pd.to_numeric(series, errors="raise")
            if values.dtype.kind == "f" and np.isinf(values.to_numpy()).any():
                raise ValueError(f"column {frame.columns[j]!r} holds an infinite number")
            kind = schema.field(j).type if schema is not None else None
            arrays.append(pa.array(values, type=kind, from_pandas=True))
        else:
            arrays.append(pa.array(_neutralised_text(series), type=pa.string()))
    names = [str(c) for c in frame.columns]
    return pa.Table.from_arrays(arrays, schema=schema) if schema is not None else pa.Table.from_arrays(arrays, names=names)


class ParquetSink:
    """Writes frames to one Parquet file (the table's schema is fixed by the first frame)."""

    def __init__(self, path: Path, header: list[str], numeric: Sequence[bool]):
        self._path = path
        self._header = header
        self._numeric = list(numeric)
        self._writer = None
        self._schema = None

    def write_frame(self, frame: pd.DataFrame) -> None:
        import pyarrow.parquet as pq

        table = _arrow_table(frame, self._numeric, self._schema)
        if self._writer is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self._path, self._schema, compression="zstd")
        writer = self._writer
        assert writer is not None
        writer.write_table(table)

    def close(self) -> None:
        if self._writer is None:  # no rows: still a table with the header
            self.write_frame(pd.DataFrame({h: pd.Series([], dtype="float64" if n else "str") for h, n in zip(self._header, self._numeric, strict=True)}))
        assert self._writer is not None
        self._writer.close()
