"""Move RDF between Oxigraph quads and rdflib graphs (pyshacl and owlrl need rdflib)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph

from kg.namespaces import PREFIXES


def to_rdflib(quads: Iterable[ox.Quad]) -> Graph:
    """An rdflib graph holding the triples of ``quads`` (graph names dropped)."""
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    graph.parse(data=(data or b"").decode("utf-8"), format="nt")
    return graph


def term_value(term: object) -> str:
    """The lexical value of an Oxigraph term (a quoted triple gives its N-Triples form)."""
    value = getattr(term, "value", None)
    return value if isinstance(value, str) else str(term)


def short(iri: str) -> str:
    """``niq:event/x`` for a known namespace, ``<iri>`` otherwise."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"
