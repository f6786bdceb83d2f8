"""The lead pipeline over REST: /v1/leads (list, create, read, update, history, export, import).

Reading needs any role once users exist (and is open before, like the other reads); creating,
changing and importing need an officer. Updates carry the ``version`` they were read at: a
stale one is refused with 409 and kept in the lead's history as ``rejected``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from recommender import EncodingError, InputFileError

from ..auth.guard import OfficerDep
from ..db import session_scope
from ..deps import StoreDep
from ..errors import ApiError, request_id_of
from ..leads import STAGES, service
from ..leads.schemas import LeadCreate, LeadEventOut, LeadListOut, LeadOut, LeadUpdate
from ..leads.sheets import LeadImportError, export_xlsx, import_leads, new_lead_from_ranked_row
from ..schemas import ErrorItem, ErrorResponse, error_responses
from .rank import XLSX_TYPE

#: a stage by its code or Chinese name (the query is checked against the schema)
_STAGE_PATTERN = "^(" + "|".join([*STAGES, *STAGES.values()]) + ")$"

router = APIRouter(prefix="/leads", tags=["leads"], responses=error_responses(401, 403, 404, 409, 415))
LeadId = Annotated[int, PathParam(ge=1)]
_CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ErrorResponse, "description": "stale version (someone saved first) or the firm has a lead already"}}


def _engine(request: Request):
    return request.app.state.db


def _out(lead) -> LeadOut:
    return LeadOut(**service.lead_dict(lead))


def _bad(exc: service.LeadError) -> ApiError:
    return ApiError(422, f"线索数据无效 / invalid lead: {exc.message}",
                    detail=[ErrorItem(loc=["body", *exc.field.split(".")], msg=exc.message, type="value_error")])


def _not_found(lead_id: int) -> ApiError:
    return ApiError(404, f"未找到线索 {lead_id} / no lead {lead_id}")


@router.get("", response_model=LeadListOut, summary="List leads / 线索列表")
def list_leads(
    request: Request,
    stage: Annotated[str | None, Query(max_length=16, pattern=_STAGE_PATTERN)] = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    chain: Annotated[str | None, Query(max_length=64)] = None,
    link: Annotated[str | None, Query(max_length=64)] = None,
    overdue: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> LeadListOut:
    """Leads, most recently changed first; filters: stage (线索… or lead…), owner, chain, link,
    overdue (open leads whose next step's date has passed), q (name)."""
    with session_scope(_engine(request)) as db:
        try:
            leads, total = service.list_leads(db, stage=stage, owner=owner, chain=chain, link=link, overdue=overdue, q=q,
                                              limit=limit, offset=offset)
        except ValueError as exc:
            raise ApiError(422, str(exc), detail=[ErrorItem(loc=["query", "stage"], msg=str(exc), type="value_error")]) from None
        return LeadListOut(total=total, leads=[_out(lead) for lead in leads])


@router.post("", response_model=LeadOut, status_code=201, responses=_CONFLICT, summary="Add a firm / 新增线索")
def create_lead(body: LeadCreate, request: Request, actor: OfficerDep, store: StoreDep) -> LeadOut:
    """Add a firm from its profile (scored now unless ``scored`` is given) or from a ranked row."""
    current = store.current
    if body.ranked_row is not None:
        new = new_lead_from_ranked_row(body.ranked_row, current.chain_map if current else None,
                                       map_version=current.map_version if current else None)
    elif body.profile is not None:
        profile = {k: "" if v is None else str(v) for k, v in body.profile.items()}
        scored = body.scored.model_dump() if body.scored is not None else None
        if scored is None and current is not None and profile.get("name"):
            try:
                result = current.score({k: v for k, v in body.profile.items() if v is not None})
            except ValueError as exc:
                raise ApiError(422, f"企业信息无效 / invalid profile: {exc}") from None
            scored = {"score": result.score, "likelihood": result.likelihood, "priority": result.priority, "chain_id": result.chain_id,
                      "link_id": result.link_id, "action": result.action, "park": result.park,
                      "model_version": result.model_version, "map_version": result.map_version}
        new = service.NewLead(profile=profile, scored=scored or {})
    else:
        raise ApiError(422, "需要 profile 或 ranked_row / give a profile or a ranked_row",
                       detail=[ErrorItem(loc=["body", "profile"], msg="profile or ranked_row is required", type="missing")])
    new.credit_code = body.credit_code or new.credit_code
    for name in ("stage", "owner", "next_step", "next_step_date", "notes", "lost_reason"):
        setattr(new, name, getattr(body, name))
    with session_scope(_engine(request)) as db:
        try:
            lead = service.create_lead(db, new, actor=actor.name, request_id=request_id_of(request))
        except service.LeadError as exc:
            raise _bad(exc) from None
        except service.LeadExists as exc:
            raise ApiError(409, f"该企业已在线索库中（线索 {exc.lead.id}）/ the firm has a lead already (lead {exc.lead.id})",
                           code="duplicate", detail=[ErrorItem(loc=["body", "profile", "name"], msg=f"lead {exc.lead.id}", type="duplicate")]) from None
        return _out(lead)


@router.get("/export.xlsx", summary="Export leads to XLSX / 导出线索", response_class=FileResponse,
            responses={200: {"content": {XLSX_TYPE: {}}, "description": "the leads as an XLSX workbook"}})
def export(request: Request, stage: Annotated[str | None, Query(max_length=16, pattern=_STAGE_PATTERN)] = None,
           owner: Annotated[str | None, Query(max_length=64)] = None) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="leads-"))
    with session_scope(_engine(request)) as db:
        leads, _ = service.list_leads(db, stage=stage, owner=owner, limit=1_000_000)
        path = export_xlsx(leads, folder / "leads.xlsx")
    name = f"leads-{dt.date.today():%Y%m%d}.xlsx"
    return FileResponse(path, media_type=XLSX_TYPE, filename=name, background=BackgroundTask(shutil.rmtree, folder, True))


