"""The lead pipeline (线索管理): create, read, list, update with a version check, history.

Every function takes an open SQLAlchemy ``Session`` (the caller owns the transaction, e.g.
:func:`api.db.session_scope`) and the actor's name, which is recorded with every change. Pages
and the REST routes call these same functions.

Concurrent edits: :func:`update_lead` applies a change only to the version the editor saw
(``UPDATE … WHERE version = ?``); a stale change raises :class:`StaleLead` after adding a
``rejected`` entry with what was meant to the history, so commit the session before answering
409: nothing an officer entered is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from recommender.tables import CANONICAL_COLUMNS

from ..db.models import Lead, LeadEvent, utcnow
from ..exceptions import LeadError, LeadExists, LeadNotFound, StageMoveError, StaleLead
from .stages import CLOSED_STAGES, OPEN_STAGES, STAGES, check_move, firm_key, normalise_credit_code, normalise_name, parse_stage

__all__ = [
    "EDITABLE", "SCORE_FIELDS", "LeadError", "LeadExists", "LeadNotFound", "NewLead", "StageMoveError", "StaleLead", "create_lead",
    "get_lead", "lead_dict", "lead_history", "list_leads", "update_lead",
]

_T = TypeVar("_T")

#: What a lead keeps of the score at the time it was added.
SCORE_FIELDS = ("score", "likelihood", "priority", "chain_id", "link_id", "action", "park", "model_version", "map_version")
#: What an update may change.
EDITABLE = ("stage", "lost_reason", "owner", "next_step", "next_step_date", "notes", "first_contact_date")


@dataclass
class NewLead:
    """A firm to add: its profile (canonical field → text) and, optionally, its score at the time."""

    profile: dict[str, str]
    credit_code: str | None = None
    scored: dict[str, Any] = field(default_factory=dict)  # keys of SCORE_FIELDS
    stage: str = "lead"
    owner: str | None = None
    next_step: str | None = None
    next_step_date: dt.date | None = None
    notes: str | None = None
    lost_reason: str | None = None
    first_contact_date: dt.date | None = None


def _clean_profile(profile: Mapping[str, object]) -> dict[str, str]:
    unknown = sorted(set(profile) - set(CANONICAL_COLUMNS))
    if unknown:
        raise LeadError("profile", f"未知字段 / unknown fields {unknown}; expected {', '.join(CANONICAL_COLUMNS)}")
    out = {key: ("" if value is None else str(value)).strip() for key, value in profile.items()}
    if not out.get("name"):
        raise LeadError("profile.name", "企业名称必填 / the firm name is required")
    return out


def _find_same_firm(db: Session, key: str, name_key: str, code: str | None) -> Lead | None:
    """The lead of the same firm: the same credit code, or the same normalised name where at
    most one side has a code."""
    lead = db.scalar(select(Lead).where(Lead.firm_key == key))
    if lead is not None:
        return lead
    query = select(Lead).where(Lead.name_key == name_key)
    if code is not None:
        query = query.where(Lead.credit_code.is_(None))
    return db.scalars(query.limit(1)).first()


def _read(field: str, parse: Callable[..., _T], *args: Any) -> _T:
    """``parse(*args)``, its ValueError raised as a :class:`LeadError` on ``field``."""
    try:
        return parse(*args)
    except ValueError as exc:
        raise LeadError(field, str(exc)) from None


def create_lead(db: Session, new: NewLead, *, actor: str, request_id: str | None = None, today: dt.date | None = None) -> Lead:
    """Add a firm to the pipeline.

    Raises
    ------
    LeadError
        An unknown profile field, no name, a bad credit code, stage or score field.
    LeadExists
        The firm has a lead already (by credit code or normalised name).
    """
    profile = _clean_profile(new.profile)
    code = _read("credit_code", normalise_credit_code, new.credit_code)
    key = _read("profile.name", firm_key, profile["name"], code)
    stage = _read("stage", parse_stage, new.stage)
    unknown = sorted(set(new.scored) - set(SCORE_FIELDS))
    if unknown:
        raise LeadError("scored", f"unknown fields {unknown}")
    if stage == "lost" and not (new.lost_reason or "").strip():
        raise LeadError("lost_reason", "流失须填写原因 / a lost lead needs a reason")
    name_key = normalise_name(profile["name"])
    existing = _find_same_firm(db, key, name_key, code)
    if existing is not None:
        raise LeadExists(existing)
    now = utcnow()
    first_contact = new.first_contact_date or ((today or now.date()) if stage != "lead" else None)
    lead = Lead(
        firm_key=key, name=profile["name"][:300], name_key=name_key, credit_code=code, stage=stage, lost_reason=new.lost_reason,
        owner=new.owner, next_step=new.next_step, next_step_date=new.next_step_date, notes=new.notes, profile=profile,
        first_contact_date=first_contact, closed_at=now if stage in CLOSED_STAGES else None,
        created_at=now, created_by=actor, updated_at=now, updated_by=actor, version=1,
        **{name: new.scored.get(name) for name in SCORE_FIELDS},
    )
    db.add(lead)
    db.flush()
    db.add(LeadEvent(lead_id=lead.id, at=now, actor=actor, kind="created", stage_from=None, stage_to=stage,
                     changes={"stage": stage, "owner": new.owner}, version=0, request_id=request_id))
    db.flush()
    return lead


def get_lead(db: Session, lead_id: int) -> Lead:
    lead = db.get(Lead, lead_id, populate_existing=True)
    if lead is None:
        raise LeadNotFound(f"no lead {lead_id}")
    return lead


def list_leads(
    db: Session, *, stage: str | None = None, owner: str | None = None, chain: str | None = None, link: str | None = None,
    overdue: bool | None = None, q: str | None = None, today: dt.date | None = None, limit: int = 100, offset: int = 0,
) -> tuple[list[Lead], int]:
    """Leads matching the filters, the most recently changed first, and how many match in all.

    ``overdue``: open leads whose next step's date has passed (False: the others).
    """
    query = select(Lead)
    if stage is not None:
        query = query.where(Lead.stage == parse_stage(stage))
    if owner is not None:
        query = query.where(Lead.owner == owner)
    if chain is not None:
        query = query.where(Lead.chain_id == chain)
    if link is not None:
        query = query.where(Lead.link_id == link)
    if q:
        query = query.where(or_(Lead.name.contains(q, autoescape=True), Lead.name_key.contains(normalise_name(q), autoescape=True)))
    if overdue is not None:
        late = Lead.stage.in_(OPEN_STAGES) & (Lead.next_step_date < (today or dt.date.today()))
        query = query.where(late if overdue else ~late | Lead.next_step_date.is_(None))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(Lead.updated_at.desc(), Lead.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), int(total)


def _values(lead: Lead, changes: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise LeadError(unknown[0], f"不可修改 / cannot be changed; editable: {', '.join(EDITABLE)}")
    values = dict(changes)
    if "stage" in values:
        try:
            values["stage"] = parse_stage(values["stage"])
        except ValueError as exc:
            raise LeadError("stage", str(exc)) from None
    stage = values.get("stage", lead.stage)
    try:
        check_move(lead.stage, stage)
    except ValueError as exc:
        raise StageMoveError("stage", str(exc)) from None
    reason = values.get("lost_reason", lead.lost_reason)
    if stage == "lost" and not (reason or "").strip():
        raise LeadError("lost_reason", "流失须填写原因 / moving a lead to 流失 (lost) needs a reason")
    if stage != lead.stage:
        if stage != "lead" and lead.first_contact_date is None and "first_contact_date" not in values:
            values["first_contact_date"] = today
        if stage in CLOSED_STAGES and lead.stage not in CLOSED_STAGES:
            values["closed_at"] = utcnow()
        elif stage not in CLOSED_STAGES:
            values["closed_at"] = None
    return values


def _jsonable(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for k, v in changes.items()}


def _reject(db: Session, current: Lead, version: int, changes: Mapping[str, Any], actor: str, request_id: str | None,
            now: dt.datetime) -> NoReturn:
    """Keep a stale attempt in the history as ``rejected`` and raise :class:`StaleLead`."""
    stage = changes.get("stage")
    try:
        stage_to = parse_stage(stage) if isinstance(stage, str) else None
    except ValueError:
        stage_to = None
    db.add(LeadEvent(lead_id=current.id, at=now, actor=actor, kind="rejected", stage_from=current.stage,
                     stage_to=stage_to, changes=_jsonable(changes), version=version, request_id=request_id))
    db.flush()
    raise StaleLead(current, version)


def update_lead(
    db: Session, lead_id: int, version: int, changes: Mapping[str, Any], *, actor: str,
    request_id: str | None = None, today: dt.date | None = None,
) -> Lead:
    """Apply ``changes`` (fields of :data:`EDITABLE`) to the lead at ``version``.

    Raises
    ------
    LeadNotFound
    LeadError
        An unknown field or stage; 流失 without a reason.
    StageMoveError
        A move against the pipeline's order (back, or out of 落地).
    StaleLead
        The lead changed since ``version``; the attempt is in its history as ``rejected``
        (commit the session to keep it).
    """
    lead = get_lead(db, lead_id)
    today = today or dt.date.today()
    now = utcnow()
    if lead.version != version:  # stale before anything else: the move is judged on the stage the writer saw
        _reject(db, lead, version, changes, actor, request_id, now)
    values = _values(lead, changes, today)
    stage_from = lead.stage
    result = db.execute(
        update(Lead).where(Lead.id == lead_id, Lead.version == version)
        .values(**values, updated_at=now, updated_by=actor, version=Lead.version + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:  # an UPDATE answers a CursorResult
        _reject(db, get_lead(db, lead_id), version, changes, actor, request_id, now)
    db.add(LeadEvent(lead_id=lead_id, at=now, actor=actor, kind="updated", stage_from=stage_from, stage_to=values.get("stage", stage_from),
                     changes=_jsonable(changes), version=version, request_id=request_id))
    db.flush()
    return get_lead(db, lead_id)


def lead_history(db: Session, lead_id: int) -> list[LeadEvent]:
    """The lead's history, oldest first: created, every update, every refused stale update."""
    get_lead(db, lead_id)
    return list(db.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)).all())


def lead_dict(lead: Lead, *, today: dt.date | None = None) -> dict[str, Any]:
    """A JSON-ready view of a lead (stage as code and Chinese name, ``overdue`` computed)."""
    today = today or dt.date.today()
    out = {c: getattr(lead, c) for c in (
        "id", "name", "credit_code", "stage", "lost_reason", "owner", "next_step", "next_step_date", "notes", "profile",
        *SCORE_FIELDS, "first_contact_date", "closed_at", "created_at", "created_by", "updated_at", "updated_by", "version")}
    out["stage_zh"] = STAGES[lead.stage]
    out["overdue"] = bool(lead.stage in OPEN_STAGES and lead.next_step_date is not None and lead.next_step_date < today)
    return out
