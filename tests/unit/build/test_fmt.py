"""``kg fmt``: canonical Turtle, checked."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from helpers import REPO
from kg.build.turtle_order import dependents_after_parents
from kg.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_repository_is_in_canonical_form() -> None:
    code, out = run("fmt", "--check", "--root", str(REPO))
    assert code == 0, out
    assert "0 to change" in out


def test_check_fails_on_a_reformatted_copy_and_names_the_fix(mini_project: Path) -> None:
    assert run("fmt", "--root", str(mini_project))[0] == 0
    assert run("fmt", "--check", "--root", str(mini_project))[0] == 0
    target = mini_project / "data" / "mini.ttl"
    graph = Graph().parse(target)
    target.write_text(graph.serialize(format="turtle"))  # same triples, other layout
    code, out = run("fmt", "--check", "--root", str(mini_project))
    assert code == 1
    assert "would reformat" in out and "data/mini.ttl" in out
    assert "kg fmt data/mini.ttl" in out
    # fixing it restores the canonical form without changing a triple
    assert run("fmt", "--root", str(mini_project))[0] == 0
    assert run("fmt", "--check", "--root", str(mini_project))[0] == 0
    assert isomorphic(Graph().parse(target), graph)


def test_fmt_is_idempotent_and_keeps_the_header(mini_project: Path) -> None:
    target = mini_project / "data" / "mini.ttl"
    target.write_text("# Licence: CC BY 4.0\n" + target.read_text())
    assert run("fmt", "--root", str(mini_project))[0] == 0
    once = target.read_text()
    assert once.startswith("# Licence: CC BY 4.0\n")
    assert run("fmt", "--root", str(mini_project))[0] == 0
    assert target.read_text() == once


def test_fmt_reports_syntax_errors_with_position(mini_project: Path) -> None:
    target = mini_project / "data" / "mini.ttl"
    target.write_text(target.read_text() + "\nevent:x a a a .\n")
    code, out = run("fmt", "--check", "--root", str(mini_project))
    assert code == 1
    assert "data/mini.ttl:" in out and "syntax error" in out


def _subject_blocks(text: str) -> list[str]:
    """The prefixed names that start a subject block, in file order."""
    return [
        line.split()[0]
        for line in text.splitlines()
        if line[:1].isalpha() and not line.startswith(("PREFIX", "BASE"))
    ]


def test_each_participation_follows_its_event() -> None:
    path = REPO / "data" / "events.ttl"
    graph = Graph().parse(path)
    order = _subject_blocks(path.read_text(encoding="utf-8"))
    nio = "https://w3id.org/nato-iraq/ontology#"
    # an event states its participations in its line blocks (nio:fromLine [ … nio:hasParticipation … ])
    owner = {block: event for event, block in graph.subject_objects(URIRef(nio + "fromLine"))}
    pairs = {(owner[block], part) for block, part in graph.subject_objects(URIRef(nio + "hasParticipation"))}
    assert len(pairs) > 50
    for event, participation in pairs:
        event_name, part_name = graph.qname(event), graph.qname(participation)
        start = order.index(event_name)
        group = order[start + 1 :]
        # between the event and its participation only other participations of the same event
        between = group[: group.index(part_name)]
        owned = {graph.qname(p) for e, p in pairs if e == event}
        assert set(between) <= owned, (event_name, part_name, between)


def test_line_blocks_are_in_line_order_and_start_with_their_line(mini_project: Path) -> None:
    target = mini_project / "data" / "lines.ttl"
    target.write_text(
        "@prefix nio: <https://w3id.org/nato-iraq/ontology#> .\n"
        "@prefix event: <https://w3id.org/nato-iraq/id/event/> .\n"
        "event:x nio:fromLine [ nio:eventType event:b ; nio:sourceLine 66 ] , "
        "[ nio:sourceLine 12 ; nio:eventType event:a ] , "
        "[ nio:eventType event:c ; nio:sourceLine 26 ] .\n"
    )
    assert run("fmt", "--root", str(mini_project))[0] == 0
    text = target.read_text()
    assert text.index("nio:sourceLine 12") < text.index("nio:sourceLine 26") < text.index("nio:sourceLine 66")
    for n in (12, 26, 66):  # each block opens with its line, before what the line says
        block = text[text.index(f"nio:sourceLine {n}") - 40 : text.index(f"nio:sourceLine {n}")]
        assert block.rstrip().endswith("["), block
    once = text
    assert run("fmt", "--root", str(mini_project))[0] == 0
    assert target.read_text() == once


def test_dependents_are_grouped_after_their_parent_and_the_rest_keeps_its_order() -> None:
    order = ["a", "b", "c", "x", "y", "z"]
    parent = {"x": "b", "z": "b", "y": "x", "c": "c2"}
    assert dependents_after_parents(order, parent) == ["a", "b", "x", "y", "z", "c"]
    # a cycle of parents is started by its earliest member
    assert dependents_after_parents(["p", "q", "r"], {"p": "q", "q": "p"}) == ["p", "q", "r"]
