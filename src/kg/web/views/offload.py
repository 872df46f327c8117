"""CPU work of the pages (parsing descriptions, matching search words, laying out and rendering a
page) runs here, off the event loop, so that no request holds the loop for more than a moment.

The work runs in anyio's worker threads (as FastAPI's own calls do) under a limiter of its own:
at most ``threads`` jobs at once, and one job per client address at a time (the request's client,
as for queries: :meth:`Offload.of` gives the offload a route's jobs run through). Each request's wait and work together stay under the
query time limit (503 beyond; the thread finishes its job unwatched). What one job may cost is
bounded by the page that asks for it (search caps its words, the timeline its years), so a thread
is never held for long.
"""

from __future__ import annotations

import asyncio
import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from kg.engine.base import QueryError

T = TypeVar("T")


class Offload:
    """Runs page work in ``threads`` threads, one job per client at a time, within ``timeout`` s."""

    def __init__(self, timeout: float, threads: int = 2) -> None:
        self.timeout = timeout
        self.limiter = anyio.CapacityLimiter(threads)
        self._turns: dict[str | None, tuple[asyncio.Lock, int]] = {}
        self.client: str | None = None

    def of(self, client: str | None) -> Offload:
        """This offload (the same threads and turns), its jobs taking ``client``'s turns."""
        bound = copy.copy(self)
        bound.client = client
        return bound

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``work(*args, **kwargs)`` in a thread, after this client's earlier jobs."""
        client = self.client
        lock, users = self._turns.get(client) or (asyncio.Lock(), 0)
        self._turns[client] = (lock, users + 1)
        try:
            async with asyncio.timeout(self.timeout), lock:
                job = functools.partial(work, *args, **kwargs)
                return await anyio.to_thread.run_sync(job, limiter=self.limiter, abandon_on_cancel=True)
        except TimeoutError:
            raise QueryError(
                f"This page took longer than {self.timeout:g} s to prepare; try again later.", 503
            ) from None
        finally:
            lock, users = self._turns[client]
            if users == 1:
                del self._turns[client]
            else:
                self._turns[client] = (lock, users - 1)
