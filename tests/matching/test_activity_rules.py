"""Which activity a firm performs on an object, read from general rules of wording.

Each description is written from a general principle (a product modifier is not an activity,
consulting on a process is not the process, a bank is not a fintech), not taken from any
evaluation set.
"""

import pandas as pd
import pytest

from recommender.matching._vocabulary import english_forms, is_agent_noun
from tests.matching.reading import links_of, production

_links, _production = links_of, production


@pytest.mark.parametrize("word, forms", [
    ("recover", {"recovers", "recovered", "recovering"}),
    ("deliver", {"delivers", "delivered", "delivering"}),
])
def test_verbs_ending_in_er_are_inflected_like_verbs(word, forms):
    assert forms <= set(english_forms(word))
    assert not is_agent_noun(word)
    assert is_agent_noun("distributor") and is_agent_noun("maker") and english_forms("maker") == ("maker",)


def test_the_third_person_of_an_er_verb_is_the_firm_s_own_activity(scorer):
    links = _links(scorer, "Recovers electrolyte from spent lithium-ion batteries and purifies it")
    assert "electrolyte_recovery" in links and "cell_manufacturing" not in links
    assert "cell_manufacturing" in _links(scorer, "Manufactures lithium-ion batteries")


def test_an_activity_word_that_opens_a_product_name_is_a_modifier(scorer):
    # 再生 in 再生复印纸 says what the paper is, not what the firm does
    assert _production(scorer, _links(scorer, "销售再生复印纸、办公用品")) == []
    assert "high_end_recycled_paper" in _links(scorer, "生产再生复印纸、再生文化用纸")
    # an activity word after the object is the firm's activity (废钢回收, paper recycling)
    assert "scrap_metal_collection" in _links(scorer, "废钢回收")


@pytest.mark.parametrize("description", [
    "提供废旧电池回收项目咨询与行业研究报告",  # consulting on a process is not the process
    "投资精密铸造项目",  # investing in it
    "开发建设精密铸造产业园，标准厂房出租",  # letting premises to those who do it
])
def test_a_non_production_activity_governs_the_process_a_term_names(scorer, description):
    assert _production(scorer, _links(scorer, description)) == []


def test_a_maker_that_also_sells_keeps_the_process_it_names(scorer):
    assert "precision_casting" in _links(scorer, "精密铸造、销售")
    assert "battery_recycling" in _links(scorer, "废旧锂离子电池湿法回收；再生资源销售")


def test_a_bank_fills_no_link_where_a_fintech_fills_digital_finance(scorer):
    text = "供应链金融服务，数字支付"
    assert _links(scorer, text, "某某银行股份有限公司江门分行") == {}
    assert _links(scorer, text, "某某保险股份有限公司") == {}
    assert "digital_finance" in _links(scorer, text, "江门某某金融科技有限公司")


def test_a_catalogue_item_alone_fills_no_link(scorer):
    # items every registered scope lists (信息系统集成服务) say nothing about the firm
    assert _links(scorer, "一般项目：技术服务、技术开发、技术咨询；信息系统集成服务；软件开发；货物进出口") == {}


def _best(scorer, description: str, name: str = "某公司") -> pd.Series:
    return scorer.score_frame(pd.DataFrame([{"name": name, "description": description}])).iloc[0]


@pytest.mark.parametrize(("description", "link"), [
    ("废铜、废铝、废不锈钢收购分拣", "scrap_metal_collection"),  # collecting a scrap object
    ("废钢剪切、破碎、打包，供应钢厂炉料", "scrap_steel_processing"),  # preparing it for the furnace
    ("以废杂铜为原料熔炼再生铜杆", "recycled_copper_aluminium"),  # smelting it
    ("港澳废纸收集、分拣、打包", "waste_paper_collection"),  # collecting waste paper
    ("废纸碎浆、筛选、净化，生产再生纤维浆板", "fibre_regeneration"),  # pulping it
])
def test_one_object_goes_to_the_link_of_the_activity_done_to_it(scorer, description, link):
    assert _best(scorer, description)["link_id"] == link


def test_an_activity_word_of_a_narrow_activity_counts_for_the_broader_one(scorer):
    # 熔炼 is smelting, and smelting is making: a link that accepts making takes it
    assert "high_end_alloys" in _links(scorer, "真空熔炼镍基高温合金棒材")


def test_a_compound_with_an_inserted_english_modifier_wins_over_the_term_inside_it(scorer):
    links = _links(scorer, "Shreds spent lithium-ion batteries into black mass and leaches the metals")
    assert "battery_recycling" in links and "cell_manufacturing" not in links


@pytest.mark.parametrize("description", [
    "再生资源回收（除生产性废旧金属）；再生资源销售",  # a scope item's exclusion
    "Leases warehouses to battery makers; it does not manufacture batteries",
])
def test_what_a_description_denies_is_not_read(scorer, description):
    assert _production(scorer, _links(scorer, description)) == []


