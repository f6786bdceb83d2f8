"""Output paths: what can be checked before the work, and operating-system errors as
:class:`~recommender.exceptions.OutputFileError` with a reason in Chinese and English."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..exceptions import OutputFileError

__all__ = ["check_output_path", "output_errors"]

_REASONS = {
    errno.ENOSPC: "磁盘已满 / the disk is full",
    errno.EDQUOT: "超出磁盘配额 / the disk quota is exceeded",
    errno.EROFS: "文件系统只读 / the file system is read-only",
    errno.EACCES: "没有写入权限 / permission denied",
    errno.EPERM: "没有写入权限 / permission denied",
    errno.ENOENT: "所在文件夹不存在 / its folder does not exist",
    errno.ENOTDIR: "路径中有一段不是文件夹 / a part of the path is not a folder",
    errno.EISDIR: "是文件夹，不是文件 / is a folder, not a file",
    errno.ENAMETOOLONG: "文件名过长 / the file name is too long",
}


def check_output_path(path: str | os.PathLike[str], *, source: str | os.PathLike[str] | None = None,
                      overwrite: bool = False) -> None:
    """Check, before any work, that ``path`` can be written as a new file.

    Raises
    ------
    OutputFileError
        ``path`` is a folder; its folder is missing, not a folder or not writable; or it is
        the file ``source`` itself and ``overwrite`` is False.
    """
    target = Path(path)
    parent = target.parent
    if target.is_dir():
        raise OutputFileError(str(target), _REASONS[errno.EISDIR])
    if not parent.exists():
        raise OutputFileError(str(target), _REASONS[errno.ENOENT])
    if not parent.is_dir():
        raise OutputFileError(str(target), _REASONS[errno.ENOTDIR])
    if not os.access(parent, os.W_OK | os.X_OK):
        reason = errno.EROFS if _read_only(parent) else errno.EACCES
        raise OutputFileError(str(target), f"所在文件夹不可写 / its folder cannot be written: {_REASONS[reason]}")
    if source is not None and not overwrite and target.exists() and os.path.samefile(source, target):
        raise OutputFileError(str(target), "就是输入文件；如要覆盖请指定 overwrite（--overwrite）"
                                           " / is the input file; ask to overwrite it (--overwrite)")


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:  # pragma: no cover
        return False


def _os_reason(exc: OSError) -> str:
    """The reason for an operating-system error, in Chinese and English."""
    return _REASONS.get(exc.errno or 0) or f"无法写入 / cannot be written: {exc.strerror or exc}"


@contextmanager
def output_errors(path: str | os.PathLike[str]) -> Iterator[None]:
    """Raise an operating-system error inside the block as :class:`OutputFileError` naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise OutputFileError(str(path), _os_reason(exc)) from exc
