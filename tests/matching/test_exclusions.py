"""Bracketed exclusions of a registered scope item. The catalogue of registration wording
(经营范围规范表述目录) writes what an item leaves out in a bracket: opened by 除 / 不含 / 不包括
(再生资源回收（除生产性废旧金属）, 普通货物仓储服务（不含危险化学品）) or closed by 除外
(知识产权服务（专利代理服务除外）). The words inside such a bracket are what the firm does not do:
they are no evidence of a link and lend no activity to the item. Each case is written from that
rule, not taken from any evaluation or development set.
"""

import random

import numpy as np
import pandas as pd
import pytest

from tests.matching.reading import links_of, production


@pytest.mark.parametrize("item", [
    "再生资源回收（生产性废旧金属除外）",  # closed by 除外
    "再生资源回收（除生产性废旧金属外）",  # opened by 除
    "再生资源回收（不含生产性废旧金属）",  # opened by 不含
])
def test_the_words_of_an_exclusion_name_no_link(scorer, item):
    assert "scrap_metal_collection" not in links_of(scorer, f"一般项目：{item}；五金产品批发")
    # the same words outside a bracket are the firm's
    assert "scrap_metal_collection" in links_of(scorer, "一般项目：生产性废旧金属回收；五金产品批发")


@pytest.mark.parametrize("item", ["锂离子电池（生产除外）", "磷酸铁锂（生产、加工除外）", "锂离子电池（不含生产）"])
def test_an_excluded_activity_is_not_the_items_activity(scorer, item):
    # what the bracket excludes (making) is not what the firm does with the product it names
    assert production(scorer, links_of(scorer, f"一般项目：{item}；五金产品批发")) == []


def test_an_activity_named_outside_the_bracket_still_counts(scorer):
    assert "cell_manufacturing" in links_of(scorer, "一般项目：锂离子电池制造（危险化学品除外）；五金产品批发")
    assert "cell_manufacturing" in links_of(scorer, "一般项目：锂离子电池制造；五金产品批发")


def test_an_item_gains_nothing_from_what_it_excludes(scorer):
    # 专利代理 is technology-transfer evidence of its own; excluded, it adds nothing to the item
    assert "tech_transfer" in links_of(scorer, "一般项目：专利代理；五金产品批发")
    for scope in ("一般项目：知识产权服务（专利代理服务除外）；{}", "一般项目：知识产权服务（不含专利代理服务）；{}"):
        for other in ("五金产品批发", "新材料技术研发", "塑料制品制造"):
            excluded = links_of(scorer, scope.format(other)).get("tech_transfer", 0.0)
            assert excluded == links_of(scorer, f"一般项目：知识产权服务；{other}").get("tech_transfer", 0.0), other


def test_an_exclusion_ends_at_its_closing_bracket(scorer):
    # a second bracket after the exclusion names the item's products: they are the firm's
    links = links_of(scorer, "一般项目：基础化学原料制造（不含危险化学品）（电池级硫酸镍、硫酸钴）")
    assert "battery_raw_materials" in links
    assert links == links_of(scorer, "一般项目：基础化学原料制造（电池级硫酸镍、硫酸钴）")
    # and the same in English
    english = "Manufactures chemicals (excluding hazardous chemicals) such as battery-grade nickel sulfate"
    assert "battery_raw_materials" in links_of(scorer, english)


def test_a_bracket_left_open_ends_with_its_item(scorer):
    assert "cell_manufacturing" in links_of(scorer, "一般项目：普通货物仓储服务（不含危险化学品；锂离子电池制造")
    assert "cell_manufacturing" not in links_of(scorer, "一般项目：普通货物仓储服务（不含危险化学品、锂离子电池制造")


def test_exclusions_read_alike_in_a_batch_and_alone(scorer):
    # a batch long enough for the numpy search of the brackets reads each firm as it is read alone
    descriptions = [
        "一般项目：知识产权服务（专利代理服务除外）；锂离子电池制造",
        "一般项目：再生资源回收（生产性废旧金属除外）；五金产品批发",
        "一般项目：基础化学原料制造（不含危险化学品）（电池级硫酸镍、硫酸钴）",
        "一般项目：普通货物仓储服务（不含危险化学品；锂离子电池制造",
        "Manufactures chemicals (excluding hazardous chemicals) such as battery-grade nickel sulfate",
        "专利代理服务除外）；专利代理",
    ] * 40
    batch = scorer.matcher.match(pd.DataFrame({"name": "某公司", "description": descriptions}))
    dense = batch.affinity.toarray()
    for i, description in enumerate(descriptions[:6]):
        alone = scorer.matcher.match(pd.DataFrame([{"name": "某公司", "description": description}]))
        np.testing.assert_array_equal(alone.affinity.toarray()[0], dense[i])
        np.testing.assert_array_equal(dense[i], dense[i + 6 * 39])


def test_the_bracket_of_an_exclusion_is_found_in_both_widths():
    from recommender.matching._matcher import _closing_bracket, _opening_bracket

    rng = random.Random(2)
    alphabet = ["（", "）", "(", ")", "；", "a", "锂", "池", "İ", "＋"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        data = text.encode()
        offsets = [len(text[:i].encode()) for i in range(len(text) + 1)]
        i, j = sorted(rng.sample(range(len(text) + 1), 2)) if len(text) else (0, 0)
        begin, end = offsets[i], offsets[j]
        closing = [offsets[k] for k in range(i, j) if text[k] in "）)"]
        assert _closing_bracket(data, begin, end) == (closing[0] if closing else end)
        opening = [offsets[k + 1] for k in range(i, j) if text[k] in "（("]
        assert _opening_bracket(data, begin, end) == (opening[-1] if opening else begin)
