from pathlib import Path

import pandas as pd
import pytest

from recommender import Recommender
from recommender.analysis import CHAIN_COLUMNS, chains_frame, close_gap, gap_matrix, rank_moves, read_firms

EXAMPLES = Path(__file__).resolve().parents[2] / "seeds" / "examples"


def test_chains_frame_counts_links_by_status(tiny_map):
    frame = chains_frame(tiny_map)
    assert list(frame.columns) == list(CHAIN_COLUMNS)
    row = frame.loc["battery"]
    counts = row[["links", "strong", "present", "weak", "missing", "gaps", "key_targets"]].tolist()
    assert counts == [2, 1, 0, 0, 1, 1, 1]


def test_gap_matrix_takes_the_most_needed_status_per_stage(tiny_map):
    matrix = gap_matrix(tiny_map)
    assert matrix.loc["battery"].tolist() == ["missing", "strong", None, None]


def test_close_gap_changes_one_link_and_the_version(tiny_map):
    closed = close_gap(tiny_map, "foil")
    assert closed.link_by_id["foil"].status == "strong"
    assert closed.link_by_id["cells"] == tiny_map.link_by_id["cells"]
    assert tiny_map.link_by_id["foil"].status == "missing"  # the original is untouched
    assert closed.version != tiny_map.version


def test_close_gap_lowers_the_score_of_firms_for_that_link(tiny_map):
    firm = {"name": "甲", "description": "锂电铜箔的研发、生产"}
    before = Recommender(tiny_map).score(firm)
    after = Recommender(close_gap(tiny_map, "foil")).score(firm)
    assert after.link_id == "foil" and after.score < before.score


def test_close_gap_unknown_link(tiny_map):
    with pytest.raises(KeyError, match="no link 'anode'"):
        close_gap(tiny_map, "anode")


def test_close_gap_unknown_status(tiny_map):
    with pytest.raises(ValueError, match="The 'status' parameter of close_gap must be one of"):
        close_gap(tiny_map, "foil", status="closed")


def test_rank_moves_by_hand():
    before = pd.DataFrame({"name": ["a", "b", "c"], "rank": [1, 2, 3], "score": [50.0, 40.0, 30.0]})
    after = pd.DataFrame({"name": ["b", "c", "a"], "rank": [1, 2, 3], "score": [40.0, 30.0, 20.0]})
    moves = rank_moves(before, after)
    assert moves.index.tolist() == ["a", "b", "c"]
    assert moves["move"].tolist() == [-2, 1, 1]
    assert moves["score_change"].tolist() == [-30.0, 0.0, 0.0]


def test_rank_moves_refuses_repeated_keys():
    frame = pd.DataFrame({"name": ["a", "a"], "rank": [1, 2], "score": [1.0, 0.5]})
    with pytest.raises(ValueError, match="repeats the key 'name': \\['a'\\]"):
        rank_moves(frame, frame)


def test_rank_moves_refuses_different_firms():
    before = pd.DataFrame({"name": ["a"], "rank": [1], "score": [1.0]})
    after = pd.DataFrame({"name": ["b"], "rank": [1], "score": [1.0]})
    with pytest.raises(ValueError, match="same firms"):
        rank_moves(before, after)


def test_read_firms_maps_chinese_headers_to_canonical_columns():
    firms = read_firms(EXAMPLES / "candidates.csv")
    assert len(firms) == 163
    assert {"name", "description", "employees", "customers"} <= set(firms.columns)
    assert "联系人" not in firms.columns
    # all text, as the docstring says, though ranking takes the numbers it read as floats
    assert all(isinstance(v, str) for column in firms.columns for v in firms[column].tolist())
    revenue = [v for v in firms["revenue"].tolist() if v]
    assert revenue and all(float(v) >= 0 and not v.endswith(".0") for v in revenue)
