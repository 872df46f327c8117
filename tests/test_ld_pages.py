"""The human pages over the real graph: VoID, downloads, search, timeline, ontology, landing."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from conftest import Server
from kg.dumps import DUMP_FORMATS, dump_name
from kg.namespaces import DATASET, ONTOLOGY, PREFIXES
from kg.tables import DYAD_COLUMNS, EVENT_COLUMNS

pytestmark = pytest.mark.server
DCAT = Namespace(PREFIXES["dcat"])


def test_well_known_void_describes_dataset_linksets_and_endpoint(live_server: Server) -> None:
    r = httpx.get(live_server.url + "/.well-known/void")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    ds = URIRef(DATASET)
    assert (ds, RDF.type, VOID.Dataset) in g
    assert g.value(ds, VOID.sparqlEndpoint) is not None
    assert g.value(ds, URIRef(PREFIXES["dcterms"] + "license")) is not None
    targets = {str(g.value(ls, VOID.objectsTarget)) for ls in g.subjects(RDF.type, VOID.Linkset)}
    assert {DATASET + "/target/wikidata", DATASET + "/target/dbpedia"} <= targets
    for ls in g.subjects(RDF.type, VOID.Linkset):
        assert g.value(ls, VOID.subjectsTarget) == ds
        assert g.value(ls, VOID.linkPredicate) is not None
        count = g.value(ls, VOID.triples)
        assert isinstance(count, Literal) and int(count) > 0
    assert any(g.subjects(VOID["class"], URIRef(ONTOLOGY + "Event")))
    csv_urls = {str(u) for u in g.objects(None, DCAT.downloadURL) if str(u).endswith(".csv")}
    assert len(csv_urls) == 2
    html = httpx.get(live_server.url + "/.well-known/void", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")


def test_downloads_lists_every_dump_with_size_count_and_checksum(
    live_server: Server, built_repo: Path
) -> None:
    page = httpx.get(live_server.url + "/downloads").text
    info = json.loads((built_repo / "build.json").read_text())
    for fmt in DUMP_FORMATS:
        name = dump_name(fmt)
        path = built_repo / name
        assert f'href="/downloads/{name}"' in page
        assert f"{path.stat().st_size:,} bytes" in page
        assert info["dumps"][name] in page
        body = httpx.get(f"{live_server.url}/downloads/{name}").content
        assert hashlib.sha256(body).hexdigest() == info["dumps"][name]
    assert f"{info['triples']:,} triples" in page
    for table in ("events.csv", "dyadic.csv"):
        assert f'href="/downloads/csv/{table}"' in page
    assert httpx.get(live_server.url + "/downloads/SHA256SUMS").status_code == 200
    assert httpx.get(live_server.url + "/downloads/store/nothing").status_code == 404
    assert httpx.get(live_server.url + "/downloads/%2e%2e/pyproject.toml").status_code == 404


def test_csv_tables_have_their_columns_and_quotes(live_server: Server) -> None:
    events = list(csv.DictReader(httpx.get(live_server.url + "/downloads/csv/events.csv").text.splitlines()))
    assert list(events[0]) == EVENT_COLUMNS
    letter = next(e for e in events if e["event"].endswith("/event/2004-06-22-allawi-letter-of-request"))
    assert letter["precision"] == "day" and letter["date"] == "2004-06-22" and letter["source_lines"] == "32"
    assert "Iyad Allawi" in letter["actors"] and letter["quote"].startswith("22 June 2004:")
    assert all(e["quote"] for e in events), "every event has its passage"
    dyads = list(csv.DictReader(httpx.get(live_server.url + "/downloads/csv/dyadic.csv").text.splitlines()))
    assert list(dyads[0]) == DYAD_COLUMNS
    assert any(
        d["source_actor"] == "Iyad Allawi" and d["target_actor_iri"].endswith("/org/nato") for d in dyads
    )


def test_search_finds_allawi_by_any_spelling(live_server: Server) -> None:
    for q in ("allawi", "ALLAWI", "Ayad", "Ilyad"):
        r = httpx.get(live_server.url + "/search", params={"q": q, "format": "json"})
        hits = r.json()["results"]
        assert hits and hits[0]["label"] == "Iyad Allawi", (q, hits[:3])
        assert hits[0]["href"] == "/id/person/iyad-allawi"
    html = httpx.get(live_server.url + "/search", params={"q": "allawi"}, headers={"Accept": "text/html"})
    assert "Iyad Allawi" in html.text and 'href="/id/person/iyad-allawi"' in html.text
    by_accept = httpx.get(live_server.url + "/search?q=allawi", headers={"Accept": "application/json"})
    assert by_accept.json()["count"] >= 1
    assert (
        httpx.get(live_server.url + "/search", params={"q": "zzzqqq", "format": "json"}).json()["count"] == 0
    )


def test_timeline_shows_events_and_missions_and_filters(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/timeline").text
    assert "<svg" in page and 'href="/id/event/2004-06-22-allawi-letter-of-request"' in page
    assert 'href="/id/engagement/ntm-i"' in page and 'href="/id/engagement/nmi"' in page
    everything = page.count('<li class="event">')
    allawi = httpx.get(
        live_server.url + "/timeline", params={"actor": PREFIXES["person"] + "iyad-allawi"}
    ).text
    assert 0 < allawi.count('<li class="event">') < everything
    assert "Ilyad Allawi sends a letter" in allawi
    summits = httpx.get(live_server.url + "/timeline", params={"type": ONTOLOGY + "Summit"}).text
    assert "NATO Summit in Istanbul" in summits and "letter" not in summits.split("<h2>")[-1].lower()


def test_ontology_page_documents_every_class_and_property(live_server: Server, built_repo: Path) -> None:
    page = httpx.get(live_server.url + "/ontology").text
    onto = Graph().parse(data=httpx.get(live_server.url + "/ontology.ttl").text, format="turtle")
    terms = {
        str(s)
        for t in ("Class", "ObjectProperty", "DatatypeProperty")
        for s in onto.subjects(RDF.type, URIRef(PREFIXES["owl"] + t))
        if str(s).startswith(ONTOLOGY)
    }
    assert len(terms) > 40
    for term in terms:
        assert f'id="{term[len(ONTOLOGY) :]}"' in page, term
    module = httpx.get(live_server.url + "/ontology/events")
    assert module.status_code == 200 and 'id="Event"' not in module.text and 'id="Summit"' in module.text


def test_entity_page_shows_date_provenance_and_links(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/id/event/2004-end-ntm-i-established").text
    assert "End 2004 (part of year: 1 Oct – 31 Dec 2004)" in page
    person = httpx.get(live_server.url + "/id/person/iyad-allawi").text
    assert "Where this comes from" in person and "Line 32" in person
    assert "https://www.nato.int/cps/en/natohq/topics_88247.htm#:~:text=" in person
    assert "http://www.wikidata.org/entity/Q" in person and "http://dbpedia.org/resource/" in person
    assert "Referenced by" in person and "Took part in" in person
    for ext in ("ttl", "nt", "jsonld", "rdf"):
        assert f'href="/id/person/iyad-allawi.{ext}"' in person


def test_landing_page_links_everywhere(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/").text
    for link in ("/sparql", "/timeline", "/downloads", "/ontology", "/search", "/.well-known/void"):
        assert f'href="{link}"' in page, link
    assert "events" in page and "source passages" in page
