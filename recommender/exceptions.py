"""Every error the library raises.

::

    RecommenderError
    ├── MapError (ValueError)           a chain-map folder or file is invalid
    ├── InputFileError (ValueError)     an input table cannot be read
    │   └── EncodingError               undecodable bytes, names the line
    ├── OutputFileError                 an output file cannot be written, names the path
    ├── ProfileError (ValueError)       a single firm profile is invalid
    └── ModelError (ValueError)         a landing model cannot be trained, saved or loaded
"""

from __future__ import annotations

__all__ = [
    "EncodingError",
    "InputFileError",
    "MapError",
    "ModelError",
    "OutputFileError",
    "ProfileError",
    "RecommenderError",
]


class RecommenderError(Exception):
    """Base class for every error this library raises."""

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


class InputFileError(RecommenderError, ValueError):
    """An input table cannot be read (missing, wrong type, too large, bad header)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self._init_args = (path, message)


class EncodingError(InputFileError):
    """An input file holds bytes that no accepted encoding decodes."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(path, f"line {line}: {message}")
        self.line = line
        self._init_args = (path, line, message)


class ProfileError(RecommenderError, ValueError):
    """A firm profile passed as a mapping is invalid."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self._init_args = (field, message)


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
