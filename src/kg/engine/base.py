"""The one interface every query back end implements."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Sequence
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
    """One answer. ``truncated``: the row cap cut it. ``chunks``: the body, streamed, instead of ``body``."""

    kind: ResultKind
    body: bytes
    media_type: str
    truncated: bool = False
    rows: int | None = None
    chunks: AsyncIterator[bytes] | None = None


async def collected(pending: Awaitable[QueryResult]) -> QueryResult:
    """The result of ``pending`` with a streamed body gathered into ``body``."""
    result = await pending
    if result.chunks is None:
        return result
    body = b"".join([chunk async for chunk in result.chunks])
    return QueryResult(result.kind, body, result.media_type, result.truncated, result.rows)


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

    async def aexecute(
        self,
        query: str,
        accepted: Sequence[str] = (),
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        """``execute`` for async callers; must not block the event loop (default: in a thread)."""
        return await asyncio.to_thread(
            self.execute, query, accepted, default_graphs=default_graphs, named_graphs=named_graphs
        )

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs in the dataset."""

    @property
    def version(self) -> str:
        """Changes whenever the data changes (part of the result-cache key); "" if unknown."""
        return ""

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Start what the engine needs (worker processes); called when the server starts."""

    async def stop(self) -> None:
        """Stop what ``start`` started; called when the server stops."""
        self.close()

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the engine holds (processes, files)."""
