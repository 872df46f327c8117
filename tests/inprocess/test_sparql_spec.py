"""The requirements of the SPARQL 1.1 Protocol (W3C Recommendation, 21 March 2013), one test each.

https://www.w3.org/TR/sparql11-protocol/ - every test names the section it checks. In-process
tier: the whole app over the embedded engine (the HTTP parser itself is checked in
test_sparql_clients.py).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient

from helpers.inprocess import MINI_GRAPH, build_mini, client

ONTOLOGY_GRAPH = "https://w3id.org/nato-iraq/graph/ontology/mini"
EVENT = "https://w3id.org/nato-iraq/id/event/2020-05-01-meeting"
LABEL = f"SELECT ?label WHERE {{ <{EVENT}> rdfs:label ?label }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
SRX = "{http://www.w3.org/2005/sparql-results#}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = build_mini(tmp_path_factory.mktemp("spec"))
    with client(root) as c:
        yield c


def values(response: object, name: str) -> list[str]:
    data = response.json()  # type: ignore[attr-defined]
    return [b[name]["value"] for b in data["results"]["bindings"] if name in b]


# -- 2.1 query operation --------------------------------------------------------------------------


def test_2_1_1_query_via_get(http: TestClient) -> None:
    """§2.1.1: the query is the percent-encoded ``query`` parameter of a GET."""
    r = http.get("/sparql?query=" + quote(LABEL))
    assert r.status_code == 200
    assert values(r, "label") == ["NATO meets Iraq"]


def test_2_1_2_query_via_post_with_url_encoded_parameters(http: TestClient) -> None:
    """§2.1.2: POST, Content-Type application/x-www-form-urlencoded, parameters in the body."""
    r = http.post("/sparql", content=("query=" + quote(LABEL)).encode(), headers=FORM)
    assert r.status_code == 200
    assert values(r, "label") == ["NATO meets Iraq"]


def test_2_1_3_query_via_post_directly(http: TestClient) -> None:
    """§2.1.3: POST, Content-Type application/sparql-query, the unencoded query as the UTF-8 body."""
    r = http.post("/sparql", content=LABEL.encode("utf-8"), headers=DIRECT)
    assert r.status_code == 200
    assert values(r, "label") == ["NATO meets Iraq"]


def test_2_1_3_dataset_parameters_of_a_direct_post_are_in_the_url(http: TestClient) -> None:
    """§2.1.3: with a query body, default-graph-uri/named-graph-uri are query-string parameters."""
    url = "/sparql?named-graph-uri=" + quote(MINI_GRAPH, safe="")
    r = http.post(url, content=GRAPHS.encode(), headers=DIRECT)
    assert values(r, "g") == [MINI_GRAPH]


def test_2_1_1_exactly_one_query_parameter(http: TestClient) -> None:
    """§2.1.1 (table of the query operation): one ``query`` parameter; a request with none or two
    is malformed (400, §2.1.7)."""
    assert http.get("/sparql", params=[("query", LABEL), ("query", COUNT)]).status_code == 400
    assert http.post("/sparql", data={"query": [LABEL, COUNT]}).status_code == 400
    assert http.post("/sparql", data={"default-graph-uri": MINI_GRAPH}).status_code == 400


def test_2_1_4_default_graph_uri_sets_the_default_graph(http: TestClient) -> None:
    """§2.1.4: the default graph is the RDF merge of the default-graph-uri graphs."""
    only_ontology = values(
        http.get("/sparql", params={"query": COUNT, "default-graph-uri": ONTOLOGY_GRAPH}), "n"
    )
    both = values(
        http.get(
            "/sparql",
            params=[
                ("query", COUNT),
                ("default-graph-uri", ONTOLOGY_GRAPH),
                ("default-graph-uri", MINI_GRAPH),
            ],
        ),
        "n",
    )
    everything = values(http.get("/sparql", params={"query": COUNT}), "n")
    assert 0 < int(only_ontology[0]) < int(both[0]) <= int(everything[0])


def test_2_1_4_named_graph_uri_sets_the_named_graphs(http: TestClient) -> None:
    """§2.1.4: the named graphs are exactly the named-graph-uri graphs."""
    r = http.get("/sparql", params=[("query", GRAPHS), ("named-graph-uri", MINI_GRAPH)])
    assert values(r, "g") == [MINI_GRAPH]
    r = http.get("/sparql", params={"query": COUNT, "named-graph-uri": MINI_GRAPH})
    assert values(r, "n") == ["0"]  # no default-graph-uri: the default graph is empty


def test_2_1_4_protocol_dataset_overrides_from(http: TestClient) -> None:
    """§2.1.4: dataset parameters take precedence over FROM / FROM NAMED in the query."""
    query = f"SELECT DISTINCT ?g FROM NAMED <{ONTOLOGY_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert values(http.get("/sparql", params={"query": query}), "g") == [ONTOLOGY_GRAPH]
    r = http.get("/sparql", params={"query": query, "named-graph-uri": MINI_GRAPH})
    assert values(r, "g") == [MINI_GRAPH]


@pytest.mark.parametrize(
    ("accept", "check"),
    [
        ("application/sparql-results+xml", lambda r: ET.fromstring(r.content).find(f".//{SRX}literal").text),
        ("application/sparql-results+json", lambda r: r.json()["results"]["bindings"][0]["label"]["value"]),
        ("text/csv", lambda r: list(csv.reader(io.StringIO(r.text)))[1][0]),
        ("text/tab-separated-values", lambda r: r.text.splitlines()[1].split("@")[0].strip('"')),
    ],
)
def test_2_1_5_select_results_in_the_negotiated_format(http: TestClient, accept: str, check: object) -> None:
    """§2.1.5: SELECT answers in the SPARQL results XML, JSON, CSV or TSV format the client accepts."""
    r = http.get("/sparql", params={"query": LABEL}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert check(r) == "NATO meets Iraq"  # type: ignore[operator]


@pytest.mark.parametrize(
    ("accept", "syntax"),
    [
        ("application/rdf+xml", "xml"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_2_1_5_construct_results_in_the_negotiated_format(http: TestClient, accept: str, syntax: str) -> None:
    """§2.1.5: CONSTRUCT and DESCRIBE answer in the RDF serialisation the client accepts."""
    for query in (f"CONSTRUCT WHERE {{ <{EVENT}> ?p ?o }}", f"DESCRIBE <{EVENT}>"):
        r = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept), r.text
        graph = rdflib.Graph().parse(data=r.content, format=syntax)
        assert (rdflib.URIRef(EVENT), None, None) in graph


def test_2_1_5_ask_results(http: TestClient) -> None:
    """§2.1.5: ASK answers a boolean in the SPARQL results formats."""
    r = http.get("/sparql", params={"query": f"ASK {{ <{EVENT}> ?p ?o }}"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = http.get(
        "/sparql",
        params={"query": "ASK { <urn:x:nothing> ?p ?o }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert ET.fromstring(r.content).find(f"{SRX}boolean").text == "false"  # type: ignore[union-attr]


def test_2_1_6_success_is_2xx_with_the_result(http: TestClient) -> None:
    """§2.1.6: a successful query answers 2XX with the result in the body."""
    r = http.post("/sparql", data={"query": COUNT})
    assert 200 <= r.status_code < 300 and int(values(r, "n")[0]) > 0


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "GET", "url": "/sparql?query=SELEKT%20*"},
        {"method": "POST", "url": "/sparql", "data": {"query": "SELECT * WHERE { ?s ?p }"}},
        {"method": "POST", "url": "/sparql", "content": b"SELECT * WHERE {", "headers": DIRECT},
        {"method": "POST", "url": "/sparql", "content": b"\xff\xfe", "headers": DIRECT},
    ],
)
def test_2_1_7_malformed_query_is_400(http: TestClient, request_kwargs: dict[str, object]) -> None:
    """§2.1.7: a malformed query (or request) answers 400 with a body that says why."""
    r = http.request(**request_kwargs)  # type: ignore[arg-type]
    assert r.status_code == 400
    assert r.text.strip()


def test_2_1_7_refused_query_is_4xx(http: TestClient) -> None:
    """§2.1.7 and §3 (policy): a query the service will not run answers 4XX, never 2XX."""
    r = http.post(
        "/sparql", data={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}
    )
    assert r.status_code == 403 and "allowlist" in r.text


def test_2_2_update_is_refused_by_this_read_only_service(http: TestClient) -> None:
    """§2.2: updates are POSTed (``update=`` form or application/sparql-update body); this read-only
    service refuses them (403), and an update sent as ``query`` is refused as well."""
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    assert http.post("/sparql", data={"update": update}).status_code == 403
    r = http.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    assert http.post("/sparql", data={"query": update}).status_code == 403
    assert http.get("/sparql", params={"update": update}).status_code == 403
    assert values(http.post("/sparql", data={"query": "SELECT * WHERE { <urn:a> ?p ?o }"}), "p") == []


def test_2_1_3_other_content_types_are_refused(http: TestClient) -> None:
    """§2.1.2/§2.1.3: a POST body is a form or a query; any other Content-Type is 415."""
    r = http.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 415
