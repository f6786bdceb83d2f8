"""Who is asking, and may they: the API key or session cookie of a request, CSRF, roles.

* ``X-API-Key``: a key of ``RECOMMENDER_API_KEYS`` (compared in constant time; its role from
  ``RECOMMENDER_API_KEY_ROLES``, admin by default) or one made with ``recommender keys add``.
  Key requests need no CSRF token (no browser sends the header by itself).
* The session cookie (:data:`SESSION_COOKIE`): a state-changing request (not GET/HEAD/OPTIONS)
  must also carry the session's CSRF token, in the ``X-CSRF-Token`` header or a form's
  ``csrf_token`` field, else 403.
* With no user in the database, requests without credentials may read (and rank) as before;
  every change needs a key or a session. Once a user exists, every endpoint but the probes and
  sign-in needs one.

Pages use :func:`request_actor` and :func:`require_role` exactly as the JSON routes do.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from ..db.models import User
from ..errors import ApiError
from ..settings import Settings
from .accounts import Actor, has_role, resolve_key, resolve_session

__all__ = ["CSRF_HEADER", "SESSION_COOKIE", "AuthState", "Caller", "auth_gate", "key_actor", "request_actor", "require_role"]

SESSION_COOKIE = "recommender_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
#: Paths open to everyone: the probes and signing in.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/v1/auth/sign-in", "/sign-in"})
#: Once users exist, these need at least this role (other endpoints: any signed-in actor).
PATH_ROLES = {("POST", "/v1/score"): "officer", ("POST", "/v1/score/batch"): "officer", ("POST", "/v1/rank"): "officer",
              ("POST", "/jobs"): "officer", ("POST", "/score"): "officer"}
_EXISTS_TTL = 2.0


class AuthState:
    """Per app: the database engine and whether any user exists (re-read at most every 2 s
    until one does; users are never deleted, only made inactive)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._users = False
        self._checked = 0.0
        self._lock = threading.Lock()

    def users_exist(self) -> bool:
        if self._users:
            return True
        now = time.monotonic()
        if now - self._checked >= _EXISTS_TTL:
            with self._lock, Session(self.engine) as db:
                self._users = bool(db.scalar(select(exists().where(User.id.is_not(None)))))
                self._checked = now
        return self._users

    def forget(self) -> None:
        """Check again on the next request (after a user was added in this process)."""
        self._checked = 0.0


def _env_key(settings: Settings, key: str) -> Actor | None:
    given = key.encode("utf-8", "surrogateescape")
    found = None
    for name, secret in settings.api_keys.items():  # every key compared, in constant time
        if secrets.compare_digest(given, secret.get_secret_value().encode("utf-8")) and found is None:
            found = name
    return Actor(found, settings.key_role(found), "key") if found is not None else None


def request_actor(request: Request) -> Actor | None:
    """The actor of this request (cached on it); None without credentials or with a dead session.

    Raises
    ------
    ApiError
        403 for an API key that matches no key.
    """
    if "actor" in request.state._state:
        return request.state.actor
    auth: AuthState = request.app.state.auth
    actor = None
    key = request.headers.get("x-api-key")
    if key:
        actor = key_actor(request, key)
    elif token := request.cookies.get(SESSION_COOKIE):
        with Session(auth.engine) as db:
            actor = resolve_session(db, token)
    request.state.actor = actor
    return actor


def key_actor(request: Request, key: str) -> Actor:
    """The actor of an API key (a configured key or one in the database).

    Raises
    ------
    ApiError
        403 for a key that matches none.
    """
    settings: Settings = request.app.state.settings
    auth: AuthState = request.app.state.auth
    actor = _env_key(settings, key)
    if actor is None:
        with Session(auth.engine) as db:
            actor = resolve_key(db, key)
    if actor is None:
        no_keys = not settings.api_keys and not auth.users_exist()
        raise ApiError(403, "未配置 API 密钥，更新已禁用 / no API keys configured; updates are disabled" if no_keys
                       else "API 密钥无效 / invalid API key")
    return actor


async def _csrf_token_of(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


def _unauthorized() -> ApiError:
    return ApiError(401, "请登录或提供 API 密钥 / sign in or send an API key (header X-API-Key)", headers={"WWW-Authenticate": "APIKey"})


async def auth_gate(request: Request) -> None:
    """An app-wide dependency: credentials once users exist, CSRF for cookie requests that change state."""
    path = request.url.path
    if path in OPEN_PATHS:
        return
    from starlette.concurrency import run_in_threadpool

    actor = await run_in_threadpool(request_actor, request)
    auth: AuthState = request.app.state.auth
    if actor is None:
        if await run_in_threadpool(auth.users_exist):
            raise _unauthorized()
        return
    if actor.via == "session" and request.method not in _SAFE:
        given = await _csrf_token_of(request)
        if not given or not secrets.compare_digest(given.encode(), (actor.csrf_token or "").encode()):
            raise ApiError(403, "缺少或无效的 CSRF 令牌 / missing or invalid CSRF token (header X-CSRF-Token)", code="csrf")
    role = PATH_ROLES.get((request.method, path))
    if role is not None and not has_role(actor, role):
        raise ApiError(403, f"需要 {role} 角色 / this needs the {role} role")


def require_role(role: str) -> Callable[[Request], Actor]:
    """A dependency: the actor, who must have at least ``role`` (401 without credentials, 403 below it)."""

    def dependency(request: Request) -> Actor:
        actor = request_actor(request)
        if actor is None or actor.role is None:
            raise _unauthorized()
        if not has_role(actor, role):
            raise ApiError(403, f"权限不足：需要 {role} 角色 / forbidden: this needs the {role} role")
        return actor

    dependency.__name__ = f"require_{role}"
    return dependency


def _optional_actor(request: Request) -> Actor | None:
    return request_actor(request)


Caller = Annotated[Actor | None, Depends(_optional_actor)]
ViewerDep = Annotated[Actor, Depends(require_role("viewer"))]
OfficerDep = Annotated[Actor, Depends(require_role("officer"))]
AdminDep = Annotated[Actor, Depends(require_role("admin"))]
