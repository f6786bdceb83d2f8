"""Who is using the pages: sign-in and sign-out, role checks for changes, errors as pages.

The pages use the service's own auth layer (:mod:`api.auth.guard`): the app-wide gate already
checked the session (and, for a form it posts, the CSRF token) before a page handler runs.
With no user configured, anyone on the service's address may read and rank; every change is
refused with a message saying how to set up users. Once a user exists, a page asked for
without a session redirects to ``/sign-in``.

The sign-in form carries a token of its own (login CSRF): ``GET /sign-in`` puts a random token
in the form and in a cookie (:data:`SIGN_IN_COOKIE`, HttpOnly, SameSite=Strict, path
``/sign-in``); ``POST /sign-in`` signs nobody in unless the two match, so another site cannot
sign a browser in to an account of its choosing.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..auth import Actor, SignInError, authenticate, end_session, has_role, start_session
from ..auth.guard import SESSION_COOKIE, AuthState, key_actor, request_actor
from ..db import session_scope
from ..errors import ApiError
from ..routes.auth import _secure
from .render import LangQuery, render

__all__ = ["SIGN_IN_COOKIE", "actor_of", "page_error", "refusal", "router", "with_key"]

router = APIRouter(include_in_schema=False)

#: The cookie holding the sign-in form's token.
SIGN_IN_COOKIE = "recommender_signin"
_FORM_TOKEN_HOURS = 12
_STALE_FORM = "登录表单已过期或来自其他网站，请重新登录 / the sign-in form expired or came from another site: sign in again"

#: Paths that stay JSON (the API, its schema, the probes, a job's polled status).
_API_PREFIXES = ("/v1/", "/openapi.json", "/healthz", "/readyz", "/static/")


def _api_path(path: str) -> bool:
    return path.startswith(_API_PREFIXES) or path.endswith("/status")


def actor_of(request: Request) -> Actor | None:
    """The request's signed-in user or key (None: nobody, or a key that matches none)."""
    try:
        return request_actor(request)
    except ApiError:
        return None


def signed_actor(request: Request) -> Actor:
    """The request's actor where a role check has already let it through (403 otherwise)."""
    actor = actor_of(request)
    if actor is None:
        raise ApiError(403, "需要登录或 API 密钥 / a session or an API key is needed")
    return actor


def with_key(request: Request, api_key: str) -> Actor | None:
    """The signed-in user, else the actor of an API key typed into a form (no user configured:
    the map edit and the audit view take a key as before).

    Raises
    ------
    ApiError
        403 for a key that matches none.
    """
    actor = actor_of(request)
    if actor is None and api_key:
        actor = key_actor(request, api_key)
    return actor


def _users_exist(request: Request) -> bool:
    auth: AuthState = request.app.state.auth
    return auth.users_exist()


async def refusal(request: Request, lang: str | None, role: str, actor: Actor | None = None) -> Response | None:
    """None when the actor may act with ``role``; else the page that says why not (403)."""
    actor = actor if actor is not None else actor_of(request)
    if has_role(actor, role):
        return None
    if actor is None and not await run_in_threadpool(_users_exist, request):
        return render(request, "message.html", lang, {"message": "no_users_changes"}, status_code=403)
    if actor is None:
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)
    return render(request, "message.html", lang, {"message": "needs_role", "values": {"role": role, "have": actor.role}}, status_code=403)


def _next(target: str) -> str:
    """Only a path of this site (never //host or a scheme)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _form_token(request: Request) -> str:
    """The sign-in form's token: the browser's own (its cookie) when it has a well-formed one, else a new one."""
    given = request.cookies.get(SIGN_IN_COOKIE, "")
    return given if 32 <= len(given) <= 64 and given.isascii() else secrets.token_urlsafe(32)


def _sign_in_form(request: Request, lang: str | None, context: dict, status_code: int = 200) -> Response:
    """The sign-in page with its form token, set in the cookie too."""
    token = _form_token(request)
    response = render(request, "sign_in.html", lang, {**context, "form_token": token}, status_code=status_code)
    response.set_cookie(SIGN_IN_COOKIE, token, max_age=_FORM_TOKEN_HOURS * 3600, httponly=True, samesite="strict", path="/sign-in",
                        secure=_secure(request, request.app.state.settings.cookie_secure))
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, lang: LangQuery = None, next: str = "/") -> Response:  # noqa: A002 - the query's name
    users = await run_in_threadpool(_users_exist, request)
    return _sign_in_form(request, lang, {"error": None, "next": _next(next), "users": users, "name": ""})


@router.post("/sign-in")
async def sign_in_submit(
    request: Request,
    name: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",  # noqa: A002
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    lang: LangQuery = None,
) -> Response:
    settings = request.app.state.settings
    ip = request.client.host if request.client else None
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not csrf_token or not secrets.compare_digest(csrf_token.encode(), expected.encode()):
        context = {"error": _STALE_FORM, "next": _next(next), "users": True, "name": name}
        return _sign_in_form(request, lang, context, status_code=403)

    def work() -> SignInError | str:
        with session_scope(request.app.state.db) as db:
            try:
                user = authenticate(db, name.strip(), password, ip=ip)
            except SignInError as exc:
                return exc
            token, _csrf = start_session(db, user, hours=settings.session_hours, ip=ip)
            return token

    result = await run_in_threadpool(work)
    if isinstance(result, SignInError):
        context = {"error": result.message, "next": _next(next), "users": True, "name": name}
        return _sign_in_form(request, lang, context, status_code=result.status)
    response = RedirectResponse(_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, result, max_age=int(settings.session_hours * 3600), httponly=True, samesite="lax",
                        secure=_secure(request, settings.cookie_secure), path="/")
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:

        def work() -> None:
            with session_scope(request.app.state.db) as db:
                end_session(db, token)

        await run_in_threadpool(work)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def page_error(request: Request, exc: Exception) -> Response:
    """An :class:`ApiError` on a page: sign-in for 401, else the message as a page; the API keeps JSON."""
    from ..errors import _http

    assert isinstance(exc, ApiError)  # registered for ApiError only
    if _api_path(request.url.path):
        return await _http(request, exc)
    if exc.status_code == 401:
        target = request.url.path if request.method == "GET" else urlsplit(request.headers.get("referer", "/")).path or "/"
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)
    return render(request, "message.html", None, {"raw": exc.message}, status_code=exc.status_code)
