"""The shared matching vocabulary of a map (vocabulary.yaml): loaded, sourced, referenced."""

import shutil

import pytest
import yaml

from recommender import MapError, load_map

from ..conftest import TINY_MAP


def test_the_embedded_vocabulary_is_data_with_a_source(jiangmen):
    vocabulary = jiangmen.chain_map.vocabulary
    assert {"make", "recycle", "trade", "finance", "consult", "media", "real_estate", "transport"} <= set(vocabulary.activities)
    assert all(entry.source for entry in (*vocabulary.activities.values(), *vocabulary.objects.values()))
    assert not any(vocabulary.activities[a].production for a in ("trade", "finance", "consult", "media", "real_estate", "transport"))
    assert vocabulary.accepted(jiangmen.chain_map.link_by_id["cell_manufacturing"]) == tuple(vocabulary.defaults["production"])


def test_a_link_naming_an_unknown_object_or_activity_is_refused(tmp_path):
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    (folder / "vocabulary.yaml").write_text(
        "activities:\n  make: {production: true, source: GB/T 4754, zh: [生产]}\nobjects: {}\n", encoding="utf-8")
    chain_file = next((folder / "chains").glob("*.yaml"))
    data = yaml.safe_load(chain_file.read_text(encoding="utf-8"))
    data["links"][0]["objects"] = ["nowhere"]
    data["links"][0]["activities"] = ["smuggle"]
    chain_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(MapError) as info:
        load_map(folder)
    text = str(info.value)
    assert "unknown object 'nowhere'" in text and "unknown activity 'smuggle'" in text and "objects" in text
