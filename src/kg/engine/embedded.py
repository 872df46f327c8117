"""pyoxigraph over the built store: evaluate one query and serialise its result natively.

``run_query`` is what every worker process runs. A SELECT result is first written as SPARQL TSV
(one solution per line, so rows are counted exactly and the writer stops the serialiser as soon
as the row cap is passed); the target format is then produced by Oxigraph from those TSV rows.
CONSTRUCT/DESCRIBE triples are taken up to the cap and serialised by Oxigraph. No rdflib in the
path. ``EmbeddedEngine`` runs the same code in this process (no time limit: for tools and tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from kg.engine.base import (
    GRAPH_TYPES,
    SOLUTION_TYPES,
    QueryEngine,
    QueryError,
    QueryResult,
    choose_media_type,
)
from kg.engine.guard import inspect_query
from kg.engine.policy import NO_REMOTE, Allowlist, Dataset, plan_dataset
from kg.engine.stores import named_graph_iris, open_store, stored_default
from kg.namespaces import PREFIXES

SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
UNION = Dataset()
EMPTY_GRAPH = ox.NamedNode("urn:x-kg:empty-default-graph")
MAX_DEPTH = 200


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


def _solutions(result: ox.QuerySolutions, media: str, max_rows: int) -> QueryResult:
    writer = _LineCap(max_rows + 1)
    truncated = False
    try:
        result.serialize(writer, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    except _Full:
        truncated = True
    tsv = writer.head() if truncated else bytes(writer.data)
    rows = tsv.count(b"\n") - 1
    target = SOLUTION_TYPES[media]
    if target == "tsv":
        return QueryResult("solutions", tsv, media, truncated, rows)
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = parsed.serialize(format=SOLUTION_FORMATS[target]) or b""  # type: ignore[union-attr]
    return QueryResult("solutions", body, media, truncated, rows)


def graph_result(triples: Iterable[ox.Triple], media: str, max_rows: int, cut: bool = False) -> QueryResult:
    """At most ``max_rows`` of ``triples`` in ``media`` (a dataset syntax gets them as its default graph).

    ``cut``: the triples were already cut short before they got here.
    """
    kept = list(islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows or cut
    del kept[max_rows:]
    fmt = GRAPH_FORMATS[GRAPH_TYPES[media]]
    items: list[ox.Triple] | list[ox.Quad] = kept
    if fmt.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    body = ox.serialize(items, format=fmt)
    return QueryResult("graph", body or b"", media, truncated, len(kept))


def run_query(
    store: ox.Store,
    query: str,
    media: str,
    dataset: Dataset = UNION,
    max_rows: int = 10_000,
    union_stored: bool = False,
    prefixes: Mapping[str, str] = PREFIXES,
) -> QueryResult:
    """Evaluate ``query`` on ``store``; ``media`` was chosen beforehand (see ``choose_media_type``).

    ``union_stored``: the store's default graph already holds the union of its named graphs
    (see :mod:`kg.engine.stores`), so a union default graph needs no union evaluation.
    """
    kwargs: dict[str, object] = {"prefixes": prefixes}
    if dataset.union:
        if not union_stored:
            kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs] or [EMPTY_GRAPH]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
    try:
        result = store.query(query, **kwargs)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryBoolean):
            body = result.serialize(format=SOLUTION_FORMATS[SOLUTION_TYPES[media]]) or b""
            return QueryResult("boolean", body, media, rows=1)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, media, max_rows)
        return graph_result(result, media, max_rows)
    except SyntaxError as err:
        raise QueryError(f"Malformed query: {err}", 400) from None
    except KeyError:
        raise QueryError(f"{media} does not fit the result of this query.", 406) from None
    except (OSError, ValueError, RuntimeError, TypeError) as err:
        raise QueryError(f"Query failed: {err}", 400) from None


class EmbeddedEngine(QueryEngine):
    """pyoxigraph in this process over ``dist/store`` opened read-only (no time limit)."""

    def __init__(
        self,
        store_path: Path | None,
        extra: Sequence[Path] = (),
        *,
        allow: Allowlist = NO_REMOTE,
        max_rows: int = 10_000,
    ) -> None:
        self.store = open_store(store_path, extra)
        self.union_stored = stored_default(store_path)  # kg build stores the default graph itself
        self.allow = allow
        self.max_rows = max_rows

    def execute(
        self,
        query: str,
        accepted: Sequence[str] = (),
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        shape = inspect_query(query, MAX_DEPTH, PREFIXES)
        dataset = plan_dataset(shape, default_graphs, named_graphs, self.allow, self.named_graphs())
        if dataset.fetch:
            raise QueryError("Remote graphs are only fetched by the worker-process engine.", 403)
        media = choose_media_type(shape.kind or "solutions", accepted)
        if not media:
            raise QueryError("None of the accepted media types fits the result of this query.", 406)
        return run_query(self.store, query, media, dataset, self.max_rows, union_stored=self.union_stored)

    def named_graphs(self) -> list[str]:
        return named_graph_iris(self.store)
