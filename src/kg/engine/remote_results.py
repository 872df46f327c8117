"""What a remote SPARQL endpoint answered, read under the row cap and re-serialised by Oxigraph.

The remote endpoint is asked for line-based formats first (SPARQL TSV for solutions, N-Triples for
graphs: one row or triple per line), so reading stops as soon as the cap is passed and the rest of
the body is never downloaded. A store that answers in another format (JSON, XML, Turtle …) is
read whole, up to ``max_bytes``, and capped after parsing. Either way the client's format is
written by Oxigraph, exactly as the embedded engine writes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar, cast

import pyoxigraph as ox

from kg.engine.embedded import graph_result
from kg.engine.results import QueryError, QueryResult, ResultKind
from kg.formats import GRAPHS, SOLUTIONS, by_media_type

# What this engine asks the remote endpoint for, per kind of result (most useful first).
REMOTE_ACCEPT: dict[ResultKind | None, str] = {
    "solutions": "text/tab-separated-values, application/sparql-results+json;q=0.9, "
    "application/sparql-results+xml;q=0.8",
    "boolean": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "graph": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.7",
    None: "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8",
}
# The same without SPARQL TSV, for stores whose TSV is not SPARQL 1.1 TSV (Virtuoso 7 writes
# plain TSV: quoted variable names, IRIs as quoted strings, no datatypes).
WITHOUT_TSV = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
LINE_FORMATS = {ox.QueryResultsFormat.TSV, ox.RdfFormat.N_TRIPLES}
MAX_ROWS_HEADER = "x-sparql-maxrows"
"""Virtuoso's answer header when its own row limit (``ResultSetMaxRows``) may have cut a result."""
STATUS: dict[int, int] = {400: 400, 408: 504, 413: 413, 414: 414, 429: 503, 503: 503, 504: 504}


def remote_error(status: int, body: str, endpoint: str) -> QueryError:
    """The QueryError for a remote answer with HTTP ``status`` and ``body`` (the store's message)."""
    message = " ".join(body.split())[:1000] or "(no message)"
    mapped = STATUS.get(status, 502)
    if mapped == 400:
        return QueryError(f"The store refused the query: {message}", 400)
    return QueryError(f"The store at {endpoint} answered {status}: {message}", mapped)


XSD = "http://www.w3.org/2001/XMLSchema#"
T = TypeVar("T")
_CANONICAL: dict[ox.Literal, ox.Literal] = {}
_S, _P = ox.NamedNode("urn:x-kg:s"), ox.NamedNode("urn:x-kg:p")


def canonical(term: T) -> T:
    """``term`` as an Oxigraph store keeps it: an XSD-typed literal in its canonical form
    (``"1"^^xsd:boolean`` → ``"true"``, ``"7500000.0"^^xsd:decimal`` → ``"7500000"``), as the
    embedded engine answers it. Stores that keep lexical forms (Virtuoso's booleans are 1 and 0)
    then give the same answers; anything else is returned as it is."""
    if not isinstance(term, ox.Literal) or not term.datatype.value.startswith(XSD):
        return term
    if term.datatype.value == XSD + "string":
        return term
    found = _CANONICAL.get(term)
    if found is None:
        store = ox.Store()  # an Oxigraph store writes every literal it stores in canonical form
        store.add(ox.Quad(_S, _P, term))
        stored = next(iter(store)).object
        found = stored if isinstance(stored, ox.Literal) else term
        if len(_CANONICAL) > 100_000:
            _CANONICAL.clear()
        _CANONICAL[term] = found
    return cast(T, found)


class NotSparqlTsv(Exception):
    """The store answered in TSV that is not SPARQL 1.1 TSV (its header names lack ``?``)."""


def store_cap(headers: Mapping[str, str]) -> int | None:
    """The row limit a store says it applied to this answer (``X-SPARQL-MaxRows``), if any."""
    value = headers.get(MAX_ROWS_HEADER, "").strip()
    return int(value) if value.isdigit() else None


def response_format(content_type: str) -> ox.QueryResultsFormat | ox.RdfFormat:
    """The results or RDF syntax of a remote answer, from its Content-Type."""
    media = content_type.split(";", 1)[0].strip().lower()
    found = ox.QueryResultsFormat.from_media_type(media) or ox.RdfFormat.from_media_type(media)
    if media in ("application/json", "text/json"):  # some stores label SPARQL JSON results so
        found = ox.QueryResultsFormat.JSON
    if found is None:
        raise QueryError(f"The remote store answered in a format this endpoint cannot read: {media!r}.", 502)
    return found


