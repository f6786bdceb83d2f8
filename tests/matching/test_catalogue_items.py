"""A catalogue item that registered scopes of every trade list (经营范围规范表述目录: 技术服务、技术开发、
技术咨询、技术交流、技术转让、技术推广; 知识产权服务（专利代理服务除外）) says nothing of what the firm
mainly does: it is weak evidence of the link it names, needs an activity beside it, and does not
make the firm's product items after it weigh as later items. A firm whose trade is the service
still says so in words of its own (技术转移, 技术经纪, 科技成果转化) or by its class code (7520
科技中介服务). Because every trade lists it, the item borrows no activity from the other items of a
scope (the 批发 of a trader's items, the 研发 of a maker's) nor from a name that says the firm trades. Each case is written from that rule, not taken from any evaluation or
development set.
"""

import pandas as pd
import pytest

from tests.matching.reading import links_of, top_link

IP_ITEM = "知识产权服务（专利代理服务除外）"


def _links(scorer, description: str, code: str = "") -> dict[str, float]:
    match = scorer.matcher.match(pd.DataFrame([{"name": "某公司", "description": description, "industry_code": code}]))
    row = match.affinity.getrow(0)
    return {scorer.matcher.link_ids_[c]: v for c, v in zip(row.indices, row.data, strict=True)}


@pytest.mark.parametrize(("item", "link"), [
    ("摩托车零配件制造", "motorcycle_parts"),
    ("家用电器制造（吹风机、加湿器）", "home_personal_appliances"),
    ("生物质成型燃料加工", "straw_utilisation"),
])
def test_the_catalogue_item_does_not_outweigh_a_product(scorer, item, link):
    for scope in (f"一般项目：{IP_ITEM}；{item}；五金产品批发", f"一般项目：{item}；五金产品批发；{IP_ITEM}"):
        links = links_of(scorer, scope)
        assert top_link(scorer, scope) == link, scope
        assert links.get("tech_transfer", 0.0) < links[link], scope


def test_the_catalogue_item_does_not_lead_the_items_after_it(scorer):
    # a product named after it weighs as it does alone: the catalogue item is no main business
    for item in ("家用电器制造（吹风机、加湿器）", "摩托车零配件制造"):
        alone = links_of(scorer, f"一般项目：{item}；五金产品批发")
        after = links_of(scorer, f"一般项目：{IP_ITEM}；{item}；五金产品批发")
        assert {k: v for k, v in after.items() if k != "tech_transfer"} == alone, item
    # while a product item before another still leads it
    first = links_of(scorer, "一般项目：摩托车零配件制造；家用电器制造（吹风机、加湿器）")
    second = links_of(scorer, "一般项目：家用电器制造（吹风机、加湿器）；摩托车零配件制造")
    assert first["motorcycle_parts"] > second["motorcycle_parts"]


def test_the_catalogue_item_alone_is_weak_evidence(scorer):
    # beside an accepted activity of its own item it is weak evidence
    with_activity = links_of(scorer, f"一般项目：{IP_ITEM}、技术研发；五金产品批发")
    assert 0 < with_activity["tech_transfer"] <= 0.5
    # beside no activity it names nothing
    assert "tech_transfer" not in links_of(scorer, f"一般项目：{IP_ITEM}")


@pytest.mark.parametrize("others", [
    "新材料技术研发",
    "金属材料销售；五金产品批发；建筑材料销售",
    "食用农产品批发；水果批发；食品销售（仅销售预包装食品）",
])
def test_the_catalogue_item_borrows_no_activity_from_the_other_items(scorer, others):
    # firms of every trade list it: the 批发 or 研发 of the other items is not done to it
    for scope in (f"一般项目：{IP_ITEM}；{others}", f"一般项目：{others}；{IP_ITEM}"):
        assert "tech_transfer" not in links_of(scorer, scope), scope


@pytest.mark.parametrize("name", ["江门市某某贸易有限公司", "某某商贸有限公司"])
def test_a_firm_named_for_trading_lends_the_catalogue_item_no_activity(scorer, name):
    scope = f"一般项目：{IP_ITEM}；金属材料销售；五金产品批发"
    assert "tech_transfer" not in links_of(scorer, scope, name=name)


@pytest.mark.parametrize("item", ["技术转移服务", "科技成果转化服务", "技术经纪", "知识产权运营"])
def test_a_technology_broker_still_reaches_the_link(scorer, item):
    scope = f"一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；{IP_ITEM}；{item}；五金产品批发"
    links = links_of(scorer, scope)
    assert top_link(scorer, scope) == "tech_transfer"
    assert links["tech_transfer"] > 0.6


def test_a_broker_by_its_class_code_reaches_the_link(scorer):
    scope = f"一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；{IP_ITEM}；科技中介服务；新材料技术研发"
    coded = _links(scorer, scope, "7520")
    assert max(coded, key=coded.get) == "tech_transfer"
    assert coded["tech_transfer"] > _links(scorer, scope).get("tech_transfer", 0.0)


COLD_ITEM = "低温仓储（不含危险化学品等需许可审批的项目）"


@pytest.mark.parametrize("scope", [
    f"许可项目：食品生产。一般项目：{COLD_ITEM}；食品销售（仅销售预包装食品）；普通货物仓储服务（不含危险化学品等需许可审批的项目）",
    f"一般项目：食用农产品批发；{COLD_ITEM}；水果批发",
    f"许可项目：调味品生产（酱油、蚝油）。一般项目：{COLD_ITEM}；食品销售（仅销售预包装食品）",
])
def test_the_chilled_storage_item_of_goods_firms_is_weak(scorer, scope):
    # 低温仓储 is the catalogue's item for storing chilled goods: food makers and produce traders
    # list it for their own goods; it is weak evidence of cold-chain logistics, below their product
    links = links_of(scorer, scope)
    assert links.get("cold_chain_logistics", 0.0) <= 0.3
    if "调味品" in scope:
        assert top_link(scorer, scope) == "condiments"


@pytest.mark.parametrize(("scope", "code"), [
    (f"一般项目：{COLD_ITEM}；冷链物流服务；道路货物运输（冷藏车）", ""),
    (f"一般项目：{COLD_ITEM}；冷库租赁", ""),
    (f"一般项目：{COLD_ITEM}；装卸搬运", "5930"),
])
def test_a_cold_chain_operator_still_reaches_its_link(scorer, scope, code):
    # in words of its own trade, or by its class code (5930 低温仓储)
    links = _links(scorer, scope, code)
    assert max(links, key=links.get) == "cold_chain_logistics"
    assert links["cold_chain_logistics"] > 0.6


def test_the_testing_permit_item_is_a_makers_laboratory(scorer):
    # 检验检测服务 is the catalogue's permit item for testing: makers register it for the laboratory
    # that tests their own products; it is weak evidence and never the maker's main business
    maker = links_of(scorer, "一般项目：汽车零部件及配件制造；技术服务。许可项目：检验检测服务")
    assert top_link(scorer, "一般项目：汽车零部件及配件制造；技术服务。许可项目：检验检测服务") == "lightweight_auto_parts"
    assert maker["testing_certification"] < maker["lightweight_auto_parts"] / 2
    # a testing firm names its trade in words of its own, and stays one
    lab = links_of(scorer, "一般项目：第三方检测；计量校准服务。许可项目：检验检测服务")
    assert lab["testing_certification"] > links_of(scorer, "许可项目：检验检测服务")["testing_certification"]
    assert top_link(scorer, "一般项目：第三方检测；计量校准服务。许可项目：检验检测服务") == "testing_certification"
