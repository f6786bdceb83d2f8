"""Landing models trained from the pipeline: GET /v1/models, POST /v1/models/train, POST /v1/models/{id}/promote (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from recommender import ModelError

from ..auth.guard import AdminDep
from ..db import session_scope
from ..db.models import ModelRecord
from ..deps import AuditDep, SettingsDep, StoreDep
from ..errors import ApiError, request_id_of
from ..leads.schemas import ModelOut
from ..leads.training import HistoryTooSmall, promote, train_from_pipeline
from ..schemas import error_responses

router = APIRouter(prefix="/models", tags=["models"], responses=error_responses(401, 403, 404, 503))
ModelId = Annotated[str, Path(max_length=160, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]


def _out(record: ModelRecord, *, card: bool = False) -> ModelOut:
    return ModelOut.model_validate({**{c: getattr(record, c) for c in ModelOut.model_fields if c != "card"},
                                    "card": record.card if card else None})


@router.get("", response_model=list[ModelOut], summary="Trained models / 模型列表")
def list_models(request: Request, actor: AdminDep) -> list[ModelOut]:
    with session_scope(request.app.state.db) as db:
        return [_out(r) for r in db.scalars(select(ModelRecord).order_by(ModelRecord.created_at.desc()))]


@router.post("/train", response_model=ModelOut, summary="Train a candidate from the pipeline / 用线索结果训练")
async def train(request: Request, actor: AdminDep, settings: SettingsDep, store: StoreDep) -> ModelOut:
    """Train a candidate on the pipeline's outcomes; 422 when the history is below the minimum."""
    current = store.current
    if current is None:
        raise ApiError(503, "服务尚未就绪 / the map is not loaded")

    def work() -> ModelOut:
        with session_scope(request.app.state.db) as db:
            result = train_from_pipeline(db, settings, current.chain_map, actor=actor.name, current=current.model)
            return _out(result.record, card=True)

    try:
        return await run_in_threadpool(work)
    except HistoryTooSmall as exc:
        raise ApiError(422, str(exc), code="history_too_small") from None
    except ModelError as exc:
        raise ApiError(422, f"无法训练 / cannot train: {exc}") from None


@router.post("/{model_id:path}/promote", response_model=ModelOut, summary="Promote a model / 启用模型")
def promote_model(model_id: ModelId, request: Request, actor: AdminDep, settings: SettingsDep, store: StoreDep, audit: AuditDep) -> ModelOut:
    """Make ranking use this model from the next request on (every worker); recorded in the audit log."""
    current = store.current
    if current is None:
        raise ApiError(503, "服务尚未就绪 / the map is not loaded")
    try:
        with session_scope(request.app.state.db) as db:
            out = _out(promote(db, settings, model_id, current.chain_map, actor=actor.name))
        before, after, _ = store.reload_model()
    except LookupError:
        raise ApiError(404, f"未找到模型 {model_id} / no model {model_id}") from None
    except ModelError as exc:
        raise ApiError(422, f"模型无法启用 / the model cannot be promoted: {exc}") from None
    with audit.transaction() as tx:
        tx.record_model(actor=actor.name, before=before, after=after, map_version=current.map_version,
                        request_id=request_id_of(request), note=f"promoted {model_id}")
    return out
