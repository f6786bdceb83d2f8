"""Activity words of English profiles: what a verb says the firm does. Each case is written from
the word's use in business English and the vocabulary's sources (vocabulary.yaml), not taken
from any evaluation or development set.
"""

from tests.matching.reading import links_of, production, top_link


def test_restoring_a_spent_material_is_recycling_it(scorer):
    # restore: the English of 修复 (正极材料修复再生): a spent cathode restored is regenerated
    links = links_of(scorer, "The company restores spent cathode powder from retired cells to battery grade by relithiation.")
    assert max(links, key=links.get) == "cathode_regeneration"
    assert top_link(scorer, "We are restoring degraded cathode material to cell grade.") == "cathode_regeneration"
    # making the same material is not restoring it
    assert top_link(scorer, "The plant makes cathode material.") != "cathode_regeneration"


def test_operating_or_running_a_plant_or_a_process_is_the_firms_production(scorer):
    # the verbs take a plant, a line or a process as readily as a service: the object's link decides
    assert top_link(scorer, "Acme operates two de-inking plants that turn office waste into DIP pulp.") == "deinking"
    assert top_link(scorer, "Acme runs electrolysis lines for copper foil.") == "copper_foil"
    assert "bio_fermentation" in links_of(scorer, "Acme is running solid-state fermentation of crop straw into feed.")
    # a service link's own words need no activity: operating drones is still the flight service
    assert top_link(scorer, "Acme runs a drone delivery network.") == "low_altitude_operations"


def test_an_operator_and_a_registered_operating_item_still_name_the_service(scorer):
    # the noun names the firm's role, and 运营 in a scope an operating service: no production link
    assert links_of(scorer, "Acme is an operator of battery energy storage stations.") == {}
    assert links_of(scorer, "储能电站运营") == {}


def test_fermentation_modes_named_together_are_fermentation(scorer):
    # solid-state and submerged fermentation: the two modes with the other between (固态和液态发酵)
    assert "bio_fermentation" in links_of(scorer, "Solid-state and liquid fermentation of crop straw into animal feed.")
    assert "bio_fermentation" in links_of(scorer, "秸秆固态及深层发酵生产饲料")


def test_brokering_technology_is_technology_transfer(scorer):
    # GB/T 4754-2017 7520 科技中介服务: 技术经纪, 技术交易 - the deal brokered is the service itself
    assert top_link(scorer, "专利导航、技术转移撮合与专利许可") == "tech_transfer"
    assert top_link(scorer, "Technology brokerage and patent licensing for universities.") == "tech_transfer"
    # trading goods is still no link of the map's services
    assert "tech_transfer" not in links_of(scorer, "五金产品批发；日用百货销售")


def test_a_design_consultancy_is_an_industrial_design_firm(scorer):
    # GB/T 4754-2017 7491 工业设计服务: design done apart from the maker, sold as consultancy
    assert top_link(scorer, "An industrial-design consultancy shaping faucets and small appliances for manufacturers.") == "industrial_design"
    # consulting on other matters names no design
    assert "industrial_design" not in links_of(scorer, "A management consultancy advising faucet manufacturers on strategy.")


def test_de_inking_names_the_making_of_its_pulp(scorer):
    # de-inking (脱墨) is the pulping step that removes ink from recovered-paper fibre: a clause that
    # names it says what the firm does, and borrows no trading from another sentence about its feed
    text = "We run flotation de-inking lines that turn old newsprint into DIP pulp. Our partners import recovered paper from Hong Kong."
    assert top_link(scorer, text) == "deinking"
    # without the process word the same clause borrows the import and names no pulp making
    assert "deinking" not in links_of(scorer, text.replace("flotation de-inking lines", "lines"))
    # selling deinked pulp is still trading it
    assert "deinking" not in links_of(scorer, "主营脱墨浆、再生纸浆批发。")


def test_reporting_on_an_industry_is_media(scorer):
    # GB/T 4754-2017 8610 新闻业 (新闻采访、编辑和发布): a medium reports on the industries it names
    assert production(scorer, links_of(scorer, "科技资讯媒体，报道固态电池、低空经济等产业动态，提供会员研究内容")) == []
    assert production(scorer, links_of(scorer, "Acme publishes a weekly newsletter on solid-state batteries")) == []
    # a maker's launch of its product is no news business
    assert top_link(scorer, "固态电池研发与生产，举办新产品发布会") == "solid_state_battery"


def test_the_research_a_consultancy_sells_is_no_r_and_d(scorer):
    # research named with advice (research and consultancy) or sold as market data is consulting
    assert production(scorer, links_of(scorer, "Acme is a research and consultancy firm selling market data on battery storage")) == []
    assert production(scorer, links_of(scorer, "Acme is a research and advisory firm covering solid-state batteries")) == []
    # research and development stays the firm's own
    assert top_link(scorer, "Acme does research and development of solid-state batteries") == "solid_state_battery"
