"""Blank rows after the last filled row are dropped; blank rows between filled rows are kept."""

import pandas as pd
import pytest

from recommender.tables._reading import _filled_length, _without_trailing_blanks


def _frame(cells: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"name": cells, "city": [""] * len(cells)})


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([], 0),
        ([""] * 5, 0),
        (["甲"], 1),
        (["甲", "", "乙"], 3),  # a blank row between firms stays
        (["甲"] + [""] * 300, 1),  # past the first windows (64, then 256 rows)
        ([""] * 1000 + ["乙"] + [""] * 70, 1001),
    ],
)
def test_filled_length_is_the_last_filled_row(cells, expected):
    assert _filled_length(_frame(cells)) == expected


def test_trailing_blanks_held_across_chunks_and_dropped_at_the_end():
    chunks = [(0, _frame(["甲", "", ""])), (3, _frame(["", "乙", ""])), (6, _frame(["", ""]))]
    out = [(start, frame["name"].tolist()) for start, frame in _without_trailing_blanks(iter(chunks))]
    assert out == [(0, ["甲"]), (1, ["", "", "", "乙"])]
