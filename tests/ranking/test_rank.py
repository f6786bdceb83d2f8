import pandas as pd

from recommender import Recommender

from ..conftest import TINY_MAP

FIRMS = pd.DataFrame({
    "name": ["甲", "乙", "丙", "丁"],
    "description": ["锂电铜箔的研发、生产", "电解铜箔生产", "锂离子电池制造", "餐饮服务"],
    "city": ["深圳", "深圳", "深圳", "深圳"],
    "employees": ["500", "500", "500", "500"],
})


def test_rank_frame_orders_by_priority_and_keeps_every_row():
    ranked, coverage = Recommender(TINY_MAP).rank(FIRMS)
    assert coverage is None
    assert sorted(ranked["name"]) == sorted(FIRMS["name"])
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert ranked.iloc[-1]["name"] == "丁"


def test_shortlist_prefers_a_new_gap_over_a_second_firm_for_a_covered_one():
    ranked, coverage = Recommender(TINY_MAP).rank(FIRMS, shortlist=2)
    by_name = ranked.set_index("name")
    # 乙 scores above 丙 on its own, but 甲 already covers copper foil
    assert by_name.loc["乙", "score"] > by_name.loc["丙", "score"]
    picked = by_name["shortlist"].dropna().sort_values()
    assert picked.index.tolist() == ["甲", "丙"]
    assert coverage.gap_links == 1 and coverage.covered_links == 1
    assert coverage.by_chain == {"battery": (1, 1)}
    assert "1/1" in coverage.summary("zh")


def test_rank_frame_renames_output_columns_that_clash_with_input():
    firms = FIRMS.assign(score="vendor score")
    ranked, _ = Recommender(TINY_MAP).rank(firms)
    assert "score" in ranked and "score_1" in ranked
    assert set(ranked["score"]) == {"vendor score"}


def test_spill_writes_each_part_in_utf8_and_says_where_it_lies(tmp_path):
    from recommender.ranking._rank import _spill

    heads = ["江门甲科技有限公司,\"a,b\"", "", "𠀀𝒜 four-byte,é", "plain"]
    tails = ["1,73.55,补链", "2,,", "", "4,0.5"]
    path = tmp_path / "chunk.bin"
    spans = _spill(path, heads, tails)
    data = path.read_bytes()
    assert data == b"".join(part.encode() for pair in zip(heads, tails, strict=True) for part in pair)
    for (offset, head, tail), h, t in zip(spans.tolist(), heads, tails, strict=True):
        assert data[offset:offset + head].decode() == h and data[offset + head:offset + head + tail].decode() == t
    assert _spill(path, [], []).shape == (0, 3) and path.read_bytes() == b""


def _finish(index: int, seconds: float) -> tuple[int, float]:
    import time

    time.sleep(seconds)
    return index, time.monotonic()


def test_chunks_are_handed_out_as_any_worker_frees_and_collected_in_order():
    from concurrent.futures import ProcessPoolExecutor

    from recommender.ranking._rank import _bounded_map

    # the first job is slow; the other worker must go on through later jobs meanwhile, past
    # the window of three jobs, and the results still come back in job order, each once
    jobs = [(0, 3.0), *((i, 0.05) for i in range(1, 7))]
    with ProcessPoolExecutor(2) as executor:
        results = list(_bounded_map(executor, _finish, iter(jobs), ahead=3, held=6))
    assert [index for index, _ in results] == list(range(7))
    finished = dict(results)
    assert finished[4] < finished[0]
