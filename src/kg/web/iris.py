"""Where an IRI of the dataset is served, and which IRI a request path stands for.

Every IRI under ``BASE`` is served at the public address plus the part after ``BASE``:
``https://w3id.org/nato-iraq/id/event/x`` at ``/id/event/x``. A hash IRI
(``…/ontology#Event``) is served by the document before the ``#`` (``/ontology``), as HTTP
never sends the fragment. A known file extension (``/id/event/x.ttl``) names one format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from kg.formats import BY_KEY
from kg.namespaces import BASE, PREFIXES, compact_iri

RESOURCE_FORMATS = {key: BY_KEY[key] for key in ("html", "ttl", "nt", "jsonld", "rdf")}
"""The formats (of ``kg.formats``) every IRI is served in; a path may end with their keys."""
RDF_FORMATS = [f for f in RESOURCE_FORMATS.values() if f.carries == "graph"]
SPARQL_PATH = "/sparql"  # where the SPARQL endpoint is served
SOURCES = PREFIXES["source"]
"""Where the source documents' IRIs start (``…/id/source/<slug>``, read at ``/source/<slug>``)."""


DOCUMENTS = ("graph/", "dataset/", "ontology/", "shapes/")
LINE_GRAPHS = "graph/line/"
"""Where the named graphs of the source's lines are (``graph/line/<N>``)."""


@dataclass(frozen=True)
class Target:
    """What a request path asks for: the IRI it stands for and an optional format extension."""

    iri: str
    extension: str | None = None
    path: str = ""
    """The path after BASE (``id/event/x``)."""
    href: str = ""
    """Where it is served (without an extension)."""
    kind: str = "resource"
    """``ontology`` (the ontology or one of its modules), ``line`` (the named graph of a source
    line's statements), ``document`` (another named graph, the shapes, the VoID description or a
    part of either), else ``resource``."""
    alternates: str = ""
    """The ``Link`` header naming its URL in each format."""


class Link(NamedTuple):
    """How a page shows an IRI: its link, its compact name, and for a source document the
    source reader's address."""

    href: str
    compact: str
    reader: str | None


def split_extension(path: str) -> tuple[str, str | None]:
    """``("id/event/x", "ttl")`` for ``id/event/x.ttl``; unknown extensions stay in the path."""
    stem, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext.lower() in RESOURCE_FORMATS and stem:
        return stem, ext.lower()
    return path, None


def target_for(path: str, prefix: str = "") -> Target:
    """The target of a request path (without the leading ``/``), for a site under ``prefix``."""
    stem, ext = split_extension(path.lstrip("/"))
    iri = BASE + stem
    href = local_href(iri, prefix) or iri
    if stem == "ontology" or (stem.startswith("ontology/") and stem.count("/") == 1):
        kind = "ontology"
    elif stem.startswith(LINE_GRAPHS):
        kind = "line"
    elif stem in ("shapes", "dataset") or stem.startswith(DOCUMENTS):
        kind = "document"
    else:
        kind = "resource"
    alternates = ", ".join(
        f'<{href}.{f.key}>; rel="alternate"; type="{f.media_type}"' for f in RESOURCE_FORMATS.values()
    )
    return Target(iri, ext, stem, href, kind, alternates)


def path_prefix(public_url: str) -> str:
    """The path part of the public address (``""`` for ``http://host:port``)."""
    return urlsplit(public_url).path.rstrip("/")


def local_href(iri: str, prefix: str = "") -> str | None:
    """The link a page uses for ``iri``: a path on this server, or ``None`` if it is not ours."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    doc, hash_, fragment = rest.partition("#")
    href = f"{prefix}/{quote(doc, safe='/-._~')}"
    return f"{href}#{quote(fragment, safe='-._~')}" if hash_ else href


def href(iri: str, prefix: str = "") -> str:
    """``local_href`` for our IRIs, the IRI itself for everybody else's."""
    return local_href(iri, prefix) or iri


def reader_href(source: str, line: int | str | None, prefix: str = "") -> str | None:
    """Where the source reader shows ``line`` of ``source`` (``None`` for other documents)."""
    if not source.startswith(SOURCES):
        return None
    slug = source[len(SOURCES) :]
    return f"{prefix}/source/{quote(slug)}" + (f"#L{line}" if line else "")


def links(iris: Iterable[str], prefix: str = "") -> dict[str, Link]:
    """The ``Link`` of each IRI, worked out at once for a whole page."""
    found = {}
    for iri in iris:
        link, reader = href(iri, prefix), reader_href(iri, None, prefix)
        found[iri] = Link(link, compact_iri(iri), reader)
    return found
