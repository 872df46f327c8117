"""Pages are coroutines on the event loop: while they wait for the engine they hold no thread, so
many pages are answered at once even when the server has a single worker thread."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import anyio.to_thread
import httpx
import pytest

from helpers.inprocess import api_routes, build_mini, served
from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.embedded import EmbeddedEngine
from kg.engine.plan import QueryPlan
from kg.settings import Settings
from kg.web.app import create_app
from kg.web.views.lists import KINDS

EVENT = "https://w3id.org/nato-iraq/id/event/2020-05-01-meeting"
FILES = ("/assets/", "/static/")  # files read from disk: these may run in the thread pool
PAGES = {  # route → what its answer must hold
    **{f"/list/{kind}": heading for kind, (_, heading) in KINDS.items()},
    "/": "How to cite",
    "/id/event/2020-05-01-meeting": "NATO meets Iraq",
    "/id/event/2020-05-01-meeting.ttl": '"NATO meets Iraq"@en',
    "/id/event/no-such-meeting": "meeting",
    "/search?q=meets&format=json": EVENT,
    "/timeline": "NATO meets Iraq",
    "/source/mini": "NATO met Iraq on 1 May 2020",
    "/downloads": "engagements.csv",
    "/dataset": "dataset",
}


class Gate(QueryEngine):
    """The embedded engine, holding back every query until ``width`` of them wait at once."""

    def __init__(self, inner: EmbeddedEngine, width: int) -> None:
        self.inner, self.width, self.limits = inner, width, inner.limits
        self.waiting = self.most = 0
        self.open = asyncio.Event()

    async def run(self, plan: QueryPlan) -> QueryResult:
        self.waiting += 1
        self.most = max(self.most, self.waiting)
        if self.waiting >= self.width:
            self.open.set()
        try:
            await asyncio.wait_for(self.open.wait(), 10)
        except TimeoutError:
            raise QueryError(f"only {self.most} queries ever waited at once", 503) from None
        finally:
            self.waiting -= 1
        return await self.inner.run(plan)

    def named_graphs(self) -> list[str]:
        return self.inner.named_graphs()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mini(tmp_path_factory.mktemp("async-pages"))


def test_every_page_handler_is_a_coroutine(root: Path) -> None:
    app = create_app(Settings(root=root), EmbeddedEngine(root / "dist" / "store"))
    routes = [r for r in api_routes(app.routes) if not r.path.startswith(FILES)]
    assert {"/", "/timeline", "/search", "/list/{kind}", "/id/{rest:path}", "/downloads"} <= {
        r.path for r in routes
    }
    blocking = [r.path for r in routes if not inspect.iscoroutinefunction(r.endpoint)]
    assert blocking == []


def test_pages_wait_for_the_engine_together_on_one_thread(root: Path) -> None:
    """Each list page asks one query of its own; the engine answers none until all of them are
    waiting, while the server may run one thread: only pages that do not hold a thread get there."""

    async def visit() -> tuple[Gate, list[httpx.Response]]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1
        engine = Gate(EmbeddedEngine(root / "dist" / "store"), width=len(KINDS))
        async with served(create_app(Settings(root=root), engine)) as http:
            answers = await asyncio.gather(*(http.get(route) for route in PAGES))
        return engine, answers

    engine, answers = asyncio.run(visit())
    for (route, holds), answer in zip(PAGES.items(), answers, strict=True):
        assert answer.status_code == (404 if "no-such" in route else 200), (route, answer.text[:300])
        assert holds in answer.text, route
    assert engine.most >= len(KINDS)
