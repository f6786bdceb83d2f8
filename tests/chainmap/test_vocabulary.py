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


def test_each_class_main_link_lists_its_class_and_cites_the_class(jiangmen):
    chain_map = jiangmen.chain_map
    class_links = chain_map.vocabulary.class_links
    assert class_links, "the map marks no class main link"
    for code, main in class_links.items():
        link = chain_map.link_by_id[main.link]
        assert code in link.industry_codes, code
        assert "GB/T 4754-2017" in main.source and code in main.source, code
        shared = [other.id for other in chain_map.links if code in other.industry_codes]
        assert len(shared) > 1, f"{code}: a class one link lists needs no main link"


@pytest.mark.parametrize(("link", "code", "problem"), [
    ("nowhere", "3841", "unknown link 'nowhere'"),
    ("foil", "3841", "link 'foil' does not list industry code '3841'"),
])
def test_a_class_main_link_that_is_unknown_or_lacks_the_class_is_refused(tmp_path, link, code, problem):
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    (folder / "vocabulary.yaml").write_text(
        f'class_links:\n  "{code}": {{link: {link}, source: GB/T 4754-2017 class {code}}}\n', encoding="utf-8")
    with pytest.raises(MapError) as info:
        load_map(folder)
    assert problem in str(info.value) and f"class_links.{code}" in str(info.value)


def test_each_class_item_cites_the_catalogue_and_its_class(jiangmen):
    chain_map = jiangmen.chain_map
    for item, entry in chain_map.vocabulary.class_items.items():
        assert "经营范围规范表述目录" in entry.source and "GB/T 4754-2017" in entry.source and entry.code in entry.source, item
        assert entry.links or any(entry.code.startswith(code) for link in chain_map.links for code in link.industry_codes), item
        assert all(link in chain_map.link_by_id for link in entry.links), item


@pytest.mark.parametrize(("entry", "problem"), [
    ('{code: "9999", source: a catalogue item}', "no link lists industry code '9999'"),
    ('{code: "3841", activity: smuggle, source: a catalogue item}', "unknown activity 'smuggle'"),
    ('{code: "9999", links: [no_such_link], source: a catalogue item}', "unknown link 'no_such_link'"),
])
def test_a_class_item_of_no_listed_class_or_an_unknown_activity_is_refused(tmp_path, entry, problem):
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    (folder / "vocabulary.yaml").write_text(f'class_items:\n  "某项目服务": {entry}\n', encoding="utf-8")
    with pytest.raises(MapError) as info:
        load_map(folder)
    assert problem in str(info.value) and "class_items.某项目服务" in str(info.value)


def test_each_other_class_cites_its_class_and_no_link_lists_it(jiangmen):
    from recommender.reference import industry_class

    chain_map = jiangmen.chain_map
    other = chain_map.vocabulary.other_classes
    assert other, "the map names no other class"
    listed = {code for link in chain_map.links for code in link.industry_codes}
    for code, entry in other.items():
        known = industry_class(code)
        assert known is not None and known.name in entry.source and "GB/T 4754-2017" in entry.source, code
        assert not any(code.startswith(prefix) for prefix in listed), code
        # each word is a product the class names, as a registered scope words it
        assert all(word in known.name for word in entry.words), code


@pytest.mark.parametrize(("entry", "problem"), [
    ('{words: [锂离子电池], source: GB/T 4754-2017 class 3841}', "a link lists industry code '3841'"),
    ('{words: [], source: GB/T 4754-2017 class 3824}', "no words"),
])
def test_an_other_class_that_a_link_lists_or_without_words_is_refused(tmp_path, entry, problem):
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    code = "3841" if "3841" in entry else "3824"
    (folder / "vocabulary.yaml").write_text(f'other_classes:\n  "{code}": {entry}\n', encoding="utf-8")
    with pytest.raises(MapError) as info:
        load_map(folder)
    assert problem in str(info.value) and f"other_classes.{code}" in str(info.value)
