"""The SPARQL 1.1 Protocol on a running server: methods, graphs, negotiation, formats, caps, cache."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib

from helpers import FIXTURES, Server, copy_project, start_server, stop_server

pytestmark = pytest.mark.server

EX = "http://example.org/"
EXTRA_GRAPH = "https://w3id.org/nato-iraq/graph/extra/items"
MINI_GRAPH = "https://w3id.org/nato-iraq/graph/data/mini"
ITEMS = 20_000
MAX_ROWS = 15_000
SRX = "{http://www.w3.org/2005/sparql-results#}"
FIRST3 = f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }} ORDER BY ?s LIMIT 3"
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("protocol")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    items = tmp / "items.nt"
    with items.open("w", encoding="utf-8") as out:
        for i in range(ITEMS):
            out.write(f'<{EX}item/{i:05d}> <{EX}label> "Item {i}, \\"quoted\\"\\ttab"@en .\n')
    server = start_server(
        ["--root", str(root), "--data", str(items), "--max-rows", str(MAX_ROWS)], tmp / "log"
    )
    yield server
    stop_server(server)


def sparql(server: Server, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.post(server.url + "/sparql", data={"query": query, **params}, headers=headers, timeout=30)


def test_get_post_form_and_post_query_body_agree(server: Server) -> None:
    url, accept = server.url + "/sparql", {"Accept": "application/sparql-results+json"}
    got = httpx.get(url, params={"query": FIRST3}, headers=accept)
    form = httpx.post(url, data={"query": FIRST3}, headers=accept)
    body = httpx.post(
        url, content=FIRST3.encode(), headers={**accept, "Content-Type": "application/sparql-query"}
    )
    assert got.status_code == form.status_code == body.status_code == 200
    assert got.json() == form.json() == body.json()
    rows = got.json()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [f"{EX}item/{i:05d}" for i in range(3)]
    assert rows[0]["label"] == {"type": "literal", "value": 'Item 0, "quoted"\ttab', "xml:lang": "en"}


def test_select_in_every_results_format(server: Server) -> None:
    r = sparql(server, FIRST3, "application/sparql-results+xml")
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    assert len(ET.fromstring(r.content).findall(f".//{SRX}result")) == 3
    r = sparql(server, FIRST3, "text/csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["s", "label"] and rows[1] == [f"{EX}item/00000", 'Item 0, "quoted"\ttab']
    r = sparql(server, FIRST3, "text/tab-separated-values")
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    assert r.text.splitlines()[0] == "?s\t?label" and len(r.text.splitlines()) == 4


def test_ask_in_every_results_format(server: Server) -> None:
    query = f"ASK {{ <{EX}item/00001> ?p ?o }}"
    assert sparql(server, query).json() == {"head": {}, "boolean": True}
    assert (
        ET.fromstring(sparql(server, query, "application/sparql-results+xml").content)
        .find(f"{SRX}boolean")
        .text
        == "true"
    )  # type: ignore[union-attr]
    assert sparql(server, query, "text/csv").text.strip() == "true"
    assert (
        sparql(server, f"ASK {{ <{EX}nothing> ?p ?o }}", "text/tab-separated-values").text.strip() == "false"
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own parsers, not ours
@pytest.mark.parametrize("media", sorted(GRAPH_TYPES))
def test_construct_and_describe_in_every_rdf_format(server: Server, media: str) -> None:
    construct = (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s IN (<{EX}item/00001>, <{EX}item/00002>)) }}"
    )
    for query in (construct, f"DESCRIBE <{EX}item/00007>"):
        r = sparql(server, query, media)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
        graph = rdflib.Dataset()
        graph.parse(data=r.content, format=GRAPH_TYPES[media])
        assert len(graph) == (2 if query == construct else 1), r.text


def test_q_values_and_format_parameter(server: Server) -> None:
    r = sparql(server, FIRST3, "text/csv;q=0.5, application/sparql-results+xml;q=0.9, image/png")
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = sparql(server, FIRST3, "*/*;q=0.1, text/tab-separated-values")
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    r = sparql(server, FIRST3, "text/csv", format="json")
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    r = sparql(server, f"DESCRIBE <{EX}item/00001>", None, format="nt")
    assert r.headers["content-type"].startswith("application/n-triples")
    assert (
        sparql(server, f"DESCRIBE <{EX}item/00001>", None, format="json")
        .headers["content-type"]
        .startswith("application/ld+json")
    )


def test_406_when_nothing_acceptable_fits(server: Server) -> None:
    r = sparql(server, FIRST3, "image/png")
    assert r.status_code == 406 and "image/png" in r.text
    assert sparql(server, FIRST3, None, format="ttl").status_code == 406
    assert sparql(server, f"DESCRIBE <{EX}item/00001>", "text/csv").status_code == 406


def test_default_and_named_graph_parameters_and_from(server: Server) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(r: httpx.Response) -> int:
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    everything = n(sparql(server, count))
    assert everything > ITEMS
    assert n(sparql(server, count, **{"default-graph-uri": EXTRA_GRAPH})) == ITEMS
    assert n(sparql(server, f"SELECT (COUNT(*) AS ?n) FROM <{EXTRA_GRAPH}> WHERE {{ ?s ?p ?o }}")) == ITEMS
    mini = n(sparql(server, count, **{"default-graph-uri": MINI_GRAPH}))
    assert 0 < mini < 100
    graphs = sparql(
        server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": MINI_GRAPH}
    )
    assert [b["g"]["value"] for b in graphs.json()["results"]["bindings"]] == [MINI_GRAPH]


def test_default_graph_is_the_merge_of_the_named_graphs(server: Server) -> None:
    """The default graph merges the data, ontology and extra graphs (not shapes, VoID or per-line copies)."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    parts = " || ".join(
        f'STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/{part}/")'
        for part in ("data", "ontology", "extra")
    )
    distinct = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER ({parts}) }} }}"
    )
    values = [sparql(server, q).json()["results"]["bindings"][0]["n"]["value"] for q in (count, distinct)]
    assert values[0] == values[1]
    graphs = sparql(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").json()["results"][
        "bindings"
    ]
    assert {EXTRA_GRAPH, MINI_GRAPH} <= {b["g"]["value"] for b in graphs}  # the default graph is not named


