"""Check that every quoted passage (``oa:exact``) is found verbatim in its stored source text."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.build.loading import LoadedFile
from kg.build.rdfconv import short, term_value
from kg.namespaces import (
    NIO_SHA256,
    NIO_STORED_COPY,
    OA_EXACT,
    OA_HAS_SELECTOR,
    OA_HAS_SOURCE,
    OA_PREFIX,
    OA_SUFFIX,
)


@dataclass(frozen=True)
class QuoteProblem:
    resource: str
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {short(self.resource)}: {self.message}"


def _line_of(path: Path, text: str) -> int | None:
    """The line of ``path`` where the literal ``text`` is written, if it can be found."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError:
        return None
    idx = raw.find(text[:60])
    return raw.count("\n", 0, idx) + 1 if idx >= 0 else None


def _quote_problem(
    sel: str,
    exact: str,
    source_doc: str | None,
    texts: dict[str, str | None],
    values: dict[tuple[str, str], list[str]],
) -> str | None:
    """What is wrong with one quote of selector ``sel``, or None when it is found verbatim."""
    if source_doc is None:
        return "quote has no passage with oa:hasSource"
    text = texts.get(source_doc)
    if text is None:
        return f"source {short(source_doc)} has no single nio:storedCopy"
    if exact not in text:
        return f"quote not found in the source: {exact!r}"
    prefix = "".join(values.get((sel, OA_PREFIX), []))
    suffix = "".join(values.get((sel, OA_SUFFIX), []))
    if (prefix or suffix) and prefix + exact + suffix not in text:
        return f"prefix/suffix do not surround the quote in the source: {exact!r}"
    return None


def check_quotes(loaded: list[LoadedFile], root: Path) -> tuple[int, list[QuoteProblem]]:
    """Check every ``oa:exact`` (with its ``oa:prefix``/``oa:suffix``) against its source text.

    The source text of a selector is found through passage ``oa:hasSelector`` selector,
    passage ``oa:hasSource`` document, document ``nio:storedCopy`` path. A stored copy whose
    ``nio:sha256`` does not match is reported too. Returns (quotes checked, problems).
    """
    values: dict[tuple[str, str], list[str]] = defaultdict(list)
    origin: dict[str, LoadedFile] = {}
    for lf in loaded:
        for q in lf.quads:
            if isinstance(q.subject, ox.NamedNode | ox.BlankNode):
                key = (q.subject.value, q.predicate.value)
                values[key].append(term_value(q.object))
                if q.predicate.value == OA_EXACT:
                    origin[q.subject.value] = lf
    selector_source: dict[str, str] = {}
    for (subj, pred), objs in values.items():
        if pred == OA_HAS_SELECTOR:
            for sel in objs:
                for src in values.get((subj, OA_HAS_SOURCE), []):
                    selector_source[sel] = src

    texts: dict[str, str | None] = {}
    problems: list[QuoteProblem] = []
    for doc in {s for s in selector_source.values()}:
        copies = values.get((doc, NIO_STORED_COPY), [])
        if len(copies) != 1:
            texts[doc] = None
            continue
        path = root / copies[0]
        try:
            data = path.read_bytes()
        except OSError:
            problems.append(QuoteProblem(doc, copies[0], None, "stored copy of the source is missing"))
            texts[doc] = None
            continue
        for expected in values.get((doc, NIO_SHA256), []):
            actual = hashlib.sha256(data).hexdigest()
            if expected.lower() != actual:
                problems.append(
                    QuoteProblem(doc, copies[0], None, f"sha256 is {actual}, the graph says {expected}")
                )
        texts[doc] = data.decode("utf-8")

    checked = 0
    for sel, lf in sorted(origin.items()):
        for exact in values[(sel, OA_EXACT)]:
            checked += 1
            message = _quote_problem(sel, exact, selector_source.get(sel), texts, values)
            if message:  # only then look up where the quote is written
                line = _line_of(lf.source.path, exact)
                problems.append(QuoteProblem(sel, lf.source.display(root), line, message))
    return checked, problems
