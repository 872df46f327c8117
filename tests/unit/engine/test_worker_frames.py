"""The parent's side of the worker hop (kg.engine.process): answers parsed from the worker's
output however the bytes arrive, large ones spooled to a file, a dead worker reported."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import psutil
import pytest

from helpers import wait_for_async
from helpers.inprocess import build_mini
from kg.engine.plan import Limits, plan_query
from kg.engine.process import HEADER, Answer, WorkerGone, WorkerProcess, _Answers
from kg.engine.spool import Spool, Spools


def frame(data: bytes) -> bytes:
    return HEADER.pack(len(data)) + data


def answer_bytes(header: dict[str, Any], body: bytes) -> bytes:
    return frame(json.dumps(header).encode()) + frame(body)


def collect(stream: bytes, cut: int, spool_over: int = 1 << 20) -> list[tuple[dict[str, Any], bytes]]:
    """Feed ``stream`` to the parser in pieces of ``cut`` bytes; return every answer delivered."""

    async def run() -> list[tuple[dict[str, Any], bytes]]:
        parser = _Answers(Spools(), spool_over)
        got: list[Answer] = []
        parser._deliver = got.append  # type: ignore[method-assign]  # every answer, waited for or not
        for i in range(0, len(stream), cut):
            parser.pipe_data_received(1, stream[i : i + cut])
        await asyncio.sleep(0)
        return [(header, read_spool(parser.spools, body)) for header, body in got]

    return asyncio.run(run())


def read_spool(spools: Spools, body: bytes | Spool) -> bytes:
    """``body``, read from its spool (which is then deleted) when it is one."""
    if isinstance(body, bytes):
        return body
    body.file.seek(0)
    data = body.file.read()
    spools.close(body)
    return data


STREAM = (
    answer_bytes({"ready": True}, b"")
    + answer_bytes({"ok": True, "n": 1}, b"first body")
    + answer_bytes({"ok": True, "n": 2}, b"")
    + answer_bytes({"ok": True, "n": 3}, b"x" * 5000)
)


@pytest.mark.parametrize("cut", [1, 2, 3, 7, 64, 4096, len(STREAM)])
def test_answers_arrive_whole_however_the_bytes_are_cut(cut: int) -> None:
    got = collect(STREAM, cut)
    assert got == [
        ({"ready": True}, b""),
        ({"ok": True, "n": 1}, b"first body"),
        ({"ok": True, "n": 2}, b""),
        ({"ok": True, "n": 3}, b"x" * 5000),
    ]


@pytest.mark.parametrize("cut", [1, 999, 4096])
def test_a_large_answer_is_spooled_to_a_file_and_the_next_one_still_parses(cut: int) -> None:
    ready = answer_bytes({"ready": True}, b"")
    stream = ready + answer_bytes({"n": 1}, b"y" * 3000) + answer_bytes({"n": 2}, b"z")
    got = collect(stream, cut, spool_over=1000)
    assert got == [({"ready": True}, b""), ({"n": 1}, b"y" * 3000), ({"n": 2}, b"z")]


def test_a_worker_that_dies_mid_answer_is_reported_gone() -> None:
    async def run() -> None:
        parser = _Answers(Spools(), 1 << 20)
        waiter: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        parser.waiter = waiter
        parser.pipe_data_received(1, answer_bytes({"ready": True}, b""))
        waiter = asyncio.get_running_loop().create_future()
        parser.waiter = waiter
        parser.pipe_data_received(1, answer_bytes({"ok": True}, b"abcdef")[:-3])
        parser.pipe_connection_lost(1, None)
        with pytest.raises(WorkerGone):
            await waiter

    asyncio.run(run())


@pytest.fixture(scope="module")
def mini_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project, built once for this module (its tests only read the store)."""
    return build_mini(tmp_path_factory.mktemp("worker-frames"))


def test_a_real_worker_answers_small_and_spooled_results(mini_root: Path) -> None:
    """A worker process over the mini graph: a result over ``spool_over`` comes back as a file
    holding exactly what a small-result worker returns in memory."""
    store = mini_root / "dist" / "store"
    plan = plan_query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
        accepted=["text/tab-separated-values"],
        limits=Limits(max_rows=100_000),
    )

    async def ask(spool_over: int) -> tuple[dict[str, Any], bytes, bool]:
        spools = Spools()
        worker = await WorkerProcess.start(store, False, 0, spools, spool_over=spool_over)
        try:
            header, body = await worker.ask(plan)
            spooled = isinstance(body, Spool)
            body = read_spool(spools, body)
            again, second = await worker.ask(plan)  # the worker still answers after a spooled one
            read_spool(spools, second)
            assert again["ok"]
        finally:
            await worker.kill()
        assert not worker.usable and not spools.open
        return header, body, spooled

    small = asyncio.run(ask(1 << 30))
    large = asyncio.run(ask(100))
    assert small[0]["ok"] and small[0]["rows"] > 10
    assert (small[2], large[2]) == (False, True)
    assert large[:2] == small[:2]


def test_a_query_given_up_costs_its_worker_only(mini_root: Path) -> None:
    """A request cancelled while its query runs (its task is cancelled) has its worker replaced:
    the pool keeps its size and answers the next query."""
    from kg.engine.pool import PoolEngine

    root = mini_root
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?s }"
    )
    quick = "ASK { ?s ?p ?o }"

    async def run() -> None:
        pool = PoolEngine(root / "dist" / "store", workers=2, client_queries=2, limits=Limits(timeout=60))
        await pool.start()
        lane = pool.lanes["sparql"]
        try:
            first = {w.pid for w in pool._live}
            task = asyncio.ensure_future(pool.run(plan_query(slow, limits=pool.limits)))

            def busy() -> list[int]:
                """The workers neither lane has idle: the one given the query."""
                idle = {*lane.idle, *pool.lanes["pages"].idle}
                return [w.pid for w in pool._live if w not in idle]

            await wait_for_async(  # the query has reached its worker, which is evaluating it
                lambda: len(busy()) == 1 and psutil.Process(busy()[0]).status() == psutil.STATUS_RUNNING,
                30,
                "the query running in its worker",
            )
            evaluating = busy()[0]
            assert not task.done()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await wait_for_async(  # the busy worker is killed and replaced in the background
                lambda: evaluating not in {w.pid for w in pool._live} and len(lane.idle) == 2,
                30,
                "the busy worker replaced",
            )
            assert first - {w.pid for w in pool._live} == {evaluating}  # it alone: the pool keeps its size
            assert len(pool._live) == 3
            for _ in range(4):
                result = await pool.run(plan_query(quick, limits=pool.limits))
                assert json.loads(result.body)["boolean"] is True
        finally:
            await pool.stop()

    asyncio.run(run())
