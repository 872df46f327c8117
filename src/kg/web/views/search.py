"""Search (``/search?q=``): resources by any of their labels, and lines of the source by their text.

Matching is forgiving (rapidfuzz): case, punctuation and hyphens do not matter ("NTMI" finds NTM-I),
and a misspelt word of five letters or more still matches a close word ("Stoltenburg" finds
Stoltenberg); shorter words match only exactly or as the start of a word ("Iraq" never finds
"Iran"). The labels are read from the engine once per version of the data into an index (every
distinct word of every label, with the labels it occurs in), so a search compares each of its
words once with each distinct word, not with every label. What one search may cost is capped: at
most ``MAX_CHARS`` characters and ``MAX_WORDS`` words (``too_costly`` says why a text is refused).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from kg.engine.base import QueryEngine
from kg.namespaces import BASE, ONTOLOGY, compact_iri
from kg.web.iris import href, reader_href
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData
from kg.web.views.queries import PROLOGUE, select, string_literal
from kg.web.views.values import humanize

MAX_HITS = 100
MAX_LINES = 20
MAX_CHARS = 200
MAX_WORDS = 10
FUZZY_MIN_WORD = 5
"""Words shorter than this must match exactly or as a prefix ("Iraq" must not find "Iran")."""
FUZZY_CUTOFF = 80
LINE_CUTOFF = 88
HIDDEN = {ONTOLOGY + "Participation", ONTOLOGY + "Passage"}
"""Types left out unless ``all=1``: participation records, and passages (found by their text)."""

LABELS = f"""{PROLOGUE}
SELECT ?s ?l ?name ?t WHERE {{
  ?s rdfs:label|skos:prefLabel|skos:altLabel ?l .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), {string_literal(BASE)}))
  OPTIONAL {{ ?s rdfs:label ?name }}
  OPTIONAL {{ ?s a ?t }}
}}"""
DEPTHS = f"""{PROLOGUE}
SELECT ?c (COUNT(DISTINCT ?sup) AS ?depth) WHERE {{
  ?c rdfs:subClassOf ?direct . ?direct rdfs:subClassOf* ?sup FILTER(isIRI(?sup))
}} GROUP BY ?c"""  # subClassOf+ spelt out: Virtuoso runs no path whose two ends are both unbound
LINES = f"""{PROLOGUE}
SELECT ?line ?text ?src ?g WHERE {{
  ?pa nio:sourceLine ?line ; oa:hasSelector/oa:exact ?text ; oa:hasSource ?src .
  FILTER(!CONTAINS(STR(?pa), "-s"))
  OPTIONAL {{ ?g prov:wasDerivedFrom ?pa ; nio:sourceLine ?line }}
}}"""
"""Each line of the source (its whole-line passage), and the named graph of what it says."""


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    matched: str
    """The label that matched (an alternative spelling, perhaps)."""
    types: list[str]
    href: str
    group: str = ""
    score: float = 0.0


@dataclass(frozen=True)
class LineHit:
    line: int
    text: str
    href: str
    """The line in the source reader."""
    score: float
    statements: str = ""
    """The page of what the line says (its named graph ``graph/line/<N>``; ``""``: nothing)."""


@dataclass
class Labelled:
    """A resource with every label it has (the index's unit of search)."""

    iri: str
    name: str
    labels: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)


@dataclass
class Found:
    hits: list[Hit]
    lines: list[LineHit]
    hidden: int
    """How many more resources match among the hidden types."""

    @property
    def groups(self) -> list[tuple[str, list[Hit]]]:
        """Hits by type, the group with the best hit first."""
        groups: dict[str, list[Hit]] = {}
        for h in self.hits:
            groups.setdefault(h.group, []).append(h)
        return [(plural(g), hs) for g, hs in groups.items()]


