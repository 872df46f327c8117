"""A query sent to /sparql is read (checked against the limits) once: when it is planned.

The plan carries what the reading found; the engine runs the plan without reading the query
again, and a repeated query is not read again at all (the guard remembers it by its digest).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from helpers.inprocess import build_mini, client
from kg.engine import guard


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = build_mini(tmp_path_factory.mktemp("once"))
    with client(root, cache_mb=0) as c:  # no result cache: every request reaches the engine
        yield c


def test_each_query_is_read_once(http: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    real = guard._inspect

    def counting(text: str, *args: Any) -> guard.QueryShape:
        if "read-once" in text:  # not the pages' own queries (the timeline is prepared meanwhile)
            reads.append(text)
        return real(text, *args)

    monkeypatch.setattr(guard, "_inspect", counting)
    short = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # read-once short"
    long = short.replace("short", "long " + "x" * 4000)  # planned in a thread
    for query in (short, long):
        for _ in range(2):
            r = http.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
            assert r.status_code == 200, r.text
    assert reads == [short, long]


def test_the_settings_limits_reach_the_reading(tmp_path: Path) -> None:
    root = build_mini(tmp_path)
    query = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 30) + " }"
    with client(root, max_chain=10) as c:
        r = c.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "limit 10" in r.text, r.text
    with client(root) as c:
        assert (
            c.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}).status_code
            == 200
        )
