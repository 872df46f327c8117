"""How a request picks the format of a resource (``kg.web.iris.RESOURCE_FORMATS``, from the one
table ``kg.formats``), and how a description is written in it: the same triples are the same bytes
in every request and every process (blank nodes canonically labelled, statements in one order)."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.formats import choose, parse_accept
from kg.namespaces import PREFIXES
from kg.web.iris import RESOURCE_FORMATS
from kg.web.views.queries import Description, as_rdflib

WILDCARDS = {"text/*": RESOURCE_FORMATS["html"], "application/*": RESOURCE_FORMATS["jsonld"]}
CONTEXT: dict[str, Any] = {"@context": dict(PREFIXES)}
"""The JSON-LD context published at ``/context.jsonld``: the project's prefixes."""


def negotiate(
    extension: str | None, format_param: str | None, accept: str | None, default: str = "html"
) -> str | None:
    """The format key a request asks for: extension, then ``?format=``, then Accept (q-values).

    An unknown ``?format=`` value is ignored (Accept decides); ``n3`` and ``text/n3`` get Turtle.
    ``None`` means nothing acceptable (answer 406).
    """
    if extension:
        return extension if extension in RESOURCE_FORMATS else None
    fallback = RESOURCE_FORMATS[default]
    found = choose(
        tuple(RESOURCE_FORMATS.values()), format_param, parse_accept(accept), fallback,
        {"*/*": fallback, **WILDCARDS},
    )  # fmt: skip
    return found.key if found is not None else None


def serialize(description: Description, key: str) -> bytes:
    """A description written in the RDF format ``key``: pyoxigraph writes Turtle, N-Triples and
    RDF/XML (with the project's prefixes it uses); rdflib writes JSON-LD compacted with
    ``CONTEXT``."""
    fmt = RESOURCE_FORMATS[key]
    if fmt.carries != "graph":
        raise ValueError(f"{key} is not an RDF format")
    triples = canonical(description.triples)
    if key == "jsonld":
        return json_ld(triples)
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=used_prefixes(triples))
    return body or b""


def canonical(triples: list[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with canonical blank node labels, sorted: another store (or another request to
    a store that renames blank nodes) gives the same list for the same graph."""
    if not any(isinstance(t, ox.BlankNode) for tr in triples for t in (tr.subject, tr.object)):
        return sorted(triples, key=str)
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted((q.triple for q in dataset), key=str)


def json_ld(triples: list[ox.Triple]) -> bytes:
    """JSON-LD compacted with ``CONTEXT``, in one order: rdflib writes nodes and values in the
    order of Python's string hashes, which change with each process. Arrays are sets in JSON-LD
    (except an ``@list``), so they are sorted, and so are keys: the same graph is the same bytes."""
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    for t in triples:
        graph.add((as_rdflib(t.subject), URIRef(t.predicate.value), as_rdflib(t.object)))
    text = graph.serialize(format="json-ld", context=CONTEXT["@context"], auto_compact=True)

    def ordered(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: ordered(v, k) for k, v in value.items()}
        if isinstance(value, list):
            items = [ordered(v) for v in value]
            if key == "@list":
                return items
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return value

    document = ordered(json.loads(text))
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The project's prefixes that some IRI of ``triples`` starts with (the rest would be noise)."""
    iris = {
        t.value
        for tr in triples
        for t in (tr.subject, tr.predicate, tr.object)
        if isinstance(t, ox.NamedNode)
    }
    starts = {i[: max(i.rfind("/"), i.rfind("#")) + 1] for i in iris}
    return {p: ns for p, ns in PREFIXES.items() if any(s.startswith(ns) for s in starts)}
