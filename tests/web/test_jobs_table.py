"""The workbench's jobs in the database: migration 0003 up and down (SQLite and PostgreSQL), the store on the table."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from api.db import SchemaBehindError, ensure_schema, make_engine, schema_state, session_scope
from api.db.migrate import current_revision, downgrade, head_revision, upgrade
from api.db.models import Base, JobRecord
from api.web.jobs import JobStore
from tests.leads.conftest import database_url  # noqa: F401 - the SQLite/PostgreSQL fixture


def test_jobs_migration_up_from_0002_and_down(database_url, tmp_path):  # noqa: F811
    engine = make_engine(database_url)
    try:
        assert upgrade(engine, "0002") == "0002"
        assert schema_state(engine) == "behind"
        with pytest.raises(SchemaBehindError, match="recommender db upgrade"):
            ensure_schema(engine)
        assert upgrade(engine) == head_revision()
        assert "jobs" in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        store = JobStore(tmp_path / "jobs", engine, retention_days=7, workers=1, max_rows=None)
        try:
            for name, age in (("20250101-000000-aaaa0001", 1), ("20250101-000000-aaaa0002", 0), ("20250101-000000-aaaa0003", 9)):
                (tmp_path / "jobs" / name).mkdir()
                store._write_status(tmp_path / "jobs" / name, {"id": name, "file": f"{name}.csv", "state": "queued"})
                with session_scope(engine) as db:
                    db.get(JobRecord, name).created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=age, minutes=1)
            store._write_status(tmp_path / "jobs" / "20250101-000000-aaaa0001", {"id": "x", "file": "a.csv", "state": "done", "rows": 3})
            assert store.get("20250101-000000-aaaa0001").status["rows"] == 3
            assert store.get("../etc") is None and store.get("20250101-000000-ffffffff") is None
            assert store.purge() == 1  # the nine-day-old job, row and folder
            assert [job.id for job in store.list()] == ["20250101-000000-aaaa0002", "20250101-000000-aaaa0001"]
            assert not (tmp_path / "jobs" / "20250101-000000-aaaa0003").exists()
        finally:
            store.close()
        assert downgrade(engine, "0002") == "0002"
        assert "jobs" not in inspect(engine).get_table_names() and "leads" in inspect(engine).get_table_names()
        assert upgrade(engine) == current_revision(engine) == head_revision()
    finally:
        engine.dispose()
