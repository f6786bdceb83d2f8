"""The service's settings, read from ``RECOMMENDER_*`` environment variables.

Every setting has a default, so ``recommender serve`` starts with no configuration: the
embedded Jiangmen map, read-only (map updates refused), no API keys, no users (reads and
ranking open; every change needs a key or a signed-in user of the right role).
See the "REST service" section of README.md for the table of variables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["MIN_KEY_LENGTH", "ROLES", "Settings", "get_settings"]

#: The roles, weakest first: viewer (read), officer (rank, leads), admin (map edits, models, users).
ROLES = ("viewer", "officer", "admin")

#: API keys shorter than this are refused at start-up.
MIN_KEY_LENGTH = 16


def _parts(text: str) -> list[str]:
    """``"a, b,"`` → ``["a", "b"]`` (empty entries left out)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _split(value: object) -> object:
    """``"a, b"`` → ``["a", "b"]``; a list passes through."""
    return _parts(value) if isinstance(value, str) else value


def _name_pairs(value: str) -> Iterator[tuple[int, str, str | None]]:
    """The entries of ``"name:x, name:x"``, numbered from 1: ``(i, name, x)``, x None where the colon is missing."""
    for i, part in enumerate(_parts(value), start=1):
        name, sep, rest = part.partition(":")
        yield i, name.strip(), rest.strip() if sep else None


