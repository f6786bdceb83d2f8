"""Tables as columns: a DataFrame, or a dict of equal-length arrays.

The stages pass their rows on as a dict of column → array (``Scorer.score_columns`` and
friends). pandas costs a fixed tenth of a millisecond or more per operation, which is nothing
for a file of firms and most of the time for one posted profile; a dict of numpy arrays costs
nothing per call. Public functions that take a DataFrame also take such a dict.

Text columns: where pyarrow is installed, pandas keeps the ``str`` dtype in Arrow buffers, and
every ``tolist``/``to_numpy`` of such a column makes each value a Python string anew, and every
frame built from Python strings encodes them into Arrow again. Ranking reads and writes every
value through Python, so :func:`python_strings` has pandas keep them as Python strings while a
table is ranked (the same ``str`` dtype and values; 1.3x less CPU time and a quarter less
memory per row, see ``benchmarks/README.md``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Column", "Columns", "as_list", "n_rows", "python_strings"]

#: One column: a list or other sequence, a numpy array or a pandas Series.
Column = Sequence[Any] | np.ndarray | pd.Series

#: A table as a mapping of column name → equal-length column (a DataFrame also reads so).
Columns = Mapping[str, Column]


def as_list(column: Column) -> list[Any]:
    """A column's values as a Python list (fast for numpy arrays and pandas Series)."""
    return column.tolist() if hasattr(column, "tolist") else list(column)


def n_rows(table: pd.DataFrame | Columns) -> int:
    """Rows of a DataFrame or of a dict of columns (0 for a dict without columns)."""
    if isinstance(table, pd.DataFrame):
        return len(table)
    return len(next(iter(table.values()), ()))


_STORAGE = "mode.string_storage"
_storage_lock = threading.Lock()
_storage_users = 0
_storage_before: str = "auto"


@contextmanager
def python_strings() -> Iterator[None]:
    """While inside, pandas stores new ``str`` columns as Python strings (``string_storage``
    ``"python"``), not in Arrow buffers. The option is process-wide: the first of several
    threads inside sets it and the last one out puts back what was there before."""
    global _storage_users, _storage_before
    with _storage_lock:
        if _storage_users == 0:
            _storage_before = pd.get_option(_STORAGE)
            pd.set_option(_STORAGE, "python")
        _storage_users += 1
    try:
        yield
    finally:
        with _storage_lock:
            _storage_users -= 1
            if _storage_users == 0:
                pd.set_option(_STORAGE, _storage_before)
