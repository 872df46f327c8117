"""The guard's reading of a query agrees with a real SPARQL parser's (rdflib's, as an oracle).

The hand-written lexer and guard read a query in one linear pass (rdflib's parser is about 150
times slower and recursive); here both read the competency queries and a few hundred generated
texts full of traps (keywords in comments and strings, escapes, prefix tricks, IRIs with ``#``,
``\\u`` escapes, relative IRIs and BASE), and must find the same form, ``SERVICE`` targets,
``FROM``/``FROM NAMED`` graphs, ``PREFIX`` declarations and ``BASE`` IRIs.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from helpers import REPO
from kg.engine.guard import read
from kg.namespaces import PREFIXES

SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
FORMS = {
    "SelectQuery": "solutions",
    "AskQuery": "boolean",
    "ConstructQuery": "graph",
    "DescribeQuery": "graph",
}
SEEDS = range(300)


@dataclass(frozen=True)
class Found:
    """What a reading of one query found."""

    kind: str | None
    services: list[str | None]
    from_graphs: list[str | None]
    from_named: list[str | None]
    prefixes: dict[str, str | None]
    """name → namespace IRI; None when it stayed relative (a relative BASE, or none: then the
    two readings resolve it differently, and neither names an IRI known before the run)."""
    bases: list[str]


def guard_reading(text: str) -> Found:
    r = read(text, predeclared=PREFIXES)
    return Found(r.kind, r.services, r.from_graphs, r.from_named, _absolute(r.prefixes), r.bases)


def _absolute(prefixes: dict[str, str]) -> dict[str, str | None]:
    return {name: iri if SCHEME.match(iri) else None for name, iri in prefixes.items()}


def _iri(term: Any) -> str | None:
    """An absolute IRI, or None for what names none known before the query runs (a variable, or
    an IRI that stayed relative for want of a BASE). rdflib leaves a prefixed name's escapes in
    the IRI (``ex:a\\.b`` as ``…a\\.b``; SPARQL says ``…a.b``): those are removed."""
    if not isinstance(term, URIRef) or not SCHEME.match(term):
        return None
    return re.sub(r"\\(.)", r"\1", str(term))


def _services(node: Any, found: list[str | None]) -> list[str | None]:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            found.append(_iri(node["term"]))
        for value in node.values():
            _services(value, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _services(value, found)
    return found


def rdflib_reading(text: str) -> Found:
    parsed = parseQuery(text)
    prologue = parsed[0]
    query = translateQuery(parsed, initNs=PREFIXES)
    namespaces = dict(query.prologue.namespace_manager.namespaces())
    # (CompValue.get answers a missing key with the key itself: ``in`` tells)
    names = [d["prefix"] if "prefix" in d else "" for d in prologue if d.name == "PrefixDecl"]  # noqa: SIM401
    clauses = (query.algebra["datasetClause"] if "datasetClause" in query.algebra else None) or []  # noqa: SIM401
    return Found(
        FORMS[query.algebra.name],
        _services(query.algebra, []),
        [_iri(c["default"]) for c in clauses if "default" in c],
        [_iri(c["named"]) for c in clauses if "named" in c],
        _absolute({name: str(namespaces[name]) for name in names}),
        [str(d["iri"]) for d in prologue if d.name == "Base"],
    )


COMPETENCY = sorted((REPO / "queries").glob("*.rq"))


def test_there_are_competency_queries_to_compare() -> None:
    assert len(COMPETENCY) >= 20


@pytest.mark.parametrize("path", COMPETENCY, ids=lambda p: p.stem)
def test_the_competency_queries_are_read_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert guard_reading(text) == rdflib_reading(text)


# -- generated texts ----------------------------------------------------------------------------

ABSOLUTE = ["http://a.example/", "http://a.example/x/y", "https://b.example/p?q=1", "http://c.example/d#"]
RELATIVE = ["y#", "../z/", "w", "#frag", "sub/dir/", "./v#", "/root/"]
NAMES = ["", "e", "ex1", "a.b", "a-b", "été", "s_v"]
LOCALS = ["x", "y1", "a\\.b", "with-dash", "_u", "1n", "a%2Fb"]
DECOYS = [
    '"SERVICE <http://evil.example/> { }"',
    "'FROM <http://evil.example/g>'",
    '"""PREFIX z: <http://evil.example/>\nBASE <http://evil.example/>"""',
    "'''SERVICE\n<http://evil.example/>'''",
    '"an \\"escaped SERVICE <http://evil.example/>\\" quote"',
    "<http://a.example/SERVICE#FROM>",
    "?service",
    "$from",
    '"\\u0053ERVICE <http://evil.example/>"',
]


