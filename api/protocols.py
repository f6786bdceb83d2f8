"""Run the service with uvicorn: TCP_NODELAY on every accepted connection, and read timeouts.

Read timeouts: uvicorn times out an idle keep-alive connection, but not a client that sends
its request slowly (slowloris: a header byte every few seconds, or a body that never ends).
These protocol classes close a connection whose request line and headers are not in within
``RECOMMENDER_HEADER_TIMEOUT`` seconds (counted from the connection or the request's first
byte) or whose body is not in within ``RECOMMENDER_BODY_TIMEOUT`` seconds after its headers.

With ``--workers 2`` uvicorn binds the listening socket itself (``socket.socket(AF_INET)``,
protocol number 0), and asyncio's event loop then skips ``TCP_NODELAY`` on accepted
connections (it only sets it when ``sock.proto == IPPROTO_TCP``): a response written in two
segments waits for the client's delayed ACK, a flat ~40 ms per request. uvloop sets it
anyway; these protocol classes set it whatever the loop, so the latency floor stays low with
any worker count. Use them with plain uvicorn as ``--http api.protocols:HttpToolsProtocol``
(or ``api.protocols:H11Protocol``).

One write per response: uvicorn writes a response's head when the app starts the response and
its body when the app sends it, two writes, and with TCP_NODELAY two segments (on 127.0.0.1
the sender's system call also runs the receiver's side of TCP). These protocol classes hold
the head until the body's first bytes, written in the same turn of the event loop in every
plain response, and write the two together: one write and one segment per response. A head
whose body is not written in that turn (a stream that waits for its first part, a 100
Continue) is written at the loop's next turn, alone.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol as _H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools not installed
    _HttpToolsProtocol = None  # type: ignore[assignment,misc]

__all__ = ["H11Protocol", "HttpToolsProtocol", "ReadTimeouts", "http_protocol",]


def _set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Set TCP_NODELAY on a transport's socket if it is TCP (Unix sockets are left alone)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover - the peer already went away
            pass


class _HeadWithBody:
    """A response cycle's transport whose first write (the response head, or a 100 Continue)
    waits for the next (the body's first bytes) to go out with it in one write; at the latest
    at the event loop's next turn, or before the transport closes. Everything else is the
    connection's transport."""

    __slots__ = ("_first", "_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport, self._loop = transport, loop
        self._held: bytes | None = None
        self._first = True

    def write(self, data: bytes) -> None:
        if self._held is not None:
            data, self._held = b"".join((self._held, data)), None
            self._transport.write(data)
        elif self._first:
            self._first = False
            self._held = bytes(data)
            self._loop.call_soon(self._flush)
        else:
            self._transport.write(data)

    def _flush(self) -> None:
        if self._held is not None:
            data, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class ReadTimeouts:
    """TCP_NODELAY, and close a connection whose request headers or body arrive too slowly (a mixin for uvicorn's protocols).

    One timer per connection: armed for the headers when the connection opens and when a new
    request's first bytes arrive, re-armed for the body once the headers are in, cancelled when
    the request is in. Between requests uvicorn's own keep-alive timeout applies.
    """

    header_timeout: float
    body_timeout: float
    _read_timer: asyncio.TimerHandle | None = None
    _reading: str = ""  # "", "headers" or "body"
    # set by uvicorn's protocol classes
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any

    def _init_timeouts(self) -> None:
        from .settings import get_settings

        settings = get_settings()
        self.header_timeout, self.body_timeout = settings.header_timeout, settings.body_timeout

    def _arm(self, stage: str) -> None:
        self._disarm()
        self._reading = stage
        seconds = self.header_timeout if stage == "headers" else self.body_timeout
        self._read_timer = self.loop.call_later(seconds, self._read_timed_out)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        self._reading = ""

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _follow(self) -> None:
        """After bytes came in: which part of the request is still awaited."""
        cycle = self.cycle
        if cycle is None or cycle.response_complete:  # a new request: its headers are not in yet
            if self._reading != "headers":
                self._arm("headers")
        elif cycle.more_body:  # headers in, body still coming
            if self._reading != "body":
                self._arm("body")
        else:  # the whole request is in
            self._disarm()

    # uvicorn's protocol methods, extended
    def connection_made(self, transport: asyncio.Transport) -> None:
        _set_nodelay(transport)
        super().connection_made(transport)  # type: ignore[misc]
        self._init_timeouts()
        self._arm("headers")

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


def _hold_heads(protocol: Any) -> None:
    """Give the protocol's current response cycle a :class:`_HeadWithBody` transport (once)."""
    cycle = protocol.cycle
    if cycle is not None and not isinstance(cycle.transport, _HeadWithBody):
        cycle.transport = _HeadWithBody(protocol.transport, protocol.loop)


class H11Protocol(ReadTimeouts, _H11Protocol):  # type: ignore[misc]
    """uvicorn's h11 protocol with TCP_NODELAY, read timeouts and one write per response."""

    def handle_events(self) -> None:
        super().handle_events()
        _hold_heads(self)


if _HttpToolsProtocol is not None:

    class HttpToolsProtocol(ReadTimeouts, _HttpToolsProtocol):  # type: ignore[misc]
        """uvicorn's httptools protocol with TCP_NODELAY, read timeouts and one write per response."""

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            _hold_heads(self)

else:  # pragma: no cover
    HttpToolsProtocol = H11Protocol  # type: ignore[misc,assignment]


def http_protocol() -> str:
    """The import string of the fastest available protocol class, for ``uvicorn --http``."""
    return "api.protocols:HttpToolsProtocol" if _HttpToolsProtocol is not None else "api.protocols:H11Protocol"
