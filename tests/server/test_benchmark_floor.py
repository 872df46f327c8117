"""The benchmark's floor peer (benchmarks/floor.py) answers like the store it serves, and the
report states what it reaches against the two fixed-cost targets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.generate import event_iri, generate
from benchmarks.load import Connection
from benchmarks.report import acceptance
from benchmarks.servers import Endpoint, start, stop


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Endpoint, Path]]:
    work = tmp_path_factory.mktemp("floor")
    data = work / "graph.nt"
    generate(2000, data)
    endpoint = start("floor", data, work, 2)
    try:
        yield endpoint, data
    finally:
        stop(endpoint)


def ask(url: str, query: str) -> tuple[int, bytes]:
    async def one() -> tuple[int, bytes]:
        connection = Connection(url)
        try:
            return await connection.query(query)
        finally:
            await connection.close()

    return asyncio.run(one())


@pytest.mark.server
def test_the_floor_answers_a_lookup_with_the_stores_rows(floor: tuple[Endpoint, Path]) -> None:
    endpoint, data = floor
    query = f"SELECT ?p ?o WHERE {{ <{event_iri(1)}> ?p ?o }}"
    status, body = ask(endpoint.url, query)
    assert status == 200
    got = {(b["p"]["value"], b["o"]["value"]) for b in json.loads(body)["results"]["bindings"]}
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    expected = {(s["p"].value, s["o"].value) for s in store.query(query)}  # type: ignore[union-attr]
    assert expected and got == expected


@pytest.mark.server
def test_the_floor_answers_graphs_and_refuses_bad_queries(floor: tuple[Endpoint, Path]) -> None:
    endpoint, _ = floor
    status, body = ask(endpoint.url, f"CONSTRUCT WHERE {{ <{event_iri(1)}> ?p ?o }}")
    assert status == 200 and body.count(b" .\n") > 3
    status, body = ask(endpoint.url, "SELECT * WHERE { ?s ?p ")
    assert status == 400 and b"1:" in body


def peer(lookup: float, cold: float) -> dict[str, object]:
    timing = {"median": lookup}
    return {
        "queries": {"lookup": {"fresh": timing, "repeated": timing}},
        "throughput": {"cold": {"rps": cold}, "warm": {"rps": cold}},
    }


def test_the_report_says_what_the_floor_reaches() -> None:
    peers = {
        "ours": peer(0.0010, 1000.0),
        "floor": peer(0.0006, 2400.0),
        "oxigraph": peer(0.0004, 5000.0),
    }
    lines = acceptance({"sizes": {"1m": {"triples": 10**6, "peers": peers}}}, [])
    assert "| fresh lookup: ≤0.3 ms over Oxigraph | +0.20 ms | yes |" in lines
    assert "| lookup throughput (cold) ≥0.4× Oxigraph | 0.48× | yes |" in lines
    assert "| fresh lookup: ≤0.3 ms over Oxigraph | uvicorn | +0.60 ms | no |" in lines
    peers["floor"] = peer(0.0009, 1500.0)
    lines = acceptance({"sizes": {"1m": {"triples": 10**6, "peers": peers}}}, [])
    assert "| fresh lookup: ≤0.3 ms over Oxigraph | +0.50 ms | no |" in lines
    assert "| lookup throughput (cold) ≥0.4× Oxigraph | 0.30× | no |" in lines
