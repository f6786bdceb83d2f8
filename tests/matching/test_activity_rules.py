"""Which activity a firm performs on an object, read from general rules of wording.

Each description is written from a general principle (a product modifier is not an activity,
consulting on a process is not the process, a bank is not a fintech), not taken from any
evaluation set.
"""

import pandas as pd
import pytest

from recommender.matching import english_forms, is_agent_noun


@pytest.fixture(scope="module")
def scorer(jiangmen):
    return jiangmen.scorer


def _links(scorer, description: str, name: str = "某公司") -> dict[str, float]:
    match = scorer.matcher.match(pd.DataFrame([{"name": name, "description": description}]))
    row = match.affinity.getrow(0)
    return {scorer.matcher.link_ids_[c]: v for c, v in zip(row.indices, row.data, strict=True)}


def _production(scorer, links) -> list[str]:
    return [link for link in links if scorer.chain_map.link_by_id[link].stage != "service"]


@pytest.mark.parametrize("word, forms", [
    ("recover", {"recovers", "recovered", "recovering"}),
    ("deliver", {"delivers", "delivered", "delivering"}),
])
def test_verbs_ending_in_er_are_inflected_like_verbs(word, forms):
    assert forms <= set(english_forms(word))
    assert not is_agent_noun(word)
    assert is_agent_noun("distributor") and is_agent_noun("maker") and english_forms("maker") == ("maker",)


def test_the_third_person_of_an_er_verb_is_the_firm_s_own_activity(scorer):
    links = _links(scorer, "Recovers electrolyte from spent lithium-ion batteries and purifies it")
    assert "electrolyte_recovery" in links and "cell_manufacturing" not in links
    assert "cell_manufacturing" in _links(scorer, "Manufactures lithium-ion batteries")


def test_an_activity_word_that_opens_a_product_name_is_a_modifier(scorer):
    # 再生 in 再生复印纸 says what the paper is, not what the firm does
    assert _production(scorer, _links(scorer, "销售再生复印纸、办公用品")) == []
    assert "high_end_recycled_paper" in _links(scorer, "生产再生复印纸、再生文化用纸")
    # an activity word after the object is the firm's activity (废钢回收, paper recycling)
    assert "scrap_metal_collection" in _links(scorer, "废钢回收")


@pytest.mark.parametrize("description", [
    "提供废旧电池回收项目咨询与行业研究报告",  # consulting on a process is not the process
    "投资精密铸造项目",  # investing in it
    "开发建设精密铸造产业园，标准厂房出租",  # letting premises to those who do it
])
def test_a_non_production_activity_governs_the_process_a_term_names(scorer, description):
    assert _production(scorer, _links(scorer, description)) == []


def test_a_maker_that_also_sells_keeps_the_process_it_names(scorer):
    assert "precision_casting" in _links(scorer, "精密铸造、销售")
    assert "battery_recycling" in _links(scorer, "废旧锂离子电池湿法回收；再生资源销售")


def test_a_bank_fills_no_link_where_a_fintech_fills_digital_finance(scorer):
    text = "供应链金融服务，数字支付"
    assert _links(scorer, text, "某某银行股份有限公司江门分行") == {}
    assert _links(scorer, text, "某某保险股份有限公司") == {}
    assert "digital_finance" in _links(scorer, text, "江门某某金融科技有限公司")


def test_a_catalogue_item_alone_fills_no_link(scorer):
    # items every registered scope lists (信息系统集成服务) say nothing about the firm
    assert _links(scorer, "一般项目：技术服务、技术开发、技术咨询；信息系统集成服务；软件开发；货物进出口") == {}
