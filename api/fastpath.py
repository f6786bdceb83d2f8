"""``POST /v1/score`` answered without FastAPI's routing and dependencies, when the request is plain.

FastAPI spends about half a millisecond per request on routing, dependency resolution and the
``Request`` object, more than the library's share of a batched score. :class:`ScoreFastPath`
is the innermost layer of the app's edge (:attr:`api.main.Service.edge_middleware`: inside the
request id, the body limit and CORS, so those come from one place for every request; outside
FastAPI's own error and exception layers, which a plain request does not need). For the common
request (JSON body of a known length, no query but ``lang``, no CORS origin) it does the
route's steps on the ASGI messages:

1. reads the body (the body-limit middleware outside has checked its length);
2. parses and validates it with the same model (:class:`~api.schemas.ScoreRequest`) in one
   step, in pydantic's JSON mode: a body it accepts gives the profile that FastAPI's
   ``json.loads`` and python-mode validation give (tested on edge cases: repeated keys, escapes,
   surrogates, NaN, huge and negative-zero numbers), at half the cost; a body it refuses (a
   byte-order mark, say) goes on to FastAPI;
3. takes the current Recommender from the store and scores through the same function as the
   route (:func:`api.routes.score.score_json`: batcher or direct);
4. answers with the same body; the middleware outside adds the same headers.

A request that is not plain, or whose body does not validate, goes on, with the body it has
read, to FastAPI, which answers it as it answers every endpoint (it has not been scored). An
error while taking the map or scoring (503 not ready, 500) is answered here, by the app's own
exception handlers, so errors look the same whichever way a request came and a failed
request is never scored a second time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .routes.score import score_json
from .schemas import ScoreRequest
from .state import RecommenderStore

__all__ = ["SCORE_PATH", "ScoreFastPath"]

SCORE_PATH = "/v1/score"
_LANGS = {b"": "zh", b"lang=zh": "zh", b"lang=en": "en"}
_JSON_TYPES = {b"application/json", b"application/json; charset=utf-8", b"application/json;charset=utf-8"}
_HEADERS = [(b"content-type", b"application/json")]


def _signed_in_only(scope: Scope) -> bool:
    """Once a user exists every request needs a session or a key: the full route checks them."""
    auth = getattr(scope["app"].state, "auth", None)
    return auth is not None and auth.users_exist()


class ScoreFastPath:
    """Middleware: the plain ``POST /v1/score`` on raw ASGI messages; the rest goes to ``app``.

    The store, the batcher and the exception handlers are read per request from the app
    (``scope["app"]``: set in the lifespan and in :func:`api.main.create_app`).
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lang = _plain(scope)
        if lang is None or _signed_in_only(scope):
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        if body is None:  # the client went away
            return
        try:
            request = ScoreRequest.model_validate_json(body)
        except Exception:  # noqa: BLE001 - not JSON, too deeply nested, not an object, an invalid field: the route says which
            await self.app(scope, _replay(body, receive), send)
            return
        service = scope["app"]
        try:
            store: RecommenderStore = service.state.store
            recommender = await store.get()
            answer = await score_json(getattr(service.state, "batcher", None), recommender, request.profile(), lang)
        except Exception as exc:  # noqa: BLE001 - answered by the app's handler for its type, as the route's would be
            response = await _handler(service, exc)(Request(scope), exc)
            await response(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(answer)).encode()), *_HEADERS]})
        await send({"type": "http.response.body", "body": answer})


def _plain(scope: Scope) -> str | None:
    """The language of a plain score request, or None when FastAPI must answer it."""
    if scope["type"] != "http" or scope["path"] != SCORE_PATH or scope["method"] != "POST":
        return None
    lang = _LANGS.get(scope["query_string"])
    if lang is None:
        return None
    length, json_type = -1, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = int(value) if value.isdigit() else -1
        elif name == b"content-type":
            json_type = value.lower() in _JSON_TYPES
        elif name == b"origin" or name == b"transfer-encoding":
            return None
    return lang if json_type and length > 0 else None


def _handler(service: Any, exc: Exception) -> Callable[[Request, Exception], Awaitable[Any]]:
    """The app's exception handler for ``exc`` (the most specific registered type)."""
    for cls in type(exc).__mro__:
        handler = service.exception_handlers.get(cls)
        if handler is not None:
            return handler
    raise exc  # pragma: no cover - the app registers a handler for Exception


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
