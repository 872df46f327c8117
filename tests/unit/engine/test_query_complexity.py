"""Query pre-checks are linear-time and refuse what would overflow the engine (unit tests, no server)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest

from helpers.queries import KINDS, chain
from kg.defaults import MAX_CHAIN, MAX_TOKENS
from kg.engine import lexer
from kg.engine.guard import read
from kg.engine.lexer import tokens
from kg.engine.results import QueryError

N = 10_000


@pytest.mark.parametrize("kind", KINDS)
def test_every_long_chain_is_refused_with_the_limit_named(kind: str) -> None:
    with pytest.raises(QueryError) as caught:
        read(chain(kind, N), max_depth=200)
    assert caught.value.status == 400
    assert f"limit {MAX_CHAIN}" in caught.value.message, caught.value.message


@pytest.mark.parametrize("kind", KINDS)
def test_chains_of_real_query_size_pass(kind: str) -> None:
    assert read(chain(kind, 300), max_depth=200).kind in ("solutions", "boolean")


def test_typed_literals_and_long_values_blocks_are_not_chains() -> None:
    rows = " ".join(f'"2020-01-{i % 28 + 1:02d}"^^xsd:date' for i in range(5000))
    assert read(f"SELECT * WHERE {{ VALUES ?d {{ {rows} }} }}", max_depth=200).kind == "solutions"


def test_too_many_tokens_is_refused_without_reading_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "SELECT * WHERE { " + "?s ?p ?o . " * 100_000 + "}"
    scanned = 0
    real = lexer._scan

    def counting(t: str) -> Iterator[lexer.Token]:
        nonlocal scanned
        for token in real(t):
            scanned += 1
            yield token

    monkeypatch.setattr(lexer, "_scan", counting)
    with pytest.raises(QueryError) as caught:
        read(text, max_depth=200, max_chain=10**9)
    assert caught.value.status == 400 and f"more than {MAX_TOKENS} tokens" in caught.value.message
    assert scanned == MAX_TOKENS + 1  # of the 400,000 tokens in the text


PATHOLOGICAL = {
    "hyphens": "SELECT * WHERE { " + "a-" * 32_000 + "a }",
    "dots": "a" + "." * 200_000,
    "long-quotes": "'''" + "''x" * 60_000,
    "angles": "<a" * 100_000,
    "bnodes": "_:a." * 50_000,
    "colons": "a-:-" * 50_000,
    "long-string": '"""' + 'a""' * 60_000,
    "escapes": "a:%4" * 50_000,
    "prefix-dots": "a." * 100_000 + ":",
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_tokenizer_is_linear(name: str) -> None:
    """Tokenizing twice the text takes about twice the work, not four times (a quadratic rule once
    took 44 s for 64 KB). Counted in this thread's CPU time, which other processes hardly change,
    the least of five runs each."""
    text = PATHOLOGICAL[name]

    def work(t: str) -> float:
        start = time.thread_time()
        tokens(t)
        return time.thread_time() - start

    gc.disable()  # (collections of the growing token list would blur the tokenizer's own work)
    try:
        rounds = [(work(text[: len(text) // 2]), work(text)) for _ in range(5)]  # (interleaved)
    finally:
        gc.enable()
    half, full = min(h for h, _ in rounds), min(f for _, f in rounds)
    assert full < 3.2 * half + 0.02, f"half {half:.3f} s, full {full:.3f} s: not linear"


def test_prefixed_names_still_read_as_before() -> None:
    text = "PREFIX a.b: <x:> SELECT * { ?s a foaf:Person. ?s ex:a\\.b. _:b1. ?x ex:p 1.5e3, ?y:z ; :p ?o }"
    found = [(t.kind, t.text) for t in tokens(text)]
    assert ("pname", "a.b:") in found and ("pname", "foaf:Person") in found
    assert ("pname", "ex:a\\.b") in found and ("bnode", "_:b1") in found
    assert ("var", "?y") in found and ("pname", ":z") in found and ("number", "1.5e3") in found
    assert [t.text for t in tokens("ex:a-b-c.")] == ["ex:a-b-c", "."]
    assert [t.text for t in tokens("ex:x\\.")] == ["ex:x\\."]
    split = [(t.kind, t.text) for t in tokens("a-SERVICE")]
    assert split == [("name", "a"), ("other", "-"), ("name", "SERVICE")]