def norm(text: str) -> str:
    """Lower case, letters and digits only, single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def too_costly(text: str) -> str | None:
    """Why a search for ``text`` is refused (``None``: it is not)."""
    if len(text) > MAX_CHARS:
        return f"Search for at most {MAX_CHARS} characters, not {len(text)}."
    words = len(norm(text).split())
    if words > MAX_WORDS:
        return f"Search for at most {MAX_WORDS} words, not {words}."
    return None


def score(query: str, label: str) -> float:
    """How well ``label`` matches ``query`` (0: not at all; 100: exactly): the rule the index
    applies to every label at once."""
    q, t = norm(query), norm(label)
    if not q or not t:
        return 0.0
    return max(_whole(q, t), 0.85 * min(_word(w, t.split()) for w in q.split()))


def _whole(q: str, t: str) -> float:
    """The query as one piece of the label: 100 the whole label, 95 the start of a word, else 90."""
    qc, tc = q.replace(" ", ""), t.replace(" ", "")
    if q == t or qc == tc:
        return 100.0
    if qc in tc:
        first = q.split()[0]
        return 95.0 if any(w.startswith(first) for w in t.split()) else 90.0
    return 0.0


def _word(w: str, words: list[str]) -> float:
    """How well one query word matches the best of ``words`` (0 below the cutoff)."""
    best = 0.0
    for v in words:
        if v.startswith(w):
            return 100.0
        if len(w) >= FUZZY_MIN_WORD:
            best = max(best, fuzz.ratio(w, v))
    return best if best >= FUZZY_CUTOFF else 0.0


def plural(name: str) -> str:
    name = name[:1].upper() + name[1:]
    if name.lower() == "person":
        return "People"
    if name.endswith("y") and not name.endswith(("ay", "ey", "oy")):
        return name[:-1] + "ies"
    return name if name.endswith("s") else name + "s"


class SearchIndex:
    """Every label of every resource, its words, and every line of the source, for one version of
    the data (built off the event loop)."""

    def __init__(
        self, labels: list[dict[str, str]], depths: list[dict[str, str]], lines: list[dict[str, str]]
    ):
        found: dict[str, Labelled] = {}
        for r in labels:
            e = found.setdefault(r["s"], Labelled(r["s"], r.get("name") or r["l"]))
            e.labels.add(r["l"])
            if r.get("t"):
                e.types.add(r["t"])
        self.resources = list(found.values())
        self.labels = [
            (i, label, norm(label)) for i, e in enumerate(self.resources) for label in sorted(e.labels)
        ]
        self.spaceless = [t.replace(" ", "") for _, _, t in self.labels]
        postings: dict[str, set[int]] = defaultdict(set)
        for n, (_, _, t) in enumerate(self.labels):
            for w in t.split():
                postings[w].add(n)
        self.words = sorted(postings)
        self.postings = [postings[w] for w in self.words]
        self.depth = {r["c"]: int(r["depth"]) for r in depths}
        """How many superclasses each class has: a resource is grouped under its most specific type."""
        self.lines = sorted(
            {(int(r["line"]), r["text"], r["src"], r.get("g", "")) for r in lines if r["line"].isdigit()}
        )
        self.line_texts = [norm(text) for _, text, _, _ in self.lines]

    def _word_matches(self, w: str) -> dict[int, float]:
        """Label number → how well its best word matches ``w`` (prefix 100, close spelling ≥ 80)."""
        matches: dict[int, float] = {}
        start = bisect.bisect_left(self.words, w)
        end = bisect.bisect_left(self.words, w + "\U0010ffff")
        for k in range(start, end):  # every word that starts with w
            for n in self.postings[k]:
                matches[n] = 100.0
        if len(w) >= FUZZY_MIN_WORD:
            for _, ratio, k in process.extract(
                w, self.words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
            ):
                for n in self.postings[k]:
                    matches[n] = max(matches.get(n, 0.0), ratio)
        return matches

    def label_scores(self, text: str) -> dict[int, float]:
        """Label number → ``score(text, label)`` for every label that matches ``text``."""
        q = norm(text)
        if not q:
            return {}
        qc = q.replace(" ", "")
        scores: dict[int, float] = {}
        for n, tc in enumerate(self.spaceless):
            if qc in tc:
                scores[n] = _whole(q, self.labels[n][2])
        words: dict[int, float] | None = None
        for w in dict.fromkeys(q.split()):
            matches = self._word_matches(w)
            words = (
                matches
                if words is None
                else {n: min(s, matches[n]) for n, s in words.items() if n in matches}
            )
        for n, s in (words or {}).items():
            scores[n] = max(scores.get(n, 0.0), 0.85 * s)
        return scores

    def find(
        self, text: str, prefix: str = "", everything: bool = False, type_label: dict[str, str] | None = None
    ) -> tuple[list[Hit], int]:
        """Resources whose labels match ``text``, best first (then shorter names first), at most
        ``MAX_HITS``; and how many more of the hidden types match (0 when ``everything``)."""
        names = type_label or {}
        best: dict[int, tuple[float, str]] = {}
        for n, s in self.label_scores(text).items():
            i, label, _ = self.labels[n]
            best[i] = max(best.get(i, (0.0, "")), (s, label))
        hits, hidden = [], 0
        for i, (s, matched) in best.items():
            e = self.resources[i]
            if not everything and e.types & HIDDEN:
                hidden += 1
                continue
            types = sorted(e.types)
            specific = sorted(types, key=lambda t: (-self.depth.get(t, 0), names.get(t) or humanize(t)))
            group = (names.get(specific[0]) or humanize(specific[0])) if specific else "other"
            hits.append(
                Hit(e.iri, e.name, matched, [compact_iri(t) for t in types], href(e.iri, prefix), group, s)
            )
        hits.sort(key=lambda h: (-h.score, len(h.matched), h.label.lower(), h.iri))  # one order in any store
        return hits[:MAX_HITS], hidden

    def find_lines(self, text: str, prefix: str = "") -> list[LineHit]:
        """Lines of the source whose text contains ``text`` (or, for longer words, a close spelling)."""
        q = norm(text)
        if len(q) < 3:
            return []
        qc = q.replace(" ", "")
        found = []
        for (line, body, src, graph), t in zip(self.lines, self.line_texts, strict=True):
            s = 100.0 if q in t or qc in t.replace(" ", "") else 0.0
            if not s and len(q) >= FUZZY_MIN_WORD:
                s = fuzz.partial_ratio(q, t, score_cutoff=LINE_CUTOFF)
            if s:
                said = href(graph, prefix) if graph else ""
                found.append(LineHit(line, body, reader_href(src, line, prefix) or "", s, said))
        return sorted(found, key=lambda h: (-h.score, h.line))[:MAX_LINES]

    def suggestions(self, words: str, prefix: str = "") -> list[Hit]:
        """What a path that names nothing may have meant: resources matching its two longest words."""
        hits: dict[str, Hit] = {}
        for word in sorted(words.split(), key=len, reverse=True)[:2]:
            if len(word) > 3 and not too_costly(word):
                for h in self.find(word, prefix)[0][:5]:
                    hits.setdefault(h.iri, h)
        return list(hits.values())[:8]

    def search(self, text: str, prefix: str, everything: bool, type_label: dict[str, str]) -> Found:
        """Resources and lines for ``text`` (CPU work: run it off the event loop)."""
        text = " ".join(text.split())
        hits, hidden = self.find(text, prefix, everything, type_label) if text else ([], 0)
        return Found(hits, self.find_lines(text, prefix), hidden)


async def search_index(engine: QueryEngine, data: PageData, offload: Offload) -> SearchIndex:
    """The index of ``engine``'s data, read from it once per build."""

    async def read() -> SearchIndex:
        labels, depths, lines = [await select(engine, query) for query in (LABELS, DEPTHS, LINES)]
        return await offload.run(SearchIndex, labels, depths, lines)

    return await data.get("search index", engine, read)
