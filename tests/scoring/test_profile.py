import math

import numpy as np
import pandas as pd
import pytest

from recommender import ProfileError
from recommender.scoring import prepare_profiles, profile_columns, profile_frame


@pytest.mark.parametrize(("raw", "value"), [("300", 300), ("约300", 300), ("300-500", 400), ("1,200", 1200), ("1.2万", 12000), ("500人以上", 500)])
def test_prepare_profiles_parses_messy_numbers(raw, value):
    out = prepare_profiles(pd.DataFrame({"name": ["x"], "employees": [raw]}))
    assert out.loc[0, "employees"] == pytest.approx(value)
    assert out.loc[0, "errors"] == ""


@pytest.mark.parametrize("raw", ["不详", "", "N/A", "-"])
def test_prepare_profiles_unknown_is_missing_not_an_error(raw):
    out = prepare_profiles(pd.DataFrame({"name": ["x"], "employees": [raw]}))
    assert math.isnan(out.loc[0, "employees"])
    assert out.loc[0, "errors"] == ""


def test_prepare_profiles_out_of_range_year_is_an_error():
    out = prepare_profiles(pd.DataFrame({"name": ["x"], "founded": ["3021"]}))
    assert "成立年份超出合理范围" in out.loc[0, "errors"]


def test_prepare_profiles_keeps_index_and_every_row():
    frame = pd.DataFrame({"name": ["a", "", "c"]}, index=[7, 8, 9])
    out = prepare_profiles(frame)
    assert out.index.tolist() == [7, 8, 9]
    assert out["errors"].tolist() == ["", "缺少企业名称 / name: missing", ""]


def test_profile_frame_rejects_unknown_fields():
    with pytest.raises(ProfileError, match="score: unknown field"):
        profile_frame({"name": "x", "score": 100})


def test_profile_frame_accepts_tag_lists_and_numbers():
    frame = profile_frame({"name": "x", "tags": ["专精特新", "高新技术企业"], "employees": 120})
    assert frame.loc[0, "tags"] == "专精特新；高新技术企业"
    assert frame.loc[0, "employees"] == "120"


def test_prepare_profiles_treats_every_missing_marker_as_blank():
    frame = pd.DataFrame({"name": pd.array(["x", pd.NA, None], dtype=object), "employees": [float("nan"), None, pd.NA]})
    out = prepare_profiles(frame)
    assert out["name"].tolist() == ["x", "", ""]
    assert out["employees"].isna().all()


@pytest.mark.parametrize("dtype", [pd.StringDtype("python", na_value=np.nan), pd.StringDtype("pyarrow", na_value=np.nan),
                                   pd.StringDtype("python"), object])
def test_text_columns_of_any_dtype_give_the_same_stripped_text(dtype):
    from recommender.scoring._profile import _text

    values = [" 江门甲科技有限公司 ", None, "", "\u3000乙\t", "丙"]
    column = pd.Series(values, dtype=dtype)
    assert _text(column).tolist() == ["江门甲科技有限公司", "", "", "乙", "丙"]
    assert profile_columns(pd.DataFrame({"name": column}))["name"].tolist() == _text(column).tolist()
    assert _text(column.iloc[:0]).tolist() == []
