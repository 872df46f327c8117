"""CPU work of the pages (parsing descriptions, matching search words, laying out and rendering a
page) runs here, off the event loop, so that no request holds the loop for more than a moment.

The work runs in anyio's worker threads (as FastAPI's own calls do) under a limiter of its own:
at most ``threads`` jobs at once, and one job per client address at a time (the request's client,
as for queries). Each request's wait and work together stay under the
query time limit (503 beyond; the thread finishes its job unwatched). What one job may cost is
bounded by the page that asks for it (search caps its words, the timeline its years), so a thread
is never held for long.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from kg.engine.base import QueryError

T = TypeVar("T")


@dataclass(frozen=True)
class Offload:
    """Runs page work in ``limiter``'s threads, one job per client at a time, within ``timeout`` s.

    ``Offload.with_threads(timeout, n)`` makes one for the app; ``replace(offload, client=…)`` (as
    :func:`kg.web.deps.get_offload` does for each request) the same one whose jobs take that
    client's turns: the threads and the turns are shared."""

    timeout: float
    limiter: anyio.CapacityLimiter
    turns: dict[str | None, tuple[asyncio.Lock, int]] = field(default_factory=dict)
    client: str | None = None

    @classmethod
    def with_threads(cls, timeout: float, threads: int = 2) -> Offload:
        return cls(timeout, anyio.CapacityLimiter(threads))

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``work(*args, **kwargs)`` in a thread, after this client's earlier jobs."""
        client = self.client
        lock, users = self.turns.get(client) or (asyncio.Lock(), 0)
        self.turns[client] = (lock, users + 1)
        try:
            async with asyncio.timeout(self.timeout), lock:
                job = functools.partial(work, *args, **kwargs)
                return await anyio.to_thread.run_sync(job, limiter=self.limiter, abandon_on_cancel=True)
        except TimeoutError:
            raise QueryError(
                f"This page took longer than {self.timeout:g} s to prepare; try again later.", 503
            ) from None
        finally:
            lock, users = self.turns[client]
            if users == 1:
                del self.turns[client]
            else:
                self.turns[client] = (lock, users - 1)
