"""Compute once per distinct value: candidate lists repeat cities, tags, customers and phrases."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ._columnar import as_list

__all__ = ["KeptValues", "forget_values", "per_value", "per_value_list"]


#: A cache passed to :func:`per_value` is emptied when it holds more entries than this.
_CACHE_MAX = 20_000

#: Every :class:`KeptValues` alive, by identity (what :func:`forget_values` empties).
_KEPT: weakref.WeakValueDictionary[int, KeptValues] = weakref.WeakValueDictionary()


class KeptValues(dict):
    """Results of a pure function kept across calls (values that recur from profile to profile).

    Emptied when it holds more than ``limit`` entries (:meth:`bound`, called before a batch) and
    by :func:`forget_values`.
    """

    __slots__ = ("__weakref__", "limit")

    def __init__(self, limit: int = _CACHE_MAX):
        super().__init__()
        self.limit = limit
        _KEPT[id(self)] = self

    def __reduce__(self) -> tuple:  # a copy starts empty (and is registered like any other)
        return (type(self), (self.limit,))

    def bound(self) -> None:
        if len(self) > self.limit:
            self.clear()


def forget_values() -> None:
    """Empty every :class:`KeptValues` of this process.

    A long-lived worker calls it after each piece: each entry made among a piece's rows keeps the
    small-object arena it sits in (1 MiB, mostly the piece's freed cells) from being given back,
    so its memory rose piece after piece until a cache reached its bound.
    """
    for kept in list(_KEPT.values()):
        kept.clear()


def per_value(
    fn: Callable[..., tuple], *columns: pd.Series | np.ndarray | list, dtypes: Sequence[type] = (object,), cache: KeptValues | None = None
) -> tuple[np.ndarray, ...]:
    """``fn`` applied once per distinct combination of the columns' values, spread back to rows.

    Parameters
    ----------
    fn : callable taking one value per column and returning a tuple of ``len(dtypes)`` items.
    columns : equal-length columns (values must be hashable; NaN is passed through to ``fn``).
    dtypes : the dtype of each returned array.
    cache : KeptValues, optional
        Results kept across calls (for a pure ``fn`` whose values recur from call to call);
        emptied beyond its limit. Default: a new dict per call.

    Returns
    -------
    One array per item of ``fn``'s result, each as long as the columns.
    """
    results = per_value_list(fn, *columns, cache=cache)
    if not results:
        return tuple(np.empty(0, dtype=dtype) for dtype in dtypes)
    return tuple(np.asarray(part, dtype=dtype) for part, dtype in zip(zip(*results, strict=True), dtypes, strict=True))


def per_value_list(fn: Callable[..., object], *columns: pd.Series | np.ndarray | list, cache: KeptValues | None = None) -> list:
    """:func:`per_value` for a ``fn`` of one result (never None): the results as a list, one per
    row (no arrays made, for callers that read Python values)."""
    lists = [as_list(c) for c in columns]
    store: dict = {} if cache is None else cache
    if cache is not None:
        cache.bound()
    results = []
    for key in zip(*lists, strict=True):
        result = store.get(key)
        if result is None:
            result = store[key] = fn(*key)
        results.append(result)
    return results
