"""Statements that follow from what the data files say, generated at build time.

The hand-written files state facts as claims of the source's lines (``nio:fromLine`` blocks,
see ``kg.build.claims``); ``kg build`` derives the rest by stated rules:

- claims: every block becomes its statements, each claimed by the block's line(s); a fact
  outside a block in a file derived from the source fails the build with its file and line;
- the integrated view (the data files' graphs, merged into the default graph): the claims
  integrated by the rules of ``kg.build.claims.integrate``, with a generated ``nio:Discrepancy`` where
  lines disagree, and ``prov:wasDerivedFrom`` every passage a resource's claims come from;
- actors, requesters and engagement periods by the rules of ``kg.build.rules``;
- date precision, bounds and the sort key: ``time:unitType`` from ``nio:date`` and
  ``nio:dateText``; ``sem:hasEarliestBeginTimeStamp``, ``sem:hasLatestEndTimeStamp`` and
  ``nio:sortDate`` from them (see the rule in ``docs/modelling-spec.md``); an event without a
  date of its own that the source places after another (``nio:after``) begins no earlier than it;
- passages: every line of the source, and every ``passage:L<n>-<part>`` that is referred to or
  quoted by hand, gets its ``nio:Passage`` and ``oa:TextQuoteSelector`` — a whole-line passage
  quotes line n verbatim; a part keeps its hand-written ``oa:exact`` and gets
  ``oa:prefix``/``oa:suffix``;
- superclass types: every ``nio:`` superclass of a resource's ``nio:`` classes (a decision is
  also ``a nio:Event``), so that a researcher's first guess finds every kind;
- per-line provenance: one named graph ``graph/line/<n>`` per source line, holding exactly the
  claims of that line (and what the rules derive from them alone), described in the default
  graph by ``nio:sourceLine`` and ``prov:wasDerivedFrom`` its whole-line passage.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.build.claims import (  # the predicates the claims are read by
    ACTOR_PARENTS,
    DATE,
    DATE_TEXT,
    EARLIEST,
    LATEST,
    PROV_DERIVED,
    RDFS_LABEL,
    SOURCE_LINE,
    UNIT,
    Claims,
    Integrated,
    Statement,
    collect,
    discrepancy_quads,
    integrate,
)
from kg.build.inputs import InputFile
from kg.build.loading import LoadedFile
from kg.build.precision import date_bounds
from kg.build.rdfconv import term_value
from kg.build.rules import actor_claims, engagement_periods, event_parties
from kg.namespaces import GRAPH, ONTOLOGY, PREFIXES, RESOURCE

NIO = ONTOLOGY
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_SUBCLASS = PREFIXES["rdfs"] + "subClassOf"
OA = PREFIXES["oa"]
XSD = PREFIXES["xsd"]
DCTERMS = PREFIXES["dcterms"]

FIRST_LINE = NIO + "firstLine"
SORT_DATE = NIO + "sortDate"
AFTER = NIO + "after"

GENERATED_GRAPH = GRAPH + "data/generated"
LINE_GRAPH = GRAPH + "line/"
PASSAGE = re.compile(re.escape(RESOURCE + "passage/") + r"L(\d+)(?:-([a-z0-9-]+))?$")


class GenerationError(Exception):
    """The data cannot be completed by rule; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _date_literal(day: date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=_iri(XSD + "date"))


def _objects(quads: Iterable[ox.Quad]) -> dict[tuple[str, str], list[Term]]:
    found: dict[tuple[str, str], list[Term]] = defaultdict(list)
    for q in quads:
        found[(q.subject.value, q.predicate.value)].append(q.object)  # type: ignore[union-attr]
    return found


