"""Matching by object and activity, and wording variants, on the embedded Jiangmen map.

Each description is written from a general principle (what a fund, a bank or a recycler does),
not taken from any evaluation set.
"""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.matching._vocabulary import english_forms
from recommender.scoring import Scorer


@pytest.fixture(scope="module")
def scorer(jiangmen):
    return jiangmen.scorer


def _links(scorer: Scorer, description: str) -> dict[str, float]:
    match = scorer.matcher.match([description])
    row = match.affinity.getrow(0)
    return {scorer.matcher.link_ids_[c]: v for c, v in zip(row.indices, row.data, strict=True)}


def _best(scorer: Scorer, description: str, **fields) -> pd.Series:
    return scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description, **fields}])).iloc[0]


def _production(scorer: Scorer, links) -> list[str]:
    return [link for link in links if scorer.chain_map.link_by_id[link].stage != "service"]


@pytest.mark.parametrize("description", [
    "股权投资机构，重点投资固态电池、锂电铜箔、负极材料项目",  # a fund
    "Venture capital fund investing in solid-state batteries, copper foil and anode materials",
    "商业银行，为锂电铜箔、负极材料企业提供贷款与结算",  # a bank
    "新能源电池产业咨询顾问，提供固态电池、铜箔市场调研报告",  # a consultancy
    "批发零售锂电铜箔、负极材料、电解液",  # a trader
    "Distributor of copper foil, cathode materials and electrolyte for battery makers",
    "举办新能源电池及固态电池产业博览会与峰会",  # fairs
    "房地产开发商，开发高端住宅与购物中心",  # a developer
])
def test_an_activity_that_makes_nothing_fills_no_production_link(scorer, description):
    assert _production(scorer, _links(scorer, description)) == []


def test_a_service_link_takes_the_activity_it_names(scorer):
    # trading is the service of a bulk-commodity trader, though it fills no production link
    assert "bulk_commodity_trade" in _links(scorer, "从事大宗商品贸易，经营金属矿产品贸易")


def test_the_same_object_goes_to_the_link_of_the_activity(scorer):
    made = _links(scorer, "生产锂离子电池")
    recycled = _links(scorer, "回收废旧锂离子电池")
    assert "cell_manufacturing" in made and "battery_recycling" not in made
    assert "battery_recycling" in recycled and "cell_manufacturing" not in recycled


def test_english_inflections_of_activities_are_read(scorer):
    recycler = _links(scorer, "The company recycles end-of-life lithium-ion batteries")
    assert "battery_recycling" in recycler and "cell_manufacturing" not in recycler
    assert "cell_manufacturing" in _links(scorer, "The company manufactures lithium-ion batteries")


def test_english_hyphen_and_space_forms_match_alike(scorer):
    assert "solid_state_battery" in _links(scorer, "Develops solid-electrolyte materials")
    assert "solid_state_battery" in _links(scorer, "Develops solid electrolyte materials")


def test_a_compound_with_an_inserted_modifier_matches(scorer):
    best = _best(scorer, "研发生产固态聚合物电池")
    assert best["link_id"] == "solid_state_battery"
    assert "…" in best["evidence"]
    # beyond the bounded gap the parts are two unrelated words
    assert "solid_state_battery" not in _links(scorer, "固态发酵车间与厂房建设，另设电动车电池充电站")


def test_the_specific_compound_wins_over_the_generic_term_inside_it(scorer):
    links = _links(scorer, "量产固态锂离子电池")
    assert "solid_state_battery" in links and "cell_manufacturing" not in links


def test_product_and_process_forms_of_one_object(scorer):
    assert _best(scorer, "生产铝合金铸件")["link_id"] == "precision_casting"
    assert _best(scorer, "Produces aluminium castings for pumps")["link_id"] == "precision_casting"


@pytest.mark.parametrize("word, forms", [
    ("recycle", {"recycles", "recycled", "recycling", "recycler"}),
    ("invest", {"invests", "invested", "investing"}),
    ("invest in", {"invests in", "investing in"}),
])
def test_english_forms(word, forms):
    assert forms <= set(english_forms(word))


def test_a_plural_agent_noun_names_customers_not_the_firm(scorer):
    # "for battery makers": the makers are the customers of a distributor
    assert _production(scorer, _links(scorer, "Distributor of copper foil for battery makers")) == []
    assert "copper_foil" in _links(scorer, "A maker of copper foil for battery makers")


def _named(scorer: Scorer, name: str, description: str) -> list[str]:
    match = scorer.matcher.match(pd.DataFrame([{"name": name, "description": description}]))
    return [scorer.matcher.link_ids_[c] for c in match.affinity.getrow(0).indices]


# A description that, read alone, is a maker's: the firm's registered name says what it is.
_MAKER = "锂电铜箔、负极材料的研发、生产；固态电池制造"
_MAKER_EN = "Develops and manufactures copper foil, anode materials and solid-state batteries"


@pytest.mark.parametrize(("name", "description"), [
    ("江门市某某股权投资基金管理有限公司", _MAKER),
    ("深圳某某投资控股有限公司", _MAKER),
    ("某某银行股份有限公司江门分行", _MAKER),
    ("某某证券股份有限公司", _MAKER),
    ("广东某某管理咨询有限公司", _MAKER),
    ("某某置业（江门）有限公司", _MAKER),
    ("某某国际贸易有限公司", _MAKER),
    ("某某供应链管理有限公司", _MAKER),
    ("某某文化传媒有限公司", _MAKER),
    ("Northbridge Capital Partners LLC", _MAKER_EN),
    ("Harbour Securities Co., Ltd.", _MAKER_EN),
    ("Keystone Advisory Group", _MAKER_EN),
    ("Lakeside Realty Inc.", _MAKER_EN),
    ("Pacific Rim Trading Co., Ltd.", _MAKER_EN),
])
def test_a_firm_named_for_a_non_production_activity_fills_no_production_link(scorer, name, description):
    assert "copper_foil" in _named(scorer, "江门某某新材料科技有限公司", description)  # the same text, a maker's name
    assert _production(scorer, _named(scorer, name, description)) == []


