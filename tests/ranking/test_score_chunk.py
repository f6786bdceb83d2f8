"""score_chunk: the per-chunk scoring any engine calls per part of a table."""

import numpy as np
import pandas as pd

from recommender import Recommender
from recommender.datasets import synthetic_firms
from recommender.ranking import RANKED_RESULT_COLUMNS, SORT_KEY_COLUMNS, rank_order, score_chunk
from recommender.tables import CANONICAL_COLUMNS

from ..conftest import TINY_MAP


def _profiles(frame: pd.DataFrame) -> pd.DataFrame:
    text = frame.astype(str).where(frame.notna(), "")
    return pd.DataFrame({c: text[c] if c in text else "" for c in CANONICAL_COLUMNS})


def test_chunks_scored_apart_rank_as_the_whole_frame():
    recommender = Recommender(TINY_MAP)
    firms = synthetic_firms(300, seed=4)
    firms.loc[[5, 77], "name"] = ""  # bad rows rank last
    ranked, _ = recommender.rank(firms)
    parts = [score_chunk(recommender.scorer, _profiles(firms.iloc[a:a + 70]), start_row=a) for a in range(0, 300, 70)]
    keys = np.concatenate([p.keys for p in parts])
    assert keys.shape == (300, len(SORT_KEY_COLUMNS))
    order = rank_order(keys)
    assert firms["name"].iloc[order].tolist() == ranked["name"].tolist()
    result = pd.concat([p.result for p in parts], ignore_index=True)
    assert list(result.columns) == list(RANKED_RESULT_COLUMNS)
    assert result["priority"].iloc[order].tolist() == ranked["priority"].tolist()
    assert sum(int(p.bad.sum()) for p in parts) == 2
    assert set(order[-2:].tolist()) == {5, 77}


def test_score_chunk_is_pure():
    recommender = Recommender(TINY_MAP)
    profiles = _profiles(synthetic_firms(40, seed=9))
    before = profiles.copy()
    first = score_chunk(recommender.scorer, profiles, start_row=100, pool_size=5)
    second = score_chunk(recommender.scorer, profiles, start_row=100, pool_size=5)
    pd.testing.assert_frame_equal(profiles, before)
    np.testing.assert_array_equal(first.keys, second.keys)
    pd.testing.assert_frame_equal(first.result, second.result)
    assert first.keys[:, 4].tolist() == list(range(100, 140))
    assert first.candidates is not None and len(first.candidates) <= 5
    assert first.affinity.shape[0] == len(first.candidates)


def test_a_copy_in_a_later_chunk_follows_its_first_copy_in_the_file_and_the_report(tmp_path):
    recommender = Recommender(TINY_MAP)
    firms = synthetic_firms(60, seed=9)
    ranked, _ = recommender.rank(firms)
    best = int(firms.index[firms["name"] == ranked["name"].iloc[0]][0])
    firms = pd.concat([firms, firms.iloc[[best]]], ignore_index=True)  # the best firm again, as the last row
    source, target = tmp_path / "firms.csv", tmp_path / "ranked.csv"
    firms.to_csv(source, index=False)
    report = recommender.rank_file(source, target, top=3, chunk_rows=20)  # the copy is in the last chunk
    out = pd.read_csv(target, dtype=str, keep_default_na=False)
    first_line = best + 2
    assert out["duplicate_of"].iloc[:2].tolist() == ["", str(first_line)]
    assert out["name"].iloc[0] == out["name"].iloc[1]
    assert report.top["rank"].tolist() == [1, 2, 3]
    assert report.top["duplicate_of"].iloc[1] == first_line
    assert report.duplicate_rows == 1


def test_rank_order_keeps_a_copy_whose_first_copy_is_elsewhere_on_its_own_keys():
    # row 1 is a copy of row 0, which is not among these keys: it ranks on its own priority
    keys = np.array([[0, 10, 10, 1, 1, 0], [0, 50, 50, 1, 2, -1], [0, 5, 5, 1, 3, 2]], dtype=np.float64)
    assert rank_order(keys).tolist() == [1, 2, 0]
