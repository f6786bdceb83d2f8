"""Tables as columns: a DataFrame, or a dict of equal-length arrays.

The stages pass their rows on as a dict of column → array (``Scorer.score_columns`` and
friends). pandas costs a fixed tenth of a millisecond or more per operation, which is nothing
for a file of firms and most of the time for one posted profile; a dict of numpy arrays costs
nothing per call. Public functions that take a DataFrame also take such a dict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Column", "Columns", "as_list", "n_rows"]

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
