"""A query sent to /sparql is read once: its text is tokenized when it is planned, and never again.

The plan carries what the reading found (form, dataset, prefixes, BASE, ``SELECT *`` order); the
engine runs the plan without reading the query again, and so do the syntax-error messages and
the remote engine. Every tokenization goes through ``kg.engine.lexer._scan``, which the tests
count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers.inprocess import build_mini, client
from kg.engine import lexer
from kg.engine.plan import plan_query
from kg.engine.remote import RemoteEngine

TAG = "read-once"  # in every query of these tests (not in the pages' own queries)
QUERIES = {
    "short": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a nio:Event }} # {TAG}",
    "long": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {TAG} " + "x" * 4000,  # planned in a thread
    "star": f"BASE <http://example.org/> PREFIX ex: <x/> SELECT * {{ ?s a ?t . BIND(ex:y AS ?e) }} # {TAG}",
    "graph": f"CONSTRUCT {{ ?s a ?t }} WHERE {{ ?s a ?t }} LIMIT 3 # {TAG}",
    "unknown prefix": f"SELECT * WHERE {{ ?s nope:p ?o }} # {TAG}",
    "malformed": f"SELECT ?s WHERE {{ ?s ?p }} # {TAG}",
}
STATUS = {"unknown prefix": 400, "malformed": 400}


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The texts the lexer tokenizes from now on, counted."""
    seen: Counter[str] = Counter()
    real = lexer._scan

    def counting(text: str) -> Iterator[lexer.Token]:
        if TAG in text:
            seen[text] += 1
        return real(text)

    monkeypatch.setattr(lexer, "_scan", counting)
    return seen


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = build_mini(tmp_path_factory.mktemp("once"))
    with client(root, cache_mb=0) as c:  # no result cache: every request reaches the engine
        yield c


@pytest.mark.parametrize("name", list(QUERIES))
def test_each_request_reads_its_query_once(http: TestClient, scans: Counter[str], name: str) -> None:
    query = QUERIES[name]
    for sent in range(1, 3):  # a repeated query is planned (and read) again, once
        r = http.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == STATUS.get(name, 200), r.text
        assert scans == {query: sent}


def test_the_answers_use_what_the_reading_found(http: TestClient) -> None:
    sparql = {"Content-Type": "application/sparql-query"}
    r = http.post("/sparql", content=QUERIES["unknown prefix"], headers=sparql)
    assert "unknown prefix `nope:`" in r.text
    r = http.post("/sparql", content=QUERIES["star"], headers={**sparql, "Accept": "text/csv"})
    assert r.status_code == 200 and r.text.splitlines()[0] == "s,t,e"  # SELECT *: in order of appearance


def sent_to_a_remote_store(query: str) -> str:
    """The query text the remote engine would send for ``query`` (nothing is sent)."""
    plan = plan_query(query, base_iri="http://here.example/sparql")
    engine = RemoteEngine("http://127.0.0.1:9/sparql", union="dataset")
    try:
        engine._graphs = []  # (as if the store had been asked which graphs it holds)
        return dict(engine._call(plan).fields)["query"]
    finally:
        engine.close()


def test_the_remote_engine_sends_what_the_plan_read(scans: Counter[str]) -> None:
    based = f"BASE <http://example.org/> SELECT * WHERE {{ ?s rdfs:label ?l }} # {TAG}"
    plain = f"SELECT * WHERE {{ ?s rdfs:label ?l }} # {TAG}"
    texts = {query: sent_to_a_remote_store(query) for query in (based, plain)}
    assert scans == {based: 1, plain: 1}  # when they were planned, and not again
    rdfs = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "  # on the first line: line numbers stay
    assert texts[based] == rdfs + based  # its own BASE, no other
    assert texts[plain] == "BASE <http://here.example/sparql>\n" + rdfs + plain


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
