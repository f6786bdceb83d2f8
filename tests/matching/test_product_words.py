"""Words firms use for their own products and processes that the vocabulary lacked. Each case is
written from the word's source (GB/T 4754-2017 class names and notes, 医疗器械分类目录, the
trade's names for its products and processes, as the vocabulary's source fields say), not taken
from any evaluation or development set.
"""

from tests.matching.reading import links_of, top_link


def test_synthesising_a_recovered_material_again_is_regeneration(scorer):
    # 再合成: the last step of direct regeneration, read before the make word 合成 inside it
    assert top_link(scorer, "废旧磷酸铁锂正极片经除杂、补锂后再合成磷酸铁锂") == "cathode_regeneration"
    # synthesising the material from its raw materials is making it
    assert top_link(scorer, "以碳酸锂和磷酸铁为原料合成磷酸铁锂正极材料") != "cathode_regeneration"


def test_defect_detection_is_what_a_vision_product_does_not_a_testing_service(scorer):
    assert top_link(scorer, "CV算法与边缘AI盒子：缺陷检测、OCR") == "artificial_intelligence"
    assert top_link(scorer, "We train vision-language models for defect inspection on assembly lines.") == "artificial_intelligence"
    # a laboratory that tests others' products still names its service
    assert top_link(scorer, "第三方无损检测服务：焊缝缺陷检测，CNAS认可实验室") == "testing_certification"


def test_fruit_lines_and_drying_sets_are_food_machinery(scorer):
    assert top_link(scorer, "Optical fruit sorters and citrus peeling lines.") == "agri_food_machinery"
    assert top_link(scorer, "果蔬低温烘干成套设备") == "agri_food_machinery"


def test_surgical_staplers_and_trocars_are_medical_devices(scorer):
    assert top_link(scorer, "Makes powered endoscopic staplers and single-use trocars.") == "medical_devices"
    assert top_link(scorer, "腔镜吻合器及一次性穿刺器生产") == "medical_devices"
    assert "medical_devices" not in links_of(scorer, "Office staplers and paper punches.")


def test_a_containerised_battery_system_is_storage(scorer):
    assert top_link(scorer, "Integrates containerised LFP battery systems for utility sites.") == "new_energy_storage"


def test_platform_freight_is_smart_logistics(scorer):
    # 网络货运 (网络平台道路货物运输经营管理暂行办法, 2019): a platform carrier matching loads and trucks
    # online, registered as a licensed road-freight item; plain road freight is no such link
    assert top_link(scorer, "一般项目：供应链管理服务；国内货物运输代理。许可项目：道路货物运输（网络货运）") == "smart_logistics"
    assert "smart_logistics" not in links_of(scorer, "一般项目：国内货物运输代理。许可项目：道路货物运输（不含危险货物）")


def test_live_stream_selling_is_live_stream_e_commerce(scorer):
    # 直播销售 (互联网营销师 - 直播销售员, 职业分类大典 2022): selling on a live stream is the link's trade
    assert top_link(scorer, "一般项目：网上直播销售农副产品；电子商务平台运营") == "livestream_ecommerce"
    assert "livestream_ecommerce" not in links_of(scorer, "一般项目：农副产品销售；食品销售（仅销售预包装食品）")


def test_thin_electrodeposited_copper_is_foil_and_refined_copper_is_not(scorer):
    # foil makers name their product 极薄电解铜 / 超薄电解铜 (microns thick); 电解铜 alone is
    # refined cathode copper, a commodity
    assert top_link(scorer, "电子专用材料制造（锂电池用极薄电解铜产品）") == "copper_foil"
    assert top_link(scorer, "4.5μm超薄电解铜生产") == "copper_foil"
    assert "copper_foil" not in links_of(scorer, "电解铜冶炼；阴极铜生产")


def test_remelting_used_beverage_cans_is_secondary_aluminium(scorer):
    # UBC: the aluminium-recycling trade's name for the scrap, not a drinks business
    links = links_of(scorer, "Remelts used beverage cans into can-body sheet for can makers.")
    assert max(links, key=links.get) == "recycled_copper_aluminium"
    assert "beverages" not in links


