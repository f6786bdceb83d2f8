import csv
from collections import Counter
from importlib import resources

import pytest

from recommender.reference import Place, city_of, resolve_place


def _rows():
    with resources.files("recommender.reference").joinpath("data", "admin_divisions_2024.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_counts_and_structure():
    rows = _rows()
    assert Counter(row["level"] for row in rows) == {"1": 34, "2": 333, "3": 2846}
    codes = {row["code"]: row for row in rows}
    for row in rows:
        assert len(row["code"]) == 6 and row["code"].isdigit()
        if row["level"] == "1":
            assert row["parent"] == "" and row["code"].endswith("0000")
        else:
            assert codes[row["parent"]]["level"] < row["level"] and row["code"][:2] == row["parent"][:2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("江门市", Place("广东省", "江门市", None, "440700")),
        ("江门", Place("广东省", "江门市", None, "440700")),
        ("广东省深圳市南山区科技园南区", Place("广东省", "深圳市", "南山区", "440305")),
        ("中国广东省江门市蓬江区", Place("广东省", "江门市", "蓬江区", "440703")),
        ("深圳南山", Place("广东省", "深圳市", "南山区", "440305")),
        ("蓬江区", Place("广东省", "江门市", "蓬江区", "440703")),
        ("台山市", Place("广东省", "江门市", "台山市", "440781")),
        ("广东省台山市台城街道", Place("广东省", "江门市", "台山市", "440781")),
        ("北京", Place("北京市", "北京市", None, "110000")),
        ("北京市朝阳区望京街道", Place("北京市", "北京市", "朝阳区", "110105")),
        ("长春市朝阳区", Place("吉林省", "长春市", "朝阳区", "220104")),
        ("上海市浦东新区张江高科技园区", Place("上海市", "上海市", "浦东新区", "310115")),
        ("重庆万州", Place("重庆市", "重庆市", "万州区", "500101")),
        ("香港", Place("香港特别行政区", "香港特别行政区", None, "810000")),
        ("澳门特别行政区", Place("澳门特别行政区", "澳门特别行政区", None, "820000")),
        ("台湾", Place("台湾省", "台湾省", None, "710000")),
        ("湖北省仙桃市", Place("湖北省", "仙桃市", None, "429004")),
        ("恩施", Place("湖北省", "恩施土家族苗族自治州", None, "422800")),
        ("新疆维吾尔自治区乌鲁木齐市", Place("新疆维吾尔自治区", "乌鲁木齐市", None, "650100")),
        ("内蒙古呼和浩特", Place("内蒙古自治区", "呼和浩特市", None, "150100")),
        ("吉林", Place("吉林省", None, None, "220000")),
        ("吉林市", Place("吉林省", "吉林市", None, "220200")),
        ("海南藏族自治州", Place("青海省", "海南藏族自治州", None, "632500")),
        ("桥西区", Place("河北省", None, None, "130000")),
        ("　广东省 江门市　", Place("广东省", "江门市", None, "440700")),
    ],
)
def test_resolve_place(text, expected):
    assert resolve_place(text) == expected


@pytest.mark.parametrize("text", ["朝阳区", "南山区", "鼓楼区", "abc", "", "   ", "不详", "N/A", "美国加州", None])
def test_unresolved(text):
    assert resolve_place(text) is None
    assert city_of(text) is None


def test_ambiguous_county_names_are_really_shared():
    names = Counter(row["name"] for row in _rows() if row["level"] == "3")
    assert names["朝阳区"] == 2 and names["南山区"] == 2 and names["鼓楼区"] >= 3


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("广东省深圳市南山区", "深圳"),
        ("江门市", "江门"),
        ("新会区", "江门"),
        ("香港", "香港"),
        ("澳门", "澳门"),
        ("上海", "上海"),
        ("天津市滨海新区", "天津"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("大兴安岭地区", "大兴安岭"),
        ("延边朝鲜族自治州延吉市", "延边"),
        ("广东省", None),
    ],
)
def test_city_of(text, city):
    assert city_of(text) == city


def test_every_prefecture_resolves_to_itself():
    rows = _rows()
    for row in rows:
        if row["level"] == "2":
            place = resolve_place(row["name"])
            assert place.code == row["code"] and place.city == row["name"]