class CappedReader:
    """Collects a remote answer chunk by chunk; ``feed`` says when enough has been read."""

    def __init__(self, content_type: str, max_rows: int, max_bytes: int, columns: Sequence[str] = ()) -> None:
        self.format = response_format(content_type)
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.columns = tuple(columns)  # SELECT *: the order of the variables in the query
        self.lines = 0  # lines with content (a TSV header counts as one)
        self.data = bytearray()
        self.cut = False  # reading stopped at the cap
        self._scan = 0  # where the next unread line starts
        self.store_cap: int | None = None  # the row limit the store says it applied to this answer

    @property
    def limit(self) -> int:
        header = 1 if self.format == ox.QueryResultsFormat.TSV else 0
        return self.max_rows + header + 1  # one line more than fits: the answer was truncated

    def feed(self, chunk: bytes) -> bool:
        """Keep ``chunk``; True when no more is needed (line formats: the cap was passed)."""
        self.data += chunk
        if self.format in LINE_FORMATS:
            while (end := self.data.find(b"\n", self._scan)) >= 0:
                if self._scan == 0 and self.format == ox.QueryResultsFormat.TSV:
                    _check_tsv_header(bytes(self.data[:end]))
                if self.data[self._scan : end].strip():
                    self.lines += 1
                self._scan = end + 1
            if self.lines >= self.limit:
                self.cut = True
                return True
        if len(self.data) > self.max_bytes:
            raise QueryError(
                f"The remote store's answer is larger than {self.max_bytes:,} bytes; add a LIMIT.", 502
            )
        return False

    def _head(self) -> bytes:
        """The body up to the last complete line under the limit."""
        data = bytes(self.data)
        lines = [line for line in data.split(b"\n") if line.strip()]
        keep = lines[: self.limit] if self.cut else lines
        return b"\n".join(keep) + b"\n" if keep else b""

    def result(self, media: str) -> QueryResult:
        """The answer in ``media`` (the client's choice), capped at ``max_rows``."""
        try:
            if isinstance(self.format, ox.RdfFormat):
                return self._graph(media)
            return self._solutions(media)
        except SyntaxError as err:
            raise QueryError(f"The remote store's answer could not be read: {err}", 502) from None

    def _solutions(self, media: str) -> QueryResult:
        assert isinstance(self.format, ox.QueryResultsFormat)
        body = self._head() if self.format == ox.QueryResultsFormat.TSV else bytes(self.data)
        if self.format == ox.QueryResultsFormat.JSON and b'"bnode"' in body:
            body = _blank_node_labels(body)
        parsed = ox.parse_query_results(body, format=self.format)
        fmt = by_media_type(media, SOLUTIONS)
        if fmt is None:
            raise QueryError(f"{media} cannot carry the result of this query.", 406)
        target = fmt.results_format
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult("boolean", parsed.serialize(format=target) or b"", media, rows=1)
        solutions = list(islice(parsed, self.max_rows + 1))
        truncated = len(solutions) > self.max_rows
        names = [v.value for v in parsed.variables]
        rank = {name: i for i, name in enumerate(self.columns)}
        names.sort(key=lambda n: rank.get(n, len(rank)))  # stable: the store's order after SELECT *'s
        lines = ["\t".join(f"?{n}" for n in names)]
        for row in solutions[: self.max_rows]:
            lines.append("\t".join("" if row[n] is None else str(canonical(row[n])) for n in names))
        tsv = ("\n".join(lines) + "\n").encode()
        again = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        out = tsv if target == ox.QueryResultsFormat.TSV else again.serialize(format=target) or b""  # type: ignore[union-attr]
        rows = min(len(solutions), self.max_rows)
        return QueryResult("solutions", out, media, truncated or self.cut or self._store_cut(rows), rows)

    def _store_cut(self, rows: int) -> bool:
        """The store's own row limit, not above this endpoint's, may have cut the answer."""
        return self.store_cap is not None and self.store_cap <= self.max_rows and rows >= self.store_cap

    def _graph(self, media: str) -> QueryResult:
        assert isinstance(self.format, ox.RdfFormat)
        body = self._head() if self.format == ox.RdfFormat.N_TRIPLES else bytes(self.data)
        if by_media_type(media, GRAPHS) is None:
            raise QueryError(f"{media} cannot carry the result of this query.", 406)
        parsed = (t if isinstance(t, ox.Triple) else t.triple for t in ox.parse(body, format=self.format))
        triples = (ox.Triple(t.subject, t.predicate, canonical(t.object)) for t in parsed)  # up to the cap
        return graph_result(triples, media, self.max_rows, cut=self.cut)


BLANK_LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def _blank_node_labels(body: bytes) -> bytes:
    """SPARQL JSON ``body`` with its blank nodes relabelled ``b0``, ``b1`` … when a store wrote a
    label no RDF syntax allows (Virtuoso: ``nodeID://b10012``); a label names a blank node only
    within one answer, so the answer is the same."""
    data = json.loads(body)
    cells = [c for row in data.get("results", {}).get("bindings", []) for c in row.values()]
    blanks = [c for c in cells if c.get("type") == "bnode"]
    if all(BLANK_LABEL.fullmatch(c["value"]) for c in blanks):
        return body
    labels: dict[str, str] = {}
    for cell in blanks:
        cell["value"] = labels.setdefault(cell["value"], f"b{len(labels)}")
    return json.dumps(data).encode()


def _check_tsv_header(line: bytes) -> None:
    names = line.rstrip(b"\r").split(b"\t") if line.strip() else []
    if any(not name.startswith((b"?", b"$")) for name in names):
        raise NotSparqlTsv(line[:200].decode("utf-8", "replace"))


@dataclass(frozen=True)
class Call:
    """One request to the store: form fields, what to accept, the client's media type, the cap."""

    fields: list[tuple[str, str]]
    accept: str
    media: str
    max_rows: int
    columns: tuple[str, ...] = ()

    @property
    def data(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.fields:
            out.setdefault(name, []).append(value)
        return out

    @property
    def headers(self) -> dict[str, str]:
        return {"Accept": self.accept}

    @classmethod
    def internal(cls, query: str, media: str = "application/sparql-results+json") -> Call:
        """A query this engine runs for itself (effectively uncapped)."""
        return cls([("query", query)], REMOTE_ACCEPT["solutions"], media, 10**7)


def column(result: QueryResult, name: str) -> list[str]:
    """The values of variable ``name`` in a SPARQL JSON result."""
    data = json.loads(result.body)
    return [row[name]["value"] for row in data["results"]["bindings"] if name in row]
