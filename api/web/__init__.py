"""The officers' workbench: server-rendered pages in the service's own app and process.

``install(app, settings)`` adds the pages (none of them in the OpenAPI document), the static
files (``/static``: the stylesheet, a small script and the vendored Swagger UI and ReDoc) and
``/docs`` and ``/redoc`` served from those local copies, so nothing is fetched from outside.
``/docs``, ``/redoc`` and ``/openapi.json`` go through the app's auth gate like every endpoint:
open while no user exists, then only with a session or an API key.

Pages: ``/`` rank a list, ``/jobs`` the jobs, ``/jobs/{id}`` results, ``/jobs/{id}/rows/{rank}``
a firm, ``/map`` the chain map (edits by an admin), ``/audit`` the changes, ``/score`` one firm;
``/sign-in`` and ``/sign-out`` (:mod:`.access`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from ..errors import ApiError
from ..settings import Settings
from . import access, leadpages, mappage, modelpage, pages

__all__ = ["close", "install"]

STATIC = Path(__file__).parent / "static"
_VENDOR = "/static/vendor"


def install(app: FastAPI, settings: Settings) -> None:
    """Add the workbench's pages, its static files and the local /docs and /redoc to ``app``."""
    app.include_router(access.router)
    app.include_router(pages.router)
    app.include_router(mappage.router)
    app.include_router(leadpages.router)
    app.include_router(modelpage.router)
    app.add_exception_handler(ApiError, access.page_error)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.docs:
        title = app.title
        openapi_url = app.openapi_url or "/openapi.json"
        # FastAPI serves the schema from a plain route, outside the app's dependencies: serve it from one inside
        app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != openapi_url]

        @app.get(openapi_url, include_in_schema=False)
        async def openapi_json() -> JSONResponse:
            return JSONResponse(app.openapi())

        @app.get("/docs", include_in_schema=False)
        async def swagger_ui() -> HTMLResponse:
            return get_swagger_ui_html(
                openapi_url=app.openapi_url or "/openapi.json", title=f"{title} - Swagger UI",
                swagger_js_url=f"{_VENDOR}/swagger-ui/swagger-ui-bundle.js", swagger_css_url=f"{_VENDOR}/swagger-ui/swagger-ui.css",
                swagger_favicon_url=f"{_VENDOR}/swagger-ui/favicon-32x32.png",
                swagger_ui_parameters={"validatorUrl": None},
            )

        @app.get("/redoc", include_in_schema=False)
        async def redoc() -> HTMLResponse:
            return get_redoc_html(
                openapi_url=app.openapi_url or "/openapi.json", title=f"{title} - ReDoc",
                redoc_js_url=f"{_VENDOR}/redoc/redoc.standalone.js", redoc_favicon_url=f"{_VENDOR}/swagger-ui/favicon-32x32.png",
                with_google_fonts=False,
            )


def close(app: FastAPI) -> None:
    """Stop taking new jobs (running ones finish in their threads)."""
    jobs = getattr(app.state, "web_jobs", None)
    if jobs is not None:
        jobs.close()