def test_fermentation_process_development_is_biomanufacturing(scorer):
    # the catalogue's item 发酵过程优化技术研发: developing an industrial fermentation process
    assert top_link(scorer, "一般项目：发酵过程优化技术研发；专用化学产品制造（不含危险化学品）；化妆品批发") == "synthetic_biology"


def test_packaging_named_apart_from_its_chip_is_chip_packaging(scorer):
    # registered scopes name the steps apart from the object: 集成电路的封装、测试; 封装和测试集成电路产品
    assert top_link(scorer, "从事集成电路的封装、测试，销售自产产品") == "chip_packaging_testing"
    assert top_link(scorer, "研发、生产、封装和测试集成电路产品") == "chip_packaging_testing"
    # packaging of something else is not
    assert "chip_packaging_testing" not in links_of(scorer, "食品封装、测试及销售")


def test_solid_state_cells_named_with_their_chemistry_between(scorer):
    # a solid-state cell named with its chemistry between family and head
    assert top_link(scorer, "Develops solid-state lithium-metal cells for electric vehicles.") == "solid_state_battery"
    assert top_link(scorer, "固态锂金属电芯研发制造") == "solid_state_battery"


def test_taiwan_words_for_electric_scooters(scorer):
    # 電動機車 (an electric scooter in Taiwan) and 電池交換 (battery swapping), as Taiwanese firms write them
    assert top_link(scorer, "智慧電動機車與電池交換網絡") == "electric_motorcycle"


def test_a_commodity_supply_chain_house_trades_bulk_commodities(scorer):
    # offtake (buying a producer's output under a term contract) and supply chain management are trading
    assert top_link(scorer, "Offtake and supply chain management for iron ore and thermal coal.") == "bulk_commodity_trade"


def test_battery_foil_is_aluminium_foil(scorer):
    # 电池箔: the cathode-collector foil as aluminium rollers name it, beside their other foils
    assert top_link(scorer, "一般项目：有色金属压延加工（空调箔、电池箔）；金属材料销售") == "aluminium_foil"
    assert top_link(scorer, "锂电铜箔的生产和销售") == "copper_foil"


def test_the_uranium_fuel_cycle_is_nuclear_material(scorer):
    # GB/T 4754-2017 2530 核燃料加工: 从含铀矿石中提取铀、浓缩铀的生产
    assert top_link(scorer, "天然铀的开采与铀转化、铀浓缩") == "nuclear_materials"
    assert top_link(scorer, "Acme covers uranium mining, conversion and enrichment.") == "nuclear_materials"


def test_the_fishing_licence_item_is_sea_fishing(scorer):
    # the licensed item 水产捕捞 (group 042) beside aquaculture: the first item leads, as in any scope
    assert top_link(scorer, "许可项目：水产捕捞；水产养殖。一般项目：水产品批发") == "ocean_fishing"
    assert top_link(scorer, "许可项目：水产养殖；水产捕捞。一般项目：水产品批发") == "deep_sea_aquaculture"


def test_the_catalogues_outsourcing_item_for_banks_is_digital_finance(scorer):
    # 经营范围规范表述目录: 接受金融机构委托从事信息技术和流程外包服务（不含金融信息服务）, the registered
    # wording of IT and process outsourcing for financial institutions
    scope = "一般项目：软件开发；接受金融机构委托从事信息技术和流程外包服务（不含金融信息服务）；企业管理咨询"
    assert top_link(scorer, scope) == "digital_finance"


def test_an_english_list_item_named_by_its_activity_keeps_it(scorer):
    # "uranium mining" names its own activity (extraction, GB/T 4754-2017 section B) beside the
    # recycling and transport that other items of the same list name
    text = "Acme covers uranium mining, conversion and enrichment, used-fuel recycling, nuclear packaging and transport."
    assert top_link(scorer, text) == "nuclear_materials"
