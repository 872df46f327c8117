"""The benchmark's floor peer (benchmarks/floor.py) answers like the store it serves, and the
report states the cost of a change against the previous code and the floor."""

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


def peer(lookup: float, long_query: float, cpu: float) -> dict[str, object]:
    return {
        "queries": {
            "lookup": {"fresh": {"median": lookup}, "repeated": {"median": lookup}},
            "cq-03-nac-decisions": {"fresh": {"median": long_query}, "repeated": {"median": long_query}},
        },
        "throughput": {"cold": {"rps": 1000.0, "cpu_us": cpu}, "warm": {"rps": 1000.0}},
    }


def test_the_report_gives_the_cost_of_a_change_side_by_side() -> None:
    peers = {
        "ours": peer(0.0013, 0.0025, 900),
        "before": peer(0.0012, 0.0030, 870),
        "floor": peer(0.0008, 0.0018, 360),
    }
    results = {"versions": {"previous code": "17f96e6"}, "sizes": {"2k": {"triples": 2021, "peers": peers}}}
    lines = acceptance(results, [])
    assert "| 2,021 | 1.3 / 1.2 ms: +0.10 ms | yes | 900 / 870 µs | 2.5 / 1.8 ms: +0.70 ms | yes |" in lines
    peers["ours"] = peer(0.0016, 0.0030, 990)
    lines = acceptance(results, [])
    assert "| 2,021 | 1.6 / 1.2 ms: +0.40 ms | no | 990 / 870 µs | 3.0 / 1.8 ms: +1.20 ms | no |" in lines
    assert not any("≤0.3 ms over Oxigraph" in line or "(cold) ≥0.4×" in line for line in lines)
