"""A manufacturer's research is not its production. Where a description makes a product of the
map's, a clause that only researches another (固态电池技术研发 beside 锂离子电池的生产) weighs as a
secondary item; research on what the firm makes, or on the one link its industry code states,
stays its own business; a firm that makes nothing the map names is read by its research. Each case
is written from the rule and catalogue wording, not taken from any evaluation or development set.
"""

import pandas as pd

from tests.matching.reading import links_of, top_link

MAKER = "一般项目：锂离子电池的生产与销售；固态电池技术研发；货物进出口"
RESEARCHER = "一般项目：固态电池技术研发；电池销售；货物进出口"


def test_a_makers_research_on_another_product_is_secondary(scorer):
    maker, researcher = links_of(scorer, MAKER), links_of(scorer, RESEARCHER)
    assert top_link(scorer, MAKER) == "cell_manufacturing"
    # the research is still read, below the firm's production and below a research firm's own
    assert 0 < maker["solid_state_battery"] < maker["cell_manufacturing"]
    assert maker["solid_state_battery"] < researcher["solid_state_battery"]
    # a firm's words in a 主营 note or a blurb follow the same rule
    blurb = links_of(scorer, "主要生产锂离子电池，开展固态电池研发。")
    assert blurb["solid_state_battery"] < blurb["cell_manufacturing"]


def test_a_firm_that_makes_nothing_of_the_maps_is_read_by_its_research(scorer):
    assert top_link(scorer, RESEARCHER) == "solid_state_battery"
    # a catalogue class item (电子专用材料制造) is no statement of making a product of the map's
    assert links_of(scorer, "一般项目：电子专用材料制造；固态电池技术研发") == links_of(scorer, "一般项目：固态电池技术研发")


def test_research_on_what_the_firm_makes_is_its_business(scorer):
    # the research-and-sales item and the permit's production name one product: one business
    split = links_of(scorer, "一般项目：锂离子电池的研发与销售；货物进出口。许可项目：锂离子电池的生产")
    assert split == links_of(scorer, "一般项目：锂离子电池的研发与销售；货物进出口")


def _coded(scorer, description: str, code: str) -> dict[str, float]:
    match = scorer.matcher.match(pd.DataFrame([{"name": "某公司", "description": description, "industry_code": code}]))
    row = match.affinity.getrow(0)
    return {scorer.matcher.link_ids_[c]: v for c, v in zip(row.indices, row.data, strict=True)}


def test_research_on_the_link_the_code_states_is_the_firms_business(scorer):
    words = "一般项目：农作物秸秆处理及加工利用服务；生物有机肥料研发。许可项目：肥料生产"
    uncoded = _coded(scorer, words, "")
    coded = _coded(scorer, words, "2625")  # 有机肥料及微生物肥料制造: one link's class
    assert uncoded["organic_fertiliser"] < uncoded["straw_utilisation"]
    assert coded["organic_fertiliser"] > coded["straw_utilisation"]
    # a class several links share (3841, 锂离子电池制造) does not say which of them is researched
    coded = _coded(scorer, MAKER, "3841")
    assert coded["solid_state_battery"] < coded["cell_manufacturing"]


DRUG_MAKER = "一般项目：医学研究和试验发展；技术服务、技术开发、技术咨询；货物进出口。许可项目：药品生产；药品批发；药品进出口"


def test_a_drug_makers_medical_research_item_is_its_own_research(scorer):
    # 医学研究和试验发展 (GB/T 4754-2017 class 7340, a contract researcher's class) is an item every
    # drug maker registers; beside 药品生产 (the licensed item of making drugs, any kind) it is the
    # maker's research, not a contract research business
    links = links_of(scorer, DRUG_MAKER)
    drugs = {"chemical_drugs", "biologics", "tcm_health_products"}
    assert max(links, key=links.get) in drugs
    assert links["biopharma_cdmo"] < max(links[link] for link in drugs)
    # the research item alone still reads as the contract researcher's class
    assert top_link(scorer, "一般项目：医学研究和试验发展；技术服务、技术开发、技术咨询") == "biopharma_cdmo"


def test_selling_drugs_makes_none(scorer):
    links = links_of(scorer, "许可项目：药品批发；药品零售；药品进出口")
    assert not {"chemical_drugs", "biologics", "tcm_health_products"} & links.keys()
