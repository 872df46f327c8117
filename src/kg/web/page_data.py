"""What a page computes from the whole graph, computed once per build and shared by every request.

``/timeline`` reads every event and engagement (seconds of worker time on a large graph); asking
the engine again for each visitor let eight visitors fill the pool. ``page_data`` keeps each named
value per engine ``version`` (the build id plus a reload counter): a rebuilt graph is read afresh,
the old value is dropped. Requests that arrive while a value is being computed wait for it rather
than compute it again; the timeline's data is computed at start-up already (``warm_up_router``).
An engine without a version (a remote store) has its values kept for
``ttl`` seconds. Failures (a busy engine) are not kept.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request

from kg.engine.base import QueryEngine
from kg.web.templating import get_engine

log = logging.getLogger("kg.web")

T = TypeVar("T")
TTL = 60.0


@dataclass
class PageData:
    ttl: float = TTL
    _values: dict[tuple[str, str], tuple[float, Any]] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def get(self, name: str, version: str, compute: Callable[[], T]) -> T:
        key = (name, version)
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:  # one computation per name at a time; the others wait and then share it
            found = self._values.get(key)
            if found is not None and (version or time.monotonic() - found[0] < self.ttl):
                value: T = found[1]
                return value
            value = compute()
            with self._guard:
                for old in [k for k in self._values if k[0] == name]:
                    del self._values[old]
                self._values[key] = (time.monotonic(), value)
            return value


_STORES: weakref.WeakKeyDictionary[QueryEngine, PageData] = weakref.WeakKeyDictionary()
_CREATE = threading.Lock()


def build_data(engine: QueryEngine, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its value computed earlier on the same build of ``engine``'s data."""
    with _CREATE:
        store = _STORES.get(engine)
        if store is None:
            store = _STORES[engine] = PageData()
    return store.get(name, engine.version, compute)


def page_data(request: Request, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its value from an earlier request on the same build."""
    return build_data(get_engine(request), name, compute)


def _warm(app: FastAPI) -> None:
    from kg.web.iris import path_prefix
    from kg.web.timeline import items

    engine: QueryEngine = app.state.engine
    prefix = path_prefix(app.state.settings.public_url or "")  # as the timeline page reads it
    try:
        build_data(engine, f"timeline {prefix}", lambda: items(engine, prefix))
    except Exception as err:  # a busy or failing engine: the first visitor computes it instead
        log.info("timeline data not prepared at start-up: %s", err)


def warm_up_router() -> APIRouter:
    """A router whose start-up computes the timeline's data in the background (once the engine
    has started), so that the first visitors do not wait for it."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        if isinstance(app, FastAPI):
            threading.Thread(target=_warm, args=(app,), name="kg-warm-up", daemon=True).start()
        yield

    return APIRouter(lifespan=lifespan)
