"""Keyed admin operations: PATCH /v1/chains/{chain_id}/links/{link_id}, POST /v1/model/reload, GET /v1/audit.

An update is validated against the whole map, written atomically with the old chain file kept
in ``<map_dir>/history/``, recorded in the audit log in the same step (the entry is committed as
pending before the file is replaced and completed after; a process killed in between is settled at
start-up by ``AuditLog.recover``), and served from the next request on: the worker swaps its
Recommender at once, other workers reload when they see the changed file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.types import DecoratedCallable

from recommender import MapError, ModelError
from recommender.chainmap import LinkNotFoundError

from ..deps import ActorDep, AuditDep, SettingsDep, StoreDep
from ..errors import ApiError, request_id_of
from ..schemas import AuditEntryOut, AuditResponse, ErrorItem, ErrorResponse, LinkUpdateRequest, LinkUpdateResponse, ModelReloadResponse

router = APIRouter(tags=["admin"])

_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "no API key (header X-API-Key)"},
    403: {"model": ErrorResponse, "description": "wrong API key, or no keys configured"},
}
IdPath = Annotated[str, Path(max_length=64)]


def _keyed_route(method: str, path: str, response_model: type, summary: str, errors: dict[int, str]) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A keyed route that needs the map, with its OpenAPI error answers: :data:`_AUTH`, ``errors`` (code → what it means), then 503."""
    own: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse, "description": text} for code, text in errors.items()}
    responses = {**_AUTH, **own, 503: {"model": ErrorResponse, "description": "the map is not loaded"}}
    return router.api_route(path, methods=[method], response_model=response_model, responses=responses, summary=summary)


def _relative(path: str, folder: FsPath) -> str:
    try:
        return str(FsPath(path).relative_to(folder))
    except ValueError:
        return FsPath(path).name


@_keyed_route("PATCH", "/chains/{chain_id}/links/{link_id}", LinkUpdateResponse, "Change a link's status or priority / 更新环节状态", {
    404: "no such chain or link",
    409: "the map is read-only (the embedded map)",
    422: "the change would make the map invalid (each problem with file, entry, field)",
})
def patch_link(
    chain_id: IdPath, link_id: IdPath, body: LinkUpdateRequest, actor: ActorDep, request: Request,
    settings: SettingsDep, store: StoreDep, audit: AuditDep,
) -> LinkUpdateResponse:
    """Set a link's ``status`` (e.g. ``missing`` → ``present`` when a target firm lands) and/or
    ``priority``, optionally with the source quotes they rest on. Fields left out (or null) are
    kept; a request that changes nothing changes nothing. Needs ``X-API-Key``."""
    changes = body.changes()
    if settings.map_dir is None or audit is None:
        raise ApiError(409, "内置图谱只读；请设置 RECOMMENDER_MAP_DIR 为可写副本 / the embedded map is read-only; set RECOMMENDER_MAP_DIR to a writable copy")
    folder = settings.map_dir
    current = store.current
    if current is None:
        raise ApiError(503, "服务尚未就绪 / the map is not loaded", headers={"Retry-After": "5"})
    if not changes:  # nothing to change: a no-op, once the link is known to exist
        chain = current.chain_map.chain_by_id.get(chain_id)
        if chain is None or link_id not in {link.id for link in chain.links}:
            where = "chain_id" if chain is None else "link_id"
            raise ApiError(404, "未找到该产业链或环节 / no such chain or link", detail=[ErrorItem(loc=["path", where], msg="no such chain or link", type="not_found")])
        return LinkUpdateResponse(chain_id=chain_id, link_id=link_id, changed=False, before={}, after={},
                                  map_version_before=current.map_version, map_version=current.map_version, audit_id=None)
    with store.lock:
        try:
            change, entry = audit.update_link(folder, chain_id, link_id, changes, actor=actor, request_id=request_id_of(request), note=body.note)
        except LinkNotFoundError as exc:
            where = f"{exc.missing}_id"
            raise ApiError(404, "未找到该产业链或环节 / no such chain or link", detail=[ErrorItem(loc=["path", where], msg=exc.problems[0][3], type="not_found")]) from None
        except MapError as exc:
            items = [ErrorItem(loc=["map", _relative(p, folder), e, f] if f else ["map", _relative(p, folder), e], msg=m, type="map") for p, e, f, m in exc.problems]
            raise ApiError(422, "修改后图谱无效，未保存 / the change would make the map invalid; nothing was written", detail=items) from None
        if change.changed:
            store.swap(change.chain_map)
    return LinkUpdateResponse.from_change(change, audit_id=entry.id if entry else None)


@router.get("/audit", response_model=AuditResponse, responses=_AUTH, summary="The log of map changes / 变更记录")
def list_audit(
    actor: ActorDep,
    audit: AuditDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    chain_id: Annotated[str | None, Query(max_length=64)] = None,
    link_id: Annotated[str | None, Query(max_length=64)] = None,
) -> AuditResponse:
    """Changes, newest first: who, when (UTC), which link, the fields before and after. Needs ``X-API-Key``."""
    if audit is None:
        return AuditResponse(entries=[])
    entries = audit.entries(limit=limit, offset=offset, chain_id=chain_id, link_id=link_id)
    return AuditResponse(entries=[AuditEntryOut.model_validate(e) for e in entries])


@_keyed_route("POST", "/model/reload", ModelReloadResponse, "Reload the landing model / 重新加载模型", {
    409: "no audit log (set RECOMMENDER_MAP_DIR or RECOMMENDER_AUDIT_DB)",
    422: "the model cannot be loaded; the last good one keeps serving",
})
def reload_model(actor: ActorDep, request: Request, store: StoreDep, audit: AuditDep) -> ModelReloadResponse:
    """Load the configured model again (a model folder: its newest version) and serve it from
    the next request on. A model that fails its checks is refused and the last good one keeps
    serving. Needs ``X-API-Key``."""
    if audit is None:
        raise ApiError(409, "没有审计日志，无法记录 / no audit log configured (set RECOMMENDER_MAP_DIR or RECOMMENDER_AUDIT_DB)")
    try:
        with audit.transaction() as tx:
            before, after, map_version = store.reload_model()
            entry = tx.record_model(actor=actor, before=before, after=after, map_version=map_version,
                                    request_id=request_id_of(request)) if before != after else None
    except ModelError as exc:
        item = ErrorItem(loc=["model"], msg=str(exc).replace(str(store.models_dir or ""), "").strip()[:500], type="model")
        raise ApiError(422, "模型无法加载，继续使用原模型 / the model cannot be loaded; the last good model keeps serving", detail=[item]) from None
    return ModelReloadResponse(model_version_before=before, model_version=after, changed=before != after, audit_id=entry.id if entry else None)
