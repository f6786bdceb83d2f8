"""CPU time of the library's score of one firm, in-process: what ``POST /v1/score`` costs per request.

The service scores a request through ``Recommender.score_many`` (its batcher hands it the
requests that came together, one or up to ``score_batch_max``). This times that call on the
sample candidate list's firms (the bodies ``benchmarks/bench_api.py`` posts, as the service
reads them), one firm per call and in batches of ``--batch``, in CPU time
(``time.process_time``: a shared machine's other work does not count), and reports the median
over ``--repeat`` passes of CPU milliseconds per firm.

``--against TREE`` times another build (a checkout of it, e.g. ``git worktree add ../main main``)
beside this one: each build scores in its own process and their passes alternate, so a shared
machine's load falls on both alike; it reports both medians and their ratio.

``--dump FILE`` writes every result of the sample list and of ``seeds/dev/firms.csv``, scored
one at a time and in batches, in both languages, as JSON lines: two builds score the same when
their files are equal. ``--profile`` prints the functions that take the most time (cProfile)
over one-at-a-time scores.

    .venv/bin/python benchmarks/bench_score.py                    # embedded map, model demo
    .venv/bin/python benchmarks/bench_score.py --dump /tmp/before.jsonl
    .venv/bin/python benchmarks/bench_score.py --profile
    .venv/bin/python benchmarks/bench_score.py --against ../main --repeat 15
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import sample_bodies  # noqa: E402
from recommender import Recommender  # noqa: E402


def sample_profiles() -> list[dict[str, object]]:
    """The sample candidate list's firms as the service receives them (``bench_api``'s bodies)."""
    return [json.loads(body) for body in sample_bodies()]


def dev_profiles() -> list[dict[str, object]]:
    """The development set's firms (``seeds/dev/firms.csv``): name, description, city, country."""
    with (ROOT / "seeds" / "dev" / "firms.csv").open(encoding="utf-8", newline="") as handle:
        return [{k: row[k] for k in ("name", "description", "city", "country") if row.get(k)} for row in csv.DictReader(handle)]


def cpu_ms_per_firm(recommender: Recommender, profiles: Sequence[Mapping[str, object]], batch: int) -> float:
    """CPU milliseconds per firm of scoring ``profiles`` ``batch`` at a time."""
    start = time.process_time()
    for k in range(0, len(profiles), batch):
        recommender.score_many(profiles[k : k + batch])
    return (time.process_time() - start) / len(profiles) * 1000


def dump(recommender: Recommender, path: Path, batch: int) -> int:
    """Write every result (sample list and development set, one at a time and in batches, zh and en)."""
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for source, profiles in (("sample", sample_profiles()), ("dev", dev_profiles())):
            for lang in ("zh", "en"):
                for size in (1, batch):
                    for k in range(0, len(profiles), size):
                        for i, result in enumerate(recommender.score_many(profiles[k : k + size], lang=lang), start=k):
                            line = {"source": source, "row": i, "lang": lang, "batch": size, **result.as_dict(),
                                    "components_max": [c.max_points for c in result.components]}
                            out.write(json.dumps(line,
                                                 ensure_ascii=False, sort_keys=True) + "\n")
                            lines += 1
    return lines


#: A worker process: the build at sys.argv[1] scores the profiles read from stdin, then times
#: one pass per line ("1" or "16": the batch size), answering CPU ms per firm.
_WORKER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from recommender import Recommender
recommender = Recommender(None if sys.argv[2] == "-" else sys.argv[2], model=sys.argv[3])
profiles = json.loads(sys.stdin.readline())
for line in sys.stdin:
    batch = int(line)
    start = time.process_time()
    for k in range(0, len(profiles), batch):
        recommender.score_many(profiles[k : k + batch])
    print((time.process_time() - start) / len(profiles) * 1000, flush=True)
"""


def against(tree: Path, map_dir: str | None, model: str, batches: Sequence[int], repeat: int) -> dict[str, dict[int, list[float]]]:
    """CPU ms per firm of this build and of the one checked out at ``tree``, passes alternating."""
    profiles = json.dumps(sample_profiles(), ensure_ascii=False)
    workers = {
        name: subprocess.Popen([sys.executable, "-c", _WORKER, str(root), map_dir or "-", model],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", cwd=root)
        for name, root in (("this build", ROOT), (str(tree), tree.resolve()))
    }

    def one_pass(worker: subprocess.Popen, batch: int) -> float:
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(f"{batch}\n")
        worker.stdin.flush()
        return float(worker.stdout.readline())

    try:
        for worker in workers.values():
            assert worker.stdin is not None
            worker.stdin.write(profiles + "\n")
        for _ in range(3):  # warm-up passes
            for worker in workers.values():
                for batch in batches:
                    one_pass(worker, batch)
        times: dict[str, dict[int, list[float]]] = {name: {batch: [] for batch in batches} for name in workers}
        for _ in range(repeat):
            for batch in batches:
                for name, worker in workers.items():
                    times[name][batch].append(one_pass(worker, batch))
        return times
    finally:
        for worker in workers.values():
            if worker.stdin is not None:
                worker.stdin.close()
            worker.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--map", help="map folder (default: the embedded map)")
    parser.add_argument("--model", default="demo", help="landing model (default: 'demo', as bench_api.py serves)")
    parser.add_argument("--repeat", type=int, default=7, help="passes over the sample list per batch size (the median is reported)")
    parser.add_argument("--batch", type=int, default=16, help="the batch size timed beside one at a time (the batcher's under load)")
    parser.add_argument("--against", type=Path, metavar="TREE", help="also time the build checked out at TREE, passes alternating")
    parser.add_argument("--dump", type=Path, help="write every result as JSON lines here (compare two builds) and stop")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions over one-at-a-time scores and stop")
    parser.add_argument("--sort", default="tottime", help="cProfile's sort key for --profile (tottime, cumulative …)")
    parser.add_argument("--top", type=int, default=40, help="functions listed by --profile")
    args = parser.parse_args(argv)
    if args.against:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        times = against(args.against, args.map, args.model, (1, args.batch), args.repeat)
        print(f"{len(sample_profiles())} firms of the sample list, model {args.model}, {args.repeat} alternating passes; load average {load:.2f}")
        (this, other), (this_times, other_times) = zip(*times.items(), strict=True)
        for batch in (1, args.batch):
            mine, theirs = statistics.median(this_times[batch]), statistics.median(other_times[batch])
            print(f"batch {batch:3d}: {this} {mine:.3f}, {other} {theirs:.3f} CPU ms per firm (medians); ratio {mine / theirs:.2f}")
        return 0
    recommender = Recommender(args.map, model=args.model)
    if args.dump:
        print(f"{dump(recommender, args.dump, args.batch)} results written to {args.dump}")
        return 0
    profiles = sample_profiles()
    for _ in range(3):  # warm the caches (traits by value, compiled automata)
        cpu_ms_per_firm(recommender, profiles, 1)
        cpu_ms_per_firm(recommender, profiles, args.batch)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(cpu_ms_per_firm, recommender, profiles * 5, 1)
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
        return 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(profiles)} firms of the sample list, model {args.model}, {args.repeat} passes; load average {load:.2f}")
    for size in (1, args.batch):
        runs = [cpu_ms_per_firm(recommender, profiles, size) for _ in range(args.repeat)]
        print(f"batch {size:3d}: {statistics.median(runs):.3f} CPU ms per firm (median; runs {', '.join(f'{r:.3f}' for r in runs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
