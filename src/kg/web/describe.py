"""The SPARQL that fetches what a page shows, run on the QueryEngine (so any store can serve it).

Nothing here reads files: the description of a resource is a CONSTRUCT on the engine, so the same
front end works over the embedded store or a remote SPARQL endpoint.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.engine.base import QueryEngine, ask
from kg.namespaces import GRAPH, ONTOLOGY, sparql_prologue

PROLOGUE = sparql_prologue(["rdf", "rdfs", "skos", "prov", "oa", "schema", "dcterms", "nio", "owl"])
LABELS = "FILTER(?lp IN (rdfs:label, skos:prefLabel, dcterms:title))"


def iri_literal(iri: str) -> str:
    """``<iri>`` for a SPARQL query (refusing characters that could break out of it)."""
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not a safe IRI: {iri!r}")
    ox.NamedNode(iri)  # ValueError for what no IRI may hold (control characters, bad %-escapes)
    return f"<{iri}>"


def string_literal(text: str) -> str:
    """A SPARQL string literal for arbitrary user text."""
    return json.dumps(text, ensure_ascii=False)


def describe_query(iri: str) -> str:
    """A resource's description: its own triples (with blank nodes two levels deep), labels of
    what it links to, its provenance passages (or, for a passage, itself) with their quote
    selectors and source, and the triples that point to it with their subjects' labels.
    The passage is found by a UNION, not a zero-or-one path (``(p|q)?``): Virtuoso 7.2 joins no
    further pattern to such a path.

    Each part is its own UNION branch (no OPTIONAL across parts): one big join of passages ×
    selectors × sources took Oxigraph seconds for NATO; these branches take milliseconds. Filters
    with IN, not VALUES blocks: Oxigraph joined VALUES first, scanning every triple."""
    s = iri_literal(iri)
    found = f"{{ {s} prov:wasDerivedFrom|nio:claim ?pa }} UNION {{ BIND({s} AS ?pa) }}"
    passage = f"{found} ?pa oa:hasSelector ?sel ."
    return f"""{PROLOGUE}
CONSTRUCT {{
  {s} ?p ?o . ?o ?bp ?bo . ?bo ?bp2 ?bo2 . ?o ?lp ?ol .
  ?pa ?pp ?po . ?sel ?sp ?so . ?src ?srcp ?srco .
  ?x ?ip {s} . ?x ?xlp ?xl .
}} WHERE {{
  {{ {s} ?p ?o .
     OPTIONAL {{ ?o ?bp ?bo FILTER(isBlank(?o)) OPTIONAL {{ ?bo ?bp2 ?bo2 FILTER(isBlank(?bo)) }} }} }}
  UNION {{ {s} ?p ?o . ?o ?lp ?ol . {LABELS} }}
  UNION {{ {passage} ?pa ?pp ?po . }}
  UNION {{ {passage} ?sel ?sp ?so . }}
  UNION {{ {passage} ?pa oa:hasSource ?src . ?src ?srcp ?srco .
           FILTER(?srcp IN (rdfs:label, dcterms:title, schema:url)) }}
  UNION {{ ?x ?ip {s} . OPTIONAL {{ ?x ?xlp ?xl . FILTER(?xlp IN (rdfs:label, skos:prefLabel)) }} }}
}}"""


def graph_contents_query(graph_iri: str, about: str | None = None) -> str:
    """Everything in one named graph, plus what the dataset says about ``about`` (default: the
    graph itself)."""
    g, a = iri_literal(graph_iri), iri_literal(about or graph_iri)
    void = iri_literal(GRAPH + "void")  # the dataset description is a named graph, not in the default graph
    return (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ GRAPH {g} {{ ?s ?p ?o }} }} "
        f"UNION {{ BIND({a} AS ?s) ?s ?p ?o }} UNION {{ GRAPH {void} {{ BIND({a} AS ?s) ?s ?p ?o }} }} }}"
    )


def graphs_under_query(graph_prefix: str, subject_prefix: str) -> str:
    """Every named graph whose IRI starts with ``graph_prefix``, plus every triple whose subject
    starts with ``subject_prefix`` (the ontology document: its modules and any statement about
    a term made elsewhere)."""
    return f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {string_literal(graph_prefix)})) }}
  UNION {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {string_literal(subject_prefix)})) }}
}}"""


def ontology_query() -> str:
    return graphs_under_query(GRAPH + "ontology/", ONTOLOGY)


def term_labels_query() -> str:
    """Labels of every term the ontology graphs label (classes, properties, units)."""
    return f"""{PROLOGUE}
SELECT ?term ?label WHERE {{
  GRAPH ?g {{ ?term rdfs:label ?label }}
  FILTER(STRSTARTS(STR(?g), {string_literal(GRAPH + "ontology/")}) && isIRI(?term))
  FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
}}"""


class Description:
    """The triples a CONSTRUCT gave: N-Triples as the engine sent them, parsed on demand by
    pyoxigraph (fast: Turtle, N-Triples, RDF/XML) or rdflib (pages and compacted JSON-LD)."""

    def __init__(self, ntriples: bytes) -> None:
        self.ntriples = ntriples
        self._triples: list[ox.Triple] | None = None
        self._graph: Graph | None = None

    @property
    def triples(self) -> list[ox.Triple]:
        if self._triples is None:
            self._triples = list(ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES))
        return self._triples

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = Graph()
            if self.ntriples.strip():
                self._graph.parse(data=self.ntriples.decode("utf-8"), format="nt")
        return self._graph

    def __len__(self) -> int:
        return len(self.triples)


async def describe(engine: QueryEngine, query: str) -> Description:
    """Run a CONSTRUCT on ``engine`` (answered in N-Triples)."""
    return Description((await ask(engine, query, ["application/n-triples"])).body)


async def select(engine: QueryEngine, query: str) -> list[dict[str, str]]:
    """Run a SELECT on ``engine``; each row maps a variable to the bound term's lexical value."""
    result = await ask(engine, query, ["application/sparql-results+json"])
    data: dict[str, Any] = json.loads(result.body)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]
