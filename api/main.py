"""The app factory: ``create_app(settings)``; ``app`` for ``uvicorn api.main:app``.

The map is loaded in the lifespan (never at import): until it is, ``/readyz`` answers 503.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import recommender
from recommender._parent import die_with_parent

from . import web
from .auth.guard import CSRF_HEADER, AuthState, auth_gate
from .batching import ScoreBatcher
from .db import SchemaBehindError, ensure_schema, make_engine
from .db.audit import DbAuditLog, import_file_audit
from .deps import reject_unknown_query
from .errors import install_error_handlers
from .fastpath import ScoreFastPath
from .leads.training import promoted_dir
from .middleware import BodyLimitMiddleware, RequestIdMiddleware
from .routes import admin, auth, chains, health, leads, models, rank, score
from .schemas import ErrorResponse
from .settings import Settings, get_settings
from .shutdown import watch_signals
from .state import RecommenderStore

__all__ = ["Service", "app", "create_app"]

log = logging.getLogger("api")

_DESCRIPTION = """\
招商引资目标企业推荐服务 / Investment-targeting recommender.

Scores firm profiles against the city's industry-chain map (补链、强链、延链), ranks uploaded
candidate files, and serves the map. The same code as the `recommender` command line: a firm
gets the same score either way. Map updates need an API key (header `X-API-Key`).
"""


class Service(FastAPI):
    """The FastAPI app, with its own edge around FastAPI's stack, and an unexpected error after its 500 sent kept quiet.

    The edge (:attr:`edge_middleware`: the request id, the body limit, CORS and the plain-score
    path) wraps the stack FastAPI builds (its error middleware, exception handlers, router), so
    every response, a 500 included, passes through it, and a plain score request, answered at the
    edge, does not pass FastAPI's layers at all.

    Starlette's error middleware answers an unexpected error with the app's 500 handler and then
    raises it again for the server to log; uvicorn then closes the connection, so a keep-alive
    client's next request is reset. The error is logged by the handler (:mod:`api.errors`), so
    once the answer is sent it is dropped here.
    """

    #: The plain-score middleware (:mod:`api.fastpath`), when enabled.
    fast_path: ScoreFastPath | None = None

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        #: Pure-ASGI middleware outside FastAPI's stack, outermost first.
        self.edge_middleware: list[Middleware] = []

    def add_edge_middleware(self, cls: Any, **options: Any) -> None:
        """Add ``cls`` inside the edge middleware added before it (the first added is outermost)."""
        if self.middleware_stack is not None:  # pragma: no cover - as Starlette's add_middleware
            raise RuntimeError("Cannot add middleware after an application has started")
        self.edge_middleware.append(Middleware(cls, **options))

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        for cls, args, kwargs in reversed(self.edge_middleware):
            app = cls(app, *args, **kwargs)
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        answered = False

        async def send_noting_the_end(message: Message) -> None:
            nonlocal answered
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True

        try:
            await super().__call__(scope, receive, send_noting_the_end)
        except Exception:
            if not answered:
                raise


def _recover_updates(settings: Settings, engine: Engine) -> None:
    """Carry the old audit file's entries into the database (once); settle map updates a killed
    process left midway (audit entries, staging folders)."""
    try:
        if added := import_file_audit(engine, settings.audit_path, settings.map_dir):
            log.info("carried %d entries of the audit file %s into the database", added, settings.audit_path)
    except Exception:  # the service starts; the file stays for the next start or `recommender db upgrade`
        log.exception("could not carry the audit file %s into the database", settings.audit_path)
    if settings.map_dir is None or not settings.map_dir.is_dir():
        return
    try:
        DbAuditLog(engine).recover(settings.map_dir)
    except Exception:  # the map's own loading reports what is wrong with the folder
        logging.getLogger(__name__).exception("could not settle unfinished map updates in %s", settings.map_dir)


def create_app(settings: Settings | None = None) -> Service:
    """Build the service.

    Parameters
    ----------
    settings : Settings, optional
        Default: :func:`~api.settings.get_settings` (the environment, read once).
    """
    settings = settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        supervisor = multiprocessing.parent_process()
        if supervisor is not None and supervisor.pid is not None:  # a worker of `--workers N`: it ends with its supervisor
            die_with_parent(supervisor.pid)  # (even one killed by SIGKILL, which cannot stop its workers)
        engine = make_engine(settings.database)
        try:
            await run_in_threadpool(ensure_schema, engine)
        except SchemaBehindError as exc:
            log.error("%s", exc)
            engine.dispose()
            raise
        app.state.db = engine
        app.state.auth = AuthState(engine)
        promoted = promoted_dir(settings) if settings.model is None else None
        store = RecommenderStore(settings.map_dir, model=settings.model, models_dir=settings.models_dir, watch=settings.watch_map,
                                 promoted_dir=promoted)
        app.state.store = store
        app.state.rank_slots = asyncio.Semaphore(settings.max_concurrent_ranks)
        batcher = ScoreBatcher(max_batch=settings.score_batch_max) if settings.score_batching else None
        app.state.batcher = batcher
        await run_in_threadpool(_recover_updates, settings, engine)
        await run_in_threadpool(store.load)
        # The map, matcher and model live as long as the process: keep them out of the cyclic
        # collector's full passes, which otherwise stall a worker for tens of milliseconds.
        gc.freeze()
        if batcher is not None:
            await batcher.start()
        try:
            with watch_signals(app):  # requests reading a large upload answer 503 at once on SIGTERM
                yield
        finally:
            web.close(app)
            if batcher is not None:
                await batcher.stop()
            engine.dispose()

    app = Service(
        dependencies=[Depends(reject_unknown_query), Depends(auth_gate)],
        responses={
            400: {"model": ErrorResponse, "description": "the body cannot be parsed (not UTF-8 JSON, broken multipart)"},
            413: {"model": ErrorResponse, "description": "the body is over the limit"},
            422: {"model": ErrorResponse, "description": "a parameter or field is invalid, unknown or missing (loc says where)"},
        },
        title="Recommender API / 招商推荐服务",
        version=recommender.__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc are served by api.web from the package's own copies of their scripts
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs else None,
        telemetry=None if settings.telemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings  # read per request by api.deps.app_settings
    _document_limits(app, settings)
    install_error_handlers(app)
    app.add_edge_middleware(RequestIdMiddleware)  # outermost: every response carries the id
    app.add_edge_middleware(BodyLimitMiddleware, default=settings.max_body_bytes, limits={"/v1/rank": settings.max_upload_bytes, "/jobs": settings.max_upload_bytes})
    if settings.cors_origins:
        app.add_edge_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["Content-Type", "X-API-Key", "X-Request-ID", CSRF_HEADER],
            expose_headers=["X-Request-ID", "X-Rows", "X-Bad-Rows", "X-Matched-Rows", "X-Map-Version", "X-Model-Version", "Content-Disposition"],
        )
    if settings.score_fast_path:
        app.add_edge_middleware(ScoreFastPath)  # innermost of the edge: inside the request id, the body limit and CORS
    app.include_router(health.router)
    app.include_router(health.versioned, prefix="/v1")
    app.include_router(score.router, prefix="/v1")
    app.include_router(rank.router, prefix="/v1")
    app.include_router(chains.router, prefix="/v1")
    app.include_router(admin.router, prefix="/v1")
    app.include_router(auth.router, prefix="/v1")
    app.include_router(leads.router, prefix="/v1")
    app.include_router(models.router, prefix="/v1")
    web.install(app, settings)
    if settings.score_fast_path:
        app.middleware_stack = app.build_middleware_stack()
        app.fast_path = _find(app.middleware_stack, ScoreFastPath)
    return app


def _find(stack: object, kind: type[ScoreFastPath]) -> ScoreFastPath | None:
    """The middleware of type ``kind`` in a built stack (each layer holds the next as ``app``)."""
    layer = stack
    while layer is not None and not isinstance(layer, kind):
        layer = getattr(layer, "app", None)
    return layer


def _document_limits(app: FastAPI, settings: Settings) -> None:
    """State the configured limits in the served schema (clients and fuzzers see the real bounds)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = app.openapi_schema
        if schema is None:
            schema = build()
            batch = schema["components"]["schemas"]["ScoreBatchRequest"]["properties"]["profiles"]
            batch["maxItems"] = settings.max_batch
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


app = create_app()
