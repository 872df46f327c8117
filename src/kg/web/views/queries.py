"""How the pages ask the QueryEngine (so any store can serve them): a CONSTRUCT gives a
``Description`` (its triples), a SELECT gives rows of lexical values; and how user text is put
into a query safely.

Nothing here reads files: every page is built from queries on the engine, so the same front end
works over the embedded store or a remote SPARQL endpoint.
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.engine.base import QueryEngine, ask
from kg.namespaces import PREFIXES, sparql_prologue

PROLOGUE = sparql_prologue(
    ["rdf", "rdfs", "skos", "prov", "oa", "schema", "dcterms", "nio", "owl", "sem", "time", "org"]
)
Row = dict[str, str]
XSD_STRING = PREFIXES["xsd"] + "string"


def iri_literal(iri: str) -> str:
    """``<iri>`` for a SPARQL query (refusing characters that could break out of it)."""
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise ValueError(f"not a safe IRI: {iri!r}")
    ox.NamedNode(iri)  # ValueError for what no IRI may hold (control characters, bad %-escapes)
    return f"<{iri}>"


def string_literal(text: str) -> str:
    """A SPARQL string literal for arbitrary user text."""
    return json.dumps(text, ensure_ascii=False)


class Description:
    """The triples a CONSTRUCT gave: N-Triples as the engine sent them, read on demand by
    pyoxigraph (``triples``: Turtle, N-Triples, RDF/XML) or as an rdflib graph (``graph``: the
    pages and compacted JSON-LD). Blank nodes keep the labels the engine gave them."""

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
            graph = Graph()
            for t in self.triples:
                graph.add((as_rdflib(t.subject), URIRef(t.predicate.value), as_rdflib(t.object)))
            self._graph = graph
        return self._graph

    def __len__(self) -> int:
        return len(self.triples)


def as_rdflib(term: Any) -> Node:
    """An Oxigraph term as an rdflib term (a blank node keeps its label, a plain string has no
    datatype, as rdflib reads it from N-Triples)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))
    return Literal(str(term))  # a quoted triple: its N-Triples form


async def construct(engine: QueryEngine, query: str) -> Description:
    """Run a CONSTRUCT on ``engine`` (answered in N-Triples)."""
    return Description((await ask(engine, query, ["application/n-triples"])).body)


async def select(engine: QueryEngine, query: str) -> list[Row]:
    """Run a SELECT on ``engine``; each row maps a variable to the bound term's lexical value."""
    result = await ask(engine, query, ["application/sparql-results+json"])
    data: dict[str, Any] = json.loads(result.body)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]
