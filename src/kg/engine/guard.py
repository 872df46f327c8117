"""What a query asks for, read once from its tokens before any engine sees it.

:func:`read` walks the token list of :mod:`kg.engine.lexer` (strings, IRIs and comments are single
tokens, so a ``SERVICE`` inside a string or a comment is not a keyword) once, in time linear in
its length, and learns everything later steps need: the query form, its ``PREFIX`` and ``BASE``
declarations, the prefixes it uses, the order of a ``SELECT *``'s variables, and every
``SERVICE`` target and ``FROM``/``FROM NAMED`` graph as an absolute IRI (``PREFIX`` and ``BASE``
resolved; a target it cannot resolve, such as a variable, an unknown prefix or a relative IRI
without a base, is ``None``, so that the plan refuses it).

It refuses updates (403) and queries too complex for the engine (400): more than ``max_tokens``
tokens, brackets nested deeper than ``max_depth``, or more than ``max_chain`` of one operator or
keyword (``UNION``, ``MINUS``, ``BIND``, ``&&``, ``/`` …) or of items in one bracket (a
collection, an argument list). Oxigraph's parser and planner recurse over such chains and
overflow the worker's stack at a few thousand (see docs/sparql-service.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from kg import defaults
from kg.engine.lexer import Token, tokens, unescape_codepoints
from kg.engine.results import QueryError, ResultKind

FORMS: dict[str, ResultKind] = {
    "SELECT": "solutions",
    "ASK": "boolean",
    "CONSTRUCT": "graph",
    "DESCRIBE": "graph",
}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
OPENERS, CLOSERS = "{([", "})]"

# keywords and operators whose repetition makes Oxigraph's parser or planner recurse once more
CHAINED_WORDS = {"UNION", "MINUS", "OPTIONAL", "BIND", "FILTER", "VALUES", "GRAPH", "SERVICE", "IN"}
CHAINED_OPS = {"+", "-", "*", "/", "|", "^", "!", "&", "=", "<", ">", ".", ";", ",", "{"}
ITEM_KINDS = {"string", "iri", "var", "bnode", "pname", "name", "number", "punct"}
SIMPLE_KINDS = {"other", "name", "punct"}  # the tokens a chain limit stops the reading at
DECLARING = {"BASE", "PREFIX", "SERVICE", "FROM"}  # keywords followed by what they declare or name
MODIFIERS = {"DISTINCT", "REDUCED"}  # may stand between SELECT and its *
_LOCAL_ESCAPE = re.compile(r"\\(.)")  # in a prefixed name's local part: ex:a\.b is ex:a.b
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")  # an absolute IRI starts with its scheme


@dataclass
class Reading:
    """What :func:`read` learnt about one query.

    ``kind`` is None when the query form is not recognisable (the engine's parser will then say
    why). IRIs are absolute; ``None`` marks a target that names no IRI known before the query runs.
    """

    kind: ResultKind | None = None
    services: list[str | None] = field(default_factory=list)
    from_graphs: list[str | None] = field(default_factory=list)
    from_named: list[str | None] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    """The query's own ``PREFIX`` declarations: name → namespace IRI (resolved against ``BASE``)."""
    bases: list[str] = field(default_factory=list)
    """The query's own ``BASE`` IRIs, as written (escapes resolved)."""
    used: set[str] = field(default_factory=set)
    """The prefixes of the prefixed names in the query."""
    needed: dict[str, str] = field(default_factory=dict)
    """The predeclared prefixes it uses without declaring them (what an engine must declare)."""
    unknown: tuple[str, ...] = ()
    """The prefixes it uses that are neither declared nor predeclared (a parser refuses those)."""
    columns: tuple[str, ...] = ()
    """``SELECT *``: its variables in the order they first appear (Jena's order); else ()."""
    depth: int = 0
    deepest_at: int = 0  # character offset of the first bracket at ``depth``
    tokens: int = 0  # read up to the token limit only: more means "too many"
    complete: bool = True  # False: reading stopped once a limit was passed
    chains: Counter[str] = field(default_factory=Counter)  # operator or keyword → occurrences
    most_items: int = 0  # most items in one (…) or […] group
    most_items_at: int = 0


