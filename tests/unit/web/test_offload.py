"""Page work off the event loop: one job per client address at a time, several clients at once,
and a request that waits past the time limit gets a 503 while the loop stays free."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest

from kg.engine.base import QueryError
from kg.web.views.offload import Offload


def test_one_job_per_client_at_a_time_and_clients_side_by_side() -> None:
    running: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}
    met: set[str] = set()
    together = threading.Barrier(2, timeout=10)  # the first jobs of a and b pass it only side by side
    guard = threading.Lock()

    def job(client: str) -> str:
        with guard:
            running[client] += 1
            most[client] = max(most[client], running[client])
            first = client not in met
            met.add(client)
        if first:
            together.wait()
        with guard:
            running[client] -= 1
        return client

    async def as_client(offload: Offload, client: str) -> str:
        return await replace(offload, client=client).run(job, client)

    async def scenario() -> None:
        offload = Offload.with_threads(30, threads=2)
        results = await asyncio.gather(*(as_client(offload, c) for c in "aaaabbbb"))
        assert sorted(results) == list("aaaabbbb")

    asyncio.run(scenario())
    assert most == {"a": 1, "b": 1}


def test_a_job_past_the_time_limit_is_a_503_and_the_loop_stays_free() -> None:
    release = threading.Event()

    async def scenario() -> None:
        offload = Offload.with_threads(0.2, threads=1)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while not release.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.ensure_future(tick())
        with pytest.raises(QueryError) as refused:
            await offload.run(release.wait, 5)
        release.set()
        await ticker
        assert refused.value.status == 503
        assert ticks > 3  # the loop ran while the job held its thread

    asyncio.run(scenario())
