"""Every IRI of the dataset resolves to its own triples; every format parses (rdflib and Jena). In
process: the whole app, no server."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from helpers.inprocess import Pages
from helpers.jena import riot
from kg.namespaces import BASE

FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
}
SAMPLE = [
    "id/event/2004-06-22-allawi-letter-of-request",
    "id/person/iyad-allawi",
    "id/passage/L32",
    "id/org/nato",
    "ontology",
    "dataset",
    "graph/data/links",
]


@pytest.fixture(scope="module")
def published(built_repo: Path) -> Graph:
    """What the build published: the union dump plus the VoID description (also in the store)."""
    g = Graph()
    g.parse(built_repo / "nato-iraq.nt", format="nt")
    g.parse(built_repo / "void.ttl", format="turtle")
    return g


def same_value(o: Node, got: Graph, s: URIRef, p: Node) -> bool:
    """``o`` is an object of ``s p`` in ``got``, or a literal of the same value there: the Oxigraph
    store keeps literals in canonical form ("300.0"^^xsd:decimal comes back as "300"^^xsd:decimal,
    xsd:positiveInteger as xsd:integer; see test_store_keeps_integer_subtypes)."""
    if (s, p, o) in got:
        return True
    return isinstance(o, Literal) and any(isinstance(x, Literal) and x.eq(o) for x in got.objects(s, p))


def local_path(iri: str) -> str:
    """The path an IRI under BASE is served at (hash IRIs: their document)."""
    return "/" + iri[len(BASE) :].partition("#")[0]


def test_every_iri_resolves_to_its_triples_in_turtle(site: TestClient, published: Graph) -> None:
    subjects = {s for s in published.subjects() if isinstance(s, URIRef) and str(s).startswith(BASE)}
    by_document: dict[str, set[URIRef]] = defaultdict(set)
    for s in subjects:
        by_document[local_path(str(s))].add(s)
    assert len(subjects) > 500 and "/ontology" in by_document

    def fetch(path: str) -> tuple[str, int, bytes, str]:
        r = site.get(path, headers={"Accept": "text/turtle"})
        return path, r.status_code, r.content, r.headers.get("vary", "")

    problems: list[str] = []
    with ThreadPoolExecutor(4) as pool:  # four at a time: about a fifth faster than one by one
        for path, status, body, vary in pool.map(fetch, sorted(by_document)):
            if status != 200:
                problems.append(f"{path}: HTTP {status}")
                continue
            assert "Accept" in vary, path
            got = Graph().parse(data=body.decode(), format="turtle")
            for s in by_document[path]:
                for p, o in published.predicate_objects(s):
                    if isinstance(o, BNode):
                        if not any(isinstance(x, BNode) for x in got.objects(s, p)):
                            problems.append(f"{path}: no blank node for <{s}> <{p}>")
                    elif not same_value(o, got, s, p):
                        problems.append(f"{path}: missing <{s}> <{p}> {o.n3()}")
    assert not problems, f"{len(problems)} problems, first: " + "\n".join(problems[:20])
    print(f"{len(subjects)} IRIs resolved through {len(by_document)} documents")


def test_every_document_renders_as_html(html_pages: Pages, published: Graph) -> None:
    paths = {local_path(str(s)) for s in published.subjects() if str(s).startswith(BASE)}
    results = [(path, html_pages.get(path)) for path in sorted(paths)]
    broken = [
        f"{path}: HTTP {page.status}"
        for path, page in results
        if page.status != 200 or "<h1>" not in page.text
    ]
    assert not broken, broken[:20]


def test_store_keeps_every_datatype_of_the_dumps(built_repo: Path) -> None:
    """Oxigraph's store rewrites some datatypes (xsd:positiveInteger becomes xsd:integer), so the
    data uses none of them: SPARQL and the pages show the datatypes the dumps have."""
    import pyoxigraph as ox

    def datatypes(quads: object) -> set[str]:
        return {q.object.datatype.value for q in quads if isinstance(q.object, ox.Literal)}  # type: ignore[attr-defined]

    dumped = datatypes(ox.parse(path=str(built_repo / "nato-iraq.nq"), format=ox.RdfFormat.N_QUADS))
    stored = datatypes(ox.Store.read_only(str(built_repo / "store")))
    assert dumped <= stored, sorted(dumped - stored)


@pytest.mark.parametrize("path", SAMPLE)
def test_each_format_parses_by_accept_and_extension(site: TestClient, path: str) -> None:
    turtle = Graph()
    for ext, (media, rdflib_format) in FORMATS.items():
        by_accept = site.get(f"/{path}", headers={"Accept": media})
        by_ext = site.get(f"/{path}.{ext}")
        by_param = site.get(f"/{path}", params={"format": ext})
        for r in (by_accept, by_ext, by_param):
            assert r.status_code == 200, (path, ext, r.status_code)
            assert r.headers["content-type"].split(";")[0] == media
        g = Graph().parse(data=by_accept.text, format=rdflib_format)
        assert len(g) > 0
        if ext == "ttl":
            turtle = g
        else:
            assert len(g) == len(turtle), (path, ext)


@pytest.mark.usefixtures("jena")
def test_jena_accepts_the_sample_in_every_format(site: TestClient, tmp_path: Path) -> None:
    """The dumps themselves are checked by test_jena.py."""
    files: list[Path] = []
    for path in SAMPLE:
        for ext in FORMATS:
            r = site.get(f"/{path}.{ext}")
            assert r.status_code == 200
            files.append(tmp_path / f"{path.replace('/', '_')}.{ext}")
            files[-1].write_bytes(r.content)
    for group in ([f for f in files if f.suffix != ".jsonld"], [f for f in files if f.suffix == ".jsonld"]):
        result = riot("--validate", *group)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "ERROR" not in result.stderr and "WARN" not in result.stderr, result.stderr


def test_negotiation_follows_q_values_and_says_so(site: TestClient) -> None:
    url = "/id/org/nato"
    r = site.get(url, headers={"Accept": "text/html;q=0.5, application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.headers["content-location"] == "/id/org/nato.jsonld"
    assert "Accept" in r.headers["vary"]
    assert 'rel="alternate"' in r.headers["link"]
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert site.get(url, headers={"Accept": browser}).headers["content-type"].startswith("text/html")
    assert (
        site.get(url, headers={"Accept": "application/rdf+xml;q=1, text/turtle;q=0.9"})
        .headers["content-type"]
        .startswith("application/rdf+xml")
    )
    assert site.get(url, headers={"Accept": "image/png"}).status_code == 406
    assert site.head(url, headers={"Accept": "text/turtle"}).status_code == 200


def test_jsonld_is_compacted_with_the_published_context(site: TestClient) -> None:
    context = site.get("/context.jsonld").json()
    assert context["@context"]["nio"] == BASE + "ontology#"
    doc = site.get("/id/person/iyad-allawi.jsonld").json()
    assert doc["@context"] == context["@context"]
    assert '"rdfs:label"' in site.get("/id/person/iyad-allawi.jsonld").text


def test_unknown_iris_get_a_helpful_404(site: TestClient) -> None:
    r = site.get("/id/person/allawi-typo", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert 'action="/search"' in r.text and 'href="/"' in r.text
    assert "Iyad Allawi" in r.text  # a suggestion from the words of the IRI
    r = site.get("/id/nothing/here", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and "Nothing is known" in r.text
    assert site.get("/id/nothing/here.ttl").status_code == 404
    assert site.get("/id/a%20b%3E").status_code == 404  # not even an IRI
    assert site.get("/graph/none", headers={"Accept": "text/turtle"}).status_code == 404
