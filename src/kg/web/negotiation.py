"""Content negotiation: HTTP Accept headers with q-values, and ``format=`` shortcuts."""

from __future__ import annotations

FORMAT_ALIASES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "html": "text/html",
}


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


# ``format=json``/``format=xml`` on a CONSTRUCT mean JSON-LD/RDF-XML: the second choice fits graphs.
SECOND_CHOICE: dict[str, str] = {"json": "application/ld+json", "xml": "application/rdf+xml"}


def preferred(format_param: str | None, accept: str | None) -> list[str]:
    """The media types a client asked for, best first: an explicit ``format=`` wins over Accept.

    ``format`` takes a short name (``json``, ``csv``, ``ttl``, ``nq`` …, see ``FORMAT_ALIASES``)
    or a media type. ``preferred("json", None)`` gives the SPARQL JSON results type, then JSON-LD.
    """
    if format_param:
        key = format_param.strip().lower()
        first = FORMAT_ALIASES.get(key, key)
        return [first, SECOND_CHOICE[key]] if key in SECOND_CHOICE else [first]
    return parse_accept(accept)
