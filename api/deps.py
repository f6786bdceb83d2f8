"""Dependencies: settings, the current Recommender, the audit log, the API-key check, strict queries.

All are ``async def``: they do no blocking work, and FastAPI would run a plain ``def``
dependency in the thread pool (a thread hop per dependency per request).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader

from recommender import Recommender

from .auth.guard import require_role
from .db.audit import DbAuditLog
from .settings import Settings
from .state import RecommenderStore

__all__ = ["ActorDep", "AuditDep", "RecommenderDep", "SettingsDep", "StoreDep", "app_settings", "reject_unknown_query",]



async def app_settings(request: Request) -> Settings:
    """The settings the app was built with (``create_app(settings)``, else :func:`get_settings`)."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(app_settings)]

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from RECOMMENDER_API_KEYS")


async def _get_store(request: Request) -> RecommenderStore:
    return request.app.state.store


StoreDep = Annotated[RecommenderStore, Depends(_get_store)]


async def _get_recommender(request: Request) -> Recommender:
    """The Recommender for this request: one object, used for the whole request."""
    return await request.app.state.store.get()


RecommenderDep = Annotated[Recommender, Depends(_get_recommender)]


def _require_key(request: Request, key: Annotated[str | None, Security(_api_key_header)] = None) -> str:
    """The name of the admin making this request (an admin's key or session; see :mod:`api.auth.guard`);
    401 without credentials, 403 for a wrong key or a weaker role."""
    return _require_admin(request).name


_require_admin = require_role("admin")

ActorDep = Annotated[str, Depends(_require_key)]


async def _get_audit(request: Request) -> DbAuditLog:
    """The map-change audit, kept in the service's database."""
    return DbAuditLog(request.app.state.db)


AuditDep = Annotated[DbAuditLog, Depends(_get_audit)]


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
    repeated = sorted({name for name, _ in request.query_params.multi_items() if len(request.query_params.getlist(name)) > 1})
    if repeated:  # every query parameter takes one value: a second one would be silently dropped
        raise RequestValidationError([
            {"type": "too_long", "loc": ("query", name), "msg": "given more than once", "input": None} for name in repeated
        ])
    if unknown:
        raise RequestValidationError([
            {"type": "extra_forbidden", "loc": ("query", name), "msg": "Extra inputs are not permitted", "input": None} for name in unknown
        ])
