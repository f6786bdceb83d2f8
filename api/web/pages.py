"""The workbench's ranking pages: upload (``/``), jobs (``/jobs``), results, a firm, downloads.

Each page is rendered on the server; the progress bar polls ``/jobs/{id}/status`` (JSON).
Ranking goes through ``Recommender.rank_file``, the command line's call, in the job runner's
threads (:mod:`api.web.jobs`).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from recommender import EncodingError, InputFileError
from recommender.tables import open_table

from ..shutdown import interruptible
from .firm import bars_svg, firm_view, profile_from_row
from .jobs import FILTER_COLUMNS, Job
from .render import LangQuery, jobs_of, lang_of, recommender_of, render
from .results import SORTS
from .results import Query as ResultQuery
from .results import page as results_page
from .results import row as results_row

router = APIRouter(include_in_schema=False)

_KINDS = {".csv": ".csv", ".txt": ".csv", ".xlsx": ".xlsx"}
_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
_CHUNK = 1 << 20
#: seconds a download of the XLSX waits for the job's XLSX to be written
_XLSX_WAIT = 300


@router.get("/")
async def index(request: Request, lang: LangQuery = None) -> Response:
    return render(request, "index.html", lang, {"error": None})


def _save(upload: UploadFile, folder: Path, kind: str) -> Path:
    handle, name = tempfile.mkstemp(prefix="upload-", suffix=kind, dir=folder)
    upload.file.seek(0)
    with open(handle, "wb") as out:
        shutil.copyfileobj(upload.file, out, _CHUNK)
    return Path(name)


def _check(path: Path, max_rows: int) -> None:
    """Open the table as the ranking will (header, encoding): a bad file is refused before a job is made."""
    table = open_table(path, max_rows=max_rows)
    next(iter(table.chunks()), None)  # the first chunk: malformed rows and the row limit show early


@router.post("/jobs")
async def create_job(
    request: Request,
    file: Annotated[UploadFile | None, File()] = None,
    top: Annotated[int, Form(ge=0, le=1000)] = 20,
    shortlist: Annotated[int, Form(ge=0, le=1000)] = 0,
    lang: LangQuery = None,
) -> Response:
    jobs = jobs_of(request)
    name = PurePath(file.filename or "").name if file is not None else ""
    if file is None or not name:
        return render(request, "index.html", lang, {"error": ("no_file", {})}, status_code=422)
    suffix = PurePath(name).suffix.lower()
    kind = _KINDS.get(suffix)
    if kind is None:
        return render(request, "index.html", lang, {"error": ("bad_type", {"suffix": suffix or "(none)"})}, status_code=415)
    recommender = await recommender_of(request)
    if recommender is None:
        return render(request, "index.html", lang, {"error": ("not_ready", {})}, status_code=503)
    path = await run_in_threadpool(_save, file, jobs.root, kind)
    try:
        await interruptible(request, _check, path, request.app.state.settings.max_upload_rows)
    except (InputFileError, EncodingError) as exc:
        path.unlink(missing_ok=True)
        message = str(exc).replace(str(path), name)
        return render(request, "index.html", lang, {"error": ("bad_file", {"message": message})}, status_code=422)
    t_lang = lang_of(request, lang)
    actor = request.state.actor if "actor" in request.state._state else None
    job = await run_in_threadpool(jobs.create, path, name, kind, recommender=recommender, top=top, shortlist=shortlist, lang=t_lang,
                                  actor=actor.name if actor is not None else None)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs")
async def list_jobs(request: Request, lang: LangQuery = None) -> Response:
    jobs = jobs_of(request)
    listed = await run_in_threadpool(jobs.list)
    return render(request, "jobs.html", lang, {"jobs": [j.status for j in listed], "days": jobs.retention_days})


def _job(request: Request, job_id: str) -> Job | None:
    return jobs_of(request).get(job_id)


@router.get("/jobs/{job_id}/status")
async def job_status(request: Request, job_id: str) -> Response:
    job = _job(request, job_id)
    if job is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    keys = ("id", "state", "rows_done", "rows_total", "rows", "bad_rows", "matched_rows", "error", "xlsx")
    return JSONResponse({k: job.status.get(k) for k in keys})


def _not_found(request: Request, lang: str | None) -> Response:
    return render(request, "message.html", lang, {"message": "not_found"}, status_code=404)


@router.get("/jobs/{job_id}")
async def job_page(
    request: Request,
    job_id: str,
    lang: LangQuery = None,
    chain: Annotated[str, Query(max_length=200)] = "",
    link: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=20)] = "",
    park: Annotated[str, Query(max_length=200)] = "",
    score_min: Annotated[str, Query(max_length=20)] = "",
    score_max: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    errors: Annotated[str, Query(max_length=5)] = "",
    shortlisted: Annotated[str, Query(max_length=5)] = "",
    sort: Annotated[str, Query(max_length=20)] = "rank",
    order: Annotated[str, Query(max_length=4)] = "",
    page: Annotated[int, Query(ge=1, le=10_000_000)] = 1,
    size: Annotated[int, Query(ge=10, le=500)] = 50,
) -> Response:
    job = _job(request, job_id)
    if job is None:
        return _not_found(request, lang)
    if job.status.get("state") != "done":
        return render(request, "progress.html", lang, {"job": job.status})
    sort = sort if sort in SORTS else "rank"
    desc = order == "desc" if order else sort not in ("rank", "name")
    query = ResultQuery(
        chain=chain, link=link, action=action, park=park, score_min=_number(score_min), score_max=_number(score_max), q=q.strip(),
        errors_only=bool(errors), shortlist_only=bool(shortlisted), sort=sort, desc=desc, page=page, size=size,
    )
    found = await run_in_threadpool(results_page, job, query)
    params = {k: v for k, v in {"chain": chain, "link": link, "action": action, "park": park, "score_min": score_min,
                                "score_max": score_max, "q": q, "errors": errors, "shortlisted": shortlisted, "sort": sort,
                                "order": "desc" if desc else "asc", "size": size}.items() if v not in ("", None)}
    return render(request, "results.html", lang, {
        "job": job.status, "page": found, "query": query, "params": params, "filters": FILTER_COLUMNS, "sorts": SORTS,
    })


def _number(text: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return None


@router.get("/jobs/{job_id}/rows/{rank}")
async def firm_page(request: Request, job_id: str, rank: int, lang: LangQuery = None) -> Response:
    job = _job(request, job_id)
    if job is None or job.status.get("state") != "done":
        return _not_found(request, lang)
    stored = await run_in_threadpool(results_row, job, rank)
    recommender = await recommender_of(request)
    if stored is None or recommender is None:
        return _not_found(request, lang)
    t_lang = lang_of(request, lang)
    profile = profile_from_row(stored, job.status.get("mapping", {}))
    view = await run_in_threadpool(firm_view, recommender, profile, t_lang)
    columns = job.columns
    ranked = {name: stored.get(columns[name]) for name in columns}
    inputs = [(c, stored.get(c)) for c in job.status.get("input_columns", [])]
    return render(request, "firm.html", lang, {
        "job": job.status, "view": view, "ranked": ranked, "inputs": inputs, "bars": bars_svg(view["components"]),
        "map_changed": recommender.map_version != job.status.get("map_version"),
    })


async def _xlsx_written(request: Request, job: Job) -> Job:
    """The job once its XLSX is no longer being written (waiting at most :data:`_XLSX_WAIT` seconds)."""
    deadline = time.monotonic() + _XLSX_WAIT
    while job.status.get("xlsx") == "writing" and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        job = _job(request, job.id) or job
    return job


@router.get("/jobs/{job_id}/download/{kind}")
async def download(request: Request, job_id: str, kind: str) -> Response:
    job = _job(request, job_id)
    if job is None or kind not in _TYPES or job.status.get("state") != "done":
        return JSONResponse({"error": "not_found"}, status_code=404)
    if kind == "xlsx" and (job := await _xlsx_written(request, job)).status.get("xlsx", "ready") != "ready":
        message = job.status.get("xlsx_error") or "XLSX 仍在生成，请稍后再试 / the XLSX is still being written: try again shortly"
        return JSONResponse({"error": "xlsx_unavailable", "message": message}, status_code=503 if job.status.get("xlsx") == "writing" else 409)
    stem = PurePath(job.status.get("file", "firms")).stem[:100] or "firms"
    return FileResponse(job.path(f"ranked.{kind}"), media_type=_TYPES[kind], filename=f"{stem}-ranked.{kind}")
