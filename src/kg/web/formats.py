"""The formats a resource is served in, how a request picks one, and how a graph is written in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.namespaces import PREFIXES
from kg.web.describe import Description
from kg.web.negotiation import FORMAT_ALIASES, parse_accept


@dataclass(frozen=True)
class Format:
    key: str
    """File extension and ``?format=`` value."""
    media_type: str
    label: str
    rdflib_name: str | None
    """rdflib serializer (``None`` for HTML, which templates render)."""
    also: tuple[str, ...] = ()
    """Other media types that ask for this format."""

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/")
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("html", "text/html", "HTML", None, ("application/xhtml+xml",)),
        Format("ttl", "text/turtle", "Turtle", "turtle", ("application/x-turtle",)),
        Format("nt", "application/n-triples", "N-Triples", "nt", ("text/plain",)),
        Format("jsonld", "application/ld+json", "JSON-LD", "json-ld", ("application/json",)),
        Format("rdf", "application/rdf+xml", "RDF/XML", "xml", ("application/xml", "text/xml")),
    )
}
RDF_FORMATS = [f for f in FORMATS.values() if f.rdflib_name]
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "rdf": ox.RdfFormat.RDF_XML}
_BY_MEDIA = {m: f.key for f in FORMATS.values() for m in (f.media_type, *f.also)}
_WILDCARDS = {"*/*": None, "text/*": "html", "application/*": "jsonld"}

CONTEXT: dict[str, Any] = {"@context": dict(PREFIXES)}
"""The JSON-LD context published at ``/context.jsonld``: the project's prefixes."""


def negotiate(
    extension: str | None, format_param: str | None, accept: str | None, default: str = "html"
) -> str | None:
    """The format key a request asks for: extension, then ``?format=``, then Accept (q-values).

    ``None`` means nothing acceptable (answer 406).
    """
    if extension:
        return extension if extension in FORMATS else None
    if format_param:
        key = format_param.strip().lower()
        if key in FORMATS:
            return key
        return _BY_MEDIA.get(FORMAT_ALIASES.get(key, key))
    ranked = parse_accept(accept)
    if not ranked:
        return default
    for media in ranked:
        if media in _BY_MEDIA:
            return _BY_MEDIA[media]
        if media in _WILDCARDS:
            return _WILDCARDS[media] or default
    return None


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def serialize(description: Description, key: str) -> bytes:
    """A description written in the RDF format ``key``: pyoxigraph writes Turtle, N-Triples and
    RDF/XML (with the project's prefixes); rdflib writes JSON-LD compacted with ``CONTEXT``."""
    fmt = FORMATS[key]
    if fmt.rdflib_name is None:
        raise ValueError(f"{key} is not an RDF format")
    if key == "jsonld":
        graph = bind_prefixes(description.graph)
        text = graph.serialize(format="json-ld", context=CONTEXT["@context"], auto_compact=True)
        return text.encode("utf-8")
    if key == "nt":
        return description.ntriples
    triples = description.triples
    body = ox.serialize(triples, format=OX_FORMATS[key], prefixes=used_prefixes(triples))
    return body or b""


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
