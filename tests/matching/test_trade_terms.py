"""Trade terms of every link, class-description nouns, and firms that only use or supply products.

Descriptions are written from general principles (how a producer names its product in the
trade, what a restaurant or a landscaper does), not taken from any evaluation set.
"""

import pytest

from recommender.matching import link_vocabulary
from recommender.matching._matcher import WEAK_WEIGHT, _normal, description_products
from tests.matching.reading import links_of, production

_links, _production = links_of, production


def test_every_link_has_english_trade_terms_with_a_source(jiangmen):
    for link in jiangmen.chain_map.links:
        assert link.trade_terms is not None, link.id
        assert link.trade_terms.source.strip() and link.trade_terms.en, link.id


def test_a_trade_term_several_links_share_is_weak_and_needs_an_activity(jiangmen):
    chain_map = jiangmen.chain_map
    owners: dict[str, set[str]] = {}
    for link in chain_map.links:
        for term in (*link.keywords.zh, *link.keywords.en, *link.trade_terms.zh, *link.trade_terms.en):
            owners.setdefault(_normal(term), set()).add(link.id)
    table = link_vocabulary(chain_map)
    table = table.assign(key=table["term"].map(_normal))
    traded = {_normal(t): link.id for link in chain_map.links for t in (*link.trade_terms.zh, *link.trade_terms.en)}
    shared = [key for key, link in traded.items() if len(owners[key]) > 1 and key not in
              {_normal(t) for t in (*chain_map.link_by_id[link].keywords.zh, *chain_map.link_by_id[link].keywords.en)}]
    assert shared, "the map has trade terms that several links use"
    for key in shared:
        rows = table[(table["key"] == key) & (table["link_id"] == traded[key])]
        assert (rows["weight"] <= WEAK_WEIGHT).all() and rows["requires"].all(), key


@pytest.mark.parametrize(("description", "link"), [
    ("Producer of artificial graphite and silicon monoxide for Li-ion cells", "anode_material"),
    ("Producer of HVLP and reverse treated foil for 5G servers", "copper_foil"),
    ("Ductile iron and grey iron pump housings, lost foam process", "precision_casting"),
    ("Cell factories and metabolic engineering for bio-based PHA", "synthetic_biology"),
])
def test_english_trade_wording_finds_its_link_first(scorer, description, link):
    found = _links(scorer, description)
    assert found and max(found, key=found.get) == link


@pytest.mark.parametrize(("name", "description"), [
    ("某餐饮管理有限公司", "连锁餐饮，门店配备冷藏车与冷库，自建中央厨房"),  # a restaurant with its own cold store
    ("某园林绿化工程有限公司", "市政园林养护，施用有机肥与微生物菌剂"),  # a landscaper applying fertiliser
])
def test_a_firm_that_uses_products_in_its_own_service_fills_no_link(scorer, name, description):
    assert _links(scorer, description, name) == {}


def test_a_hotel_fills_no_production_link(scorer):
    assert _production(scorer, _links(scorer, "客房配备智能马桶、智能窗帘与智能门锁", "某酒店管理有限公司")) == []


def test_a_supplier_alone_says_nothing_about_making(scorer):
    # a shared object word counts only beside an accepted activity; "supplier" is none
    assert "cell_manufacturing" not in _links(scorer, "Supplier of batteries to retailers")
    assert "cell_manufacturing" in _links(scorer, "Manufacturer of batteries")


def test_product_nouns_of_a_class_description():
    assert description_products("指铸铁件、铸钢件等各种成品、半成品的制造") == ("铸铁件", "铸钢件")
    assert description_products("指依据相关标准或者技术规范，利用仪器设备、环境设施等技术条件") == ()
