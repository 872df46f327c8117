"""The one table of media types: which formats exist, what they are called, what may carry what.

Every place that names a format reads it from here: content negotiation (``/sparql`` and the
linked-data pages), the engines (which Oxigraph serialiser writes a result), the dumps, the
service description (W3C format IRIs) and ``kg query``. A format is known by its key (also its
file extension and ``format=`` value), its media type, other media types and names that ask for
it, and what it can carry: SPARQL solutions (SELECT/ASK), an RDF graph, or an HTML page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

Carries = Literal["solutions", "graph", "page"]
W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class MediaFormat:
    key: str
    """File extension and ``format=`` value."""
    media_type: str
    label: str
    carries: Carries
    names: tuple[str, ...] = ()
    """Other ``format=`` values that ask for it."""
    also: tuple[str, ...] = ()
    """Other media types that ask for it (``text/n3`` gets Turtle, a subset of N3)."""
    w3c: str | None = None
    """Its IRI in the W3C formats namespace."""
    dataset: bool = False
    """It can hold named graphs (TriG, N-Quads, JSON-LD): a dump in it keeps them."""

    @property
    def extension(self) -> str:
        """The file extension (the key)."""
        return self.key

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (text types say their charset)."""
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """Oxigraph's serialiser for an RDF format."""
        return RDF_SERIALISERS[self.key]

    @property
    def results_format(self) -> ox.QueryResultsFormat:
        """Oxigraph's serialiser for a SPARQL results format."""
        return RESULT_SERIALISERS[self.key]


TABLE: tuple[MediaFormat, ...] = (
    MediaFormat(
        "json", "application/sparql-results+json", "SPARQL JSON", "solutions", ("srj",),
        ("application/json",), W3C + "SPARQL_Results_JSON",
    ),
    MediaFormat(
        "xml", "application/sparql-results+xml", "SPARQL XML", "solutions", ("srx",),
        ("application/xml", "text/xml"), W3C + "SPARQL_Results_XML",
    ),
    MediaFormat("csv", "text/csv", "CSV", "solutions", (), (), W3C + "SPARQL_Results_CSV"),
    MediaFormat("tsv", "text/tab-separated-values", "TSV", "solutions", (), (), W3C + "SPARQL_Results_TSV"),
    MediaFormat(
        "ttl", "text/turtle", "Turtle", "graph", ("turtle", "n3"),
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        W3C + "Turtle",
    ),
    MediaFormat(
        "nt", "application/n-triples", "N-Triples", "graph", ("ntriples", "n-triples"), ("text/plain",),
        W3C + "N-Triples",
    ),
    MediaFormat(
        "jsonld", "application/ld+json", "JSON-LD", "graph", ("json-ld", "json"), ("application/json",),
        W3C + "JSON-LD", dataset=True,
    ),
    MediaFormat(
        "rdf", "application/rdf+xml", "RDF/XML", "graph", ("rdfxml", "rdf+xml", "xml"),
        ("application/xml", "text/xml"), W3C + "RDF_XML",
    ),
    MediaFormat("trig", "application/trig", "TriG", "graph", (), (), W3C + "TriG", dataset=True),
    MediaFormat(
        "nq", "application/n-quads", "N-Quads", "graph", ("nquads", "n-quads"), (), W3C + "N-Quads",
        dataset=True,
    ),
    MediaFormat("html", "text/html", "HTML", "page", (), ("application/xhtml+xml",)),
)  # fmt: skip

RDF_SERIALISERS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
RESULT_SERIALISERS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
BY_KEY = {f.key: f for f in TABLE}
SOLUTIONS = tuple(f for f in TABLE if f.carries == "solutions")
GRAPHS = tuple(f for f in TABLE if f.carries == "graph")
DEFAULT = {"solutions": BY_KEY["json"], "graph": BY_KEY["ttl"], "page": BY_KEY["html"]}
WILDCARDS = ("*/*", "application/*", "text/*")


def by_media_type(media: str, among: Iterable[MediaFormat] = TABLE) -> MediaFormat | None:
    """The format of ``among`` that ``media`` (its own type or one of ``also``) asks for."""
    media = media.split(";")[0].strip().lower()
    options = tuple(among)
    for fmt in options:
        if fmt.media_type == media:
            return fmt
    for fmt in options:
        if media in fmt.also:
            return fmt
    return None


def by_name(name: str, among: Iterable[MediaFormat] = TABLE) -> MediaFormat | None:
    """The format of ``among`` a ``format=`` value names: a key, another name or a media type."""
    name = name.strip().lower()
    options = tuple(among)
    for fmt in options:
        if name == fmt.key or name in fmt.names:
            return fmt
    return by_media_type(name, options) if "/" in name else None


def parse_accept(header: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-value, then specificity, then order).

    Types with ``q=0`` are dropped. ``parse_accept("text/csv;q=0.5, application/json")``
    gives ``["application/json", "text/csv"]``.
    """
    if not header:
        return []
    ranked: list[tuple[float, int, int, str]] = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranked.append((-q, -specificity, index, media))
    return [media for *_, media in sorted(ranked)]


def choose(
    among: Sequence[MediaFormat],
    format_param: str | None,
    accepted: Sequence[str],
    default: MediaFormat,
    wildcard: dict[str, MediaFormat] | None = None,
) -> MediaFormat | None:
    """The format of ``among`` a request asks for; None: nothing acceptable (406).

    A ``format=`` value naming one of ``among`` wins, one naming a format that cannot carry this
    answer is refused; any other value (SPARQLWrapper's ``format=n3`` on a SELECT, say) is ignored
    and the Accept types (``accepted``, best first) decide; no Accept at all means ``default``.
    """
    if format_param:
        named = by_name(format_param, among)
        if named is not None:
            return named
        if by_name(format_param) is not None:
            return None
    if not accepted:
        return default
    for media in accepted:
        found = by_media_type(media, among)
        if found is not None:
            return found
        if media in WILDCARDS:
            return (wildcard or {}).get(media, default)
    return None


__all__ = ["BY_KEY", "DEFAULT", "GRAPHS", "SOLUTIONS", "TABLE", "MediaFormat", "choose", "parse_accept"]
