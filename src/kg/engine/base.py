"""The one interface every query back end implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

ResultKind = Literal["solutions", "boolean", "graph"]

SOLUTION_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/trig": "trig",
    "application/n-quads": "nq",
    "application/xml": "rdf",
    "application/json": "jsonld",
}
DEFAULT_TYPE: dict[ResultKind, str] = {
    "solutions": "application/sparql-results+json",
    "boolean": "application/sparql-results+json",
    "graph": "text/turtle",
}


class QueryError(Exception):
    """The query cannot be run; ``status`` is the HTTP status that describes why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class QueryResult:
    kind: ResultKind
    body: bytes
    media_type: str
    truncated: bool = False
    rows: int | None = None


def choose_media_type(kind: ResultKind, accepted: Sequence[str]) -> str:
    """The first of ``accepted`` (already in preference order) that fits ``kind``."""
    table = GRAPH_TYPES if kind == "graph" else SOLUTION_TYPES
    for media in accepted:
        if media in table:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return DEFAULT_TYPE[kind]
    return DEFAULT_TYPE[kind] if not accepted else ""


class QueryEngine(ABC):
    """Runs read-only SPARQL queries over the published dataset."""

    @abstractmethod
    def execute(
        self,
        query: str,
        accepted: Sequence[str] = (),
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        """Run ``query`` and serialise its result in the first acceptable media type.

        ``default_graphs``/``named_graphs`` are the protocol's ``default-graph-uri`` and
        ``named-graph-uri``; when both are empty the default graph is the union of all graphs.
        Raises QueryError (400 for a malformed query, 406 when no acceptable type fits).
        """

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs in the dataset."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the engine holds (processes, files)."""