class Texts:
    """Random queries (each seed gives the same one on every run) from pieces that trip lexers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.declared: list[str] = []
        self.based = False

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def iri(self, unique: str = "") -> str:
        text = self.rng.choice(ABSOLUTE + RELATIVE) + unique
        text += self.pick("", "k", "/") if "#" in text else self.pick("", "k", "#h", "#")
        if self.rng.random() < 0.15:  # a codepoint escape for one character
            text = text.replace("/", "\\u002F", 1)
        return f"<{text}>"

    def pname(self) -> str:
        prefix = self.rng.choice(self.declared) if self.declared and self.rng.random() < 0.8 else "rdfs"
        return f"{prefix}:{self.rng.choice(LOCALS)}"

    def target(self) -> str:
        return self.pick(self.iri(), self.pname(), self.iri(), "?endpoint")

    def gap(self) -> str:
        return self.pick(" ", "\n", "\t", " # SERVICE <http://evil.example/> FROM <http://x/>\n", "  ")

    def keyword(self, word: str) -> str:
        return "".join(c.upper() if self.rng.random() < 0.5 else c.lower() for c in word)

    def prologue(self) -> str:
        parts = []
        for _ in range(self.rng.randrange(5)):
            if self.rng.random() < 0.3:
                # (a relative BASE after another: rdflib does not resolve it against the first,
                # as RFC 3986 and Oxigraph do; see test_sparql_guard for that case)
                iri = self.iri() if not self.based else f"<{self.rng.choice(ABSOLUTE)}>"
                self.based = True
                parts.append(f"{self.keyword('BASE')}{self.gap()}{iri}")
            else:
                name = self.rng.choice(NAMES)
                self.declared.append(name)
                # (each its own namespace: rdflib keeps one prefix per namespace)
                parts.append(f"{self.keyword('PREFIX')} {name}:{self.gap()}{self.iri(f'n{len(parts)}')}")
        return self.gap().join(parts)

    def pattern(self) -> str:
        parts = [f"?s {self.pname()} ?o ."]
        for _ in range(self.rng.randrange(4)):
            choice = self.rng.randrange(5)
            if choice == 0:
                silent = self.keyword("SILENT") + " " if self.rng.random() < 0.3 else ""
                parts.append(f"{self.keyword('SERVICE')} {silent}{self.target()} {{ ?a ?b ?c }}")
            elif choice == 1:
                parts.append(f"BIND({self.rng.choice(DECOYS)} AS ?d{len(parts)})")
            elif choice == 2:
                parts.append(f"FILTER(?o != {self.rng.choice(DECOYS[:5])})")
            elif choice == 3:
                parts.append(f"?s ?p {self.pick(self.iri(), self.pname())} .")
            else:  # a subquery: its SELECT is not the query's form
                parts.append(f"{{ {self.keyword('SELECT')} ?x WHERE {{ ?x ?y {self.pname()} }} }}")
        return self.gap().join(parts)

    def dataset(self) -> str:
        clauses = []
        for _ in range(self.rng.randrange(3)):
            named = self.keyword("NAMED") + " " if self.rng.random() < 0.5 else ""
            clauses.append(f"{self.keyword('FROM')} {named}{self.pick(self.iri(), self.pname())}")
        return " ".join(clauses)

    def query(self) -> str:
        head = self.prologue()
        body = f"WHERE {{ {self.pattern()} }}"
        form = self.rng.randrange(4)
        if form == 0:
            modifier = self.pick("", "DISTINCT ", "REDUCED ")
            shown = self.pick("*", "?s ?o")
            text = f"{self.keyword('SELECT')} {modifier}{shown} {self.dataset()} {body}"
        elif form == 1:
            text = f"{self.keyword('ASK')} {self.dataset()} {body}"
        elif form == 2:
            text = f"{self.keyword('CONSTRUCT')} {{ ?s ?p ?o }} {self.dataset()} {body}"
        else:
            text = f"{self.keyword('DESCRIBE')} ?s {self.dataset()} {body}"
        return f"{head}{self.gap()}{text}"


def test_the_generated_texts_hold_every_trap() -> None:
    """The generator does make what it is meant to: rdflib parses most texts, and they hold the
    tricks (so the comparison below cannot pass by comparing trivial queries). (rdflib refuses
    about one valid text in ten, all of which Oxigraph parses: some mixed-case keywords after a
    prefixed name with an escape, DESCRIBE with FROM NAMED; those are not compared.)"""
    texts = [Texts(seed).query() for seed in SEEDS]
    parsed = [t for t in texts if oracle(t) is not None]
    assert len(parsed) >= 0.85 * len(texts)
    for trick in ("SERVICE", "FROM NAMED", "BASE", "\\u002F", "#", '\\"', "'''", '"""', "a\\.b", "été:"):
        assert sum(trick.lower() in t.lower() for t in parsed) >= 10, trick
    readings = [r for r in map(oracle, parsed) if r is not None]
    assert sum(bool(r.services) for r in readings) >= 50
    assert sum(None in r.services for r in readings) >= 10  # a variable, or a relative IRI without BASE
    assert sum(bool(r.bases) for r in readings) >= 50 and sum(bool(r.from_named) for r in readings) >= 50
    assert (
        sum(r.kind != "solutions" and "{ select" in t.lower() for r, t in zip(readings, parsed, strict=True))
        >= 20
    )


@functools.cache
def oracle(text: str) -> Found | None:
    """rdflib's reading of ``text``, or None when rdflib refuses it."""
    try:
        return rdflib_reading(text)
    except Exception:  # any refusal: rdflib raises several kinds
        return None


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_texts_are_read_alike(seed: int) -> None:
    text = Texts(seed).query()
    expected = oracle(text)
    if expected is None:
        return  # (counted by test_the_generated_texts_hold_every_trap)
    assert guard_reading(text) == expected, text
