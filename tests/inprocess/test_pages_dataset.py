"""The human pages over the real graph, in process: VoID, downloads, search, timeline, ontology,
landing."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from kg.build.dumps import DUMP_FORMATS, dump_name
from kg.build.tables import DYADS_TABLE, EVENTS_TABLE, TABLES
from kg.namespaces import DATASET, ONTOLOGY, PREFIXES

DCAT = Namespace(PREFIXES["dcat"])


def test_well_known_void_describes_dataset_linksets_and_endpoint(site: TestClient) -> None:
    r = site.get("/.well-known/void")
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
    assert len(csv_urls) == len(TABLES)  # events, dyadic, engagements
    html = site.get("/.well-known/void", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")


def test_downloads_lists_every_dump_with_size_count_and_checksum(site: TestClient, built_repo: Path) -> None:
    page = site.get("/downloads").text
    info = json.loads((built_repo / "build.json").read_text())
    for fmt in DUMP_FORMATS:
        name = dump_name(fmt)
        path = built_repo / name
        assert f'href="/downloads/{name}"' in page
        assert f"{path.stat().st_size:,} bytes" in page
        assert info["dumps"][name] in page
        body = site.get(f"/downloads/{name}").content
        assert hashlib.sha256(body).hexdigest() == info["dumps"][name]
    assert f"{info['triples']:,} triples" in page
    for table in [*TABLES, "datapackage.json"]:
        assert f'href="/downloads/csv/{table}"' in page
    assert site.get("/downloads/SHA256SUMS").status_code == 200
    assert site.get("/downloads/store/nothing").status_code == 404
    assert site.get("/downloads/%2e%2e/pyproject.toml").status_code == 404


def test_csv_tables_have_their_columns_and_quotes(site: TestClient) -> None:
    events = list(csv.DictReader(site.get("/downloads/csv/events.csv").text.splitlines()))
    assert list(events[0]) == EVENTS_TABLE.names
    letter = next(e for e in events if e["event_id"].endswith("/event/2004-06-22-allawi-letter-of-request"))
    assert (
        letter["precision"] == "day"
        and letter["event_date"] == "2004-06-22"
        and letter["source_lines"] == "32"
    )
    assert "Iyad Allawi" in letter["actors"] and letter["quote"].startswith("22 June 2004:")
    assert all(e["quote"] for e in events), "every event has its passage"
    dyads = list(csv.DictReader(site.get("/downloads/csv/dyadic.csv").text.splitlines()))
    assert list(dyads[0]) == DYADS_TABLE.names
    assert any(
        d["source_actor"] == "Iyad Allawi" and d["target_actor_iri"].endswith("/org/nato") for d in dyads
    )


def test_search_finds_allawi_by_any_spelling(site: TestClient) -> None:
    for q in ("allawi", "ALLAWI", "Ayad", "Ilyad"):
        r = site.get("/search", params={"q": q, "format": "json"})
        hits = r.json()["results"]
        assert hits and hits[0]["label"] == "Iyad Allawi", (q, hits[:3])
        assert hits[0]["href"] == "/id/person/iyad-allawi"
    html = site.get("/search", params={"q": "allawi"}, headers={"Accept": "text/html"})
    assert "Iyad Allawi" in html.text and 'href="/id/person/iyad-allawi"' in html.text
    by_accept = site.get("/search?q=allawi", headers={"Accept": "application/json"})
    assert by_accept.json()["count"] >= 1
    assert site.get("/search", params={"q": "zzzqqq", "format": "json"}).json()["count"] == 0


def test_timeline_shows_events_and_missions_and_filters(site: TestClient) -> None:
    page = site.get("/timeline").text
    assert "<svg" in page and 'href="/id/event/2004-06-22-allawi-letter-of-request"' in page
    assert 'href="/id/engagement/ntm-i"' in page and 'href="/id/engagement/nmi"' in page
    everything = page.count('<li class="event">')
    allawi = site.get("/timeline", params={"actor": PREFIXES["person"] + "iyad-allawi"}).text
    assert 0 < allawi.count('<li class="event">') < everything
    assert "Ilyad Allawi sends a letter" in allawi
    summits = site.get("/timeline", params={"type": ONTOLOGY + "Summit"}).text
    assert "NATO Summit in Istanbul" in summits and "letter" not in summits.split("<h2>")[-1].lower()


def test_ontology_page_documents_every_class_and_property(site: TestClient, built_repo: Path) -> None:
    page = site.get("/ontology").text
    onto = Graph().parse(data=site.get("/ontology.ttl").text, format="turtle")
    terms = {
        str(s)
        for t in ("Class", "ObjectProperty", "DatatypeProperty")
        for s in onto.subjects(RDF.type, URIRef(PREFIXES["owl"] + t))
        if str(s).startswith(ONTOLOGY)
    }
    assert len(terms) > 40
    for term in terms:
        assert f'id="{term[len(ONTOLOGY) :]}"' in page, term
    module = site.get("/ontology/events")
    assert module.status_code == 200 and 'id="Event"' not in module.text and 'id="Summit"' in module.text


def test_entity_page_shows_date_provenance_and_links(site: TestClient) -> None:
    page = site.get("/id/event/2004-end-ntm-i-established").text
    assert "End 2004 (part of year: 1 Oct – 31 Dec 2004)" in page
    person = site.get("/id/person/iyad-allawi").text
    assert "Where this comes from" in person and "Line 32" in person
    assert "https://www.nato.int/cps/en/natohq/topics_88247.htm#:~:text=" in person
    assert "http://www.wikidata.org/entity/Q" in person and "http://dbpedia.org/resource/" in person
    assert "Referenced by" in person and "Took part in" in person
    for ext in ("ttl", "nt", "jsonld", "rdf"):
        assert f'href="/id/person/iyad-allawi.{ext}"' in person


def test_landing_page_links_everywhere(site: TestClient) -> None:
    page = site.get("/").text
    for link in ("/sparql", "/timeline", "/downloads", "/ontology", "/search", "/.well-known/void"):
        assert f'href="{link}"' in page, link
    assert "events" in page and "source passages" in page
