"""Adaptive batching of single-profile scores: concurrent requests are scored as one table.

The library scores a table of firms for much less than the sum of its firms: numpy pays a
fixed cost per call, not per row. While one batch is being scored, the requests that arrive
queue up; the next batch takes all of them, up to ``max_batch``. No timer holds a request
back: a request that arrives when the scorer is idle is scored at once. Batches are scored on
the event loop itself. Each queued item keeps the ``Recommender`` its request started with. A
batch holds items of one Recommender and one language only, so during a map update each
answer comes wholly from the old map or wholly from the new one.

The rows go through ``Recommender.score_many``, the same code as ``Recommender.score``, ``POST
/v1/score/batch`` and ``recommender score``. The result for a profile is the same whatever it
was batched with. If a batch fails, its items are retried one by one, so one bad profile cannot
fail the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from recommender import Recommender, Result

__all__ = ["GATHER_SECONDS", "ScoreBatcher"]

#: Under load, the longest a batch waits for requests already on their way.
GATHER_SECONDS = 0.002

log = logging.getLogger("api")


@dataclass
class _Item:
    recommender: Recommender
    profile: Mapping[str, object]
    lang: str
    future: asyncio.Future


def _score_rows(recommender: Recommender, items: list[_Item], lang: str) -> list[Result | BaseException]:
    """Score the items as one table; on failure, one by one (an error for each one that fails)."""
    try:
        return list(recommender.score_many([item.profile for item in items], lang=lang))
    except Exception:  # noqa: BLE001 - isolate the failing profile below
        if len(items) == 1:
            return [_one(recommender, items[0], lang)]
        return [_one(recommender, item, lang) for item in items]


def _wake_up(wake: asyncio.Future) -> None:
    if not wake.done():
        wake.set_result(None)


def _one(recommender: Recommender, item: _Item, lang: str) -> Result | BaseException:
    try:
        return recommender.score(item.profile, lang=lang)
    except Exception as exc:  # noqa: BLE001 - handed to the request that sent this profile
        return exc


class ScoreBatcher:
    """Scores queued profiles in batches, one batch at a time, on the event loop.

    A batch blocks the loop for about a millisecond plus a tenth of one per profile; a thread
    would not let other requests go meanwhile either (scoring holds the GIL), and handing the
    batch over and back costs more than it saves.

    Parameters
    ----------
    max_batch : int
        The most profiles scored in one call.
    """

    def __init__(self, *, max_batch: int = 64):
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Item] | None = None
        self._task: asyncio.Task | None = None
        self._wake: asyncio.Future | None = None  # set while a batch gathers: done when it is full
        self._wanted = 0  # the queued requests that fill it

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name="score-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while self._queue is not None and not self._queue.empty():
            item = self._queue.get_nowait()
            if not item.future.done():
                item.future.set_exception(RuntimeError("the service is shutting down"))

    async def score(self, recommender: Recommender, profile: Mapping[str, object], *, lang: str = "zh") -> Result:
        """The result for one profile, scored together with whatever else is waiting."""
        if self._queue is None or self._task is None or self._task.done():
            raise RuntimeError("the score batcher is not running")
        future = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Item(recommender, profile, lang, future))
        if self._wake is not None and self._queue.qsize() >= self._wanted:
            _wake_up(self._wake)  # the gathering batch is full: score it now
        return await future

    async def _gather(self, wanted: int) -> None:
        """Wait until ``wanted`` requests are queued or :data:`GATHER_SECONDS` have passed."""
        loop = asyncio.get_running_loop()
        self._wake, self._wanted = loop.create_future(), wanted
        timer = loop.call_later(GATHER_SECONDS, _wake_up, self._wake)
        try:
            await self._wake
        finally:
            timer.cancel()
            self._wake = None

    async def _run(self) -> None:
        assert self._queue is not None
        peak = 1.0  # how many requests came together lately (decays)
        while True:
            items = [await self._queue.get()]
            # Under load, let the loop read what is already on its way (at most GATHER_SECONDS)
            # so that the fixed cost of a batch is shared by more requests: wait until as many
            # have come as came together lately, woken by the request that completes them (not
            # by polling: the worker sleeps meanwhile, and the process sending them runs).
            # Idle, peak is 1 and nothing waits.
            wanted = min(self.max_batch, int(peak)) - len(items)
            if self._queue.qsize() < wanted:
                await self._gather(wanted)
            while len(items) < self.max_batch and not self._queue.empty():
                items.append(self._queue.get_nowait())
            peak = max(float(len(items)), peak * 0.9)
            groups: dict[tuple[int, str], list[_Item]] = {}
            for item in items:
                if not item.future.done():  # the client may have gone away
                    groups.setdefault((id(item.recommender), item.lang), []).append(item)
            for group in groups.values():
                try:
                    results = _score_rows(group[0].recommender, group, group[0].lang)
                except Exception as exc:  # noqa: BLE001 - never let the batcher die
                    log.exception("score batch failed")
                    results = [exc] * len(group)
                for item, result in zip(group, results, strict=True):
                    if item.future.done():
                        continue
                    if isinstance(result, BaseException):
                        item.future.set_exception(result)
                    else:
                        item.future.set_result(result)
            await asyncio.sleep(0)  # let the answered requests respond before the next batch
