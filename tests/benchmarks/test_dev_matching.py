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
