"""Registration-scope items read together: a recovery business stated by the class of what it
recovers and a recycling item; a class-name item and items naming its product counted once; a
main-products note that names no link. Each case is written from the rule, GB/T 4754-2017 class
names and the catalogue's item wording (经营范围规范表述目录), not taken from any evaluation or
development set.
"""

import pandas as pd
import pytest

from tests.matching.reading import links_of, production


def _links(scorer, description: str, code: str = "") -> dict[str, float]:
    match = scorer.matcher.match(pd.DataFrame([{"name": "某公司", "description": description, "industry_code": code}]))
    row = match.affinity.getrow(0)
    return {scorer.matcher.link_ids_[c]: v for c, v in zip(row.indices, row.data, strict=True)}


def test_a_recovery_link_is_stated_by_its_class_and_a_recycling_item(scorer):
    # 3985 (电子专用材料制造) is the class of cathode materials; beside a recycling item the firm
    # recovers them: the regeneration link, which makes nothing, is read from the two together
    for recycling in ("资源再生利用技术研发", "再生资源加工", "废旧锂电池回收利用技术研发"):
        links = links_of(scorer, f"一般项目：电子专用材料制造；日用百货销售；{recycling}")
        assert "cathode_regeneration" in links, recycling
    # 专用化学产品制造 (group 266, electrolytes among its classes) with one: electrolyte recovery
    assert "electrolyte_recovery" in links_of(scorer, "一般项目：专用化学产品制造（不含危险化学品）；资源再生利用技术研发")


def test_the_class_alone_or_the_recycling_alone_states_no_recovery(scorer):
    assert "cathode_regeneration" not in links_of(scorer, "一般项目：电子专用材料制造；基础化学原料制造；日用百货销售")
    assert "cathode_regeneration" not in links_of(scorer, "一般项目：资源再生利用技术研发；日用百货销售")


def test_a_link_that_makes_the_class_gets_no_recovery_reading(scorer):
    # the recycling item says nothing of the makers of the class: they stay corroborated only
    links = links_of(scorer, "一般项目：专用化学产品制造（不含危险化学品）；资源再生利用技术研发")
    assert "fine_chemicals" not in links
    links = links_of(scorer, "一般项目：电子专用材料制造；资源再生利用技术研发")
    assert not {"high_performance_battery_materials", "copper_foil", "aluminium_foil"} & links.keys()


def test_a_recovery_reading_counts_beside_the_code_of_its_class(scorer):
    # the code 3985 names every link of its class alike; the recycling item is what it lacks
    with_recycling = _links(scorer, "一般项目：电子专用材料制造；再生资源加工；日用百货销售", "3985")
    assert max(with_recycling, key=with_recycling.get) == "cathode_regeneration"
    without = _links(scorer, "一般项目：电子专用材料制造；日用百货销售", "3985")
    assert without["cathode_regeneration"] <= without["high_performance_battery_materials"]


def test_a_green_word_names_the_activity_it_holds(scorer):
    # 再生利用 and 回收利用 open with the recycling word: the item names recycling
    for item in ("资源再生利用技术研发", "资源回收利用技术研发"):
        assert "cathode_regeneration" in links_of(scorer, f"一般项目：{item}；电子专用材料制造")


def test_a_scope_item_is_a_statement_of_its_own(scorer):
    # 一般项目：A；B；C - the 销售 and 租赁 of other items are not done to the service an item names
    scope = "一般项目：电子产品销售；非居住房地产租赁；人力资源服务；业务流程外包"
    assert "hr_outsourcing" in links_of(scorer, scope)
    # the same words as one line of prose, the selling and letting around the service govern it
    assert "hr_outsourcing" not in links_of(scorer, "电子产品销售，非居住房地产租赁，人力资源服务")


def test_a_firm_named_for_its_activity_reads_its_items_in_that_light(scorer):
    # XX地产有限公司: a developer whose scope lists a wellness item does not run the resort
    scope = "一般项目：住房租赁；养生保健服务（非医疗）"
    frame = pd.DataFrame([{"name": "江门某某地产有限公司", "description": scope}, {"name": "江门某某健康管理有限公司", "description": scope}])
    match = scorer.matcher.match(frame)
    wellness = list(scorer.matcher.link_ids_).index("wellness_resort")
    assert match.affinity[0, wellness] == 0
    assert match.affinity[1, wellness] > 0


@pytest.mark.parametrize(("item", "restated", "link"), [
    ("汽车零部件及配件制造", ("汽车零部件研发", "汽车零部件销售"), "lightweight_auto_parts"),
    ("工业机器人制造", ("工业机器人研发", "工业机器人销售"), "industrial_robots"),
])
def test_a_class_item_and_items_of_its_product_count_once(scorer, item, restated, link):
    # a firm registers an item for each thing it does to its product (制造, 研发, 销售, 维修): the
    # number of catalogue items says nothing of how large the business is (the class name
    # 工业机器人制造 and the product word 工业机器人 of 工业机器人研发 name one product)
    once = links_of(scorer, f"一般项目：{item}；五金产品零售")[link]
    for extra in (restated[:1], restated):
        assert links_of(scorer, "一般项目：" + "；".join((item, *extra, "五金产品零售")))[link] == pytest.approx(once)


