"""The HTTP server (uvicorn with h11) with limits of its own, for when no proxy stands in front.

- The request line and headers together may be ``max_head`` bytes (h11 refuses more with 400
  while reading, before anything is parsed into Python objects); ``max_headers`` headers at most
  (431, from :mod:`kg.web.limits`).
- A request's line and headers must arrive within ``head_timeout`` seconds of the connection (or
  of the previous response): idle and half-sent requests are closed, so they cannot pile up.
- At most ``max_connections`` connections are open; more are closed as soon as they are accepted.
- An idle keep-alive connection is closed after 5 s (uvicorn's keep-alive timeout).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from kg.settings import Settings

log = logging.getLogger("kg.web")


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head and a cap on connections."""

    head_timeout = 10.0
    max_connections = 1000

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
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

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.abort()  # a request head that never completes: no answer is owed

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # still reading a request head: the deadline runs from its first byte
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.IDLE:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_for(settings: Settings) -> type[GuardedH11Protocol]:
    attributes: dict[str, Any] = {
        "head_timeout": settings.head_timeout,
        "max_connections": settings.max_connections,
    }
    return type("KgH11Protocol", (GuardedH11Protocol,), attributes)


def run(app: Any, settings: Settings) -> None:
    """Serve ``app`` on ``settings.host``:``settings.port`` until interrupted."""
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=protocol_for(settings),
        h11_max_incomplete_event_size=settings.max_head,
        timeout_keep_alive=5,
        log_level="info",
    )
