"""Sibling links told apart by general rules of the trade (recovering a material from waste is
recycling, not making it; equipment for a product is not the product) and by the words of the
trade for what a link does. Each description is written from the rule, not taken from any
evaluation or development set.
"""

from tests.matching.reading import links_of, top_link


def test_salts_recovered_from_spent_cells_are_recycling_not_making(scorer):
    # the products a recycler names beside its feed are recovered from that feed
    links = links_of(scorer, "废旧锂电池湿法浸出回收碳酸锂、硫酸钴")
    assert links["battery_recycling"] == max(links.values())
    assert links["battery_raw_materials"] < links["battery_recycling"]
    assert (
        top_link(scorer, "Leaches black mass from spent lithium-ion batteries to recover lithium carbonate and cobalt sulfate")
        == "battery_recycling"
    )
    links = links_of(scorer, "回收废电解液并精馏提纯碳酸二甲酯")
    assert max(links, key=links.get) == "electrolyte_recovery"
    assert links["battery_raw_materials"] < 0.6 * links["electrolyte_recovery"]


def test_the_same_salts_made_from_ore_are_battery_raw_materials(scorer):
    # no recycling named: the salts are the firm's own products, at full weight
    links = links_of(scorer, "锂辉石提锂，生产电池级碳酸锂与硫酸钴")
    assert max(links, key=links.get) == "battery_raw_materials"
    assert links["battery_raw_materials"] > 0.8
    assert "battery_recycling" not in links


def test_a_cathode_material_named_by_its_chemistry_is_the_material(scorer):
    # 三元正极材料 and 磷酸铁锂正极 name the cathode material: regenerated, it is cathode regeneration
    links = links_of(scorer, "退役三元正极材料修复再生")
    assert max(links, key=links.get) == "cathode_regeneration"
    assert "battery_raw_materials" not in links
    assert "cathode_regeneration" in links_of(scorer, "退役磷酸铁锂正极粉直接修复再生")
    assert "cathode_regeneration" not in links_of(scorer, "三元正极材料生产")


def test_discarded_appliances_named_as_such_are_weee_feed(scorer):
    # 废弃电器电子产品回收处理管理条例: the discarded products (废弃电冰箱 …) are what licensed dismantlers treat
    assert top_link(scorer, "废弃电冰箱、空调拆解处理") == "weee_dismantling"
    assert "weee_dismantling" not in links_of(scorer, "废旧冰箱销售")


def test_shellfish_processed_by_name_is_seafood_processing(scorer):
    # GB/T 4754 1369: a species with its processing a few characters after it
    for text in ("牡蛎深加工", "鲍鱼罐头与即食海参加工"):
        assert top_link(scorer, text) == "seafood_deep_processing"


def test_drone_delivery_with_its_area_between_is_a_low_altitude_service(scorer):
    links = links_of(scorer, "提供无人机社区配送服务")
    assert max(links, key=links.get) == "low_altitude_operations"
    assert "drones_evtol" not in links


def test_payment_services_and_trade_finance(scorer):
    # GB/T 4754 6930 非金融机构支付服务 names the payment service; trade finance is finance, not trading
    assert top_link(scorer, "第三方网络支付与银行卡收单服务") == "digital_finance"
    assert top_link(scorer, "Fintech offering trade finance and a cross-border payment API to exporters") == "digital_finance"
    assert links_of(scorer, "Trade finance for battery makers: letters of credit for lithium carbonate shipments") == {}


def test_equipment_for_a_link_is_made_by_its_equipment_makers(scorer):
    # a word before 设备 / machinery names what the equipment is for: the firm makes the equipment
    # (GB/T 4754 division 35 links that supply the named link), not the named product
    for text in ("动力电池检测设备制造", "Maker of pouch cell production machinery"):
        links = links_of(scorer, text)
        assert max(links, key=links.get) == "battery_production_equipment"
        assert "cell_manufacturing" not in links
    links = links_of(scorer, "海产品加工设备制造")
    assert max(links, key=links.get) == "agri_food_machinery"
    assert "seafood_deep_processing" not in links
    # the product itself, and equipment of a link no special-equipment link supplies, are unchanged
    assert top_link(scorer, "动力电池制造") == "cell_manufacturing"
    assert "battery_production_equipment" not in links_of(scorer, "储能设备生产")


def test_formation_and_grading_cabinets_are_battery_equipment(scorer):
    for text in ("Supplier of formation and grading cabinets for lithium cell plants", "化成柜、分容柜制造"):
        assert top_link(scorer, text) == "battery_production_equipment"


def test_a_product_named_before_its_material_is_the_material_s_use(scorer):
    # 动力电池铜箔: copper foil for power batteries; the term before the material names the product
    # the material goes into (its link is downstream of the material's), weighed as secondary
    links = links_of(scorer, "动力电池铜箔生产")
    assert max(links, key=links.get) == "copper_foil"
    assert links.get("cell_manufacturing", 0.0) < 0.6 * links["copper_foil"]
    assert top_link(scorer, "Maker of EV battery copper foil") == "copper_foil"
    assert top_link(scorer, "储能电池负极材料") == "anode_material"
    # the material, the head of the compound, is the firm's product even when its word is short
    links = links_of(scorer, "储能电池硬碳")
    assert max(links, key=links.get) == "anode_material"


def test_a_shared_object_word_after_a_product_is_its_category_not_a_material(scorer):
    # 全钒液流电池: 电池 names what the product is, not a material going into it
    assert top_link(scorer, "全钒液流电池制造") == "new_energy_storage"


def test_the_rules_read_a_batch_as_they_read_each_firm(scorer):
    # a few terms are paired and tested for equipment heads in Python, many with numpy: same result
    from recommender.matching._matcher import EQUIPMENT_BATCH, PAIR_BATCH

    texts = [
        "动力电池铜箔生产",
        "储能电池硬碳",
        "动力电池检测设备制造",
        "Maker of EV battery copper foil and battery equipment",
        "废旧锂电池湿法浸出回收碳酸锂、硫酸钴",
        "锂电池 设备；电池,铜箔",
    ]
    batch = texts * (max(EQUIPMENT_BATCH, PAIR_BATCH) // 2)
    together = scorer.matcher.match(batch).affinity.toarray()
    for i, text in enumerate(batch[: len(texts)]):
        assert together[i].tolist() == scorer.matcher.match([text]).affinity.toarray()[0].tolist()


def test_every_entry_array_covers_every_reading(scorer):
    # equipment readings come after the automaton's patterns: every per-entry array (link_*_,
    # one value per reading and link) must reach as far as the entry pointers do
    matcher = scorer.matcher
    assert len(matcher.readings_) > len(matcher.automaton_), "the map has no equipment readings to check"
    entries = int(matcher.link_ptr_[-1])
    per_entry = {
        name: value
        for name, value in vars(matcher).items()
        if name.startswith("link_") and name.endswith("_") and name not in ("link_ids_", "link_ptr_")
    }
    assert {"link_col_", "link_weight_", "link_accepts_", "link_requires_", "link_corroborates_", "link_class_"} <= per_entry.keys()
    assert {name: len(value) for name, value in per_entry.items()} == dict.fromkeys(per_entry, entries)
    assert len(matcher.link_ptr_) == len(matcher.readings_) + 1 == len(matcher.has_service_) + 1
