"""Small pure parts of the linked-data layer: IRI mapping, negotiation, dates, labels."""

from __future__ import annotations

import doctest

import pytest

import kg.web.views.dates
from kg.namespaces import BASE, compact_iri
from kg.web.iris import local_href, target_for
from kg.web.render.rdf import negotiate
from kg.web.routes.search import wants_json
from kg.web.views.dates import when
from kg.web.views.values import humanize, site_name, text_fragment


def test_dates_doctests() -> None:
    result = doctest.testmod(kg.web.views.dates)
    assert result.attempted >= 4 and result.failed == 0


SPRING = ("2020", "spring 2020", "part of year", "2020-03-01", "2020-05-31")
ENGAGEMENT = (None, "from 2004 to 2011", "year", "2004-01-01", "2011-12-31")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("2006", "2006", "year", "2006-01-01", "2006-12-31"), "2006 (year: 1 Jan – 31 Dec 2006)"),
        (SPRING, "Spring 2020 (part of year: 1 Mar – 31 May 2020)"),
        (ENGAGEMENT, "from 2004 to 2011 (year: 1 Jan 2004 – 31 Dec 2011)"),
        (("2004-08-07", "7 August", "day", "2004-08-07", "2004-08-07"), "7 August 2004 (day)"),
        ((None, None, None, None, None), None),
    ],
)
def test_dates_in_words(args: tuple[str | None, ...], words: str | None) -> None:
    assert when(*args) == words


def test_iris_map_to_paths_and_back() -> None:
    assert local_href(BASE + "id/event/x") == "/id/event/x"
    assert local_href(BASE + "ontology#Event") == "/ontology#Event"
    assert local_href(BASE + "id/passage/L32/quote", "/kg") == "/kg/id/passage/L32/quote"
    assert local_href("http://www.wikidata.org/entity/Q1") is None
    t = target_for("/id/event/x.ttl", "/kg")
    assert (t.iri, t.extension, t.path, t.href, t.kind) == (
        BASE + "id/event/x",
        "ttl",
        "id/event/x",
        "/kg/id/event/x",
        "resource",
    )
    assert '</kg/id/event/x.jsonld>; rel="alternate"; type="application/ld+json"' in t.alternates
    assert target_for("ontology/events/0.1.0").extension is None
    assert [
        target_for(p).kind for p in ("ontology", "ontology/events", "shapes", "graph/data/x", "dataset/y")
    ] == ["ontology", "ontology", "document", "document", "document"]


@pytest.mark.parametrize(
    ("ext", "fmt", "accept", "expected"),
    [
        (None, None, None, "html"),
        (None, None, "text/turtle", "ttl"),
        (None, None, "text/html;q=0.4, application/n-triples;q=0.8", "nt"),
        (None, None, "application/json", "jsonld"),
        (None, None, "*/*", "html"),
        (None, None, "image/png", None),
        (None, "jsonld", "text/html", "jsonld"),
        (None, "rdfxml", None, "rdf"),
        ("rdf", "ttl", "text/html", "rdf"),
    ],
)
def test_negotiation(ext: str | None, fmt: str | None, accept: str | None, expected: str | None) -> None:
    assert negotiate(ext, fmt, accept) == expected


def test_labels_and_links() -> None:
    assert compact_iri(BASE + "id/person/iyad-allawi") == "person:iyad-allawi"
    assert humanize("http://semanticweb.cs.vu.nl/2009/11/sem/hasEarliestBeginTimeStamp") == (
        "has earliest begin time stamp"
    )
    assert site_name("http://www.wikidata.org/entity/Q7184") == "Wikidata Q7184"
    assert site_name("http://dbpedia.org/resource/Ayad_Allawi") == "DBpedia: Ayad Allawi"
    assert text_fragment("https://x/p", "NATO-led training") == "https://x/p#:~:text=NATO%2Dled%20training"
    assert wants_json("json", None) and wants_json(None, "application/json")
    assert not wants_json(None, "text/html,application/json;q=0.9")


JSONLD_IN_A_FRESH_PROCESS = """
import sys
from kg.web.views.queries import Description
from kg.web.render.rdf import serialize
nt = sys.stdin.buffer.read()
sys.stdout.buffer.write(serialize(Description(nt), "jsonld"))
"""


def test_a_json_ld_document_is_the_same_bytes_in_every_process() -> None:
    """rdflib writes nodes and values in the order of its hashes, which change with each
    process (PYTHONHASHSEED): the same description must still be the same document."""
    import os
    import subprocess
    import sys

    base = "https://w3id.org/nato-iraq/id/"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    lines = [
        f'<{base}event/e{i}> {label} "event {i}"@en .\n<{base}event/e{i}> <{base}p> <{base}org/o{j}> .'
        for i in range(8)
        for j in range(4)
    ]
    nt = "\n".join(dict.fromkeys(lines)).encode()
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        result = subprocess.run(
            [sys.executable, "-c", JSONLD_IN_A_FRESH_PROCESS],
            input=nt,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert b'"@graph"' in next(iter(outputs))
