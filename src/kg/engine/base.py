"""The one interface every query back end implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from kg.engine.plan import Limits, QueryPlan

ResultKind = Literal["solutions", "boolean", "graph"]


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


class QueryEngine(ABC):
    """Runs read-only SPARQL queries over the published dataset: executes a ``QueryPlan``.

    Engines are async only: ``run`` must not block the event loop. ``limits`` are the ones
    ``plan`` (and so ``ask``, used by the pages) plans with; requests to ``/sparql`` are planned
    by the router from the settings.
    """

    limits: Limits

    @abstractmethod
    async def run(self, plan: QueryPlan) -> QueryResult:
        """Answer ``plan`` (already checked and negotiated: see :mod:`kg.engine.plan`).

        Raises QueryError (400 a malformed query, 503 time limit, 502/504 a remote store …).
        """

    def plan(
        self,
        query: str,
        accepted: Sequence[str] = (),
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryPlan:
        """A plan for ``query`` under this engine's limits (``default_graphs``/``named_graphs``:
        the protocol's dataset parameters)."""
        from kg.engine.plan import plan_query

        return plan_query(
            query,
            accepted=accepted,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            limits=self.limits,
            local_graphs=self.named_graphs(),
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


async def ask(
    engine: QueryEngine,
    query: str,
    accepted: Sequence[str] = (),
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> QueryResult:
    """``query`` planned under ``engine``'s own limits and run, its body collected."""
    plan = engine.plan(query, accepted, default_graphs=default_graphs, named_graphs=named_graphs)
    return await collected(engine.run(plan))
