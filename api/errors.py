"""Errors → JSON (:class:`~api.schemas.ErrorResponse`): what went wrong and where, never a trace.

The handlers are registered once, in :func:`api.main.create_app`; routes raise
:class:`ApiError` (or let library errors through) and never build error responses themselves.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from recommender import EncodingError, InputFileError, MapError, ProfileError, RecommenderError

from .exceptions import STATUS_CODES, ApiError, NotReadyError
from .schemas import ErrorItem, ErrorResponse

__all__ = ["ApiError", "install_error_handlers", "request_id_of"]

log = logging.getLogger("api")

_MESSAGES = {
    401: "缺少 API 密钥 / missing API key",
    404: "未找到 / not found",
    405: "方法不允许 / method not allowed",
    413: "请求体过大 / request body too large",
    500: "服务器内部错误 / internal server error",
}


def request_id_of(request: Request) -> str | None:
    state = request.scope.get("state") or {}
    return state.get("request_id")


def _response(request: Request, status: int, code: str, message: str, items: list[ErrorItem] | None = None,
              headers: Mapping[str, str] | None = None) -> JSONResponse:
    rid = request_id_of(request)
    body = ErrorResponse(error=code, message=message, detail=items or [], request_id=rid)
    out_headers = dict(headers or {})
    if rid:
        out_headers["X-Request-ID"] = rid
    return JSONResponse(body.model_dump(), status_code=status, headers=out_headers)


def _loc(parts: tuple | list) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in parts]


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = [ErrorItem(loc=_loc(e.get("loc", ())), msg=str(e.get("msg", "")), type=str(e.get("type", ""))) for e in exc.errors()]
    if any(item.type == "json_invalid" for item in items):  # cannot be parsed: 400, as for broken multipart
        return _response(request, 400, "bad_request", "请求体不是有效的 JSON / the body is not valid JSON", items)
    return _response(request, 422, "invalid_request", "请求参数无效 / the request is invalid", items)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, ApiError):
        return _response(request, exc.status_code, exc.code, exc.message, exc.items, exc.headers)
    message = _MESSAGES.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "error")
    headers = exc.headers
    if exc.status_code == 405:  # every method of the path (Starlette names only the first route's)
        headers = {**(headers or {}), "Allow": _allowed(request)}
    return _response(request, exc.status_code, STATUS_CODES.get(exc.status_code, "error"), message, headers=headers)


def _allowed(request: Request) -> str:
    methods: set[str] = set()
    for route in request.app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path) and getattr(route, "methods", None):
            methods |= set(route.methods)
    return ", ".join(sorted(methods))


async def _not_ready(request: Request, exc: Exception) -> JSONResponse:
    return _response(request, 503, "not_ready", f"服务尚未就绪 / not ready: {exc}", headers={"Retry-After": "5"})


def _public(message: str, path: str) -> str:
    """``message`` without the server's paths (the file itself, its folder, the temporary folder)."""
    for secret in sorted({path, os.path.dirname(path), tempfile.gettempdir()} - {"", "/"}, key=len, reverse=True):
        message = message.replace(secret, "…")
    return message


async def _library(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, EncodingError):
        item = ErrorItem(loc=["file", "line", exc.line], msg=_public(exc.message, exc.path), type="encoding")
        return _response(request, 422, "encoding_error", "文件编码无法识别 / the file has undecodable bytes", [item])
    if isinstance(exc, InputFileError):
        item = ErrorItem(loc=["file"], msg=_public(exc.message, exc.path), type="input_file")
        return _response(request, 422, "input_file_error", "无法读取上传的文件 / the uploaded file cannot be read", [item])
    if isinstance(exc, ProfileError):
        item = ErrorItem(loc=["body", exc.field], msg=exc.message, type="profile")
        return _response(request, 422, "invalid_profile", "企业信息无效 / invalid profile", [item])
    if isinstance(exc, MapError):
        log.error("map error: %s", exc)
        return _response(request, 503, "map_error", "产业链图谱无效 / the chain map is invalid")
    log.exception("unhandled library error", exc_info=exc)
    return _response(request, 500, "internal_error", _MESSAGES[500])


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error (request %s): %r", request_id_of(request), exc, exc_info=exc)
    return _response(request, 500, "internal_error", _MESSAGES[500])


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler (the only place errors become responses)."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(NotReadyError, _not_ready)
    app.add_exception_handler(RecommenderError, _library)
    app.add_exception_handler(Exception, _unhandled)
