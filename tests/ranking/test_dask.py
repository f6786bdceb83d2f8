"""The Dask engine against the local engine, on a LocalCluster and on real scheduler/worker processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from distributed import Client, LocalCluster  # noqa: E402

from recommender import Recommender  # noqa: E402
from recommender.datasets import synthetic_firms  # noqa: E402
from recommender.ranking._dask import rank_dask  # noqa: E402

from ..servers import free_port  # noqa: E402

BIN = Path(sys.executable).parent
ROWS = 2_400


def _firms(n: int, seed: int) -> pd.DataFrame:
    firms = synthetic_firms(n, seed=seed)
    firms.loc[5, "name"] = ""  # a bad row: no name
    firms.loc[7, "description"] = "=HYPERLINK(\"http://x\")锂电池"  # a formula cell
    firms.loc[9, "employees"] = "很多人"  # an unparsable number
    firms["登记状态"] = "存续"
    firms.loc[11, "登记状态"] = "注销"  # not active: ranked after every active firm
    firms.loc[13, "name"] = "合计"  # not a firm: ranked last
    # later copies of firms, in other partitions and (row 1500) in the other file: by normalised name and by credit code
    firms["统一社会信用代码"] = [f"91440300MA{i:08d}" for i in range(n)]
    firms.loc[650, "name"] = firms.loc[3, "name"].replace("有限公司", "股份有限公司")
    firms.loc[1500, "name"] = "Ｘ" + firms.loc[30, "name"].replace("有限公司", "（集团）有限公司")
    firms.loc[30, "name"] = "x" + firms.loc[30, "name"]
    firms.loc[2000, "统一社会信用代码"] = " " + firms.loc[40, "统一社会信用代码"].lower()
    return firms


COPIES = 3


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dask-in")
    firms = _firms(ROWS, seed=15)
    half = ROWS // 2
    firms.iloc[:half].to_csv(folder / "part1.csv", index=False, encoding="utf-8")
    firms.iloc[half:].to_csv(folder / "part2.csv", index=False, encoding="gbk")
    firms.to_csv(folder / "all.csv", index=False, encoding="utf-8")
    dataset = folder / "firms.parquet"
    dataset.mkdir()
    firms.iloc[:1000].to_parquet(dataset / "a.parquet", row_group_size=300)
    firms.iloc[1000:].to_parquet(dataset / "b.parquet", row_group_size=500)
    local = folder / "local.csv"
    report = Recommender(model="demo").rank_file(folder / "all.csv", local, shortlist=4, chunk_rows=700)
    return {"folder": folder, "local": local, "report": report}


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _data_lines(path: Path) -> list[bytes]:
    return path.read_bytes().removeprefix(b"\xef\xbb\xbf").split(b"\r\n")[1:-1]


def test_csv_in_gbk_and_utf8_gives_the_local_engines_rows_scores_and_order(inputs, client, tmp_path):
    folder = inputs["folder"]
    out = tmp_path / "ranked"
    report = rank_dask([str(folder / "part*.csv")], out, client=client, model="demo", partition_size=300, shortlist_k=4)
    local = pd.read_csv(inputs["local"], dtype=str, keep_default_na=False)
    ranked = pd.read_parquet(out)
    summary = json.loads((out / "_SUMMARY.json").read_text(encoding="utf-8"))
    assert len(ranked) == ROWS == report.rows == summary["rows"]
    assert ranked["rank"].tolist() == list(range(1, ROWS + 1))
    assert ranked["name"].tolist() == local["name"].tolist()
    assert ranked["description"].tolist() == local["description"].tolist()
    np.testing.assert_array_equal(ranked["score"].to_numpy(), local["score"].astype(float).to_numpy())
    np.testing.assert_array_equal(ranked["priority"].to_numpy(), local["priority"].astype(float).to_numpy())
    assert ranked["shortlist"].fillna(0).astype(int).tolist() == local["shortlist"].replace("", "0").astype(int).tolist()
    # the local engine's bands: active firms, the firm not active, the row without a name, the total;
    # rows with an unreadable value rank on what is known; the formula cell neutralised as the local writer does
    assert summary["bad_rows"] == report.bad_rows == (local["errors"] != "").sum() >= 2
    assert ranked["name"].iloc[-3:].tolist() == [local["name"].iloc[-3], "", "合计"]
    assert ranked["登记状态"].iloc[-3] == "注销" and (ranked["登记状态"].iloc[:-3] == "存续").all()
    assert summary["inactive_rows"] == report.inactive_rows == 1 and report.not_firm_rows == 1
    assert (ranked["errors"].iloc[-2:] != "").tolist() == [True, False]
    assert ranked["description"].str.startswith("'=HYPERLINK").sum() == 1
    assert summary["map"]["version"] == Recommender().map_version
    assert summary["model_version"] == report.model_version == local["model_version"].iloc[0]
    assert summary["coverage"]["gap_links"] > 0 and len(summary["shortlist"]) == 4
    assert report.top["name"].tolist() == local["name"].head(10).tolist()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left behind


def _values_kept() -> dict[str, int]:
    """The entries of the per-value caches kept across calls in this process (run on a worker), by name."""
    from recommender.ranking._dask import engine
    from recommender.scoring._explanation import _ITEM_TEXTS
    from recommender.tables._values import _SEEN

    kept = {"blank_missing": len(_SEEN), "reasons": len(_ITEM_TEXTS)}
    kept.update({name: len(cache) for name, cache in engine(None, "demo").scorer._trait_cache.items()})
    return kept


def test_a_worker_keeps_no_cell_values_once_a_piece_is_scored(inputs, client, tmp_path):
    # entries made among a piece's rows keep its small-object arenas from being given back: a worker's memory rose piece after piece
    rank_dask([str(inputs["folder"] / "all.csv")], tmp_path / "ranked", client=client, model="demo", partition_size=300)
    kept = client.run(_values_kept)
    assert len(kept) == 2 and kept
    for sizes in kept.values():
        assert set(sizes) == {"blank_missing", "reasons", "tags", "origin", "leader"}
        assert not any(sizes.values()), sizes


def _histories(dask_worker) -> dict[str, int]:  # noqa: ANN001 - distributed.Worker
    """How much of its past a worker keeps: profiles, transitions, stimuli, system samples, task keys (Dask's cache of
    their prefixes)."""
    from dask.utils import key_split

    return {
        "profiles": len(dask_worker.profile_history), "transitions": len(dask_worker.state.log),
        "stimuli": len(dask_worker.state.stimulus_log), "samples": max(len(q) for q in dask_worker.monitor.quantities.values()),
        "keys": key_split.cache_info().currsize, "executed": dask_worker.state.executed_count,
    }


def test_the_engines_cluster_keeps_a_short_past_in_its_workers(inputs, tmp_path):
    # objects a worker keeps from earlier pieces (the profiler's call trees, its task log, the monitor's samples) are made
    # among a piece's cells and pin their small-object arenas: with Dask's defaults a worker's floor rose ~2 MiB a piece
    from recommender.ranking._dask import WORKER_CONFIG, local_cluster

    with local_cluster(1, dashboard_address=None) as cluster, Client(cluster) as c:
        rank_dask([str(inputs["folder"] / "all.csv")], tmp_path / "ranked", client=c, model="demo", partition_size=100)
        time.sleep(1.5)  # more than a profile cycle
        (kept,) = c.run(_histories).values()
    limit = WORKER_CONFIG["distributed.admin.low-level-log-length"]
    assert kept["profiles"] == 0
    assert 0 < kept["transitions"] <= limit and 0 < kept["stimuli"] <= limit  # some 200 tasks ran
    assert kept["samples"] <= WORKER_CONFIG["distributed.admin.system-monitor.log-length"]
    # each task's key, kept by Dask's cache of key prefixes (up to 100,000), pinned an arena a piece: emptied after each task
    assert kept["executed"] > 100 and kept["keys"] <= 5, kept


def _settled_rss():  # noqa: ANN202 - a function to run on each worker
    """A function giving a worker's RSS once the engine is built and its freed memory handed back (a fresh worker's floor);
    made here, so that it is sent by value to workers that cannot import the tests."""
    from recommender.ranking._dask import _hand_back_memory, engine

    return lambda dask_worker: (engine(None, "demo"), _hand_back_memory(), dask_worker.monitor.get_process_memory())[-1]


def test_workers_recycled_mid_run_give_every_row_once_with_the_local_engines_scores_and_order(inputs, tmp_path):
    # a bound a few MiB over a fresh worker's floor: each worker passes it after some tasks, is retired between tasks and
    # started afresh by its nanny, while the other goes on
    from recommender.ranking._dask import local_cluster

    with local_cluster(2, dashboard_address=None) as cluster, Client(cluster) as c:
        first = set(c.run(os.getpid).values())
        bound = max(c.run(_settled_rss()).values()) // 2**20 + 6
        out = tmp_path / "ranked"
        report = rank_dask([str(inputs["folder"] / "part*.csv")], out, client=c, model="demo", partition_size=300, shortlist_k=4,
                           recycle_above=bound)
        c.wait_for_workers(2, timeout=120)
        now = set(c.run(os.getpid).values())
        plugins = c.run(lambda dask_worker: sorted(dask_worker.plugins))
    events = [msg for _, msg in report.events]
    recycled = [e for e in events if e["action"] == "recycle"]
    assert report.recycled >= 1
    assert all(e["rss_mib"] >= bound for e in recycled)  # over the bound in bytes; whole MiB, rounded down
    assert {e["pid"] for e in recycled} <= first | {e["pid"] for e in events if e["action"] == "ready"}
    # each worker whose last word was a recycle (not an aborted one) is gone when the run returns, replaced: the run waits
    # for a worker retired after its last tasks
    last = {e["pid"]: e["action"] for e in events if e["action"] in ("recycle", "recycle-aborted")}
    gone = {pid for pid, action in last.items() if action == "recycle"}
    assert gone and not gone & now and len(now) == 2
    assert all("recommender-recycle" not in names for names in plugins.values())  # the run leaves no recycling behind
    local = pd.read_csv(inputs["local"], dtype=str, keep_default_na=False)
    ranked = pd.read_parquet(out)
    assert len(ranked) == ROWS == report.rows
    assert ranked["rank"].tolist() == list(range(1, ROWS + 1))
    assert ranked["name"].tolist() == local["name"].tolist()
    np.testing.assert_array_equal(ranked["score"].to_numpy(), local["score"].astype(float).to_numpy())
    np.testing.assert_array_equal(ranked["priority"].to_numpy(), local["priority"].astype(float).to_numpy())
    assert ranked["duplicate_of"].fillna(0).astype(int).tolist() == local["duplicate_of"].replace("", "0").astype(int).tolist()
    assert ranked["shortlist"].fillna(0).astype(int).tolist() == local["shortlist"].replace("", "0").astype(int).tolist()


def test_copies_of_firms_across_partitions_and_files_are_marked_as_the_local_engine_marks_them(inputs, client, tmp_path):
    out = tmp_path / "ranked"
    report = rank_dask([str(inputs["folder"] / "part*.csv")], out, client=client, model="demo", partition_size=200, shortlist_k=4)
    local = pd.read_csv(inputs["local"], dtype=str, keep_default_na=False)
    ranked = pd.read_parquet(out)
    summary = json.loads((out / "_SUMMARY.json").read_text(encoding="utf-8"))
    assert report.duplicate_rows == summary["duplicate_rows"] == inputs["report"].duplicate_rows == COPIES
    copies = ranked["duplicate_of"].notna().to_numpy()
    assert ranked["duplicate_of"][copies].astype(int).tolist() == local["duplicate_of"][copies].astype(int).tolist()
    assert sorted(ranked["duplicate_of"][copies].astype(int)) == [3 + 2, 30 + 2, 40 + 2]  # file row numbers of the first copies
    assert ranked["reasons"].tolist() == local["reasons"].tolist()
    assert ranked["name"].tolist() == local["name"].tolist()
    # each copy right after its first copy, never shortlisted
    for at in np.flatnonzero(copies):
        first = int(ranked["duplicate_of"].iloc[at]) - 2
        assert ranked["统一社会信用代码"].iloc[at - 1] == f"91440300MA{first:08d}"
        assert pd.isna(ranked["shortlist"].iloc[at])
    assert ranked["shortlist"].fillna(0).astype(int).tolist() == local["shortlist"].replace("", "0").astype(int).tolist()


def test_copies_linked_through_rows_repeating_both_name_and_code_are_marked_as_the_local_engine_marks_them(client, tmp_path):
    # names and credit codes drawn from small pools, so many rows repeat both and link groups of copies across pieces
    n = 900
    firms = synthetic_firms(n, seed=17)
    rng = np.random.default_rng(17)
    pool = firms["name"].iloc[:60].tolist()
    firms["name"] = [pool[i] for i in rng.integers(0, 60, n)]
    firms["统一社会信用代码"] = [f"91440300MA{i:08d}" for i in rng.integers(0, 90, n)]
    firms.loc[rng.choice(n, 150, replace=False), "统一社会信用代码"] = ""
    # a chain by hand, one row per piece: B repeats A's code, so B is a copy and its name 乙 is not kept; C (乙, a new
    # code) is then a first copy, and D (乙) a copy of C, not of B
    for row, name, code in ((120, "甲链测试有限公司", "91110000CHAIN0001"), (340, "乙链测试有限公司", "91110000CHAIN0001"),
                            (560, "乙链测试有限公司", "91110000CHAIN0002"), (780, "乙链测试有限公司", "91110000CHAIN0003")):
        firms.loc[row, ["name", "统一社会信用代码"]] = [name, code]
    # a firm listed twice with the same name and code, in two pieces: a copy by both keys, nothing linked
    for row in (205, 705):
        firms.loc[row, ["name", "统一社会信用代码"]] = ["丙两次测试有限公司", "91110000TWICE0001"]
    source = tmp_path / "linked.csv"
    firms.to_csv(source, index=False, encoding="utf-8")
    local_out = tmp_path / "local.csv"
    expected = Recommender(model="demo").rank_file(source, local_out, chunk_rows=250)
    out = tmp_path / "ranked"
    report = rank_dask([source], out, client=client, model="demo", partition_size=100)
    local = pd.read_csv(local_out, dtype=str, keep_default_na=False)
    ranked = pd.read_parquet(out)
    assert report.duplicate_rows == expected.duplicate_rows > n // 2
    assert ranked["name"].tolist() == local["name"].tolist()
    assert ranked["统一社会信用代码"].tolist() == local["统一社会信用代码"].tolist()
    assert ranked["duplicate_of"].fillna(0).astype(int).tolist() == local["duplicate_of"].replace("", "0").astype(int).tolist()
    np.testing.assert_array_equal(ranked["score"].to_numpy(), local["score"].astype(float).to_numpy())
    chain = ranked.set_index(ranked["统一社会信用代码"])["duplicate_of"]
    assert chain["91110000CHAIN0001"].dropna().astype(int).tolist() == [120 + 2]
    assert pd.isna(chain["91110000CHAIN0002"]) and int(chain["91110000CHAIN0003"]) == 560 + 2
    assert chain["91110000TWICE0001"].fillna(0).astype(int).tolist() == [0, 205 + 2]


def test_the_column_report_is_the_local_engines_in_the_report_and_the_summary(inputs, client, tmp_path):
    out = tmp_path / "ranked"
    report = rank_dask([inputs["folder"] / "firms.parquet"], out, client=client, model="demo", partition_size=250)
    expected = inputs["report"].columns
    assert report.columns == expected and report.header_rows == inputs["report"].header_rows == (1,)
    by_column = {use.column: use for use in report.columns}
    assert by_column["employees"].unreadable == 1 and by_column["统一社会信用代码"].field == "credit_code"
    assert by_column["登记状态"].field == "status"
    summary = json.loads((out / "_SUMMARY.json").read_text(encoding="utf-8"))
    assert summary["column_report"] == [use.as_dict("zh") for use in expected]


def test_parquet_dataset_in_csv_parts_out_match_the_local_file(inputs, client, tmp_path):
    out = tmp_path / "ranked-csv"
    rank_dask([inputs["folder"] / "firms.parquet"], out, client=client, model="demo", partition_size=250,
              shortlist_k=4, output_format="csv")
    parts = sorted(out.glob("part.*.csv"))
    assert len(parts) > 2
    assert all(part.read_bytes().startswith(b"\xef\xbb\xbf") for part in parts)  # UTF-8 with BOM, for Excel
    ranked = pd.concat([pd.read_csv(part, dtype=str, keep_default_na=False) for part in parts], ignore_index=True)
    local = pd.read_csv(inputs["local"], dtype=str, keep_default_na=False)
    assert list(ranked.columns) == list(local.columns)
    # a float column whose cells in one written batch are all whole is written as ints ("0", not "0.0"),
    # so batches cut elsewhere differ in that spelling only: numbers are compared as numbers
    numbers = ["rank", "score", "likelihood", "priority", "confidence", "shortlist", *[c for c in local if c.startswith("score_")]]
    text = [c for c in local.columns if c not in numbers]
    pd.testing.assert_frame_equal(ranked[text], local[text])  # same rows, order and neutralised text
    as_float = lambda frame: frame[numbers].replace("", "nan").astype(float)  # noqa: E731
    pd.testing.assert_frame_equal(as_float(ranked), as_float(local))


def test_local_engine_reads_and_writes_parquet(inputs, tmp_path):
    out = tmp_path / "ranked.parquet"
    source = inputs["folder"] / "firms.parquet" / "a.parquet"
    result = subprocess.run([str(BIN / "recommender"), "rank", str(source), "-o", str(out), "--top", "0", "--model", "demo"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    ranked = pd.read_parquet(out)
    pd.read_parquet(source).to_csv(tmp_path / "a.csv", index=False)  # the same rows as CSV, through the same reader
    Recommender(model="demo").rank_file(tmp_path / "a.csv", tmp_path / "a-ranked.csv")
    expected = pd.read_csv(tmp_path / "a-ranked.csv", dtype={"name": str}, keep_default_na=False)
    assert ranked["name"].tolist() == expected["name"].tolist()
    np.testing.assert_array_equal(ranked["score"].to_numpy(), expected["score"].to_numpy())
    assert ranked["rank"].dtype.kind == "i"


@pytest.fixture(scope="module")
def real_cluster():
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **quiet)]
    try:
        procs += [
            subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                              "--name", f"w{i}"], **quiet)
            for i in range(2)
        ]
        with Client(address, timeout=60) as c:
            c.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_cli_ranks_through_a_real_scheduler(inputs, real_cluster, tmp_path):
    out = tmp_path / "cli-ranked"
    result = subprocess.run(
        [str(BIN / "recommender"), "rank", str(inputs["folder"] / "part1.csv"), str(inputs["folder"] / "part2.csv"), "-o", str(out),
         "--engine", "dask", "--scheduler", real_cluster, "--partition-size", "400", "--top", "3", "--model", "demo"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert f"已排序 {ROWS} 行" in result.stdout and f"重复企业 {COPIES} 行" in result.stdout
    assert "列使用情况" in result.stdout and "统一社会信用代码 → 统一社会信用代码（识别重复企业）" in result.stdout
    ranked = pd.read_parquet(out)
    local = pd.read_csv(inputs["local"], dtype=str, keep_default_na=False)
    assert ranked["name"].tolist() == local["name"].tolist()
    np.testing.assert_array_equal(ranked["score"].to_numpy(), local["score"].astype(float).to_numpy())


def test_cli_recycles_dask_worker_processes_through_their_nannies(inputs, real_cluster, tmp_path):
    # `dask worker` runs each worker under a nanny: a worker over the bound after a task is retired and its nanny starts
    # a new process; a bound of 1 MiB, passed after every task (these workers have run earlier tests: their memory may
    # have stopped growing), and one piece, so that the run is a few tasks
    source = inputs["folder"] / "part1.csv"
    local_out = tmp_path / "local.csv"
    Recommender(model="demo").rank_file(source, local_out)
    with Client(real_cluster, timeout=60) as c:
        c.wait_for_workers(2, timeout=120)
        before = set(c.run(os.getpid).values())
        out = tmp_path / "cli-recycled"
        result = subprocess.run(
            [str(BIN / "recommender"), "rank", str(source), "-o", str(out), "--engine", "dask", "--scheduler", real_cluster,
             "--partition-size", "2000", "--top", "3", "--model", "demo", "--recycle-above", "1"],
            capture_output=True, text=True, timeout=400,
        )
        c.wait_for_workers(2, timeout=120)
        after = set(c.run(os.getpid).values())
    assert result.returncode == 0, result.stderr
    assert "workers recycled for their memory:" in result.stdout
    assert not before & after  # both worker processes are new, started by their nannies
    ranked = pd.read_parquet(out)
    local = pd.read_csv(local_out, dtype=str, keep_default_na=False)
    assert len(ranked) == len(local) == ROWS // 2
    assert ranked["name"].tolist() == local["name"].tolist()
    np.testing.assert_array_equal(ranked["score"].to_numpy(), local["score"].astype(float).to_numpy())


def test_the_command_line_names_the_engines_recycling_bound():
    from typer.testing import CliRunner

    from recommender.cli import app
    from recommender.ranking._dask import RECYCLE_ABOVE_MIB

    result = CliRunner().invoke(app, ["rank", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--recycle-above" in result.stdout and f"default {RECYCLE_ABOVE_MIB}" in result.stdout


def test_cli_reports_an_encoding_error_from_a_worker(real_cluster, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("企业名称,主营业务\n甲,锂电池\n".encode() + b"\xff\xfe\xfa,x\n" + "乙,铜箔电解铜箔锂电池\n".encode() * 5)
    out = tmp_path / "never"
    result = subprocess.run([str(BIN / "recommender"), "rank", str(bad), "-o", str(out), "--engine", "dask", "--scheduler", real_cluster],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 5, result.stderr
    assert "bad.csv" in result.stderr and "line 3" in result.stderr
    assert not out.exists()


def test_a_worker_killed_mid_run_still_gives_every_row_once_or_no_output(real_cluster, tmp_path):
    firms = _firms(4_000, seed=16)
    source = tmp_path / "many.parquet"
    firms.to_parquet(source, row_group_size=100)
    out = tmp_path / "survived"
    outcome: dict = {}
    with Client(real_cluster, timeout=60) as c:
        c.wait_for_workers(2, timeout=120)
        pids = list(c.run(os.getpid).values())  # the worker processes (their nannies start new ones)

        def run() -> None:
            try:
                outcome["report"] = rank_dask([source], out, client=c, model="demo", partition_size=100)
            except Exception as exc:  # the run may fail, clearly
                outcome["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(tmp_path.glob(".survived.*/scored/*.arrow")):
            time.sleep(0.05)
        assert thread.is_alive(), "the run ended before a worker could be killed"
        os.kill(pids[0], signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive()
    if "error" in outcome:
        assert not out.exists()
    else:
        ranked = pd.read_parquet(out)
        assert len(ranked) == 4_000
        assert ranked["rank"].tolist() == list(range(1, 4_001))
        assert sorted(ranked["name"].tolist()) == sorted(firms["name"].tolist())
        assert outcome["report"].rows == 4_000


def test_the_sort_key_orders_the_four_bands_and_refuses_what_it_cannot_hold():
    from recommender.ranking._dask import MAX_ROWS, _band_of, _order_key

    band = np.array([3, 2, 1, 0, 0])
    key = _order_key(band, [100, 100, 100, 0, 100], [100, 100, 100, 0, 100], [1, 1, 1, 0, 1], [0, 1, 2, 3, MAX_ROWS])
    assert np.argsort(key).tolist() == [4, 3, 2, 1, 0]
    assert _band_of(key).tolist() == band.tolist()
    assert (key > 0).all()  # within int64: the sign bit stays clear
    with pytest.raises(ValueError, match="row out of the range"):
        _order_key([0], [1], [1], [1], [MAX_ROWS + 1])
    with pytest.raises(ValueError, match="band out of the range"):
        _order_key([4], [1], [1], [1], [0])


def _slow_square(x: int) -> int:
    time.sleep(0.05 * (3 - x % 3))  # later tasks may end first
    return x * x


def test_gathering_results_leaves_the_callers_futures_as_they_were_and_releases_them(client):
    from recommender.ranking._dask import _gather

    futures = client.map(_slow_square, range(7), pure=False)
    given = list(futures)
    assert _gather(client, futures, False) == [x * x for x in range(7)]
    assert futures == given  # the caller's list is read, not emptied
    deadline = time.monotonic() + 10
    while any(f.key in client.refcount for f in futures) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(f.key in client.refcount for f in futures)  # each released once taken: the workers may drop it
