"""The model patterns of ontology/README.md hold on the built graph (one test per rule)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.namespaces import sparql_prologue
from source_text import lines

P = sparql_prologue()
ID = "https://w3id.org/nato-iraq/id/"


@pytest.fixture(scope="module")
def store(built_repo: Path) -> ox.Store:
    return ox.Store.read_only(str(built_repo / "store"))


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(P + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]


# ------------------------------------------------------------------ generated provenance


def test_generated_whole_line_passages_are_byte_identical_quotes_of_their_lines(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?p ?line ?exact WHERE {
             ?p a nio:Passage ; nio:sourceLine ?line ; oa:hasSelector/oa:exact ?exact .
             FILTER (REGEX(STR(?p), "/passage/L[0-9]+$"))
           }""",
    )
    source = lines()
    assert len(rows) >= 60
    for row in rows:
        assert row["exact"] == source[int(row["line"]) - 1], row["p"]


def test_no_whole_line_passage_or_its_selector_is_written_by_hand() -> None:
    data = Path(__file__).resolve().parent.parent / "data"
    for path in data.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        assert "a nio:Passage" not in text, path.name
        assert "a oa:TextQuoteSelector" not in text, path.name


def test_date_bounds_are_generated_not_written(store: ox.Store) -> None:
    data = Path(__file__).resolve().parent.parent / "data"
    written = sum(
        p.read_text(encoding="utf-8").count("sem:hasEarliestBeginTimeStamp") for p in data.glob("*.ttl")
    )
    generated = select(
        store, "SELECT (COUNT(*) AS ?n) WHERE { ?e nio:date ?d ; sem:hasEarliestBeginTimeStamp ?b }"
    )
    assert int(generated[0]["n"]) >= 50
    assert written <= 3  # only periods without a nio:date carry hand-written bounds


def test_every_line_graph_is_described_in_the_default_graph(store: ox.Store) -> None:
    graphs = {
        g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and "/graph/line/" in g.value
    }
    described = {
        r["g"] for r in select(store, "SELECT ?g WHERE { ?g nio:sourceLine ?l ; prov:wasDerivedFrom ?p }")
    }
    assert graphs and graphs <= described


def test_per_line_graphs_hold_only_statements_of_the_default_graph(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT (COUNT(*) AS ?n) WHERE {
             GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/line/"))
             FILTER NOT EXISTS { ?s ?p ?o }
           }""",
    )
    assert rows[0]["n"] == "0"


# ------------------------------------------------------------------ default graph


def test_default_graph_holds_no_shapes_and_no_dataset_description(store: ox.Store) -> None:
    rows = select(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")
    predicates = {r["p"] for r in rows}
    assert not any(p.startswith("http://www.w3.org/ns/shacl#") for p in predicates)
    assert not any(p.startswith("http://rdfs.org/ns/void#") for p in predicates)
    named = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert "https://w3id.org/nato-iraq/graph/void" in named
    assert any(g.startswith("https://w3id.org/nato-iraq/graph/shapes/") for g in named)


def test_counts_agree_build_void_and_store(built_repo: Path, store: ox.Store) -> None:
    import json

    from rdflib import Graph, URIRef
    from rdflib.namespace import VOID

    info = json.loads((built_repo / "build.json").read_text())
    void = Graph().parse(built_repo / "void.ttl")
    stated = int(void.value(URIRef("https://w3id.org/nato-iraq/dataset"), VOID.triples))
    counted = int(select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    assert info["triples"] == stated == counted
