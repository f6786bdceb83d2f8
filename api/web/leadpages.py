"""The lead pipeline's pages (线索管理): add from a job, the list, the board, a lead, export, import.

Every page calls the pipeline's own functions (:mod:`api.leads`) with a database session and
the signed-in actor, as the REST routes do. Changes need the ``officer`` role. A lead's save
carries the version the officer saw: when someone else saved first, the save is refused, the
attempt is kept in the lead's history, and the page shows the lead as it is now with the
officer's input still in the form.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from recommender import EncodingError, InputFileError

from ..db import session_scope
from ..leads import (
    STAGES,
    LeadError,
    LeadExists,
    LeadNotFound,
    StageMoveError,
    StaleLead,
    allowed_moves,
    create_lead,
    get_lead,
    lead_dict,
    lead_history,
    list_leads,
)
from ..leads import update_lead as update_lead_row
from ..leads.sheets import LeadImportError, export_xlsx, import_leads, new_lead_from_ranked_row
from .access import actor_of, refusal, signed_actor
from .render import LangQuery, jobs_of, recommender_of, render
from .results import row as results_row

router = APIRouter(include_in_schema=False)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
_FIELDS = ("stage", "lost_reason", "owner", "next_step", "next_step_date", "notes")
Text = Annotated[str, Query(max_length=200)]


def _engine(request: Request):
    return request.app.state.db


async def _in_db(request: Request, work):
    """``work(db)`` in a committed session, off the event loop."""

    def run():
        with session_scope(_engine(request)) as db:
            return work(db)

    return await run_in_threadpool(run)


def _links(recommender) -> dict:
    """chain id → name, link id → (chain id, name), in the page's language order (Chinese names)."""
    if recommender is None:
        return {"chains": {}, "links": {}}
    chains = {c.id: c.name.zh for c in recommender.chain_map.chains}
    links = {link.id: (c.id, link.name.zh) for c in recommender.chain_map.chains for link in c.links}
    return {"chains": chains, "links": links}


# -- adding from a job ---------------------------------------------------------------------------
@router.post("/jobs/{job_id}/leads")
async def add_from_job(request: Request, job_id: str, lang: LangQuery = None) -> Response:
    """The checked rows of a job (form field ``rank``, one or many) as leads."""
    if (refused := await refusal(request, lang, "officer")) is not None:
        return refused
    job = jobs_of(request).get(job_id)
    form = await request.form()
    ranks = sorted({int(v) for v in form.getlist("rank") if isinstance(v, str) and v.isdigit()})
    if job is None or job.status.get("state") != "done":
        return render(request, "message.html", lang, {"message": "not_found"}, status_code=404)
    if not ranks:
        return render(request, "message.html", lang, {"message": "no_rows_checked"}, status_code=422)
    recommender = await recommender_of(request)
    actor = signed_actor(request)
    stored = [await run_in_threadpool(results_row, job, rank) for rank in ranks[:500]]
    inputs = job.status.get("input_columns", [])

    def work(db) -> tuple[list[int], list[int]]:
        added, existing = [], []
        for row in stored:
            if row is None:
                continue
            ranked = {c: row.get(c) for c in inputs} | {name: row.get(col) for name, col in job.columns.items()}
            new = new_lead_from_ranked_row(ranked, recommender.chain_map if recommender else None, map_version=job.status.get("map_version"))
            new.scored["model_version"] = new.scored.get("model_version") or job.status.get("model_version")
            try:
                with db.begin_nested():
                    added.append(create_lead(db, new, actor=actor.name).id)
            except LeadExists as exc:
                existing.append(exc.lead.id)
            except LeadError:
                continue
        return added, existing

    added, existing = await _in_db(request, work)
    return RedirectResponse(f"/leads?added={len(added)}&existing={len(existing)}", status_code=303)


# -- the list, the board, export, import ------------------------------------------------------------
def _filters(stage: str, owner: str, chain: str, link: str, overdue: str, q: str) -> dict:
    return {"stage": stage if stage in STAGES else None, "owner": owner.strip() or None, "chain": chain or None, "link": link or None,
            "overdue": True if overdue else None, "q": q.strip() or None}


