"""Reasons kept across calls: the same text as a cold call, and never another map's."""

import dataclasses

import pandas as pd

from recommender._cache import forget_values
from recommender.scoring import explain_frame


def _scored(jiangmen):
    return jiangmen.scorer.score_frame(pd.DataFrame([
        {"name": "甲公司", "description": "主营电解铜箔；兼营锂离子电池PACK组装", "city": "深圳", "country": "中国", "customers": "某电池厂"},
        {"name": "乙公司", "description": "生产电解铜箔", "city": "武汉", "country": "中国", "industry_code": "3985"},
        {"name": "丙公司", "description": "锂电铜箔的研发与生产"},
        {"name": "丁公司", "description": "销售电解铜箔"},
        {"name": "戊公司", "description": "餐饮服务"},
    ]))


def test_reasons_kept_across_calls_read_as_each_row_alone_does(jiangmen):
    scored = _scored(jiangmen)
    assert scored["link_id"].tolist()[:3] == ["copper_foil"] * 3  # one link, told apart by what else each row says
    for lang in ("zh", "en"):
        alone = []
        for i in range(len(scored)):  # each row with nothing kept from another
            forget_values()
            alone += explain_frame(scored.iloc[[i]], jiangmen.chain_map, lang).tolist()
        warm = explain_frame(scored, jiangmen.chain_map, lang).tolist()
        again = explain_frame(scored.iloc[::-1].reset_index(drop=True), jiangmen.chain_map, lang).tolist()
        assert warm == alone and again == alone[::-1]
        assert len(set(alone[:3])) == 3  # the rows of one link keep reasons of their own
    assert explain_frame(scored, jiangmen.chain_map, "en").tolist() != explain_frame(scored, jiangmen.chain_map, "zh").tolist()


def test_a_reason_that_reads_the_map_is_kept_per_map(jiangmen):
    scored = _scored(jiangmen)
    chain_map = jiangmen.chain_map
    origins = chain_map.strategy.origins
    renamed = {key: group.model_copy(update={"name": group.name.model_copy(update={"zh": f"{group.name.zh}（改）"})})
               for key, group in origins.items()}
    other = dataclasses.replace(chain_map, strategy=chain_map.strategy.model_copy(update={"origins": renamed}))
    before = explain_frame(scored, chain_map).tolist()
    after = explain_frame(scored, other).tolist()
    assert before != after and any("（改）" in text for text in after) and not any("（改）" in text for text in before)
    assert explain_frame(scored, chain_map).tolist() == before  # the first map's reasons, not the other's