def _dates(files: list[LoadedFile], problems: list[str], root: Path) -> list[ox.Quad]:
    """The bounds and the sort key of every dated subject (a date, a stated period, or nio:after).

    Several dates (lines that disagree) give the widest span of them. An event placed after
    another without a date of its own begins no earlier than the other, and has no latest day.
    """
    values = _objects(q for lf in files for q in lf.quads)
    graph = ox.NamedNode(GENERATED_GRAPH)
    out: list[ox.Quad] = []
    home: dict[ox.NamedNode | ox.BlankNode, LoadedFile] = {}
    for lf in files:
        for q in lf.quads:
            if q.predicate.value in (DATE, EARLIEST, AFTER) and isinstance(
                q.subject, ox.NamedNode | ox.BlankNode
            ):
                home.setdefault(q.subject, lf)
    earliest_of: dict[Term, ox.Literal] = {}
    pending: list[tuple[ox.NamedNode | ox.BlankNode, LoadedFile]] = []
    for subject, lf in sorted(home.items(), key=lambda kv: str(kv[0])):
        key = subject.value
        earliest = values.get((key, EARLIEST), [])
        latest = values.get((key, LATEST), [])
        dates = [d for d in values.get((key, DATE), []) if isinstance(d, ox.Literal)]
        if dates:
            texts = [t.value for t in values.get((key, DATE_TEXT), []) if isinstance(t, ox.Literal)]
            spans = []
            for value in dates:
                text = next((t for t in texts if value.value[:4] in t), texts[0] if texts else "")
                try:
                    spans.append(date_bounds(value, text))
                except ValueError as err:
                    problems.append(f"{lf.source.display(root)}: {subject}: {err}")
            if not spans:
                continue
            if not earliest:
                earliest = [_date_literal(min(first for first, _ in spans))]
                out.append(ox.Quad(subject, _iri(EARLIEST), earliest[0], graph))
            ends = [last for _, last in spans if last is not None]
            if not latest and len(ends) == len(spans):
                out.append(ox.Quad(subject, _iri(LATEST), _date_literal(max(ends)), graph))
        if earliest:
            earliest_of[subject] = earliest[0]  # type: ignore[assignment]
            if not values.get((key, SORT_DATE)):
                out.append(ox.Quad(subject, _iri(SORT_DATE), earliest[0], graph))
        elif values.get((key, AFTER)):
            pending.append((subject, lf))
    for _ in range(len(pending)):  # an event after an event after another …
        waiting = []
        for subject, lf in pending:
            before = [earliest_of.get(o) for o in values.get((subject.value, AFTER), [])]  # type: ignore[union-attr]
            if not before or any(b is None for b in before):
                waiting.append((subject, lf))
                continue
            first = max(before, key=lambda lit: lit.value)  # type: ignore[union-attr]
            earliest_of[subject] = first  # type: ignore[assignment]
            out.append(ox.Quad(subject, _iri(EARLIEST), first, graph))  # type: ignore[arg-type]
            out.append(ox.Quad(subject, _iri(SORT_DATE), first, graph))  # type: ignore[arg-type]
        pending = waiting
    for subject, _lf in pending:
        problems.append(f"{subject}: nio:after an event without a date")
    return out


@dataclass(frozen=True)
class _Source:
    iri: ox.NamedNode
    lines: list[str]


def _source(data: list[ox.Quad], root: Path) -> _Source | None:
    """The one source document with a stored copy, whose passages can be generated."""
    copies = [(q.subject, term_value(q.object)) for q in data if q.predicate.value == NIO + "storedCopy"]
    if len(copies) != 1 or not isinstance(copies[0][0], ox.NamedNode):
        return None
    iri, path = copies[0]
    try:
        text = (root / path).read_text(encoding="utf-8")
    except OSError:
        return None
    return _Source(iri, text.split("\n")) if isinstance(iri, ox.NamedNode) else None


def _sections(data: list[ox.Quad]) -> list[tuple[int, ox.NamedNode]]:
    found = [
        (int(term_value(q.object)), q.subject)
        for q in data
        if q.predicate.value == FIRST_LINE and isinstance(q.subject, ox.NamedNode)
    ]
    return sorted(found, key=lambda pair: pair[0])


