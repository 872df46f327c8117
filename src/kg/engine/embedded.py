"""pyoxigraph over the built store: evaluate one query and serialise its result natively.

``run_plan`` is what every worker process runs. A SELECT result is first written as SPARQL TSV
(one solution per line, so rows are counted exactly and the writer stops the serialiser as soon
as the row cap is passed); the target format is then produced by Oxigraph from those TSV rows.
CONSTRUCT/DESCRIBE triples are taken up to the cap and serialised by Oxigraph. No rdflib in the
path. ``EmbeddedEngine`` runs the same code in this process (no time limit: for tools and tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.engine.base import QueryEngine
from kg.engine.plan import DEFAULT_LIMITS, Limits, QueryPlan
from kg.engine.results import QueryError, QueryResult
from kg.engine.stores import named_graph_iris, open_store, stored_default
from kg.engine.syntax import explain
from kg.formats import BY_KEY, GRAPHS, SOLUTIONS, by_media_type

EMPTY_GRAPH = ox.NamedNode("urn:x-kg:empty-default-graph")


class _Full(Exception):
    """Raised by the TSV writer once it holds the header and one row more than the cap."""


class _LineCap:
    """A binary writer that keeps at most ``limit`` lines and stops the serialiser after that."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.lines = 0

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            raise _Full
        return len(chunk)

    def flush(self) -> None:
        return None

    def head(self) -> bytes:
        """The first ``limit`` lines."""
        end = -1
        for _ in range(self.limit):
            end = self.data.index(b"\n", end + 1)
        return bytes(self.data[: end + 1])


def in_order(tsv: bytes, columns: Sequence[str]) -> bytes:
    """SPARQL TSV ``tsv`` with its columns in the order of ``columns`` (others after them).

    TSV escapes tabs and newlines inside terms, so splitting lines on them is exact.
    """
    head, _, rest = tsv.partition(b"\n")
    names = [h[1:].decode("utf-8") for h in head.split(b"\t")] if head else []
    rank = {name: i for i, name in enumerate(columns)}
    order = sorted(range(len(names)), key=lambda i: (rank.get(names[i], len(rank)), i))
    if order == list(range(len(order))):
        return tsv
    lines = [head, *rest.split(b"\n")[:-1]] if rest else [head]
    out = [b"\t".join([cells[i] for i in order]) for cells in (line.split(b"\t") for line in lines)]
    return b"\n".join(out) + b"\n"


def _solutions(result: ox.QuerySolutions, media: str, max_rows: int, columns: Sequence[str]) -> QueryResult:
    writer = _LineCap(max_rows + 1)
    truncated = False
    try:
        result.serialize(writer, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    except _Full:
        truncated = True
    tsv = writer.head() if truncated else bytes(writer.data)
    if columns:
        tsv = in_order(tsv, columns)
    rows = tsv.count(b"\n") - 1
    target = by_media_type(media, SOLUTIONS) or BY_KEY["json"]
    if target.key == "tsv":
        return QueryResult("solutions", tsv, media, truncated, rows)
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = parsed.serialize(format=target.results_format) or b""  # type: ignore[union-attr]
    return QueryResult("solutions", body, media, truncated, rows)


def graph_result(triples: Iterable[ox.Triple], media: str, max_rows: int, cut: bool = False) -> QueryResult:
    """At most ``max_rows`` of ``triples`` in ``media`` (a dataset syntax gets them as its default graph).

    ``cut``: the triples were already cut short before they got here.
    """
    kept = list(islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows or cut
    del kept[max_rows:]
    fmt = (by_media_type(media, GRAPHS) or BY_KEY["ttl"]).rdf_format
    items: list[ox.Triple] | list[ox.Quad] = kept
    if fmt.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    body = ox.serialize(items, format=fmt)
    return QueryResult("graph", body or b"", media, truncated, len(kept))


def evaluate(
    store: ox.Store, plan: QueryPlan, union_stored: bool = False
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Evaluate ``plan`` on ``store`` (its dataset and prefixes decided beforehand, see
    :mod:`kg.engine.plan`); raise QueryError (400) on a query Oxigraph cannot parse or run.

    ``union_stored``: the store's default graph already holds the union of its named graphs
    (see :mod:`kg.engine.stores`), so a union default graph needs no union evaluation.
    """
    kwargs: dict[str, object] = {"prefixes": plan.prefixes}
    if plan.base_iri:
        kwargs["base_iri"] = plan.base_iri
    dataset = plan.dataset
    if dataset.union:
        if not union_stored:
            kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs] or [EMPTY_GRAPH]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
    try:
        return store.query(plan.query, **kwargs)  # type: ignore[arg-type]
    except SyntaxError as err:
        raise QueryError(explain(plan, str(err)), 400) from None
    except (OSError, ValueError, RuntimeError, TypeError) as err:
        raise QueryError(f"Query failed: {err}", 400) from None


def run_plan(store: ox.Store, plan: QueryPlan, union_stored: bool = False) -> QueryResult:
    """``plan`` evaluated on ``store`` (see :func:`evaluate`), its answer written in the plan's media type."""
    result = evaluate(store, plan, union_stored)
    media = plan.media
    try:
        if isinstance(result, ox.QueryBoolean):
            target = by_media_type(media, SOLUTIONS) or BY_KEY["json"]
            body = result.serialize(format=target.results_format) or b""
            return QueryResult("boolean", body, media, rows=1)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, media, plan.max_rows, plan.columns)
        return graph_result(result, media, plan.max_rows)
    except KeyError:
        raise QueryError(f"{media} does not fit the result of this query.", 406) from None
    except (OSError, ValueError, RuntimeError, TypeError) as err:
        raise QueryError(f"Query failed: {err}", 400) from None


class EmbeddedEngine(QueryEngine):
    """pyoxigraph in this process over ``dist/store`` opened read-only (no time limit)."""

    def __init__(
        self, store_path: Path | None, extra: Sequence[Path] = (), *, limits: Limits = DEFAULT_LIMITS
    ) -> None:
        self.store = open_store(store_path, extra)
        self.union_stored = stored_default(store_path)  # kg build stores the default graph itself
        self.graphs = tuple(named_graph_iris(self.store))  # read-only: its graphs never change
        self.limits = limits

    async def run(self, plan: QueryPlan) -> QueryResult:
        return await asyncio.to_thread(self._run, plan)

    def _run(self, plan: QueryPlan) -> QueryResult:
        if plan.dataset.fetch:
            raise QueryError("Remote graphs are only fetched by the worker-process engine.", 403)
        return run_plan(self.store, plan, union_stored=self.union_stored)
