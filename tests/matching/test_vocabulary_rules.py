"""Domain words and business-text rules of the shared vocabulary, each from a general principle.

Descriptions are written from the principle named beside each (how firms word a sales channel,
how a fishing firm registers its scope, how solid electrolytes are named), not taken from any
evaluation set.
"""

import pandas as pd
import pytest


def _best(scorer, description: str) -> pd.Series:
    return scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]


@pytest.fixture(scope="module")
def scorer(jiangmen):
    return jiangmen.scorer


def test_a_makers_sales_network_named_as_a_noun_is_not_a_trade(scorer):
    # 经销网络 / dealer network: the channel of a maker's products, not a trading business
    assert _best(scorer, "智能门锁与智能窗帘，经销网络覆盖华南")["link_id"] == "smart_home_systems"
    assert _best(scorer, "Smart locks and smart curtains; a dealer network across Asia")["link_id"] == "smart_home_systems"
    assert _best(scorer, "经销智能门锁与智能窗帘")["link_id"] == ""  # the verb still says it trades


def test_catching_fish_is_primary_production(scorer):
    # GB/T 4754-2017 0421 海水捕捞: a licensed 水产捕捞 item makes the firm a fishing firm,
    # beside the 水产品批发 items every such scope lists
    assert _best(scorer, "一般项目：水产品批发；水产品零售。许可项目：水产捕捞；远洋渔业。")["link_id"] == "ocean_fishing"


@pytest.mark.parametrize(("family", "formula"), [("卤化物", "Li3YCl6"), ("氧化物", "Li7La3Zr2O12")])
def test_a_solid_electrolyte_named_with_its_formula_between_family_and_head(scorer, family, formula):
    row = _best(scorer, f"研发生产{family}{formula}电解质")
    assert row["link_id"] == "solid_state_battery"


def test_bio_organic_and_compost_fertilizers_are_organic_fertiliser(scorer):
    # NY 884 生物有机肥 (bio-organic fertilizer): the product, beside the residues it is made from
    assert _best(scorer, "Compost fertilisers from rice straw")["link_id"] == "organic_fertiliser"  # the product, not its raw material
    assert _best(scorer, "生产生物有机肥")["link_id"] == "organic_fertiliser"


def test_equipment_named_by_an_activity_is_not_that_activity(scorer):
    # "test benches", 检测设备: equipment the firm uses or owns, not a testing business
    assert _best(scorer, "reman parts for trucks; in-house test rigs")["link_id"] == "remanufacturing"
    assert _best(scorer, "reman parts for trucks; testing for clients")["link_id"] == ""  # a testing activity
