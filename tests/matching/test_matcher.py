import numpy as np
import pandas as pd
import pytest
from sklearn.utils.validation import check_is_fitted

from recommender import LinkMatcher, link_vocabulary


@pytest.fixture(scope="module")
def matcher(tiny_map):
    return LinkMatcher().fit(link_vocabulary(tiny_map))


def _affinity(matcher, text, code=""):
    result = matcher.match(pd.DataFrame({"description": [text], "industry_code": [code]}))
    dense = result.affinity.toarray()[0]
    return dict(zip(matcher.link_ids_, dense, strict=True)), result


def test_match_finds_a_product_in_a_make_clause(matcher):
    affinity, result = _affinity(matcher, "锂电铜箔的研发、生产；技术开发；技术咨询")
    assert affinity["foil"] == pytest.approx(0.8)
    assert affinity["cells"] == 0
    assert result.evidence_for(0, 0) == "锂电铜箔"


def test_match_ignores_a_product_only_sold(matcher):
    affinity, result = _affinity(matcher, "锂电铜箔销售；货物进出口")
    assert affinity["foil"] == 0
    assert result.trade_only[0]


def test_match_counts_a_product_made_after_it_is_sold(matcher):
    affinity, _ = _affinity(matcher, "锂电铜箔销售；锂电铜箔生产")
    assert affinity["foil"] == pytest.approx(0.8)


def test_match_generic_scope_items_carry_no_weight(matcher):
    affinity, result = _affinity(matcher, "技术开发、技术咨询、技术服务、技术转让；货物进出口")
    assert result.affinity.nnz == 0
    assert not result.trade_only[0]


def test_match_english_profile_on_word_boundaries(matcher):
    affinity, _ = _affinity(matcher, "We manufacture copper foils for EV makers.")
    assert affinity["foil"] == pytest.approx(0.9)  # the link's English name
    affinity, _ = _affinity(matcher, "Producer of supercopper foilage")
    assert affinity["foil"] == 0


def test_match_english_distributor_fills_no_link(matcher):
    affinity, result = _affinity(matcher, "Distributor of copper foil and battery cells in Asia")
    assert affinity["foil"] == 0 and affinity["cells"] == 0
    assert result.trade_only[0]


def test_match_noisy_or_combines_terms_and_code(matcher):
    affinity, _ = _affinity(matcher, "电解铜箔、锂电铜箔制造", code="3252")
    assert affinity["foil"] == pytest.approx(1 - (1 - 0.8) * (1 - 0.8) * (1 - 0.6))


def test_match_code_prefix_alone(matcher):
    affinity, result = _affinity(matcher, "", code="3841")
    assert affinity["cells"] == pytest.approx(0.6)
    assert result.evidence_for(0, 1) == "code:3841"


def test_match_each_row_kept_in_order(matcher):
    texts = ["", "锂离子电池制造", "锂电铜箔生产", "餐饮服务"]
    result = matcher.match(texts)
    assert result.affinity.shape == (4, 2)
    assert np.flatnonzero(result.affinity.toarray().sum(axis=1)).tolist() == [1, 2]


def test_matcher_follows_sklearn_conventions(tiny_map):
    matcher = LinkMatcher(min_affinity=0.5)
    assert matcher.get_params() == {"activities": (), "firm_names": (), "green_terms": (), "min_affinity": 0.5, "other_words": (), "use_trade_rule": True}
    fitted = matcher.fit(link_vocabulary(tiny_map))
    assert fitted is matcher
    check_is_fitted(matcher)
    assert matcher.transform(["锂电铜箔生产"]).shape == (1, 2)


def test_matcher_rejects_bad_min_affinity(tiny_map):
    with pytest.raises(ValueError, match="The 'min_affinity' parameter of LinkMatcher must be in"):
        LinkMatcher(min_affinity=1.5).fit(link_vocabulary(tiny_map))


def test_match_flags_green_words_in_the_same_pass(tiny_map):
    matcher = LinkMatcher(green_terms=("循环利用", "recycling")).fit(link_vocabulary(tiny_map))
    result = matcher.match(["废塑料循环利用", "餐饮服务", "Battery recycling plant"])
    assert result.green.tolist() == [True, False, True]


def test_match_of_a_table_equals_each_row_matched_alone(jiangmen):
    """The matcher scans a whole table at once; no row may see its neighbours' words."""
    from pathlib import Path

    firms = pd.read_csv(Path(__file__).resolve().parents[2] / "seeds" / "eval" / "firms.csv", dtype=str, keep_default_na=False)
    tricky = pd.DataFrame({
        "description": ["", "销售锂电池", "Distributor of lithium batteries; we also manufacture cathodes.",
                        "İstanbul BATTERY maker\nsales of copper foil", "技术开发；销售：铜箔。生产：铜箔", "lithium", "batteries"],
        "industry_code": ["3841", "", "38", "", " 3985 ", "", "33"],
    })
    table = pd.concat([firms[["description", "industry_code"]], tricky], ignore_index=True)
    matcher = jiangmen.scorer.matcher
    together = matcher.match(table)
    dense = together.affinity.toarray()
    for i in range(len(table)):
        alone = matcher.match(table.iloc[[i]])
        np.testing.assert_array_equal(alone.affinity.toarray()[0], dense[i])
        start, end = together.indptr[i], together.indptr[i + 1]
        assert alone.evidence.tolist() == together.evidence[start:end].tolist()
        assert alone.trade_only[0] == together.trade_only[i] and alone.green[0] == together.green[i]
    assert together.trade_only.any() and together.green.any() and (np.diff(together.indptr) > 1).any()


def test_clause_ends_are_the_same_for_short_and_long_text():
    import random

    from recommender.matching._matcher import CLAUSE_SEARCH_BYTES, _clause_ends

    rng = random.Random(1)
    alphabet = ["；", ";", "。", "，", "\n", "\r", "｜", "|", "．", ". ", ".", " ", "a", "锂", "池", "İ", "ß"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 1500)))
        data = text.encode()
        assert len(data) < CLAUSE_SEARCH_BYTES
        short = _clause_ends(data)  # under the threshold: the small automaton
        long = _clause_ends(data + b"x" * CLAUSE_SEARCH_BYTES)  # the same delimiters, found by numpy
        assert short.tolist() == long.tolist()
        expected = [i + 1 for i, ch in enumerate(text) if ch in "；;。，\n\r｜|．"] + [i + 2 for i in range(len(text) - 1) if text[i : i + 2] == ". "]
        assert sorted(len(text[:e].encode()) for e in expected) == short.tolist()


def test_match_survives_text_that_is_not_valid_unicode(jiangmen):
    """A lone surrogate (possible in a DataFrame from anywhere) neither crashes nor hides a term."""
    result = jiangmen.scorer.matcher.match(["锂电池正极材料\ud800的生产", "\ud800", "NUL\x00铜箔生产"])
    assert result.indptr.tolist()[1:] == sorted(result.indptr.tolist()[1:])
    assert np.diff(result.indptr).tolist()[1] == 0 and np.diff(result.indptr)[0] > 0 and np.diff(result.indptr)[2] > 0
