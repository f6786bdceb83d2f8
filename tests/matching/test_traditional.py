"""Text in traditional characters (Hong Kong, Taiwan) reads as the same text in simplified ones.

Each pair is one description written twice, in simplified and in traditional characters; the
words are the ordinary words of each trade, not taken from any evaluation set.
"""

import pandas as pd
import pytest

from recommender.reference._text import traditional


def _best(scorer, description: str, name: str = "某公司") -> pd.Series:
    return scorer.score_frame(pd.DataFrame([{"name": name, "description": description}])).iloc[0]


@pytest.mark.parametrize("simplified", [
    "生产锂电池用电解铜箔",  # a link term
    "废旧锂电池回收，湿法冶金提取镍钴锂",  # an object beside an activity
    "主营电池铝箔生产；兼营铝型材销售",  # a lead word, a trade word
])
def test_traditional_text_matches_the_link_of_its_simplified_form(scorer, simplified):
    written = traditional(simplified)
    assert written != simplified  # the pair differs in its characters
    expected = _best(scorer, simplified)
    assert expected["link_id"]
    row = _best(scorer, written)
    assert (row["link_id"], row["affinity"]) == (expected["link_id"], expected["affinity"])


def test_a_trader_in_traditional_characters_still_fills_no_production_link(scorer):
    row = _best(scorer, traditional("批发零售锂电铜箔、负极材料"))
    assert row["link_id"] == ""
    named = _best(scorer, "锂电池材料", name=traditional("某某投资有限公司"))  # a firm named for investing
    assert named["link_id"] == ""


def test_the_character_table_maps_simplified_to_traditional():
    assert traditional("铝箔电池回收") == "鋁箔電池回收"
    assert traditional("abc 123") == "abc 123"
