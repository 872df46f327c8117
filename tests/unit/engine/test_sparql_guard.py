"""The query guard reads keywords only where SPARQL has them (unit tests, no server)."""

from __future__ import annotations

import pytest

from kg.engine.guard import read
from kg.engine.plan import NO_REMOTE, Allowlist, Dataset, Limits, plan_query
from kg.engine.results import QueryError

LOCAL = ["https://w3id.org/nato-iraq/graph/data/events"]


def services(text: str) -> list[str | None]:
    return read(text, max_depth=200).services


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }", ["http://a.example/sparql"]),
        ("select * { service silent <http://a.example/s> { ?s ?p ?o } }", ["http://a.example/s"]),
        (
            "PREFIX e: <http://a.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
            ["http://a.example/sparql"],
        ),
        (
            "BASE <http://a.example/x/> SELECT * { SERVICE <../sparql> { ?s ?p ?o } }",
            ["http://a.example/sparql"],
        ),
        ("SELECT * { SERVICE <http://a\\u002Eexample/s> { ?s ?p ?o } }", ["http://a.example/s"]),
        ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", [None]),
        ("SELECT * { SERVICE u:x { ?s ?p ?o } }", [None]),
        ("SELECT * { SERVICE <relative> { ?s ?p ?o } }", [None]),
        ('SELECT ("SERVICE <http://a.example/>" AS ?x) {}', []),
        ("SELECT ('''x\n SERVICE <http://a.example/> { }''' AS ?x) {}", []),
        ("SELECT * {\n# SERVICE <http://a.example/> { }\n}", []),
        ("SELECT * { ?s <http://a.example/SERVICE> ?o }", []),
        ("SELECT * { ?service ?p ?o . FILTER(?a<?b&&?c>?d) }", []),
    ],
)
def test_service_targets_are_found_only_where_they_are(text: str, expected: list[str | None]) -> None:
    assert services(text) == expected


def test_relative_iris_resolve_as_rfc_3986_and_oxigraph_say() -> None:
    """A relative BASE resolves against the BASE before it; an empty fragment or query stays."""
    text = "BASE <http://a.example/k> BASE <w#h> SELECT * FROM <y#> FROM NAMED <z?> {}"
    reading = read(text)
    assert (reading.from_graphs, reading.from_named) == (["http://a.example/y#"], ["http://a.example/z?"])
    assert reading.bases == ["http://a.example/k", "w#h"]  # as written
    assert read("BASE <tag:a,2020:> SELECT * FROM <x> {}").from_graphs == [None]  # no hierarchy to resolve in


def test_from_clauses_are_resolved() -> None:
    shape = read("PREFIX g: <https://w3id.org/nato-iraq/graph/data/> SELECT * FROM g:events {}")
    assert (shape.kind, shape.from_graphs) == ("solutions", LOCAL)
    shape = read("SELECT * FROM <https://w3id.org/nato-iraq/graph/data/events> FROM NAMED <file:///x> {}")
    assert shape.from_graphs == LOCAL
    assert shape.from_named == ["file:///x"]


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "LOAD <http://a.example/x>",
        "DROP ALL",
        "CLEAR DEFAULT",
        "PREFIX x: <a:> DELETE WHERE { ?s ?p ?o }",
        "SELECT * {} ; INSERT DATA {}",
        "with <a:g> delete {} where {}",
    ],
)
def test_updates_are_refused_with_403(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        read(text, max_depth=200)
    assert caught.value.status == 403


def test_update_words_in_strings_and_names_are_fine() -> None:
    shape = read('SELECT ?insert { ?drop <http://x/load> "DELETE" ; :clear ?o }', max_depth=200)
    assert shape.kind == "solutions"


def test_depth_is_counted_outside_strings() -> None:
    assert read("SELECT * { " + "{ " * 150 + "}" * 150 + " }", max_depth=200).depth == 151
    assert read('SELECT ("' + "(" * 5000 + '" AS ?x) {}', max_depth=200).depth == 1
    with pytest.raises(QueryError) as caught:
        read("ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", max_depth=200)
    assert caught.value.status == 400
    assert "nested too deeply" in caught.value.message


def dataset_of(text: str, allow: Allowlist = NO_REMOTE, **protocol: list[str]) -> Dataset:
    return plan_query(text, limits=Limits(allow=allow), local_graphs=LOCAL, **protocol).dataset  # type: ignore[arg-type]


def test_plans_reach_local_graphs_and_allowlisted_endpoints_only() -> None:
    allow = Allowlist(("http://127.0.0.1:9999/sparql", "http://data.example/"))
    assert dataset_of("SELECT * { SERVICE <http://127.0.0.1:9999/sparql> {} }", allow).union
    dataset = dataset_of(f"SELECT * FROM <{LOCAL[0]}> {{}}")
    assert (dataset.default_graphs, dataset.union, dataset.fetch) == (tuple(LOCAL), False, ())
    assert dataset_of("SELECT * FROM <http://data.example/g.ttl> {}", allow).fetch == (
        "http://data.example/g.ttl",
    )
    for text in [
        "SELECT * { SERVICE <http://127.0.0.1:9999/other> {} }",
        "SELECT * { SERVICE ?x {} }",
        "SELECT * FROM <http://elsewhere.example/g> {}",
        "SELECT * FROM NAMED <file:///etc/passwd> {}",
    ]:
        with pytest.raises(QueryError) as caught:
            dataset_of(text, allow)
        assert caught.value.status == 403, text
    # the protocol's graphs replace FROM and are never fetched: a graph the dataset lacks is empty
    protocol = dataset_of(
        "SELECT * FROM <http://elsewhere.example/g> {}", default_graphs=["file:///etc/passwd"]
    )
    assert (protocol.default_graphs, protocol.union, protocol.fetch) == (("file:///etc/passwd",), False, ())
    with pytest.raises(QueryError) as caught:
        dataset_of("SELECT * {}", default_graphs=["not an IRI"])
    assert caught.value.status == 400
