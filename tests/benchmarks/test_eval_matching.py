"""benchmarks/eval_matching.py on a tiny made-up real-firm file in the documented format."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def eval_matching():
    spec = importlib.util.spec_from_file_location("eval_matching", ROOT / "benchmarks" / "eval_matching.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HEADER = "name,description,city,country,style,grade,links,firm_type\n"
ROWS = [
    # made-up firms, one per kind; graded by what they do
    ("甲铜箔公司", "生产锂电电解铜箔、极薄铜箔", "深圳", "中国", "blurb", 3, "copper_foil", "private"),
    ("乙固态公司", "研发生产硫化物固态电解质与固态电池", "东莞", "中国", "terse", 3, "solid_state_battery", "private"),
    ("Gamma Recycling", "Gamma recycles spent lithium-ion batteries into black mass", "Osaka", "Japan", "english", 3, "battery_recycling", "foreign"),
    ("丁电芯公司", "一般项目：锂离子电池制造；电池销售", "惠州", "中国", "scope", 2, "cell_manufacturing", "private"),
    ("戊卫浴公司", "生产水龙头、角阀", "江门", "中国", "blurb", 1, "faucets_valves", "private"),
    ("己资本", "股权投资机构，重点投资固态电池、锂电铜箔", "北京", "中国", "terse", 0, "", "fund"),
    ("Zeta Bank", "Commercial bank offering loans and deposits", "Singapore", "Singapore", "english", 0, "", "bank"),
    ("庚商贸公司", "一般项目：铜箔销售；电池销售", "广州", "中国", "scope", 0, "", "trader"),
]


def _write(path, rows):
    path.write_text(HEADER + "".join(",".join(str(v) for v in row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_real_set_figures_on_a_tiny_file(eval_matching, tmp_path):
    figures = eval_matching.evaluate_real(None, _write(tmp_path / "real.csv", ROWS))
    assert figures["firms"] == len(ROWS)
    assert 0 < figures["NDCG@10"] <= figures["NDCG@20"] + 1e-9 <= 1 + 1e-9
    assert figures["grade-3 recall"] == 1.0  # each gap firm's chosen link is its gold link
    assert figures["grade-0 in top 25"] == 3  # eight firms: every one is in the top 25
    means = figures["mean rank by style and grade"]
    assert set(means) == {"blurb", "terse", "english", "scope"}
    assert means["terse"][3] < means["terse"][0]  # the solid-state firm above the fund
    assert figures["mean rank falls with grade"]["terse"] is True


def test_real_set_with_a_bad_grade_names_the_line(eval_matching, tmp_path):
    rows = [*ROWS[:2], ("坏行", "x", "", "", "blurb", 7, "", "private")]
    with pytest.raises(SystemExit, match="line 4: grade must be 0, 1, 2 or 3"):
        eval_matching.evaluate_real(None, _write(tmp_path / "real.csv", rows))


def test_real_set_with_an_unknown_link_is_refused(eval_matching, tmp_path):
    rows = [("甲", "生产铜箔", "", "", "blurb", 3, "copper_foil;no_such_link", "private")]
    with pytest.raises(SystemExit, match="no_such_link"):
        eval_matching.evaluate_real(None, _write(tmp_path / "real.csv", rows))
