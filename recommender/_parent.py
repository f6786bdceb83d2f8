"""Child processes that end with their parent: the ranking's workers and the service's workers.

A worker process outliving its parent holds memory, a listening socket or a file's rows that
nobody will collect; :func:`die_with_parent` makes the kernel end it when the parent ends, even
by ``kill -9``.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """End this process when its parent (process id ``parent``) dies, even by ``kill -9``; call
    it once, from this process. On Linux the kernel sends SIGKILL (``PR_SET_PDEATHSIG``), and
    also when the parent's thread that started this process ends: start such workers from a
    thread that outlives them (the main thread, or the one that shuts the pool down). Elsewhere
    a thread watches the parent's process id. Ends at once if the parent is already gone."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:  # pragma: no cover - not Linux
        threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:  # pragma: no cover - used where prctl is not
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
