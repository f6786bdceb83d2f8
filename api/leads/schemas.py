"""Request and response bodies of the lead, sign-in and model endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LeadCreate", "LeadEventOut", "LeadListOut", "LeadOut", "LeadUpdate", "ModelOut", "SignIn", "SignedIn"]

Short = Annotated[str, Field(max_length=200)]
Long = Annotated[str, Field(max_length=5000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class SignedIn(BaseModel):
    name: str
    role: str
    csrf_token: str | None = Field(None, description="Send it as X-CSRF-Token (or a form's csrf_token) with every change")


class Scored(_Strict):
    score: Annotated[float, Field(ge=0, le=100)] | None = None
    likelihood: Annotated[float, Field(ge=0, le=1)] | None = None
    priority: Annotated[float, Field(ge=0, le=100)] | None = None
    chain_id: Annotated[str, Field(max_length=64)] | None = None
    link_id: Annotated[str, Field(max_length=64)] | None = None
    action: Annotated[str, Field(max_length=16)] | None = None
    park: Short | None = None
    model_version: Annotated[str, Field(max_length=128)] | None = None
    map_version: Annotated[str, Field(max_length=128)] | None = None


class LeadCreate(_Strict):
    """A firm to add: its profile and, optionally, its score when ranked (left out: scored now
    with the served map and model); or ``ranked_row``, a row of a ranked file as it is."""

    profile: dict[str, str | int | float | None] | None = Field(None, description="canonical fields: name, description, city …")
    ranked_row: dict[str, str | int | float | None] | None = Field(None, description="a row of a ranked file (its headers as keys)")
    scored: Scored | None = None
    credit_code: Annotated[str, Field(max_length=40)] | None = None
    stage: Annotated[str, Field(max_length=16)] = "lead"
    owner: Annotated[str, Field(max_length=64)] | None = None
    next_step: Long | None = None
    next_step_date: dt.date | None = None
    notes: Long | None = None
    lost_reason: Long | None = None


class LeadUpdate(_Strict):
    """Fields to change (left out: kept) and the version they were read at."""

    version: Annotated[int, Field(ge=1)]
    stage: Annotated[str, Field(max_length=16)] | None = None
    lost_reason: Long | None = None
    owner: Annotated[str, Field(max_length=64)] | None = None
    next_step: Long | None = None
    next_step_date: dt.date | None = None
    notes: Long | None = None
    first_contact_date: dt.date | None = None


class LeadOut(BaseModel):
    id: int
    name: str
    credit_code: str | None
    stage: str
    stage_zh: str
    lost_reason: str | None
    owner: str | None
    next_step: str | None
    next_step_date: dt.date | None
    overdue: bool
    notes: str | None
    profile: dict[str, Any]
    score: float | None
    likelihood: float | None
    priority: float | None
    chain_id: str | None
    link_id: str | None
    action: str | None
    park: str | None
    model_version: str | None
    map_version: str | None
    first_contact_date: dt.date | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str
    version: int


class LeadListOut(BaseModel):
    total: int
    leads: list[LeadOut]


class LeadEventOut(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    kind: str
    stage_from: str | None
    stage_to: str | None
    changes: dict[str, Any]
    version: int


class ModelOut(BaseModel):
    id: str
    status: str
    outcomes: int
    positives: int
    first_date: dt.date
    last_date: dt.date
    created_at: dt.datetime
    created_by: str
    promoted_at: dt.datetime | None
    promoted_by: str | None
    metrics: dict[str, Any]
    card: str | None = None
