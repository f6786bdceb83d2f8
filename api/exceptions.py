"""Every exception the service declares, in one place (the library's are in :mod:`recommender.exceptions`)::

    StarletteHTTPException
    └── ApiError                 an answer with a status, a message and the problems (api/errors.py answers it)
        └── BodyTooLargeError    a request body over its limit (413)
    RuntimeError
    ├── NotReadyError            no map or model loaded (yet)
    └── SchemaBehindError        the database's schema is not this version's
    Exception
    ├── SignInError              a refused sign-in (401, or 429: wait)
    ├── LeadExists               the firm has a lead already
    └── StaleLead                a change made against an old version of a lead
    ValueError
    ├── LeadError                bad input for a lead, naming the field
    │   └── StageMoveError       a stage change the pipeline's order does not allow
    └── LeadImportError          problems in an imported file, each with its data row and column
    LookupError
    └── LeadNotFound
    recommender.ModelError
    └── HistoryTooSmall          too few outcomes to train on

Nothing here imports FastAPI's app machinery; the modules that raise these import them from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException as StarletteHTTPException

from recommender import ModelError

from .schemas import ErrorItem

if TYPE_CHECKING:
    from .db.models import Lead

__all__ = [
    "ApiError",
    "BodyTooLargeError",
    "HistoryTooSmall",
    "LeadError",
    "LeadExists",
    "LeadImportError",
    "LeadNotFound",
    "NotReadyError",
    "SchemaBehindError",
    "SignInError",
    "StageMoveError",
    "StaleLead",
]

#: The error code of each status, in every error body.
STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
    429: "busy", 500: "internal_error", 503: "not_ready",
}


class ApiError(StarletteHTTPException):
    """An error with a code, a message and the problems, each with its location."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        detail: list[ErrorItem] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.message = message
        self.items = detail or []
        self.code = code or STATUS_CODES.get(status_code, "error")


class BodyTooLargeError(ApiError):
    """The request body is over its limit (raised from ``receive``, answered with a JSON 413).

    An HTTPException, so FastAPI passes it through its body parsing to the error handlers.
    """

    def __init__(self, limit: int):
        item = ErrorItem(loc=["body"], msg=f"the body is over the limit of {limit} bytes", type="too_large")
        super().__init__(413, f"请求体过大 / request body too large (limit {limit} bytes)", detail=[item], headers={"Connection": "close"})
        self.limit = limit


class NotReadyError(RuntimeError):
    """No map or model is loaded (yet, or it failed to load)."""


class SignInError(Exception):
    """A refused sign-in: 401 (wrong name or password, one message for both) or 429 (wait)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class LeadError(ValueError):
    """Bad input for a lead, naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class StageMoveError(LeadError):
    """A stage change the pipeline's order does not allow (:func:`~api.leads.stages.check_move`)."""


class LeadExists(Exception):
    """The firm is in the pipeline already (one lead per firm)."""

    def __init__(self, lead: Lead):
        super().__init__(f"lead {lead.id} ({lead.name}) exists already")
        self.lead = lead


class LeadNotFound(LookupError):
    pass


class StaleLead(Exception):
    """The change was made against an old version; ``current`` is the lead as it is now."""

    def __init__(self, current: Lead, given: int):
        super().__init__(f"lead {current.id}: version {given} is stale (now {current.version})")
        self.current, self.given = current, given


class LeadImportError(ValueError):
    """Problems in an imported file, each ``(data row, column, message)``; nothing was written."""

    def __init__(self, path: str, problems: list[tuple[int, str, str]]):
        lines = [f"  data row {row}, column {column!r}: {message}" for row, column, message in problems[:50]]
        super().__init__(f"{path}: {len(problems)} problem(s); nothing was imported:\n" + "\n".join(lines))
        self.problems = problems


class HistoryTooSmall(ModelError):
    """Too few outcomes to train on; the served model stays."""


class SchemaBehindError(RuntimeError):
    """The database's schema is older (or newer) than this version of the service."""
