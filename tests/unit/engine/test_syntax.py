"""Syntax errors read as sentences (kg.engine.syntax), from Oxigraph's own messages (unit tests)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.engine.plan import plan_query
from kg.engine.syntax import expected, explain


def message_for(query: str) -> str:
    """What the endpoint says about ``query``, which Oxigraph refuses."""
    plan = plan_query(query)
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(query, prefixes=dict(plan.prefixes))
    return explain(plan, str(caught.value))


def test_the_expected_tokens_are_listed_whole() -> None:
    said = message_for("SELECT ?x WHERE { ?x ?p ")  # Oxigraph's list holds "[", "\"" and character classes
    listed = said.split("expected one of ", 1)[1].split(".\n", 1)[0]
    for token in ("`$`", "`'`", "`'''`", "`(`", "`<<`", "`[`", '`"`', '`"""`', "`_:`", "`false`", "`FILTER`"):
        assert token in listed, said
    assert "[_]" not in said and "'0'" not in said and "u{" not in said  # no character classes


def test_punctuation_with_commas_stays_whole() -> None:
    said = message_for("SELECT ?x WHERE { ?x ?p ?o ")
    assert "expected one of `,`, `.`, `;`, `{`, `{|`, `}`, `~`." in said, said
    assert "at the end of the query" in said


def test_a_reason_is_given_as_a_reason() -> None:
    said = message_for("SELECT ?x (COUNT(?y) AS ?n) WHERE { ?x ?p ?y }")
    assert "expected The SELECT" not in said and "expected" not in said.split("^")[0].split(":", 1)[1]
    assert "the SELECT contains a variable that is unbound; with GROUP BY or an aggregate" in said
    assert "line 1, column 47" in said


def test_one_expected_keyword_and_the_token_found() -> None:
    said = message_for("SELECT ?x WHERE { ?x ?p ?o } LIMIT x")
    assert "near `x`" in said and "expected one of `HAVING`, `OFFSET`, `OPTIONAL`, `VALUES`." in said
    assert message_for("SELECT ?s WHERE { VALUES (?a ?b) { (1) } }").count("expected `UNDEF`") == 1


def test_an_unknown_prefix_is_named_with_the_known_ones() -> None:
    said = message_for("PREFIX ex: <http://example.org/> SELECT * WHERE { ?s foo:bar ?o }")
    assert "unknown prefix `foo:`; declare it with PREFIX foo: <…>" in said
    assert "`rdfs:`" in said and "this query declares `ex:`" in said


@pytest.mark.parametrize(
    ("detail", "tokens", "reasons"),
    [
        ('expected one of ",", "\\"", "[", FILTER, [\'0\'..=\'9\'], [_]', [",", '"', "[", "FILTER"], []),
        ("expected one of ['A' ..= 'Z' | ']' | ','], \"]\"", ["]"], []),
        ("expected one of IRI parsing failed, OPTIONAL", ["OPTIONAL"], ["IRI parsing failed"]),
        ("expected <unreported>", [], []),
    ],
)
def test_the_list_is_split_where_oxigraph_separates_items(
    detail: str, tokens: list[str], reasons: list[str]
) -> None:
    assert expected(detail) == (tokens, reasons)
