"""Sibling links told apart by general rules of the trade: recovering a material from waste is
recycling, not making it. Each description is written from the rule, not taken from any
evaluation or development set.
"""

from tests.matching.reading import links_of


def test_salts_recovered_from_spent_cells_are_recycling_not_making(scorer):
    # the products a recycler names beside its feed are recovered from that feed
    links = links_of(scorer, "废旧锂电池湿法浸出回收碳酸锂、硫酸钴")
    assert links["battery_recycling"] == max(links.values())
    assert links["battery_raw_materials"] < links["battery_recycling"]
    links = links_of(scorer, "Leaches black mass from spent lithium-ion batteries to recover lithium carbonate and cobalt sulfate")
    assert max(links, key=links.get) == "battery_recycling"
    links = links_of(scorer, "回收废电解液并精馏提纯碳酸二甲酯")
    assert max(links, key=links.get) == "electrolyte_recovery"
    assert links["battery_raw_materials"] < 0.6 * links["electrolyte_recovery"]


def test_the_same_salts_made_from_ore_are_battery_raw_materials(scorer):
    # no recycling named: the salts are the firm's own products, at full weight
    links = links_of(scorer, "锂辉石提锂，生产电池级碳酸锂与硫酸钴")
    assert max(links, key=links.get) == "battery_raw_materials"
    assert links["battery_raw_materials"] > 0.8
    assert "battery_recycling" not in links
