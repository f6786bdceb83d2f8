"""Pure-ASGI middleware: the request id in and out (with headers every response carries), and body limits."""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .exceptions import BodyTooLargeError

__all__ = ["BodyLimitMiddleware", "BodyTooLargeError", "RequestIdMiddleware",]

_VALID_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
_HEADER = b"x-request-id"
_EXTRA = [(b"x-content-type-options", b"nosniff")]
#: A new request id: this process's random half, then a count (unique without a system call per
#: request); a forked worker draws its own half.
_ID_PREFIX = b""
_ID_COUNT = itertools.count()


def _new_id_prefix() -> None:
    global _ID_PREFIX, _ID_COUNT
    _ID_PREFIX, _ID_COUNT = secrets.token_hex(8).encode(), itertools.count()


_new_id_prefix()
os.register_at_fork(after_in_child=_new_id_prefix)


def _take_request_id(headers: list[tuple[bytes, bytes]]) -> bytes:
    """The request's ``X-Request-ID`` if well-formed, else a new one (32 hex digits)."""
    for name, value in headers:
        if name == _HEADER:
            if _VALID_ID.match(value):
                return value
            break
    return _ID_PREFIX + b"%016x" % next(_ID_COUNT)


def _response_headers(rid: bytes, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A response's headers with the request id and the headers every response carries."""
    out = [(k, v) for k, v in headers if k.lower() != _HEADER]
    out.append((_HEADER, rid))
    out.extend(_EXTRA)
    return out


class RequestIdMiddleware:
    """Take ``X-Request-ID`` from the request (if well-formed) or make one; echo it back.

    The id is kept in ``scope["state"]["request_id"]`` for handlers and the audit log.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _take_request_id(scope["headers"])
        scope.setdefault("state", {})["request_id"] = rid.decode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _response_headers(rid, message.get("headers", []))
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware:
    """Refuse bodies over a limit: at once when ``Content-Length`` says so, else while reading.

    Parameters
    ----------
    default : int
        The limit in bytes for every path not in ``limits``.
    limits : mapping of path → int
        Larger (or smaller) limits for exact paths, e.g. the upload endpoint.
    """

    def __init__(self, app: ASGIApp, *, default: int, limits: dict[str, int] | None = None):
        self.app = app
        self.default = default
        self.limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _too_large(scope, send, limit)
                    return
                break
        received = 0

        async def receive_with_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, receive_with_limit, send)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    rid = (scope.get("state") or {}).get("request_id")
    body = json.dumps({
        "error": "too_large",
        "message": f"请求体过大 / request body too large (limit {limit} bytes)",
        "detail": [{"loc": ["body"], "msg": f"the body is over the limit of {limit} bytes", "type": "too_large"}],
        "request_id": rid,
    }, ensure_ascii=False).encode()
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")],
    })
    await send({"type": "http.response.body", "body": body})
