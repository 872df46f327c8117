"""OpenLink Virtuoso 7.2 as a second real store: ``kg publish`` into it, ``kg serve --engine`` over
it, and Virtuoso querying this endpoint through ``SERVICE``.

One Virtuoso per session (conftest's ``virtuoso``: Debian's package, a private folder, the Debian
defaults for its limits, ``ResultSetMaxRows`` 10,000). Its answers are compared with the
embedded store's (``live_server``): the same quads, the same rows for every competency query,
the same pages.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph

from benchmarks.virtuoso import Virtuoso
from helpers import KG, REPO, Server, start_server, stop_server
from helpers.federation import answer, root_for, rows
from helpers.graph_compare import Triples, same_graph, same_triples, store_triples
from kg.build.dumps import MERGED_GRAPH
from kg.engine.embedded import EmbeddedEngine
from kg.engine.plan import Limits
from kg.engine.remote import RemoteEngine
from kg.namespaces import BASE, GRAPH, PREFIXES

pytestmark = pytest.mark.server
CQS = sorted((REPO / "queries").glob("cq-*.rq"))
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
PAGES = [
    "/", "/ontology", "/dataset", "/graph/data/links", "/search?q=training", "/downloads", "/id/none",
    "/id/org/north-atlantic-council", "/id/document/unscr-1546", "/id/engagement/nmi",
    "/id/event/2004-06-22-allawi-letter-of-request", "/sparql",
    # the evidence: a date merged from three lines, a line's page, the source reader, outside sources
    "/id/event/2018-07-11-nmi-launched", "/graph/line/26", "/source/nato-relations-with-iraq",
    "/id/place/baghdad", "/id/engagement/ntim", "/list/engagements",
]  # fmt: skip


def kg_publish(virtuoso: Virtuoso, dist: Path, password: str) -> subprocess.CompletedProcess[str]:
    command = [*KG, "publish", "--to", virtuoso.store_url, "--user", virtuoso.user, "--digest"]
    env = {**os.environ, "KG_PUBLISH_PASSWORD": password}
    return subprocess.run(
        [*command, "--dist", str(dist)], capture_output=True, text=True, timeout=300, env=env, check=False
    )


def store_graphs(virtuoso: Virtuoso) -> dict[str, Triples]:
    """The dataset's graphs in Virtuoso, each read back with a CONSTRUCT, literals in the
    canonical form an Oxigraph store keeps them in (Virtuoso's booleans are 1 and 0)."""
    with httpx.Client(timeout=60) as client:
        listing = client.post(
            virtuoso.sparql_url,
            data={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
            headers={"Accept": JSON},
        )
        names = [row["g"]["value"] for row in listing.json()["results"]["bindings"]]
        out = {}
        for name in (n for n in names if n.startswith(GRAPH)):
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
            got = client.post(virtuoso.sparql_url, data={"query": query}, headers={"Accept": NTRIPLES})
            assert got.status_code == 200 and "x-sparql-maxrows" not in got.headers, got.text[:500]
            canonical = ox.Store()
            canonical.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object)
                for t in ox.parse(got.content, format=ox.RdfFormat.N_TRIPLES)
            )
            out[name] = {q.triple for q in canonical}
    return out


@pytest.fixture(scope="module")
def published(virtuoso: Virtuoso, built_repo: Path) -> dict[str, Triples]:
    """The build published into Virtuoso once; the graphs it then holds."""
    done = kg_publish(virtuoso, built_repo, virtuoso.password)
    assert done.returncode == 0, done.stderr[-3000:]
    return store_graphs(virtuoso)


