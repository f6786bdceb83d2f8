"""One write per response: a response's head and body leave the server in one TCP segment, and a
head whose body comes later is not held back for it (api.protocols)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import sys
import time
from collections.abc import Iterator

import pytest

from ..servers import running_server
from .test_server import TINY_MAP, _exchange

KEY = "alice-0123456789abcdef"
PROTOCOLS = ["api.protocols:HttpToolsProtocol", "api.protocols:H11Protocol"]

#: Where Linux's struct tcp_info holds tcpi_data_segs_in (segments received that carried data).
_DATA_SEGS_IN = 152


def _stream_app():  # pragma: no cover - run by uvicorn --factory in a server process
    """The service with one route whose body comes half a second after its head."""
    import asyncio

    from fastapi.responses import StreamingResponse

    from api.main import create_app

    app = create_app()

    @app.get("/later")
    async def later() -> StreamingResponse:
        async def parts():
            await asyncio.sleep(0.5)
            yield b"late"

        return StreamingResponse(parts(), media_type="text/plain")

    return app


@pytest.fixture(scope="module", params=PROTOCOLS)
def port(request, tmp_path_factory) -> Iterator[int]:
    map_dir = tmp_path_factory.mktemp("one_write") / "map"
    shutil.copytree(TINY_MAP, map_dir)
    env = {**os.environ, "RECOMMENDER_MAP_DIR": str(map_dir), "RECOMMENDER_API_KEYS": f"alice:{KEY}"}
    command = [sys.executable, "-m", "uvicorn", "--factory", "tests.api.test_one_write:_stream_app", "--host", "127.0.0.1",
               "--http", request.param]
    with running_server(env, command=command) as server:
        yield int(server.url.rsplit(":", 1)[1])


def _data_segments_in(sock: socket.socket) -> int:
    return struct.unpack_from("I", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256), _DATA_SEGS_IN)[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's TCP_INFO")
def test_a_response_leaves_in_one_segment(port):
    profile = json.dumps({"name": "某铜箔公司", "description": "生产锂电铜箔"}, ensure_ascii=False).encode()
    score = (b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: " + KEY.encode()
             + b"\r\nContent-Length: " + str(len(profile)).encode() + b"\r\n\r\n" + profile)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for request, status in ((b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", b"200"), (score, b"200"), (score, b"200"),
                                (b"GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n", b"404")):
            before = _data_segments_in(sock)
            head = _exchange(sock, request)  # (the whole response: head and Content-Length body)
            segments = _data_segments_in(sock) - before
            assert head.startswith(b"HTTP/1.1 " + status) and segments == 1, (head, segments)


def test_a_head_whose_body_comes_later_is_not_held_back(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        start = time.monotonic()
        sock.sendall(b"GET /later HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head_seconds = time.monotonic() - start
        while not data.endswith(b"0\r\n\r\n"):  # chunked: the part, then the last chunk
            data += sock.recv(65536)
        assert data.startswith(b"HTTP/1.1 200") and b"late" in data
        assert head_seconds < 0.4 <= time.monotonic() - start  # the head before the body's half second


def test_a_100_continue_is_sent_before_the_body(port):
    profile = json.dumps({"name": "某铜箔公司", "description": "生产锂电铜箔"}, ensure_ascii=False).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nX-API-Key: "
                     + KEY.encode() + b"\r\nContent-Length: " + str(len(profile)).encode() + b"\r\n\r\n")
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100")
        sock.sendall(profile)
        data = interim.split(b"\r\n\r\n", 1)[1]
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        assert data.startswith(b"HTTP/1.1 200")
