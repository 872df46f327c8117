"""The browsing pages over the real graph, in process: lists of each kind, citation, examples that
open in the editor, the source reader and its stored copy."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient


def test_landing_counts_link_to_lists_of_each_kind(site: TestClient) -> None:
    page = site.get("/").text
    links = re.findall(r'<li><a href="(/list/[a-z-]+)"><strong>(\d+)</strong>([a-z ]+)</a></li>', page)
    assert {name for _, _, name in links} >= {"events", "engagements", "people", "source passages"}
    for link, count, name in links:
        listed = site.get(link)
        assert listed.status_code == 200, link
        assert listed.text.count('<li><a href="/id/') == int(count), (name, count)
    assert site.get("/list/nothing").status_code == 404


def test_passages_are_listed_in_line_order(site: TestClient) -> None:
    page = site.get("/list/source-passages").text
    lines = [int(n) for n in re.findall(r'href="/id/passage/L(\d+)"', page)]
    assert lines == sorted(lines) and lines[:3] == [1, 2, 3]


def test_landing_shows_how_to_cite_with_version_and_build(site: TestClient) -> None:
    page = site.get("/").text
    info = site.get("/downloads/build.json").json()
    assert "How to cite" in page and "@misc{nato_iraq_kg_" in page
    assert page.count(info["build_id"]) >= 2  # in the text and in the BibTeX
    assert "version = {" in page


def test_landing_examples_open_in_the_editor(site: TestClient) -> None:
    page = site.get("/").text
    links = re.findall(r'<a href="(/sparql\?query=[^"]+)">Open in the query editor</a>', page)
    assert len(links) >= 10
    editor = site.get(links[0].replace("&amp;", "&"), headers={"Accept": "text/html"})
    assert editor.status_code == 200 and 'id="editor-config"' in editor.text
    assert "PREFIX nio:" not in editor.text.split('id="editor-config"')[1]


def test_stored_copy_is_linked_from_the_source_page(site: TestClient) -> None:
    page = site.get("/id/source/nato-relations-with-iraq").text
    assert 'href="/source/nato-relations-with-iraq.txt"' in page
    copy = site.get("/source/nato-relations-with-iraq.txt")
    assert copy.status_code == 200 and copy.headers["content-type"].startswith("text/plain")
    rows = [r for r in page.split("<tr>") if "/id/passage/L" in r]
    assert rows
    for row in rows:
        passages = [int(n) for n in re.findall(r'href="/id/passage/L(\d+)"', row)]
        assert passages == sorted(passages), "passages of the source are listed in line order"
    assert site.get("/source/nothing").status_code == 404
    assert site.get("/source/..%2f..%2fetc").status_code == 404


def test_dataset_class_partitions_show_labels_and_counts(site: TestClient) -> None:
    page = site.get("/dataset").text
    assert re.search(r">event \(nio:Event\): \d+ resources</a>", page), "class partitions are labelled"
    assert re.search(r"\(rdfs:label\): \d+ triples</a>", page), "property partitions are labelled"


def test_engagements_table_is_offered_with_the_other_csv_tables(site: TestClient) -> None:
    page = site.get("/downloads").text
    assert 'href="/downloads/csv/engagements.csv"' in page
    r = site.get("/downloads/csv/engagements.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert f"{len(rows)} rows" in page
    nmi = next(row for row in rows if row["engagement"].endswith("/engagement/nmi"))
    assert nmi["start"].startswith("2018") and nmi["end"] == "" and nmi["ongoing"] == "true"
    assert "2023" in nmi["history"].split(" | ")[-1]
    ntmi = next(row for row in rows if row["engagement"].endswith("/engagement/ntm-i"))
    assert ntmi["end"] == "2011-12-31" and ntmi["status"] == "ended"
