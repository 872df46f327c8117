"""Units of the web pages that need no server: source-line links per value, the entity page's SELECT
against the CONSTRUCT, the engagement summary's start and end, citation, example queries without
predeclared PREFIX lines."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.engine.base import QueryResult
from kg.namespaces import BASE, ONTOLOGY
from kg.web.iris import target_for
from kg.web.render.pages import environment
from kg.web.views.citation import citation
from kg.web.views.documents import resource_query
from kg.web.views.engagement import CHANGE, summarize
from kg.web.views.entity import _term, description, entity_page, page_query
from kg.web.views.examples import examples
from kg.web.views.queries import as_rdflib

EVENT = BASE + "id/event/x"
SOURCE = BASE + "id/source/nato-relations-with-iraq"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def term(value: str, kind: str = "uri") -> dict[str, str]:
    return {"type": kind, "value": value}


def answer(*rows: dict[str, dict[str, str]], truncated: bool = False) -> QueryResult:
    """An engine's answer to ``entity.page_query`` with these rows."""
    body = json.dumps({"head": {"vars": []}, "results": {"bindings": list(rows)}}).encode()
    return QueryResult("solutions", body, "application/sparql-results+json", truncated)


def test_each_value_links_to_the_source_lines_that_support_it() -> None:
    lit = "literal"
    body = answer(
        {"kind": term("about", lit), "p": term(ONTOLOGY + "date"), "o": term("2004-06-22", lit)},
        {"kind": term("about", lit), "p": term(LABEL), "o": term("X", lit)},
        *(
            {"kind": term("line", lit), "p": term(ONTOLOGY + "date"), "o": term("2004-06-22", lit),
             "line": term(n, lit), "src": term(SOURCE)}
            for n in ("32", "39")
        ),
    )  # fmt: skip
    page = entity_page(target_for("id/event/x"), body, {}, "")
    assert page is not None
    date_row = next(r for r in page.view.rows if r.iri == ONTOLOGY + "date")
    lines = [(32, "/source/nato-relations-with-iraq#L32"), (39, "/source/nato-relations-with-iraq#L39")]
    assert date_row.values[0].lines == lines
    html = environment().get_template("macros.html").module.show_value(date_row.values[0])  # type: ignore[attr-defined]
    assert '<a class="line-ref" href="/source/nato-relations-with-iraq#L32"' in html and ">L39</a>" in html
    assert page.view.date_lines == lines
    assert entity_page(target_for("id/event/y"), answer(), {}, "") is None  # nothing known about it
    assert not page.cut


def test_a_page_says_when_the_row_cap_cut_it() -> None:
    about = {"kind": term("about", "literal"), "p": term(LABEL), "o": term("X", "literal")}
    page = entity_page(target_for("id/event/x"), answer(about, truncated=True), {}, "")
    assert page is not None and page.cut
    html = environment().get_template("resource.html").render(prefix="", assets={}, **vars(page))
    assert "limit on result rows" in html


def test_the_page_query_describes_as_the_construct_does() -> None:
    """The entity page's SELECT fills the template of the CONSTRUCT the RDF formats serve: over
    the same store, the two give the same triples."""
    store = ox.Store()
    data = f"""<{EVENT}> <{LABEL}> "X" ; <{ONTOLOGY}affects> <{BASE}id/engagement/e> ;
      <{ONTOLOGY}claim> <{BASE}id/passage/L1> .
    <{BASE}id/engagement/e> <{LABEL}> "E" .
    <{BASE}id/passage/L1> <http://www.w3.org/ns/oa#hasSelector> [ <http://www.w3.org/ns/oa#exact> "x" ] .
    <{BASE}id/event/other> <{ONTOLOGY}follows> <{EVENT}> ; <{LABEL}> "Other" ."""
    store.load(data.encode(), format=ox.RdfFormat.TURTLE)
    constructed = Graph()
    for t in store.query(resource_query(EVENT)):
        constructed.add((as_rdflib(t.subject), URIRef(t.predicate.value), as_rdflib(t.object)))
    body = store.query(page_query(EVENT)).serialize(format=ox.QueryResultsFormat.JSON)
    rows = [
        {k: _term(v) for k, v in b.items()}
        for b in json.loads(body)["results"]["bindings"]
        if b["kind"]["value"] == "about"
    ]
    assert len(constructed) == 8
    assert set(description(EVENT, rows)) == set(constructed)


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


def lexical(**values: str) -> dict[str, str]:
    return values


def test_engagement_summary_dates_at_their_precision() -> None:
    unit = "http://www.w3.org/2006/time#"
    rows = [
        lexical(own="2004-01-01", ownEnd="2011-12-31", ownUnit=unit + "unitYear"),
        lexical(st=BASE + "id/concept/status/ended", stl="ended"),
        lexical(e=BASE + "id/event/end", el="NTM-I is discontinued", ct=CHANGE + "discontinuation",
                ctl="discontinuation", start="2011-12-31", end="2011-12-31", date="2011-12-31",
                unit=unit + "unitDay"),
        lexical(e=BASE + "id/event/riga", el="Riga", start="2006-01-01", end="2006-12-31", date="2006",
                unit=unit + "unitYear"),
    ]  # fmt: skip
    about = summarize(rows)
    assert about.start == "2004" and about.first == "2004-01-01"
    assert about.end == "31 December 2011 (day)" and about.last == "2011-12-31"
    assert about.status == "ended" and not about.ongoing
    assert [c.label for c in about.history] == ["Riga", "NTM-I is discontinued"]


def test_an_engagement_history_does_not_depend_on_the_order_of_the_engines_rows() -> None:
    """One event reaches the summary through two branches of its query: as a change that affects
    the engagement (with its date and precision) and as the successor that renamed it (with a
    time stamp only). Engines return such rows in any order (Oxigraph's differs from one process
    to the next); the history must read the same either way."""
    affects = lexical(
        e=EVENT, el="SACEUR gives the activation order", ctl="renaming", start="2004-12-16T00:00:00Z",
        end="2004-12-16T23:59:59Z", date="2004-12-16", unit="http://www.w3.org/2006/time#unitDay",
    )  # fmt: skip
    renamed = lexical(
        e=EVENT,
        el="SACEUR gives the activation order",
        ctl="renamed or succeeded",
        start="2004-12-16T00:00:00Z",
    )
    one, other = summarize([affects, renamed]), summarize([renamed, affects])
    assert one == other
    assert [(c.when, c.change) for c in one.history] == [
        ("16 December 2004 (day)", "renamed or succeeded, renaming")
    ]
    assert one.last == "2004-12-16T23:59:59Z"  # renamed: that is where it ended
