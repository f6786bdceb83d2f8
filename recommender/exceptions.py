"""Every error the library raises.

::

    RecommenderError
    ├── MapError (ValueError)           a chain-map folder or file is invalid
    │   └── LinkNotFoundError (LookupError)  the chain or link to change is not in the map
    ├── InputFileError (ValueError)     an input table cannot be read (``reason`` says why)
    │   └── EncodingError               undecodable bytes, names the line
    ├── OutputFileError                 an output file cannot be written, names the path
    ├── ProfileError (ValueError)       a single firm profile is invalid
    └── ModelError (ValueError)         a landing model cannot be trained, saved or loaded

    MissingFontWarning (UserWarning)    no CJK font: figure labels fall back to English

Callers branch on the type and on ``reason``, never on the message text. ``message`` is the
problem without the file's path (what a service may show to a client).
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "INPUT_FILE_REASONS",
    "EncodingError",
    "InputFileError",
    "LinkNotFoundError",
    "MapError",
    "MissingFontWarning",
    "ModelError",
    "OutputFileError",
    "ProfileError",
    "RecommenderError",
]

#: Why an input table cannot be read (``InputFileError.reason``).
INPUT_FILE_REASONS = ("unreadable", "encoding", "too_many_rows", "too_large")


class RecommenderError(Exception):
    """Base class for every error this library raises."""

    #: The arguments that make the error again when it is unpickled (set by each ``__init__``)
    _init_args: tuple[object, ...]

    def __reduce__(self):  # noqa: ANN204 - errors raised in another process (a cluster worker) unpickle as raised
        init = getattr(self, "_init_args", None)
        return (type(self), init) if init is not None else super().__reduce__()


class MapError(RecommenderError, ValueError):
    """A chain-map folder or file is invalid.

    ``problems`` holds every failure found, each as ``(path, entry, field, message)``.
    """

    def __init__(self, problems: list[tuple[str, str, str, str]]):
        self.problems = list(problems)
        lines = [f"{p}: {e}.{f}: {m}" if f else f"{p}: {e}: {m}" for p, e, f, m in self.problems]
        super().__init__("invalid chain map:\n" + "\n".join("  " + line for line in lines))
        self._init_args = (self.problems,)


class LinkNotFoundError(MapError, LookupError):
    """The chain or the link to change is not in the map.

    ``missing`` says which (``"chain"`` or ``"link"``); ``entry`` names it (``chain[…]``, ``links[…]``).
    """

    def __init__(self, path: str, entry: str, message: str, missing: Literal["chain", "link"]):
        super().__init__([(path, entry, "", message)])
        self.entry = entry
        self.missing = missing
        self._init_args = (path, entry, message, missing)


class InputFileError(RecommenderError, ValueError):
    """An input table cannot be read (missing, wrong type, too large, bad header).

    Attributes
    ----------
    path : str
        The file.
    message : str
        The problem, without the path.
    reason : str
        One of :data:`INPUT_FILE_REASONS`: ``too_many_rows`` (over ``max_rows``), ``too_large``
        (over a size limit), ``encoding`` (:class:`EncodingError`), else ``unreadable``.
    """

    def __init__(self, path: str, message: str, *, reason: str = "unreadable"):
        if reason not in INPUT_FILE_REASONS:
            raise ValueError(f"unknown reason {reason!r}; expected one of {INPUT_FILE_REASONS}")
        super().__init__(f"{path}: {message}")
        self.path = path
        self._init_args: tuple[object, ...] = (path, message)
        self.message = message
        self.reason = reason


class EncodingError(InputFileError):
    """An input file holds bytes that no accepted encoding decodes (``line``: where)."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(path, f"line {line}: {message}", reason="encoding")
        self.line = line
        self._init_args = (path, line, message)
        self.detail = message


class ProfileError(RecommenderError, ValueError):
    """A firm profile passed as a mapping is invalid (``field``: which; ``message``: why)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self._init_args = (field, message)
        self.message = message


class ModelError(RecommenderError, ValueError):
    """A landing model or its training history is unusable."""


class OutputFileError(RecommenderError):
    """An output file cannot be written: a folder, a missing or read-only folder, a full disk,
    or the input file itself. ``path`` is the file that could not be written (the output, or a
    temporary file of the work); the message gives the reason in Chinese and English."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message

    def __reduce__(self) -> tuple[type[OutputFileError], tuple[str, str]]:  # raised in worker processes too
        return type(self), (self.path, self.reason)


class MissingFontWarning(UserWarning):
    """No CJK font is installed; figure labels fall back to English (``scripts/install_fonts.sh``)."""
