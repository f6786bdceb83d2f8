"""CSV cells of numeric columns: the distinct-value path writes what the general one writes."""

import numpy as np
import pandas as pd
import pytest

from recommender.tables._writing import _csv_number_texts, _csv_numbers, _numeric_cells


def _general(series: pd.Series) -> list[str]:
    return _csv_numbers(_numeric_cells(series, "x"))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fractional_floats_match_the_general_path(seed):
    rng = np.random.default_rng(seed)
    values = np.round(rng.random(5000) * 100, rng.integers(1, 6))
    values[rng.integers(0, 5000, 300)] = np.nan
    values[:3] = [0.0, 1e-7, 123456789.125]
    series = pd.Series(values)
    assert _csv_number_texts(series, "x") == _general(series)


@pytest.mark.parametrize(
    "values",
    [
        np.arange(1000, dtype=np.float64),  # integral: written as integers
        np.concatenate([np.full(600, 0.5), [-0.0], np.full(600, 0.0)]),  # a negative zero keeps its sign
        np.concatenate([np.full(600, 0.25), np.full(600, np.nan)]),
        np.array([0.1, 0.2, 0.3]),  # short
    ],
)
def test_other_columns_match_the_general_path(values):
    series = pd.Series(values)
    assert _csv_number_texts(series, "x") == _general(series)


def test_negative_zero_is_written_as_such():
    series = pd.Series(np.concatenate([np.full(600, 0.5), [-0.0]]))
    assert _csv_number_texts(series, "x")[-1] == "-0.0"


def test_an_infinite_value_is_still_refused():
    series = pd.Series(np.concatenate([np.full(600, 0.5), [np.inf]]))
    with pytest.raises(ValueError, match="not a finite number"):
        _csv_number_texts(series, "x")
