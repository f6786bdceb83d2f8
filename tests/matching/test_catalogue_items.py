"""A catalogue item that registered scopes of every trade list (经营范围规范表述目录: 技术服务、技术开发、
技术咨询、技术交流、技术转让、技术推广; 知识产权服务（专利代理服务除外）) says nothing of what the firm
mainly does: it is weak evidence of the link it names, needs an activity beside it, and does not
make the firm's product items after it weigh as later items. A firm whose trade is the service
still says so in words of its own (技术转移, 技术经纪, 科技成果转化) or by its class code (7520
科技中介服务). Each case is written from that rule, not taken from any evaluation or
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
    with_product = links_of(scorer, f"一般项目：{IP_ITEM}；新材料技术研发")
    assert 0 < with_product["tech_transfer"] <= 0.5
    # beside no activity it names nothing
    assert "tech_transfer" not in links_of(scorer, f"一般项目：{IP_ITEM}")


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
    assert coded["tech_transfer"] > _links(scorer, scope)["tech_transfer"]
