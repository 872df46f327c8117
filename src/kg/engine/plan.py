"""One plan per query: everything decided before an engine runs it, decided once.

``plan_query`` reads the query once (:func:`kg.engine.guard.inspect_query`: form, updates,
nesting and complexity limits, ``SERVICE``/``FROM`` targets), checks the remote IRIs against
the allowlist, settles the dataset (the protocol's ``default-graph-uri``/``named-graph-uri``
replace ``FROM``; graphs the dataset does not hold are empty, never fetched), picks the media
type from ``format=`` and Accept (406 when none fits), and records the limits, the base IRI
relative IRIs resolve against and, for ``SELECT *``, the order the variables first appear in.
Every engine executes a
``QueryPlan`` as it is; none checks or negotiates again.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kg import defaults
from kg.engine.base import QueryError, ResultKind
from kg.engine.guard import inspect_query
from kg.engine.lexer import tokens
from kg.engine.policy import NO_REMOTE, Allowlist, Dataset, plan_dataset
from kg.formats import DEFAULT, GRAPHS, SOLUTIONS, choose
from kg.namespaces import PREFIXES

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]*")


@dataclass(frozen=True)
class Limits:
    """What one query may use (from :class:`kg.settings.Settings`)."""

    max_rows: int = defaults.MAX_ROWS
    timeout: float = defaults.QUERY_TIMEOUT
    max_depth: int = defaults.MAX_DEPTH
    allow: Allowlist = field(default_factory=lambda: NO_REMOTE)
    max_tokens: int = defaults.MAX_TOKENS
    max_chain: int = defaults.MAX_CHAIN


@dataclass(frozen=True)
class QueryPlan:
    """A checked query and how to answer it."""

    query: str
    kind: ResultKind
    media: str
    dataset: Dataset = field(default_factory=Dataset)
    max_rows: int = defaults.MAX_ROWS
    timeout: float = defaults.QUERY_TIMEOUT
    base_iri: str | None = None
    columns: tuple[str, ...] = ()
    """``SELECT *``: its variables in the order they first appear in the query (Jena's order)."""
    protocol_dataset: bool = False
    """The dataset came from ``default-graph-uri``/``named-graph-uri`` (not from ``FROM``)."""

    def as_message(self) -> dict[str, Any]:
        """The plan as a JSON-able request for a worker process."""
        return {
            "query": self.query,
            "media": self.media,
            "max_rows": self.max_rows,
            "timeout": self.timeout,
            "base_iri": self.base_iri,
            "columns": list(self.columns),
            "dataset": {
                "default_graphs": self.dataset.default_graphs,
                "named_graphs": self.dataset.named_graphs,
                "union": self.dataset.union,
                "fetch": self.dataset.fetch,
            },
        }


_SELECT_STAR = re.compile(r"SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*", re.IGNORECASE)


def select_star_order(query: str) -> tuple[str, ...]:
    """The variables of a ``SELECT *`` query in the order they first appear; () for other queries."""
    if "*" not in query or _SELECT_STAR.search(query) is None:  # none in the text: nothing to read
        return ()
    toks = list(tokens(query))
    for i, tok in enumerate(toks):
        if tok.kind == "name" and tok.text.upper() in ("CONSTRUCT", "DESCRIBE", "ASK"):
            return ()
        if tok.kind == "name" and tok.text.upper() == "SELECT":
            j = i + 1
            while (
                j < len(toks) and toks[j].kind == "name" and toks[j].text.upper() in ("DISTINCT", "REDUCED")
            ):
                j += 1
            if j >= len(toks) or toks[j].text != "*":
                return ()
            names = (t.text[1:] for t in toks[j + 1 :] if t.kind == "var")
            return tuple(dict.fromkeys(names))
    return ()


def _protocol_graphs(name: str, iris: Sequence[str]) -> tuple[str, ...]:
    for iri in iris:
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise QueryError(f"{name} {iri!r} is not an absolute IRI.", 400)
    return tuple(dict.fromkeys(iris))


def plan_query(
    query: str,
    *,
    accepted: Sequence[str] = (),
    format_param: str | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    limits: Limits = Limits(),
    local_graphs: Collection[str] = (),
    base_iri: str | None = None,
    prefixes: Mapping[str, str] = PREFIXES,
) -> QueryPlan:
    """Check ``query`` and decide how to answer it; raise QueryError (400, 403, 406) when it cannot be.

    Reading a large query takes time linear in its length (up to a second for the largest
    bodies): a server calls this off its event loop (see :mod:`kg.web.routes.sparql`).
    """
    shape = inspect_query(
        query, limits.max_depth, prefixes, max_tokens=limits.max_tokens, max_chain=limits.max_chain
    )
    kind: ResultKind = shape.kind or "solutions"
    among = GRAPHS if kind == "graph" else SOLUTIONS
    chosen = choose(among, format_param, accepted, DEFAULT["graph" if kind == "graph" else "solutions"])
    if chosen is None:
        what = "a graph" if kind == "graph" else "query results"
        asked = ", ".join([*([f"format={format_param}"] if format_param else []), *accepted])
        offered = ", ".join(f.media_type for f in among)
        raise QueryError(
            f"None of the accepted media types ({asked}) can carry {what}; this endpoint offers {offered}.",
            406,
        )
    protocol = bool(default_graphs or named_graphs)
    if protocol:
        defaults = _protocol_graphs("default-graph-uri", default_graphs)
        named = _protocol_graphs("named-graph-uri", named_graphs)
        plan_dataset(replace(shape, from_graphs=[], from_named=[]), (), (), limits.allow, local_graphs)
        dataset = Dataset(defaults, named, union=False)
    else:
        dataset = plan_dataset(shape, (), (), limits.allow, local_graphs)
    return QueryPlan(
        query,
        kind,
        chosen.media_type,
        dataset,
        limits.max_rows,
        limits.timeout,
        base_iri,
        select_star_order(query) if kind == "solutions" else (),
        protocol,
    )