def _lit(text: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


def _passages(data: list[ox.Quad], source: _Source, extra: set[str], problems: list[str]) -> list[ox.Quad]:
    """Passages and selectors for every ``passage:L…`` IRI referred to and not described."""
    described = {term_value(q.subject) for q in data if q.predicate.value == OA + "hasSource"}
    values = _objects(data)
    referred = {t.value for q in data for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)} | extra
    sections = _sections(data)
    graph = ox.NamedNode(GENERATED_GRAPH)
    out: list[ox.Quad] = []

    def add(s: str, p: str, o: Term) -> None:
        out.append(ox.Quad(_iri(s), _iri(p), o, graph))

    for iri in sorted(referred - described):
        match = PASSAGE.match(iri)
        if not match:
            continue
        n, part = int(match.group(1)), match.group(2)
        if not 1 <= n <= len(source.lines) or not source.lines[n - 1]:
            problems.append(f"{iri}: line {n} is not a non-empty line of the source")
            continue
        line = source.lines[n - 1]
        selector = iri + "/quote"
        where = f"line {n}" + (f", sentence {part[1:]}" if part and re.fullmatch(r"s\d+", part) else "")
        if part and not re.fullmatch(r"s\d+", part):
            where += f" ({part.replace('-', ' ')})"
        add(iri, RDF_TYPE, _iri(NIO + "Passage"))
        add(iri, RDFS_LABEL, _lit(f"Source passage, {where}", "en"))
        add(iri, DCTERMS + "isPartOf", source.iri)
        add(iri, OA + "hasSource", source.iri)
        add(iri, SOURCE_LINE, ox.Literal(str(n), datatype=_iri(XSD + "integer")))
        add(iri, OA + "hasSelector", _iri(selector))
        section = [concept for first, concept in sections if first <= n]
        if section:
            add(iri, NIO + "section", section[-1])
        add(selector, RDF_TYPE, _iri(OA + "TextQuoteSelector"))
        add(selector, RDFS_LABEL, _lit(f"Quote of {where}", "en"))
        exacts = values.get((selector, OA + "exact"), [])
        if part is None:
            if not exacts:
                add(selector, OA + "exact", _lit(line))
            continue
        if len(exacts) != 1:
            problems.append(
                f"{iri}: a passage smaller than a line needs one hand-written oa:exact on {selector}"
            )
            continue
        exact = term_value(exacts[0])
        at = line.find(exact)
        if at < 0:
            continue  # the quote check reports it with the file and line
        if not values.get((selector, OA + "prefix")) and at > 0:
            add(selector, OA + "prefix", _lit(line[max(0, at - 20) : at]))
        end = at + len(exact)
        if not values.get((selector, OA + "suffix")) and end < len(line):
            add(selector, OA + "suffix", _lit(line[end : end + 20]))
    return out


def _line_graphs(statements: dict[Statement, set[int]]) -> list[ox.Quad]:
    """One named graph per source line with the claims of that line."""
    out: list[ox.Quad] = []
    for (s, p, o), lines in statements.items():
        out.extend(ox.Quad(s, p, o, _iri(f"{LINE_GRAPH}{n}")) for n in sorted(lines))
    return sorted(set(out), key=str)


def _line_index(line_quads: list[ox.Quad]) -> list[ox.Quad]:
    graph = ox.NamedNode(GENERATED_GRAPH)
    numbers = sorted({int(q.graph_name.value.removeprefix(LINE_GRAPH)) for q in line_quads})  # type: ignore[union-attr]
    out: list[ox.Quad] = []
    for n in numbers:
        g = _iri(f"{LINE_GRAPH}{n}")
        out.append(ox.Quad(g, _iri(SOURCE_LINE), ox.Literal(str(n), datatype=_iri(XSD + "integer")), graph))
        out.append(ox.Quad(g, _iri(PROV_DERIVED), _iri(f"{RESOURCE}passage/L{n}"), graph))
        out.append(
            ox.Quad(g, _iri(RDFS_LABEL), _lit(f"Statements supported by line {n} of the source", "en"), graph)
        )
    return out


def _superclass_types(loaded: list[LoadedFile], data: list[ox.Quad]) -> list[ox.Quad]:
    """Type every resource with its ``nio:`` superclasses, so ``?e a nio:Event`` finds decisions too."""
    parents: dict[str, set[str]] = defaultdict(set)
    for lf in loaded:
        if lf.source.kind != "ontology":
            continue
        for q in lf.quads:
            child, parent = term_value(q.subject), term_value(q.object)
            if q.predicate.value == RDFS_SUBCLASS and child.startswith(NIO) and parent.startswith(NIO):
                parents[child].add(parent)

    def ancestors(cls: str, seen: set[str]) -> set[str]:
        for parent in parents.get(cls, set()) - seen:
            seen.add(parent)
            ancestors(parent, seen)
        return seen

    typed: dict[Term, set[str]] = defaultdict(set)
    for q in data:
        if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            typed[q.subject].add(q.object.value)
    graph = ox.NamedNode(GENERATED_GRAPH)
    out: list[ox.Quad] = []
    for subject, classes in typed.items():
        implied = set().union(*(ancestors(c, set()) for c in classes)) - classes
        out.extend(ox.Quad(subject, _iri(RDF_TYPE), _iri(c), graph) for c in sorted(implied))  # type: ignore[arg-type]
    return out


def _drop_repeats(files: list[LoadedFile]) -> None:
    """Keep each statement in the first data file that states it (a query over several named
    graphs, such as a remote store's dataset, would otherwise see it twice)."""
    seen: set[ox.Triple] = set()
    for lf in files:
        kept = []
        for q in lf.quads:
            if q.triple not in seen:
                seen.add(q.triple)
                kept.append(q)
        lf.quads = kept


def _labels(quads: Iterable[ox.Quad]) -> dict[Term, str]:
    labels: dict[Term, str] = {}
    for q in quads:
        if q.predicate.value == RDFS_LABEL and isinstance(q.object, ox.Literal):
            labels.setdefault(q.subject, q.object.value)
    return labels


