"""What a page computes from the whole graph, computed once per build and shared by every request.

``/timeline`` reads every event and engagement (seconds of worker time on a large graph); asking
the engine again for each visitor let eight visitors fill the pool. A ``PageData`` (one per app)
keeps each named value for the engine and data ``version`` it was computed from (the build id
plus a reload counter): a rebuilt graph is read afresh, the old value is dropped. Requests that
arrive while a value is being computed await that one computation (an asyncio task) rather than
start another; a visitor who goes away does not cancel it for the others. An engine without a
version (a remote store) has its values kept for ``ttl`` seconds. Failures (a busy engine) are
not kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from kg.engine.base import QueryEngine

T = TypeVar("T")
TTL = 60.0
Compute = Callable[[], Awaitable[T]]


class PageData:
    """Values by name, each with the engine and version it was computed for, and the
    computations under way."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._values: dict[str, tuple[QueryEngine, str, float, Any]] = {}
        self._pending: dict[tuple[str, int, str], asyncio.Task[Any]] = {}

    async def get(self, name: str, engine: QueryEngine, compute: Compute[T]) -> T:
        """``await compute()``, or its value computed earlier (or being computed) for the same
        build of ``engine``'s data."""
        version = engine.version
        found = self._values.get(name)
        if found is not None and found[0] is engine and found[1] == version:
            fresh = version or time.monotonic() - found[2] < self.ttl  # no version: kept ttl seconds
            if fresh:
                value: T = found[3]
                return value
        key = (name, id(engine), version)
        task = self._pending.get(key)
        if task is None:
            task = asyncio.ensure_future(self._compute(name, engine, version, compute))
            self._pending[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)  # a waiter that goes away leaves it to the others

    async def _compute(self, name: str, engine: QueryEngine, version: str, compute: Compute[T]) -> T:
        value = await compute()
        self._values[name] = (engine, version, time.monotonic(), value)
        return value

    def _forget(self, key: tuple[str, int, str], task: asyncio.Task[Any]) -> None:
        del self._pending[key]
        if not task.cancelled():
            task.exception()  # retrieved: a failure nobody waits for any more is not logged as lost
