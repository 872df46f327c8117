"""``/search?q=``: find resources by any of their labels, and lines of the source by their text.

Matching is forgiving (rapidfuzz): case, punctuation and hyphens do not matter ("NTMI" finds NTM-I),
and a misspelt word of five letters or more still matches a close word ("Stoltenburg" finds
Stoltenberg). Results are grouped by type; participation records are hidden unless asked for
(``?all=1``). The labels and the source lines are read from the engine once per version of the data.
JSON with ``?format=json`` or ``Accept: application/json``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rapidfuzz import fuzz

from kg.engine.base import QueryEngine
from kg.namespaces import BASE, ONTOLOGY
from kg.web.describe import PROLOGUE, select, string_literal
from kg.web.iris import href
from kg.web.labels import compact, humanize, term_labels
from kg.web.negotiation import parse_accept
from kg.web.page_data import build_data
from kg.web.render import reader_href
from kg.web.templating import get_engine, page, prefix_of

MAX_HITS = 100
FUZZY_MIN_WORD = 5
"""Words shorter than this must match exactly or as a prefix ("Iraq" must not find "Iran")."""
FUZZY_CUTOFF = 80
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
SELECT ?line ?text ?src WHERE {{
  ?pa nio:sourceLine ?line ; oa:hasSelector/oa:exact ?text ; oa:hasSource ?src .
  FILTER(!CONTAINS(STR(?pa), "-s"))
}}"""


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
    score: float


@dataclass
class Entry:
    iri: str
    name: str
    labels: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)


def norm(text: str) -> str:
    """Lower case, letters and digits only, single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def score(query: str, label: str) -> float:
    """How well ``label`` matches ``query`` (0: not at all; 100: exactly)."""
    q, t = norm(query), norm(label)
    if not q or not t:
        return 0.0
    qc, tc = q.replace(" ", ""), t.replace(" ", "")
    if q == t or qc == tc:
        return 100.0
    words = t.split()
    if qc in tc:
        starts = any(w.startswith(q.split()[0]) for w in words)
        return 95.0 if starts else 90.0
    total = 100.0
    for w in q.split():
        best = 0.0
        for v in words:
            if v.startswith(w):
                best = 100.0
                break
            if len(w) >= FUZZY_MIN_WORD:
                best = max(best, fuzz.ratio(w, v))
        if best < FUZZY_CUTOFF:
            return 0.0
        total = min(total, best)
    return 0.85 * total


class SearchIndex:
    """Every label of every resource, and every line of the source, for one version of the data."""

    def __init__(
        self, labels: list[dict[str, str]], depths: list[dict[str, str]], lines: list[dict[str, str]]
    ) -> None:
        entries: dict[str, Entry] = {}
        for r in labels:
            e = entries.setdefault(r["s"], Entry(r["s"], r.get("name") or r["l"]))
            e.labels.add(r["l"])
            if r.get("t"):
                e.types.add(r["t"])
        self.entries = list(entries.values())
        self.depth = {r["c"]: int(r["depth"]) for r in depths}
        """How many superclasses each class has: a resource is grouped under its most specific type."""
        self.lines = sorted({(int(r["line"]), r["text"], r["src"]) for r in lines if r["line"].isdigit()})


async def index(engine: QueryEngine) -> SearchIndex:
    """The index of ``engine``'s data, read from it once per build."""

    async def read() -> SearchIndex:
        return SearchIndex(
            await select(engine, LABELS), await select(engine, DEPTHS), await select(engine, LINES)
        )

    return await build_data(engine, "search index", read)


async def find(
    engine: QueryEngine,
    text: str,
    prefix: str = "",
    limit: int = MAX_HITS,
    everything: bool = False,
    type_label: dict[str, str] | None = None,
) -> list[Hit]:
    """Resources whose labels match ``text``, best first (then shorter names first)."""
    text = " ".join(text.split())
    if not text:
        return []
    names = type_label or {}
    found = await index(engine)
    hits = []
    for e in found.entries:
        if not everything and e.types & HIDDEN:
            continue
        best, matched = max(((score(text, label), label) for label in e.labels), default=(0.0, ""))
        if best <= 0:
            continue
        types = sorted(e.types)
        specific = sorted(types, key=lambda t: (-found.depth.get(t, 0), names.get(t) or humanize(t)))
        group = (names.get(specific[0]) or humanize(specific[0])) if specific else "other"
        hits.append(
            Hit(e.iri, e.name, matched, [compact(t) for t in types], href(e.iri, prefix), group, best)
        )
    hits.sort(key=lambda h: (-h.score, len(h.matched), h.label.lower()))
    return hits[:limit]


async def find_lines(engine: QueryEngine, text: str, prefix: str = "", limit: int = 20) -> list[LineHit]:
    """Lines of the source whose text contains ``text`` (or, for longer words, a close spelling)."""
    q = norm(text)
    if len(q) < 3:
        return []
    found = []
    for line, body, src in (await index(engine)).lines:
        t = norm(body)
        s = 100.0 if q in t or q.replace(" ", "") in t.replace(" ", "") else 0.0
        if not s and len(q) >= FUZZY_MIN_WORD:
            s = fuzz.partial_ratio(q, t, score_cutoff=88)
        if s:
            found.append(LineHit(line, body, reader_href(src, str(line), prefix) or "", s))
    return sorted(found, key=lambda h: (-h.score, h.line))[:limit]


def plural(name: str) -> str:
    name = name[:1].upper() + name[1:]
    if name.lower() == "person":
        return "People"
    if name.endswith("y") and not name.endswith(("ay", "ey", "oy")):
        return name[:-1] + "ies"
    return name if name.endswith("s") else name + "s"


def grouped(hits: list[Hit]) -> list[tuple[str, list[Hit]]]:
    """Hits by type, the group with the best hit first."""
    groups: dict[str, list[Hit]] = {}
    for h in hits:
        groups.setdefault(h.group, []).append(h)
    return [(plural(g), hs) for g, hs in groups.items()]


def wants_json(format_param: str | None, accept: str | None) -> bool:
    """``?format=json``, or an Accept header that prefers JSON to HTML."""
    if format_param:
        return format_param.lower() == "json"
    for media in parse_accept(accept):
        if media in ("application/json", "application/ld+json"):
            return True
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            return False
    return False


def search_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/search", methods=["GET", "HEAD"], include_in_schema=True, response_model=None)
    async def search(request: Request, q: str = "", all: str = "") -> Response:
        """Label and source-text search: HTML for browsers, JSON with ``?format=json`` or
        ``Accept: application/json``; ``all=1`` includes participation records."""
        engine = get_engine(request)
        prefix = prefix_of(request)
        everything = all not in ("", "0", "false")
        names = (await term_labels(engine)).labels
        hits = await find(engine, q, prefix, everything=everything, type_label=names)
        lines = await find_lines(engine, q, prefix)
        hidden = 0 if everything else len(await find(engine, q, prefix, everything=True)) - len(hits)
        headers = {"Vary": "Accept"}
        if wants_json(request.query_params.get("format"), request.headers.get("accept")):
            body = {
                "query": q,
                "count": len(hits),
                "results": [asdict(h) for h in hits],
                "lines": [asdict(h) for h in lines],
            }
            return JSONResponse(body, headers=headers)
        return page(
            request, "search.html", headers=headers, q=q, hits=hits, groups=grouped(hits), lines=lines,
            hidden=hidden, everything=everything,
        )  # fmt: skip

    return router
