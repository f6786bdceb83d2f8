"""Compute once per distinct value: candidate lists repeat cities, tags, customers and phrases."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

__all__ = ["per_value"]


def per_value(fn: Callable[..., tuple], *columns: pd.Series | np.ndarray, dtypes: Sequence[type] = (object,)) -> tuple[np.ndarray, ...]:
    """``fn`` applied once per distinct combination of the columns' values, spread back to rows.

    Parameters
    ----------
    fn : callable taking one value per column and returning a tuple of ``len(dtypes)`` items.
    columns : equal-length columns (missing values are passed as they are, e.g. NaN).
    dtypes : the dtype of each returned array.

    Returns
    -------
    One array per item of ``fn``'s result, each as long as the columns.
    """
    arrays = [np.asarray(c, dtype=object) if not isinstance(c, pd.Series) else c.to_numpy(dtype=object) for c in columns]
    if len(arrays) == 1:
        codes, uniques = pd.factorize(arrays[0], sort=False, use_na_sentinel=False)
        results = [fn(value) for value in uniques]
    else:
        codes, uniques = pd.factorize(pd.MultiIndex.from_arrays(arrays), sort=False, use_na_sentinel=False)
        results = [fn(*values) for values in uniques]
    if not results:
        return tuple(np.empty(0, dtype=dtype) for dtype in dtypes)
    return tuple(np.asarray(part, dtype=dtype)[codes] for part, dtype in zip(zip(*results, strict=True), dtypes, strict=True))
