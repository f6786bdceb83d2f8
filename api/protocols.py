"""Run the service with uvicorn, with TCP_NODELAY on every accepted connection.

With ``--workers 2`` uvicorn binds the listening socket itself (``socket.socket(AF_INET)``,
protocol number 0), and asyncio's event loop then skips ``TCP_NODELAY`` on accepted
connections (it only sets it when ``sock.proto == IPPROTO_TCP``): a response written in two
segments waits for the client's delayed ACK, a flat ~40 ms per request. uvloop sets it
anyway; these protocol classes set it whatever the loop, so the latency floor stays low with
any worker count. Use them with plain uvicorn as ``--http api.protocols:HttpToolsProtocol``
(or ``api.protocols:H11Protocol``).
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol as _H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools not installed
    _HttpToolsProtocol = None  # type: ignore[assignment,misc]

__all__ = ["H11Protocol", "HttpToolsProtocol", "http_protocol", "set_nodelay"]


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Set TCP_NODELAY on a transport's socket if it is TCP (Unix sockets are left alone)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # pragma: no cover - the peer already went away
            pass


class H11Protocol(_H11Protocol):
    """uvicorn's h11 protocol with TCP_NODELAY."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)


if _HttpToolsProtocol is not None:

    class HttpToolsProtocol(_HttpToolsProtocol):  # type: ignore[valid-type,misc]
        """uvicorn's httptools protocol with TCP_NODELAY."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            set_nodelay(transport)
            super().connection_made(transport)

else:  # pragma: no cover
    HttpToolsProtocol = H11Protocol  # type: ignore[misc,assignment]


def http_protocol() -> str:
    """The import string of the fastest available protocol class, for ``uvicorn --http``."""
    return "api.protocols:HttpToolsProtocol" if _HttpToolsProtocol is not None else "api.protocols:H11Protocol"
