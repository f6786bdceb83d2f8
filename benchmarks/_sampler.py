"""A background thread that samples something while a ``with`` block runs (the benchmarks' probes)."""

from __future__ import annotations

import threading
from typing import Self


class Sampler:
    """Calls :meth:`sample` over and over on a daemon thread from ``__enter__`` until ``__exit__``;
    :meth:`sample` sets its own pace (a sleep)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