def test_row_cap_cuts_streams_and_says_so(server: Server) -> None:
    r = sparql(server, f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }}")
    assert r.status_code == 200
    assert r.headers["x-result-truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == MAX_ROWS  # > 1 MiB: streamed from the worker
    again = sparql(server, f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }}")
    assert again.headers["x-cache"] == "hit" and again.content == r.content  # kept once streamed
    r = sparql(server, f"CONSTRUCT WHERE {{ ?s <{EX}label> ?label }}", "application/n-triples")
    assert r.headers["x-result-truncated"] == "true" and len(r.text.splitlines()) == MAX_ROWS
    assert "x-result-truncated" not in sparql(server, FIRST3).headers


def test_repeated_query_is_answered_from_the_cache(server: Server) -> None:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}label> ?o }} # cache test"
    first, second = sparql(server, query), sparql(server, query)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.content == second.content
    assert sparql(server, query, "text/csv").headers["x-cache"] == "miss"  # media type is part of the key


def test_service_description_and_query_editor(server: Server, tmp_path: Path) -> None:
    r = httpx.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    sd = rdflib.Graph().parse(data=r.text, format="turtle")
    service = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, service.endpoint, rdflib.URIRef(server.url + "/sparql")) in sd
    assert (None, service.name, rdflib.URIRef(EXTRA_GRAPH)) in sd
    r = httpx.get(server.url + "/sparql", headers={"Accept": "application/ld+json"})
    assert json.loads(r.text)
    page = httpx.get(server.url + "/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and re.search(r'src="/assets/yasgui\.[0-9a-f]+\.min\.js"', page.text)
    assert "https://" not in page.text.split("<body>")[0].replace('href="https://', "")
    assert httpx.get(server.url + "/static/yasgui/yasgui.min.js").status_code == 200


def test_cors_is_open_without_credentials(server: Server) -> None:
    r = httpx.get(
        server.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://other.example"}
    )
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    pre = httpx.options(
        server.url + "/sparql",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in pre.headers
