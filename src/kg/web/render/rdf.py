"""The formats a resource is served in, how a request picks one, and how a graph is written in it."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.formats import BY_KEY, MediaFormat, choose, parse_accept
from kg.namespaces import PREFIXES
from kg.web.views.queries import Description

Format = MediaFormat
FORMATS: dict[str, MediaFormat] = {k: BY_KEY[k] for k in ("html", "ttl", "nt", "jsonld", "rdf")}
"""The formats a resource is served in (``key`` is its file extension and ``?format=`` value)."""
RDF_FORMATS = [f for f in FORMATS.values() if f.carries == "graph"]
_WILDCARDS = {"text/*": FORMATS["html"], "application/*": FORMATS["jsonld"]}

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
        return extension if extension in FORMATS else None
    among = tuple(FORMATS.values())
    wildcards = {"*/*": FORMATS[default], **_WILDCARDS}
    found = choose(among, format_param, parse_accept(accept), FORMATS[default], wildcards)
    return found.key if found is not None else None


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def serialize(description: Description, key: str) -> bytes:
    """A description written in the RDF format ``key``: pyoxigraph writes Turtle, N-Triples and
    RDF/XML (with the project's prefixes); rdflib writes JSON-LD compacted with ``CONTEXT``."""
    fmt = FORMATS[key]
    if fmt.carries != "graph":
        raise ValueError(f"{key} is not an RDF format")
    if key == "jsonld":
        graph = bind_prefixes(description.graph)
        text = graph.serialize(format="json-ld", context=CONTEXT["@context"], auto_compact=True)
        return stable_json_ld(text)
    if key == "nt":
        return description.ntriples
    triples = description.triples
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=used_prefixes(triples))
    return body or b""


def stable_json_ld(text: str) -> bytes:
    """A JSON-LD document in one order: rdflib writes nodes and values in the order of Python's
    string hashes, which change with each process. Arrays are sets in JSON-LD (except an
    ``@list``), so they are sorted, and so are keys: the same graph is the same bytes."""

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
