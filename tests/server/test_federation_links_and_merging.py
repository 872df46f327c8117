"""Links to Wikidata and DBpedia as VoID linksets in their own named graph; other datasets merged as graphs.

The merging example is the one docs/federation.md shows (``docs/examples/``): it must build with
``kg build --data``, be served with ``kg serve --data``, appear in the VoID and the service
description as a named graph, and answer the documented join.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from helpers import KG, REPO, start_server, stop_server
from helpers.federation import root_for

EXAMPLES = REPO / "docs" / "examples"
EXAMPLE = EXAMPLES / "unsc-resolutions.ttl"
JOIN = EXAMPLES / "unsc-join.rq"
GRAPH = "https://w3id.org/nato-iraq/graph/"
LINKS = GRAPH + "data/links"
EXTRA = GRAPH + "extra/unsc-resolutions"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TARGETS = {"http://www.wikidata.org/entity/", "http://dbpedia.org/resource/"}
JOIN_ROWS = [
    ("S/RES/1546 (2004)", "2004-06-08", "https://w3id.org/nato-iraq/id/engagement/ntm-i"),
    ("S/RES/1546 (2004)", "2004-06-08", "https://w3id.org/nato-iraq/id/event/2004-end-ntm-i-established"),
]


def test_links_are_void_linksets_and_live_in_their_own_named_graph(built_repo: Path) -> None:
    void = Graph().parse(built_repo / "void.ttl", format="turtle")
    store = ox.Store.read_only(str(built_repo / "store"))
    links: dict[tuple[str, str], int] = {}
    for quad in store:
        obj = quad.object
        if isinstance(obj, ox.NamedNode) and any(obj.value.startswith(t) for t in TARGETS):
            if quad.graph_name == ox.NamedNode(GRAPH + "void") or isinstance(
                quad.graph_name, ox.DefaultGraph
            ):
                continue  # the VoID's own void:uriSpace/sparqlEndpoint values; the default graph's copy
            assert quad.graph_name == ox.NamedNode(LINKS), quad  # every link is in the links graph
            target = next(t for t in TARGETS if obj.value.startswith(t))
            links[(target, quad.predicate.value)] = links.get((target, quad.predicate.value), 0) + 1
    assert links[("http://www.wikidata.org/entity/", "http://www.w3.org/2002/07/owl#sameAs")] > 0
    described = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        target = void.value(linkset, VOID.objectsTarget)
        space = str(void.value(target, VOID.uriSpace))
        assert void.value(target, VOID.sparqlEndpoint) is not None
        described[(space, str(void.value(linkset, VOID.linkPredicate)))] = int(
            void.value(linkset, VOID.triples)
        )
    assert described == links
    assert (URIRef(LINKS), RDF.type, SD.NamedGraph) in void


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kg build --data docs/examples/unsc-resolutions.ttl`` (returns its dist/)."""
    out = tmp_path_factory.mktemp("merged") / "dist"
    cmd = [*KG, "build", "--root", str(REPO), "--out", str(out), "--data", str(EXAMPLE)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return out


def test_a_second_dataset_builds_into_its_own_named_graph_listed_in_the_void(merged: Path) -> None:
    store = ox.Store.read_only(str(merged / "store"))
    example = list(ox.parse(path=str(EXAMPLE), format=ox.RdfFormat.TURTLE))
    in_graph = list(store.quads_for_pattern(None, None, None, ox.NamedNode(EXTRA)))
    assert len(in_graph) == len(example) > 0
    void = Graph().parse(merged / "void.ttl", format="turtle")
    assert (URIRef(EXTRA), VOID.triples, Literal(len(example))) in void
    graphs = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)} - {GRAPH + "void"}
    assert graphs <= {str(s) for s in void.subjects(RDF.type, SD.NamedGraph)}  # every named graph


def test_the_documented_join_runs_on_the_merged_build(merged: Path) -> None:
    result = subprocess.run(
        [*KG, "query", "--root", str(REPO), "--dist", str(merged), "-o", "csv", str(JOIN)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [tuple(line.split(",")[:3]) for line in lines[1:]] == JOIN_ROWS
    docs = (REPO / "docs" / "federation.md").read_text(encoding="utf-8")
    assert JOIN.read_text(encoding="utf-8").strip() in docs  # the docs show this very query


@pytest.mark.server
def test_kg_serve_data_serves_it_as_a_named_graph_in_the_service_description(
    built_repo: Path, tmp_path: Path
) -> None:
    server = start_server(
        ["--root", str(root_for(built_repo, tmp_path)), "--data", str(EXAMPLE)], tmp_path / "log"
    )
    try:
        described = httpx.get(server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30).text
        assert EXTRA in described and LINKS in described
        answer = httpx.post(
            server.url + "/sparql",
            data={"query": JOIN.read_text(encoding="utf-8")},
            headers={"Accept": "text/csv"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        got = [tuple(line.split(",")[:3]) for line in answer.text.strip().splitlines()[1:]]
        assert got == JOIN_ROWS
    finally:
        stop_server(server)
