"""Scope items worded as GB/T 4754-2017 class names (经营范围规范表述目录 words most manufacturing
items so): they state the firm's class, as an industry code does; two items of different classes
that agree on a link state it, as a code and an item do. Each case is written from the
rule and the standard's own class names, not taken from any evaluation or development set.
"""

import pandas as pd

from tests.matching.reading import links_of, top_link


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
    # nothing but one class item: no code, no word of a link and no second class, so no link is claimed
    assert links_of(scorer, "一般项目：有色金属压延加工；金属材料销售") == {}
    assert links_of(scorer, "一般项目：电子专用材料制造；金属材料销售") == {}


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


def test_two_classes_that_agree_on_a_link_state_it(scorer):
    # two items of different classes name the links both list, as a code and an item do: 3985
    # (电子专用材料制造) and group 325 (有色金属压延加工) the foils, 3091 (石墨及碳素制品制造) and 3985
    # the anode materials; either item alone claims nothing
    foils = links_of(scorer, "一般项目：电子专用材料制造；有色金属压延加工；五金产品零售")
    assert max(foils, key=foils.get) in {"copper_foil", "aluminium_foil"}
    assert foils["copper_foil"] > 0.6 and foils["aluminium_foil"] > 0.6
    assert "battery_raw_materials" not in foils
    anode = links_of(scorer, "一般项目：石墨及碳素制品制造；电子专用材料制造；五金产品零售")
    assert max(anode, key=anode.get) == "anode_material"
    for alone in ("电子专用材料制造", "有色金属压延加工"):
        assert links_of(scorer, f"一般项目：{alone}；五金产品零售") == {}


def test_a_class_and_its_own_group_are_one_statement(scorer):
    # 3251 (铜压延加工) lies in group 325 (有色金属压延加工): one class, named twice
    assert "copper_foil" not in links_of(scorer, "一般项目：有色金属压延加工；铜压延加工；五金产品零售")


def test_a_recovered_class_states_no_making_of_it(scorer):
    # beside a recycling item, 电子专用材料制造 names what the firm recovers: with 基础化学原料制造 it
    # does not make the firm a maker of battery raw materials
    recovering = links_of(scorer, "一般项目：电子专用材料制造；基础化学原料制造；资源再生利用技术研发")
    assert max(recovering, key=recovering.get) == "cathode_regeneration"
    assert "battery_raw_materials" not in recovering
    making = links_of(scorer, "一般项目：电子专用材料制造；基础化学原料制造；五金产品零售")
    assert max(making, key=making.get) == "battery_raw_materials"


def test_a_class_item_that_claims_nothing_leads_nothing(scorer):
    # a first item worded as a class name that no other item or code supports claims no link: the
    # firm's own product item after it weighs as it would if it came first
    first = links_of(scorer, "一般项目：质子交换膜生产；有色金属压延加工；货物进出口")
    after = links_of(scorer, "一般项目：有色金属压延加工；质子交换膜生产；货物进出口")
    assert after["fuel_cell_materials"] == first["fuel_cell_materials"]


def test_a_class_item_the_code_restates_still_leads(scorer):
    # the first item names the class of the firm's code (3252 铝压延加工 lies in 325): it is the
    # firm's class, stated twice, and the items after it remain later items
    links = _links(scorer, "一般项目：有色金属压延加工；金属表面处理及热处理加工；电子专用材料制造；五金产品零售", "3252")
    assert max(links, key=links.get) == "aluminium_foil"


def test_two_class_items_weigh_as_a_code_and_an_item(scorer):
    # two items of different classes that agree on a link state it as the code of one class and the
    # item of the other do, whichever is listed first
    together = links_of(scorer, "一般项目：石墨及碳素制品制造；电子专用材料制造；五金产品零售")
    reversed_ = links_of(scorer, "一般项目：电子专用材料制造；石墨及碳素制品制造；五金产品零售")
    by_code = _links(scorer, "一般项目：电子专用材料制造；五金产品零售", "3091")
    assert together["anode_material"] == reversed_["anode_material"]
    assert together["anode_material"] >= by_code["anode_material"] - 1e-9


