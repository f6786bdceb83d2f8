"""What a word names in a description: the firm's product, what the product is for, or what it
is made from. Each description is written from a general rule of Chinese wording or of the
trade (a noun before 用 names the application, 以…为前驱体 names the raw material, black mass is
a recycling intermediate), not taken from any evaluation or development set.
"""

from tests.matching.reading import links_of


def test_a_noun_before_yong_names_the_application_not_the_product(scorer):
    # 储能用锂电池组: packs for energy storage; the firm makes packs, not storage systems
    links = links_of(scorer, "储能用锂电池组制造")
    assert max(links, key=links.get) == "battery_pack" and "new_energy_storage" not in links
    # a component for a machine: the component's link, the machine's well below it
    links = links_of(scorer, "工业机器人用精密减速器制造")
    assert max(links, key=links.get) == "core_components"
    assert links.get("industrial_robots", 0.0) < 0.7 * links["core_components"]
    # 用于 after a noun says what that noun is for: the noun is still the product
    assert "battery_pack" in links_of(scorer, "锂电池组用于储能电站")


def test_a_precursor_named_as_raw_material_is_not_the_product(scorer):
    # 以…为前驱体 names what the firm starts from, like 以…为原料
    links = links_of(scorer, "以沥青为前驱体制备硬碳负极材料")
    assert max(links, key=links.get) == "anode_material"
    assert "battery_raw_materials" not in links
    assert "battery_raw_materials" in links_of(scorer, "三元前驱体制造")


def test_black_mass_is_recycled_not_reused(scorer):
    # black mass, the shredded electrode powder of spent cells, goes to metal recovery only
    links = links_of(scorer, "黑粉湿法浸出")
    assert "battery_recycling" in links and "cascade_utilisation" not in links


def test_cathode_powder_regenerated_is_cathode_regeneration(scorer):
    links = links_of(scorer, "退役正极粉修复再生")
    assert max(links, key=links.get) == "cathode_regeneration"
    assert "cathode_regeneration" not in links_of(scorer, "正极粉制造")


def test_what_follows_yongyu_is_the_application(scorer):
    # 用于… names what the product is used in: the machine it goes into weighs as secondary
    links = links_of(scorer, "精密减速器制造，用于工业机器人关节")
    assert max(links, key=links.get) == "core_components"
    assert links.get("industrial_robots", 0.0) < 0.6 * links["core_components"]


def test_regrading_and_reassembling_retired_modules_is_second_life_use(scorer):
    links = links_of(scorer, "Re-grades retired EV battery modules and reassembles them into storage cabinets")
    assert "cascade_utilisation" in links and "battery_collection" not in links


def test_marine_propulsion_products_are_marine_equipment(scorer):
    links = links_of(scorer, "Maker of azimuth thrusters and controllable-pitch propellers")
    assert max(links, key=links.get) == "marine_supporting_equipment"


def test_a_certificate_the_firm_holds_is_not_a_testing_service(scorer):
    # X认证 after a product names a certificate the maker holds; the service names itself
    assert "high_end_recycled_paper" in links_of(scorer, "再生白卡纸，FSC认证")
    assert "testing_certification" in links_of(scorer, "动力电池检测认证服务")


def test_decomposing_inoculants_and_engineered_strains(scorer):
    # NY 609 有机物料腐熟剂 is a microbial inoculant; 工程菌株 are the tools of synthetic biology
    links = links_of(scorer, "秸秆腐熟剂生产")
    assert max(links, key=links.get) == "bio_fermentation"
    links = links_of(scorer, "工程菌株发酵生产生物基化学品")
    assert max(links, key=links.get) == "synthetic_biology"


def test_a_word_before_an_input_head_names_what_the_input_is_for(scorer):
    # 脱墨剂 / de-inking chemicals: the firm supplies an agent for de-inking, as 用 says of a product
    # (车用电池); the process the agent serves weighs as a secondary item, below the firm that runs it
    runs = links_of(scorer, "We run a de-inking line producing deinked pulp.")
    supplies = links_of(scorer, "Supplier of flotation de-inking chemicals.")
    assert supplies.get("deinking", 0.0) < 0.6 * runs["deinking"]
    assert "deinking" not in links_of(scorer, "脱墨剂制造")
    assert links_of(scorer, "废纸脱墨浆生产")["deinking"] > 0.7
    # a service named with its own trade's head stays that service (a design consultancy designs)
    consultancy = links_of(scorer, "Industrial design consultancy for appliances.")
    assert max(consultancy, key=consultancy.get) == "industrial_design" and consultancy["industrial_design"] > 0.7
