"""Statements that follow from what the data files say, generated at build time.

The hand-written files state facts; ``kg build`` adds what follows from them by rule:

- ``nio:fromLine`` blocks: ``S nio:fromLine [ nio:sourceLine 26 ; p o ]`` states ``S p o`` as
  supported by line 26 only, and ``S prov:wasDerivedFrom passage:L26`` (the block disappears);
- date bounds and the sort key: ``sem:hasEarliestBeginTimeStamp``, ``sem:hasLatestEndTimeStamp``
  and ``nio:sortDate`` from ``nio:date``, ``time:unitType`` and ``nio:dateText`` (see the rule in
  ``ontology/README.md``), unless written by hand;
- passages: every ``passage:L<n>`` (and ``passage:L<n>-<part>``) that is referred to but not
  described gets its ``nio:Passage`` and ``oa:TextQuoteSelector`` — a whole-line passage quotes
  line n verbatim; a part keeps its hand-written ``oa:exact`` and gets ``oa:prefix``/``oa:suffix``;
- superclass types: every ``nio:`` superclass of a resource's ``nio:`` classes (a decision is
  also ``a nio:Event``), so that a researcher's first guess finds every kind;
- per-line provenance: one named graph ``graph/line/<n>`` per source line, holding every
  statement that line supports, described in the default graph by ``nio:sourceLine`` and
  ``prov:wasDerivedFrom`` its whole-line passage.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from kg.build.inputs import InputFile
from kg.build.loading import LoadedFile
from kg.build.rdfconv import term_value
from kg.namespaces import GRAPH, ONTOLOGY, PREFIXES, RESOURCE

NIO = ONTOLOGY
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
RDFS_SUBCLASS = PREFIXES["rdfs"] + "subClassOf"
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
OA = PREFIXES["oa"]
SEM = PREFIXES["sem"]
TIME = PREFIXES["time"]
XSD = PREFIXES["xsd"]
DCTERMS = PREFIXES["dcterms"]

FROM_LINE = NIO + "fromLine"
SOURCE_LINE = NIO + "sourceLine"
FIRST_LINE = NIO + "firstLine"
DATE = NIO + "date"
DATE_TEXT = NIO + "dateText"
SORT_DATE = NIO + "sortDate"
UNIT = TIME + "unitType"
EARLIEST = SEM + "hasEarliestBeginTimeStamp"
LATEST = SEM + "hasLatestEndTimeStamp"

GENERATED_GRAPH = GRAPH + "data/generated"
LINE_GRAPH = GRAPH + "line/"
PASSAGE = re.compile(re.escape(RESOURCE + "passage/") + r"L(\d+)(?:-([a-z0-9-]+))?$")

# part of a year: the words of nio:dateText → (first month, last month)
PARTS_OF_YEAR = (
    ("spring", 3, 5),
    ("summer", 6, 8),
    ("autumn", 9, 11),
    ("end", 10, 12),
    ("late", 10, 12),
    ("early", 1, 3),
)


class GenerationError(Exception):
    """The data cannot be completed by rule; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Statement = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, Term]


@dataclass
class _State:
    explicit: dict[Statement, set[int]] = field(default_factory=lambda: defaultdict(set))
    follows: dict[Statement, Statement] = field(
        default_factory=dict
    )  # generated → the statement it follows from
    problems: list[str] = field(default_factory=list)


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _date_literal(day: date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=_iri(XSD + "date"))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def date_bounds(value: ox.Literal, unit: str | None, text: str) -> tuple[date, date | None]:
    """Earliest and latest possible day of a date at its precision (latest None: open end).

    ``text`` decides a part of a year ("End 2004", "late 2017", "spring 2020"); a text that
    starts with "following" or "after" gives only an earliest day (the end is open).
    """
    lexical = value.value
    datatype = value.datatype.value.removeprefix(XSD)
    unit = (unit or "").removeprefix(TIME).removeprefix(NIO)
    if datatype == "date":
        day = date.fromisoformat(lexical)
        first, last = day, day
    elif datatype == "gYearMonth":
        year, month = (int(p) for p in lexical.split("-"))
        first, last = date(year, month, 1), _month_end(year, month)
    elif datatype == "gYear":
        year = int(lexical)
        first, last = date(year, 1, 1), date(year, 12, 31)
        if unit == "unitPartOfYear":
            words = text.lower()
            for word, start, end in PARTS_OF_YEAR:
                if re.search(rf"\b{word}\b", words):
                    first, last = date(year, start, 1), _month_end(year, end)
                    break
            else:
                raise ValueError(f"no rule for the part of a year in {text!r}")
    else:
        raise ValueError(f"nio:date of datatype xsd:{datatype} has no rule")
    if re.match(r"(following|after)\b", text.strip(), re.IGNORECASE):
        return first, None
    return first, last


