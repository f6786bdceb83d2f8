import math

import numpy as np
import pandas as pd
import pytest

from recommender import ProfileError
from recommender.scoring import profile_columns, profile_records
from recommender.scoring._profile import _prepare_profiles


@pytest.mark.parametrize(("raw", "value"), [("300", 300), ("约300", 300), ("300-500", 400), ("1,200", 1200), ("1.2万", 12000), ("500人以上", 500)])
def test_prepare_profiles_parses_messy_numbers(raw, value):
    out = _prepare_profiles(pd.DataFrame({"name": ["x"], "employees": [raw]}))
    assert out.loc[0, "employees"] == pytest.approx(value)
    assert out.loc[0, "errors"] == ""


@pytest.mark.parametrize("raw", ["不详", "", "N/A", "-"])
def test_prepare_profiles_unknown_is_missing_not_an_error(raw):
    out = _prepare_profiles(pd.DataFrame({"name": ["x"], "employees": [raw]}))
    assert math.isnan(out.loc[0, "employees"])
    assert out.loc[0, "errors"] == ""


def test_prepare_profiles_out_of_range_year_is_an_error():
    out = _prepare_profiles(pd.DataFrame({"name": ["x"], "founded": ["3021"]}))
    assert "成立年份超出合理范围" in out.loc[0, "errors"]


def test_prepare_profiles_keeps_index_and_every_row():
    frame = pd.DataFrame({"name": ["a", "", "c"]}, index=[7, 8, 9])
    out = _prepare_profiles(frame)
    assert out.index.tolist() == [7, 8, 9]
    assert out["errors"].tolist() == ["", "缺少企业名称 / name: missing", ""]


def test_profile_records_rejects_unknown_fields():
    with pytest.raises(ProfileError, match="score: unknown field"):
        profile_records([{"name": "x", "score": 100}])


def test_profile_records_accepts_tag_lists_and_numbers():
    records = profile_records([{"name": "x", "tags": ["专精特新", "高新技术企业"], "employees": 120}])
    assert records["tags"] == ["专精特新；高新技术企业"]
    assert records["employees"].tolist() == [120.0]  # a number within bounds stays a number


def test_profile_records_numbers_read_as_their_text_would_be():
    # a column of numbers within bounds (blanks as NaN) is taken as it is; one with a value out
    # of bounds or written as text is read as a file's cells are: the same values either way,
    # and the value out of bounds reported as written
    typed = profile_records([{"name": "a", "employees": 120, "founded": 2009}, {"name": "b", "revenue": 3.5e4}])
    assert isinstance(typed["employees"], np.ndarray) and np.isnan(typed["employees"][1])
    written = profile_records([{"name": "a", "employees": "120", "founded": "2009"}, {"name": "b", "revenue": "35000.0"}])
    assert written["employees"] == ["120", ""]
    for a, b in zip(profile_columns(typed).values(), profile_columns(written).values(), strict=True):
        np.testing.assert_array_equal(a, b)  # exactly equal (NaN where blank on both sides)
    out_of_range = profile_records([{"name": "a", "founded": 2009}, {"name": "b", "founded": 3021}])
    assert out_of_range["founded"] == ["2009", "3021"]
    assert profile_columns(out_of_range)["errors"].tolist() == ["", "成立年份超出合理范围：'3021' / founded: out of range"]


def test_prepare_profiles_treats_every_missing_marker_as_blank():
    frame = pd.DataFrame({"name": pd.array(["x", pd.NA, None], dtype=object), "employees": [float("nan"), None, pd.NA]})
    out = _prepare_profiles(frame)
    assert out["name"].tolist() == ["x", "", ""]
    assert out["employees"].isna().all()


@pytest.mark.parametrize(("raw", "value", "low", "high"), [
    ("50-99人", 75, 50, 99), ("少于50人", 25, 0, 49), ("大于10000人", 10_000, 10_000, math.nan), ("100-499人", 300, 100, 499),
    ("300", 300, math.nan, math.nan), ("", math.nan, math.nan, math.nan), ("abc人", math.nan, math.nan, math.nan),
])
def test_prepare_profiles_keeps_a_headcount_range_beside_the_number_used(raw, value, low, high):
    out = _prepare_profiles(pd.DataFrame({"name": ["x"], "employees": [raw]}))
    for column, expected in (("employees", value), ("employees_low", low), ("employees_high", high)):
        got = out.loc[0, column]
        assert (math.isnan(got) and math.isnan(expected)) or got == expected, (column, got)


def test_headcount_range_is_said_in_the_reasons_where_headcount_counts():
    from recommender import Recommender

    firms = pd.DataFrame({"name": ["甲电池有限公司", "乙电池有限公司", "丙电池有限公司", "丁电池有限公司"],
                          "description": ["锂离子电池正极材料研发、生产"] * 4,
                          "employees": ["50-99人", "少于50人", "大于10000人", "120"]})
    recommender = Recommender()
    zh = recommender.rank(firms)[0].set_index("name")["reasons"]
    en = recommender.rank(firms, lang="en")[0].set_index("name")["reasons"]
    assert "员工50–99人（按75人计）" in zh["甲电池有限公司"] and "50–99 staff (taken as 75)" in en["甲电池有限公司"]
    assert "员工少于50人（按25人计）" in zh["乙电池有限公司"] and "under 50 staff (taken as 25)" in en["乙电池有限公司"]
    assert "员工10,000人以上（按10,000人计）" in zh["丙电池有限公司"] and "10,000+ staff (taken as 10,000)" in en["丙电池有限公司"]
    assert "员工120人" in zh["丁电池有限公司"] and "按" not in zh["丁电池有限公司"].split("员工120人")[1][:2]


def test_no_data_marks_in_text_fields_are_blanks():
    out = _prepare_profiles(pd.DataFrame({"name": ["甲公司", "乙公司"], "city": ["-", "深圳"], "description": ["暂无", "锂电池"],
                                         "industry_code": ["--", "3841"], "tags": ["未公开", "高新技术企业"], "customers": ["／", ""]}))
    assert out.loc[0, ["city", "description", "industry_code", "tags", "customers"]].tolist() == ["", "", "", "", ""]
    assert out.loc[1, ["city", "description", "industry_code", "tags"]].tolist() == ["深圳", "锂电池", "3841", "高新技术企业"]


def test_a_city_of_a_dash_is_a_missing_place_not_a_poor_origin():
    from recommender import Recommender

    scored = Recommender().scorer.score_frame(pd.DataFrame({"name": ["甲公司", "乙公司"], "description": ["锂电池制造"] * 2,
                                                            "city": ["-", ""]}))
    assert scored.loc[0, "score_origin"] == scored.loc[1, "score_origin"] and "place" in scored.loc[0, "missing"]


@pytest.mark.parametrize("dtype", [pd.StringDtype("python", na_value=np.nan), pd.StringDtype("pyarrow", na_value=np.nan),
                                   pd.StringDtype("python"), object])
def test_text_columns_of_any_dtype_give_the_same_stripped_text(dtype):
    from recommender.scoring._profile import _text

    values = [" 江门甲科技有限公司 ", None, "", "\u3000乙\t", "丙"]
    column = pd.Series(values, dtype=dtype)
    assert _text(column).tolist() == ["江门甲科技有限公司", "", "", "乙", "丙"]
    assert profile_columns(pd.DataFrame({"name": column}))["name"].tolist() == _text(column).tolist()
    assert _text(column.iloc[:0]).tolist() == []
