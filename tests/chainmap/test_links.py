import pytest

from recommender import encode_links


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
