"""Rendering a page: the Jinja2 environment, the language, and the app's job store and Recommender."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from recommender import Recommender

from ..state import NotReadyError
from .i18n import COOKIE, LANGS, Translator, pick_lang
from .jobs import JobStore

__all__ = ["LangQuery", "jobs_of", "lang_of", "recommender_of", "render"]

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.autoescape = True

LangQuery = Annotated[str | None, Query(max_length=2, description="zh or en")]


def lang_of(request: Request, lang: str | None) -> str:
    return pick_lang(request, lang)


def jobs_of(request: Request) -> JobStore:
    """The app's job store, made on first use (its folder is created then, not when the app is built)."""
    state = request.app.state
    store = getattr(state, "web_jobs", None)
    if store is None:
        settings = state.settings
        store = state.web_jobs = JobStore(
            settings.jobs_path, state.db, retention_days=settings.jobs_retention_days, workers=settings.max_concurrent_ranks,
            max_rows=settings.max_upload_rows,
        )
    return store


async def recommender_of(request: Request) -> Recommender | None:
    try:
        return await request.app.state.store.get()
    except NotReadyError:
        return None


def _with(request: Request, **changes: object) -> str:
    """This page's address with some query parameters changed (None drops one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


def render(request: Request, template: str, lang: str | None, context: dict, status_code: int = 200) -> Response:
    """The page in the request's language; ``?lang=`` is remembered in a cookie."""
    chosen = pick_lang(request, lang)
    actor = request.state.actor if "actor" in request.state._state else None
    other = LANGS[1 - LANGS.index(chosen)]
    response = templates.TemplateResponse(
        request, template,
        {"t": Translator(chosen), "lang": chosen, "switch_url": _with(request, lang=other), "with_params": lambda **kw: _with(request, **kw),
         "actor": actor, "csrf": (actor.csrf_token if actor is not None else None) or "", **context},
        status_code=status_code,
    )
    if lang in LANGS:
        response.set_cookie(COOKIE, lang, max_age=365 * 86_400, samesite="lax", httponly=True)
    return response