@pytest.fixture(scope="module")
def front(
    published: dict[str, Triples],
    virtuoso: Virtuoso,
    built_repo: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """``kg serve --engine`` over Virtuoso's SPARQL endpoint."""
    tmp = tmp_path_factory.mktemp("virtuoso-front")
    server = start_server(
        ["--root", str(root_for(built_repo, tmp)), "--engine", virtuoso.sparql_url], tmp / "log"
    )
    yield server
    stop_server(server)


def test_publish_gives_the_quads_of_the_build_and_twice_the_same(
    published: dict[str, Triples], virtuoso: Virtuoso, built_repo: Path
) -> None:
    built = store_triples(built_repo / "store")
    assert sorted(published) == sorted(built) and MERGED_GRAPH in published
    for name, graph in built.items():
        assert len(published[name]) == len(graph) and same_triples(published[name], graph), name
    again = kg_publish(virtuoso, built_repo, virtuoso.password)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"published {len(built)} graphs" in again.stderr
    republished = store_graphs(virtuoso)
    assert sorted(republished) == sorted(published)
    for name, graph in published.items():
        assert len(republished[name]) == len(graph) and same_triples(republished[name], graph), name


def test_publish_with_a_wrong_password_is_refused(
    published: dict[str, Triples], virtuoso: Virtuoso, built_repo: Path
) -> None:
    refused = kg_publish(virtuoso, built_repo, "not-the-password")
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr, refused.stderr[-2000:]


@pytest.mark.parametrize("path", CQS, ids=[p.stem for p in CQS])
def test_competency_queries_over_virtuoso_give_the_embedded_rows(
    path: Path, front: Server, live_server: Server
) -> None:
    query = path.read_text(encoding="utf-8")
    got = httpx.post(front.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=60)
    want = httpx.post(
        live_server.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=60
    )
    assert (got.status_code, want.status_code) == (200, 200), got.text[:1000]
    assert rows(got.content) == rows(want.content)
    assert "x-result-truncated" not in got.headers


def lines(url: str, path: str) -> tuple[int, list[str]]:
    found = httpx.get(url + path, headers={"Accept": "text/html"}, timeout=60)
    return found.status_code, found.text.replace(url, "SERVER").splitlines()


@pytest.mark.parametrize("path", PAGES)
def test_pages_over_virtuoso_are_the_embedded_pages(path: str, front: Server, live_server: Server) -> None:
    assert lines(front.url, path) == lines(live_server.url, path)


def test_the_timeline_over_virtuoso_is_the_embedded_one(front: Server, live_server: Server) -> None:
    status, got = lines(front.url, "/timeline")
    assert status == 200 and sorted(got) == sorted(lines(live_server.url, "/timeline")[1])


def test_resources_over_virtuoso_have_the_embedded_descriptions(
    front: Server, live_server: Server, built_repo: Path
) -> None:
    store = ox.Store.read_only(str(built_repo / "store"))
    found = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}
    iris = sorted(iri for iri in found if iri.startswith(BASE + "id/"))
    firsts = {iri.split("/")[4]: iri for iri in reversed(iris)}  # the first of each kind
    sample = sorted(set(iris[::15]) | set(firsts.values()))
    assert len(iris) > 300 and len(sample) > 40

    def compare(iri: str) -> str | None:
        path = "/" + iri[len(BASE) :]
        got = httpx.get(front.url + path, headers={"Accept": "application/n-triples"}, timeout=60)
        want = httpx.get(live_server.url + path, headers={"Accept": "application/n-triples"}, timeout=60)
        if (got.status_code, want.status_code) != (200, 200):
            return f"{iri}: {got.status_code} vs {want.status_code}"
        a, b = (Graph().parse(data=r.text, format="nt") for r in (got, want))
        return None if same_graph(a, b) else f"{iri}: descriptions differ"

    with ThreadPoolExecutor(4) as pool:
        problems = [p for p in pool.map(compare, sample) if p]
    assert problems == []


def test_virtuoso_s_own_row_limit_marks_an_answer_truncated(
    published: dict[str, Triples], virtuoso: Virtuoso, built_repo: Path
) -> None:
    """Virtuoso cuts every answer at ResultSetMaxRows (10,000 here) without an error: for a SELECT
    the engine reads its X-SPARQL-MaxRows and says the answer is truncated, as its own cap would.
    (It cuts CONSTRUCT answers without a sign: docs/deployment.md says to set its limit above
    --max-rows.)"""
    limits = Limits(max_rows=20_000)
    engine = RemoteEngine(virtuoso.sparql_url, limits=limits)
    embedded = EmbeddedEngine(built_repo / "store", limits=limits)
    try:
        assert engine.named_graphs() == embedded.named_graphs()  # not Virtuoso's own graphs
        everything = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        whole = answer(embedded, everything, [JSON])
        assert not whole.truncated and whole.rows is not None and whole.rows > 10_000
        cut = answer(engine, everything, [JSON])
        assert (cut.rows, cut.truncated) == (10_000, True)
        assert engine.tsv is False and engine.store_cap == 10_000  # Virtuoso's TSV is not SPARQL TSV
        decisions = "SELECT ?d WHERE { ?d a nio:Decision }"
        small = answer(engine, decisions, [JSON])
        assert not small.truncated and small.rows == answer(embedded, decisions, [JSON]).rows
    finally:
        engine.close()


SERVICE_QUERIES = [
    "SELECT ?d ?label WHERE { ?d a nio:Decision ; rdfs:label ?label }",
    "SELECT ?e ?label ?begin WHERE { ?e a nio:Event ; rdfs:label ?label ; "
    "sem:hasEarliestBeginTimeStamp ?begin FILTER(YEAR(?begin) = 2016) }",
    "SELECT ?quantity ?value ?min WHERE { ?quantity nio:quantityKind quantitykind:people-trained . "
    "OPTIONAL { ?quantity schema:value ?value } OPTIONAL { ?quantity schema:minValue ?min } }",
    "SELECT DISTINCT ?actor ?code WHERE { ?e sem:hasActor ?actor . "
    "OPTIONAL { ?actor nio:cameoActorCode ?code } }",
]


@pytest.mark.parametrize("inner", SERVICE_QUERIES)
def test_virtuoso_service_to_this_endpoint_gives_the_direct_rows(
    inner: str, virtuoso: Virtuoso, live_server: Server
) -> None:
    """Virtuoso (its SPARQL user granted SERVICE) asks this endpoint inside a query of its own."""
    prologue = "".join(
        f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("nio", "rdfs", "sem", "schema", "quantitykind")
    )
    variables = inner.split("WHERE", 1)[0].removeprefix("SELECT").replace("DISTINCT", "")
    outer = f"{prologue}SELECT {variables} WHERE {{ SERVICE <{live_server.url}/sparql> {{ {inner} }} }}"
    via = httpx.post(virtuoso.sparql_url, data={"query": outer}, headers={"Accept": JSON}, timeout=60)
    direct = httpx.post(
        live_server.url + "/sparql", data={"query": prologue + inner}, headers={"Accept": JSON}, timeout=60
    )
    assert (via.status_code, direct.status_code) == (200, 200), via.text[:1000]
    assert rows(via.content) == rows(direct.content) and json.loads(direct.content)["results"]["bindings"]
