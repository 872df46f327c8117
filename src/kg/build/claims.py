"""Claims per line, and the integrated view derived from them by stated rules.

A data file states every fact about a resource inside a ``nio:fromLine`` block naming the
line(s) of the source that state it::

    event:2018-07-11-nmi-launched
        nio:fromLine
            [ nio:sourceLine 26 ; nio:date "2018-07"^^xsd:gYearMonth ; nio:dateText "July 2018" ] ,
            [ nio:sourceLine 66 ; nio:date "2018-07-11"^^xsd:date ; nio:dateText "11 July 2018" ] .

Outside a block a source-derived file may state only a resource's types, labels and the
project's comments (``NOT_CLAIMS``), and whatever it says about the vocabulary and the
provenance machinery itself (concepts, passages, the source document, hand-written
discrepancies). Anything else is a fact without a line and fails the build with its file and
line. A file whose named graph is described as derived from an outside source (the alignment
table, the codebooks) states facts without blocks.

The claims of all files are then integrated into one view (the default graph) by the rules
of ``integrate`` (see ``docs/modelling-spec.md``, "Claims and the integrated view").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.build.loading import LoadedFile
from kg.build.precision import Interval, contains, date_bounds, unit_of, width
from kg.build.rdfconv import short, term_value
from kg.namespaces import GRAPH, ONTOLOGY, PREFIXES, RESOURCE

NIO = ONTOLOGY
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
RDFS_COMMENT = PREFIXES["rdfs"] + "comment"
SKOS = PREFIXES["skos"]
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
SEM = PREFIXES["sem"]
SCHEMA = PREFIXES["schema"]
ORG = PREFIXES["org"]
OA = PREFIXES["oa"]

FROM_LINE = NIO + "fromLine"
SOURCE_LINE = NIO + "sourceLine"
DATE = NIO + "date"
DATE_TEXT = NIO + "dateText"
UNIT = PREFIXES["time"] + "unitType"
EARLIEST = SEM + "hasEarliestBeginTimeStamp"
LATEST = SEM + "hasLatestEndTimeStamp"
HAS_PARTICIPATION = NIO + "hasParticipation"
PARTICIPANT = NIO + "participant"
ROLE = SEM + "roleType"
HAS_ACTOR = SEM + "hasActor"
REQUESTED_BY = NIO + "requestedBy"
ON_BEHALF_OF = NIO + "onBehalfOf"
ROLE_TYPE = RESOURCE + "concept/role-type/"
RULE = RESOURCE + "concept/integration-rule/"

NOT_CLAIMS = frozenset({RDF_TYPE, RDFS_LABEL, SKOS + "prefLabel", RDFS_COMMENT})
"""Types, labels and the project's comments: no line states them, none is needed."""

NOT_DESCRIBED_BY_LINES = frozenset(
    {
        NIO + "SourceDocument",
        NIO + "Passage",
        OA + "TextQuoteSelector",
        NIO + "Discrepancy",
        SKOS + "Concept",
        SKOS + "ConceptScheme",
    }
)
"""Classes whose resources are the project's vocabulary or its provenance machinery, not facts
the source states: a concept's definition, a passage's quote, the source document's catalogue
record, a hand-written discrepancy (its lines are its ``nio:claim``)."""

PASSAGE = re.compile(re.escape(RESOURCE + "passage/") + r"L(\d+)(?:-([a-z0-9-]+))?(?:/quote)?$")

Subject = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Statement = tuple[Subject, ox.NamedNode, Term]


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def passage_of(line: int) -> ox.NamedNode:
    return _iri(f"{RESOURCE}passage/L{line}")


def line_of_passage(iri: str) -> int | None:
    match = PASSAGE.match(iri)
    return int(match.group(1)) if match else None


@dataclass
class Claim:
    """One statement as the source's lines state it."""

    lines: set[int] = field(default_factory=set)
    passages: set[str] = field(default_factory=set)  # the passages the blocks name (a line or a part)
    files: list[int] = field(default_factory=list)  # indexes of the files stating it, first first


