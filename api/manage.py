"""What the ``recommender db|users|keys|models`` commands and ``train --from-db`` do.

The command line (``recommender/cli.py``) imports this module only when one of these commands
runs, so the library itself needs no database packages. Settings come from the same
``RECOMMENDER_*`` variables as the service, so the commands act on the service's database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from recommender import load_map

from .auth import add_api_key, add_user
from .db import ensure_schema, make_engine, schema_state, session_scope
from .db.audit import import_file_audit
from .db.migrate import current_revision, head_revision, upgrade
from .db.models import ModelRecord
from .leads.training import TrainResult, promote, served_model, train_from_pipeline
from .settings import Settings

__all__ = ["add_key", "create_user", "db_upgrade", "list_models", "promote_model", "train_from_db"]

#: The actor recorded for changes made from the command line.
CLI_ACTOR = "cli"


def _engine(settings: Settings | None):
    settings = settings or Settings()
    return settings, make_engine(settings.database)


def db_upgrade(settings: Settings | None = None) -> tuple[str | None, str | None]:
    """Apply every migration, then carry the old audit file's entries in (once); (revision before, after)."""
    settings, engine = _engine(settings)
    try:
        before = current_revision(engine)
        after = upgrade(engine)
        import_file_audit(engine, settings.audit_path, settings.map_dir)
        return before, after
    finally:
        engine.dispose()


def db_status(settings: Settings | None = None) -> tuple[str, str | None, str]:
    """(state, current revision, newest revision)."""
    _, engine = _engine(settings)
    try:
        return schema_state(engine), current_revision(engine), head_revision()
    finally:
        engine.dispose()


def create_user(name: str, role: str, password: str, settings: Settings | None = None) -> None:
    settings, engine = _engine(settings)
    try:
        ensure_schema(engine)
        with session_scope(engine) as db:
            add_user(db, name, password, role, actor=CLI_ACTOR)
    finally:
        engine.dispose()


def add_key(name: str, role: str, settings: Settings | None = None) -> str:
    settings, engine = _engine(settings)
    try:
        ensure_schema(engine)
        with session_scope(engine) as db:
            return add_api_key(db, name, role, actor=CLI_ACTOR)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ModelRow:
    id: str
    status: str
    outcomes: int
    positives: int
    period: str
    created: str


def list_models(settings: Settings | None = None) -> list[ModelRow]:
    settings, engine = _engine(settings)
    try:
        ensure_schema(engine)
        with session_scope(engine) as db:
            return [ModelRow(r.id, r.status, r.outcomes, r.positives, f"{r.first_date} – {r.last_date}", f"{r.created_at:%Y-%m-%d %H:%M}")
                    for r in db.scalars(select(ModelRecord).order_by(ModelRecord.created_at))]
    finally:
        engine.dispose()


def promote_model(model_id: str, settings: Settings | None = None) -> str:
    """Promote a stored model; a running service serves it within about a second."""
    settings, engine = _engine(settings)
    try:
        ensure_schema(engine)
        with session_scope(engine) as db:
            return promote(db, settings, model_id, load_map(settings.map_dir), actor=CLI_ACTOR).id
    finally:
        engine.dispose()


def train_from_db(settings: Settings | None = None, *, test_share: float = 0.25) -> TrainResult:
    """Train a candidate from the pipeline's outcomes (see :func:`api.leads.training.train_from_pipeline`)."""
    settings, engine = _engine(settings)
    try:
        ensure_schema(engine)
        chain_map = load_map(settings.map_dir)
        with session_scope(engine) as db:
            return train_from_pipeline(db, settings, chain_map, actor=CLI_ACTOR, current=served_model(settings), test_share=test_share)
    finally:
        engine.dispose()
