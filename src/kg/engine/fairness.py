"""One client cannot hold every worker: a cap on the uncached queries one address runs at once.

The web layer names the client of the request being served (``CLIENT``, a context variable set
by the limits middleware from the connection's address, or from ``X-Forwarded-For`` when the
server trusts the proxy that sent it). The pool takes a slot for that client before it takes a
worker; a client already running ``limit`` queries gets 429 with ``Retry-After`` at once, and
holds no worker while it waits to try again. Cached answers need no slot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from kg.engine.base import QueryError

CLIENT: ContextVar[str | None] = ContextVar("kg_client", default=None)


class ClientSlots:
    """Counts the queries each client address runs; ``limit`` at most (0: no limit)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: Counter[str] = Counter()

    @contextmanager
    def slot(self) -> Iterator[None]:
        client = CLIENT.get()
        if client is None or self.limit <= 0:
            yield
            return
        if self._running[client] >= self.limit:
            raise QueryError(
                f"Too many queries at once from your address: at most {self.limit} may run at the "
                "same time. Wait for one to finish, then try again.",
                429,
            )
        self._running[client] += 1
        try:
            yield
        finally:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]

    def running(self, client: str) -> int:
        return self._running[client]