@dataclass
class Claims:
    by_statement: dict[Statement, Claim] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, statement: Statement, lines: Iterable[int], passages: Iterable[str], file: int) -> None:
        claim = self.by_statement.setdefault(statement, Claim())
        claim.lines |= set(lines)
        claim.passages |= set(passages)
        if file not in claim.files:
            claim.files.append(file)

    def lines(self, statement: Statement) -> set[int]:
        claim = self.by_statement.get(statement)
        return set(claim.lines) if claim else set()


# ----------------------------------------------------------------------------- where a statement is written


def _prefixes(text: str) -> dict[str, str]:
    found = dict(re.findall(r"(?im)^\s*(?:@prefix|PREFIX)\s+([\w-]*):\s*<([^>]*)>", text))
    return found


def _spellings(iri: str, prefixes: dict[str, str]) -> list[str]:
    out = [f"<{iri}>"]
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            out.append(f"{prefix}:{iri[len(ns) :]}")
    return out


def locate(path: Path, subject: str, predicate: str) -> int | None:
    """The line of ``path`` where ``subject``'s ``predicate`` is written (else where the subject starts)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    prefixes = _prefixes("\n".join(lines))
    subjects = _spellings(subject, prefixes)
    predicates = _spellings(predicate, prefixes) + (["a"] if predicate == RDF_TYPE else [])
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not any(stripped == s or stripped.startswith(s + " ") for s in subjects):
            continue
        for offset, body in enumerate(lines[number - 1 :]):
            words = re.split(r"[\s;,\[\]]+", body.strip())
            if offset and (body.strip() == "." or (body[:1].strip() and not body.startswith(" "))):
                break
            if any(p in words[1:] if offset == 0 else p in words for p in predicates):
                return number + offset
        return number
    return None


# ----------------------------------------------------------------------------- blocks → claims


def outside_graphs(quads: Iterable[ox.Quad]) -> set[str]:
    """Graphs of files described as derived from something other than the source's passages."""
    return {
        q.subject.value
        for q in quads
        if q.predicate.value == PROV_DERIVED
        and isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(GRAPH)
        and line_of_passage(term_value(q.object)) is None
    }


def _describes_machinery(q: ox.Quad) -> bool:
    """Whether ``q`` marks its subject as vocabulary or provenance machinery (see NOT_DESCRIBED_BY_LINES)."""
    if q.predicate.value == RDF_TYPE:
        return term_value(q.object) in NOT_DESCRIBED_BY_LINES
    return q.predicate.value == NIO + "storedCopy"  # a source document's catalogue record


def _exempt_subjects(quads: Iterable[ox.Quad]) -> set[Term]:
    exempt: set[Term] = set()
    for q in quads:
        subject = q.subject
        iri = subject.value if isinstance(subject, ox.NamedNode) else None
        if _describes_machinery(q) or (
            iri is not None and (iri.startswith(GRAPH) or line_of_passage(iri) is not None)
        ):
            exempt.add(subject)
    return exempt


