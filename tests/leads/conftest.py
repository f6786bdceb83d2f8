"""Databases for the data-layer tests: every test runs against SQLite and a real PostgreSQL.

PostgreSQL: ``RECOMMENDER_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
each test gets its own schema, dropped afterwards. Without a server the PostgreSQL cases are
skipped, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.db import make_engine

PG_URL = os.environ.get("RECOMMENDER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_admin():
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        engine.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {make_url(PG_URL).render_as_string(hide_password=True)} does not answer (CI needs it): {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    admin = _pg_admin()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url):
    """An engine on a database migrated to the newest revision."""
    from api.db import ensure_schema

    engine = make_engine(database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()