def test_the_class_of_food_and_beverage_machinery_states_that_machinery(scorer):
    # 3531 食品、酒、饮料及茶生产专用设备制造 makes the machines of food and drink lines: the item names the
    # firm's product as plainly as 食品机械 does, not the drinks (饮料) inside its name; its code too
    item = links_of(scorer, "一般项目：食品、酒、饮料及茶生产专用设备制造；包装专用设备制造；机械零部件加工；货物进出口")
    assert max(item, key=item.get) == "agri_food_machinery"
    assert "beverages" not in item
    assert "agri_food_machinery" in _links(scorer, "一般项目：机械设备销售", "3531")


def test_a_catalogue_item_of_a_service_class_reads_as_the_class_name(scorer):
    # 数据处理和存储支持服务 is the registration catalogue's item for class 6550 (信息处理和存储支持服务):
    # beside the firm's code of another class of its link, or the item of one, it states the link;
    # alone, or beside a code of none of its links, it claims nothing
    item = "数据处理和存储支持服务"
    by_code = _links(scorer, f"一般项目：{item}；计算机软硬件及辅助设备零售；非居住房地产租赁", "6450")
    code_alone = _links(scorer, "一般项目：计算机软硬件及辅助设备零售；非居住房地产租赁", "6450")
    assert by_code["intelligent_computing_centre"] > code_alone["intelligent_computing_centre"] + 0.1
    assert links_of(scorer, f"一般项目：{item}；互联网数据服务；软件开发")["intelligent_computing_centre"] > 0.7
    assert links_of(scorer, f"一般项目：{item}；软件开发；软件销售") == {}
    assert "intelligent_computing_centre" not in _links(scorer, f"一般项目：软件开发；{item}；软件销售", "6513")


def test_battery_parts_beside_the_class_of_the_material_state_that_material(scorer):
    # 电池零配件生产 (the catalogue's battery-parts item) names the materials that go into a cell, not
    # the cell: beside the class of what the material is made of (3091 石墨及碳素制品制造, 325 有色金属压延加工)
    # it states that material's link; alone, or beside 电池制造, it states none
    graphite = links_of(scorer, "一般项目：石墨及碳素制品制造；电池零配件生产；货物进出口")
    assert max(graphite, key=graphite.get) == "anode_material" and graphite["anode_material"] > 0.7
    assert "cell_manufacturing" not in graphite
    rolled = links_of(scorer, "一般项目：有色金属压延加工；电池零配件生产；货物进出口")
    assert max(rolled, key=rolled.get) in {"copper_foil", "aluminium_foil"} and max(rolled.values()) > 0.7
    assert links_of(scorer, "一般项目：电池零配件生产；货物进出口") == {}
    assert "anode_material" not in links_of(scorer, "一般项目：电池制造；电池零配件生产")


def test_internet_selling_beside_performer_brokerage_states_live_commerce(scorer):
    # a live-commerce agency (MCN) sells online (互联网销售, 5292) through the hosts it signs, which
    # takes the 演出经纪 licence (9053): the two items together state it; either alone does not
    both = links_of(scorer, "一般项目：互联网销售（除销售需要许可的商品）；日用百货销售。许可项目：演出经纪")
    assert max(both, key=both.get) == "livestream_ecommerce" and both["livestream_ecommerce"] > 0.7
    assert "livestream_ecommerce" not in links_of(scorer, "一般项目：互联网销售（除销售需要许可的商品）；日用百货销售")
    assert "livestream_ecommerce" not in links_of(scorer, "一般项目：日用百货销售。许可项目：演出经纪")


