"""Request and response bodies of the lead, sign-in and model endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..db.models import Lead, LeadEvent, ModelRecord
from ..schemas import wire_fields

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


#: A lead as the API answers it: the columns of the ``leads`` table (without its matching keys),
#: the stage's Chinese name and whether the next step is overdue.
LeadOut = create_model(
    "LeadOut",
    **wire_fields(Lead, drop=("firm_key", "name_key"), extra={
        "stage_zh": (str, Field(description="the stage's Chinese name")),
        "overdue": (bool, Field(description="an open lead whose next step's date has passed")),
    }),
)


class LeadListOut(BaseModel):
    total: int
    leads: list[LeadOut]


#: One entry of a lead's history: the columns of the ``lead_events`` table but its lead and request ids.
LeadEventOut = create_model("LeadEventOut", **wire_fields(LeadEvent, drop=("lead_id", "request_id")))


#: A trained landing model: the columns of the ``models`` table but its path; the card only when asked for.
ModelOut = create_model(
    "ModelOut", **wire_fields(ModelRecord, drop=("path",), fields={"card": (str | None, Field(None))}),
)
