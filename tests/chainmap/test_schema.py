import shutil

import pytest
import yaml

from recommender import MapError, load_map
from recommender.chainmap import COMPONENTS

from ..conftest import TINY_MAP


def _copy(tmp_path):
    target = tmp_path / "map"
    shutil.copytree(TINY_MAP, target)
    return target


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_load_map_reads_every_part(tiny_map):
    assert tiny_map.id == "tiny"
    assert tiny_map.link_ids == ("foil", "cells")
    assert [p.id for p in tiny_map.parks] == ["eco_park", "material_park"]
    assert tiny_map.leaders[0].aliases == ["东江"]
    assert set(tiny_map.strategy.components) == set(COMPONENTS)


def test_load_map_version_changes_with_content(tmp_path, tiny_map):
    folder = _copy(tmp_path)
    _edit(folder / "chains" / "battery.yaml", lambda d: d["links"][0].update(status="weak"))
    assert load_map(folder).version != tiny_map.version


def test_load_map_names_file_entry_and_field_of_a_bad_value(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "chains" / "battery.yaml", lambda d: d["links"][1].update(stage="sideways"))
    with pytest.raises(MapError, match=r"battery\.yaml: links\[cells\]\.stage: Input should be"):
        load_map(folder)


def test_load_map_rejects_unknown_keys(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "chains" / "battery.yaml", lambda d: d["links"][0].update(colour="red"))
    with pytest.raises(MapError, match=r"links\[foil\]\.colour: Extra inputs are not permitted"):
        load_map(folder)


def test_load_map_reports_every_problem_at_once(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "chains" / "battery.yaml", lambda d: (d["links"][0].update(supplies=["nowhere"]), d["links"][1].update(parks=["no_park"])))
    with pytest.raises(MapError) as info:
        load_map(folder)
    fields = {(entry, field) for _, entry, field, _ in info.value.problems}
    assert fields == {("links[foil]", "supplies"), ("links[cells]", "parks")}


def test_load_map_checks_quotes_against_sources(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "chains" / "battery.yaml", lambda d: d["links"][0]["status_quote"].update(text="这句话不在文中"))
    with pytest.raises(MapError, match=r"links\[foil\]\.status_quote: quote not found"):
        load_map(folder)


def test_load_map_requires_a_priority_quote_for_targets(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "chains" / "battery.yaml", lambda d: d["links"][0].pop("priority_quote"))
    with pytest.raises(MapError, match="priority_quote: required"):
        load_map(folder)


def test_load_map_refuses_python_tags_in_yaml(tmp_path):
    folder = _copy(tmp_path)
    (folder / "parks.yaml").write_text("parks: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(MapError, match="parks.yaml: file: not valid YAML"):
        load_map(folder)


def test_load_map_refuses_duplicate_keys(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "map.yaml").read_text(encoding="utf-8")
    (folder / "map.yaml").write_text(text + "id: again\n", encoding="utf-8")
    with pytest.raises(MapError, match="duplicate key 'id'"):
        load_map(folder)


def test_load_map_strategy_points_must_add_up(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "strategy.yaml", lambda d: d["components"]["green"].update(points=50))
    with pytest.raises(MapError, match="add up to 100"):
        load_map(folder)


def test_load_map_missing_folder(tmp_path):
    with pytest.raises(MapError, match="not a folder"):
        load_map(tmp_path / "nope")


def test_embedded_jiangmen_map_quotes_every_entry(jiangmen):
    chain_map = jiangmen.chain_map
    assert len(chain_map.chains) >= 18
    assert len(chain_map.links) >= 80
    for link in chain_map.links:
        assert link.status_quote.text
        assert link.keywords.zh and link.keywords.en, link.id
    leaders = {leader.id: leader for leader in chain_map.leaders}
    assert {"nanyang_ship", "dachangjiang"} <= set(leaders)
    assert leaders["dachangjiang"].kind == "local_leader"
    assert any(leader.kind == "terminal_maker" for leader in leaders.values())
