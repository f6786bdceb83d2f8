"""Load ``POST /v1/score`` on 127.0.0.1 and report requests/s and p50/p99 latency.

Starts ``uvicorn api.main:app`` (1 and 2 workers by default), loads it at concurrency 1, 16 and
64 with ``wrk`` (a Lua script for the POST; ``apt-get install -y wrk``) or, without wrk, an
asyncio + httpx load generator, and prints a Markdown table with the exact commands. The POST
bodies are the firms of the sample candidate list in turn (``--bodies sample``: names,
descriptions and numbers that differ from request to request, as a CRM's would), or the docs'
one example profile every time (``--bodies example``). Also loads
``GET /v1/version`` (the HTTP stack without the library's scoring) and times the library's
``Recommender.score`` in-process, so the two costs can be told apart.

Each configuration is loaded ``--repeat`` times; the table gives the medians and every run.
A probe thread beside the load counts the pauses of the whole machine (a 5 ms sleep that
overruns by 50 ms or more; under load these shared virtual machines stop a process for about
100 ms now and then), so a run's p99 can be read against them.

Not a test: runs are bounded (``--duration`` seconds each) and only ever touch 127.0.0.1.

    .venv/bin/python benchmarks/bench_api.py                       # defaults: embedded map, 10 s runs
    .venv/bin/python benchmarks/bench_api.py --duration 5 --write benchmarks/README_api.md
    .venv/bin/python benchmarks/bench_api.py --nodelay-demo        # the TCP_NODELAY latency floor
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from _sampler import Sampler

from api.schemas import SCORE_EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
PROFILE = dict(SCORE_EXAMPLE)  # the example profile of the OpenAPI docs
FIXED_HTTP = "api.protocols:HttpToolsProtocol"  # httptools + TCP_NODELAY on every accepted socket


@dataclass
class Run:
    """One configuration, loaded ``len(rps)`` times (the lists: one entry per run)."""

    label: str
    workers: int
    server: str
    path: str
    concurrency: int
    rps: list[float]
    p50_ms: list[float]
    p99_ms: list[float]
    errors: int
    pauses: list[int]
    command: str


class PauseProbe(Sampler):
    """Counts the machine's pauses while it runs: a 5 ms sleep that takes 50 ms more or longer."""

    def __init__(self, threshold_ms: float = 50.0):
        super().__init__()
        self.threshold = threshold_ms / 1000
        self.pauses: list[float] = []

    def sample(self) -> None:
        start = time.perf_counter()
        time.sleep(0.005)
        late = time.perf_counter() - start - 0.005
        if late >= self.threshold:
            self.pauses.append(late * 1000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stub_app():  # pragma: no cover - run by uvicorn with --stub-library
    """The real app with the library's scoring answered from a cache: the service's own cost.

    ``Recommender.results`` (what ``Recommender.score`` and the batcher call) returns the first
    result it computed for each language, once per row.
    """
    from api.main import create_app
    from recommender import Recommender
    from recommender._columnar import n_rows

    results = Recommender.results
    cache: dict = {}

    def cached(self, frame, *, lang="zh"):
        key = (id(self), lang)
        if key not in cache:
            cache[key] = results(self, {name: list(values)[:1] for name, values in frame.items()}, lang=lang)[0]
        return [cache[key]] * n_rows(frame)

    Recommender.results = cached
    return create_app()


def plain_app():  # pragma: no cover - run by uvicorn with --app plain
    """A plain Starlette app: ``POST /v1/score`` alone, no middleware, no FastAPI routing or dependencies.

    The request is parsed and validated with the same model (:class:`~api.schemas.ScoreRequest`)
    and scored by the same function (:func:`api.routes.score.score_json`, batcher included) as the
    service's route: the difference to the service is what its stack costs.
    """
    import contextlib

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from api.batching import ScoreBatcher
    from api.routes.score import score_json
    from api.schemas import ScoreRequest
    from api.settings import get_settings
    from recommender import Recommender

    settings = get_settings()
    state: dict = {}

    async def score(request: Request) -> Response:
        body = ScoreRequest.model_validate_json(await request.body())
        lang = request.query_params.get("lang", "zh")
        return Response(await score_json(state["batcher"], state["recommender"], body.profile(), lang), media_type="application/json")

    async def ready(request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        state["recommender"] = Recommender(settings.map_dir, model=settings.model)
        batcher = ScoreBatcher(max_batch=settings.score_batch_max) if settings.score_batching else None
        state["batcher"] = batcher
        if batcher is not None:
            await batcher.start()
        yield
        if batcher is not None:
            await batcher.stop()

    return Starlette(routes=[Route("/v1/score", score, methods=["POST"]), Route("/readyz", ready)], lifespan=lifespan)


def no_query_check_app():  # pragma: no cover - run by uvicorn with --app no-query-check
    """The service with its global query dependency (422 for an unknown query parameter) made a no-op."""
    import api.main

    async def accept_any_query() -> None:
        return None

    api.main.reject_unknown_query = accept_any_query
    return api.main.create_app()


#: --app: which application the server runs (a uvicorn factory in this file, or the service itself)
APPS = {"service": None, "stub": "stub_app", "plain": "plain_app", "no-query-check": "no_query_check_app"}


class Server:
    """A uvicorn process on 127.0.0.1, stopped on exit."""

    def __init__(self, workers: int, loop: str, http: str, map_dir: str, model: str, app: str = "service", env: dict | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        factory = APPS[app]
        target = ["--app-dir", str(Path(__file__).parent), "--factory", f"bench_api:{factory}"] if factory else ["api.main:app"]
        self.argv = [
            sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(workers), "--loop", loop, "--http", http, "--no-access-log", "--log-level", "warning",
            "--timeout-worker-healthcheck", "60",
        ]
        self.env = {**os.environ, "RECOMMENDER_MAP_DIR": map_dir, "RECOMMENDER_MODEL": model, **(env or {})}
        self.log = tempfile.TemporaryFile()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.__exit__()
        self.log.seek(0)
        raise RuntimeError("server did not become ready:\n" + self.log.read().decode(errors="replace")[-3000:])

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- load generators ------------------------------------------------------------------------------
_LUA = """local bodies = {{{bodies}}}
local requests = {{}}
local i = 0
init = function(args)  -- each request formatted once, not per send
  for k, body in ipairs(bodies) do
    requests[k] = wrk.format("POST", nil, {{["Content-Type"] = "application/json"}}, body)
  end
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
"""


def sample_bodies() -> list[bytes]:
    """The sample candidate list (``seeds/examples/candidates.csv``) as ``POST /v1/score`` bodies:
    its rows read by the library's own reader, numbers as JSON numbers, each checked by the
    service's model (rows it would refuse are left out)."""
    from api.schemas import ScoreRequest
    from recommender.scoring import FIELDS, NUMERIC_FIELDS
    from recommender.tables import open_table

    bodies = []
    for chunk in open_table(ROOT / "seeds" / "examples" / "candidates.csv").chunks():
        for row in chunk.profiles.to_dict("records"):
            profile: dict[str, object] = {}
            for name in FIELDS:
                text = str(row.get(name) or "").strip()
                if not text:
                    continue
                if name in NUMERIC_FIELDS:
                    try:
                        number = float(text.replace(",", ""))
                    except ValueError:
                        continue
                    profile[name] = int(number) if name in ("founded", "patents") and number.is_integer() else number
                else:
                    profile[name] = text
            try:
                ScoreRequest.model_validate(profile)
            except ValueError:
                continue
            bodies.append(json.dumps(profile, ensure_ascii=False).encode("utf-8"))
    return bodies


def _wrk(url: str, path: str, concurrency: int, duration: int, bodies: list[bytes] | None) -> tuple[float, float, float, int, str]:
    threads = max(1, min(2, concurrency))
    argv = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    script = None
    if bodies:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8")
        # Lua long strings: raw UTF-8, no escapes
        script.write(_LUA.format(bodies=", ".join(f"[==[{body.decode('utf-8')}]==]" for body in bodies)))
        script.close()
        argv += ["-s", script.name]
    argv.append(url + path)
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    finally:
        if script is not None:
            os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    shown = " ".join(a if a != (script.name if script else None) else "post.lua" for a in argv)
    return rps, p50, p99, errors, shown


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


async def _python_load(url: str, path: str, concurrency: int, duration: int, bodies: list[bytes] | None) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:
        stop = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                start = time.perf_counter()
                try:
                    body = bodies[len(latencies) % len(bodies)] if bodies else None
                    if body is None:
                        response = await client.get(path)
                    else:
                        response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
                    ok = response.status_code < 400
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - start) * 1000)
                errors += not ok

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return len(latencies) / elapsed, q[49], q[98], errors


def drain(url: str, timeout: float = 60.0) -> None:
    """Wait until the server has worked off the previous run's backlog (a quick /healthz)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=timeout) as client:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            client.get("/healthz")
            if time.perf_counter() - start < 0.02:
                return
            time.sleep(0.2)


def load(url: str, path: str, concurrency: int, duration: int, bodies: list[bytes] | None, tool: str) -> tuple[float, float, float, int, str]:
    """Load ``path`` (POST the ``bodies`` in turn, or GET without them) for ``duration`` seconds."""
    if tool == "wrk":
        return _wrk(url, path, concurrency, duration, bodies)
    rps, p50, p99, errors = asyncio.run(_python_load(url, path, concurrency, duration, bodies))
    return rps, p50, p99, errors, f"asyncio+httpx load generator, {concurrency} connections, {duration} s, {'POST' if bodies else 'GET'} {path}"


# -- the library alone ------------------------------------------------------------------------------
def library_ms(map_dir: str, model: str, repeat: int = 100) -> dict[str, float]:
    """Milliseconds per call of ``Recommender.score`` for one profile, and of the biggest parts
    of it (cumulative time of the library functions it calls, from cProfile)."""
    code = f"""
import cProfile, json, pstats, time
from recommender import Recommender
r = Recommender({map_dir!r}, model={model!r})
p = json.loads({json.dumps(json.dumps(PROFILE, ensure_ascii=False))})
for _ in range(20): r.score(p)
a = time.perf_counter()
for _ in range({repeat}): r.score(p)
out = {{"Recommender.score": (time.perf_counter() - a) / {repeat} * 1000}}
profiler = cProfile.Profile()
profiler.enable()
for _ in range({repeat}): r.score(p)
profiler.disable()
stats = pstats.Stats(profiler).stats
total = sum(v[3] for k, v in stats.items() if k[2] == "score" and k[0].endswith("pipeline.py"))
wanted = ("profile_columns", "match", "_score", "estimate_landing", "explain_columns", "all_factors")
for (path, _, name), (_, _, _, cum, _) in stats.items():
    if name in wanted and "recommender" in path:
        out[name] = out.get(name, 0) + cum / total * out["Recommender.score"]
print(json.dumps(out))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- report -------------------------------------------------------------------------------------------
def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load_avg = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, load average before the run {load_avg[0]:.2f}"


def markdown(runs: list[Run], lib: dict[str, float] | None, args: argparse.Namespace, tool: str) -> str:
    lines = [
        "## REST service benchmark (`benchmarks/bench_api.py`)",
        "",
        f"Machine: {_machine()}. Map: {args.map or 'a copy of the embedded Jiangmen map'}, model `{args.model}`. Load: {tool}, {args.duration} s per run after a "
        f"{args.warmup} s warm-up, on 127.0.0.1 (the load generator shares the CPUs with the server). POST bodies: "
        + ("the firms of the sample candidate list, in turn." if args.bodies == "sample" else "the docs' example profile, every time."),
        "",
        f"Medians of {args.repeat} runs; then each run as requests/s / p99 ms, with the machine's pauses (≥ 50 ms) seen during it in brackets.",
        "",
        "| endpoint | workers | server | concurrency | requests/s | p50 ms | p99 ms | errors | runs: req/s / p99 ms [pauses] |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        each = ", ".join(f"{rps:,.0f} / {p99:.1f}" + (f" [{n}]" if n else "") for rps, p99, n in zip(r.rps, r.p99_ms, r.pauses, strict=True))
        lines.append(
            f"| {r.path} | {r.workers} | {r.server} | {r.concurrency} | {statistics.median(r.rps):,.0f} | {statistics.median(r.p50_ms):.2f} "
            f"| {statistics.median(r.p99_ms):.2f} | {r.errors} | {each} |"
        )
    if lib:
        lines += [
            "",
            "Library alone, in-process, one profile, ms per call (the parts: their share of the profiled time, scaled to the unprofiled total): "
            + ", ".join(f"`{k}` {v:.2f}" for k, v in lib.items()) + ".",
        ]
    lines += ["", "Commands:", ""]
    seen = set()
    for r in runs:
        for cmd in (r.label, r.command):
            if cmd not in seen:
                seen.add(cmd)
                lines.append(f"    {cmd}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--map", help="map folder (default: a private copy of the embedded map, so edits elsewhere cause no reloads)")
    parser.add_argument("--model", default="demo", help="landing model (default: the shipped 'demo', trained on synthetic data; 'prior' for none)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (the table reports medians)")
    parser.add_argument("--bodies", choices=["sample", "example"], default="sample",
                        help="POST the sample candidate list's firms in turn (default), or the docs' one example profile every time")
    parser.add_argument("--loop", default="uvloop")
    parser.add_argument("--http", default=FIXED_HTTP)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-baseline", action="store_true", help="skip GET /v1/version")
    parser.add_argument("--no-library", action="store_true", help="skip the in-process timing")
    parser.add_argument("--nodelay-demo", action="store_true",
                        help="2 workers, asyncio loop: stock httptools protocol vs ours, concurrency 1")
    parser.add_argument("--stub-library", action="store_true",
                        help="answer Recommender.score from a cache: what the service costs on its own")
    parser.add_argument("--app", choices=sorted(APPS), default="service",
                        help="the application served: the service (default), 'plain' (a bare Starlette route scoring the same way), "
                             "'no-query-check' (the service without its global query dependency), 'stub' (as --stub-library)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the server, e.g. RECOMMENDER_SCORE_BATCHING=false (repeatable)")
    parser.add_argument("--write", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    try:
        return _bench(args, tool, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _bench(args: argparse.Namespace, tool: str, workdir: Path) -> int:
    map_dir = args.map
    if map_dir is None:
        from recommender import default_map_dir

        map_dir = str(workdir / "map")
        shutil.copytree(default_map_dir(), map_dir, ignore=shutil.ignore_patterns("history"))
    if args.bodies == "example":
        bodies = [json.dumps(PROFILE, ensure_ascii=False).encode("utf-8")]
    else:
        bodies = sample_bodies()
    print(f"POST bodies: {len(bodies)} ({args.bodies})", flush=True)
    runs: list[Run] = []

    configs = [(w, args.loop, args.http) for w in args.workers]
    if args.nodelay_demo:
        configs = [(2, "asyncio", "httptools"), (2, "asyncio", FIXED_HTTP)]
    for workers, loop, http in configs:
        app = "stub" if args.stub_library else args.app
        server_name = f"{loop}/{'httptools+nodelay' if http == FIXED_HTTP else http}" + ("" if app == "service" else f", app {app}")
        server_name += "".join(f", {item}" for item in args.env)
        env = dict(item.split("=", 1) for item in args.env)
        with Server(workers, loop, http, map_dir, args.model, app=app, env=env) as server:
            label = " ".join([*args.env, shlex.join(["python", *server.argv[1:]]).replace(f"--port {server.port}", "--port PORT")]).replace(str(Path(__file__).parent), "benchmarks")
            load(server.url, "/v1/score", 16, args.warmup, bodies, tool)
            targets = [("/v1/score", bodies)]
            if not args.no_baseline or args.nodelay_demo:
                targets.append(("/v1/version", None))
            for path, payload in targets:
                for c in ([1] if args.nodelay_demo else args.concurrency):
                    run = Run(label, workers, server_name, path, c, [], [], [], 0, [], "")
                    for _ in range(args.repeat):
                        drain(server.url)
                        with PauseProbe() as probe:
                            rps, p50, p99, errors, command = load(server.url, path, c, args.duration, payload, tool)
                        run.command = command.replace(f":{server.port}/", ":PORT/")
                        run.rps.append(rps)
                        run.p50_ms.append(p50)
                        run.p99_ms.append(p99)
                        run.pauses.append(len(probe.pauses))
                        run.errors += errors
                        print(f"{path:12s} workers={workers} {server_name:26s} c={c:<3d} {rps:9.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
                              f"errors {errors}  pauses {[round(p) for p in probe.pauses]}", flush=True)
                    runs.append(run)
    lib = None if args.no_library or args.nodelay_demo or args.stub_library else library_ms(map_dir, args.model)
    report = markdown(runs, lib, args, tool)
    print()
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
