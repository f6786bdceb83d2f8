"""Compute once per distinct value: candidate lists repeat cities, tags, customers and phrases."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ._columnar import as_list

__all__ = ["per_value", "per_value_list"]


#: A cache passed to :func:`per_value` is emptied when it holds more entries than this.
_CACHE_MAX = 20_000


def per_value(
    fn: Callable[..., tuple], *columns: pd.Series | np.ndarray | list, dtypes: Sequence[type] = (object,), cache: dict | None = None
) -> tuple[np.ndarray, ...]:
    """``fn`` applied once per distinct combination of the columns' values, spread back to rows.

    Parameters
    ----------
    fn : callable taking one value per column and returning a tuple of ``len(dtypes)`` items.
    columns : equal-length columns (values must be hashable; NaN is passed through to ``fn``).
    dtypes : the dtype of each returned array.
    cache : dict, optional
        Results kept across calls (for a pure ``fn`` whose values recur from call to call);
        emptied beyond :data:`_CACHE_MAX` entries. Default: a new one per call.

    Returns
    -------
    One array per item of ``fn``'s result, each as long as the columns.
    """
    results = per_value_list(fn, *columns, cache=cache)
    if not results:
        return tuple(np.empty(0, dtype=dtype) for dtype in dtypes)
    return tuple(np.asarray(part, dtype=dtype) for part, dtype in zip(zip(*results, strict=True), dtypes, strict=True))


def per_value_list(fn: Callable[..., object], *columns: pd.Series | np.ndarray | list, cache: dict | None = None) -> list:
    """:func:`per_value` for a ``fn`` of one result (never None): the results as a list, one per
    row (no arrays made, for callers that read Python values)."""
    lists = [as_list(c) for c in columns]
    if cache is None:
        cache = {}
    elif len(cache) > _CACHE_MAX:
        cache.clear()
    results = []
    for key in zip(*lists, strict=True):
        result = cache.get(key)
        if result is None:
            result = cache[key] = fn(*key)
        results.append(result)
    return results
