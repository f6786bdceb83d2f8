"""benchmarks/dev_matching.py on a tiny made-up file in the development set's format."""

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.benchmarks.test_eval_matching import HEADER, ROWS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev_matching():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("dev_matching", ROOT / "benchmarks" / "dev_matching.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_figures_on_a_tiny_file(dev_matching, tmp_path, capsys):
    path = tmp_path / "dev.csv"
    path.write_text(HEADER + "".join(",".join(str(v) for v in row) + "\n" for row in ROWS), encoding="utf-8")
    figures = dev_matching.evaluate_dev(None, path, verbose=True)
    assert figures["firms"] == len(ROWS)
    assert figures["top-1 link accuracy"] == 1.0  # each made-up firm names its own link plainly
    assert figures["grade-3 recall"] == 1.0
    assert figures["grade-0 matched"] == 0.0  # the fund, the bank and the trader match nothing
    assert 0 < figures["NDCG@10"] <= 1
    assert figures["mean rank falls with grade"]["terse"] is True
    assert capsys.readouterr().out == ""  # nothing misplaced, so nothing listed


def test_an_industry_code_column_reaches_the_recommender(dev_matching, tmp_path, capsys):
    # a firm whose words name no link: only its class code (3841 锂离子电池制造) places it
    header = HEADER.rstrip("\n") + ",industry_code\n"
    rows = [(*row, "") for row in ROWS] + [("辛新能源公司", "新能源科技领域内的技术服务", "惠州", "中国", "terse", 1, "cell_manufacturing", "private", "3841")]
    path = tmp_path / "dev_2.csv"
    path.write_text(header + "".join(",".join(str(v) for v in row) + "\n" for row in rows), encoding="utf-8")
    figures = dev_matching.evaluate_dev(None, path, verbose=True)
    assert figures["top-1 link of the score"] == 1.0
    assert capsys.readouterr().out == ""


def test_the_command_reports_each_development_file(tmp_path):
    import subprocess
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (first, second):
        path.write_text(HEADER + "".join(",".join(str(v) for v in row) + "\n" for row in ROWS), encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "dev_matching.py"), "--dev", str(first), str(second),
                          str(tmp_path / "absent.csv")], capture_output=True, text=True, check=True).stdout
    assert f"# {first} (development set)" in out and f"# {second} (development set)" in out
    assert f"# {tmp_path / 'absent.csv'}: not present, skipped" in out
