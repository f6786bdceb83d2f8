"""Scope items worded as GB/T 4754-2017 class names (经营范围规范表述目录 words most manufacturing
items so): they state the firm's class, as an industry code does. Each case is written from the
rule and the standard's own class names, not taken from any evaluation or development set.
"""

import pandas as pd

from tests.matching.reading import links_of


def _links(scorer, description: str, code: str) -> dict[str, float]:
    match = scorer.matcher.match(pd.DataFrame([{"name": "某公司", "description": description, "industry_code": code}]))
    row = match.affinity.getrow(0)
    return {scorer.matcher.link_ids_[c]: v for c, v in zip(row.indices, row.data, strict=True)}


def test_a_class_name_corroborates_the_links_of_its_class(scorer):
    # code 3251 (铜压延加工) alone, then with the items of its group (325 有色金属压延加工) and of
    # 3985 (电子专用材料制造), both of which the copper-foil link lists: two more classes agree
    alone = _links(scorer, "一般项目：金属材料销售", "3251")
    corroborated = _links(scorer, "一般项目：有色金属压延加工；电子专用材料制造；金属材料销售", "3251")
    assert corroborated["copper_foil"] > alone["copper_foil"] + 0.1
    # the group item tells the foils from the other links of 3985 (a code the firm also gives)
    links = _links(scorer, "一般项目：有色金属压延加工；电子专用材料制造", "3985")
    best = max(links, key=links.get)
    assert best in {"copper_foil", "aluminium_foil"}
    assert links[best] > links["battery_raw_materials"]


def test_a_class_name_alone_claims_no_link(scorer):
    # nothing but class items: no code and no word of a link, so no link is claimed
    assert links_of(scorer, "一般项目：有色金属压延加工；电子专用材料制造") == {}


def test_the_class_of_the_code_counts_once(scorer):
    # the registrar takes the code from the scope's item: item and code are one statement
    alone = _links(scorer, "一般项目：金属材料销售", "3252")
    same = _links(scorer, "一般项目：铝压延加工；金属材料销售", "3252")
    assert same["aluminium_foil"] == alone["aluminium_foil"]


def test_a_class_name_is_not_read_as_a_class_named_inside_it(scorer):
    # 非金属废料和碎屑加工处理 (4220) holds the words of 金属废料和碎屑加工处理 (4210)
    links = links_of(scorer, "一般项目：非金属废料和碎屑加工处理；纸制品销售")
    assert "scrap_metal_collection" not in links
    assert "scrap_metal_collection" in links_of(scorer, "一般项目：金属废料和碎屑加工处理；纸制品销售")


def test_a_class_name_keeps_the_products_it_lists(scorer):
    # found instead of the product words inside it, it weighs as they do together
    listed = links_of(scorer, "轴承、齿轮和传动部件制造")
    assert max(listed, key=listed.get) == "core_components"
    assert listed["core_components"] >= links_of(scorer, "传动部件制造")["core_components"]
    # a class name beginning with a product: the product's links as before (cells)
    cells = links_of(scorer, "锂离子电池制造")
    assert max(cells, key=cells.get) == "cell_manufacturing"


def test_radiation_detectors_by_their_class(scorer):
    # 4027 核子及核辐射测量仪器制造: detectors of particles and radiation
    links = _links(scorer, "一般项目：核子及核辐射测量仪器制造；电子产品销售", "4027")
    assert max(links, key=links.get) == "precision_detection_instruments"