def _objects(quads: Iterable[ox.Quad]) -> dict[tuple[str, str], list[Term]]:
    found: dict[tuple[str, str], list[Term]] = defaultdict(list)
    for q in quads:
        found[(q.subject.value, q.predicate.value)].append(q.object)  # type: ignore[union-attr]
    return found


def _expand_blocks(lf: LoadedFile, state: _State, root: Path) -> None:
    """Replace each ``nio:fromLine`` block of ``lf`` by the statements it holds."""
    blocks = {
        q.object: q.subject
        for q in lf.quads
        if q.predicate.value == FROM_LINE and isinstance(q.object, ox.BlankNode)
    }
    if not blocks:
        return
    graph = ox.NamedNode(lf.source.graph)
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
            state.problems.append(
                f"{lf.source.display(root)}: a nio:fromLine block of {subject} has no nio:sourceLine"
            )
            continue
        passages = [q.object for q in body if q.predicate.value == PROV_DERIVED]
        if not passages:
            passages = [_iri(f"{RESOURCE}passage/L{n}") for n in sorted(lines)]
        for q in body:
            if q.predicate.value in (SOURCE_LINE, PROV_DERIVED):
                continue
            statement: Statement = (subject, q.predicate, q.object)  # type: ignore[assignment]
            kept.append(ox.Quad(subject, q.predicate, q.object, graph))
            state.explicit[statement] |= lines
        for passage in passages:
            kept.append(ox.Quad(subject, _iri(PROV_DERIVED), passage, graph))
    lf.quads = list(dict.fromkeys(kept))


def _add_dates(lf: LoadedFile, state: _State, root: Path) -> None:
    """Add the bounds and the sort key of every dated subject of ``lf``."""
    graph = ox.NamedNode(lf.source.graph)
    values = _objects(lf.quads)
    subjects = {q.subject for q in lf.quads if q.predicate.value in (DATE, EARLIEST)}
    added: list[ox.Quad] = []
    for subject in sorted(subjects, key=str):
        key = subject.value  # type: ignore[union-attr]
        earliest = values.get((key, EARLIEST), [])
        latest = values.get((key, LATEST), [])
        dates = values.get((key, DATE), [])
        if len(dates) == 1 and isinstance(dates[0], ox.Literal):
            units = values.get((key, UNIT), [])
            texts = values.get((key, DATE_TEXT), [])
            unit = units[0].value if len(units) == 1 and isinstance(units[0], ox.NamedNode) else None
            text = texts[0].value if len(texts) == 1 and isinstance(texts[0], ox.Literal) else ""
            try:
                first, last = date_bounds(dates[0], unit, text)
            except ValueError as err:
                state.problems.append(f"{lf.source.display(root)}: {subject}: {err}")
                continue
            if not earliest:
                earliest = [_date_literal(first)]
                added.append(ox.Quad(subject, _iri(EARLIEST), earliest[0], graph))
            if not latest and last is not None:
                added.append(ox.Quad(subject, _iri(LATEST), _date_literal(last), graph))
        if len(earliest) == 1 and not values.get((key, SORT_DATE)):
            added.append(ox.Quad(subject, _iri(SORT_DATE), earliest[0], graph))
    for q in added:
        if source_of := _date_source(values, q):
            state.follows[(q.subject, q.predicate, q.object)] = source_of  # type: ignore[index]
    lf.quads.extend(added)


