"""The HTTP server (uvicorn) with limits of its own, for when no proxy stands in front.

- The request line and headers together may be ``max_head`` bytes (400 above: h11 refuses more
  while reading, before anything is parsed into Python objects; with httptools the protocol
  counts them); ``max_headers`` headers at most (431, from :mod:`kg.web.http.limits`).
- A request's line and headers must arrive within ``head_timeout`` seconds of the connection (or
  of the previous response): idle and half-sent requests are closed, so they cannot pile up.
- At most ``max_connections`` connections are open; more are closed as soon as they are accepted.
- An idle keep-alive connection is closed after 5 s (uvicorn's keep-alive timeout).

Both of uvicorn's HTTP/1.1 parsers get these limits (``Settings.http``: httptools by default, or
h11), and both read the body of a POST that asks to upgrade to h2c (httptools' protocol here reads
such a request again without its upgrade headers). Under granian, see :mod:`kg.web.serving`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
import httptools
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg import defaults
from kg.settings import Settings

log = logging.getLogger("kg.web")


class HeadDeadline:
    """A deadline for each request head and a cap on connections, for a uvicorn protocol class.

    The protocol says whether it is reading a request head (``reading_head``); the deadline runs
    from the connection (or the previous response) until the head is complete.
    """

    head_timeout = defaults.HEAD_TIMEOUT
    max_connections = defaults.MAX_CONNECTIONS
    _head_timer: asyncio.TimerHandle | None = None
    # provided by uvicorn's protocol classes
    connections: set[Any]
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def reading_head(self) -> bool:
        raise NotImplementedError

    def _admit(self, transport: asyncio.Transport) -> None:
        """After ``connection_made``: close the connection at once when too many are open."""
        self._head_timer = None
        if len(self.connections) > self.max_connections:
            log.warning("more than %d connections open: closing a new one", self.max_connections)
            transport.abort()
            return
        self._arm()

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _follow(self) -> None:
        """After data arrived or a response ended: run the deadline while a head is awaited."""
        if self.reading_head():
            self._arm()  # still reading a request head: the deadline runs from its first byte
        else:
            self._disarm()

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.reading_head() and not self.transport.is_closing():
            self.transport.abort()  # a request head that never completes: no answer is owed


class GuardedH11Protocol(HeadDeadline, H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head and a cap on connections
    (h11 itself caps the head's size: ``h11_max_incomplete_event_size``)."""

    def reading_head(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._admit(transport)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.reading_head():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


class HeadTooLarge(Exception):
    """Raised from a parser callback: httptools then answers 400 and closes the connection."""


UPGRADE_ONLY = (b"upgrade", b"http2-settings")  # headers that only serve an upgrade: dropped


def without_upgrade(method: bytes, url: bytes, version: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    """A request head as it was sent, less what asks for an HTTP/2 upgrade: the ``Upgrade`` and
    ``HTTP2-Settings`` headers, and their tokens in ``Connection`` (dropped when nothing is left)."""
    lines = [method + b" " + url + b" HTTP/" + version.encode("ascii")]
    for name, value in headers:
        if name in UPGRADE_ONLY:
            continue
        if name == b"connection":
            tokens = [t.strip() for t in value.split(b",")]
            value = b", ".join(t for t in tokens if t and t.lower() not in UPGRADE_ONLY)
            if not value:
                continue
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"


class GuardedHttpToolsProtocol(HeadDeadline, HttpToolsProtocol):
    """uvicorn's httptools protocol with the same deadline and cap, and a cap of ``max_head``
    bytes on the request line plus headers (counted as the parser reports them).

    A request that asks to upgrade to anything but a WebSocket (``Upgrade: h2c``, sent by Java's
    HttpClient, Jena and ``curl --http2`` with plain POSTs) is an ordinary HTTP/1.1 request to
    this server. httptools ends such a message at its head, so its body would be lost (uvicorn
    issue 2722): the head is held back and, when the parser stops at the upgrade, the request is
    read again by a fresh parser without its upgrade headers, followed by the rest of the bytes.
    """

    max_head = defaults.MAX_HEAD
    _in_head = True
    _head_bytes = 0
    _reread = False  # the current head asks for an upgrade this server does not do

    def reading_head(self) -> bool:
        return self._in_head

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._in_head, self._head_bytes = True, 0
        self._admit(transport)

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        self._feed(data)
        self._follow()

    def _feed(self, data: bytes) -> None:
        """Parse ``data``; each head that stops the parser at an upgrade this server does not do is
        read again, without its upgrade headers, by a fresh parser, followed by the rest of ``data``
        (which may hold more such requests, pipelined)."""
        while True:
            try:
                self.parser.feed_data(data)
                return
            except httptools.HttpParserUpgrade as stop:
                if not self._reread:
                    if self._should_upgrade():
                        self.handle_websocket_upgrade()
                    else:  # pragma: no cover - every other upgrade is read again
                        self._unsupported_upgrade_warning()
                    return
                method = self.parser.get_method()  # the parser that stopped still knows the head
                head = without_upgrade(method, self.url, self.parser.get_http_version(), self.headers)
                data = head + data[stop.args[0] :]
                self._reread = False
                self.parser = httptools.HttpRequestParser(self)
            except httptools.HttpParserError:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
                return

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_head:
            raise HeadTooLarge(f"request head over {self.max_head} bytes")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        if self.parser.should_upgrade() and not self._should_upgrade():
            self._reread = True  # no request cycle yet: it starts when the head is read again
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._reread:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._reread:
            super().on_message_complete()

    def on_response_complete(self) -> None:
        # no other request's head is complete (none waits in the pipeline): the next one is awaited
        awaited = not self.pipeline
        super().on_response_complete()
        if awaited and not self.transport.is_closing():
            self._in_head = True
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_for(settings: Settings) -> type[HeadDeadline]:
    """The protocol class for ``settings.http`` with the settings' limits."""
    attributes: dict[str, Any] = {
        "head_timeout": settings.head_timeout,
        "max_connections": settings.max_connections,
        "max_head": settings.max_head,
    }
    base: type[HeadDeadline] = GuardedH11Protocol
    if settings.http == "httptools":
        base = GuardedHttpToolsProtocol
    return type(f"Kg{base.__name__}", (base,), attributes)


def run(app: Any, settings: Settings) -> None:
    """Serve ``app`` under uvicorn on ``settings.host``:``settings.port`` until interrupted."""
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol_for(settings),  # type: ignore[arg-type]
        h11_max_incomplete_event_size=settings.max_head,
        timeout_keep_alive=5,
        log_level="info",
        access_log=settings.access_log,
    )
