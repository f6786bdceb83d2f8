"""The alternative apps of ``benchmarks/bench_api.py`` answer ``POST /v1/score`` as the service does.

The benchmark compares the service with a bare Starlette route and with the service without its
global query dependency; the comparison means something only if all three do the same work and
give the same answer.
"""

from __future__ import annotations

import json
import os
import sys

import httpx
import pytest

from tests.servers import ROOT, running_server

PROFILE = {"name": "江门市新材料科技有限公司", "description": "锂电池负极材料人造石墨的研发与生产，石墨化加工。", "city": "深圳", "revenue": 50000}


def _factory(name: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "benchmarks"), "--factory", f"bench_api:{name}", "--host", "127.0.0.1")


@pytest.mark.parametrize("factory", ["plain_app", "no_query_check_app"])
def test_alternative_apps_score_like_the_service(factory: str, tmp_path) -> None:
    env = {**os.environ, "RECOMMENDER_MODEL": "prior", "RECOMMENDER_DATA_DIR": str(tmp_path)}
    with running_server(env) as service:
        expected = httpx.post(f"{service.url}/v1/score", json=PROFILE, timeout=30)
    with running_server(env, command=_factory(factory)) as alternative:
        got = httpx.post(f"{alternative.url}/v1/score", json=PROFILE, timeout=30)
        unknown_query = httpx.post(f"{alternative.url}/v1/score?colour=red", json=PROFILE, timeout=30)
    assert expected.status_code == got.status_code == 200
    assert json.loads(got.content) == json.loads(expected.content)
    assert json.loads(got.content)["link"]  # a real match, not an empty answer
    # only the service's own query check refuses an unknown parameter; these two let it through
    assert unknown_query.status_code == 200
