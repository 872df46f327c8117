"""The embedded back end: pyoxigraph over the built store (plus the user's extra files)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.engine.base import GRAPH_TYPES, SOLUTION_TYPES, QueryEngine, QueryError, QueryResult, choose_media_type
from kg.inputs import InputFile
from kg.loading import parse_file

_SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}


def open_store(store_path: Path | None, extra: Sequence[Path] = ()) -> ox.Store:
    """The built store read-only, or (with extra files) an in-memory copy with them added."""
    if not extra:
        if store_path is None:
            return ox.Store()
        return ox.Store.read_only(str(store_path))
    store = ox.Store()
    if store_path is not None:
        store.bulk_extend(ox.Store.read_only(str(store_path)))
    for path in extra:
        loaded = parse_file(InputFile(path.resolve(), "extra"), path.parent)
        store.bulk_extend(loaded.quads)
    return store


def run_query(
    store: ox.Store,
    query: str,
    accepted: Sequence[str],
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    base_iri: str | None = None,
) -> QueryResult:
    """Evaluate ``query`` on ``store`` and serialise it natively (no rdflib in the path)."""
    kwargs: dict[str, object] = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(query, base_iri=base_iri, **kwargs)  # type: ignore[arg-type]
    except SyntaxError as err:
        raise QueryError(f"Malformed query: {err}", 400) from None
    except (OSError, ValueError, RuntimeError) as err:
        raise QueryError(f"Query failed: {err}", 400) from None
    if isinstance(result, ox.QueryBoolean):
        media = choose_media_type("boolean", accepted)
        if not media:
            raise QueryError("None of the accepted media types fits an ASK result", 406)
        body = result.serialize(format=_SOLUTION_FORMATS[SOLUTION_TYPES[media]])
        return QueryResult("boolean", body or b"", media)
    if isinstance(result, ox.QuerySolutions):
        media = choose_media_type("solutions", accepted)
        if not media:
            raise QueryError("None of the accepted media types fits a SELECT result", 406)
        body = result.serialize(format=_SOLUTION_FORMATS[SOLUTION_TYPES[media]])
        return QueryResult("solutions", body or b"", media)
    media = choose_media_type("graph", accepted)
    if not media:
        raise QueryError("None of the accepted media types fits a CONSTRUCT/DESCRIBE result", 406)
    fmt = _GRAPH_FORMATS[GRAPH_TYPES[media]]
    triples = list(result)
    items = (
        [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        if fmt.supports_datasets
        else triples
    )
    body = ox.serialize(items, format=fmt)
    return QueryResult("graph", body or b"", media, rows=len(triples))


class EmbeddedEngine(QueryEngine):
    """pyoxigraph in this process, over ``dist/store`` opened read-only."""

    def __init__(self, store_path: Path | None, extra: Sequence[Path] = ()) -> None:
        self.store = open_store(store_path, extra)

    def execute(
        self,
        query: str,
        accepted: Sequence[str] = (),
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        return run_query(self.store, query, accepted, default_graphs, named_graphs)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
