"""The service's tables (SQLAlchemy 2, typed): users, API keys, sessions, leads and their history,
the map-change audit and trained landing models.

The schema is created and changed only by the migrations in ``api/db/migrations`` (see
:mod:`api.db.migrate`); a test checks that these classes and the migrations agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["ApiKey", "Base", "JobRecord", "Lead", "LeadEvent", "MapChange", "ModelRecord", "SignInFailure", "User", "UserSession", "columns", "utcnow"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass a timezone-aware UTC time")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def columns(*, nullable: bool, **types: Any) -> list[Column]:
    """Columns of one nullability for a migration's ``create_table``, in the order given
    (``name=type``): ``*columns(nullable=True, owner=String(64), notes=Text)``."""
    return [Column(name, type_, nullable=nullable) for name, type_ in types.items()]


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class ApiKey(Base):
    """A key for machine clients, stored as its SHA-256 (keys are long random strings)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class UserSession(Base):
    """A sign-in session: the cookie's token is stored as its SHA-256, with the CSRF token."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    ip: Mapped[str | None] = mapped_column(String(64), default=None)


class SignInFailure(Base):
    """Failed sign-ins in a row, per user name and per client address (``user:NAME``, ``ip:ADDR``)."""

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MapChange(Base):
    """A change to the chain map or the served model (the columns of ``recommender.chainmap``)."""

    __tablename__ = "map_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    chain_id: Mapped[str | None] = mapped_column(String(64), default=None)
    link_id: Mapped[str | None] = mapped_column(String(64), default=None)
    before: Mapped[dict[str, Any]]
    after: Mapped[dict[str, Any]]
    map_version_before: Mapped[str] = mapped_column(String(128))
    map_version_after: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str | None] = mapped_column(String(128), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    #: "pending" from before the chain file is replaced until after; "done"; "aborted" when the
    #: process died before the file was replaced (settled by :meth:`DbAuditLog.recover`).
    state: Mapped[str] = mapped_column(String(16), default="done", server_default="done")

    __table_args__ = (Index("ix_map_changes_link", "chain_id", "link_id"),)


class Lead(Base):
    """A firm in the pipeline, with the profile and the score as they were when it was added."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), default=None)
    stage: Mapped[str] = mapped_column(String(16), index=True)
    lost_reason: Mapped[str | None] = mapped_column(Text, default=None)
    owner: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    next_step: Mapped[str | None] = mapped_column(Text, default=None)
    next_step_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    profile: Mapped[dict[str, Any]]
    score: Mapped[float | None] = mapped_column(Float, default=None)
    likelihood: Mapped[float | None] = mapped_column(Float, default=None)
    priority: Mapped[float | None] = mapped_column(Float, default=None)
    chain_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    link_id: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[str | None] = mapped_column(String(16), default=None)
    park: Mapped[str | None] = mapped_column(String(200), default=None)
    model_version: Mapped[str | None] = mapped_column(String(128), default=None)
    map_version: Mapped[str | None] = mapped_column(String(128), default=None)
    first_contact_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)


class LeadEvent(Base):
    """One entry of a lead's history: created, updated, or an update refused as stale (kept, so
    nothing an officer meant is lost)."""

    __tablename__ = "lead_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # created | updated | rejected
    stage_from: Mapped[str | None] = mapped_column(String(16), default=None)
    stage_to: Mapped[str | None] = mapped_column(String(16), default=None)
    changes: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer)  # the lead's version the change was made against
    request_id: Mapped[str | None] = mapped_column(String(128), default=None)


class ModelRecord(Base):
    """A landing model trained from the pipeline: a candidate until an admin promotes it."""

    __tablename__ = "models"

    id: Mapped[str] = mapped_column(String(160), primary_key=True)  # "name/version"
    status: Mapped[str] = mapped_column(String(16))  # candidate | promoted | retired
    path: Mapped[str] = mapped_column(Text)
    card: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]]
    outcomes: Mapped[int] = mapped_column(Integer)
    positives: Mapped[int] = mapped_column(Integer)
    first_date: Mapped[dt.date] = mapped_column(Date)
    last_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    promoted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    promoted_by: Mapped[str | None] = mapped_column(String(64), default=None)


class JobRecord(Base):
    """A ranking job of the workbench: its state and status (the files stay in the job's folder)."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[dict[str, Any]]
