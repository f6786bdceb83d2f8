"""``POST /v1/score`` answered without FastAPI's per-request machinery, when the request is plain.

FastAPI spends about half a millisecond per request on routing, its middleware layers,
dependency resolution and the ``Request`` object, more than the library's share of a batched
score. For the common request (JSON body of a known length, no query but ``lang``, no CORS
origin), :class:`ScoreFastPath` does the same steps directly on the ASGI messages:

1. reads the body (within ``RECOMMENDER_MAX_BODY_BYTES``);
2. parses it as FastAPI does (``json.loads``) and validates it with the same model
   (:class:`~api.schemas.ScoreRequest`, python mode);
3. takes the current Recommender from the store and scores through the same function as the
   route (:func:`api.routes.score.score_json`: batcher or direct);
4. answers with the same body and headers (``X-Request-ID``, ``nosniff``).

Anything else falls through, with the body it has read, to the FastAPI app: an invalid body,
an unknown query parameter, another content type, a body without ``Content-Length`` or over
the limit, a service that is not ready, an error while scoring. There the route and the error
handlers answer as they do for every endpoint, so errors look the same whichever way a request
came, and the fast path answers only what the route would answer with a 200.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .middleware import response_headers, take_request_id
from .routes.score import score_json
from .schemas import ScoreRequest
from .state import RecommenderStore

__all__ = ["SCORE_PATH", "ScoreFastPath"]

SCORE_PATH = "/v1/score"
_LANGS = {b"": "zh", b"lang=zh": "zh", b"lang=en": "en"}
_JSON_TYPES = {b"application/json", b"application/json; charset=utf-8", b"application/json;charset=utf-8"}
_JSON_HEADER = (b"content-type", b"application/json")


class ScoreFastPath:
    """The plain ``POST /v1/score`` on raw ASGI messages; the rest goes to ``app``.

    Parameters
    ----------
    app : ASGI app
        The full service (FastAPI with its middleware): everything this class does not answer.
    state : object
        The app's state: ``store`` (:class:`~api.state.RecommenderStore`) and ``batcher``
        (or None), read per request (they are set in the lifespan).
    max_body : int
        The body limit; a longer ``Content-Length`` falls through (answered 413 there).
    """

    def __init__(self, app: ASGIApp, state: object, *, max_body: int):
        self.app = app
        self.state = state
        self.max_body = max_body

    def handles(self, scope: Scope) -> bool:
        return scope["type"] == "http" and scope["path"] == SCORE_PATH and scope["method"] == "POST"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lang = _LANGS.get(scope["query_string"])
        length = -1
        plain = lang is not None
        if plain:
            json_type = False
            for name, value in scope["headers"]:
                if name == b"content-length":
                    length = int(value) if value.isdigit() else -1
                elif name == b"content-type":
                    json_type = value.lower() in _JSON_TYPES
                elif name == b"origin" or name == b"transfer-encoding":
                    plain = False
            plain = plain and json_type and 0 < length <= self.max_body
        if not plain:
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        if body is None:  # the client went away
            return
        answer = await self._answer(body, lang)
        if answer is None:
            await self.app(scope, _replay(body, receive), send)
            return
        headers = response_headers(take_request_id(scope["headers"]), [(b"content-length", str(len(answer)).encode()), _JSON_HEADER])
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    async def _answer(self, body: bytes, lang: str) -> bytes | None:
        """The 200 body for this request, or None when the full app must answer it."""
        try:
            request = ScoreRequest.model_validate(json.loads(body))
        except Exception:  # noqa: BLE001 - not JSON, too deeply nested, not an object, an invalid field: the route says which
            return None
        store: RecommenderStore | None = getattr(self.state, "store", None)
        if store is None or store.current is None:
            return None
        try:
            recommender = await store.get()
            return await score_json(getattr(self.state, "batcher", None), recommender, request.profile(), lang)
        except Exception:  # noqa: BLE001 - the route scores again and its handlers answer
            return None


async def _read(receive: Receive) -> bytes | None:
    """The whole body (uvicorn holds it to the declared length); None on a disconnect."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts) if len(parts) > 1 else parts[0]


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A ``receive`` that gives ``body`` first, then whatever the connection sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