def read(
    text: str,
    toks: Sequence[Token] | None = None,
    predeclared: Mapping[str, str] | None = None,
    *,
    max_depth: int = defaults.MAX_DEPTH,
    max_tokens: int = defaults.MAX_TOKENS,
    max_chain: int = defaults.MAX_CHAIN,
) -> Reading:
    """Read ``text`` (whose tokens are ``toks``, when the caller already has them); raise
    QueryError (400 too complex, 403 update) or return what it asks for.

    ``predeclared``: the prefixes the engine declares for every query. When the text holds
    ``\\u`` escapes outside strings and IRIs, it is read a second time with every escape resolved
    (as a SPARQL parser reads it), and the targets, updates and sizes found by both readings are
    merged, so an escape cannot hide a keyword from this check. Linear in the length of
    ``text``, but up to a second for the largest bodies: call it off the event loop.
    """
    limits, predeclared = (max_depth, max_tokens, max_chain), predeclared or {}
    if toks is None:
        toks = tokens(text, max_tokens + 1)
    reading = _read(toks, dict(predeclared), limits)
    if "\\u" in text or "\\U" in text:
        plain = unescape_codepoints(text)
        reading = _merged(_read(tokens(plain, max_tokens + 1), dict(predeclared), limits), reading)
    _check_complexity(reading, *limits)
    undeclared = sorted(reading.used - reading.prefixes.keys())
    reading.needed = {p: predeclared[p] for p in undeclared if p in predeclared}
    reading.unknown = tuple(p for p in undeclared if p not in predeclared)
    return reading


def _merged(plain: Reading, raw: Reading) -> Reading:
    """The reading of the text with its escapes resolved (what a parser sees), plus whatever the
    raw text's reading found that it did not (remote targets, prefixes used, sizes)."""
    for mine, theirs in (
        (plain.services, raw.services),
        (plain.from_graphs, raw.from_graphs),
        (plain.from_named, raw.from_named),
    ):
        mine.extend(iri for iri in theirs if iri not in mine)
    plain.used |= raw.used
    plain.tokens = max(plain.tokens, raw.tokens)
    plain.complete = plain.complete and raw.complete
    plain.chains |= raw.chains
    if raw.depth > plain.depth:
        plain.depth, plain.deepest_at = raw.depth, raw.deepest_at
    if raw.most_items > plain.most_items:
        plain.most_items, plain.most_items_at = raw.most_items, raw.most_items_at
    return plain


def _check_complexity(reading: Reading, max_depth: int, max_tokens: int, max_chain: int) -> None:
    """Raise QueryError(400) when ``reading`` passes one of the complexity limits."""
    advice = "Split the query or simplify it; the limits are listed in the service's documentation."
    if reading.depth > max_depth:
        raise QueryError(
            f"Query nested too deeply: more than {max_depth} levels of brackets "
            f"(at character {reading.deepest_at + 1}; limit {max_depth}). {advice}",
            400,
        )
    for what, count in reading.chains.most_common(1):
        if count > max_chain:
            raise QueryError(
                f"Query too complex: {count} times '{what}' (limit {max_chain} of any one operator "
                f"or keyword). {advice}",
                400,
            )
    if reading.most_items > max_chain:
        raise QueryError(
            f"Query too complex: {reading.most_items} items in one bracket group at character "
            f"{reading.most_items_at + 1} (limit {max_chain}). {advice}",
            400,
        )
    if reading.tokens > max_tokens or not reading.complete:
        raise QueryError(f"Query too long: more than {max_tokens} tokens (limit {max_tokens}). {advice}", 400)


def _read(toks: Sequence[Token], prefixes: dict[str, str], limits: tuple[int, int, int]) -> Reading:
    """The reading of the query; it stops (``complete`` False) as soon as a limit is passed.

    ``prefixes``: the predeclared ones, which the query's own declarations then override.
    """
    max_depth, max_tokens, max_chain = limits
    reading = Reading()
    chains, top_chain = reading.chains, 0  # top_chain: the largest count in chains
    base: str | None = None
    star: dict[str, None] | None = None  # SELECT *: its variables so far
    items: list[list[int]] = []  # per open bracket: [items so far, offset, counts items (0/1)]
    for i, tok in enumerate(toks):
        kind, text = tok.kind, tok.text
        if (
            i >= max_tokens
            or reading.depth > max_depth
            or reading.most_items > max_chain
            or (top_chain > max_chain and kind in SIMPLE_KINDS)
        ):
            reading.tokens, reading.complete = i + 1, False
            return reading
        if items and items[-1][2] and kind in ITEM_KINDS and text not in CLOSERS:
            top = items[-1]
            top[0] += 1
            if top[0] > reading.most_items:
                reading.most_items, reading.most_items_at = top[0], top[1]
        if kind == "punct":
            if text in OPENERS:
                items.append([0, tok.offset, text != "{"])
                if text == "{":
                    chains["{"] += 1
                    top_chain = max(top_chain, chains["{"])
            elif items:
                items.pop()
            if len(items) > reading.depth:
                reading.depth, reading.deepest_at = len(items), tok.offset
            continue
        if kind == "other":
            if text in CHAINED_OPS and not _second_half(toks, i):
                chains[text] += 1
                top_chain = max(top_chain, chains[text])
            continue
        if kind == "var":
            if star is not None:
                star[text[1:]] = None
            continue
        if kind == "pname":
            reading.used.add(text[: text.index(":")])
            continue
        if kind != "name":
            continue
        word = text.upper()
        if word in CHAINED_WORDS:
            chains[word] += 1
            top_chain = max(top_chain, chains[word])
        if word in UPDATE_WORDS:
            raise QueryError(f"This endpoint is read-only: {word} (SPARQL Update) is not accepted.", 403)
        if word in FORMS:
            if reading.kind is None:
                reading.kind = FORMS[word]
                j = i + 1  # SELECT *, or SELECT DISTINCT * …: note its variables in order
                while j < len(toks) and toks[j].kind == "name" and toks[j].text.upper() in MODIFIERS:
                    j += 1
                star = {} if word == "SELECT" and j < len(toks) and toks[j].text == "*" else None
        elif word in DECLARING:
            base = _declared(toks, i, word, base, prefixes, reading)
    reading.tokens = len(toks)
    reading.columns = tuple(star or ())
    return reading


