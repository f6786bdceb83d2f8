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