def test_a_catalogue_line_without_an_activity_is_read_as_making(scorer):
    # a product line with no verb: a maker's catalogue
    assert "copper_foil" in _links(scorer, "6μm双面光锂电铜箔；抗拉强度≥35kgf/mm²")
    # ... but a weak word alone is weak evidence
    assert all(value < 0.4 for value in _links(scorer, "电池；储能").values())


def test_a_stated_main_business_outweighs_catalogue_items_before_it(scorer):
    scope = ("一般项目：有色金属铸造；五金产品制造；技术服务、技术开发、技术咨询；货物进出口。"
             "（主要产品：铜质水龙头、角阀）")
    best = _best(scorer, scope)
    assert best["link_id"] == "faucets_valves"
    links = _links(scorer, scope)
    assert links["faucets_valves"] > links.get("precision_casting", 0)


def test_the_main_business_decides_the_link_over_a_more_valuable_secondary_one(scorer):
    # a stamping shop that also registers surface treatment: its main business is the stamping
    scope = ("一般项目：五金产品制造；金属表面处理及热处理加工；技术服务、技术开发、技术咨询。"
             "（主要产品：冲压件、钣金件）")
    assert _best(scorer, scope)["link_id"] == "hardware_components"


def test_a_two_business_firm_gets_its_main_link_first_and_the_other_second(scorer):
    text = "主营锂电铜箔的研发与生产；另设铝合金压铸车间，为摩托车配套压铸件"
    best = _best(scorer, text)
    assert best["link_id"] == "copper_foil"
    assert best["link_2_id"] in {"precision_casting", "lightweight_auto_parts"}


def test_a_bulk_commodity_trader_fills_the_trade_link_but_a_product_distributor_does_not(scorer):
    assert "bulk_commodity_trade" in _links(scorer, "Trades iron ore, coal and grain, with port storage and blending")
    assert _links(scorer, "分销电子元器件、被动元件和连接器") == {}


def test_a_customer_s_product_is_not_the_firm_s_link(scorer):
    # 为…供应: the motorcycles are the customer's; the castings are the firm's
    assert _best(scorer, "熔模铸造工艺，为大排量摩托车和船用泵阀供应不锈钢精铸件")["link_id"] == "precision_casting"


def test_a_raw_material_is_not_the_firm_s_product(scorer):
    # 以…为原料: the scrap is bought in; the alloy is made
    links = _links(scorer, "以废铜、废不锈钢为原料，熔炼镍基合金棒材")
    assert _best(scorer, "以废铜、废不锈钢为原料，熔炼镍基合金棒材")["link_id"] == "high_end_alloys"
    assert links["high_end_alloys"] > max(links.get("scrap_steel_processing", 0), links.get("recycled_copper_aluminium", 0))


@pytest.mark.parametrize(("description", "link"), [
    ("Operates vocational training centres for welders and CNC operators", "skills_training"),  # centre / center
    ("Produces recycled fiber pulp board from OCC", "fibre_regeneration"),  # fiber / fibre
    ("Graphitisation of synthetic graphite for lithium-ion anodes", "anode_material"),  # -isation / -ization
])
def test_british_and_american_spellings_match_alike(scorer, description, link):
    assert link in _links(scorer, description)


@pytest.mark.parametrize(("description", "link"), [
    # a service named by the link's own words: the production words around it are its clients' trades
    ("Retained executive search firm placing plant managers and R&D directors for manufacturers.", "headhunting"),
    ("专业猎头服务，为制造企业寻访研发总监与工厂厂长", "headhunting"),
    ("劳务派遣服务，主要为电子制造企业提供生产线普工", "hr_outsourcing"),
])
def test_a_service_named_by_its_own_words_needs_no_activity_word(jiangmen, description, link):
    row = jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]
    assert row["link_id"] == link


@pytest.mark.parametrize("description", [
    "Venture fund investing in executive search and staffing platforms.",  # investing in the service
    "Distributor of HR software; resells payroll SaaS and staffing services platforms.",  # selling beside it
])
def test_a_service_word_beside_an_activity_the_link_does_not_take_fills_nothing(jiangmen, description):
    row = jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]
    assert row["link_id"] == ""


def _scored(jiangmen, description: str, code: str) -> pd.Series:
    frame = pd.DataFrame([{"name": "某公司", "description": description, "industry_code": code}])
    return jiangmen.scorer.score_frame(frame).iloc[0]


def test_a_distributor_of_the_maps_products_is_not_placed_by_its_trade_class_code(jiangmen):
    # 5164 金属及金属矿批发: a wholesale class; the words say which products it only sells
    assert _scored(jiangmen, "批发锂电铜箔、电池铝箔", "5164")["link_id"] == ""
    # the same class with no words, or with bulk commodities in its words, still names trading
    assert _scored(jiangmen, "", "5164")["link_id"] == "bulk_commodity_trade"
    assert _scored(jiangmen, "铁矿石、煤炭进口与分销，自有船队", "5164")["link_id"] == "bulk_commodity_trade"