def _declared(
    toks: Sequence[Token], i: int, word: str, base: str | None, prefixes: dict[str, str], reading: Reading
) -> str | None:
    """Read what the keyword ``word`` at ``toks[i]`` declares or names (BASE, PREFIX, SERVICE,
    FROM): note it in ``prefixes`` or ``reading``; return the base IRI from now on."""
    following = toks[i + 1] if i + 1 < len(toks) else None
    if word == "BASE" and following is not None and following.kind == "iri":
        written = _iri(following)
        reading.bases.append(written)
        base = _absolute(written, base)
    elif word == "PREFIX" and following is not None and following.kind == "pname":
        namespace = toks[i + 2] if i + 2 < len(toks) else None
        if namespace is not None and namespace.kind == "iri":
            name = following.text[: following.text.index(":")]
            written = _iri(namespace)
            prefixes[name] = reading.prefixes[name] = _absolute(written, base) or written
    elif word in ("SERVICE", "FROM"):
        j = i + 1
        qualifier = "SILENT" if word == "SERVICE" else "NAMED"
        qualified = j < len(toks) and toks[j].kind == "name" and toks[j].text.upper() == qualifier
        j += 1 if qualified else 0
        iri = _target(toks[j] if j < len(toks) else None, base, prefixes)
        if word == "SERVICE":
            reading.services.append(iri)
        else:
            (reading.from_named if qualified else reading.from_graphs).append(iri)
    return base


def _second_half(toks: Sequence[Token], i: int) -> bool:
    """Whether ``toks[i]`` completes a two-character operator (``&&``, ``||``) or is part of ``^^``
    (a datatype, not an inverse path), so that it is not counted again."""
    tok = toks[i]
    prev = toks[i - 1] if i > 0 else None
    twin = prev is not None and prev.text == tok.text and prev.offset == tok.offset - 1
    if tok.text == "^":
        after = toks[i + 1] if i + 1 < len(toks) else None
        return twin or (after is not None and after.text == "^" and after.offset == tok.offset + 1)
    return twin and tok.text in "&|"


def _iri(token: Token) -> str:
    """The IRI an ``iri`` token spells, without its angle brackets, escapes resolved."""
    value = token.text[1:-1]
    return unescape_codepoints(value) if "\\" in value else value


def _absolute(iri: str, base: str | None) -> str | None:
    """``iri`` resolved against ``base`` as RFC 3986 says (as Oxigraph resolves it), or None when
    it stays relative. (``urljoin`` drops an empty query or fragment: ``y#`` keeps its ``#``.)"""
    if _SCHEME.match(iri):
        return iri
    if base is None:
        return None
    joined = urljoin(base, iri)
    if not _SCHEME.match(joined):  # a base whose scheme urljoin does not resolve against
        return None
    path, hashed, _ = iri.partition("#")
    if "?" in path and "?" not in joined.partition("#")[0]:
        joined = joined.replace("#", "?#", 1) if "#" in joined else joined + "?"
    return joined + "#" if hashed and "#" not in joined else joined


def _target(tok: Token | None, base: str | None, prefixes: Mapping[str, str]) -> str | None:
    """The absolute IRI a SERVICE/FROM target names, or None when it names none we can know."""
    if tok is None:
        return None
    if tok.kind == "iri":
        return _absolute(_iri(tok), base)
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        namespace = prefixes.get(prefix)
        if namespace is None:
            return None
        return _absolute(namespace + (local if "\\" not in local else _LOCAL_ESCAPE.sub(r"\1", local)), None)
    return None
