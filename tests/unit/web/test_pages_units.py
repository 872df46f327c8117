"""Units of the web pages that need no server: source-line links per value, the entity page's SELECT
against the CONSTRUCT, the engagement summary's start and end, citation, example queries without
predeclared PREFIX lines."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.engine.base import QueryResult
from kg.namespaces import BASE, ONTOLOGY, PREFIXES
from kg.web.iris import target_for
from kg.web.render.pages import environment
from kg.web.views.citation import citation
from kg.web.views.documents import resource_query
from kg.web.views.engagement import summarize
from kg.web.views.entity import description, entity_page, node_of, page_query
from kg.web.views.examples import examples
from kg.web.views.queries import as_rdflib
from kg.web.views.values import Wording

EVENT = BASE + "id/event/x"
SOURCE = BASE + "id/source/nato-relations-with-iraq"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CODE = BASE + "id/concept/cameo/072"


def term(value: str, kind: str = "uri") -> dict[str, str]:
    return {"type": kind, "value": value}


def answer(*rows: dict[str, dict[str, str]], truncated: bool = False) -> QueryResult:
    """An engine's answer to ``entity.page_query`` with these rows."""
    body = json.dumps({"head": {"vars": []}, "results": {"bindings": list(rows)}}).encode()
    return QueryResult("solutions", body, "application/sparql-results+json", truncated)


def test_each_value_lists_the_lines_that_state_it_each_in_its_own_words() -> None:
    """Line 32 gives the day, line 39 the month: both state the date the page shows (the build
    keeps one date only where the lines agree), each with its own wording and precision."""
    lit = "literal"
    date, text, unit = ONTOLOGY + "date", ONTOLOGY + "dateText", "http://www.w3.org/2006/time#unitType"
    day, month = "http://www.w3.org/2006/time#unitDay", "http://www.w3.org/2006/time#unitMonth"

    def claim(line: str, p: str, o: str, kind: str = lit) -> dict[str, dict[str, str]]:
        return {"kind": term("line", lit), "cp": term(p), "co": term(o, kind), "line": term(line, lit),
                "src": term(SOURCE), "from": term(f"{BASE}id/passage/L{line}")}  # fmt: skip

    body = answer(
        {"kind": term("about", lit), "p": term(date), "o": term("2004-06-22", lit)},
        {"kind": term("about", lit), "p": term(text), "o": term("22 June 2004", lit)},
        {"kind": term("about", lit), "p": term(LABEL), "o": term("X", lit)},
        {"kind": term("about", lit), "p": term(ONTOLOGY + "cameoEventCode"), "o": term(CODE)},
        {"kind": term("about", lit), "p": term(ONTOLOGY + "sortDate"), "o": term("2004-06-22", lit)},
        claim("32", date, "2004-06-22"), claim("32", text, "22 June 2004"), claim("32", unit, day, "uri"),
        claim("39", date, "2004-06"), claim("39", text, "June 2004"), claim("39", unit, month, "uri"),
        {"kind": term("line", lit), "cp": term(ONTOLOGY + "cameoEventCode"), "co": term(CODE),
         "from": term(BASE + "id/document/cameo-codebook"), "fromLabel": term("CAMEO codebook", lit)},
        {"kind": term("derived", lit), "cp": term(ONTOLOGY + "sortDate"), "co": term("2004-06-22", lit)},
    )  # fmt: skip
    page = entity_page(target_for("id/event/x"), body, {}, "")
    assert page is not None
    value = next(r for r in page.view.rows if r.iri == date).values[0]
    assert value.evidence is not None
    assert value.evidence.lines == [(32, "/source/nato-relations-with-iraq#L32")]
    assert value.evidence.also == [
        Wording("June 2004", [(39, "/source/nato-relations-with-iraq#L39")], "month")
    ]
    html = environment().get_template("macros.html").module.show_value(value)  # type: ignore[attr-defined]
    assert '<a class="line-ref" href="/source/nato-relations-with-iraq#L32"' in html
    assert '· “June 2004” (month) <a class="line-ref" href="/source/nato-relations-with-iraq#L39"' in html
    assert [(w.text, [n for n, _ in w.lines]) for w in page.view.date_evidence] == [
        ("22 June 2004", [32]),
        ("June 2004", [39]),
    ]
    code = next(r for r in page.view.rows if r.iri == ONTOLOGY + "cameoEventCode").values[0]
    assert code.evidence is not None and code.evidence.outside == [
        ("CAMEO codebook", "/id/document/cameo-codebook")
    ]
    derived = next(r for r in page.view.rows if r.iri == ONTOLOGY + "sortDate").values[0]
    assert derived.evidence is not None and derived.evidence.derived and not derived.evidence.lines
    assert entity_page(target_for("id/event/y"), answer(), {}, "") is None  # nothing known about it
    assert not page.cut


