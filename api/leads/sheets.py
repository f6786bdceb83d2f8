"""Leads in and out of spreadsheets: XLSX export, import of a lead list, a ranked row as a lead.

The import reads CSV or XLSX with the library's table reader (:func:`recommender.tables.open_table`:
the same encodings, title rows and header aliases as a candidate list), so the profile columns
are recognised as everywhere else; the pipeline's own columns are:

==================  =========================================================
field               accepted headers (case, width and spaces ignored)
==================  =========================================================
credit_code         统一社会信用代码, 信用代码, credit_code, credit code
stage               阶段, 跟进阶段, stage
owner               负责人, 跟进人, owner
next_step           下一步, 下一步工作, next_step, next step
next_step_date      下一步日期, 计划日期, next_step_date, next step date
notes               备注, notes
lost_reason         流失原因, lost_reason, lost reason
first_contact_date  首次接触日期, first_contact_date, contact_date
==================  =========================================================

An exported file imports again unchanged (its headers are among these). Every problem of an
import is reported at once, naming the data row and the column; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy.orm import Session

from recommender import ChainMap
from recommender.likelihood._outcomes import _parse_date
from recommender.tables import CANONICAL_COLUMNS, open_table

from ..db.models import Lead
from ..exceptions import LeadImportError
from .service import SCORE_FIELDS, LeadError, LeadExists, NewLead, create_lead, lead_dict

__all__ = ["ImportReport", "LeadImportError", "export_xlsx", "import_leads", "new_lead_from_ranked_row"]

PIPELINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code", "credit code"),
    "stage": ("阶段", "跟进阶段", "stage"),
    "owner": ("负责人", "跟进人", "owner"),
    "next_step": ("下一步", "下一步工作", "next_step", "next step"),
    "next_step_date": ("下一步日期", "计划日期", "next_step_date", "next step date"),
    "notes": ("备注", "notes"),
    "lost_reason": ("流失原因", "lost_reason", "lost reason"),
    "first_contact_date": ("首次接触日期", "first_contact_date", "contact_date"),
}
_SCORE_HEADERS = {"score": "评分", "likelihood": "落地可能性", "priority": "优先级", "chain_id": "产业链ID", "link_id": "环节ID",
                  "action": "动作", "park": "园区", "model_version": "模型版本", "map_version": "图谱版本"}
_DATES = ("next_step_date", "first_contact_date")


def _key(header: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", header).replace("_", " ").casefold().split())


_ALIASES = {_key(alias): name for name, aliases in PIPELINE_COLUMNS.items() for alias in aliases}
_ALIASES.update({_key(header): name for name, header in _SCORE_HEADERS.items()})
_ALIASES.update({_key(name): name for name in SCORE_FIELDS})
_PROFILE_ALIASES = {_key(alias): name for name, aliases in CANONICAL_COLUMNS.items() for alias in aliases}


def _link_ids(chain_map: ChainMap | None, chain: str, link: str) -> tuple[str | None, str | None]:
    if chain_map is None:
        return None, None
    for c in chain_map.chains:
        if chain in (c.id, c.name.zh, c.name.en):
            for item in c.links:
                if link in (item.id, item.name.zh, item.name.en):
                    return c.id, item.id
            return c.id, None
    return None, None


def new_lead_from_ranked_row(row: Mapping[str, object], chain_map: ChainMap | None = None, *, map_version: str | None = None) -> NewLead:
    """A lead from one row of a ranked file (input columns + the ranking's columns), keeping
    the profile, the score, likelihood, priority, chain, link, action, park and model version."""
    profile: dict[str, str] = {}
    scored: dict[str, Any] = {}
    for header, value in row.items():
        text = "" if value is None else str(value).strip()
        canon = _PROFILE_ALIASES.get(_key(str(header)))
        if canon is not None and text and canon not in profile:
            profile[canon] = text
    for name in ("score", "likelihood", "priority"):
        value = row.get(name)
        scored[name] = float(str(value)) if value not in (None, "") else None
    for name in ("action", "park", "model_version"):
        scored[name] = (str(row[name]) or None) if row.get(name) not in (None, "") else None
    scored["chain_id"], scored["link_id"] = _link_ids(chain_map, str(row.get("chain") or ""), str(row.get("link") or ""))
    scored["map_version"] = map_version
    code = row.get("credit_code") or row.get("统一社会信用代码")
    return NewLead(profile=profile, scored=scored, credit_code=str(code) if code else None)


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)  # lead ids
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (data row, the existing lead's id)


def _row_lead(raw: Mapping[str, str], profile: Mapping[str, str], columns: dict[str, str]) -> tuple[NewLead, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    scored: dict[str, Any] = {}
    for name, header in columns.items():
        text = raw[header].strip()
        if not text:
            continue
        if name in _DATES:
            date = _parse_date(text)
            if date is None:
                problems.append((header, f"日期无法识别 / unparsable date {text[:30]!r}, e.g. 2025-03-01"))
            else:
                values[name] = dt.date.fromisoformat(str(date))
        elif name in ("score", "likelihood", "priority"):
            try:
                scored[name] = float(text)
            except ValueError:
                problems.append((header, f"不是数字 / not a number: {text[:30]!r}"))
        elif name in SCORE_FIELDS:
            scored[name] = text
        else:
            values[name] = text
    lead = NewLead(profile={k: v for k, v in profile.items() if v}, scored=scored, **values)
    return lead, problems


def import_leads(db: Session, path: str | Path, *, actor: str, request_id: str | None = None, max_rows: int = 100_000) -> ImportReport:
    """Import a lead list; firms already in the pipeline are skipped and reported.

    Raises
    ------
    LeadImportError
        Every bad row (unknown stage, bad date or credit code, no name, 流失 without reason).
    InputFileError, EncodingError
        The file cannot be read.
    """
    table = open_table(path, max_rows=max_rows)
    columns = {}
    for header in table.columns:
        name = _ALIASES.get(_key(header))
        if name is not None and name not in columns and header not in table.mapping:
            columns[name] = header
    report = ImportReport()
    problems: list[tuple[int, str, str]] = []
    for chunk in table.chunks():
        for index, raw, profile in zip(chunk.raw.index, chunk.raw.to_dict("records"), chunk.profiles.to_dict("records"), strict=True):
            row = int(str(index)) + 1
            lead, bad = _row_lead({str(k): v for k, v in raw.items()}, {str(k): v for k, v in profile.items()}, columns)
            problems += [(row, column, message) for column, message in bad]
            if bad:
                continue
            try:
                with db.begin_nested():
                    report.created.append(create_lead(db, lead, actor=actor, request_id=request_id).id)
            except LeadExists as exc:
                report.duplicates.append((row, exc.lead.id))
            except LeadError as exc:
                problems.append((row, columns.get(exc.field, exc.field), exc.message))
    if problems:
        raise LeadImportError(str(path), problems)
    return report


_EXPORT = [
    ("id", "ID"), ("name", "企业名称"), ("credit_code", "统一社会信用代码"), ("stage_zh", "阶段"), ("owner", "负责人"),
    ("next_step", "下一步"), ("next_step_date", "下一步日期"), ("overdue", "逾期"), ("notes", "备注"), ("lost_reason", "流失原因"),
    ("first_contact_date", "首次接触日期"), *((name, header) for name, header in _SCORE_HEADERS.items()),
    ("created_at", "创建时间"), ("created_by", "创建人"), ("updated_at", "更新时间"), ("updated_by", "更新人"), ("version", "版本"),
]
_PROFILE_EXPORT = [(name, aliases[0]) for name, aliases in CANONICAL_COLUMNS.items() if name != "name"]


def export_xlsx(leads: list[Lead], target: str | Path) -> Path:
    """Write leads to an XLSX file (text cells as strings, never formulas); re-importable."""
    target = Path(target)
    workbook = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("线索")
    headers = [header for _, header in _EXPORT] + [header for _, header in _PROFILE_EXPORT]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for r, lead in enumerate(leads, start=1):
        data = lead_dict(lead)
        values = [data[name] for name, _ in _EXPORT] + [lead.profile.get(name, "") for name, _ in _PROFILE_EXPORT]
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(r, col, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            elif isinstance(value, dt.datetime):
                sheet.write_string(r, col, value.strftime("%Y-%m-%d %H:%M:%S"))
            elif isinstance(value, dt.date):
                sheet.write_string(r, col, value.isoformat())
            else:
                sheet.write_string(r, col, str(value))
    workbook.close()
    return target

