"""Opening the database: one engine per URL, SQLite tuned for a service, sessions.

SQLite (the default, a file in the service's data folder) runs with write-ahead logging, so
readers never wait for a writer, foreign keys enforced, and a busy timeout so concurrent
writers queue instead of failing. PostgreSQL is reached with psycopg 3
(``postgresql+psycopg://…``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

__all__ = ["make_engine", "session_scope"]

_BUSY_MS = 15_000


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created first."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": _BUSY_MS / 1000, "check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed when the block ends without error, else rolled back."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
