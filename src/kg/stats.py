"""``kg stats``: size and shape of the built graph."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.build.rdfconv import short

_COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE { ?s ?p ?o }
"""
_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class
"""


@dataclass
class Stats:
    triples: int
    subjects: int
    properties: int
    named_graphs: int
    per_class: list[tuple[str, int]]

    def lines(self) -> list[str]:
        out = [
            f"triples (default graph):   {self.triples:,}",
            f"named graphs:              {self.named_graphs}",
            f"distinct subjects:         {self.subjects:,}",
            f"distinct properties:       {self.properties}",
            f"classes:                   {len(self.per_class)}",
            "resources per class:",
        ]
        out += [f"  {n:6,}  {short(c)}" for c, n in self.per_class]
        return out


def _int(term: object) -> int:
    return int(getattr(term, "value", 0))


def compute(store: ox.Store) -> Stats:
    """Count triples, subjects, properties and resources per class in the default graph."""
    row = next(iter(store.query(_COUNTS)))  # type: ignore[arg-type]
    classes = [
        (sol["class"].value, _int(sol["n"]))
        for sol in store.query(_CLASSES)  # type: ignore[union-attr]
    ]
    return Stats(
        triples=_int(row["triples"]),
        subjects=_int(row["subjects"]),
        properties=_int(row["properties"]),
        named_graphs=sum(1 for _ in store.named_graphs()),
        per_class=classes,
    )