@pytest.mark.parametrize("name", [
    "江门某某物流设备有限公司",  # makes logistics equipment: the name ends in 设备
    "Capital Foil Manufacturing Co., Ltd.",  # a word of the list, not at the end
    "某某投资建设电池材料有限公司",
])
def test_a_name_that_only_contains_such_a_word_is_read_from_its_description(scorer, name):
    assert "copper_foil" in _named(scorer, name, _MAKER)


def test_partners_alone_is_a_form_of_organisation_not_a_financier(scorer):
    # search, design and law firms are Partners too; a financier says Capital, Equity, Venture or Investment Partners
    assert "headhunting" in _named(scorer, "Kestrel Search Partners", "Executive search for battery and semiconductor leadership roles")
    assert "industrial_design" in _named(scorer, "Kilnform Design Partners Ltd.", "An industrial-design consultancy for appliance makers")
    for name in ("Northbridge Capital Partners LLC", "Harbour Equity Partners", "Lakeside Venture Partners"):
        assert _production(scorer, _named(scorer, name, _MAKER_EN)) == [], name


def test_an_agency_for_a_service_performs_it(scorer):
    # 校招代理 / 招聘代理: the agency recruits for its clients (代理 of a product would be selling it)
    assert "hr_outsourcing" in _named(scorer, "某某企业服务有限公司", "为制造企业提供灵活用工、岗位外包与校招代理")


def test_a_logistics_firm_keeps_its_service_link(scorer):
    links = _named(scorer, "江门某某国际物流有限公司", "国际货运代理；冷链物流；冷库仓储；多式联运")
    assert "cold_chain_logistics" in links or "port_multimodal_logistics" in links


def test_class_names_give_product_nouns():
    from recommender.matching._matcher import class_products

    assert class_products("有机肥料及微生物肥料制造") == ("有机肥料", "微生物肥料")
    assert class_products("锂离子电池制造") == ("锂离子电池",)
    assert class_products("其他专用化学产品制造") == ("专用化学产品",)
    assert class_products("调味品、发酵制品及类似制品制造") == ("调味品", "发酵制品")  # 类似制品 names nothing


def test_a_product_named_only_by_its_industry_class_is_matched(scorer):
    # 非木竹浆 appears in no link's keywords: only in GB/T 4754 class 2212 (非木竹浆制造)
    assert not any("非木竹浆" in t for link in scorer.chain_map.links for t in link.keywords.zh)
    assert {"deinking", "fibre_regeneration"} & set(_links(scorer, "非木竹浆的生产"))


def test_one_weak_term_alone_ranks_below_specific_evidence(scorer):
    weak = _links(scorer, "生产电池")  # one generic object word
    specific = _links(scorer, "生产锂离子电池")
    assert 0 < weak["cell_manufacturing"] < 0.4 < specific["cell_manufacturing"]


def _inherent_by_rule(key, words):
    """The rule as first written: every activity word compared with the term; in an English term
    only whole words after its first (current collectors names no collecting)."""
    import numpy as np

    inherent = np.uint64(0)
    for word, mask in words.items():
        if key.isascii():
            if word == key or (word and f" {word} " in f" {' '.join(key.split()[1:])} " and word.split() == word.split(" ")):
                inherent |= mask
        elif word == key or key.find(word, 1) > 0:
            inherent |= mask
    return inherent


@settings(max_examples=300, deadline=None)
@given(key=st.text(alphabet="造回收制a b", max_size=12),
       words=st.dictionaries(st.text(alphabet="造回收制a b", max_size=5), st.integers(0, 2**64 - 1), max_size=12))
def test_a_terms_own_activities_are_looked_up_piece_by_piece_as_the_rule_says(key, words):
    import numpy as np

    from recommender.matching._matcher import _inherent_activity

    words = {word: np.uint64(mask) for word, mask in words.items()}
    longest = max(map(len, words), default=0)
    assert _inherent_activity(key, words, longest) == _inherent_by_rule(key, words)
    real = {"制造": np.uint64(1), "回收": np.uint64(2), "recycling": np.uint64(4)}
    assert _inherent_activity("电芯制造", real, 9) == 1 and _inherent_activity("回收纸", real, 9) == 0
    assert _inherent_activity("paper recycling", real, 9) == 4 and _inherent_activity("回收", real, 9) == 2
    english = {"collect": np.uint64(8), "rent": np.uint64(16)}
    assert _inherent_activity("current collectors", english, 7) == 0 and _inherent_activity("scrap collect", english, 7) == 8


def test_an_english_clause_after_a_comma_and_has_its_own_activity(scorer):
    # ", and publishes …" starts another verb phrase: publishing a guide does not make the search a media business
    text = "Through offices in Shanghai it runs executive search for engineering and finance roles, and publishes an annual salary guide."
    assert "headhunting" in _named(scorer, "Hays plc", text)
    # a list of products with a serial comma keeps the activity of its sentence
    assert "anode_material" in _named(scorer, "某某公司", "Manufactures copper foil, aluminium foil, and anode materials for battery makers.")
