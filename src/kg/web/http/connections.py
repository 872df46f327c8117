"""Connections nobody can hoard: caps per client address, and a deadline for every request head.

uvicorn reads HTTP with its h11 protocol, used as it is. :class:`Gate` wraps each connection's
protocol by composition (an ``asyncio.Protocol`` that hands every event on, given to uvicorn as its
``http=`` protocol factory) and applies, before any byte reaches the parser:

- at most ``max_connections`` open connections in all and ``max_client_connections`` from one
  address: a connection over either cap is closed as soon as it is accepted;
- at most ``max_client_heads`` half-sent request heads (bytes of a head received, its blank line
  not yet) from one address: a connection that begins one more is closed;
- a deadline: a request's line and headers must arrive within ``head_timeout`` seconds of the
  connection, or of the first byte after the previous answer; otherwise the connection is closed
  without an answer.

The head's size is h11's own limit (``h11_max_incomplete_event_size``, set to ``max_head``): it
counts the bytes buffered, so an endless header line is refused (400) once ``max_head`` bytes of
it have arrived, whatever the line endings. A trusted proxy's connections (``trusted_proxies``)
carry many clients: they count towards ``max_connections`` only.

The gate learns that a head is complete when the app is called for it: :meth:`Gate.app` wraps the
ASGI app and marks the connection (found by the ``client`` address and port uvicorn puts in the
scope) as serving a request until the app returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

from uvicorn.config import HTTP_PROTOCOLS
from uvicorn.importer import import_from_string

from kg.settings import Settings
from kg.web.http.middleware import Trusted

log = logging.getLogger("kg.web")

Peer = tuple[str, int]
ASGIApp = Callable[..., Any]
BLANK_LINE = b"\r\n\r\n"
H11_PROTOCOL = import_from_string(HTTP_PROTOCOLS["h11"])
"""The protocol class ``uvicorn --http h11`` runs, used as it is (wrapped, never subclassed)."""
WARN_EVERY = 10.0  # seconds between two warnings of the same kind (an attack would flood the log)


AWAITING, BEGUN, COMPLETE = "awaiting", "begun", "complete"
"""Where a connection is between requests: no byte of the next head yet; a head begun (half-sent);
a head complete (its blank line arrived) that the app does not have yet."""


class Gate:
    """The limits on the connections of one server (``settings``: the caps and the deadline)."""

    def __init__(self, settings: Settings) -> None:
        self.max_connections = settings.max_connections
        self.per_client = settings.max_client_connections
        self.heads_per_client = settings.max_client_heads
        self.head_timeout = settings.head_timeout
        self.trusted = Trusted(settings.trusted_proxies)
        self.open: dict[Peer, GatedConnection] = {}
        self.connections: Counter[str] = Counter()  # open, per address
        self.heads: Counter[str] = Counter()  # half-sent heads, per address
        self.warned: dict[str, float] = {}

    def protocol(self, **uvicorn: Any) -> GatedConnection:
        """A new connection's protocol (uvicorn calls this with its own arguments)."""
        return GatedConnection(self, H11_PROTOCOL(**uvicorn))

    def app(self, app: ASGIApp) -> ASGIApp:
        """``app``, marking each request's connection as serving while the app runs."""

        async def gated(scope: dict[str, Any], receive: Any, send: Any) -> None:
            connection = self.open.get(scope["client"]) if scope["type"] == "http" else None
            if connection is not None:
                connection.serve()
            try:
                await app(scope, receive, send)
            finally:
                if connection is not None:
                    connection.serving -= 1

        return gated

    def admit(self, connection: GatedConnection) -> bool:
        """Count ``connection`` in, or turn it away (False) when a cap is reached."""
        address = connection.address
        if len(self.open) >= self.max_connections:
            self.warn("connections", f"{self.max_connections} connections open: closing new ones")
            return False
        if not connection.trusted and self.connections[address] >= self.per_client:
            self.warn(
                "client connections", f"{self.per_client} connections open from {address}: closing new ones"
            )
            return False
        self.open[connection.peer] = connection
        self.connections[address] += 1
        return True

    def begin_head(self, connection: GatedConnection) -> bool:
        """One more half-sent head from ``connection``'s address, or False when it has its share."""
        address = connection.address
        if not connection.trusted and self.heads[address] >= self.heads_per_client:
            self.warn(
                "client heads", f"{self.heads_per_client} half-sent requests from {address}: closing more"
            )
            return False
        self.heads[address] += 1
        return True

    def end_head(self, connection: GatedConnection) -> None:
        self.heads[connection.address] -= 1
        if not self.heads[connection.address]:
            del self.heads[connection.address]

    def leave(self, connection: GatedConnection) -> None:
        del self.open[connection.peer]
        self.connections[connection.address] -= 1
        if not self.connections[connection.address]:
            del self.connections[connection.address]

    def warn(self, about: str, message: str) -> None:
        """Log ``message``, at most once every ``WARN_EVERY`` seconds for each kind of refusal."""
        now = time.monotonic()
        if now - self.warned.get(about, -WARN_EVERY) >= WARN_EVERY:
            self.warned[about] = now
            log.warning(message)


class GatedConnection(asyncio.Protocol):
    """One client connection: the gate's limits around uvicorn's protocol for it (``inner``)."""

    def __init__(self, gate: Gate, inner: asyncio.Protocol) -> None:
        self.gate, self.inner = gate, inner
        self.transport: asyncio.Transport | None = None
        self.peer: Peer = ("", 0)
        self.address = ""
        self.trusted = False
        self.admitted = False
        self.serving = 0  # requests of this connection the app is answering
        self.head = AWAITING
        self.tail = b""  # the last bytes of a begun head (its blank line may straddle two reads)
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # a TCP transport (uvloop's is no subclass)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple):
            self.peer = (str(peer[0]), int(peer[1]))
            self.address = self.peer[0]
            self.trusted = self.gate.trusted.holds(self.address)
        if not self.gate.admit(self):
            transport.abort()
            return
        self.admitted = True
        self.arm()
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self.serving:  # between requests: these bytes are (or start) the next head
            self.arm()
            if self.head == AWAITING:
                if not self.gate.begin_head(self):
                    self.close()
                    return
                self.head, self.tail = BEGUN, b""
            if self.head == BEGUN:
                if BLANK_LINE in data or BLANK_LINE in self.tail + data[:3]:
                    self.head = COMPLETE
                    self.gate.end_head(self)
                else:
                    self.tail = data[-3:]
        self.inner.data_received(data)

    def serve(self) -> None:
        """The app has a request of this connection: its head is complete."""
        self.serving += 1
        if self.head == BEGUN:
            self.gate.end_head(self)
        self.head = AWAITING
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def arm(self) -> None:
        if self.deadline is None:
            self.deadline = asyncio.get_running_loop().call_later(self.gate.head_timeout, self.too_slow)

    def too_slow(self) -> None:
        self.deadline = None
        if not self.serving:
            self.close()  # a head that did not arrive in time: no answer is owed

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def eof_received(self) -> None:
        if self.admitted:
            self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        if not self.admitted:
            return
        if self.head == BEGUN:
            self.gate.end_head(self)
        self.gate.leave(self)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()
