"""The graph says what the source says: every milestone, every figure, every quote traced.

These tests read the stored source text itself, so a fact cannot be dropped quietly.
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from helpers import FIXTURES
from helpers.graph_store import select
from helpers.source_text import SOURCE, figures, milestones


def test_there_are_38_milestones() -> None:
    assert len(milestones()) == 38


@pytest.mark.parametrize(("line", "text"), milestones(), ids=[f"L{n}" for n, _ in milestones()])
def test_each_milestone_has_an_event_quoting_it(store: ox.Store, line: int, text: str) -> None:
    rows = select(
        store,
        """SELECT ?event ?quote WHERE {
             ?event a/rdfs:subClassOf* nio:Event ; prov:wasDerivedFrom ?passage .
             ?passage oa:hasSelector/oa:exact ?quote .
           }""",
    )
    quoting = {r["event"] for r in rows if r["quote"] in text and len(r["quote"]) >= 20}
    assert quoting, f"no event quotes line {line}: {text[:80]}"


@pytest.mark.parametrize("figure", figures(), ids=lambda f: f"L{f.line}-{f.text}")
def test_every_figure_is_a_typed_quantity_from_its_line(store: ox.Store, figure: object) -> None:
    rows = select(
        store,
        """SELECT ?q ?n ?line WHERE {
             ?q a ?type ; ?numeric ?n ; prov:wasDerivedFrom ?passage .
             VALUES ?type { nio:Quantity nio:MonetaryQuantity }
             VALUES ?numeric { schema:value schema:minValue schema:maxValue }
             ?passage nio:sourceLine ?line .
             FILTER (isNumeric(?n))
           }""",
    )
    line = figure.line  # type: ignore[attr-defined]
    value = figure.value  # type: ignore[attr-defined]
    matches = [r for r in rows if Decimal(r["n"]) == value and int(r["line"]) == line]
    assert matches, f"no numeric quantity of {figure} derived from line {line}"


def test_every_quote_is_verbatim_in_the_source(store: ox.Store) -> None:
    text = SOURCE.read_text(encoding="utf-8")
    quotes = select(store, "SELECT ?s ?q WHERE { ?s oa:exact ?q }")
    assert len(quotes) >= 38
    missing = [r for r in quotes if r["q"] not in text]
    assert not missing, missing[:5]


def test_unscr_1546_is_a_document(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?d WHERE { ?d a nio:Document ; dcterms:identifier "1546" ; prov:wasDerivedFrom ?p }""",
    )
    assert rows


def test_every_resource_has_an_english_label(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?s WHERE {
             GRAPH ?g { ?s ?p ?o }
             FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/data/"))
             FILTER (isIRI(?s))
             FILTER NOT EXISTS { ?s rdfs:label ?l FILTER (LANGMATCHES(LANG(?l), "en")) }
           }""",
    )
    assert not rows, [r["s"] for r in rows][:10]


def test_every_term_used_in_data_is_declared_with_label_and_definition(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?term WHERE {
             GRAPH ?g {
               { ?s ?term ?o } UNION { ?s a ?term }
             }
             FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/data/"))
             FILTER (STRSTARTS(STR(?term), "https://w3id.org/nato-iraq/ontology#"))
             FILTER NOT EXISTS {
               GRAPH ?o2 { ?term rdfs:label ?l ; skos:definition ?d ; rdfs:isDefinedBy ?m }
               FILTER (STRSTARTS(STR(?o2), "https://w3id.org/nato-iraq/graph/ontology/"))
             }
           }""",
    )
    assert not rows, [r["term"] for r in rows]


def test_every_external_term_used_in_data_is_known(store: ox.Store) -> None:
    """Catch typos in reused vocabularies: each external term must be on the allowed list."""
    rows = select(
        store,
        """SELECT DISTINCT ?term WHERE {
             GRAPH ?g { { ?s ?term ?o } UNION { ?s a ?term } }
             FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/data/"))
             FILTER (!STRSTARTS(STR(?term), "https://w3id.org/nato-iraq/"))
           }""",
    )
    used = {r["term"] for r in rows}
    listing = (FIXTURES / "external-terms.txt").read_text().splitlines()
    allowed = {line.strip() for line in listing if line.strip() and not line.startswith("#")}
    assert used <= allowed, sorted(used - allowed)