def test_distinct_products_of_a_link_still_add_up(scorer):
    # two products of the link are two statements of it (负极材料, 人造石墨), and so are two product
    # words one inside the other (铜箔, 电解铜箔): only a class name restates the product it names
    once = links_of(scorer, "一般项目：锂离子电池负极材料制造；五金产品零售")["anode_material"]
    assert links_of(scorer, "一般项目：锂离子电池负极材料制造；人造石墨制造；五金产品零售")["anode_material"] > once
    foil = links_of(scorer, "一般项目：铜箔制造；五金产品零售")["copper_foil"]
    assert links_of(scorer, "一般项目：铜箔制造；电解铜箔研发；五金产品零售")["copper_foil"] > foil


def test_a_class_code_beside_restated_items_still_counts(scorer):
    scope = "一般项目：汽车零部件及配件制造；汽车零部件研发；五金产品零售"
    assert _links(scorer, scope, "3670")["lightweight_auto_parts"] > _links(scorer, scope)["lightweight_auto_parts"]


def test_prose_is_not_a_list_of_items(scorer):
    # in prose two mentions are two products (a crop-spraying and a tethered drone): not one restated
    prose = "六旋翼植保无人机、系留照明无人机，整机研发与批量装配"
    links = links_of(scorer, prose)
    assert max(links, key=links.get) == "drones_evtol"
    assert links["drones_evtol"] > links_of(scorer, "六旋翼植保无人机，整机研发与批量装配").get("drones_evtol", 0.0)


def test_a_main_products_note_that_names_no_link_leads_nothing(scorer):
    # a 主要产品 note whose products the vocabulary does not know says nothing the matcher reads:
    # the first item naming a link leads, as it does without the note
    items = "一般项目：生物基材料制造；合成材料制造；五金产品零售"
    plain = links_of(scorer, items)["synthetic_biology"]
    assert links_of(scorer, items + "（主要产品：生物基戊二胺、聚酰胺56切片）")["synthetic_biology"] == pytest.approx(plain)
    # a note that names a link still leads, and the other items weigh as later ones
    noted = links_of(scorer, "一般项目：人造石墨制造；生物基材料制造；五金产品零售（主营：合成生物制造平台）")
    assert noted["synthetic_biology"] > noted["anode_material"]
    assert noted["anode_material"] < links_of(scorer, "一般项目：人造石墨制造；生物基材料制造；五金产品零售")["anode_material"]


def test_a_service_or_development_item_is_its_own_statement(scorer):
    # in a registered scope's list, an item that names a service the firm performs (通用航空服务) or a
    # development it does (人工智能基础软件开发) is not sold by the 销售 / 批发 items beside it
    for item, link, trade in (("许可项目：通用航空服务。一般项目：", "low_altitude_operations", "智能无人飞行器销售；五金产品批发"),
                              ("一般项目：人工智能基础软件开发；", "artificial_intelligence", "电子产品销售；计算机软硬件及辅助设备批发")):
        assert link in links_of(scorer, item + trade), item
    # a firm whose registered name says it invests reads its items in that light
    assert "artificial_intelligence" not in links_of(scorer, "一般项目：人工智能基础软件开发；电子产品销售", "某某投资有限公司")
    # a product item still borrows the trade of the scope: a distributor stays one
    assert "drones_evtol" not in links_of(scorer, "一般项目：智能无人飞行器销售；五金产品批发")


def test_a_firm_named_for_its_activity_does_it_to_the_items_that_name_none(scorer):
    # XX教育科技有限公司 registering 职业技能培训 among consulting items trains: the 咨询 of its other
    # items is not done to the training item, its name says what it does
    scope = "一般项目：教育咨询服务（不含涉许可审批的教育培训活动）；软件开发。许可项目：职业技能培训"
    assert "skills_training" in links_of(scorer, scope, "某某教育科技有限公司")
    # and a firm named for investing invests in it, whatever the item says
    assert "skills_training" not in links_of(scorer, scope, "某某投资有限公司")
    # the consulting of the training's own clause governs it, whatever the name
    assert "skills_training" not in links_of(scorer, "为企业提供职业技能培训咨询", "某某教育科技有限公司")
    # prose is not a list of items: the consulting of the sentence governs the training in it
    assert "skills_training" not in links_of(scorer, "提供教育咨询服务，开展职业技能培训", "某某教育科技有限公司")


def test_an_education_firm_makes_nothing_of_the_map(scorer):
    # a firm named for teaching (教育科技, 培训学校) that teaches robot or battery courses makes neither
    for name in ("某某教育科技有限公司", "某某职业培训学校有限公司"):
        found = links_of(scorer, "少儿机器人编程课程；锂电池技术培训", name)
        assert not production(scorer, found), (name, found)
