"""The browsing pages over the real graph, by HTTP: lists of each kind, citation, examples that open
in the editor, the source reader and its stored copy."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from conftest import Server

pytestmark = pytest.mark.server


def test_landing_counts_link_to_lists_of_each_kind(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/").text
    links = re.findall(r'<li><a href="(/list/[a-z-]+)"><strong>(\d+)</strong>([a-z ]+)</a></li>', page)
    assert {name for _, _, name in links} >= {"events", "engagements", "people", "source passages"}
    for link, count, name in links:
        listed = httpx.get(live_server.url + link)
        assert listed.status_code == 200, link
        assert listed.text.count('<li><a href="/id/') == int(count), (name, count)
    assert httpx.get(live_server.url + "/list/nothing").status_code == 404


def test_passages_are_listed_in_line_order(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/list/source-passages").text
    lines = [int(n) for n in re.findall(r'href="/id/passage/L(\d+)"', page)]
    assert lines == sorted(lines) and lines[:3] == [1, 2, 3]


def test_landing_shows_how_to_cite_with_version_and_build(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/").text
    info = httpx.get(live_server.url + "/downloads/build.json").json()
    assert "How to cite" in page and "@misc{nato_iraq_kg_" in page
    assert page.count(info["build_id"]) >= 2  # in the text and in the BibTeX
    assert "version = {" in page


def test_landing_examples_open_in_the_editor(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/").text
    links = re.findall(r'<a href="(/sparql\?query=[^"]+)">Open in the query editor</a>', page)
    assert len(links) >= 10
    editor = httpx.get(live_server.url + links[0].replace("&amp;", "&"), headers={"Accept": "text/html"})
    assert editor.status_code == 200 and 'id="editor-config"' in editor.text
    assert "PREFIX nio:" not in editor.text.split('id="editor-config"')[1]


def test_stored_copy_is_linked_from_the_source_page(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/id/source/nato-relations-with-iraq").text
    assert 'href="/source/nato-relations-with-iraq.txt"' in page
    copy = httpx.get(live_server.url + "/source/nato-relations-with-iraq.txt")
    assert copy.status_code == 200 and copy.headers["content-type"].startswith("text/plain")
    rows = [r for r in page.split("<tr>") if "/id/passage/L" in r]
    assert rows
    for row in rows:
        passages = [int(n) for n in re.findall(r'href="/id/passage/L(\d+)"', row)]
        assert passages == sorted(passages), "passages of the source are listed in line order"
    assert httpx.get(live_server.url + "/source/nothing").status_code == 404
    assert httpx.get(live_server.url + "/source/..%2f..%2fetc").status_code == 404


def test_dataset_class_partitions_show_labels_and_counts(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/dataset").text
    assert re.search(r">event \(nio:Event\): \d+ resources</a>", page), "class partitions are labelled"
    assert re.search(r"\(rdfs:label\): \d+ triples</a>", page), "property partitions are labelled"


def test_engagements_table_is_offered_with_the_other_csv_tables(live_server: Server) -> None:
    page = httpx.get(live_server.url + "/downloads").text
    assert 'href="/downloads/csv/engagements.csv"' in page
    r = httpx.get(live_server.url + "/downloads/csv/engagements.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert f"{len(rows)} rows" in page
    nmi = next(row for row in rows if row["engagement"].endswith("/engagement/nmi"))
    assert nmi["start"].startswith("2018") and nmi["end"] == "" and nmi["ongoing"] == "true"
    assert "2023" in nmi["history"].split(" | ")[-1]
    ntmi = next(row for row in rows if row["engagement"].endswith("/engagement/ntm-i"))
    assert ntmi["end"] == "2011-12-31" and ntmi["status"] == "ended"
