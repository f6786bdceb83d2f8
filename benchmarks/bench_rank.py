"""Throughput and peak memory of ``recommender rank`` beside a pandas read/write floor.

For each size N it writes N synthetic firms (``recommender.datasets.synthetic_firms``,
经营范围-style descriptions of 100–300 characters) to a UTF-8 CSV, then times, as whole
processes, R times each:

* floor: ``python -c "pd.read_csv(in, dtype=str).to_csv(out)"`` on the same file;
* rank:  ``recommender rank in -o out.csv --model demo`` on the embedded Jiangmen map (with a
  landing model, as measured before the default became the prior).

It prints medians of wall time, CPU time (user + sys of the process and the workers it waited
for), rows/s, peak RSS (from ``wait4``) and the rank/floor ratio.

Usage::

    python benchmarks/bench_rank.py                 # 10k, 100k, 1M rows, 3 repeats
    python benchmarks/bench_rank.py --sizes 10000 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"


def _run(argv: list[str]) -> tuple[float, float, float]:
    """Run a process; return (wall seconds, peak RSS in MiB, CPU seconds of it and its waited-for children)."""
    start = time.perf_counter()
    quiet = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=quiet)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _make(n: int) -> Path:
    path = DATA / f"firms_{n}.csv"
    if not path.exists():
        from recommender.datasets import synthetic_firms

        DATA.mkdir(exist_ok=True)
        t = time.perf_counter()
        synthetic_firms(n, seed=n).to_csv(path, index=False, encoding="utf-8")
        print(f"# generated {n:,} rows in {time.perf_counter() - t:.1f} s → {path.name} ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    cli = shutil.which("recommender", path=str(Path(python).parent)) or shutil.which("recommender")
    if cli is None:
        raise SystemExit("the 'recommender' command is not installed (pip install -e .)")
    print(f"# {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; medians of {args.repeats} runs")
    print(f"{'rows':>10} {'floor s':>8} {'rank s':>8} {'ratio':>6} {'rank CPU s':>10} {'rank rows/s':>12} {'floor MiB':>10} {'rank MiB':>9}")
    for n in args.sizes:
        source = _make(n)
        out = DATA / f"out_{n}.csv"
        floor_code = (
            "import pandas as pd, sys; "
            "pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False).to_csv(sys.argv[2], index=False, encoding='utf-8-sig')"
        )
        floors = [_run([python, "-c", floor_code, str(source), str(out)]) for _ in range(args.repeats)]
        ranks = [_run([cli, "rank", str(source), "-o", str(out), "--top", "0", "--model", "demo"]) for _ in range(args.repeats)]
        floor_s = statistics.median(w for w, _, _ in floors)
        rank_s = statistics.median(w for w, _, _ in ranks)
        print(
            f"{n:>10,} {floor_s:>8.2f} {rank_s:>8.2f} {rank_s / floor_s:>6.2f} {statistics.median(c for _, _, c in ranks):>10.2f} "
            f"{n / rank_s:>12,.0f} {statistics.median(m for _, m, _ in floors):>10.0f} {statistics.median(m for _, m, _ in ranks):>9.0f}",
            flush=True,
        )
        out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