def test_lines_that_word_a_property_with_several_values_stay_with_the_property() -> None:
    """Where the page shows two values (the lines disagree), a third wording cannot be tied to
    either: it is listed with the property, not under a value it may not state."""
    lit = "literal"
    by = ONTOLOGY + "decidedBy"
    rows = [
        {"kind": term("about", lit), "p": term(LABEL), "o": term("X", lit)},
        *({"kind": term("about", lit), "p": term(by), "o": term(BASE + f"id/org/{a}")} for a in ("a", "b")),
        *({"kind": term("line", lit), "cp": term(by), "co": term(BASE + f"id/org/{a}"), "line": term(n, lit),
           "src": term(SOURCE), "from": term(BASE + f"id/passage/L{n}"), "cl": term(a.upper(), lit)}
          for a, n in (("a", "5"), ("b", "6"), ("c", "7"))),
    ]  # fmt: skip
    page = entity_page(target_for("id/event/x"), answer(*rows), {}, "")
    assert page is not None
    row = next(r for r in page.view.rows if r.iri == by)
    assert [[n for n, _ in v.evidence.lines] for v in row.values if v.evidence] == [[5], [6]]
    assert [v.evidence.also for v in row.values if v.evidence] == [[], []]
    assert row.also == [Wording("C", [(7, "/source/nato-relations-with-iraq#L7")], href="/id/org/c")]


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
        {k: node_of(v) for k, v in b.items()}
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


def test_engagement_summary_shows_the_generated_start_and_end() -> None:
    """The summary reads the build's nio:start and nio:end (``?bound`` rows): it does not choose
    them again from the events that changed the engagement."""
    unit = "http://www.w3.org/2006/time#"
    end = lexical(e=BASE + "id/event/end", el="NTM-I is discontinued", start="2011-12-31", end="2011-12-31",
                  date="2011-12-31", unit=unit + "unitDay")  # fmt: skip
    rows = [
        lexical(own="2004-01-01", ownEnd="2011-12-31"),
        lexical(st=BASE + "id/concept/status/ended", stl="ended"),
        {**end, "ct": PREFIXES["changetype"] + "discontinuation", "ctl": "discontinuation"},
        {**end, "bound": "end"},
        lexical(e=BASE + "id/concept/status/not-stated", bound="start"),
        lexical(e=BASE + "id/event/riga", el="Riga", start="2006-01-01", end="2006-12-31", date="2006",
                unit=unit + "unitYear", ct=PREFIXES["changetype"] + "launch", ctl="launch"),
    ]  # fmt: skip
    about = summarize(rows)
    assert about.start.event is None and about.start.value == BASE + "id/concept/status/not-stated"
    assert about.first == "2004-01-01"  # the bar starts where its own period does
    assert about.end.event is not None and about.end.event.when == "31 December 2011 (day)"
    assert about.last == "2011-12-31" and about.status == "ended" and not about.ongoing
    assert [c.label for c in about.history] == ["Riga", "NTM-I is discontinued"]
    ongoing = summarize([lexical(e=BASE + "id/concept/status/ongoing", bound="end")])
    assert ongoing.ongoing and ongoing.last is None and ongoing.first == ""
    assert ongoing.dated_from == "start not stated, ongoing when the source was last updated"


def test_an_engagement_summary_does_not_depend_on_the_order_of_the_engines_rows() -> None:
    """One event reaches the summary through two branches of its query: as a change that affects
    the engagement (with its change type) and as its generated end. Engines return such rows in
    any order (Oxigraph's differs from one process to the next); the summary must read the same."""
    facts = lexical(
        e=EVENT, el="SACEUR gives the activation order", start="2004-12-16", end="2004-12-16",
        date="2004-12-16", unit="http://www.w3.org/2006/time#unitDay",
    )  # fmt: skip
    affects, ended = {**facts, "ctl": "renaming"}, {**facts, "bound": "end"}
    one, other = summarize([affects, ended]), summarize([ended, affects])
    assert one == other
    assert [(c.when, c.change) for c in one.history] == [("16 December 2004 (day)", "renaming")]
    assert one.end.value == EVENT and one.last == "2004-12-16"
