import csv
import subprocess
import sys
from collections import Counter
from importlib import resources

import pytest

from recommender.reference import INDUSTRY_LEVELS, IndustryClass, industry_class, industry_code_for_name
from recommender.reference._industry import _industry_classes, _industry_path


def _rows():
    with resources.files("recommender.reference").joinpath("data", "gbt4754_2017.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_counts_per_level():
    counts = Counter(item.level for item in _industry_classes())
    assert counts == {1: 20, 2: 97, 3: 473, 4: 1381}
    assert [len(_industry_classes(level)) for level in INDUSTRY_LEVELS] == [20, 97, 473, 1381]
    assert [item.code for item in _industry_classes(1)] == [chr(c) for c in range(ord("A"), ord("T") + 1)]


def test_codes_have_the_shape_of_their_level_and_a_parent_one_level_up():
    for item in _industry_classes():
        if item.level == 1:
            assert item.parent is None and item.code.isalpha()
            continue
        assert item.code.isdigit() and len(item.code) == item.level
        parent = industry_class(item.parent)
        assert parent is not None and parent.level == item.level - 1
        if item.level > 2:
            assert item.code.startswith(parent.code)


def test_every_group_and_division_has_children():
    parents = Counter(item.parent for item in _industry_classes())
    assert all(parents[item.code] > 0 for item in _industry_classes() if item.level < 4)


def test_lithium_ion_battery_chain():
    path = _industry_path("3841")
    assert [(item.code, item.name) for item in path] == [
        ("C", "制造业"),
        ("38", "电气机械和器材制造业"),
        ("384", "电池制造"),
        ("3841", "锂离子电池制造"),
    ]
    assert path[-1].level_name == "小类" and path[0].level_name == "门类"
    assert "锂离子" in path[-1].description
    assert _industry_path("C3841") == path


def test_pulp_and_paper_codes():
    assert industry_class("221").name == "纸浆制造"
    assert [item.code for item in _industry_path("2211")] == ["C", "22", "221", "2211"]
    assert industry_class("2221") == IndustryClass("2221", 4, "机制纸及纸板制造", "222", industry_class("2221").description)
    assert industry_class("22").name == "造纸和纸制品业"


def test_row_repaired_from_the_source_sits_under_its_group():
    assert industry_class("3741").name == "飞机制造" and industry_class("3741").parent == "374"
    assert industry_class("374").name == "航空、航天器及设备制造"


def test_single_class_group_shares_name_and_note():
    group, only = industry_class("019"), industry_class("0190")
    assert group.name == only.name == "其他农业" and group.description == only.description


@pytest.mark.parametrize("code", ["C3841", "c3841", " 3841 ", "3841"])
def test_code_forms(code):
    assert industry_class(code).code == "3841"


@pytest.mark.parametrize("code", ["D3841", "3848", "1", "38411", "", "制造业", None, 3841])
def test_unknown_codes(code):
    assert industry_class(code) is None
    assert _industry_path(code) == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("制造业", "C"),
        ("计算机、通信和其他电子设备制造业", "39"),
        ("计算机，通信和其他电子设备制造业", "39"),
        (" 计算机、通信和其他电子设备制造业 ", "39"),
        ("锂离子电池制造", "3841"),
        ("C3841", "3841"),
        ("3841 锂离子电池制造", "3841"),
        ("C3841-锂离子电池制造", "3841"),
        ("锂离子电池制造（C3841）", "3841"),
        ("锂离子电池制造(3841)", "3841"),
        ("C 制造业", "C"),
        ("C", "C"),
        ("羽毛(绒)加工及制品制造", "194"),
        ("羽毛（绒）加工及制品制造", "194"),
        ("三维(3D)打印技术推广服务", "7517"),
        ("其他农业", "0190"),
        ("ｃ３８４１", "3841"),
    ],
)
def test_names_to_codes(text, code):
    assert industry_code_for_name(text) == code


@pytest.mark.parametrize("text", ["", "   ", "锂电池", "3841 农业", "D3841", "电池", None])
def test_names_without_a_class(text):
    assert industry_code_for_name(text) is None


def test_level_restricts_name_lookup():
    assert industry_code_for_name("其他农业", level=3) == "019"
    assert industry_code_for_name("房地产业", level=1) == "K"
    assert industry_code_for_name("房地产业", level=2) == "70"
    assert industry_code_for_name("锂离子电池制造", level=2) is None
    assert industry_code_for_name("C3841", level=4) == "3841"


def test_every_official_name_maps_back_to_its_own_chain():
    for item in _industry_classes():
        code = industry_code_for_name(item.name, level=item.level)
        assert code == item.code
        found = industry_code_for_name(item.name)
        assert item in _industry_path(found)


def test_table_matches_packaged_file():
    rows = _rows()
    assert len(rows) == len(_industry_classes())
    assert sum(bool(row["description"]) for row in rows) == sum(bool(item.description) for item in _industry_classes())


def test_loaders_do_not_run_at_import():
    code = (
        "import recommender.reference as r\n"
        "from recommender.reference import _industry as industry, _places as places\n"
        "assert industry._table.cache_info().currsize == 0\n"
        "assert places._index.cache_info().currsize == 0\n"
        "r.industry_class('C')\n"
        "assert industry._table.cache_info().currsize == 1\n"
        "assert places._index.cache_info().currsize == 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
