"""One client cannot hold every worker: a cap on the uncached queries one address runs at once.

The web layer names the client of the request being served (``CLIENT``, a context variable set
by the limits middleware from the connection's address, or from ``X-Forwarded-For`` when the
server trusts the proxy that sent it). The pool takes a slot for that client before it takes a
worker; a client already running ``limit`` queries waits a moment for one of them to end, then gets 429
with ``Retry-After``; it holds no worker while it waits. Cached answers need no slot.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from kg.engine.base import QueryError

CLIENT: ContextVar[str | None] = ContextVar("kg_client", default=None)


class ClientSlots:
    """At most ``limit`` queries per client address at once (0: no limit).

    A client over its limit waits up to ``wait`` seconds for one of its own queries to finish
    (holding no worker meanwhile), so a browser or crawler that sends a few requests in parallel
    is served one after the other; after that it gets 429.
    """

    def __init__(self, limit: int, wait: float = 2.0) -> None:
        self.limit, self.wait = limit, wait
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._users: Counter[str] = Counter()  # running or waiting, per client

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        client = CLIENT.get()
        if client is None or self.limit <= 0:
            yield
            return
        semaphore = self._slots.get(client)
        if semaphore is None:
            semaphore = self._slots[client] = asyncio.Semaphore(self.limit)
        self._users[client] += 1
        try:
            try:
                if semaphore.locked():  # only then wait, on this task, under a timer
                    async with asyncio.timeout(self.wait):
                        await semaphore.acquire()
                else:
                    await semaphore.acquire()
            except TimeoutError:
                raise QueryError(
                    f"Too many queries at once from your address: at most {self.limit} may run at "
                    "the same time. Wait for one to finish, then try again.",
                    429,
                ) from None
            try:
                yield
            finally:
                semaphore.release()
        finally:
            self._users[client] -= 1
            if not self._users[client]:
                del self._users[client]
                self._slots.pop(client, None)

    def clients(self) -> int:
        """Client addresses with a query running or waiting."""
        return len(self._users)
