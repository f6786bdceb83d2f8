"""End to end against real uvicorn processes on 127.0.0.1: what a client over HTTP sees."""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openpyxl
import pytest

from ..servers import UVICORN, running_server

ROOT = Path(__file__).resolve().parents[2]
TINY_MAP = ROOT / "tests" / "data" / "tiny_map"
KEY = "alice-0123456789abcdef"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FOIL = {"name": "广东某铜箔科技有限公司", "description": "锂电铜箔、电解铜箔的研发、生产和销售", "city": "深圳", "employees": 300}
ROWS = [
    ["企业名称", "经营范围", "所在城市", "员工人数", "行业代码"],
    ["广东某铜箔科技有限公司", "锂电铜箔的研发、生产", "深圳", "约300", "3252"],
    ["某电芯公司", "锂离子电池电芯制造", "江门", "1200", "0601"],
    ["某餐饮公司", "=1+1", "广州", "50", ""],
]


@contextmanager
def _server(map_dir: Path, *args: str, command: list[str] | None = None, **env: str) -> Iterator[str]:
    environment = {**os.environ, "RECOMMENDER_MAP_DIR": str(map_dir), "RECOMMENDER_API_KEYS": f"alice:{KEY}",
                   "RECOMMENDER_MAX_BODY_BYTES": "50000", **env}
    with running_server(environment, *args, command=command or UVICORN) as server:
        yield server.url


@pytest.fixture(scope="module")
def map_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("server") / "map"
    shutil.copytree(TINY_MAP, target)
    return target


@pytest.fixture(scope="module")
def server(map_dir: Path) -> Iterator[str]:
    with _server(map_dir) as url:
        yield url


@pytest.fixture(scope="module")
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


def _gbk_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(ROWS)
    return out.getvalue().encode("gbk")


