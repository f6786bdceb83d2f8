"""GET /healthz (alive), /readyz (map loaded), /v1/version."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

import recommender
from recommender import Recommender

from ..deps import StoreDep
from ..schemas import HealthResponse, ReadyResponse, VersionResponse
from ..state import NotReadyError

router = APIRouter(tags=["health"])
versioned = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthResponse, summary="Liveness")
async def healthz() -> HealthResponse:
    """The process is up and serving requests."""
    return HealthResponse()


@router.get(
    "/readyz",
    response_model=ReadyResponse,
    responses={503: {"model": ReadyResponse, "description": "not ready: the map (or model) is not loaded"}},
    summary="Readiness",
)
async def readyz(store: StoreDep) -> JSONResponse:
    """200 once the chain map and the landing model are loaded; 503 before (or when they failed to load)."""
    try:
        current: Recommender | None = await store.get()
    except NotReadyError:
        current = None
    ready = current is not None
    body = ReadyResponse(
        ready=ready,
        map="loaded" if ready or (store.model_error and not store.map_error) else (store.map_error or "loading"),
        map_version=current.map_version if current is not None else None,
        model="loaded" if ready else (store.model_error or ("waiting for the map" if store.map_error else "loading")),
        model_version=current.model_version if current is not None else None,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503, headers=None if ready else {"Retry-After": "5"})


@versioned.get("/version", response_model=VersionResponse, summary="Versions of the service, map and model")
async def version(store: StoreDep) -> VersionResponse:
    """The versions this request would be served with (a hand edit is picked up here as everywhere)."""
    try:
        current: Recommender | None = await store.get()
    except NotReadyError:
        current = None
    return VersionResponse(
        service="recommender",
        version=recommender.__version__,
        map_id=current.chain_map.id if current is not None else None,
        map_version=current.map_version if current is not None else None,
        model_version=current.model_version if current is not None else None,
    )
