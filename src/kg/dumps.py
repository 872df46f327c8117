"""Write the dataset in every common RDF syntax, each with its SHA-256 checksum."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import PREFIXES


@dataclass(frozen=True)
class DumpFormat:
    extension: str
    media_type: str
    label: str
    rdf_format: ox.RdfFormat

    @property
    def dataset(self) -> bool:
        """Whether the syntax keeps named graphs (otherwise the dump is the union graph)."""
        return bool(self.rdf_format.supports_datasets)


DUMP_STEM = "nato-iraq"
DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("trig", "application/trig", "TriG", ox.RdfFormat.TRIG),
    DumpFormat("nq", "application/n-quads", "N-Quads", ox.RdfFormat.N_QUADS),
    DumpFormat("ttl", "text/turtle", "Turtle", ox.RdfFormat.TURTLE),
    DumpFormat("nt", "application/n-triples", "N-Triples", ox.RdfFormat.N_TRIPLES),
    DumpFormat("jsonld", "application/ld+json", "JSON-LD", ox.RdfFormat.JSON_LD),
    DumpFormat("rdf", "application/rdf+xml", "RDF/XML", ox.RdfFormat.RDF_XML),
)


def dump_name(fmt: DumpFormat) -> str:
    return f"{DUMP_STEM}.{fmt.extension}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of all graphs, in a stable order."""
    return sorted({q.triple for q in quads}, key=str)


def write_dumps(quads: list[ox.Quad], out: Path) -> dict[str, str]:
    """Write every dump into ``out``; return file name → SHA-256 (also written beside each dump)."""
    ordered = sorted(quads, key=str)
    triples = union_triples(quads)
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
