"""The one interface every query back end implements: ``run(plan)``, and ``ask`` for the site's own queries.

A query reaches a store in one way: :func:`kg.engine.plan.plan_query` reads it once and decides
everything (checks, dataset, media type, limits); an engine runs the ``QueryPlan`` as it is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace

from kg.engine.plan import DEFAULT_LIMITS, Limits, QueryPlan, plan_query
from kg.engine.results import QueryError, QueryResult, ResultKind

__all__ = ["QueryEngine", "QueryError", "QueryResult", "ResultKind", "ask"]


class QueryEngine(ABC):
    """Runs read-only SPARQL queries over the published dataset: executes a ``QueryPlan``.

    Engines are async only: ``run`` must not block the event loop. ``limits`` are the ones the
    site's own queries (``plan``, ``ask``) are planned with; requests to ``/sparql`` are planned
    by the router from the settings (the same limits, :func:`kg.engine.plan.limits_for`).
    """

    limits: Limits = DEFAULT_LIMITS
    version: str = ""
    """Changes whenever the data changes (part of the result-cache key); "" if unknown."""
    graphs: tuple[str, ...] = ()
    """The IRIs of the named graphs in the dataset, as the engine last saw them."""

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
        client: str | None = None,
    ) -> QueryPlan:
        """A plan for one of the site's own queries (a page's): under this engine's limits, in
        the pages' lane, for ``client`` (the reader's address, for turns among readers; see
        :mod:`kg.engine.fairness`)."""
        return plan_query(
            query,
            accepted=accepted,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            limits=self.limits,
            local_graphs=self.named_graphs(),
            client=client,
            lane="pages",
        )

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs in the dataset."""
        return list(self.graphs)

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
    client: str | None = None,
) -> QueryResult:
    """One of the site's own queries, planned under ``engine``'s limits (for the reader at
    ``client``) and run, its body collected."""
    plan = engine.plan(
        query, accepted, default_graphs=default_graphs, named_graphs=named_graphs, client=client
    )
    result = await engine.run(plan)
    if result.chunks is None:
        return result
    return replace(result, body=b"".join([chunk async for chunk in result.chunks]), chunks=None)
