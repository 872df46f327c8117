"""Write the dataset in every common RDF syntax, each with its SHA-256 checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from kg.formats import BY_KEY, MediaFormat
from kg.namespaces import GRAPH, PREFIXES

DumpFormat = MediaFormat
DUMP_STEM = "nato-iraq"
DUMP_FORMATS: tuple[DumpFormat, ...] = tuple(BY_KEY[k] for k in ("trig", "nq", "ttl", "nt", "jsonld", "rdf"))
"""The dump syntaxes, from the one media-type table (``dataset``: it keeps the named graphs)."""


def dump_name(fmt: DumpFormat) -> str:
    return f"{DUMP_STEM}.{fmt.extension}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


DEFAULT_GRAPH_PARTS = (GRAPH + "data/", GRAPH + "ontology/", GRAPH + "extra/")
"""Named graphs whose merge is the dataset's default graph (not shapes, VoID or per-line graphs)."""

MERGED_GRAPH = GRAPH + "merged"
"""The dataset's default graph as one named graph of a remote store (``kg publish`` writes it,
``kg serve --engine`` sends it as the one ``default-graph-uri``): no store has to merge tens of
graphs per query (Virtuoso 7.2 answers some queries wrongly over more than 16 of them)."""


def in_default_graph(quad: ox.Quad) -> bool:
    name = quad.graph_name
    return isinstance(name, ox.DefaultGraph) or (
        isinstance(name, ox.NamedNode) and name.value.startswith(DEFAULT_GRAPH_PARTS)
    )


def default_graph_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The dataset's default graph: the distinct triples of the data and ontology graphs, sorted."""
    return sorted({q.triple for q in quads if in_default_graph(q)}, key=str)


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of all graphs, in a stable order."""
    return sorted({q.triple for q in quads}, key=str)


def write_dumps(quads: list[ox.Quad], out: Path) -> dict[str, str]:
    """Write every dump into ``out``; return file name → SHA-256 (also written beside each dump)."""
    triples = default_graph_triples(quads)
    default = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    ordered = default + sorted((q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)), key=str)
    sums: dict[str, str] = {}
    for fmt in DUMP_FORMATS:
        path = out / dump_name(fmt)
        items: list[ox.Quad] | list[ox.Triple] = ordered if fmt.dataset else triples
        ox.serialize(items, str(path), fmt.rdf_format, prefixes=PREFIXES)
        digest = sha256_file(path)
        (out / f"{path.name}.sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
        sums[path.name] = digest
    (out / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in sorted(sums.items())), encoding="utf-8")
    return sums
