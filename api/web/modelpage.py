"""The models page (admins): landing models trained from the pipeline, their cards, train and promote.

The buttons call the same functions as ``POST /v1/models/train`` and
``POST /v1/models/{id}/promote`` (and ``recommender train --from-db`` /
``recommender models promote``): a candidate is trained on the pipeline's outcomes and only
serves after an admin promotes it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from ..db import session_scope
from ..db.audit import DbAuditLog
from ..db.models import ModelRecord
from ..errors import ApiError
from ..leads.training import MIN_OUTCOMES, MIN_PER_CLASS
from ..routes.models import promote_model, train
from .access import refusal, signed_actor
from .render import LangQuery, render

router = APIRouter(include_in_schema=False)


def _records(request: Request) -> list[dict]:
    with session_scope(request.app.state.db) as db:
        rows = db.scalars(select(ModelRecord).order_by(ModelRecord.created_at.desc())).all()
        return [{c: getattr(r, c) for c in ("id", "status", "card", "outcomes", "positives", "first_date", "last_date", "created_at",
                                            "created_by", "promoted_at", "promoted_by")} for r in rows]


async def _page(request: Request, lang: str | None, notice: tuple | None = None, status_code: int = 200) -> Response:
    if (refused := await refusal(request, lang, "admin")) is not None:
        return refused
    records = await run_in_threadpool(_records, request)
    store = request.app.state.store
    serving = store.current.model_version if store.current is not None else None
    return render(request, "models.html", lang, {"models": records, "serving": serving, "notice": notice,
                                                 "min_outcomes": MIN_OUTCOMES, "min_per_class": MIN_PER_CLASS}, status_code=status_code)


@router.get("/models")
async def models_page(request: Request, lang: LangQuery = None) -> Response:
    return await _page(request, lang)


@router.post("/models/train")
async def train_submit(request: Request, lang: LangQuery = None) -> Response:
    if (refused := await refusal(request, lang, "admin")) is not None:
        return refused
    app = request.app
    try:
        out = await train(request, signed_actor(request), app.state.settings, app.state.store)
    except ApiError as exc:
        return await _page(request, lang, ("error", "raw", {"text": exc.message}), status_code=exc.status_code)
    answer = out.model_dump()  # what POST /v1/models/train answers
    return await _page(request, lang, ("ok", "model_trained", {"id": answer["id"], "n": answer["outcomes"]}))


@router.post("/models/promote")
async def promote_submit(request: Request, model: Annotated[str, Form(max_length=160)], lang: LangQuery = None) -> Response:
    if (refused := await refusal(request, lang, "admin")) is not None:
        return refused
    app = request.app
    try:
        out = await run_in_threadpool(promote_model, model, request, signed_actor(request), app.state.settings, app.state.store,
                                      DbAuditLog(app.state.db))
    except ApiError as exc:
        return await _page(request, lang, ("error", "raw", {"text": exc.message}), status_code=exc.status_code)
    return await _page(request, lang, ("ok", "model_promoted_ok", {"id": out.model_dump()["id"]}))
