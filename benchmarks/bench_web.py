"""How fast the workbench opens a finished job's results, for 100 and 100,000 rows.

For each size it writes synthetic firms (``recommender.datasets.synthetic_firms``) as a CSV,
uploads it to a real uvicorn server on 127.0.0.1 (``POST /jobs``, the page's own form), waits
until the job is done, then times ``GET /jobs/{id}`` (the first results page, 50 rows, rendered
HTML) and a few other pages of the same job over HTTP: the median and the worst of ``--repeats``
requests, the first one (a cold read of the Parquet file) reported apart.

    .venv/bin/python benchmarks/bench_web.py                 # 100 and 100,000 rows
    .venv/bin/python benchmarks/bench_web.py --sizes 1000 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(jobs: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "RECOMMENDER_JOBS_DIR": str(jobs), "RECOMMENDER_DATA_DIR": str(jobs.parent / "data"), "RECOMMENDER_MAX_UPLOAD_BYTES": str(200 * 2**20),
           "RECOMMENDER_MAX_UPLOAD_ROWS": "1000000"}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start")


def _timed(client: httpx.Client, url: str, params: dict | None, repeats: int) -> tuple[float, float, float]:
    """(first, median, worst) seconds of GET url, the first excluded from the median."""
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        response = client.get(url, params=params)
        times.append(time.perf_counter() - start)
        response.raise_for_status()
    return times[0], statistics.median(times[1:]), max(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    from recommender.datasets import synthetic_firms

    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        process, url = _start(Path(tmp) / "jobs")
        try:
            with httpx.Client(base_url=url, timeout=600) as client:
                print(f"{'rows':>8}  {'ranked in':>9}  {'page':<28} {'first':>8} {'median':>8} {'worst':>8}")
                for n in args.sizes:
                    path = Path(tmp) / f"firms-{n}.csv"
                    synthetic_firms(n, seed=n).to_csv(path, index=False, encoding="utf-8")
                    start = time.perf_counter()
                    with path.open("rb") as fh:
                        response = client.post("/jobs", files={"file": (path.name, fh, "text/csv")}, data={"top": "10", "shortlist": "10"})
                    job = response.headers["location"]  # 303 to the job's page
                    while (status := client.get(f"{job}/status").json())["state"] not in ("done", "failed"):
                        time.sleep(0.05)
                    ranked = time.perf_counter() - start
                    if status["state"] != "done":
                        raise SystemExit(f"the job failed: {status}")
                    during = []  # the first results page while the job's XLSX is being written
                    while (status := client.get(f"{job}/status").json()).get("xlsx") == "writing" and len(during) < 21:
                        clock = time.perf_counter()
                        client.get(job).raise_for_status()
                        during.append(time.perf_counter() - clock)
                        time.sleep(0.5)
                    while (status := client.get(f"{job}/status").json()).get("xlsx") == "writing":
                        time.sleep(0.05)
                    print(f"{n:>8}  results open after {ranked:.1f}s, the XLSX written after {time.perf_counter() - start:.1f}s ({status.get('xlsx')})")
                    if during:
                        print(f"{n:>8}  first results page while the XLSX is written: median {statistics.median(during) * 1000:.0f}ms, "
                              f"worst {max(during) * 1000:.0f}ms of {len(during)}")
                    chain = client.get(job).text.split('id="filter-chain"')[1].split('<option value="')[2].split('"')[0]
                    for label, target, params in (
                        ("first results page", job, None),
                        ("page 200 (rows 9951-10000)", job, {"page": min(200, max(1, n // 50))}),
                        ("sorted by score", job, {"sort": "score", "order": "desc"}),
                        ("one chain, score 40-100", job, {"chain": chain, "score_min": "40", "score_max": "100"}),
                        ("name search", job, {"q": "科技"}),
                        ("a firm", f"{job}/rows/1", None),
                    ):
                        first, median, worst = _timed(client, target, params, args.repeats)
                        print(f"{n:>8}  {ranked:>8.1f}s  {label:<28} {first * 1000:>6.0f}ms {median * 1000:>6.0f}ms {worst * 1000:>6.0f}ms")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
