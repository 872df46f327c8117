"""RemoteEngine over a real ``oxigraph serve`` holding the published graph: the embedded store's answers.

Two servers: a plain one (the engine sends every named graph as ``default-graph-uri``) and one
started with ``--union-default-graph`` (the engine finds that out and sends no dataset).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import REPO
from helpers.federation import Listener, answer, rows
from helpers.oxigraph_server import Oxigraph, start_oxigraph, stop_oxigraph
from kg.engine.base import QueryError
from kg.engine.embedded import EmbeddedEngine
from kg.engine.plan import Allowlist, Limits
from kg.engine.remote import RemoteEngine
from kg.formats import GRAPHS, SOLUTIONS
from kg.namespaces import GRAPH
from kg.publish import Target, publish

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("oxigraph_bin")]
CQS = sorted((REPO / "queries").glob("cq-*.rq"))
JSON = "application/sparql-results+json"
DECISIONS = "SELECT ?d ?label WHERE { ?d a nio:Decision ; rdfs:label ?label } ORDER BY ?d ?label"


def quiet(_: str) -> None:
    return None


@pytest.fixture(scope="module")
def servers(built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Oxigraph]]:
    tmp = tmp_path_factory.mktemp("remote-engine")
    started = {
        "dataset": start_oxigraph(tmp / "plain.log"),
        "store": start_oxigraph(tmp / "union.log", union=True),
    }
    try:
        for server in started.values():
            publish(built_repo, Target(server.store_url), quiet)
        yield started
    finally:
        for server in started.values():
            stop_oxigraph(server)


@pytest.fixture(scope="module")
def embedded(built_repo: Path) -> EmbeddedEngine:
    return EmbeddedEngine(built_repo / "store")


@pytest.fixture(scope="module", params=["dataset", "store"])
def remote(request: pytest.FixtureRequest, servers: dict[str, Oxigraph]) -> Iterator[RemoteEngine]:
    engine = RemoteEngine(servers[request.param].query_url)
    yield engine
    engine.close()


def test_named_graphs_and_how_the_default_graph_is_made(
    servers: dict[str, Oxigraph], embedded: EmbeddedEngine
) -> None:
    for mode, server in servers.items():
        engine = RemoteEngine(server.query_url)
        assert engine.named_graphs() == embedded.named_graphs()
        assert GRAPH + "void" in engine.named_graphs()
        assert engine.union == mode


@pytest.mark.parametrize("path", CQS, ids=[p.stem for p in CQS])
def test_competency_queries_give_the_rows_of_the_embedded_engine(
    path: Path, remote: RemoteEngine, embedded: EmbeddedEngine
) -> None:
    query = path.read_text(encoding="utf-8")
    expected = rows(answer(embedded, query, [JSON]).body)
    assert expected, f"{path.name} has no answer on the embedded store"
    assert rows(answer(remote, query, [JSON]).body) == expected


def test_every_media_type_is_written_as_the_embedded_engine_writes_it(
    remote: RemoteEngine, embedded: EmbeddedEngine
) -> None:
    for media in [m for f in SOLUTIONS for m in (f.media_type, *f.also)]:
        got, want = answer(remote, DECISIONS, [media]), answer(embedded, DECISIONS, [media])
        assert (got.body, got.media_type, got.rows) == (want.body, want.media_type, want.rows), media
    boolean = "ASK { organisation:north-atlantic-council ?p ?o }"
    assert answer(remote, boolean, [JSON]).body == answer(embedded, boolean, [JSON]).body
    construct = "CONSTRUCT { ?d rdfs:label ?label } WHERE { ?d a nio:Decision ; rdfs:label ?label }"
    for media in [m for f in GRAPHS for m in (f.media_type, *f.also)]:
        got, want = answer(remote, construct, [media]), answer(embedded, construct, [media])
        assert (got.media_type, got.rows, got.kind) == (want.media_type, want.rows, "graph"), media
        if media in ("application/n-triples", "application/n-quads"):
            assert sorted(got.body.splitlines()) == sorted(want.body.splitlines())


def test_the_row_cap_cuts_and_says_so(servers: dict[str, Oxigraph], embedded: EmbeddedEngine) -> None:
    engine = RemoteEngine(servers["dataset"].query_url, limits=Limits(max_rows=7))
    cut = answer(engine, "SELECT * WHERE { ?s ?p ?o }", [JSON])
    assert (cut.rows, cut.truncated, len(json.loads(cut.body)["results"]["bindings"])) == (7, True, 7)
    graph = answer(engine, "CONSTRUCT WHERE { ?s ?p ?o }", ["application/n-triples"])
    assert (graph.rows, graph.truncated, len(graph.body.splitlines())) == (7, True, 7)
    exact = answer(engine, "SELECT * WHERE { ?s ?p ?o } LIMIT 7", ["text/csv"])
    assert (exact.rows, exact.truncated) == (7, False)


def test_protocol_graph_parameters_choose_the_dataset(remote: RemoteEngine, embedded: EmbeddedEngine) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    links = [GRAPH + "data/links"]
    got = answer(remote, count, [JSON], default_graphs=links)
    assert rows(got.body) == rows(answer(embedded, count, [JSON], default_graphs=links).body)
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    named = [GRAPH + "data/links", GRAPH + "data/places"]
    got = answer(remote, per_graph, [JSON], named_graphs=named)
    assert rows(got.body) == rows(answer(embedded, per_graph, [JSON], named_graphs=named).body)
    assert len(rows(got.body)) == 2


def test_the_endpoint_rules_hold_before_anything_is_sent(remote: RemoteEngine) -> None:
    listener = Listener()
    try:
        for query, status in [
            ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
            (f"SELECT * WHERE {{ SERVICE <{listener.url()}> {{ ?s ?p ?o }} }}", 403),
            (f"SELECT * FROM <{listener.url()}> WHERE {{ ?s ?p ?o }}", 403),
            ("SELECT * WHERE " + "{" * 300 + "}" * 300, 400),
        ]:
            with pytest.raises(QueryError) as err:
                answer(remote, query, [JSON])
            assert err.value.status == status, query
        assert listener.accepted_so_far() == []
    finally:
        listener.close()
    with pytest.raises(QueryError) as err:
        answer(remote, "SELECT * WHERE { ?s nio:label ?o . FILTER( }", [JSON])
    assert err.value.status == 400 and err.value.message.startswith("The store refused the query: ")


def test_an_allowlisted_service_is_run_by_the_store(servers: dict[str, Oxigraph]) -> None:
    other = servers["store"].query_url
    engine = RemoteEngine(servers["dataset"].query_url, limits=Limits(allow=Allowlist((other,))))
    # DISTINCT: a store whose default graph is the union of all graphs also merges the per-line copies
    label = "organisation:north-atlantic-council rdfs:label ?l"
    query = f"SELECT DISTINCT ?l WHERE {{ SERVICE <{other}> {{ {label} }} }}"
    got = json.loads(answer(engine, query, [JSON]).body)["results"]["bindings"]
    assert [row["l"]["value"] for row in got] == ["North Atlantic Council"]


def test_the_version_follows_a_republish(built_repo: Path, tmp_path: Path) -> None:
    server = start_oxigraph(tmp_path / "oxigraph.log")
    try:
        publish(built_repo, Target(server.store_url), quiet)
        engine = RemoteEngine(server.query_url)

        async def versions() -> tuple[str, str, str]:
            await engine.start()
            first = engine.version
            await engine._refresh_now()
            same = engine.version
            extra = '<urn:x> <http://spdx.org/rdf/terms#checksumValue> "changed" .\n'
            await asyncio.to_thread(_post_graph, server.store_url, GRAPH + "void", extra)
            await engine._refresh_now()
            changed = engine.version
            await engine.stop()
            return first, same, changed

        first, same, changed = asyncio.run(versions())
        assert first and first == same and changed != first
    finally:
        stop_oxigraph(server)


def _post_graph(store: str, graph: str, ntriples: str) -> None:
    import httpx

    answer = httpx.post(
        store, params={"graph": graph}, content=ntriples, headers={"Content-Type": "application/n-triples"}
    )
    assert answer.is_success, answer.text
