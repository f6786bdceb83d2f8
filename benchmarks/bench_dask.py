"""Throughput and worker memory of the Dask engine beside the local engine on the same rows.

It writes N synthetic firms (``recommender.synthetic.synthetic_firms``, as ``bench_rank.py``) to a
Parquet file (row groups of 100,000), then, R times each:

* local: ``recommender rank firms.parquet -o out.csv --top 0`` as a whole process (2 worker processes);
* dask W: :func:`recommender.ranking._dask.rank_dask` on the engine's ``LocalCluster``
  (:func:`~recommender.ranking._dask.local_cluster`) of W single-threaded worker processes (W = 1 and 2),
  started before the clock (a cluster outlives one run), Parquet out.

Peak memory per worker: the largest RSS of any worker process, sampled with psutil every 0.2 s,
also per step of the run; the client's (this process's) peak RSS is printed too.
CPU: user + system seconds of the worker processes and of this (the client's) process, or of
the local engine's process and its children. It prints medians of wall time, rows/s, CPU and
the Dask/local ratios, and the load average before and after each line (the machine may be shared).

Usage::

    python benchmarks/bench_dask.py --rows 1000000 --repeats 3
    python benchmarks/bench_dask.py --rows 10000000 --repeats 1 --no-local --workers 2 1
    python benchmarks/bench_dask.py --rows 2000000 --repeats 1 --no-local --workers 1 --timeline 20
    python benchmarks/bench_dask.py --rows 3000000 --repeats 1 --no-local --workers 1 --floor
    python benchmarks/bench_dask.py --rows 2000000 --repeats 1 --no-local --workers 1 --floor --partition-size 40000 --recycle-above 340
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _sampler import Sampler
from distributed import WorkerPlugin

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"


def make(n: int) -> Path:
    path = DATA / f"firms_{n}.parquet"
    if not path.exists():
        import pyarrow as pa
        import pyarrow.parquet as pq

        from recommender.datasets import synthetic_firms

        DATA.mkdir(exist_ok=True)
        t = time.perf_counter()
        writer = None
        for start in range(0, n, 500_000):
            table = pa.Table.from_pandas(synthetic_firms(min(500_000, n - start), seed=n + start), preserve_index=False)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table, row_group_size=100_000)
        writer.close()
        print(f"# generated {n:,} rows in {time.perf_counter() - t:.1f} s → {path.name} ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
    return path


class PeakRss(Sampler):
    """The largest RSS seen of any of the given processes (None: of this process's child processes, looked up at each
    sample, so that the workers a nanny starts afresh are followed)."""

    def __init__(self, pids: list[int] | None):
        import psutil

        super().__init__()
        self.procs = None if pids is None else [psutil.Process(p) for p in pids]
        self.peak = 0
        self.samples: list[tuple[float, int]] = []  # (perf_counter, largest RSS of the processes then)

    def sample(self) -> None:
        import psutil

        now = 0
        for proc in self.procs if self.procs is not None else psutil.Process().children(recursive=True):
            try:
                now = max(now, proc.memory_info().rss)
            except Exception:  # a worker restarting
                pass
        self.peak = max(self.peak, now)
        self.samples.append((time.perf_counter(), now))
        time.sleep(0.2)

    def by_step(self, start: float, seconds: dict[str, float]) -> dict[str, int]:
        """The peak RSS (MiB) within each step, the steps' wall seconds laid end to end from ``start``."""
        out, t = {}, start
        for step, length in seconds.items():
            inside = [rss for at, rss in self.samples if t <= at < t + length]
            out[step] = max(inside, default=0) // 2**20
            t += length
        return out

    def timeline(self, start: float, stop: float, windows: int) -> list[tuple[int, int]]:
        """The lowest and highest RSS (MiB) in each of ``windows`` equal spans of [start, stop)."""
        width = (stop - start) / windows
        spans = [[rss for at, rss in self.samples if start + k * width <= at < start + (k + 1) * width] for k in range(windows)]
        return [(min(span) // 2**20, max(span) // 2**20) for span in spans if span]


def _cpu() -> float:
    """User + system CPU seconds of this process and its child processes, the live ones and those that have ended (workers
    recycled)."""
    import psutil

    own = os.times()
    total = own.user + own.system + own.children_user + own.children_system
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run_local(source: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its worker processes) of one local run."""
    cli = Path(sys.executable).parent / "recommender"
    before = os.times()
    t = time.perf_counter()
    subprocess.run([str(cli), "rank", str(source), "-o", str(out), "--top", "0", "--model", "demo", "--overwrite"], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


class Floor(WorkerPlugin):
    """A worker plugin: the worker's RSS each time a scoring task has ended (its piece's memory handed back), i.e. the
    worker's floor between pieces, logged on the scheduler (topic ``bench-floor``: it outlives a recycled worker)."""

    name = "bench-floor"

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed.Worker
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:  # noqa: ANN001, ANN003
        if start == "executing" and "_score_piece" in str(key):
            import psutil

            self.worker.log_event("bench-floor", {"name": self.worker.name, "pid": os.getpid(), "rss": psutil.Process().memory_info().rss})


def floor_figures(floor: list[int]) -> str:
    """The floor after the first and the last piece, its range by tenths, and its slope (least squares) over the second half."""
    import numpy as np

    mib = np.asarray(floor, dtype=float) / 2**20
    if len(mib) < 4:
        return "too few pieces"
    half = np.arange(len(mib))[len(mib) // 2:]
    slope = np.polyfit(half, mib[half], 1)[0]
    tenths = [f"{part.min():.0f}–{part.max():.0f}" for part in np.array_split(mib, min(10, len(mib)))]
    return (f"{len(mib)} pieces, {mib[0]:.0f} MiB after the first, {mib[-1]:.0f} after the last; by tenths {', '.join(tenths)}; "
            f"slope over the second half {slope:+.2f} MiB per piece")


def run_dask(source: Path, out: Path, workers: int, repeats: int, partition_size: int,
             windows: int = 0, floor: bool = False, recycle: dict | None = None) -> tuple[list[float], list[int], list[float]]:
    from distributed import Client

    from recommender.ranking._dask import local_cluster, rank_dask

    walls, peaks, cpus = [], [], []
    with local_cluster(workers, dashboard_address=None, memory_limit=0) as cluster, Client(cluster) as client:
        if floor:
            client.register_plugin(Floor())
        for _ in range(repeats):
            kept: dict[str, list[int]] = {}  # received as they come: the scheduler keeps the last few events of a topic only
            client.subscribe_topic("bench-floor", lambda event, kept=kept: kept.setdefault(str(event[1]["name"]), []).append(event[1]["rss"]))
            cpu = _cpu()
            with PeakRss(None) as peak, PeakRss([os.getpid()]) as own:
                t = time.perf_counter()
                report = rank_dask([source], out, client=client, model="demo", partition_size=partition_size, top=0, **(recycle or {}))
                walls.append(time.perf_counter() - t)
            print(f"#   {workers} w client (this process) peak RSS {own.peak / 2**20:,.0f} MiB", flush=True)
            if hasattr(report, "seconds"):  # engines before the steps were timed have none
                print(f"#   {workers} w steps (wall s): {report.seconds}; {report.duplicate_rows:,} copies of firms; "
                      f"peak worker RSS per step (MiB): {peak.by_step(t, report.seconds)}", flush=True)
                if windows:
                    begin = t + report.seconds.get("read", 0) + report.seconds.get("duplicates", 0)
                    print(f"#   {workers} w worker RSS (MiB, lowest–highest) in {windows} spans of the scoring step: "
                          f"{peak.timeline(begin, begin + report.seconds['score'], windows)}", flush=True)
            time.sleep(1)  # the last events on their way
            client.unsubscribe_topic("bench-floor")
            if floor:
                for name, rss in kept.items():
                    print(f"#   {workers} w worker {name} RSS after each scoring task: {floor_figures(rss)}; highest "
                          f"{max(rss) / 2**20:.0f} MiB", flush=True)
            if getattr(report, "recycled", 0):
                print(f"#   {workers} w recycles: {report.recycled}; {recycles(report.events)}", flush=True)
            cpus.append(_cpu() - cpu)
            peaks.append(peak.peak)
            shutil.rmtree(out, ignore_errors=True)
    return walls, peaks, cpus


def recycles(events: list[tuple[float, dict]]) -> str:
    """What the recycles cost, from the engine's events of a run: from a worker's retirement to its successor's engine
    built, and the RSS after the task that passed the bound."""
    gaps, builds = [], []
    for i, (at, msg) in enumerate(events):
        if msg.get("action") == "recycle":
            later = [(t, m) for t, m in events[i + 1:] if m.get("action") == "ready"]
            if later:
                gaps.append(later[0][0] - at)
                builds.append(later[0][1]["seconds"])
    if not gaps:
        return "no successor seen"
    over = [msg["rss_mib"] for _, msg in events if msg.get("action") == "recycle"]
    return (f"retirement → successor's engine built {statistics.median(gaps):.1f} s (median; {min(gaps):.1f}–{max(gaps):.1f}), "
            f"of which the engine {statistics.median(builds):.2f} s; RSS after the task that passed the bound {min(over)}–{max(over)} MiB")


def _load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--partition-size", type=int, default=100_000)
    parser.add_argument("--no-local", action="store_true")
    parser.add_argument("--timeline", type=int, default=0, metavar="N",
                        help="also print the worker RSS range in N equal spans of the scoring step (does it climb task after task?)")
    parser.add_argument("--floor", action="store_true",
                        help="also print each worker's RSS after each scoring task (its floor between pieces) and its slope")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Dask cluster sizes to run, in order")
    parser.add_argument("--recycle-above", type=int, default=None, metavar="MIB",
                        help="recycle a worker whose RSS after a task is above MIB (the engine's default if not given; 0: never)")
    args = parser.parse_args()
    source = make(args.rows)
    print(f"# {os.cpu_count()} CPUs; {args.rows:,} rows; medians of {args.repeats}; partitions of {args.partition_size:,} rows", flush=True)
    local = local_cpu = None
    if not args.no_local:
        load = _load()
        runs = [run_local(source, DATA / "out_local.csv") for _ in range(args.repeats)]
        local, local_cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        (DATA / "out_local.csv").unlink(missing_ok=True)
        print(f"local     {local:8.1f} s  {args.rows / local:10,.0f} rows/s  CPU {local_cpu:7.1f} s  load {load} → {_load()}", flush=True)
    for workers in args.workers:
        load = _load()
        recycle = None if args.recycle_above is None else {"recycle_above": args.recycle_above}
        walls, peaks, cpus = run_dask(source, DATA / "out_dask", workers, args.repeats, args.partition_size, args.timeline, args.floor,
                                      recycle)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        ratio = f"  {wall / local:5.2f}× local wall, {cpu / local_cpu:5.2f}× CPU" if local and local_cpu else ""
        print(f"dask {workers} w  {wall:8.1f} s  {args.rows / wall:10,.0f} rows/s  CPU {cpu:7.1f} s  "
              f"peak worker RSS {max(peaks) / 2**20:6.0f} MiB{ratio}  load {load} → {_load()}", flush=True)


if __name__ == "__main__":
    main()
