"""Whole-graph page data (the timeline) is computed once per build, and afresh after a rebuild."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from fastapi.testclient import TestClient

from helpers import FIXTURES, copy_project
from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.embedded import EmbeddedEngine
from kg.engine.plan import QueryPlan
from kg.settings import Settings
from kg.web.app import create_app
from kg.web.views.page_data import PageData


class Counting(QueryEngine):
    """The embedded engine, counting queries, with a version the test changes."""

    def __init__(self, inner: EmbeddedEngine) -> None:
        self.inner, self.calls, self.build, self.fail = inner, 0, "b1", False
        self.limits = inner.limits

    async def run(self, plan: QueryPlan) -> QueryResult:
        self.calls += 1
        if self.fail:
            raise QueryError("Every query worker stayed busy for 2 s; try again later.", 503)
        return await self.inner.run(plan)

    def named_graphs(self) -> list[str]:
        return self.inner.named_graphs()

    @property
    def version(self) -> str:
        return self.build


@pytest.fixture(scope="module")
def app_and_engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, Counting]:
    from kg.build.pipeline import build

    root = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("pagedata") / "mini")
    build(root)
    engine = Counting(EmbeddedEngine(root / "dist" / "store"))
    return TestClient(create_app(Settings(root=root), engine)), engine


def test_timeline_queries_run_once_per_build(app_and_engine: tuple[TestClient, Counting]) -> None:
    client, engine = app_and_engine
    assert client.get("/timeline").status_code == 200
    first = engine.calls
    assert first > 0
    threads = [threading.Thread(target=client.get, args=("/timeline",)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.get("/timeline?type=x").status_code == 200
    assert engine.calls == first  # eight more visits, no query
    engine.build = "b2"  # the graph was rebuilt
    assert client.get("/timeline").status_code == 200
    assert engine.calls == 2 * first


def test_a_busy_engine_is_not_remembered(app_and_engine: tuple[TestClient, Counting]) -> None:
    client, engine = app_and_engine
    engine.build, engine.fail = "b3", True
    r = client.get("/timeline", headers={"Accept": "text/html"})
    assert r.status_code == 503 and r.headers["retry-after"]
    engine.fail = False
    assert client.get("/timeline").status_code == 200


def test_landing_counts_are_read_once_per_build(app_and_engine: tuple[TestClient, Counting]) -> None:
    client, engine = app_and_engine
    engine.build = "b4"
    assert client.get("/").status_code == 200
    first = engine.calls
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert engine.calls == first


def test_timeline_data_is_prepared_at_start_up(tmp_path_factory: pytest.TempPathFactory) -> None:
    from kg.build.pipeline import build

    root = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("warm") / "mini")
    build(root)
    engine = Counting(EmbeddedEngine(root / "dist" / "store"))
    with TestClient(create_app(Settings(root=root), engine)) as client:
        deadline = time.monotonic() + 30
        while engine.calls < 3 and time.monotonic() < deadline:  # the timeline reads three queries
            time.sleep(0.05)
        time.sleep(0.2)
        prepared = engine.calls
        assert prepared >= 3
        assert client.get("/timeline").status_code == 200
        assert engine.calls == prepared


def test_concurrent_requests_share_one_computation() -> None:
    """Requests that arrive while a value is computed await that computation; a failure reaches
    them all and is not kept; the request that began a computation may go away without ending it."""
    store, calls = PageData(), []

    async def compute() -> object:
        calls.append(1)
        await asyncio.sleep(0.05)
        return object()

    async def failing() -> object:
        calls.append(1)
        await asyncio.sleep(0.05)
        raise QueryError("busy", 503)

    async def scenario() -> None:
        values = await asyncio.gather(*(store.get("x", "v1", compute) for _ in range(8)))
        assert len(calls) == 1 and all(v is values[0] for v in values)
        failures = await asyncio.gather(
            *(store.get("y", "v1", failing) for _ in range(4)), return_exceptions=True
        )
        assert len(calls) == 2 and all(isinstance(f, QueryError) for f in failures)
        assert await store.get("y", "v1", compute) is not None and len(calls) == 3  # computed again
        first = asyncio.ensure_future(store.get("z", "v1", compute))
        await asyncio.sleep(0.01)
        first.cancel()  # its visitor hung up
        assert await store.get("z", "v1", compute) is not None and len(calls) == 4

    asyncio.run(scenario())
