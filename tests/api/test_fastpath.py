"""The plain ``POST /v1/score`` answered ahead of FastAPI gives what FastAPI's route gives.

Each request is sent to two apps built alike, one with the fast path and one without
(``RECOMMENDER_SCORE_FAST_PATH=false``), and the answers are compared: status, body (the
request id aside) and header names. A counter on the fall-through shows which way each was
answered.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette suggests httpx2; httpx is what is installed
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.main import create_app
from api.schemas import SCORE_EXAMPLE
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "seeds" / "eval" / "firms.csv"


def _profiles() -> list[dict]:
    """Evaluation firms as JSON profiles, with numbers and tags of the example beside some."""
    with EVAL.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    profiles = []
    for i, row in enumerate(rows[:60]):
        profile = {k: v for k, v in row.items() if k != "gold" and v}
        if i % 3 == 0:
            profile.update({k: SCORE_EXAMPLE[k] for k in ("employees", "revenue", "founded", "tags", "patents")})
        profiles.append(profile)
    return profiles


class _Counted:
    """The fall-through app, counting the requests it is given."""

    def __init__(self, app):
        self.app = app
        self.calls = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.calls += 1
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def pair():
    """(fast client, its fall-through counter, full client), the embedded map and the demo model."""
    fast_app = create_app(Settings(score_fast_path=True, max_body_bytes=5_000, model="demo"))
    counter = _Counted(fast_app.fast_path.app)
    fast_app.fast_path.app = counter
    full_app = create_app(Settings(score_fast_path=False, max_body_bytes=5_000, model="demo"))
    assert full_app.fast_path is None
    with TestClient(fast_app, raise_server_exceptions=False) as fast, TestClient(full_app, raise_server_exceptions=False) as full:
        yield fast, counter, full


def _same(fast_response, full_response) -> dict:
    assert fast_response.status_code == full_response.status_code, (fast_response.text, full_response.text)
    a, b = fast_response.json(), full_response.json()
    if isinstance(a, dict) and "request_id" in a:
        assert a.pop("request_id") == fast_response.headers["x-request-id"]
        b.pop("request_id")
    assert a == b
    assert sorted(fast_response.headers) == sorted(full_response.headers)
    return a


def test_fast_path_answers_plain_requests_as_the_route_does(pair):
    fast, counter, full = pair
    profiles = _profiles()
    before = counter.calls
    for i, profile in enumerate(profiles):
        query = ["", "?lang=zh", "?lang=en"][i % 3]
        a = fast.post("/v1/score" + query, json=profile)
        b = full.post("/v1/score" + query, json=profile)
        body = _same(a, b)
        assert a.status_code == 200 and body["firm"] == profile["name"]
        assert a.content == b.content  # byte for byte: the same serialiser
    assert counter.calls == before  # none fell through
    assert sum(1 for p in profiles if full.post("/v1/score", json=p).json()["link_id"]) > len(profiles) / 2  # matched firms among them


def test_fast_path_keeps_a_well_formed_request_id_and_makes_one_otherwise(pair):
    fast, counter, _ = pair
    before = counter.calls
    given = fast.post("/v1/score", json=SCORE_EXAMPLE, headers={"X-Request-ID": "crm-42.a:b"})
    assert given.headers["x-request-id"] == "crm-42.a:b"
    made = fast.post("/v1/score", json=SCORE_EXAMPLE, headers={"X-Request-ID": "bad id <script>"})
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-content-type-options"] == "nosniff"
    assert counter.calls == before


BODY = json.dumps(SCORE_EXAMPLE, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("query", "headers", "content", "status"),
    [
        ("", {"Content-Type": "application/json"}, b'{"name": ""}', 422),  # invalid field
        ("", {"Content-Type": "application/json"}, b'{"name": "x", "employees": "300"}', 422),  # number as text
        ("", {"Content-Type": "application/json"}, b'{"name": "x", "colour": "red"}', 422),  # unknown field
        ("", {"Content-Type": "application/json"}, b'{"name": "x",', 400),  # broken JSON
        ("", {"Content-Type": "application/json"}, b'["name"]', 422),  # not an object
        ("", {"Content-Type": "application/json"}, b'\xff\xfe{}', 400),  # not UTF-8
        ("", {"Content-Type": "application/json"}, b'{"name": "x", "revenue": NaN}', 422),  # json.loads allows NaN; the model does not
        ("", {"Content-Type": "application/json"}, b"[" * 2_400 + b"]" * 2_400, 400),  # deeper than json.loads recurses
        ("", {"Content-Type": "application/json"}, b'{"name": "x\\ud800"}', 422),  # a lone surrogate
        ("", {"Content-Type": "application/json"}, b"\xef\xbb\xbf" + BODY, 200),  # a byte-order mark: json.loads skips it, the JSON mode refuses it
        ("", {"Content-Type": "application/json"}, BODY + b" junk", 400),  # text after the object
        ("?lang=fr", {"Content-Type": "application/json"}, BODY, 422),  # bad language
        ("?top=3", {"Content-Type": "application/json"}, BODY, 422),  # unknown query parameter
        ("?lang=en&lang=zh", {"Content-Type": "application/json"}, BODY, 422),  # a parameter given twice
        ("", {"Content-Type": "text/plain"}, BODY, 422),  # not JSON by its type
        ("", {"Content-Type": "application/merge-patch+json"}, BODY, 200),  # +json: the route parses it
        ("", {"Content-Type": "application/json", "Origin": "https://crm.example.cn"}, BODY, 200),  # CORS is the route's
    ],
)
def test_whatever_is_not_plain_falls_through_and_is_answered_alike(pair, query, headers, content, status):
    fast, counter, full = pair
    before = counter.calls
    a = fast.post("/v1/score" + query, content=content, headers=headers)
    b = full.post("/v1/score" + query, content=content, headers=headers)
    assert a.status_code == status, a.text
    _same(a, b)
    assert counter.calls == before + 1  # answered by the full app


@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "a", "name": "\\u5e7f\\u4e1c\\u67d0\\u94dc\\u7b94\\u6709\\u9650\\u516c\\u53f8", "description": "\\u94dc\\u7b94"}',  # a repeated key: the last wins; escapes
        b'{"name": "x\\u0000y", "employees": -0.0, "revenue": 1E2, "founded": 1980.0, "patents": 0}',  # NUL, negative zero, exponents, a whole float
        b'{"name": "\\ud83d\\ude00 Acme", "revenue": 0.1e-400, "tags": ["a", "a"], "customers": null}',  # a surrogate pair, an underflow, repeats, null
        b' {"name": "x"} ',  # whitespace around the object
    ],
)
def test_json_edge_cases_are_read_by_the_fast_path_as_the_route_reads_them(pair, content):
    fast, counter, full = pair
    before = counter.calls
    a = fast.post("/v1/score", content=content, headers={"Content-Type": "application/json"})
    b = full.post("/v1/score", content=content, headers={"Content-Type": "application/json"})
    assert a.status_code == 200, a.text
    _same(a, b)
    assert a.content == b.content
    assert counter.calls == before  # answered by the fast path itself


def test_a_body_over_the_limit_is_refused_outside_the_fast_path(pair):
    """The body limit is the middleware's, for every request: the fast path never sees such a body."""
    fast, counter, full = pair
    before = counter.calls
    content = b'{"name": "' + b"x" * 6_000 + b'"}'
    a = fast.post("/v1/score", content=content, headers={"Content-Type": "application/json"})
    b = full.post("/v1/score", content=content, headers={"Content-Type": "application/json"})
    assert a.status_code == 413
    _same(a, b)
    assert counter.calls == before


