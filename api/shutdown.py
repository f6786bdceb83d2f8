"""Staying responsive to shutdown while a request reads or ranks a large upload.

uvicorn answers SIGTERM (and SIGINT) by waiting for the requests in flight before it stops. A
request that reads a large XLSX spends minutes in a thread that cannot be interrupted, so the
worker would not stop until it finished. :func:`watch_signals` (called in the app's lifespan)
chains a handler before uvicorn's that sets ``app.state.stopping``; :func:`interruptible` runs the
blocking call in a daemon thread and answers 503 as soon as the service is stopping, so uvicorn's
wait ends, its shutdown runs, and the process ends without waiting for the abandoned thread.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

from fastapi import FastAPI, Request

from .errors import ApiError

__all__ = ["interruptible", "watch_signals"]

T = TypeVar("T")
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def watch_signals(app: FastAPI) -> Iterator[asyncio.Event]:
    """Set ``app.state.stopping`` (an :class:`asyncio.Event`) on SIGTERM or SIGINT, then call the
    handler that was there (uvicorn's); the previous handlers are back when the block ends.

    Off the main thread (signals cannot be handled there) the event is only set by the block's end.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    app.state.stopping = stopping
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in _SIGNALS:
            before = signal.getsignal(sig)

            def handler(number: int, frame: FrameType | None, before: Any = before) -> None:
                loop.call_soon_threadsafe(stopping.set)
                if callable(before):
                    before(number, frame)
                elif before == signal.SIG_DFL:
                    signal.default_int_handler(number, frame) if number == signal.SIGINT else _default(number)

            previous[sig] = before
            signal.signal(sig, handler)
    try:
        yield stopping
    finally:
        stopping.set()
        for number, before in previous.items():
            if signal.getsignal(number) is not before:
                signal.signal(number, before)


def _default(number: int) -> None:
    signal.signal(number, signal.SIG_DFL)
    signal.raise_signal(number)


def _settle(future: asyncio.Future, result: object, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


async def interruptible(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a daemon thread; its result, unless the service starts stopping first.

    Raises
    ------
    ApiError
        503 when the service is stopping (the thread is left to end with the process).
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def work() -> None:
        result, error = None, None
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the awaiting request as it is
            error = exc
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    threading.Thread(target=work, name=f"interruptible-{getattr(fn, '__name__', 'call')}", daemon=True).start()
    stopping: asyncio.Event | None = getattr(request.app.state, "stopping", None)
    if stopping is None:
        return await future
    waiter = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({future, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if future.done():
        return future.result()
    future.cancel()
    raise ApiError(503, "服务正在停止，请稍后重试 / the service is shutting down: retry shortly", headers={"Retry-After": "5"})