def collect(files: list[LoadedFile], root: Path) -> Claims:
    """Take the claims out of ``files`` (their ``nio:fromLine`` blocks), leaving the other statements.

    Reports, with file and line, every block without a line and every fact stated outside a block
    in a file derived from the source.
    """
    claims = Claims()
    every = [q for lf in files for q in lf.quads]
    outside = outside_graphs(every)
    exempt = _exempt_subjects(every)
    for index, lf in enumerate(files):
        display = lf.source.display(root)
        blocks = {
            q.object: q.subject
            for q in lf.quads
            if q.predicate.value == FROM_LINE and isinstance(q.object, ox.BlankNode)
        }
        inside: dict[Term, list[ox.Quad]] = defaultdict(list)
        kept: list[ox.Quad] = []
        for q in lf.quads:
            if q.predicate.value == FROM_LINE:
                continue
            if q.subject in blocks:
                inside[q.subject].append(q)
            else:
                kept.append(q)
        for block, subject in blocks.items():
            body = inside.get(block, [])
            lines = {int(term_value(q.object)) for q in body if q.predicate.value == SOURCE_LINE}
            if not lines:
                where = locate(lf.source.path, term_value(subject), FROM_LINE)
                claims.problems.append(
                    f"{display}:{where or '?'}: {short(term_value(subject))}: "
                    "a nio:fromLine block without nio:sourceLine"
                )
                continue
            passages = {term_value(q.object) for q in body if q.predicate.value == PROV_DERIVED}
            for p in passages:
                if line_of_passage(p) not in lines:
                    where = locate(lf.source.path, term_value(subject), FROM_LINE)
                    claims.problems.append(
                        f"{display}:{where or '?'}: {short(term_value(subject))}: "
                        f"the block names {short(p)}, "
                        f"which is not part of its line(s) {sorted(lines)}"
                    )
            narrowed = {line_of_passage(p) for p in passages}
            passages |= {passage_of(n).value for n in lines if n not in narrowed}
            for q in body:
                if q.predicate.value in (SOURCE_LINE, PROV_DERIVED):
                    continue
                statement: Statement = (subject, q.predicate, q.object)  # type: ignore[assignment]
                claims.add(statement, lines, passages, index)
        lf.quads = kept
        if lf.source.graph in outside or lf.source.kind != "data":
            continue
        for q in kept:
            if q.predicate.value in NOT_CLAIMS or q.subject in exempt or q.subject in blocks:
                continue
            where = locate(lf.source.path, term_value(q.subject), q.predicate.value)
            claims.problems.append(
                f"{display}:{where or '?'}: {short(term_value(q.subject))} {short(q.predicate.value)} "
                f"{_show(q.object)}: a fact without a line (state it in a nio:fromLine block naming "
                "the line(s) that say it, or in a file derived from an outside source)"
            )
    return claims


