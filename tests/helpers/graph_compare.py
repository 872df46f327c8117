"""Comparing graphs a store holds with those of a build: term for term, or up to the literal
forms a store normalises, and up to blank node names."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import XSD, BNode, Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.term import Node

from kg.build.dumps import MERGED_GRAPH

VOID_GRAPH = "https://w3id.org/nato-iraq/graph/void"


INTEGER_TYPES = {
    XSD[name]
    for name in (
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
    )
}


def canonical(graph: Graph) -> Graph:
    """``graph`` with numeric literals as an Oxigraph store keeps them.

    Oxigraph stores (``dist/store`` as well as the server) keep a number's value, not its lexical
    form: ``"7500000.0"^^xsd:decimal`` of the source and dumps comes back as ``"7500000"``, and
    ``"858216"^^xsd:nonNegativeInteger`` (void.ttl's byte sizes) as ``"858216"^^xsd:integer``.
    Nothing else is rewritten."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal and isinstance(o.value, Decimal):
            o = Literal(format(o.value.normalize(), "f"), datatype=XSD.decimal)
        elif isinstance(o, Literal) and o.datatype in INTEGER_TYPES:
            o = Literal(str(o), datatype=XSD.integer)
        out.add((s, p, o))
    return out


def store_folder_graphs(store: Path) -> dict[str, Graph]:
    """Every named graph of ``dist/store`` (what the embedded engine serves), exactly, and its
    default graph under the name ``kg publish`` gives it (``MERGED_GRAPH``)."""
    db = ox.Store.read_only(str(store))
    out = {}
    for name in [*db.named_graphs(), ox.DefaultGraph()]:
        triples = [q.triple for q in db.quads_for_pattern(None, None, None, name)]
        iri = name.value if isinstance(name, ox.NamedNode) else MERGED_GRAPH
        out[str(iri)] = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return out


def dist_graphs(dist: Path) -> dict[str, Graph]:
    """Every named graph of the build, as the dumps hold it: nato-iraq.nq plus void.ttl; the
    default graph (nato-iraq.nt) as ``MERGED_GRAPH``."""
    ds = Dataset()
    ds.parse(dist / "nato-iraq.nq", format="nquads")
    graphs = {
        str(g.identifier): g for g in ds.graphs() if str(g.identifier) != str(ds.default_graph.identifier)
    }
    graphs = {name: g for name, g in graphs.items() if len(g)}
    graphs[VOID_GRAPH] = Graph().parse(dist / "void.ttl", format="turtle")
    graphs[MERGED_GRAPH] = Graph().parse(dist / "nato-iraq.nt", format="nt")
    return graphs


def same_graph(a: Graph, b: Graph) -> bool:
    """``a`` and ``b`` are isomorphic: the same triples without blank nodes, and isomorphic parts
    with them (a blank node maps only to a blank node; much faster on large graphs)."""

    def split(g: Graph) -> tuple[set[tuple[Node, Node, Node]], Graph]:
        ground, blank = set(), Graph()
        for t in g:
            if isinstance(t[0], BNode) or isinstance(t[2], BNode):
                blank.add(t)
            else:
                ground.add(t)
        return ground, blank

    (ga, ba), (gb, bb) = split(a), split(b)
    return ga == gb and isomorphic(ba, bb)


Triples = set[ox.Triple]


def store_triples(store: Path) -> dict[str, Triples]:
    """``store_folder_graphs`` as sets of pyoxigraph triples (much faster to make and compare)."""
    db = ox.Store.read_only(str(store))
    out = {}
    for name in [*db.named_graphs(), ox.DefaultGraph()]:
        iri = name.value if isinstance(name, ox.NamedNode) else MERGED_GRAPH
        out[str(iri)] = {q.triple for q in db.quads_for_pattern(None, None, None, name)}
    return out


def same_triples(a: Triples, b: Triples) -> bool:
    """``same_graph`` for sets of pyoxigraph triples: equal without blank nodes, isomorphic with."""

    def blank(t: ox.Triple) -> bool:
        return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)

    ba, bb = ({t for t in x if blank(t)} for x in (a, b))
    if a - ba != b - bb:
        return False
    graphs = [
        Graph().parse(data=(ox.serialize(x, format=ox.RdfFormat.N_TRIPLES) or b"").decode(), format="nt")
        for x in (ba, bb)
    ]
    return isomorphic(*graphs)