def test_a_chunked_body_falls_through(pair):
    fast, counter, full = pair
    before = counter.calls

    def chunks():
        yield BODY[:10]
        yield BODY[10:]

    a = fast.post("/v1/score", content=chunks(), headers={"Content-Type": "application/json"})
    b = full.post("/v1/score", content=chunks(), headers={"Content-Type": "application/json"})
    assert a.status_code == 200
    _same(a, b)
    assert counter.calls == before + 1


def test_before_the_map_loads_the_fast_path_leaves_the_503_to_the_route(tmp_path):
    app = create_app(Settings(map_dir=ROOT / "no-such-map", data_dir=tmp_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/v1/score", json=SCORE_EXAMPLE)
    assert response.status_code == 503 and response.json()["error"] == "not_ready"


def test_a_scoring_error_is_answered_by_the_error_handlers_and_scored_once(pair, monkeypatch):
    fast, counter, full = pair
    from recommender import Recommender

    calls = []

    def broken(self, frame, *, lang="zh"):
        calls.append(lang)
        raise RuntimeError("boom")

    monkeypatch.setattr(Recommender, "results", broken)
    before = counter.calls
    response = fast.post("/v1/score", json=SCORE_EXAMPLE, headers={"X-Request-ID": "crm-7"})
    assert response.status_code == 500 and response.json()["error"] == "internal_error"
    assert response.json()["request_id"] == response.headers["x-request-id"] == "crm-7"
    assert "boom" not in response.text and "Traceback" not in response.text
    assert counter.calls == before  # not handed on to be scored again
    by_fast_path = len(calls)
    assert full.post("/v1/score", json=SCORE_EXAMPLE).status_code == 500
    assert by_fast_path == len(calls) - by_fast_path > 0  # as many attempts as the route alone makes (the batcher's retry)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_score_body_is_the_response_model_serialised(jiangmen, lang):
    """The body is serialised from the result's dict without validation: the bytes of the
    validated ``ScoreResponse`` for every evaluation firm, under the prior and the default model."""
    from pydantic_core import to_json

    from api.routes.score import ScoreResponse
    from recommender import Recommender

    with EVAL.open(encoding="utf-8") as f:
        profiles = [{k: v for k, v in row.items() if k != "gold" and v} for row in csv.DictReader(f)]
    for recommender in (jiangmen, Recommender(model="demo")):
        results = recommender.score_many(profiles, lang=lang)
        assert len(results) > 200
        for result in results:
            assert to_json(result.as_dict()) == ScoreResponse.from_result(result).model_dump_json().encode()


def _raw_call(client, body: bytes, messages: list[dict]) -> list[dict]:
    """Call the app with ASGI messages of our own (on the client's event loop); what it sent."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/score", "raw_path": b"/v1/score", "root_path": "", "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []

    async def run() -> None:
        queue = list(messages)

        async def receive() -> dict:
            return queue.pop(0)

        async def send(message: dict) -> None:
            sent.append(message)

        await client.app(scope, receive, send)

    client.portal.call(run)
    return sent


def test_a_body_that_arrives_in_pieces_is_read_whole(pair):
    """uvicorn hands a long body over in several messages; the fast path joins them."""
    fast, counter, full = pair
    profile = {**SCORE_EXAMPLE, "description": "锂电铜箔、电解铜箔的研发、生产和销售。" * 20}
    body = json.dumps(profile, ensure_ascii=False).encode()
    pieces = [body[:7], body[7:1000], body[1000:]]
    before = counter.calls
    sent = _raw_call(fast, body, [{"type": "http.request", "body": p, "more_body": i < 2} for i, p in enumerate(pieces)])
    assert counter.calls == before  # answered by the fast path
    assert sent[0]["status"] == 200
    assert json.loads(sent[1]["body"]) == full.post("/v1/score", json=profile).json()


def test_a_client_that_leaves_mid_body_gets_nothing_and_costs_nothing(pair):
    fast, counter, _ = pair
    before = counter.calls
    sent = _raw_call(fast, BODY, [{"type": "http.request", "body": BODY[:20], "more_body": True}, {"type": "http.disconnect"}])
    assert sent == [] and counter.calls == before


def test_batch_body_is_the_response_model_serialised(pair):
    """``POST /v1/score/batch`` is serialised the same way: the bytes of the validated model."""
    from api.schemas import ScoreBatchResponse
    from recommender import Recommender

    _, _, full = pair
    profiles = _profiles()[:5]
    response = full.post("/v1/score/batch?lang=en", json={"profiles": profiles})
    assert response.status_code == 200
    recommender = Recommender(model="demo")
    results = recommender.score_many(profiles, lang="en")
    model = ScoreBatchResponse.model_validate(
        {"results": [r.as_dict() for r in results], "map_version": recommender.map_version, "model_version": recommender.model_version}
    )
    assert response.content == model.model_dump_json().encode()
