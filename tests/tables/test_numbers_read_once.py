"""Numbers are read once: the tables stage hands the profile stage the numbers it read, as floats,
and the profile stage reads the same values from them as it reads from their text."""

import numpy as np
import pandas as pd
import pytest

from recommender.scoring import RANGE_COLUMNS, profile_columns
from recommender.tables._vendor import profiles

SOURCES = {"name": ["企业名称"], "revenue": ["营业收入(元)"], "employees": ["参保人数"], "founded": ["成立日期"], "patents": ["专利数"]}
UNITS = {"营业收入(元)": 1.0}


def _raw(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["企业名称", "营业收入(元)", "参保人数", "成立日期", "专利数"], dtype=object)


def test_columns_whose_values_were_all_read_come_as_floats_in_the_profile_units():
    raw = _raw([
        ["甲公司", "12,000,000", "120", "2015-03-01", "3"],
        ["乙公司", "1.5亿", "-", "43831", "暂无"],  # words, a missing mark, an Excel serial date
        ["丙公司", "", "85人", "2008", ""],
    ])
    out = profiles(raw, SOURCES, UNITS)
    for field in ("revenue", "employees", "founded", "patents"):
        assert out[field].dtype.kind == "f", field
    assert out["revenue"].tolist() == [1200.0, 15000.0, pytest.approx(np.nan, nan_ok=True)]
    assert out["founded"].tolist() == [2015.0, 2020.0, 2008.0]
    assert np.isnan(out["employees"][1]) and out["employees"][2] == 85.0
    assert np.isnan(out["patents"][1]) and out.attrs["unreadable"] == {}


def test_a_range_or_an_unreadable_value_keeps_its_column_as_text_for_the_profile_stage():
    raw = _raw([["甲公司", "1000万", "50-99人", "2015", "3"], ["乙公司", "3000000", "200", "2016", "不详的数"]])
    out = profiles(raw, SOURCES, UNITS)
    assert out["employees"].tolist() == ["50-99人", "200"]  # the range as written, for its ends
    assert out["patents"].tolist() == ["3", "不详的数"] and out.attrs["unreadable"] == {"专利数": 1}
    assert out["revenue"].dtype.kind == "f" and out["revenue"].tolist() == [1000.0, 300.0]
    cols = profile_columns(out)
    low, high = RANGE_COLUMNS
    assert (cols[low][0], cols[high][0]) == (50.0, 99.0) and cols["employees"][1] == 200.0 and np.isnan(cols[low][1])
    assert np.isnan(cols["patents"][1]) and "专利数" not in cols["errors"][0] and "专利" in cols["errors"][1]


@pytest.mark.parametrize("field, values", [
    ("revenue", [1200.0, np.nan, -5.0, 3e12]),
    ("employees", [10.0, np.nan, 2e7, 0.0]),
    ("founded", [1999.0, 2031.0, np.nan, 1700.0]),
    ("patents", [3.0, -1.0, np.nan, 7.0]),
])
def test_the_profile_stage_reads_floats_as_it_reads_their_text(field, values):
    floats = pd.DataFrame({"name": ["a", "b", "c", "d"], field: values})
    text = floats.assign(**{field: ["" if np.isnan(v) else repr(v) for v in values]})
    typed, parsed = profile_columns(floats), profile_columns(text)
    np.testing.assert_array_equal(typed[field], parsed[field])
    assert [bool(e) for e in typed["errors"]] == [bool(e) for e in parsed["errors"]]
    assert any(typed["errors"])  # each case holds a value out of the field's bounds


def test_an_excel_serial_in_a_numeric_column_is_still_a_date():
    cols = profile_columns(pd.DataFrame({"name": ["a"], "founded": [43831.0]}))
    assert cols["founded"][0] == 2020.0 and cols["errors"][0] == ""
