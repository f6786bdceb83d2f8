"""Migrations, run from the package (no ``alembic.ini`` needed): upgrade, downgrade, check.

The migration scripts live in ``api/db/migrations/versions``. :func:`schema_state` tells a
database at the newest revision from one that is empty or behind; the service creates the
schema of an empty database itself (so ``recommender serve`` needs no set-up) and refuses to
start on one that is behind, naming ``recommender db upgrade``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from ..exceptions import SchemaBehindError

__all__ = ["SchemaBehindError", "downgrade", "ensure_schema", "head_revision", "schema_state", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
UPGRADE_COMMAND = "recommender db upgrade"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Apply migrations up to ``revision``; the revision reached."""
    command.upgrade(_config(engine), revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    """Undo migrations down to ``revision`` (``base``: an empty schema)."""
    command.downgrade(_config(engine), revision)
    return current_revision(engine)


def schema_state(engine: Engine) -> str:
    """``"current"``, ``"empty"`` (no tables at all), ``"behind"`` or ``"unknown"`` (a revision
    this version does not know: a newer service migrated it)."""
    current = current_revision(engine)
    if current == head_revision():
        return "current"
    if current is None:
        return "empty" if set(inspect(engine).get_table_names()) <= {"alembic_version"} else "behind"
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    return "behind" if current in known else "unknown"


def ensure_schema(engine: Engine) -> None:
    """Create the schema of an empty database; refuse one that is behind or unknown.

    Raises
    ------
    SchemaBehindError
        With a message in Chinese and English that names the command to run.
    """
    state = schema_state(engine)
    if state == "empty":
        upgrade(engine)
    elif state == "behind":
        raise SchemaBehindError(
            f"数据库结构版本落后（{current_revision(engine)} → {head_revision()}），请先运行 `{UPGRADE_COMMAND}` / "
            f"the database schema is behind ({current_revision(engine)}, this version needs {head_revision()}); run `{UPGRADE_COMMAND}` first"
        )
    elif state == "unknown":
        raise SchemaBehindError(
            f"数据库结构版本 {current_revision(engine)} 未知（由更新的版本创建？）/ the database schema revision "
            f"{current_revision(engine)} is unknown to this version (made by a newer release?); upgrade the service"
        )
