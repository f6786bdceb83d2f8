"""POST /v1/rank: a CSV or XLSX file of candidate firms in, the ranked file back.

The upload is saved to a private temporary folder and ranked by ``Recommender.rank_file``,
the same code as ``recommender rank``: every row comes back exactly once, formula-like cells
are neutralised, CSV output starts with a UTF-8 BOM.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from recommender import InputFileError

from ..deps import RecommenderDep, SettingsDep
from ..errors import ApiError
from ..schemas import ErrorItem, ErrorResponse, Lang, RankReportResponse
from ..shutdown import interruptible

router = APIRouter(tags=["rank"])

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BY_SUFFIX = {".csv": ".csv", ".txt": ".csv", ".xlsx": ".xlsx"}
_BY_TYPE = {"text/csv": ".csv", "application/csv": ".csv", "text/plain": ".csv", XLSX_TYPE: ".xlsx"}
_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20


def _kind(upload: UploadFile) -> str:
    """``.csv`` or ``.xlsx`` from the file name, else the part's content type; 415 otherwise."""
    suffix = PurePath(upload.filename or "").suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if not suffix and content_type in _BY_TYPE:
        return _BY_TYPE[content_type]
    hint = "；旧版 .xls 请另存为 .xlsx / save legacy .xls as .xlsx" if suffix == ".xls" else ""
    item = ErrorItem(loc=["body", "file"], msg=f"unsupported file type {suffix or content_type or '(none)'!r}; accepted: .csv, .xlsx", type="file_type")
    raise ApiError(415, f"不支持的文件类型 / unsupported file type{hint}", detail=[item])


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/csv" not in accept and XLSX_TYPE not in accept


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as JSON-ready dicts (numpy numbers → numbers, missing → null)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False)) if len(frame) else []


def _output_name(upload: UploadFile, kind: str) -> str:
    stem = PurePath(PurePath(upload.filename or "").name).stem or "firms"
    return f"{stem[:100]}-ranked{kind}"


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(magic)) == magic


def _save(upload: UploadFile, target: Path) -> None:
    """Copy the spooled upload to ``target`` (blocking: run it in the thread pool)."""
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, _CHUNK)


@router.post(
    "/rank",
    summary="Rank an uploaded file / 上传文件排序",
    response_class=FileResponse,
    responses={
        200: {
            "description": "the ranked file, same format as the upload (or, with Accept: application/json, a report)",
            "model": RankReportResponse,  # the JSON report's schema (FastAPI puts it under application/json)
            "content": {"text/csv": {}, XLSX_TYPE: {}},
        },
        413: {"model": ErrorResponse, "description": "upload or rows over the limit"},
        415: {"model": ErrorResponse, "description": "not a .csv or .xlsx file"},
        422: {"model": ErrorResponse, "description": "the file cannot be read (encoding, header, malformed)"},
        429: {"model": ErrorResponse, "description": "too many uploads being ranked; retry later"},
        503: {"model": ErrorResponse, "description": "the map is not loaded"},
    },
)
async def rank(
    request: Request,
    file: Annotated[UploadFile, File(description="候选企业表（CSV：UTF-8/GBK/GB18030；或 XLSX）/ candidate firms")],
    recommender: RecommenderDep,
    settings: SettingsDep,
    top: Annotated[int, Query(ge=0, le=1000, description="the N best rows listed in the JSON report (the file keeps every row)")] = 10,
    shortlist: Annotated[int, Query(ge=0, le=1000, description="pick K firms that together serve the most need (0: none)")] = 0,
    lang: Annotated[Lang, Query(description="语言 / language of names and reasons")] = "zh",
) -> Response:
    """Rank every row of the file, best first; the ranked file comes back in the same format.

    Headers: ``X-Rows``, ``X-Bad-Rows``, ``X-Matched-Rows``, ``X-Map-Version``, ``X-Model-Version``. With
    ``Accept: application/json`` the answer is instead a JSON report: the counts, the ``top``
    best rows and the shortlist's coverage.
    """
    kind = _kind(file)
    semaphore: asyncio.Semaphore = request.app.state.rank_slots
    if semaphore.locked():
        raise ApiError(429, "排序任务繁忙，请稍后重试 / busy ranking other uploads; retry later", headers={"Retry-After": "10"})
    async with semaphore:
        folder = Path(tempfile.mkdtemp(prefix="recommender-rank-"))
        try:
            source, target = folder / f"upload{kind}", folder / f"ranked{kind}"
            await run_in_threadpool(_save, file, source)
            if kind == ".xlsx" and not _starts_with(source, _ZIP_MAGIC):
                item = ErrorItem(loc=["body", "file"], msg="the file is not an XLSX workbook (no zip signature)", type="file_type")
                raise ApiError(415, "不是有效的 XLSX 文件 / not an XLSX file", detail=[item])
            try:
                report = await interruptible(  # a SIGTERM ends the request (503) without waiting for the read
                    request, recommender.rank_file, source, target, lang=lang, top=top, shortlist=shortlist, max_rows=settings.max_upload_rows,
                )
            except InputFileError as exc:
                if exc.reason == "too_many_rows":
                    item = ErrorItem(loc=["body", "file"], msg=f"more than {settings.max_upload_rows} data rows", type="too_many_rows")
                    raise ApiError(413, f"行数超出上限 / more than {settings.max_upload_rows} rows", detail=[item]) from None
                raise
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    if _wants_json(request):
        shutil.rmtree(folder, ignore_errors=True)
        return JSONResponse(RankReportResponse.model_validate({
            **{name: getattr(report, name) for name in RankReportResponse.model_fields if hasattr(report, name)},
            "map_version": recommender.map_version, "top": _records(report.top), "header_rows": list(report.header_rows),
            "coverage": report.coverage.summary(lang) if report.coverage is not None else None,
            "columns": [use.as_dict(lang) for use in report.columns],
        }).model_dump())
    headers = {
        "X-Rows": str(report.rows),
        "X-Bad-Rows": str(report.bad_rows),
        "X-Matched-Rows": str(report.matched_rows),
        "X-Map-Version": recommender.map_version,
        "X-Model-Version": recommender.model_version,
    }
    return FileResponse(
        target,
        media_type=CSV_TYPE if kind == ".csv" else XLSX_TYPE,
        filename=_output_name(file, kind),
        headers=headers,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
