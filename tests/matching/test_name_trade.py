"""A registered name's trade part (企业名称 = 行政区划 + 字号 + 行业或经营特点 + 组织形式, 企业名称登记
管理规定): the words right before the legal form state the firm's trade. They decide between links
the description supports equally; beside a class item of the scope's for that link they state it, as
two items of different classes do; they add no link, and outweigh no link the firm's own words
state. Each case is written from the rule and the catalogue's own items, not taken from any evaluation or
development set.
"""

import numpy as np
import pandas as pd

from recommender.matching._matcher import LATER_FACTOR
from tests.matching.reading import links_of

# rolling (有色金属压延加工) beside battery parts (电池零配件生产) states a battery foil, not which one
ROLLED = "一般项目：有色金属压延加工；电池零配件生产；金属材料销售；货物进出口"


def test_the_name_decides_between_the_foils(scorer):
    plain = links_of(scorer, ROLLED)
    assert plain["copper_foil"] == plain["aluminium_foil"]  # the items alone: a tie
    for name, named, other in (("某某铜箔有限公司", "copper_foil", "aluminium_foil"),
                               ("某某铝箔股份有限公司", "aluminium_foil", "copper_foil"),
                               ("Acme Copper Foil Co., Ltd.", "copper_foil", "aluminium_foil"),
                               ("某某铝箔科技有限公司", "aluminium_foil", "copper_foil"),
                               ("某某铜箔科技发展有限公司", "copper_foil", "aluminium_foil")):  # (发展: no trade)
        links = links_of(scorer, ROLLED, name)
        # the name and the class item (有色金属压延加工) state the named link; the other keeps its affinity
        assert links[named] > plain[named] and links[named] > links[other]
        assert np.isclose(links[other], plain[other])


def test_the_name_decides_a_tie_of_the_firms_own_words(scorer):
    # composite current collectors are a product of both foil links: a tie the name decides
    words = "复合集流体的研发与生产"
    plain = links_of(scorer, words)
    assert plain["copper_foil"] == plain["aluminium_foil"]
    links = links_of(scorer, words, "某某铜箔有限公司")
    assert links["copper_foil"] == plain["copper_foil"]  # the named link keeps its affinity
    assert np.isclose(links["aluminium_foil"], plain["aluminium_foil"] * LATER_FACTOR)  # the other weighs as a later item


def test_only_the_words_before_the_legal_form_are_the_trade(scorer):
    # a region or a firm's own style (字号) that happens to contain a link's word states no trade
    assert links_of(scorer, ROLLED, "某某铜箔路金属制品有限公司") == links_of(scorer, ROLLED, "某某金属制品有限公司")
    assert links_of(scorer, ROLLED, "铜箔某某贸易有限公司") == links_of(scorer, ROLLED, "某某贸易有限公司")


def test_the_name_adds_no_link_and_outweighs_no_stronger_one(scorer):
    # a description that names aluminium foil outright: a name saying copper foil changes nothing
    words = "铝箔轧制及分切；电池铝箔生产"
    assert links_of(scorer, words, "某某铜箔有限公司") == links_of(scorer, words)
    # a description with no foil at all: the name adds none
    assert links_of(scorer, "一般项目：货物进出口", "某某铜箔有限公司") == {}


def test_a_trader_named_for_a_product_stays_a_trader(scorer):
    # (铜箔贸易: the last word is the activity; the scope only sells)
    words = "一般项目：金属材料销售；有色金属合金销售；电子专用材料销售"
    assert "copper_foil" not in links_of(scorer, words, "某某铜箔贸易有限公司")


def test_names_decide_row_by_row(scorer):
    frame = pd.DataFrame({"name": ["某某铜箔有限公司", "某某铝箔有限公司", None],
                          "description": [ROLLED] * 3})
    match = scorer.matcher.match(frame)
    ids = list(scorer.matcher.link_ids_)
    dense = match.affinity.toarray()
    copper, aluminium = ids.index("copper_foil"), ids.index("aluminium_foil")
    assert dense[0, copper] > dense[0, aluminium] and dense[1, aluminium] > dense[1, copper]
    assert dense[2, copper] == dense[2, aluminium]
