"""Several businesses (link_2) and the origin of a known city outside the priority regions."""

import pandas as pd
import pytest

from recommender.scoring import RESULT_COLUMNS, explain_frame


def _score(jiangmen, **fields):
    return jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", **fields}])).iloc[0]


def test_a_firm_with_two_businesses_reports_the_main_one_and_a_second(jiangmen):
    row = _score(jiangmen, description="主营电解铜箔；兼营锂离子电池PACK组装")
    assert row["link_id"] == "copper_foil"
    assert row["link_2_id"] in ("battery_pack", "cell_manufacturing")
    assert row["link_2"] and row["action_2"] in ("补链", "强链", "延链", "建链")
    reasons = explain_frame(pd.DataFrame([row]), jiangmen.chain_map).iloc[0]
    assert f"另可服务新能源电池·{row['link_2']}" in reasons


def test_a_single_business_has_no_second_link(jiangmen):
    row = _score(jiangmen, description="生产电解铜箔")
    assert row["link_id"] == "copper_foil" and row["link_2"] == "" and row["action_2"] == ""


def test_the_result_columns_carry_the_second_link_after_the_action():
    at = RESULT_COLUMNS.index("action")
    assert RESULT_COLUMNS[at + 1: at + 3] == ("link_2", "action_2")


@pytest.mark.parametrize("city", ["武汉", "成都市", "北京"])
def test_a_known_city_outside_the_priority_regions_is_a_domestic_transfer(jiangmen, city):
    known = _score(jiangmen, description="生产电解铜箔", city=city, country="中国")
    blank = _score(jiangmen, description="生产电解铜箔")
    assert known["origin_group"] == "domestic"
    assert known["score_origin"] >= blank["score_origin"] > 0
    documented = jiangmen.chain_map.strategy.origins["domestic"]
    assert documented.domestic_city and documented.share >= 0.3  # the blank-city prior


def test_a_priority_city_keeps_its_own_group(jiangmen):
    assert _score(jiangmen, description="生产电解铜箔", city="深圳", country="中国")["origin_group"] == "east_bank"


def _code_links(jiangmen, code):
    return {link.id: link.status for chain in jiangmen.chain_map.chains for link in chain.links if code in link.industry_codes}


def test_a_class_code_alone_never_claims_a_gap_that_shares_it(jiangmen):
    # every class code that a missing link shares with a link the city has
    shared = {code for chain in jiangmen.chain_map.chains for link in chain.links for code in link.industry_codes
              if link.status == "missing" and any(s != "missing" for s in _code_links(jiangmen, code).values())}
    assert shared, "the map has no class code shared by a gap and an existing link"
    for code in sorted(shared):
        row = _score(jiangmen, description="", industry_code=code)
        assert row["link_id"] in _code_links(jiangmen, code), code
        assert row["action"] != "补链", f"{code}: a gap claimed on the class code alone ({row['link_id']})"


def test_the_firms_own_words_name_the_gap_beside_its_class_code(jiangmen):
    row = _score(jiangmen, description="固态电池研发、生产", industry_code="3841")
    assert row["link_id"] == "solid_state_battery" and row["action"] == "补链"
    row = _score(jiangmen, description="精密模具制造", industry_code="3841")  # words that name no link: the class decides
    assert row["link_id"] in _code_links(jiangmen, "3841") and row["action"] != "补链"


def test_a_class_code_alone_picks_the_class_main_link(jiangmen):
    # the link the class's GB/T 4754 name describes (vocabulary.yaml class_links), not the
    # less valued of the links that share the class
    class_links = jiangmen.chain_map.vocabulary.class_links
    for code, main in class_links.items():
        row = _score(jiangmen, description="", industry_code=code)
        statuses = _code_links(jiangmen, code)
        if statuses[main.link] == "missing" and any(s != "missing" for s in statuses.values()):
            continue  # a gap is never claimed on the class alone
        assert row["link_id"] == main.link, code
    row = _score(jiangmen, description="", industry_code="3841")
    assert row["link_id"] == "cell_manufacturing"  # 锂离子电池制造: the cell; a pack assembles cells


def test_the_reasons_of_a_code_only_choice_say_the_industry_class_decided(jiangmen):
    row = _score(jiangmen, description="", industry_code="3841")
    assert row["link_2_id"]  # the class has other links: the choice among them needs a reason
    frame = pd.DataFrame([row])
    zh = explain_frame(frame, jiangmen.chain_map).iloc[0]
    en = explain_frame(frame, jiangmen.chain_map, lang="en").iloc[0]
    assert "主环节按行业类别选定（行业代码3841锂离子电池制造，该类别的主要环节）" in zh and "主营业务证据更强" not in zh
    assert "the primary link chosen by the industry class (code 3841, its main link)" in en
    assert "stronger evidence for the main business" not in en
    words = _score(jiangmen, description="主营电解铜箔；兼营锂离子电池PACK组装")
    assert "主环节因主营业务证据更强而选定" in explain_frame(pd.DataFrame([words]), jiangmen.chain_map).iloc[0]
