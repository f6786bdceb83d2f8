"""Signing in and out: POST /v1/auth/sign-in, POST /v1/auth/sign-out, GET /v1/auth/me.

Sign-in sets the session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) and returns the
session's CSRF token, which every state-changing request with the cookie must carry.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..auth import SignInError, authenticate, end_session, start_session
from ..auth.guard import SESSION_COOKIE, Caller
from ..db import session_scope
from ..deps import SettingsDep
from ..errors import ApiError
from ..leads.schemas import SignedIn, SignIn
from ..schemas import error_responses

router = APIRouter(prefix="/auth", tags=["auth"], responses=error_responses(401, 403, 429))


def _secure(request: Request, forced: bool | None) -> bool:
    if forced is not None:
        return forced
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


@router.post("/sign-in", response_model=SignedIn, summary="Sign in / 登录")
async def sign_in(body: SignIn, request: Request, response: Response, settings: SettingsDep) -> SignedIn:
    """Check the name and password; set the session cookie. 401 for a wrong name or password
    (one message for both), 429 with Retry-After after repeated failures."""
    ip = request.client.host if request.client else None

    def work() -> SignInError | tuple[SignedIn, str]:
        with session_scope(request.app.state.db) as db:
            try:
                user = authenticate(db, body.name, body.password, ip=ip)
            except SignInError as exc:
                return exc  # the failure is committed (counted) before answering
            token, csrf = start_session(db, user, hours=settings.session_hours, ip=ip)
            return SignedIn(name=user.name, role=user.role, csrf_token=csrf), token

    result = await run_in_threadpool(work)
    if isinstance(result, SignInError):
        raise ApiError(result.status, result.message, headers={"Retry-After": str(result.retry_after)} if result.retry_after else None)
    signed, token = result
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True, samesite="lax",
                        secure=_secure(request, settings.cookie_secure), path="/")
    return signed


@router.post("/sign-out", status_code=204, summary="Sign out / 退出")
def sign_out(request: Request, response: Response) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with session_scope(request.app.state.db) as db:
            end_session(db, token)
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/")
    return out


@router.get("/me", response_model=SignedIn, summary="Who am I / 当前用户")
def me(actor: Caller) -> SignedIn:
    """The signed-in user or key, with the session's CSRF token; 401 without one."""
    if actor is None:
        raise ApiError(401, "未登录 / not signed in")
    return SignedIn(name=actor.name, role=actor.role or "", csrf_token=actor.csrf_token)

