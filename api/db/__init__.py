"""The service's database: tables (:mod:`.models`), engines (:mod:`.engine`), migrations
(:mod:`.migrate`) and the map-change audit kept in it (:mod:`.audit`)."""

from .engine import make_engine, session_scope
from .migrate import SchemaBehindError, ensure_schema, schema_state, upgrade

__all__ = ["SchemaBehindError", "ensure_schema", "make_engine", "schema_state", "session_scope", "upgrade"]