def _date_source(values: dict[tuple[str, str], list[Term]], q: ox.Quad) -> Statement | None:
    dates = values.get((q.subject.value, DATE), [])  # type: ignore[union-attr]
    if len(dates) == 1:
        return (q.subject, _iri(DATE), dates[0])  # type: ignore[return-value]
    return None


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


def _passages(data: list[ox.Quad], source: _Source, extra: set[str], state: _State) -> list[ox.Quad]:
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
            state.problems.append(f"{iri}: line {n} is not a non-empty line of the source")
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
            state.problems.append(
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


def _outside_graphs(data: list[ox.Quad]) -> set[str]:
    """Graphs of files described as derived from something other than the source's passages."""
    return {
        q.subject.value
        for q in data
        if q.predicate.value == PROV_DERIVED
        and isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(GRAPH)
        and not PASSAGE.match(term_value(q.object))
    }


def _passage_lines(data: list[ox.Quad]) -> dict[str, int]:
    lines: dict[str, int] = {}
    for q in data:
        if q.predicate.value == SOURCE_LINE and isinstance(q.subject, ox.NamedNode):
            lines[q.subject.value] = int(term_value(q.object))
    return lines


def _line_graphs(files: list[LoadedFile], data: list[ox.Quad], state: _State) -> list[ox.Quad]:
    """One named graph per source line with the statements it supports."""
    passage_line = _passage_lines(data)

    def line_of(passage: Term) -> int | None:
        if not isinstance(passage, ox.NamedNode):
            return None
        match = PASSAGE.match(passage.value)
        return int(match.group(1)) if match else passage_line.get(passage.value)

    subject_lines: dict[Term, set[int]] = defaultdict(set)
    for q in data:
        if q.predicate.value == PROV_DERIVED and (n := line_of(q.object)) is not None:
            subject_lines[q.subject].add(n)
    outside = _outside_graphs(data)
    out: list[ox.Quad] = []
    for lf in files:
        if lf.source.graph in outside:
            continue
        for q in lf.quads:
            if q.subject not in subject_lines:
                continue
            statement: Statement = (q.subject, q.predicate, q.object)  # type: ignore[assignment]
            if statement in state.explicit:
                lines = state.explicit[statement]
            elif q.predicate.value == PROV_DERIVED and (n := line_of(q.object)) is not None:
                lines = {n}
            elif statement in state.follows and state.follows[statement] in state.explicit:
                lines = state.explicit[state.follows[statement]]
            else:
                lines = subject_lines[q.subject]
            out.extend(ox.Quad(q.subject, q.predicate, q.object, _iri(f"{LINE_GRAPH}{n}")) for n in lines)
    return list(dict.fromkeys(out))


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


def generate(loaded: list[LoadedFile], root: Path) -> list[LoadedFile]:
    """Complete the data files in place; return them plus the generated graphs (see the module doc).

    Raises GenerationError listing every statement that cannot be generated.
    """
    state = _State()
    data_files = [lf for lf in loaded if lf.source.kind in ("data", "extra")]
    for lf in data_files:
        _expand_blocks(lf, state, root)
        _add_dates(lf, state, root)
    _drop_repeats(data_files)
    data = [q for lf in data_files for q in lf.quads]
    generated: list[ox.Quad] = _superclass_types(loaded, data)
    line_quads = _line_graphs(data_files, data, state)
    index = _line_index(line_quads)
    source = _source(data, root)
    if source is not None:
        extra = {q.object.value for q in index if q.predicate.value == PROV_DERIVED}  # type: ignore[union-attr]
        generated += _passages(data, source, extra, state)
    if state.problems:
        raise GenerationError(state.problems)
    folder = root / "data"
    return [
        *loaded,
        LoadedFile(InputFile(folder / "generated", "data"), generated + index, generated=True),
        LoadedFile(InputFile(folder / "lines", "lines"), line_quads, generated=True),
    ]
