"""What a page computes from the whole graph, computed once per build and shared by every request.

``/timeline`` reads every event and engagement (seconds of worker time on a large graph); asking
the engine again for each visitor let eight visitors fill the pool. ``page_data`` keeps each named
value per engine ``version`` (the build id plus a reload counter): a rebuilt graph is read afresh,
the old value is dropped. Requests that arrive while a value is being computed await that one
computation rather than start another; the timeline's data is computed at start-up already
(``warm_up_router``). An engine without a version (a remote store) has its values kept for
``ttl`` seconds. Failures (a busy engine) are not kept.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request

from kg.engine.base import QueryEngine
from kg.web.deps import get_engine

log = logging.getLogger("kg.web")

T = TypeVar("T")
TTL = 60.0
Compute = Callable[[], Awaitable[T]]


@dataclass
class PageData:
    """Values by name: ``(version, computed at, value)``, and the computations under way.

    A computation under way is a ``concurrent.futures.Future``, so that a request on another
    event loop (another thread: the test client) can await it as well as one on the same loop."""

    ttl: float = TTL
    _values: dict[str, tuple[str, float, Any]] = field(default_factory=dict)
    _pending: dict[tuple[str, str], concurrent.futures.Future[Any]] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def get(self, name: str, version: str, compute: Compute[T]) -> T:
        key = (name, version)
        while True:
            with self._guard:
                found = self._values.get(name)
                fresh = found is not None and (version or time.monotonic() - found[1] < self.ttl)
                if found is not None and found[0] == version and fresh:
                    value: T = found[2]
                    return value
                pending = self._pending.get(key)
                if pending is None:  # this request computes it; the others await the same future
                    pending = self._pending[key] = concurrent.futures.Future()
                    task = asyncio.ensure_future(self._compute(key, compute, pending))
                    self._tasks.add(task)  # not cancelled with the request that began it
                    task.add_done_callback(self._tasks.discard)
            waited = asyncio.wrap_future(pending)
            # a failure nobody waits for any more (the server stopped meanwhile) is not logged
            waited.add_done_callback(lambda done: done.cancelled() or done.exception())
            try:
                # shielded: a waiter that goes away must not cancel the computation for the others
                result: T = await asyncio.shield(waited)
            except _Abandoned:  # its event loop stopped (the server shut down): compute it here
                continue
            return result

    async def _compute(
        self, key: tuple[str, str], compute: Compute[T], into: concurrent.futures.Future[T]
    ) -> None:
        name, version = key
        try:
            value = await compute()
        except BaseException as err:
            with self._guard:
                del self._pending[key]
            into.set_exception(err if isinstance(err, Exception) else _Abandoned())
            if not isinstance(err, Exception):
                raise
            return
        with self._guard:
            self._values[name] = (version, time.monotonic(), value)
            del self._pending[key]
        into.set_result(value)


class _Abandoned(Exception):
    """The computation was cancelled, not failed: whoever awaited it starts it again."""


_STORES: weakref.WeakKeyDictionary[QueryEngine, PageData] = weakref.WeakKeyDictionary()
_CREATE = threading.Lock()


async def build_data(engine: QueryEngine, name: str, compute: Compute[T]) -> T:
    """``await compute()``, or its value computed earlier (or being computed) on the same build of
    ``engine``'s data."""
    with _CREATE:
        store = _STORES.get(engine)
        if store is None:
            store = _STORES[engine] = PageData()
    return await store.get(name, engine.version, compute)


async def page_data(request: Request, name: str, compute: Compute[T]) -> T:
    """``await compute()``, or its value from an earlier request on the same build."""
    return await build_data(await get_engine(request), name, compute)


async def _warm(app: FastAPI) -> None:
    from kg.web.iris import path_prefix
    from kg.web.routes.timeline import items

    engine: QueryEngine = app.state.engine
    prefix = path_prefix(app.state.settings.public_url or "")  # as the timeline page reads it
    try:
        await build_data(engine, f"timeline {prefix}", lambda: items(engine, prefix))
    except Exception as err:  # a busy or failing engine: the first visitor computes it instead
        log.info("timeline data not prepared at start-up: %s", err)


def warm_up_router() -> APIRouter:
    """A router whose start-up computes the timeline's data in the background (once the engine
    has started), so that the first visitors do not wait for it."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        task = asyncio.ensure_future(_warm(app)) if isinstance(app, FastAPI) else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return APIRouter(lifespan=lifespan)