def test_server_score_and_batch(http):
    response = http.post("/v1/score", json=FOIL, headers={"X-Request-ID": "e2e-1"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "e2e-1"
    body = response.json()
    assert body["link_id"] == "foil" and body["map_version"] and body["model_version"] == "prior"
    batch = http.post("/v1/score/batch", json={"profiles": [FOIL, FOIL]}).json()
    assert [r["score"] for r in batch["results"]] == [body["score"]] * 2


def test_server_rank_gbk_csv(http):
    response = http.post("/v1/rank", files={"file": ("候选.csv", _gbk_csv(), "text/csv")}, params={"top": 2, "shortlist": 1})
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf") and response.headers["x-rows"] == "3"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[1][0] == "广东某铜箔科技有限公司"
    assert next(r for r in rows if r[0] == "某餐饮公司")[1] == "'=1+1"


def test_server_rank_xlsx(http):
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    response = http.post("/v1/rank", files={"file": ("firms.xlsx", data.getvalue(), XLSX_TYPE)})
    assert response.status_code == 200 and response.headers["content-type"] == XLSX_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_server_chains_and_parks(http):
    chains = http.get("/v1/chains").json()["chains"]
    assert chains[0]["id"] == "battery"
    assert http.get("/v1/chains/battery").json()["links"][0]["id"] == "foil"
    assert len(http.get("/v1/parks").json()["parks"]) == 2


def test_server_errors_are_json(http):
    for response, status in (
        (http.post("/v1/score", content=b"{oops", headers={"Content-Type": "application/json"}), 400),  # cannot be parsed: 400, as the README says
        (http.post("/v1/score", json={**FOIL, "description": "长" * 20000}), 413),
        (http.post("/v1/score", json={**FOIL, "employees": "300"}), 422),
        (http.post("/v1/rank", files={"file": ("a.pdf", b"%PDF", "application/pdf")}), 415),
        (http.patch("/v1/chains/battery/links/foil", json={"status": "present"}), 401),
        (http.patch("/v1/chains/battery/links/foil", json={"status": "present"}, headers={"X-API-Key": "x" * 22}), 403),
    ):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/json"
        assert "Traceback" not in response.text and response.json()["request_id"] == response.headers["x-request-id"]


def test_server_update_is_seen_by_the_next_request_and_audited(http, map_dir):
    before = http.get("/v1/version").json()["map_version"]
    response = http.patch("/v1/chains/battery/links/foil", json={"status": "weak"}, headers={"X-API-Key": KEY})
    assert response.status_code == 200, response.text
    after = response.json()["map_version"]
    assert after != before and http.post("/v1/score", json=FOIL).json()["map_version"] == after
    entry = http.get("/v1/audit", headers={"X-API-Key": KEY}).json()["entries"][0]
    assert entry["actor"] == "alice" and entry["after"] == {"status": "weak"}
    assert list((map_dir / "history").glob("battery.*.yaml"))


def test_server_concurrent_requests_see_old_or_new_never_a_mix(http):
    """Scores run while the link flips between two states: each answer is whole under one version."""
    seen: dict[str, set[float]] = {}
    errors: list[str] = []
    stop = threading.Event()

    def score() -> None:
        with httpx.Client(base_url=str(http.base_url), timeout=30) as client:
            while not stop.is_set():
                response = client.post("/v1/score", json=FOIL)
                if response.status_code != 200:
                    errors.append(response.text)
                    continue
                body = response.json()
                seen.setdefault(body["map_version"], set()).add(body["components"]["chain_need"])

    threads = [threading.Thread(target=score) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for status in ("missing", "present", "missing", "present", "missing"):
            response = http.patch("/v1/chains/battery/links/foil", json={"status": status}, headers={"X-API-Key": KEY})
            assert response.status_code == 200, response.text
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert len(seen) >= 2
    assert all(len(values) == 1 for values in seen.values()), seen  # one chain_need per map version


def _outside_address() -> str | None:
    """This machine's address on a non-loopback interface, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_server_serve_command_two_workers_on_localhost_follow_an_update(tmp_path):
    """``recommender serve --workers 2``: only 127.0.0.1, and both workers serve a change at once."""
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    serve = [sys.executable, "-m", "recommender.cli", "serve"]
    with _server(folder, "--workers", "2", "--map", str(folder), command=serve, RECOMMENDER_MAP_DIR=str(tmp_path / "not-a-map")) as url:
        outside = _outside_address()
        if outside is not None:
            with pytest.raises(httpx.TransportError):
                httpx.get(url.replace("127.0.0.1", outside) + "/healthz", timeout=2)
        response = httpx.patch(f"{url}/v1/chains/battery/links/foil", json={"status": "present"}, headers={"X-API-Key": KEY})
        assert response.status_code == 200, response.text
        new = response.json()["map_version"]
        versions = set()
        for _ in range(30):  # a fresh connection each time: both workers answer
            with httpx.Client(base_url=url) as client:
                versions.add(client.post("/v1/score", json=FOIL).json()["map_version"])
        assert versions == {new}


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children.update(int(child) for child in (task / "children").read_text().split())
    return children


def _cpu_ticks(pid: int) -> int:
    """A process's user and system CPU time so far, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_workers_end_with_their_supervisor_even_when_it_is_killed(tmp_path):
    """``kill -9`` of ``recommender serve --workers 2`` cannot stop its workers: the kernel ends them."""
    folder = tmp_path / "map"
    shutil.copytree(TINY_MAP, folder)
    serve = [sys.executable, "-m", "recommender.cli", "serve"]
    environment = {**os.environ, "RECOMMENDER_MAP_DIR": str(folder), "RECOMMENDER_API_KEYS": f"alice:{KEY}"}
    with running_server(environment, "--workers", "2", command=serve) as server:
        deadline = time.monotonic() + 30
        while True:  # both workers answer /readyz (the first that is ready may answer before the other started)
            workers = {pid for pid in _children(server.process.pid)
                       if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")}
            if len(workers) == 2 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(workers) == 2
        # both have started (their lifespan arms the signal first): a worker still starting is busy
        # importing and loading the map, a started one idles
        before = {pid: _cpu_ticks(pid) for pid in workers}
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = {pid: _cpu_ticks(pid) for pid in workers}
            if now == before:
                break
            before = now
        server.process.kill()
        server.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{server.url}/healthz", timeout=2)


def _boom_app():  # pragma: no cover - run by uvicorn --factory in a server process
    """The service with one route that fails unexpectedly."""
    from api.main import create_app

    app = create_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("unexpected")

    return app


def _exchange(sock: socket.socket, request: bytes) -> bytes:
    """Send one request and read one whole response (headers + Content-Length body)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536)
    return head


@pytest.mark.parametrize("http", ["api.protocols:HttpToolsProtocol", "api.protocols:H11Protocol"])
def test_server_keeps_the_connection_after_a_500(map_dir, http):
    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.api.test_server:_boom_app", "--host", "127.0.0.1", "--http", http]
    with _server(map_dir, command=command) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            head = _exchange(sock, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 500") and b"connection: close" not in head.lower()
            head = _exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # the same connection
            assert head.startswith(b"HTTP/1.1 200")


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> float:
    """Seconds until the server closes ``sock`` (sending a byte of ``trickle`` every 0.2 s); fails after ``seconds``."""
    start = time.monotonic()
    sock.settimeout(0.2)
    sent = 0
    while time.monotonic() - start < seconds:
        if sent < len(trickle):
            try:
                sock.send(trickle[sent:sent + 1])
                sent += 1
            except OSError:
                return time.monotonic() - start
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - start
    raise AssertionError(f"the connection was still open after {seconds} s")


@pytest.mark.parametrize("http", ["api.protocols:HttpToolsProtocol", "api.protocols:H11Protocol"])
def test_server_times_out_slow_headers_and_bodies(map_dir, http):
    """Slowloris: a silent connection, headers sent a byte at a time, a body that never ends."""
    env = {"RECOMMENDER_HEADER_TIMEOUT": "1", "RECOMMENDER_BODY_TIMEOUT": "1.5"}
    with _server(map_dir, "--http", http, "--timeout-keep-alive", "30", **env) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as sock:  # connects and says nothing
            assert 0.8 < _closed_within(sock, 6) < 3
        with socket.create_connection(("127.0.0.1", port)) as sock:  # headers that never end
            trickle = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-a: b\r\n" * 100
            assert 0.8 < _closed_within(sock, 6, trickle) < 3
        with socket.create_connection(("127.0.0.1", port)) as sock:  # a body that never ends
            sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
            assert 1.2 < _closed_within(sock, 6) < 4
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:  # a prompt client is served, and kept
            assert _exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 200")
            time.sleep(1.6)  # idle past both timeouts, within the keep-alive
            assert _exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 200")
