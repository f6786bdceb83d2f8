"""A real uvicorn process on 127.0.0.1 for end-to-end tests: started, awaited until ready, stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
UVICORN = (sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen


@contextmanager
def running_server(env: Mapping[str, str], *args: str, command: tuple[str, ...] | list[str] = UVICORN,
                   ready_seconds: float = 60) -> Iterator[Server]:
    """Run ``command --port P *args`` from the repository with ``env`` until ``/readyz`` answers 200.

    Raises RuntimeError with the end of the server's log when it exits or is not ready in time.
    Stops the server (SIGTERM, then SIGKILL) on the way out unless the test already stopped it.
    """
    port = free_port()
    log = tempfile.TemporaryFile()  # a file, not a pipe: nobody has to drain it while the server runs
    process = subprocess.Popen([*command, "--port", str(port), *args], cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_seconds
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"server did not start: {log.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield Server(url, process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:  # pragma: no cover - a server that ignores SIGTERM
                process.kill()
                process.wait()
        log.close()