@router.post("/import", summary="Import a lead spreadsheet / 导入线索")
def import_file(request: Request, actor: OfficerDep, file: Annotated[UploadFile, File()]) -> dict:
    """A CSV/XLSX of leads; firms already in the pipeline are skipped. 422 lists every bad row (nothing written)."""
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ApiError(415, "请上传 .csv 或 .xlsx 文件 / upload a .csv or .xlsx file")
    folder = Path(tempfile.mkdtemp(prefix="leads-import-"))
    try:
        path = folder / f"upload{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        with session_scope(_engine(request)) as db:
            report = import_leads(db, path, actor=actor.name, request_id=request_id_of(request))
    except LeadImportError as exc:
        items = [ErrorItem(loc=["file", f"row {row}", column], msg=message, type="value_error") for row, column, message in exc.problems[:200]]
        raise ApiError(422, f"导入文件有 {len(exc.problems)} 处问题，未导入 / {len(exc.problems)} problem(s); nothing imported", detail=items) from None
    except (InputFileError, EncodingError) as exc:
        raise ApiError(422, f"文件无法读取 / unreadable file: {str(exc).replace(str(folder), '')}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"created": report.created, "duplicates": [{"row": row, "lead_id": lead} for row, lead in report.duplicates]}


@router.get("/{lead_id:int}", response_model=LeadOut, summary="A lead / 线索详情")
def read_lead(lead_id: LeadId, request: Request) -> LeadOut:
    with session_scope(_engine(request)) as db:
        try:
            return _out(service.get_lead(db, lead_id))
        except service.LeadNotFound:
            raise _not_found(lead_id) from None


@router.patch("/{lead_id:int}", response_model=LeadOut, responses=_CONFLICT, summary="Update a lead / 更新线索")
def update_lead(lead_id: LeadId, body: LeadUpdate, request: Request, actor: OfficerDep) -> LeadOut:
    """Change the stage (forward one or more stages, or to 流失 from an open stage with ``lost_reason``;
    a 流失 lead back to 线索; 落地 is final: another move is 409), owner, next step and its date, notes. Send the
    ``version`` you read; if someone saved since, 409 and nothing is changed (your change is kept in the history)."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    stale = None
    with session_scope(_engine(request)) as db:
        try:
            lead = service.update_lead(db, lead_id, body.version, changes, actor=actor.name, request_id=request_id_of(request))
            out = _out(lead)
        except service.LeadNotFound:
            raise _not_found(lead_id) from None
        except service.StageMoveError as exc:
            raise ApiError(409, exc.message, code="stage_order",
                           detail=[ErrorItem(loc=["body", "stage"], msg=exc.message, type="stage_order")]) from None
        except service.LeadError as exc:
            raise _bad(exc) from None
        except service.StaleLead as exc:
            stale = exc  # commit the history's "rejected" entry, then answer
    if stale is not None:
        current = stale.current
        raise ApiError(
            409,
            f"线索已被 {current.updated_by} 修改（版本 {current.version}），您的修改未保存，请刷新后重试 / "
            f"the lead was changed by {current.updated_by} (now version {current.version}, you sent {stale.given}); "
            "your change was not saved (it is kept in the history): reload and try again",
            code="stale_version", detail=[ErrorItem(loc=["body", "version"], msg=f"current version is {current.version}", type="stale")],
        )
    return out


@router.get("/{lead_id:int}/history", response_model=list[LeadEventOut], summary="A lead's history / 线索历史")
def history(lead_id: LeadId, request: Request) -> list[LeadEventOut]:
    with session_scope(_engine(request)) as db:
        try:
            events = service.lead_history(db, lead_id)
        except service.LeadNotFound:
            raise _not_found(lead_id) from None
        return [LeadEventOut.model_validate(event, from_attributes=True) for event in events]