@router.get("/leads")
async def leads_page(
    request: Request, lang: LangQuery = None, stage: Text = "", owner: Text = "", chain: Text = "", link: Text = "",
    overdue: Annotated[str, Query(max_length=5)] = "", q: Text = "", page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    added: Annotated[int | None, Query(ge=0)] = None, existing: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    filters = _filters(stage, owner, chain, link, overdue, q)
    notice = ("ok", "leads_added", {"added": added, "existing": existing or 0}) if added is not None else None
    return await _list(request, lang, filters, page, notice)


async def _list(request: Request, lang: str | None, filters: dict, page: int = 1, notice: tuple | None = None, status_code: int = 200):
    def work(db):
        rows, total = list_leads(db, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return [lead_dict(lead) for lead in rows], total

    leads, total = await _in_db(request, work)
    names = _links(await recommender_of(request))
    shown = {k: ("1" if v is True else v or "") for k, v in filters.items()}
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "leads.html", lang, {"leads": leads, "total": total, "page": page, "pages": pages, "filters": shown,
                                                "stages": STAGES, "names": names, "notice": notice}, status_code=status_code)


@router.get("/leads/board")
async def board_page(request: Request, lang: LangQuery = None, owner: Text = "", chain: Text = "") -> Response:
    filters = _filters("", owner, chain, "", "", "")

    def work(db):
        rows, _ = list_leads(db, **filters, limit=5000)
        return [lead_dict(lead) for lead in rows]

    leads = await _in_db(request, work)
    columns = [(code, [lead for lead in leads if lead["stage"] == code]) for code in STAGES]
    return render(request, "board.html", lang, {"columns": columns, "filters": {k: v or "" for k, v in filters.items()},
                                                "names": _links(await recommender_of(request))})


@router.get("/leads/export.xlsx")
async def export_page(request: Request, stage: Text = "", owner: Text = "", chain: Text = "", link: Text = "",
                      overdue: Annotated[str, Query(max_length=5)] = "", q: Text = "") -> Response:
    folder = Path(tempfile.mkdtemp(prefix="leads-"))

    def work(db):
        rows, _ = list_leads(db, **_filters(stage, owner, chain, link, overdue, q), limit=1_000_000)
        return export_xlsx(rows, folder / "leads.xlsx")

    path = await _in_db(request, work)
    return FileResponse(path, media_type=XLSX_TYPE, filename=f"leads-{dt.date.today():%Y%m%d}.xlsx",
                        background=BackgroundTask(shutil.rmtree, folder, True))


@router.post("/leads/import")
async def import_page(request: Request, file: Annotated[UploadFile | None, File()] = None, lang: LangQuery = None) -> Response:
    if (refused := await refusal(request, lang, "officer")) is not None:
        return refused
    suffix = PurePath(file.filename or "").suffix.lower() if file is not None else ""
    if file is None or suffix not in (".csv", ".xlsx"):
        return await _list(request, lang, _filters("", "", "", "", "", ""), notice=("error", "bad_type", {"suffix": suffix or "(none)"}),
                           status_code=415)
    folder = Path(tempfile.mkdtemp(prefix="leads-import-"))
    actor = signed_actor(request)
    try:
        path = folder / f"upload{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        report = await _in_db(request, lambda db: import_leads(db, path, actor=actor.name))
    except LeadImportError as exc:
        lines = "; ".join(f"{row}: {column}: {message}" for row, column, message in exc.problems[:20])
        return await _list(request, lang, _filters("", "", "", "", "", ""),
                           notice=("error", "import_problems", {"n": len(exc.problems), "lines": lines}), status_code=422)
    except (InputFileError, EncodingError) as exc:
        return await _list(request, lang, _filters("", "", "", "", "", ""),
                           notice=("error", "bad_file", {"message": str(exc).replace(str(folder), "")}), status_code=422)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    notice = ("ok", "imported", {"created": len(report.created), "existing": len(report.duplicates)})
    return await _list(request, lang, _filters("", "", "", "", "", ""), notice=notice)


# -- one lead ---------------------------------------------------------------------------------------
async def _lead_page(request: Request, lang: str | None, lead_id: int, form: dict | None = None, notice: tuple | None = None,
                     status_code: int = 200) -> Response:
    def work(db):
        try:
            lead = get_lead(db, lead_id)
        except LeadNotFound:
            return None
        return lead_dict(lead), lead_history(db, lead_id)

    found = await _in_db(request, work)
    if found is None:
        return render(request, "message.html", lang, {"message": "not_found"}, status_code=404)
    lead, history = found
    values = {name: "" if lead[name] is None else str(lead[name]) for name in _FIELDS}
    values.update(form or {})
    stages = {code: zh for code, zh in STAGES.items() if code == lead["stage"] or code in allowed_moves(lead["stage"])}
    return render(request, "lead.html", lang, {"lead": lead, "history": history, "form": values, "stages": stages, "notice": notice,
                                               "names": _links(await recommender_of(request))}, status_code=status_code)


@router.get("/leads/{lead_id:int}")
async def lead_page(request: Request, lead_id: int, lang: LangQuery = None) -> Response:
    return await _lead_page(request, lang, lead_id)


def _changes(lead, form: dict[str, str]) -> dict:
    """The fields the officer changed (blank text clears a field)."""
    changes = {}
    for name in _FIELDS:
        text = form.get(name, "").strip()
        value: object = text or None
        if name == "next_step_date" and text:
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                raise LeadError(name, f"日期格式应为 2025-03-01 / a date like 2025-03-01, not {text[:20]!r}") from None
        if name == "stage" and not text:
            continue
        if value != getattr(lead, name):
            changes[name] = value
    return changes


@router.post("/leads/{lead_id:int}")
async def lead_save(request: Request, lead_id: int, lang: LangQuery = None) -> Response:
    if (refused := await refusal(request, lang, "officer")) is not None:
        return refused
    raw = await request.form()
    form = {name: str(raw.get(name, ""))[:4000] for name in _FIELDS}
    version = int(str(raw.get("version", "0")) or 0) if str(raw.get("version", "0")).isdigit() else 0
    actor = actor_of(request)

    def work(db):
        try:
            lead = get_lead(db, lead_id)
            changes = _changes(lead, form)
            if not changes:
                return "no_change", None
            update_lead_row(db, lead_id, version, changes, actor=actor.name)
            return "saved", None
        except StaleLead as exc:  # the attempt stays in the history (this session commits)
            return "stale", {"by": exc.current.updated_by, "at": f"{exc.current.updated_at:%Y-%m-%d %H:%M:%S} UTC"}
        except LeadNotFound:
            return "not_found", None
        except StageMoveError as exc:
            return "order", {"text": exc.message}
        except LeadError as exc:
            return "invalid", {"text": str(exc)}

    outcome, detail = await _in_db(request, work)
    if outcome == "not_found":
        return render(request, "message.html", lang, {"message": "not_found"}, status_code=404)
    if outcome == "stale":
        return await _lead_page(request, lang, lead_id, form, ("error", "lead_stale", detail), status_code=409)
    if outcome in ("invalid", "order"):
        return await _lead_page(request, lang, lead_id, form, ("error", "raw", detail), status_code=422 if outcome == "invalid" else 409)
    return await _lead_page(request, lang, lead_id, None, ("ok", "lead_saved" if outcome == "saved" else "no_change", {}))
