"""``/sparql`` exact for every client (in-process tier): malformed requests, graphs, base IRI,
format fallback, service description, caching, browser links, parse errors, column order."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from fastapi.testclient import TestClient

from helpers import FIXTURES
from helpers.inprocess import MINI_GRAPH, build_mini, client
from kg.cli import main

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = "http://www.w3.org/ns/formats/"
JSON_RESULTS = "application/sparql-results+json"
EVENT = "https://w3id.org/nato-iraq/id/event/2020-05-01-meeting"
# SPARQLWrapper's request for a CONSTRUCT with returnFormat N3
WRAPPER_N3 = {
    "Accept": "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mini(tmp_path_factory.mktemp("exact"))


@pytest.fixture(scope="module")
def http(root: Path) -> Iterator[TestClient]:
    with client(root) as c:
        yield c


def rows(response: object) -> list[dict[str, str]]:
    data = response.json()  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


# -- point 2: a POST without a query is a malformed request -----------------------------------


def test_post_without_content_type_is_400(http: TestClient) -> None:
    r = http.post("/sparql", content=b"ASK {}", headers={"Content-Type": ""})
    assert r.status_code == 400, r.text
    assert "Content-Type" in r.text


@pytest.mark.parametrize("body", [b"query=", b"", b"timeout=10", b"default-graph-uri=" + MINI_GRAPH.encode()])
def test_post_form_without_a_query_is_400(http: TestClient, body: bytes) -> None:
    r = http.post("/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, r.text
    assert "query" in r.text


def test_post_sparql_query_with_empty_body_is_400(http: TestClient) -> None:
    r = http.post("/sparql", content=b"  \n", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text


def test_two_query_parameters_are_400(http: TestClient) -> None:
    r = http.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")])
    assert r.status_code == 400 and "one query" in r.text, r.text
    r = http.post("/sparql", data={"query": ["ASK {}", "ASK {}"]})
    assert r.status_code == 400, r.text
    # a query both in the URL and in the body is two queries as well
    r = http.post(
        "/sparql?query=ASK%20%7B%7D",
        content=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 400, r.text


def test_service_description_only_on_get_without_query(http: TestClient) -> None:
    assert http.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200
    assert http.get("/sparql?query=", headers={"Accept": "text/turtle"}).status_code == 400


# -- point 3: graphs the dataset does not hold are empty, never fetched ----------------------------


def test_unknown_protocol_graphs_are_empty(http: TestClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = http.post("/sparql", data={"query": count, "default-graph-uri": "http://example.org/nowhere"})
    assert r.status_code == 200, r.text
    assert rows(r) == [{"n": "0"}]
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = http.post(
        "/sparql",
        data={"query": named, "named-graph-uri": ["http://example.org/nowhere", MINI_GRAPH]},
    )
    assert r.status_code == 200, r.text
    assert {row["g"] for row in rows(r)} == {MINI_GRAPH}


def test_protocol_graph_that_is_no_iri_is_named_in_the_message(http: TestClient) -> None:
    r = http.post("/sparql", data={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400
    assert "default-graph-uri" in r.text and "FROM" not in r.text


# -- point 4: relative IRIs resolve against the endpoint's public URL -----------------------------


def test_relative_iris_resolve_against_the_public_url(root: Path) -> None:
    with client(root, public_url="https://kg.example.org/base") as c:
        r = c.post(
            "/sparql", data={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"Accept": "text/turtle"}
        )
    assert r.status_code == 200, r.text
    graph = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (
        rdflib.URIRef("https://kg.example.org/base/s"),
        rdflib.URIRef("https://kg.example.org/base/p"),
        None,
    ) in graph


# -- point 5: unknown format= falls back to Accept; N3 gets Turtle ---------------------------------


def test_sparqlwrapper_n3_construct_gets_turtle(http: TestClient) -> None:
    query = f"CONSTRUCT {{ <{EVENT}> ?p ?o }} WHERE {{ <{EVENT}> ?p ?o }}"
    params = {"query": query, "format": "n3", "output": "n3", "results": "n3"}
    r = http.get("/sparql", params=params, headers=WRAPPER_N3)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=r.text, format="turtle")) >= 3
    r = http.post("/sparql", data={"query": query}, headers={"Accept": "text/n3"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle"), r.text


def test_unknown_format_value_falls_back_to_accept(http: TestClient) -> None:
    r = http.get(
        "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "format": "bogus"},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text


def test_linked_data_n3_gets_turtle(http: TestClient) -> None:
    path = "/id/event/2020-05-01-meeting"
    for request in ({"headers": {"Accept": "text/n3"}}, {"params": {"format": "n3"}}):
        r = http.get(path, **request)  # type: ignore[arg-type]
        assert r.status_code == 200, (request, r.text)
        assert r.headers["content-type"].startswith("text/turtle")
    r = http.get(path, params={"format": "bogus"}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/n-triples")


# -- point 6: service description -----------------------------------------------------------------


def vocabulary() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((FIXTURES / "vocab").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def service_description(c: TestClient) -> rdflib.Graph:
    r = c.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    return rdflib.Graph().parse(data=r.text, format="turtle")


def test_every_term_of_the_service_description_is_defined(http: TestClient) -> None:
    known = vocabulary()
    namespaces = {str(ns) for _, ns in known.namespaces()} - {
        str(rdflib.RDF),
        str(rdflib.RDFS),
        "http://www.w3.org/XML/1998/namespace",
    }
    sd = service_description(http)
    used = {t for triple in sd for t in triple if isinstance(t, rdflib.URIRef)}
    vocabulary_terms = {t for t in used if any(str(t).startswith(ns) for ns in namespaces)}
    assert vocabulary_terms, "the check found no vocabulary term to check"
    undefined = [t for t in vocabulary_terms if (t, rdflib.RDF.type, None) not in known]
    assert not undefined, f"not defined in their vocabulary: {undefined}"
    predicates = {p for _, p, _ in sd} - {rdflib.RDF.type}
    assert all(p in vocabulary_terms for p in predicates), predicates - vocabulary_terms
    formats = {str(f) for f in sd.objects(None, SD.resultFormat)}
    assert {FORMATS + "JSON-LD", FORMATS + "N-Triples", FORMATS + "SPARQL_Results_JSON"} <= formats


def test_vocabulary_check_can_fail() -> None:
    """The vocabulary copy does not define the misspelt terms the description used to carry."""
    known = vocabulary()
    for wrong in ("JSON_LD", "N_Quads", "N_Triples"):
        assert (rdflib.URIRef(FORMATS + wrong), rdflib.RDF.type, None) not in known


def test_federated_query_advertised_only_with_an_allowlist(root: Path) -> None:
    with client(root) as c:
        assert (None, SD.feature, SD.BasicFederatedQuery) not in service_description(c)
    with client(root, allow_service=["http://example.org/sparql"]) as c:
        assert (None, SD.feature, SD.BasicFederatedQuery) in service_description(c)


def test_endpoint_is_the_address_the_request_came_to(root: Path) -> None:
    with client(root, base_url="http://kg.example.org:8080") as c:
        sd = service_description(c)
    assert (None, SD.endpoint, rdflib.URIRef("http://kg.example.org:8080/sparql")) in sd
    with client(root, base_url="http://127.0.0.1:9", public_url="https://data.example.org/kg") as c:
        sd = service_description(c)
    assert (None, SD.endpoint, rdflib.URIRef("https://data.example.org/kg/sparql")) in sd


# -- point 7: caching, compression, exposed headers -------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/sparql?query=SELECT%20*%20WHERE%20%7B%20?s%20?p%20?o%20%7D%20LIMIT%202",
        "/id/event/2020-05-01-meeting",
        "/id/event/2020-05-01-meeting.ttl",
        "/downloads/nato-iraq.nt",
    ],
)
def test_etag_and_304(http: TestClient, path: str) -> None:
    first = http.get(path)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert "last-modified" in first.headers and "max-age" in first.headers["cache-control"]
    again = http.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = http.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_etag_differs_by_media_type(http: TestClient) -> None:
    url = "/sparql?query=ASK%20%7B%7D"
    a = http.get(url, headers={"Accept": "text/csv"}).headers["etag"]
    b = http.get(url, headers={"Accept": JSON_RESULTS}).headers["etag"]
    assert a != b


def test_gzip_when_accepted(http: TestClient) -> None:
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    r = http.get(
        "/sparql",
        params={"query": query},
        headers={"Accept-Encoding": "gzip", "Accept": "application/n-triples"},
    )
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    raw = http.get(
        "/sparql",
        params={"query": query},
        headers={"Accept-Encoding": "identity", "Accept": "application/n-triples"},
    )
    assert "content-encoding" not in raw.headers and r.content == raw.content  # httpx decodes gzip
    assert len(gzip.compress(raw.content)) < len(raw.content)


def test_cross_origin_scripts_can_read_the_result_headers(http: TestClient) -> None:
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://other.example"})
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"x-result-truncated", "link", "content-location", "etag"} <= exposed


# -- point 8: a shared query link opens the editor with the query ---------------------------------


def test_browser_link_opens_the_editor_with_the_query(http: TestClient) -> None:
    query = "SELECT ?e WHERE { ?e a nio:Event } # shared </script>"
    r = http.get(
        "/sparql", params={"query": query}, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "yasgui" in r.text.lower()
    assert json.dumps(query).replace("<", "\\u003c").replace(">", "\\u003e") in r.text
    assert '</script>"' not in r.text
    # a client that prefers results still gets results
    r = http.get("/sparql", params={"query": query}, headers={"Accept": JSON_RESULTS})
    assert r.headers["content-type"].startswith(JSON_RESULTS)


# -- point 9: readable parse errors -------------------------------------------------------------


def test_unknown_prefix_is_explained(http: TestClient) -> None:
    r = http.post("/sparql", data={"query": "SELECT * WHERE {\n  ?s nio2:date ?o\n}"})
    assert r.status_code == 400
    assert "line 2, column" in r.text
    assert "unknown prefix `nio2:`" in r.text and "nio:" in r.text
    assert "\\u{" not in r.text  # no list of Unicode ranges


def test_syntax_error_names_line_column_and_token(http: TestClient) -> None:
    r = http.post("/sparql", data={"query": "SELECT ?s WHERE {\n ?s ?p ?o } LIMIT x"})
    assert r.status_code == 400
    assert "line 2, column 19" in r.text and "near `x`" in r.text


def test_kg_query_explains_parse_errors_and_missing_files(root: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["query", "--root", str(root), "SELECT * WHERE { ?s nio2:x ?o }"])
    assert result.exit_code != 0
    assert "unknown prefix `nio2:`" in result.output and "line 1, column" in result.output
    result = runner.invoke(main, ["query", "--root", str(root), "missing.rq"])
    assert result.exit_code != 0
    assert "missing.rq" in result.output and "does not exist" in result.output


# -- point 10: SELECT * in query order ---------------------------------------------------------------


def test_select_star_columns_in_query_order(http: TestClient) -> None:
    query = "SELECT * WHERE { BIND(1 AS ?zulu) ?event a nio:Event ; rdfs:label ?alpha }"
    r = http.post("/sparql", data={"query": query})
    assert r.status_code == 200, r.text
    assert r.json()["head"]["vars"] == ["zulu", "event", "alpha"]
    r = http.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert r.text.splitlines()[0] == "zulu,event,alpha"
    explicit = "SELECT ?alpha ?event WHERE { ?event a nio:Event ; rdfs:label ?alpha }"
    assert http.post("/sparql", data={"query": explicit}).json()["head"]["vars"] == ["alpha", "event"]
