"""Alembic environment: the engine comes from the caller (``api.db.migrate``), never from a file."""

from __future__ import annotations

from alembic import context

from api.db.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