def _xdg_data() -> Path:
    """``$XDG_DATA_HOME/recommender`` (``~/.local/share/recommender`` when unset)."""
    return Path(os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")) / "recommender"


class Settings(BaseSettings):
    """Settings of the REST service.

    Each field is read from the environment variable ``RECOMMENDER_<FIELD>`` (upper case).
    """

    model_config = SettingsConfigDict(env_prefix="RECOMMENDER_", extra="ignore", frozen=True)

    map_dir: Path | None = Field(
        None,
        description="Chain-map folder. Unset: the embedded Jiangmen map, read-only (updates are refused with 409). "
        "Set it to a writable copy to allow PATCH updates; previous versions go to <map_dir>/history/.",
    )
    models_dir: Path | None = Field(None, description="Where model names are looked up. Unset: the models shipped with the package.")
    model: str | None = Field(
        None,
        description="Landing model: 'prior' (none: every likelihood is the documented prior), a name in models_dir "
        "(e.g. 'demo', trained on synthetic data), a model folder (its newest version) or a .skops file. Unset: the newest "
        "model an admin promoted (<data_dir>/models/pipeline), else the prior, as the command line. The service is not ready until it loads.",
    )
    audit_db: Path | None = Field(
        None,
        description="The library's SQLite audit log file, whose entries the service carries into its database once "
        "(the service keeps its audit there). Unset: <map_dir>/history/audit.sqlite3.",
    )
    api_keys: Annotated[dict[str, SecretStr], NoDecode] = Field(
        default_factory=dict,
        description="API keys of machine clients, as 'name:key' pairs separated by commas (each at least 16 characters); "
        "the name is recorded as the actor, the role comes from api_key_roles. Empty: every key is refused (deny by default).",
    )
    api_key_roles: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="The role of each key of RECOMMENDER_API_KEYS as 'name:role' pairs (viewer, officer, admin); "
        "a key not listed is an admin (what every key could do before roles).",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Origins allowed by CORS, separated by commas (e.g. 'https://crm.example.cn'). Empty: no CORS."
    )
    max_body_bytes: int = Field(1_000_000, ge=1, description="Largest JSON request body, in bytes (413 above).")
    max_upload_bytes: int = Field(20_000_000, ge=1, description="Largest /v1/rank request body (the file with its multipart framing), in bytes (413 above).")
    max_upload_rows: int = Field(100_000, ge=1, description="Most data rows in an uploaded file (413 above).")
    max_batch: int = Field(100, ge=1, le=1000, description="Most profiles in one /v1/score/batch request (422 above; at most 1000).")
    max_concurrent_ranks: int = Field(2, ge=1, description="Uploads ranked at the same time per worker; more get 429 with Retry-After.")
    score_batching: bool = Field(
        True,
        description="Score concurrent /v1/score requests together, on the event loop (adaptive batching: no added wait when idle). "
        "Off: each request is scored on its own, on the event loop.",
    )
    score_fast_path: bool = Field(
        True,
        description="Answer well-formed POST /v1/score requests without FastAPI's per-request routing and dependencies "
        "(same validation, scoring and body; anything else, errors included, goes through FastAPI). Off: FastAPI answers all.",
    )
    score_batch_max: int = Field(64, ge=1, le=1000, description="The most /v1/score requests scored in one batch.")
    header_timeout: float = Field(
        10.0, gt=0, le=600,
        description="Seconds a client has to send a request's line and headers (from its first byte, or from connecting); "
        "the connection is closed after that (slow clients, slowloris).",
    )
    body_timeout: float = Field(
        60.0, gt=0, le=3600, description="Seconds a client has to send a request's body once its headers are in; the connection is closed after that."
    )
    telemetry: bool = Field(
        False,
        description="FastAPI's OpenTelemetry spans, metrics and logs for each request, to the providers an operator sets up "
        "(OTEL_* variables, opentelemetry-instrument). Off: none, and no per-request look at the providers.",
    )
    watch_map: bool = Field(True, description="Reload when the map's or the model's files change (other workers' updates, promotions, hand edits).")
    docs: bool = Field(True, description="Serve /docs, /redoc and /openapi.json.")
    data_dir: Path | None = Field(
        None,
        description="Where the service keeps its state (the SQLite database, trained landing models). Unset: "
        "<map_dir>/history with RECOMMENDER_MAP_DIR, else $XDG_DATA_HOME/recommender (~/.local/share/recommender).",
    )
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/db. Unset: SQLite "
        "<data_dir>/recommender.sqlite3 (write-ahead logging, foreign keys on).",
    )
    session_hours: float = Field(8.0, gt=0, le=24 * 30, description="A sign-in session ends this many hours after sign-in.")
    cookie_secure: bool | None = Field(
        None, description="Mark the session cookie Secure. Unset: when the request came over HTTPS (behind a proxy: X-Forwarded-Proto)."
    )
    jobs_dir: Path | None = Field(
        None,
        description="Where the workbench keeps its ranking jobs (a folder per job: the upload, the ranked files, a status file). "
        "Unset: $XDG_DATA_HOME/recommender/jobs (~/.local/share/recommender/jobs).",
    )
    jobs_retention_days: float = Field(30, gt=0, description="Workbench jobs older than this many days are deleted.")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        origins = _split(value)
        if isinstance(origins, list) and "*" in origins:
            raise ValueError("'*' is not allowed; list the origins explicitly")
        return origins

    @field_validator("api_keys", "api_key_roles", mode="before")
    @classmethod
    def _name_lists(cls, value: object, info: ValidationInfo) -> object:
        """``"name:key, ..."`` (names non-empty and unique) or ``"name:role, ..."`` as a dict; a dict passes through."""
        if not isinstance(value, str):
            return value
        out: dict[str, str] = {}
        for i, name, x in _name_pairs(value):
            if info.field_name == "api_key_roles":
                if x not in ROLES:
                    raise ValueError(f"entry {i} must be 'name:role' with a role of {', '.join(ROLES)}")
            elif x is None:
                raise ValueError(f"entry {i} must be 'name:key'")
            elif not name or name in out:
                raise ValueError(f"entry {i}: the name must be non-empty and unique")
            out[name] = x
        return out

    @field_validator("api_keys")
    @classmethod
    def _strong_keys(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for name, key in value.items():
            secret = key.get_secret_value()
            if len(secret) < MIN_KEY_LENGTH:
                raise ValueError(f"the key of {name!r} must have at least {MIN_KEY_LENGTH} characters")
        return value

    @property
    def state_dir(self) -> Path:
        """The folder of the service's state (see ``data_dir``)."""
        if self.data_dir is not None:
            return self.data_dir
        if self.map_dir is not None:
            return self.map_dir / "history"
        return _xdg_data()

    @property
    def database(self) -> str:
        """The database URL (``database_url``, else SQLite in :attr:`state_dir`)."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.state_dir / 'recommender.sqlite3'}"

    def key_role(self, name: str) -> str:
        """The role of the API key ``name`` (admin unless ``api_key_roles`` says otherwise)."""
        return self.api_key_roles.get(name, "admin")

    @property
    def jobs_path(self) -> Path:
        """Where the workbench's jobs live."""
        if self.jobs_dir is not None:
            return self.jobs_dir
        return _xdg_data() / "jobs"

    @property
    def audit_path(self) -> Path | None:
        """Where the audit log lives (None when there is no writable map and no audit_db)."""
        if self.audit_db is not None:
            return self.audit_db
        return self.map_dir / "history" / "audit.sqlite3" if self.map_dir is not None else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once (tests pass their own to ``create_app``)."""
    return Settings()
