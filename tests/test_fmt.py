"""``kg fmt``: canonical Turtle, checked."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import REPO
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
