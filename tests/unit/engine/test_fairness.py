"""Turns on the workers (kg.engine.fairness): round-robin over clients, a per-client cap, and a
lane for the site's pages that never waits behind /sparql (unit tests with stand-in workers)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from kg.engine.fairness import Lane
from kg.engine.results import QueryError

T = TypeVar("T")
FAR = 1e9  # a deadline no test reaches


@dataclass(eq=False)
class Worker:
    name: str
    usable: bool = True


def run(test: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(test())


def lane(*workers: Worker, **options: Any) -> tuple[Lane, list[Worker]]:
    retired: list[Worker] = []
    made = Lane(retired.append, **options)  # type: ignore[arg-type]
    for worker in workers:
        made.add(worker)  # type: ignore[arg-type]
    return made, retired


class Queries:
    """Queries that take a turn on ``lane`` and hold their worker until released, in order."""

    def __init__(self, lane: Lane) -> None:
        self.lane = lane
        self.served: list[str] = []  # clients, in the order they got a worker
        self.holding: dict[str, asyncio.Event] = {}
        self.tasks: list[asyncio.Task[None]] = []

    def send(self, client: str, name: str) -> None:
        release = self.holding[name] = asyncio.Event()

        async def query() -> None:
            async with self.lane.turn(client, FAR):
                self.served.append(client)
                await release.wait()

        self.tasks.append(asyncio.ensure_future(query()))

    async def settle(self) -> None:
        for _ in range(5):
            await asyncio.sleep(0)

    async def release(self, name: str) -> None:
        self.holding[name].set()
        await self.settle()


def test_clients_take_turns_rather_than_first_come_first_served() -> None:
    async def scenario() -> list[str]:
        queries = Queries(lane(Worker("only"))[0])
        queries.send("a", "a1")
        await queries.settle()
        for n in (2, 3, 4):  # a sends three more before b and c send one each
            queries.send("a", f"a{n}")
        queries.send("b", "b1")
        queries.send("c", "c1")
        await queries.settle()
        for name in ("a1", "a2", "b1", "c1", "a3", "a4"):  # each releases when it has run
            await queries.release(name)
        await asyncio.gather(*queries.tasks)
        return queries.served

    assert run(scenario) == ["a", "a", "b", "c", "a", "a"]


def test_a_client_at_its_cap_waits_a_moment_then_gets_429_while_others_run() -> None:
    async def scenario() -> None:
        sparql, _ = lane(Worker("one"), Worker("two"), cap=1, cap_wait=0.01)
        async with sparql.turn("a", FAR):
            with pytest.raises(QueryError) as caught:
                async with sparql.turn("a", FAR):
                    pass
            assert caught.value.status == 429 and "at most 1" in caught.value.message
            async with sparql.turn("b", FAR) as worker:  # another address is not held up
                assert worker.name == "two"  # type: ignore[attr-defined]
        async with sparql.turn("a", FAR):  # its slot was given back
            pass

    run(scenario)


def test_every_worker_busy_past_the_deadline_is_503() -> None:
    async def scenario() -> None:
        sparql, _ = lane(Worker("only"))
        loop = asyncio.get_running_loop()
        async with sparql.turn("a", FAR):
            with pytest.raises(QueryError) as caught:
                async with sparql.turn("b", loop.time() + 0.01):
                    pass
            assert caught.value.status == 503
        assert not sparql.waiting and sparql.idle  # the one that gave up left no trace

    run(scenario)


def test_pages_have_their_own_worker_and_borrow_only_idle_sparql_ones() -> None:
    async def scenario() -> None:
        sparql, _ = lane(Worker("sparql"))
        pages, _ = lane(Worker("page"), spare=sparql)
        # the /sparql worker is busy with a long query, and the same address's page answers
        async with sparql.turn("a", FAR), pages.turn("a", FAR) as worker:
            assert worker.name == "page"  # type: ignore[attr-defined]
        async with pages.turn("a", FAR) as first, pages.turn("b", FAR) as second:
            # an idle /sparql worker helps when the pages' own is busy ...
            assert (first.name, second.name) == ("page", "sparql")  # type: ignore[attr-defined]
        assert list(sparql.idle) and list(pages.idle) and not pages.borrowed  # ... and goes back
        async with sparql.turn("a", FAR):
            queries = Queries(sparql)
            queries.send("b", "waiting")  # a /sparql query waits for the /sparql worker
            await queries.settle()
            async with pages.turn("c", FAR) as worker:
                assert worker.name == "page"  # type: ignore[attr-defined]
        await queries.release("waiting")
        await asyncio.gather(*queries.tasks)
        assert queries.served == ["b"]

    run(scenario)


def test_a_worker_that_comes_back_unfit_is_retired_not_reused() -> None:
    async def scenario() -> None:
        sparql, retired = lane(Worker("stuck"), Worker("fine"))
        async with sparql.turn("a", FAR) as worker:
            worker.usable = False  # type: ignore[misc]
        assert [w.name for w in retired] == ["stuck"]
        async with sparql.turn("a", FAR) as worker:
            assert worker.name == "fine"  # type: ignore[attr-defined]

    run(scenario)
