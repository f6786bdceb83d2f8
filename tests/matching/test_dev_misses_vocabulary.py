"""Words firms use for their own work that the vocabulary lacked: each case is written from the
word's source (GB/T 4754-2017 class names and notes, the trade's own names for its products and
processes), not taken from any evaluation or development set.
"""

from tests.matching.reading import links_of, top_link


def test_restoring_a_spent_material_is_recycling_it(scorer):
    # restore: the English of 修复 (正极材料修复再生): a spent cathode restored is regenerated
    links = links_of(scorer, "The company restores spent cathode powder from retired cells to battery grade by relithiation.")
    assert max(links, key=links.get) == "cathode_regeneration"
    assert top_link(scorer, "We are restoring degraded cathode material to cell grade.") == "cathode_regeneration"
    # making the same material is not restoring it
    assert top_link(scorer, "The plant makes cathode material.") != "cathode_regeneration"
