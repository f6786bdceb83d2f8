"""Dependencies: settings, the current Recommender, the audit log, the API-key check, strict queries.

All are ``async def``: they do no blocking work, and FastAPI would run a plain ``def``
dependency in the thread pool (a thread hop per dependency per request).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader

from recommender import Recommender
from recommender.chainmap import AuditLog

from .errors import ApiError
from .settings import Settings
from .state import RecommenderStore

__all__ = ["ActorDep", "AuditDep", "RecommenderDep", "SettingsDep", "StoreDep", "app_settings", "reject_unknown_query", "require_key"]



async def app_settings(request: Request) -> Settings:
    """The settings the app was built with (``create_app(settings)``, else :func:`get_settings`)."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from RECOMMENDER_API_KEYS")


async def get_store(request: Request) -> RecommenderStore:
    return request.app.state.store


StoreDep = Annotated[RecommenderStore, Depends(get_store)]


async def get_recommender(request: Request) -> Recommender:
    """The Recommender for this request: one object, used for the whole request."""
    return await request.app.state.store.get()


RecommenderDep = Annotated[Recommender, Depends(get_recommender)]


async def require_key(settings: SettingsDep, key: Annotated[str | None, Security(_api_key_header)] = None) -> str:
    """The name of the key's holder; 401 without a key, 403 for a wrong one (or when none is configured).

    Every configured key is compared, in constant time, whatever matches first.
    """
    if not key:
        raise ApiError(401, "缺少 API 密钥 / missing API key (header X-API-Key)", headers={"WWW-Authenticate": "APIKey"})
    given = key.encode("utf-8", "surrogateescape")
    actor = None
    for name, secret in settings.api_keys.items():
        if secrets.compare_digest(given, secret.get_secret_value().encode("utf-8")) and actor is None:
            actor = name
    if actor is None:
        raise ApiError(403, "API 密钥无效 / invalid API key" if settings.api_keys else "未配置 API 密钥，更新已禁用 / no API keys configured; updates are disabled")
    return actor


ActorDep = Annotated[str, Depends(require_key)]


async def get_audit(settings: SettingsDep) -> AuditLog | None:
    path = settings.audit_path
    return AuditLog(path) if path is not None else None


AuditDep = Annotated[AuditLog | None, Depends(get_audit)]


def _query_names(dependant: Any) -> frozenset[str]:
    names: set[str] = set()
    stack = [dependant]
    while stack:
        node = stack.pop()
        names.update(param.alias for param in node.query_params)
        stack.extend(node.dependencies)
    return frozenset(names)


_QUERY_NAMES: dict[int, frozenset[str]] = {}


async def reject_unknown_query(request: Request) -> None:
    """422 for a query parameter the route does not declare (no silently ignored input)."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = _QUERY_NAMES.get(id(route))
    if allowed is None:
        allowed = _QUERY_NAMES[id(route)] = _query_names(dependant)
    unknown = [name for name in request.query_params if name not in allowed]
    if unknown:
        raise RequestValidationError([
            {"type": "extra_forbidden", "loc": ("query", name), "msg": "Extra inputs are not permitted", "input": None} for name in unknown
        ])
