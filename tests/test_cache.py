"""per_value: once per distinct value, in a call or (with a cache) across calls."""

import gc
import pickle

import numpy as np
import pandas as pd

from recommender import _cache as memo
from recommender._cache import per_value
from recommender.scoring import Scorer


def test_per_value_spreads_each_distinct_result_back_to_its_rows():
    calls = []

    def fn(city, n):
        calls.append((city, n))
        return len(city) * n, city.upper()

    sizes, upper = per_value(fn, ["ab", "c", "ab", "c", "ab"], np.array([2, 1, 2, 1, 3]), dtypes=(float, object))
    assert sizes.tolist() == [4.0, 1.0, 4.0, 1.0, 6.0] and sizes.dtype == np.float64
    assert upper.tolist() == ["AB", "C", "AB", "C", "AB"]
    assert calls == [("ab", 2), ("c", 1), ("ab", 3)]
    empty = per_value(fn, [], [], dtypes=(float, object))
    assert [a.tolist() for a in empty] == [[], []]


def test_a_cache_keeps_results_across_calls_and_is_bounded():
    calls = []

    def fn(value):
        calls.append(value)
        return (value * 2,)

    cache = memo.KeptValues()
    assert per_value(fn, ["a", "b"], cache=cache)[0].tolist() == ["aa", "bb"]
    assert per_value(fn, ["b", "c", "a"], cache=cache)[0].tolist() == ["bb", "cc", "aa"]
    assert calls == ["a", "b", "c"]  # b and a came from the cache
    cache.limit = 2
    assert per_value(fn, ["d"], cache=cache)[0].tolist() == ["dd"]
    assert set(cache) == {("d",)}  # over the bound: emptied, then filled again
    assert per_value(fn, ["a"])[0].tolist() == ["aa"] and calls[-1] == "a"  # no cache: computed again


def test_a_scorers_trait_cache_gives_the_same_scores(tiny_map):
    profiles = pd.DataFrame({
        "name": ["甲", "乙", "丙"], "description": ["锂电铜箔", "电芯", "铜箔"], "city": ["深圳", "江门", "深圳"],
        "country": ["中国", "中国", "中国"], "tags": ["专精特新", "", "专精特新"], "customers": ["", "某电池厂", ""],
    })
    warm = Scorer(tiny_map)
    first = warm.score_frame(profiles)
    assert all(warm._trait_cache.values())  # filled: tags, origin, leader
    again = warm.score_frame(profiles.iloc[::-1].reset_index(drop=True))
    cold = Scorer(tiny_map).score_frame(profiles.iloc[::-1].reset_index(drop=True))
    assert again.equals(cold)
    assert first["score"].tolist() == cold["score"].tolist()[::-1]


def test_forget_values_empties_every_kept_cache_and_no_other_dict():
    first, second, plain = memo.KeptValues(), memo.KeptValues(10), {"x": 1}
    first["a"], second["b"] = 1, 2
    per_value(lambda v: (v,), ["c"], cache=first)
    assert len(first) == 2
    memo.forget_values()
    assert first == {} and second == {} and plain == {"x": 1}
    gone = id(second)
    del second
    gc.collect()
    assert gone not in memo._KEPT and id(first) in memo._KEPT  # the registry keeps no cache alive
    first["d"] = 3
    assert first == {"d": 3}  # still usable after being emptied


def test_a_kept_cache_pickles_empty_with_its_bound():
    cache = memo.KeptValues(7)
    cache["a"] = 1
    copy = pickle.loads(pickle.dumps(cache))
    assert type(copy) is memo.KeptValues and copy == {} and copy.limit == 7 and cache == {"a": 1}
    assert id(copy) in memo._KEPT  # emptied by forget_values like any other


def test_a_pickled_matcher_matches_as_the_original(tiny_map):
    matcher = Scorer(tiny_map).matcher
    texts = ["锂电铜箔", "电芯", "铜箔"]
    frame = {"description": texts, "industry_code": ["3985", "", "3985"]}
    before = matcher.match(frame)
    copy = pickle.loads(pickle.dumps(matcher))
    assert len(copy.code_links_) == 0 and len(matcher.code_links_) > 0
    after = copy.match(frame)
    assert (after.affinity != before.affinity).nnz == 0 and after.evidence.tolist() == before.evidence.tolist()
