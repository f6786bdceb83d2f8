import shutil

import pytest

from recommender import encode_links
from recommender.chainmap import load_map
from recommender.exceptions import MapError

from ..conftest import TINY_MAP


def test_encode_links_need_is_status_times_priority(tiny_map):
    links = encode_links(tiny_map)
    assert links.loc["foil", "need"] == pytest.approx(1.0 * 1.0)
    assert links.loc["cells", "need"] == pytest.approx(0.2 * 0.5)


def test_encode_links_actions(tiny_map):
    links = encode_links(tiny_map)
    assert links.loc["foil", "action"] == "补链"
    assert links.loc["cells", "action"] == "强链"


def test_encode_links_relatedness_is_presence_of_supply_neighbours(tiny_map):
    links = encode_links(tiny_map)
    # foil supplies cells (strong: 1.0); cells is supplied by foil (missing: 0.0)
    assert links.loc["foil", "relatedness"] == pytest.approx(1.0)
    assert links.loc["cells", "relatedness"] == pytest.approx(0.0)


def test_encode_links_heavy_link_never_goes_to_a_park_without_heavy_industry(tiny_map):
    links = encode_links(tiny_map)
    assert links.loc["foil", "park_id"] == "material_park"  # eco_park is listed first but excludes heavy industry
    assert links.loc["cells", "park_id"] == "eco_park"
    assert links.loc["cells", "park_fit"] == pytest.approx(0.7)  # a park of its chain, not its own


def test_a_link_named_as_a_project_to_bring_in_needs_what_a_gap_needs(tiny_map, tmp_path):
    # a link the city has (strong), which the documents still name as a project to bring in: its need is a missing
    # link's, at its own priority; the quote is checked against the source like every other
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    chain = folder / "chains" / "battery.yaml"
    text = chain.read_text(encoding="utf-8")
    quote = "    status_quote: {doc: d1, text: 电芯制造已经形成规模。}\n"
    assert quote in text
    chain.write_text(text.replace(quote, quote + "    project_quote: {doc: d1, text: 电芯制造已经形成规模。}\n"), encoding="utf-8")
    links = encode_links(load_map(folder))
    strategy = tiny_map.strategy
    assert links.loc["cells", "need"] == pytest.approx(strategy.status_need["missing"] * strategy.priority_weight[links.loc["cells", "priority"]])
    assert links.loc["cells", "need"] > encode_links(tiny_map).loc["cells", "need"]
    assert links.loc["foil", "need"] == pytest.approx(1.0)  # the others as they were
    bad = folder / "chains" / "battery.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("project_quote: {doc: d1, text: 电芯制造已经形成规模。}",
                                                           "project_quote: {doc: d1, text: 没有这句话。}"), encoding="utf-8")
    with pytest.raises(MapError, match="project_quote"):
        load_map(folder)


def test_the_projects_the_jiangmen_documents_name_need_what_its_gaps_need(jiangmen):
    # 重点引进正极材料再生、电解液回收等项目; 引进精密铸造、高端合金等深加工作项目: weak links the city means to fill
    links = encode_links(jiangmen.chain_map)
    gap = links[(links["status"] == "missing") & (links["priority"] == "key_target")]["need"].iloc[0]
    for link in ("cathode_regeneration", "electrolyte_recovery", "precision_casting", "high_end_alloys"):
        assert links.loc[link, "status"] == "weak"
        assert links.loc[link, "need"] == pytest.approx(gap)
    assert links.loc["industrial_robots", "need"] < gap  # a weak key link the documents name as no project


def test_in_the_jiangmen_strategy_every_gap_needs_more_than_any_weak_link(jiangmen):
    # 补齐、延长、做强: filling a gap the documents name comes before strengthening a weak link,
    # whatever the priorities of the two (strategy.yaml: status_need × priority_weight)
    strategy = jiangmen.chain_map.strategy
    weakest_gap = strategy.status_need["missing"] * min(strategy.priority_weight.values())
    strongest_weak = strategy.status_need["weak"] * max(strategy.priority_weight.values())
    assert weakest_gap > strongest_weak
    # and so in the links as encoded (a weak link named as a project needs what a gap needs)
    links = encode_links(jiangmen.chain_map)
    status = [jiangmen.chain_map.link_by_id[link_id].status for link_id in links.index]
    gaps = links["need"][[s == "missing" for s in status]]
    weak = links["need"][[s == "weak" for s in status]]
    assert gaps.min() > weak[weak < 1.0].max()
