"""Query the graph from Python, without a server: rows, or a pandas DataFrame.

>>> from kg import api
>>> rows = api.rows('''
...     SELECT ?event ?label ?day WHERE {
...       ?event a nio:Decision ; rdfs:label ?label ; nio:sortDate ?day
...     } ORDER BY ?day LIMIT 2''')
>>> rows[0]["day"]
datetime.date(2004, 6, 28)
>>> df = api.dataframe("SELECT ?label (COUNT(?e) AS ?events) WHERE { ... } GROUP BY ?label")

The graph is the one ``kg query`` reads: the checkout around the current folder (its built
``dist/``), else the graph packaged with ``kg`` (built into the user cache the first time, about
10 s), or ``Graph(dist=...)``. Queries run as on the endpoint (``kg.engine``): the project's
prefixes are predeclared, the default graph is the data and ontology, updates are refused, and
``SERVICE`` reaches only the endpoints given as ``allow_service``; but no time limit and no row
cap apply.

Values are typed by their datatypes: IRIs are ``str``; ``xsd:integer`` (and its subtypes) ``int``,
``xsd:decimal`` ``Decimal``, ``xsd:double``/``xsd:float`` ``float``, ``xsd:boolean`` ``bool``,
``xsd:date`` ``datetime.date``, ``xsd:dateTime`` ``datetime.datetime``, ``xsd:time``
``datetime.time``; every other literal (strings, ``xsd:gYear``, ``xsd:gYearMonth`` …) is its
lexical ``str``. In a DataFrame (``pip install "nato-iraq-kg[pandas]"``) a column whose values
share one of those types gets the matching dtype (``int64``/``Int64``, ``float64``, ``bool``/
``boolean``, ``datetime64``); a column mixing them (``nio:date``: days, months and years) stays
``object``. ``DataFrame.attrs["datatypes"]`` names each column's datatypes.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.engine.base import QueryError
from kg.engine.embedded import EmbeddedEngine, run_plan
from kg.engine.plan import Allowlist, Limits
from kg.namespaces import PREFIXES
from kg.project import built_store, locate

if TYPE_CHECKING:
    import pandas

__all__ = ["PREFIXES", "Graph", "QueryError", "ask", "dataframe", "graph", "rows"]

XSD = PREFIXES["xsd"]
RDF_LANG_STRING = PREFIXES["rdf"] + "langString"
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
INTEGERS = {
    XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
}  # fmt: skip
TRIPLE_COLUMNS = ("subject", "predicate", "object")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _literal(value: str, datatype: str) -> Any:
    if datatype in INTEGERS:
        return int(value)
    if datatype == XSD + "decimal":
        return Decimal(value)
    if datatype in (XSD + "double", XSD + "float"):
        return float(value)
    if datatype == XSD + "boolean":
        return {"true": True, "1": True, "false": False, "0": False}[value]
    if datatype == XSD + "date":
        return dt.date.fromisoformat(value)
    if datatype == XSD + "dateTime":
        return dt.datetime.fromisoformat(value)
    if datatype == XSD + "time":
        return dt.time.fromisoformat(value)
    return value


def python_value(term: Term | None) -> Any:
    """``term`` as a Python value (see the module's description); None for an unbound variable."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        try:
            return _literal(term.value, term.datatype.value)
        except (ValueError, KeyError, InvalidOperation):  # an ill-typed literal keeps its text
            return term.value
    return str(term)


def datatype(term: Term | None) -> str | None:
    """The datatype IRI of a literal, ``"IRI"`` or ``"blank node"`` for the others."""
    if isinstance(term, ox.Literal):
        return term.datatype.value
    if isinstance(term, ox.NamedNode):
        return "IRI"
    return None if term is None else "blank node"


class Answer:
    """The answer to one query: ``columns`` and ``terms`` (pyoxigraph terms, None where unbound)
    for SELECT, CONSTRUCT and DESCRIBE (as subject/predicate/object), ``boolean`` for ASK."""

    def __init__(
        self, columns: Sequence[str], terms: list[list[Term | None]], boolean: bool | None = None
    ) -> None:
        self.columns, self.terms, self.boolean = list(columns), terms, boolean

    def rows(self) -> list[dict[str, Any]]:
        if self.boolean is not None:
            raise TypeError("an ASK query has no rows: use ask()")
        return [
            {c: python_value(t) for c, t in zip(self.columns, row, strict=True) if t is not None}
            for row in self.terms
        ]

    def dataframe(self) -> pandas.DataFrame:
        if self.boolean is not None:
            raise TypeError("an ASK query has no rows: use ask()")
        try:
            import pandas as pd
        except ImportError:
            raise ImportError('kg.api.dataframe needs pandas: pip install "nato-iraq-kg[pandas]"') from None
        data = {}
        kinds = {}
        for i, name in enumerate(self.columns):
            cells = [row[i] for row in self.terms]
            data[name] = _column(pd, [python_value(t) for t in cells])
            kinds[name] = sorted({d for d in map(datatype, cells) if d})
        frame = pd.DataFrame(data, columns=self.columns)
        frame.attrs["datatypes"] = kinds
        return frame


def _column(pd: Any, values: list[Any]) -> Any:
    """A pandas Series of ``values`` with the dtype their common Python type calls for."""
    present = [v for v in values if v is not None]
    kinds = {type(v) for v in present}
    complete = len(present) == len(values)
    if kinds == {int}:
        return pd.Series(values, dtype="int64" if complete else "Int64")
    if kinds and kinds <= {float, Decimal, int}:
        return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
    if kinds == {bool}:
        return pd.Series(values, dtype="bool" if complete else "boolean")
    if kinds in ({dt.date}, {dt.datetime}):
        try:
            return pd.Series(pd.to_datetime(values))
        except (ValueError, TypeError, OverflowError):  # outside datetime64's range, mixed zones
            return pd.Series(values, dtype="object")
    if kinds == {str}:
        return pd.Series(values)
    return pd.Series(values, dtype="object")


class Graph:
    """The built graph, opened read-only, and queries on it.

    ``dist``: a build's output folder (``kg build --out``; default: the checkout's ``dist/``, or
    the packaged graph outside a checkout). ``root``: the checkout to use instead of the one
    around the current folder. ``allow_service``: endpoints ``SERVICE`` may reach (an entry
    ending in ``/`` allows everything under it). ``progress``: told what happens while the
    packaged graph is built the first time.
    """

    def __init__(
        self,
        dist: str | Path | None = None,
        *,
        root: str | Path | None = None,
        allow_service: Sequence[str] = (),
        progress: Callable[[str], None] | None = None,
    ) -> None:
        if dist is not None:
            store = Path(dist) / "store"
            if not store.is_dir():
                raise FileNotFoundError(f"{store} not found: is {dist} the output of 'kg build'?")
        else:
            project = locate(Path(root) if root is not None else None)
            store = built_store(project, progress or _stderr)
        self.store = store
        limits = Limits(max_rows=sys.maxsize - 1, allow=Allowlist(tuple(allow_service)))  # no row cap
        self.engine = EmbeddedEngine(store, limits=limits)

    def answer(self, query: str) -> Answer:
        """Run ``query`` (SPARQL; the project's prefixes need no PREFIX lines)."""
        plan = self.engine.plan(query, [JSON, NTRIPLES])
        result = run_plan(self.engine.store, plan, union_stored=self.engine.union_stored)
        if result.kind == "graph":
            triples = ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES)
            terms: list[list[Term | None]] = [[t.subject, t.predicate, t.object] for t in triples]
            return Answer(TRIPLE_COLUMNS, terms)
        parsed = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return Answer([], [], bool(parsed))
        columns = [v.value for v in parsed.variables]
        return Answer(columns, [[solution[c] for c in columns] for solution in parsed])

    def rows(self, query: str) -> list[dict[str, Any]]:
        """The solutions of a SELECT (or the triples of a CONSTRUCT/DESCRIBE as ``subject``,
        ``predicate``, ``object``), one dict per row, typed; unbound variables are left out."""
        return self.answer(query).rows()

    def dataframe(self, query: str) -> pandas.DataFrame:
        """The same as a pandas DataFrame, one column per variable, typed by the datatypes."""
        return self.answer(query).dataframe()

    def ask(self, query: str) -> bool:
        """The answer to an ASK query."""
        found = self.answer(query).boolean
        if found is None:
            raise TypeError("not an ASK query: use rows() or dataframe()")
        return found

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _stderr(message: str) -> None:
    print(f"kg: {message}", file=sys.stderr)


@lru_cache(maxsize=1)
def graph() -> Graph:
    """The graph of the current folder's checkout, or the packaged one, opened once."""
    return Graph()


def rows(query: str) -> list[dict[str, Any]]:
    """``graph().rows(query)``."""
    return graph().rows(query)


def dataframe(query: str) -> pandas.DataFrame:
    """``graph().dataframe(query)``."""
    return graph().dataframe(query)


def ask(query: str) -> bool:
    """``graph().ask(query)``."""
    return graph().ask(query)