def _parents(claims: Claims, quads: Iterable[ox.Quad]) -> dict[Term, set[Term]]:
    """Each actor's broader actors (``nio:actsFor``, ``org:subOrganizationOf``), as stated."""
    found: dict[Term, set[Term]] = defaultdict(set)
    for s, p, o in claims.by_statement:
        if p.value in ACTOR_PARENTS:
            found[s].add(o)
    for q in quads:
        if q.predicate.value in ACTOR_PARENTS:
            found[q.subject].add(q.object)
    return found


def _place(files: list[LoadedFile], claims: Claims, integrated: Integrated) -> None:
    """Put each integrated statement, and each resource's passages, into the file that claims it first."""
    first: dict[tuple[Term, str], int] = {}
    passages: dict[Term, set[str]] = defaultdict(set)
    subject_file: dict[Term, int] = {}
    for (s, p, _o), claim in sorted(claims.by_statement.items(), key=lambda kv: str(kv[0])):
        index = claim.files[0]
        key = (s, "when" if p.value in (DATE, DATE_TEXT, EARLIEST, LATEST) else p.value)
        first[key] = min(first.get(key, index), index)
        subject_file[s] = min(subject_file.get(s, index), index)
        passages[s] |= claim.passages
    for s, p, o in sorted(integrated.statements, key=str):
        key = (s, "when" if p.value in (DATE, DATE_TEXT, EARLIEST, LATEST, UNIT) else p.value)
        lf = files[first.get(key, subject_file.get(s, 0))]
        lf.quads.append(ox.Quad(s, p, o, ox.NamedNode(lf.source.graph)))
    for resource, found in sorted(passages.items(), key=lambda kv: str(kv[0])):
        lf = files[subject_file[resource]]
        for passage in sorted(found):
            quad = ox.Quad(resource, _iri(PROV_DERIVED), _iri(passage), ox.NamedNode(lf.source.graph))  # type: ignore[arg-type]
            lf.quads.append(quad)


def generate(loaded: list[LoadedFile], root: Path) -> list[LoadedFile]:
    """Complete the data files in place; return them plus the generated graphs (see the module doc).

    Raises GenerationError listing every statement that cannot be generated.
    """
    data_files = [lf for lf in loaded if lf.source.kind in ("data", "extra")]
    claims = collect(data_files, root)
    problems = list(claims.problems)
    actor_claims(claims)
    plain = [q for lf in data_files for q in lf.quads]
    labels = _labels(plain)
    integrated = integrate(claims, labels, _parents(claims, plain))
    problems += integrated.problems
    _place(data_files, claims, integrated)
    _drop_repeats(data_files)
    data = [q for lf in data_files for q in lf.quads]
    graph = ox.NamedNode(GENERATED_GRAPH)
    generated: list[ox.Quad] = _dates(data_files, problems, root) + _superclass_types(loaded, data)
    triples = [q.triple for q in data + generated]
    periods = engagement_periods(triples, claims)
    parties = event_parties(triples)
    for s, p, o in periods.quads + parties.quads:
        generated.append(ox.Quad(s, _iri(p), o, graph))  # type: ignore[arg-type]
    generated += discrepancy_quads(integrated.disagreements, labels, graph)
    per_line: dict[Statement, set[int]] = {st: set(c.lines) for st, c in claims.by_statement.items()}
    for extra_lines in (integrated.line_statements, periods.lines):
        for statement, lines in extra_lines.items():
            per_line.setdefault(statement, set()).update(lines)
    line_quads = _line_graphs(per_line)
    index = _line_index(line_quads)
    source = _source(data, root)
    if source is not None:
        extra = {
            term_value(q.object)
            for q in index + generated
            if q.predicate.value in (PROV_DERIVED, NIO + "claim")
        }
        # every line of the source, so that each can be cited, whether or not it states a claim
        extra |= {f"{RESOURCE}passage/L{n}" for n, text in enumerate(source.lines, 1) if text.strip()}
        # every part of a line whose quote a passages file writes by hand
        extra |= {
            term_value(q.subject).removesuffix("/quote") for q in data if q.predicate.value == OA + "exact"
        }
        generated += _passages(data + generated, source, extra, problems)
    if problems:
        raise GenerationError(problems)
    folder = root / "data"
    return [
        *loaded,
        LoadedFile(InputFile(folder / "generated", "data"), generated + index, generated=True),
        LoadedFile(InputFile(folder / "lines", "lines"), line_quads, generated=True),
    ]
