"""Whole-graph page data (the timeline, the landing page's counts) is computed once per build and
afresh after a rebuild; requests that come while it is computed share that one computation. The
app runs on the test's own event loop (``served``), as under a server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from helpers.inprocess import build_mini, served
from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.embedded import EmbeddedEngine
from kg.engine.plan import QueryPlan
from kg.settings import Settings
from kg.web.app import create_app
from kg.web.views.page_data import PageData

TIMELINE_QUERIES = 3  # the engagements' summaries, the items, the filters' facets


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
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mini(tmp_path_factory.mktemp("pagedata"))


def test_timeline_data_is_prepared_at_start_up_and_read_once_per_build(root: Path) -> None:
    engine = Counting(EmbeddedEngine(root / "dist" / "store"))

    async def scenario() -> None:
        async with served(create_app(Settings(root=root), engine)) as http:
            async with asyncio.timeout(30):  # the warm-up, started with the app, reads the timeline
                while engine.calls < TIMELINE_QUERIES:
                    await asyncio.sleep(0.01)
            answers = await asyncio.gather(*(http.get("/timeline") for _ in range(8)))
            assert [a.status_code for a in answers] == [200] * 8
            assert (await http.get("/timeline?type=x")).status_code == 200
            assert engine.calls == TIMELINE_QUERIES  # nine visits, no query of their own
            engine.build = "b2"  # the graph was rebuilt
            answers = await asyncio.gather(*(http.get("/timeline") for _ in range(4)))
            assert [a.status_code for a in answers] == [200] * 4
            assert engine.calls == 2 * TIMELINE_QUERIES  # read afresh, once for the four

    asyncio.run(scenario())


def test_a_busy_engine_is_not_remembered(root: Path) -> None:
    engine = Counting(EmbeddedEngine(root / "dist" / "store"))

    async def scenario() -> None:
        async with served(create_app(Settings(root=root), engine)) as http:
            engine.build, engine.fail = "b3", True
            r = await http.get("/timeline", headers={"Accept": "text/html"})
            assert r.status_code == 503 and r.headers["retry-after"]
            engine.fail = False
            assert (await http.get("/timeline")).status_code == 200

    asyncio.run(scenario())


def test_landing_counts_are_read_once_per_build(root: Path) -> None:
    engine = Counting(EmbeddedEngine(root / "dist" / "store"))

    async def scenario() -> None:
        async with served(create_app(Settings(root=root), engine)) as http:
            async with asyncio.timeout(30):  # the timeline's warm-up is done: only the page's queries count
                while engine.calls < TIMELINE_QUERIES:
                    await asyncio.sleep(0.01)
            engine.build = "b4"
            assert (await http.get("/")).status_code == 200
            first = engine.calls
            for _ in range(3):
                assert (await http.get("/")).status_code == 200
            assert engine.calls == first

    asyncio.run(scenario())


class Versioned:
    version = "v1"


def test_concurrent_requests_share_one_computation() -> None:
    """Requests that arrive while a value is computed await that computation; a failure reaches
    them all and is not kept; the request that began a computation may go away without ending it."""
    store, calls, engine = PageData(), [], Versioned()
    release = asyncio.Event()

    async def compute() -> object:
        calls.append(1)
        await release.wait()
        return object()

    async def failing() -> object:
        calls.append(1)
        await release.wait()
        raise QueryError("busy", 503)

    async def scenario() -> None:
        release.set()
        values = await asyncio.gather(*(store.get("x", engine, compute) for _ in range(8)))  # type: ignore[arg-type]
        assert len(calls) == 1 and all(v is values[0] for v in values)
        failures = await asyncio.gather(
            *(store.get("y", engine, failing) for _ in range(4)),  # type: ignore[arg-type]
            return_exceptions=True,
        )
        assert len(calls) == 2 and all(isinstance(f, QueryError) for f in failures)
        assert await store.get("y", engine, compute) is not None and len(calls) == 3  # type: ignore[arg-type]
        release.clear()
        first = asyncio.ensure_future(store.get("z", engine, compute))  # type: ignore[arg-type]
        while len(calls) < 4:
            await asyncio.sleep(0)
        first.cancel()  # its visitor hung up
        second = asyncio.ensure_future(store.get("z", engine, compute))  # type: ignore[arg-type]
        release.set()
        assert await second is not None and len(calls) == 4  # the first visitor's computation, finished

    asyncio.run(scenario())
