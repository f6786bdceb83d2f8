"""Tests of the synthetic firm generator (recommender.datasets)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from recommender.datasets import INDUSTRIES, synthetic_firms
from recommender.datasets import _synthetic as synthetic

COLUMNS = [
    "name", "description", "city", "country", "industry_code", "employees", "revenue",
    "founded", "tags", "customers", "patents",
]
CJK = r"[\u4e00-\u9fff]"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return synthetic_firms(20_000, seed=42, english_share=0.1)


def _is_english(df: pd.DataFrame) -> pd.Series:
    return ~df["description"].str.contains(CJK)


def test_same_seed_same_table_and_other_seed_differs():
    a = synthetic_firms(3_000, seed=7)
    b = synthetic_firms(3_000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = synthetic_firms(3_000, seed=8)
    assert not a.equals(c)
    assert (a["name"] != c["name"]).mean() > 0.9


def test_deterministic_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(synthetic, "_CHUNK", 1_000)
    a = synthetic_firms(2_500, seed=3)
    b = synthetic_firms(2_500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 2_500
    assert a["description"].str.len().between(100, 300).all()


def test_columns_and_dtypes(sample):
    assert list(sample.columns) == COLUMNS
    assert len(sample) == 20_000
    for col in COLUMNS:
        assert pd.api.types.is_string_dtype(sample[col].dtype), col
        assert not sample[col].isna().any(), col
        assert sample[col].map(type).eq(str).all(), col
    assert (sample["name"] != "").all()
    assert (sample["description"] != "").all()


def test_description_lengths_within_bounds(sample):
    lengths = sample["description"].str.len()
    assert lengths.min() >= 100
    assert lengths.max() <= 300
    # not all crowded at the lower bound
    assert lengths.std() > 15


@pytest.mark.parametrize("share", [0.0, 0.1, 0.3, 1.0])
def test_english_share(share):
    df = synthetic_firms(10_000, seed=1, english_share=share)
    english = _is_english(df)
    assert abs(english.mean() - share) < 0.02
    assert df.loc[english, "country"].ne("中国").all()
    assert df.loc[~english, "country"].isin(["中国", "中国香港", "中国澳门"]).all()
    assert df["description"].str.len().between(100, 300).all()


def test_english_rows_read_as_profiles(sample):
    en = sample.loc[_is_english(sample), "description"]
    assert len(en) > 1_000
    assert en.str.contains(r"^(?:Manufacturer of|We |Producer of|Specialist|OEM/ODM|Provider of|"
                           r"Distributor of|Trading company|Sourcing agent|Authorised distributor|"
                           r"Consultancy|Our team)").all()
    assert en.str.startswith("Distributor of").any()
    assert sample.loc[_is_english(sample), "name"].str.contains(CJK).sum() == 0


def test_chinese_rows_read_as_business_scopes(sample):
    zh = sample.loc[~_is_english(sample), "description"]
    assert zh.str.contains("；").all()
    assert zh.str.endswith(("。", "）")).all()
    assert zh.str.contains("一般项目：").mean() > 0.6
    assert zh.str.contains("许可项目：").mean() > 0.1
    assert zh.str.contains("凭营业执照依法自主开展经营活动").any()
    # 3-8 industry items plus 2-7 generic items
    n_items = zh.str.replace(r"（[^）]*）", "", regex=True).str.count("；") + 1
    assert n_items.min() >= 4
    assert n_items.max() <= 16
    # a generic item never repeats an item of the scope
    body = zh.str.replace(r"许可项目：[^。]*。", "", regex=True).str.replace("一般项目：", "")
    body = body.str.replace(r"（[^）]*依法[^）]*）", "", regex=True).str.rstrip("。")
    assert body.map(lambda s: len(s.split("；")) == len(set(s.split("；")))).all()


def test_numbers_are_text_or_blank(sample):
    for col, pattern in [("employees", r"\d+"), ("founded", r"(?:19[789]\d|20[012]\d)"),
                         ("patents", r"\d+"), ("revenue", r"\d+(?:\.\d)?")]:
        values = sample[col]
        blank = values.eq("")
        assert 0 < blank.mean() < 0.25, col
        assert values[~blank].str.fullmatch(pattern).all(), col
    founded = sample.loc[sample["founded"] != "", "founded"].astype(int)
    assert founded.between(1978, 2025).all()


def test_industry_codes(sample):
    codes = sample["industry_code"]
    filled = codes != ""
    assert 0.55 < filled.mean() < 0.65
    assert codes[filled].str.fullmatch(r"\d{4}").all()
    big = synthetic_firms(50_000, seed=5)
    assert big["industry_code"].str.startswith("0").any()  # agricultural classes keep their zero


def test_names_are_nearly_unique(sample):
    assert sample["name"].duplicated().mean() < 0.001
    zh = sample.loc[~_is_english(sample), "name"]
    assert zh.str.endswith("有限公司").all()
    en = sample.loc[_is_english(sample), "name"]
    assert en.str.contains(r"(?:GmbH|AG|KG|Ltd\.|Limited|Inc\.|LLC|Corp\.|Corporation|K\.K\.|PLC|"
                           r"S\.p\.A\.|S\.r\.l\.)$").all()


def test_tags_customers_and_places(sample):
    tags = sample["tags"]
    assert 0.3 < (tags != "").mean() < 0.7
    allowed = {"专精特新", "专精特新小巨人", '国家级专精特新"小巨人"', "高新技术企业", "科技型中小企业",
               "上市公司", "新三板", "单项冠军", "瞪羚企业", "侨资企业", "港资企业", "外资企业", "独角兽"}
    used = {t for s in tags[tags != ""] for t in re.split("[；;]", s)}
    assert used <= allowed
    customers = sample["customers"]
    assert 0.05 < (customers != "").mean() < 0.4
    assert (sample["city"] == "江门").any()
    assert sample["city"].isin(["深圳", "东莞", "广州", "佛山"]).mean() > 0.35


def test_industry_table_shape():
    assert 35 <= len(INDUSTRIES) <= 50
    roles = {ind.role for ind in INDUSTRIES.values()}
    assert roles == {"maker", "service", "trader", "generic"}
    for key, ind in INDUSTRIES.items():
        assert 8 <= len(ind.items) <= 20, key
        assert len(set(ind.items)) == len(ind.items), key
        assert len(ind.en_items) >= 4, key
        assert ind.name_words and ind.en_words and ind.codes, key
        assert all(re.fullmatch(r"\d{4}", c) for c in ind.codes), key
    weights = pd.Series({k: i.weight for k, i in INDUSTRIES.items()})
    roles_of = pd.Series({k: i.role for k, i in INDUSTRIES.items()})
    share = weights.groupby(roles_of).sum() / weights.sum()
    assert 0.08 < share["trader"] < 0.12
    assert 0.03 < share["generic"] < 0.07
    with pytest.raises(TypeError):
        INDUSTRIES["new"] = INDUSTRIES["paper"]  # type: ignore[index]


def _own_items(scope: str) -> list[str]:
    """The items of a scope that are not generic, without framing and clauses."""
    body = re.sub(r"许可项目：[^。]*。", "", scope).replace("一般项目：", "")
    body = re.sub(r"（[^）]*依法[^）]*）", "", body).rstrip("。")
    return [item for item in body.split("；") if item not in synthetic._GENERIC]


def test_shares_of_traders_and_generic_firms():
    df = synthetic_firms(20_000, seed=9, english_share=0.0)
    own = df["description"].map(_own_items)
    trade = re.compile("销售|批发|进出口|贸易代理")
    trade_only = own.map(lambda items: all(trade.search(i) for i in items))
    assert 0.08 < trade_only.mean() < 0.13
    shell_items = set(INDUSTRIES["generic_tech"].items)
    tech_shell = own.map(lambda items: all(i in shell_items for i in items))
    assert 0.035 < tech_shell.mean() < 0.07


def test_zero_rows_and_bad_arguments():
    empty = synthetic_firms(0)
    assert list(empty.columns) == COLUMNS
    assert len(empty) == 0
    with pytest.raises(ValueError):
        synthetic_firms(-1)
    with pytest.raises(ValueError):
        synthetic_firms(10, english_share=1.5)
    with pytest.raises(ValueError):
        synthetic_firms(2.5)  # type: ignore[arg-type]
    assert len(synthetic_firms(np.int64(5))) == 5
