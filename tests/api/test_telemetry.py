"""FastAPI's own OpenTelemetry spans: off unless ``RECOMMENDER_TELEMETRY`` turns them on.

The tracer provider is global to a process (and set once), so each case runs in its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TINY_MAP = Path(__file__).resolve().parent.parent / "data" / "tiny_map"

_SCRIPT = """
import sys
from opentelemetry import trace
from fastapi.testclient import TestClient
from api.main import create_app
from api.settings import Settings

started = []

class Tracer(trace.NoOpTracer):
    def start_span(self, name, *args, **kwargs):
        started.append(name)
        return super().start_span(name, *args, **kwargs)

class Provider(trace.TracerProvider):
    def get_tracer(self, *args, **kwargs):
        return Tracer()

trace.set_tracer_provider(Provider())
app = create_app(Settings(map_dir=sys.argv[1], telemetry=sys.argv[2] == "on"))
with TestClient(app) as client:
    assert client.post("/v1/score", json={"name": "某电芯公司", "description": "锂离子电池电芯制造"}).status_code == 200
    assert client.get("/v1/version").status_code == 200
print(len(started))
"""


@pytest.mark.parametrize(("switch", "spans"), [("off", False), ("on", True)])
def test_request_spans_follow_the_setting(switch, spans):
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(TINY_MAP), switch], capture_output=True, text=True, check=True)
    started = int(out.stdout.strip().splitlines()[-1])
    assert (started > 0) is spans, out.stdout