def test_a_class_item_does_not_make_a_distributor_name_a_product(scorer):
    # a firm that names the map's products only to sell them, with a trade class code (5164 金属及金属矿批发),
    # is a distributor: the catalogue's internet-selling item beside them names no product of its own
    assert _links(scorer, "一般项目：锂电铜箔销售", "5164") == {}
    assert _links(scorer, "一般项目：锂电铜箔销售；互联网销售（除销售需要许可的商品）", "5164") == {}


def test_a_class_name_that_opens_with_a_links_words_is_that_links_statement(scorer):
    # 4011 工业自动控制系统装置制造 begins with the automation link's own words (工业自动控制系统),
    # then the class's product head (装置); the item states the link as its words would, not as a
    # class name that only corroborates
    for item in ("工业自动控制系统装置制造", "一般项目：工业自动控制系统装置制造；软件开发；信息系统集成服务"):
        assert top_link(scorer, item) == "industrial_automation", item
    # a shared object's word opening a class name still names no link (有色金属 is no commodity trade)
    assert "bulk_commodity_trade" not in links_of(scorer, "一般项目：有色金属压延加工")


def test_the_class_of_battery_assisted_two_wheelers_is_the_electric_two_wheeler_link(scorer):
    # 3770 助动车制造 (电动自行车 and other battery-assisted cycles), as a code and as an item
    assert top_link(scorer, "一般项目：助动车制造；电动自行车销售") == "electric_motorcycle"
    coded = _links(scorer, "一般项目：货物进出口", "3770")
    assert max(coded, key=coded.get) == "electric_motorcycle"


def test_a_class_no_link_lists_names_no_link_by_the_words_inside_its_name(scorer):
    # 电力电子元器件 (3824, power conversion) holds 电子元器件 (the components of group 398)
    assert "electronic_components" not in links_of(scorer, "一般项目：电力电子元器件制造；输配电及控制设备制造")
    assert top_link(scorer, "一般项目：电子元器件制造；电子元器件批发") == "electronic_components"
    # service and consumer robots (3964) are not industrial robots (3491)
    assert "industrial_robots" not in links_of(scorer, "一般项目：服务消费机器人制造；智能机器人销售")
    assert top_link(scorer, "一般项目：工业机器人制造；工业机器人安装、维修") == "industrial_robots"
    # veterinary medicines (2750) are no drugs for people; ferroalloys (3140) smelt no gold
    assert not {"chemical_drugs", "biologics", "tcm_health_products"} & set(links_of(scorer, "许可项目：兽药生产。一般项目：兽用药品制造"))
    assert "precious_metal_recovery" not in links_of(scorer, "一般项目：铁合金冶炼；金属材料销售")
    # the catalogue's item for power transformers and rectifiers (3821) names no electronic transformer
    assert "electronic_components" not in links_of(scorer, "一般项目：变压器、整流器和电感器制造；配电开关控制设备制造")
    assert top_link(scorer, "高频变压器、功率电感的研发与生产") == "electronic_components"


def test_a_registered_name_that_names_a_link_states_it_with_a_class_item(scorer):
    # 企业名称 = 行政区划 + 字号 + 行业或经营特点 + 组织形式: a trade part ending in a link's own word
    # (铝箔) and the scope's class item of that link (有色金属压延加工, group 325) are two statements
    scope = "一般项目：有色金属压延加工；有色金属合金制造；金属材料销售"
    named = links_of(scorer, scope, name="江门市某某铝箔有限公司")
    assert max(named, key=named.get) == "aluminium_foil"
    assert links_of(scorer, scope).get("aluminium_foil", 0.0) < named["aluminium_foil"]
    # alone, without a class item of the link, the name claims nothing
    assert links_of(scorer, "一般项目：金属材料销售；货物进出口", name="江门市某某铝箔有限公司") == {}
    # a shared object's word in the name (合金材料: any alloy) states no link
    assert links_of(scorer, "一般项目：有色金属压延加工；金属材料销售", name="江门市某某合金材料有限公司") == {}