def _show(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return short(term.value)
    if isinstance(term, ox.Literal):
        text = term.value if len(term.value) <= 60 else term.value[:57] + "…"
        return repr(text)
    return str(term)


# ----------------------------------------------------------------------------- the integrated view


WHEN = frozenset({DATE, DATE_TEXT, EARLIEST, LATEST})
"""The date of a resource as a line gives it: value, wording, or a stated period."""
SAME_VALUE = frozenset(
    {
        NIO + "valueText",
        SCHEMA + "value",
        SCHEMA + "minValue",
        SCHEMA + "maxValue",
        SCHEMA + "unitText",
        SCHEMA + "currency",
        NIO + "bound",
        NIO + "quantityKind",
        NIO + "status",
    }
)
"""One value per resource: lines that give two different values disagree."""
NARROWEST_ACTOR = frozenset({NIO + "decidedBy"})
"""Who decided: an actor and a body or group acting for it agree; the narrower is kept."""
VALUE_SET = frozenset({NIO + "changeType"})
"""What kind of change: the values of one line must include or be included in another's."""
ACTOR_PARENTS = (NIO + "actsFor", ORG + "subOrganizationOf")


@dataclass(frozen=True)
class Side:
    """One side of a disagreement: the value(s) some lines give to one property of a resource."""

    predicate: str
    values: tuple[Term, ...]
    lines: frozenset[int]
    text: str  # the values in words (the date's wording, labels)


@dataclass
class Disagreement:
    subject: Subject
    rule: str
    sides: list[Side]


@dataclass
class Integrated:
    statements: dict[Statement, set[int]] = field(default_factory=dict)  # statement → lines behind it
    line_statements: dict[Statement, set[int]] = field(default_factory=dict)  # generated per-line claims
    disagreements: list[Disagreement] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _per_line(claims: list[tuple[Statement, set[int]]]) -> dict[int, set[Term]]:
    values: dict[int, set[Term]] = defaultdict(set)
    for (_s, _p, o), lines in claims:
        for n in lines:
            values[n].add(o)
    return values


def _group_lines(per_line: dict[int, frozenset[Term]]) -> dict[frozenset[Term], frozenset[int]]:
    grouped: dict[frozenset[Term], set[int]] = defaultdict(set)
    for n, values in per_line.items():
        grouped[values].add(n)
    return {v: frozenset(ls) for v, ls in grouped.items()}


def _label(labels: dict[Term, str], term: Term) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    return labels.get(term) or short(term_value(term))


@dataclass(frozen=True)
class _When:
    date: ox.Literal | None
    text: str | None
    earliest: ox.Literal | None
    latest: ox.Literal | None

    def interval(self) -> Interval | None:
        if self.date is not None:
            return date_bounds(self.date, self.text or "")
        if self.earliest is not None:
            end = date.fromisoformat(self.latest.value) if self.latest is not None else None
            return date.fromisoformat(self.earliest.value), end
        return None

    def words(self) -> str:
        return self.text or (self.date.value if self.date is not None else "")


def integrate(claims: Claims, labels: dict[Term, str], parents: dict[Term, set[Term]]) -> Integrated:
    """The integrated statements (each with the lines behind it) and the disagreements found.

    Rules (``docs/modelling-spec.md``): the dates of a resource that contain one another agree and
    the most precise is kept, else all are kept and the lines disagree; single-valued properties
    (``SAME_VALUE``) disagree on different values; decision-makers agree when one acts for the
    other (the narrower is kept); change types agree when one line's include the other's; every
    other statement is the union of what the lines say.
    """
    out = Integrated()
    by_group: dict[tuple[Subject, str], list[tuple[Statement, set[int]]]] = defaultdict(list)
    for statement, claim in claims.by_statement.items():
        s, p, _o = statement
        group = "when" if p.value in WHEN else p.value
        by_group[(s, group)].append((statement, claim.lines))
    for (subject, group), members in sorted(by_group.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if group == "when":
            _integrate_when(subject, members, out)
        elif group in SAME_VALUE:
            _integrate_same_value(subject, group, members, labels, out)
        elif group in NARROWEST_ACTOR:
            _integrate_actors(subject, group, members, labels, parents, out)
        elif group in VALUE_SET:
            _integrate_value_set(subject, group, members, labels, out)
        else:
            for statement, lines in members:
                out.statements[statement] = set(lines)
    return out


def _integrate_when(subject: Subject, members: list[tuple[Statement, set[int]]], out: Integrated) -> None:
    parts: dict[int, dict[str, Term]] = defaultdict(dict)
    for (_s, p, o), lines in members:
        for n in lines:
            if p.value in parts[n] and parts[n][p.value] != o:
                out.problems.append(
                    f"{short(term_value(subject))}: line {n} gives two values of {short(p.value)}"
                )
            parts[n][p.value] = o
    bundles: dict[_When, set[int]] = defaultdict(set)
    for n, found in parts.items():
        when = _When(
            found.get(DATE),  # type: ignore[arg-type]
            found[DATE_TEXT].value if DATE_TEXT in found else None,  # type: ignore[union-attr]
            found.get(EARLIEST),  # type: ignore[arg-type]
            found.get(LATEST),  # type: ignore[arg-type]
        )
        bundles[when].add(n)
    intervals: dict[_When, Interval | None] = {}
    for when in bundles:
        try:
            intervals[when] = when.interval()
        except ValueError as err:
            out.problems.append(f"{short(term_value(subject))}: {err}")
            return
    # per-line precision (time:unitType), a claim of the line that gives the date
    for when, lines in bundles.items():
        if when.date is not None:
            unit = unit_of(when.date, when.text or "")
            statement: Statement = (subject, _iri(UNIT), _iri(unit))
            out.line_statements.setdefault(statement, set()).update(lines)
    dated = [w for w in bundles if intervals[w] is not None]
    agree = all(
        contains(intervals[a], intervals[b]) or contains(intervals[b], intervals[a])  # type: ignore[arg-type]
        for i, a in enumerate(dated)
        for b in dated[i + 1 :]
    )
    if agree:
        chosen = (
            [min(dated, key=lambda w: (width(intervals[w]), min(bundles[w])))]  # type: ignore[arg-type]
            if dated
            else list(bundles)
        )
    else:
        chosen = [
            w
            for w in dated
            if not any(
                o != w and contains(intervals[w], intervals[o]) and intervals[w] != intervals[o]  # type: ignore[arg-type]
                for o in dated
            )
        ]
        out.disagreements.append(
            Disagreement(
                subject,
                RULE + "date-precision",
                [
                    Side(
                        DATE,
                        tuple(t for t in (w.date, w.earliest) if t is not None),
                        frozenset(bundles[w]),
                        w.words(),
                    )
                    for w in sorted(dated, key=lambda w: min(bundles[w]))
                ],
            )
        )
    for when in chosen:
        lines = bundles[when]
        values: list[tuple[str, Term | None]] = [
            (DATE, when.date),
            (DATE_TEXT, ox.Literal(when.text) if when.text is not None else None),
            (EARLIEST, when.earliest),
            (LATEST, when.latest),
        ]
        for predicate, value in values:
            if value is not None:
                out.statements.setdefault((subject, _iri(predicate), value), set()).update(lines)
        if when.date is not None:
            unit_statement: Statement = (subject, _iri(UNIT), _iri(unit_of(when.date, when.text or "")))
            out.statements.setdefault(unit_statement, set()).update(lines)


def _integrate_same_value(
    subject: Subject,
    predicate: str,
    members: list[tuple[Statement, set[int]]],
    labels: dict[Term, str],
    out: Integrated,
) -> None:
    for statement, lines in members:
        out.statements[statement] = set(lines)
    if len(members) > 1:
        out.disagreements.append(
            Disagreement(
                subject,
                RULE + "same-value",
                [
                    Side(predicate, (o,), frozenset(lines), _label(labels, o))
                    for (_s, _p, o), lines in sorted(members, key=lambda m: min(m[1]))
                ],
            )
        )


def _ancestors(term: Term, parents: dict[Term, set[Term]]) -> set[Term]:
    seen: set[Term] = set()
    stack = [term]
    while stack:
        for parent in parents.get(stack.pop(), set()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _integrate_actors(
    subject: Subject,
    predicate: str,
    members: list[tuple[Statement, set[int]]],
    labels: dict[Term, str],
    parents: dict[Term, set[Term]],
    out: Integrated,
) -> None:
    def related(a: Term, b: Term) -> bool:
        return a == b or a in _ancestors(b, parents) or b in _ancestors(a, parents)

    per_line = {n: frozenset(v) for n, v in _per_line(members).items()}
    groups = _group_lines(per_line)
    sets = list(groups)
    agree = all(
        all(any(related(a, b) for b in other) for a in one)
        and all(any(related(a, b) for a in one) for b in other)
        for i, one in enumerate(sets)
        for other in sets[i + 1 :]
    )
    union = {o for (_s, _p, o), _l in members}
    broader = {a for a in union for b in union if a != b and a in _ancestors(b, parents)}
    for (s, p, o), lines in members:
        if agree and o in broader:
            continue
        out.statements[(s, p, o)] = set(lines)
    if not agree:
        out.disagreements.append(
            _set_disagreement(subject, predicate, groups, labels, RULE + "actor-precision")
        )


def _integrate_value_set(
    subject: Subject,
    predicate: str,
    members: list[tuple[Statement, set[int]]],
    labels: dict[Term, str],
    out: Integrated,
) -> None:
    for statement, lines in members:
        out.statements[statement] = set(lines)
    per_line = {n: frozenset(v) for n, v in _per_line(members).items()}
    groups = _group_lines(per_line)
    sets = list(groups)
    agree = all(a <= b or b <= a for i, a in enumerate(sets) for b in sets[i + 1 :])
    if not agree:
        out.disagreements.append(_set_disagreement(subject, predicate, groups, labels, RULE + "value-set"))


def _set_disagreement(
    subject: Subject,
    predicate: str,
    groups: dict[frozenset[Term], frozenset[int]],
    labels: dict[Term, str],
    rule: str,
) -> Disagreement:
    sides = [
        Side(
            predicate,
            tuple(sorted(values, key=str)),
            lines,
            " and ".join(sorted(_label(labels, v) for v in values)),
        )
        for values, lines in sorted(groups.items(), key=lambda kv: min(kv[1]))
    ]
    return Disagreement(subject, rule, sides)


# ----------------------------------------------------------------------------- discrepancies by rule


def _slug(text: str) -> str:
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _lines_words(lines: Iterable[int]) -> str:
    ordered = sorted(lines)
    if len(ordered) == 1:
        return f"line {ordered[0]}"
    return "lines " + ", ".join(str(n) for n in ordered[:-1]) + f" and {ordered[-1]}"


PROPERTY_WORDS = {
    DATE: "date",
    NIO + "decidedBy": "who decided",
    NIO + "changeType": "kind of change",
}


def discrepancy_quads(
    disagreements: list[Disagreement], labels: dict[Term, str], graph: ox.NamedNode
) -> list[ox.Quad]:
    """One ``nio:Discrepancy`` per resource the lines disagree about, each side a ``nio:ClaimedValue``."""
    by_subject: dict[Subject, list[Disagreement]] = defaultdict(list)
    for d in disagreements:
        by_subject[d.subject].append(d)
    out: list[ox.Quad] = []

    def add(s: str, p: str, o: Term) -> None:
        out.append(ox.Quad(_iri(s), _iri(p), o, graph))

    for subject, found in sorted(by_subject.items(), key=lambda kv: str(kv[0])):
        local = term_value(subject).removeprefix(RESOURCE)
        iri = f"{RESOURCE}discrepancy/{_slug(local)}"
        subject_label = labels.get(subject) or short(term_value(subject))
        all_lines = sorted({n for d in found for side in d.sides for n in side.lines})
        what = sorted({PROPERTY_WORDS.get(d.sides[0].predicate, short(d.sides[0].predicate)) for d in found})
        add(iri, RDF_TYPE, _iri(NIO + "Discrepancy"))
        add(
            iri,
            RDFS_LABEL,
            ox.Literal(
                f"{subject_label}: {_lines_words(all_lines)} disagree on {', '.join(what)}", language="en"
            ),
        )
        sentences = []
        for d in found:
            words = PROPERTY_WORDS.get(d.sides[0].predicate, short(d.sides[0].predicate))
            parts = "; ".join(f"{_lines_words(side.lines)}: {side.text}" for side in d.sides)
            sentences.append(f"The lines give different values of {words} ({parts}).")
        add(
            iri,
            RDFS_COMMENT,
            ox.Literal(
                " ".join(sentences) + " Found by rule when the build integrated the claims;"
                " the graph keeps every value with its lines.",
                language="en",
            ),
        )
        add(iri, NIO + "concerns", subject)
        for n in all_lines:
            add(iri, NIO + "claim", passage_of(n))
            add(iri, PROV_DERIVED, passage_of(n))
        for d in found:
            add(iri, NIO + "rule", _iri(d.rule))
            for side in d.sides:
                numbers = "-".join(str(n) for n in sorted(side.lines))
                side_iri = f"{iri}/{_slug(short(side.predicate).split(':')[-1])}/lines-{numbers}"
                add(iri, NIO + "side", _iri(side_iri))
                add(side_iri, RDF_TYPE, _iri(NIO + "ClaimedValue"))
                words = PROPERTY_WORDS.get(side.predicate, short(side.predicate))
                add(
                    side_iri,
                    RDFS_LABEL,
                    ox.Literal(
                        f"{_lines_words(side.lines).capitalize()}: {words} {side.text}", language="en"
                    ),
                )
                add(side_iri, NIO + "onProperty", _iri(side.predicate))
                for value in side.values:
                    add(side_iri, NIO + "claimedValue", value)
                for n in sorted(side.lines):
                    add(side_iri, NIO + "claim", passage_of(n))
                    add(side_iri, PROV_DERIVED, passage_of(n))
    return out
