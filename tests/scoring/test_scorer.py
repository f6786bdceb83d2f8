import math

import pandas as pd
import pytest

from recommender import COMPONENTS, Scorer
from recommender.scoring import PRIORS


@pytest.fixture(scope="module")
def scorer(tiny_map):
    return Scorer(tiny_map)


def _score(scorer, **fields):
    return scorer.score_frame(pd.DataFrame([fields])).iloc[0]


FULL = dict(name="甲", description="锂电铜箔的研发、生产", city="深圳", country="", industry_code="",
            employees="5000", revenue="", founded="2015", tags="专精特新", customers="东江电池", patents="100")


def test_score_components_by_hand(scorer):
    row = _score(scorer, **FULL)
    a = 0.8  # one 4-character keyword
    g = 0.25 + 0.75 * a
    # tiny map strategy: need 40, stage 10, maturity 10, relatedness 5, strength 10, origin 10, leader 5, park 5, green 5
    expected = {
        "chain_need": 40 * a * 1.0,
        "stage": 10 * a * 0.5,
        "maturity": 10 * a * 0.5,
        "relatedness": 5 * a * 1.0,
        "firm_strength": 10 * g * (0.4 * 1.0 + 0.4 * 0.5 + 0.2 * 1.0),
        "origin": 10 * g * 1.0,
        "leader_supply": 5 * g * 1.0,
        "park_fit": 5 * a * 1.0,
        "green": 0.0,
    }
    for name, value in expected.items():
        assert row[f"score_{name}"] == pytest.approx(round(value, 2)), name
    assert row["link_id"] == "foil" and row["action"] == "补链" and row["park"] == "材料园"


def test_score_is_exact_sum_of_components(scorer):
    rows = scorer.score_frame(pd.DataFrame([FULL, {**FULL, "description": "锂离子电池制造", "tags": ""}, {"name": "乙"}]))
    for _, row in rows.iterrows():
        assert row["score"] == pytest.approx(sum(row[f"score_{c}"] for c in COMPONENTS), abs=1e-9)
        assert 0 <= row["score"] <= 100


def test_score_firm_without_a_link_scores_low_and_says_so(scorer):
    row = _score(scorer, **{**FULL, "description": "餐饮服务；住宿服务"})
    assert row["link_id"] == "" and row["chain"] == ""
    assert row["score"] < 10
    assert row["confidence"] == 0


def test_score_missing_fields_take_priors_and_lower_confidence(scorer):
    full = _score(scorer, **FULL)
    sparse = _score(scorer, name="丙", description="锂电铜箔的研发、生产")
    g = 0.25 + 0.75 * 0.8
    assert sparse["score_origin"] == pytest.approx(round(10 * g * PRIORS["origin"], 2))
    assert sparse["score_firm_strength"] == pytest.approx(round(10 * g * (0.4 * PRIORS["size"] + 0.4 * PRIORS["tags"] + 0.2 * PRIORS["patents"]), 2))
    assert sparse["confidence"] < full["confidence"]
    assert set(sparse["missing"].split(",")) == {"place", "size", "tags", "customers", "patents", "industry_code"}


def test_score_bad_number_is_an_error_not_a_crash(scorer):
    row = _score(scorer, **{**FULL, "employees": "很多"})
    assert "员工人数无法解析为数字" in row["errors"] and "employees: not a number" in row["errors"]
    assert math.isnan(row["employees"])


def test_score_missing_name_is_an_error(scorer):
    row = _score(scorer, **{**FULL, "name": ""})
    assert "缺少企业名称" in row["errors"]


def test_score_foreign_country_counts_as_foreign_origin(scorer):
    row = _score(scorer, **{**FULL, "city": "Berlin", "country": "Germany"})
    assert row["origin_group"] == "abroad"
    g = 0.25 + 0.75 * 0.8
    assert row["score_origin"] == pytest.approx(round(10 * g * 0.5, 2))


def test_score_green_link_earns_green_points(scorer):
    row = _score(scorer, **{**FULL, "description": "锂离子电池制造"})
    assert row["link_id"] == "cells"
    assert row["score_green"] == pytest.approx(round(5 * 0.8, 2))  # 5 points × affinity of 锂离子电池


@pytest.mark.parametrize(("feature", "label", "lang", "text"), [
    ("fit_chain_need", "[0.696, 0.85)", "zh", "70%–85%"),
    ("affinity", "≥ 0.998", "zh", "≥ 99.8%"),
    ("fit_park_fit", "< 0.8", "en", "< 80%"),
    ("employees_log", "< 1.23", "zh", "< 16人"),
    ("revenue_log", "[3, 4)", "en", "999–9998 (10k CNY)"),
    ("patents_log", "[1.53, 1.78)", "zh", "33–59项"),
    ("profile_gaps", "[1.5, 2.5)", "zh", "2项"),
    ("profile_gaps", "≥ 2.5", "en", "≥ 3 fields"),
    ("trade_only", "≥ 0.5", "zh", "是"),
    ("firm_green", "< 0.5", "en", "no"),
    ("stage", "upstream", "zh", "上游"),
    ("leader_kind", "terminal_maker", "en", "terminal maker"),
    ("action", "补链", "en", "fill a gap (补链)"),
    ("patents_log", "missing", "zh", "缺失"),
    ("chain_id", "other", "en", "other"),
])
def test_likelihood_levels_read_as_officers_read_them(feature, label, lang, text):
    from recommender.scoring._explanation import _level_text

    assert _level_text(feature, label, None, lang) == text


def test_likelihood_levels_name_chains_and_origins_from_the_map(jiangmen):
    from recommender.scoring._explanation import _level_text

    chain = jiangmen.chain_map.chains[0]
    assert _level_text("chain_id", chain.id, jiangmen.chain_map, "zh") == chain.name.zh
    key, group = next(iter(jiangmen.chain_map.strategy.origins.items()))
    assert _level_text("origin_group", key, jiangmen.chain_map, "en") == group.name.en
