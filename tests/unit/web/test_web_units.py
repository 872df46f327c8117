"""Units of the web pages that need no server: source-line links per value, the engagement summary's
start and end, citation, example queries without predeclared PREFIX lines."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.namespaces import BASE, ONTOLOGY
from kg.web.render.entity import Renderer
from kg.web.render.pages import environment
from kg.web.views.citation import citation
from kg.web.views.engagement import summary
from kg.web.views.examples import examples
from kg.web.views.provenance import statement_lines

EVENT = BASE + "id/event/x"
SOURCE = BASE + "id/source/nato-relations-with-iraq"


@dataclass
class Answer:
    body: bytes
    chunks: None = None


class OneAnswer:
    """A stand-in engine that answers every SELECT with the same bindings."""

    version = "1"

    def __init__(self, rows: list[dict[str, dict[str, str]]]) -> None:
        self.rows = rows
        self.queries: list[str] = []

    def plan(self, query: str, accept: list[str], **dataset: list[str]) -> str:
        return query

    async def run(self, query: str) -> Answer:
        self.queries.append(query)
        return Answer(json.dumps({"head": {"vars": []}, "results": {"bindings": self.rows}}).encode())


def term(value: str, kind: str = "uri") -> dict[str, str]:
    return {"type": kind, "value": value}


def test_each_value_links_to_the_source_lines_that_support_it() -> None:
    engine = OneAnswer(
        [
            {"p": term(ONTOLOGY + "date"), "o": term("2004-06-22", "literal"), "line": term("32", "literal"),
             "src": term(SOURCE)},
            {"p": term(ONTOLOGY + "date"), "o": term("2004-06-22", "literal"), "line": term("39", "literal"),
             "src": term(SOURCE)},
        ]
    )  # fmt: skip
    lines = asyncio.run(statement_lines(engine, EVENT))  # type: ignore[arg-type]
    assert "GRAPH ?g" in engine.queries[0] and "nio:sourceLine" in engine.queries[0]
    assert lines == {
        (ONTOLOGY + "date", "2004-06-22"): [
            (32, "/source/nato-relations-with-iraq#L32"),
            (39, "/source/nato-relations-with-iraq#L39"),
        ]
    }
    graph = Graph().parse(
        data=f'<{EVENT}> <{ONTOLOGY}date> "2004-06-22" ; <http://www.w3.org/2000/01/rdf-schema#label> "X" .',
        format="turtle",
    )
    view = Renderer(lambda iri: iri.rsplit("#", 1)[-1]).resource(EVENT, graph, lines)
    date_row = next(r for r in view.rows if r.iri == ONTOLOGY + "date")
    assert date_row.values[0].lines == lines[(ONTOLOGY + "date", "2004-06-22")]
    html = environment().get_template("macros.html").module.show_value(date_row.values[0])  # type: ignore[attr-defined]
    assert '<a class="line-ref" href="/source/nato-relations-with-iraq#L32"' in html and ">L39</a>" in html
    assert view.date_lines == [
        (32, "/source/nato-relations-with-iraq#L32"),
        (39, "/source/nato-relations-with-iraq#L39"),
    ]


def test_examples_drop_only_predeclared_prefix_lines(tmp_path: Path) -> None:
    (tmp_path / "cq-01.rq").write_text(
        "# title: T\n# question: Which?\nPREFIX nio: <https://w3id.org/nato-iraq/ontology#>\n"
        "PREFIX ex: <http://example.org/>\nPREFIX rdfs: <http://example.org/not-rdfs#>\nSELECT * {}\n"
    )
    [example] = examples(tmp_path)
    assert example.question == "Which?"
    assert "PREFIX nio:" not in example.query
    assert "PREFIX ex: <http://example.org/>" in example.query
    assert "PREFIX rdfs: <http://example.org/not-rdfs#>" in example.query  # a different IRI stays


def test_citation_names_version_and_build() -> None:
    cite = citation(
        {"build_id": "abc123", "built_at": "2026-11-30T05:33:10Z"}, "1.2.0", "https://example.org/kg"
    )
    assert "version 1.2.0" in cite.text and "build abc123, 2026-11-30" in cite.text
    assert cite.bibtex.startswith("@misc{nato_iraq_kg_1_2_0,") and "year = {2026}" in cite.bibtex
    assert "url = {https://example.org/kg}" in cite.bibtex


def test_engagement_summary_dates_at_their_precision() -> None:
    unit = "http://www.w3.org/2006/time#"
    lit = "literal"
    engine = OneAnswer(
        [
            {"own": term("2004-01-01", lit), "ownEnd": term("2011-12-31", lit),
             "ownUnit": term(unit + "unitYear")},
            {"st": term(BASE + "id/concept/status/ended"), "stl": term("ended", lit)},
            {"e": term(BASE + "id/event/end"), "el": term("NTM-I is discontinued", lit),
             "ctl": term("discontinuation", lit), "start": term("2011-12-31", lit),
             "end": term("2011-12-31", lit), "date": term("2011-12-31", lit), "unit": term(unit + "unitDay")},
            {"e": term(BASE + "id/event/riga"), "el": term("Riga", lit), "start": term("2006-01-01", lit),
             "end": term("2006-12-31", lit), "date": term("2006", lit), "unit": term(unit + "unitYear")},
        ]
    )  # fmt: skip
    about = asyncio.run(summary(engine, BASE + "id/engagement/ntm-i"))  # type: ignore[arg-type]
    assert about.start == "2004"
    assert about.end == "31 December 2011 (day)"
    assert about.status == "ended" and not about.ongoing
    assert [c.label for c in about.history] == ["Riga", "NTM-I is discontinued"]


def test_an_engagement_history_does_not_depend_on_the_order_of_the_engines_rows() -> None:
    """One event reaches the summary through two branches of its query: as a change that affects
    the engagement (with its date and precision) and as the successor that renamed it (with a
    time stamp only). Engines return such rows in any order (Oxigraph's differs from one process
    to the next); the history must read the same either way."""
    engagement = BASE + "id/engagement/ntim"
    day = "http://www.w3.org/2006/time#unitDay"
    affects = {
        "e": term(EVENT), "el": term("SACEUR gives the activation order", "literal"),
        "ctl": term("renaming", "literal"), "start": term("2004-12-16T00:00:00Z", "literal"),
        "end": term("2004-12-16T23:59:59Z", "literal"), "date": term("2004-12-16", "literal"),
        "unit": term(day),
    }  # fmt: skip
    renamed = {
        "e": term(EVENT), "el": term("SACEUR gives the activation order", "literal"),
        "ctl": term("renamed or succeeded", "literal"), "start": term("2004-12-16T00:00:00Z", "literal"),
    }  # fmt: skip
    one = asyncio.run(summary(OneAnswer([affects, renamed]), engagement))  # type: ignore[arg-type]
    other = asyncio.run(summary(OneAnswer([renamed, affects]), engagement))  # type: ignore[arg-type]
    assert one == other
    assert [(c.when, c.change) for c in one.history] == [
        ("16 December 2004 (day)", "renamed or succeeded, renaming")
    ]