def test_a_production_class_code_still_names_the_class_of_a_firm_that_lists_sales(jiangmen):
    assert _scored(jiangmen, "锂离子电池销售", "3841")["link_id"] == "cell_manufacturing"


@pytest.mark.parametrize("description", [
    "医院影像设备与呼吸机的维修保养，第三方维保合同",  # repairs others' devices
    "Field service for industrial robots and CNC machines: repair and spare parts; no manufacturing",
    "电动自行车维修，电池更换",
])
def test_a_repairer_fills_no_production_link(jiangmen, description):
    row = jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]
    assert row["link_id"] == "" or jiangmen.chain_map.link_by_id[row["link_id"]].stage == "service"


def test_a_maker_that_also_repairs_keeps_its_link_and_a_scope_repair_item_says_nothing(jiangmen):
    def link(description: str) -> str:
        return jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]["link_id"]

    assert link("工业机器人的研发、制造与维修") == "industrial_robots"
    assert link("Manufactures industrial robots and offers repair and field service") == "industrial_robots"
    # 通用设备修理 is a catalogue item most scopes list: it does not make the firm a repairer
    assert link("一般项目：通用设备修理；专用设备修理。（主要产品：锂电铜箔）") == "copper_foil"
    assert link("一般项目：锂电铜箔；通用设备修理。") == "copper_foil"


@pytest.mark.parametrize("name", ["某某保险经纪有限公司", "某某人寿保险代理有限公司", "Acme Insurance Brokers Ltd", "Acme Market Intelligence Ltd",
                                  "Acme Aircraft Leasing Ltd"])
def test_insurance_intermediaries_and_market_researchers_are_read_by_their_names(jiangmen, name):
    frame = pd.DataFrame([{"name": name, "description": "Solid-state batteries, copper foil and anode materials: reports and cover"}])
    assert jiangmen.scorer.score_frame(frame).iloc[0]["link_id"] == ""
    # a lessor of aircraft to operators is a financial firm, not an operator (GB/T 6631 金融租赁服务)
    fleet = pd.DataFrame([{"name": name, "description": "General aviation operator fleet: helicopters and eVTOL aircraft for operators"}])
    assert jiangmen.scorer.score_frame(fleet).iloc[0]["link_id"] == ""


def test_an_activity_inside_a_raw_material_span_is_not_the_firms(jiangmen):
    # 以回收铝为原料: 回收 says what the material is (recycled), not that the firm recycles
    def link(description: str) -> str:
        return jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]["link_id"]

    assert link("以回收铝为原料的熔模精密铸件") == link("熔模精密铸件") == "precision_casting"
    assert link("以回收纸为原料的高强瓦楞原纸") == "papermaking"


def test_a_bracketed_exclusion_elsewhere_in_a_scope_does_not_hide_a_service(jiangmen):
    # （不含…） excludes what it names; the service words outside it still name the service
    description = "一般项目：物业管理（不含住房租赁）；企业管理咨询。（主营：为制造企业提供中高端人才寻访）"
    row = jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]
    assert row["link_id"] == "headhunting"


def test_a_scopes_bracketed_exclusion_is_not_a_denial_of_making(jiangmen):
    # （不含住房租赁） excludes one item; it does not say the firm makes nothing, as 不生产 does
    def link(description: str) -> str:
        return jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]["link_id"]

    assert link("一般项目：物业管理（不含住房租赁）。（主要产品：熔模铸件）") == link("（主要产品：熔模铸件）") == "precision_casting"
    assert link("熔模铸件检测与分析，不生产") == ""  # a denial of making still denies it


def test_a_main_business_note_names_a_service_whatever_the_other_scope_items_sell(jiangmen):
    # 主营：… is the firm's own statement of its main business; the 销售 items of its scope
    # are other items, not the activity of that statement
    description = "一般项目：塑料制品销售；日用百货销售；软件开发。（主营：供应链金融平台与跨境支付服务）"
    row = jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]
    assert row["link_id"] == "digital_finance"
    traded = "一般项目：塑料制品销售。（主营：供应链金融平台的销售代理）"  # its own clause trades it
    assert jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": traded}])).iloc[0]["link_id"] == ""


def test_a_main_products_note_is_read_by_its_own_activity_not_the_scopes_sales_items(jiangmen):
    def link(description: str) -> str:
        return jiangmen.scorer.score_frame(pd.DataFrame([{"name": "某公司", "description": description}])).iloc[0]["link_id"]

    assert link("一般项目：金属材料销售；日用百货销售。（主要产品：熔模精密铸件）") == "precision_casting"
    assert link("一般项目：金属材料销售。（主营：熔模精密铸件的进口与分销）") == ""  # the note itself trades
