"""The ``kg`` command line: help texts, query output formats, stats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

COMMANDS = {
    "build": ["--out", "--data", "--root"],
    "validate": ["--root"],
    "query": ["--output", "table", "csv", "tsv", "json", "--dist"],
    "fmt": ["--check"],
    "stats": ["--root"],
    "serve": ["--host", "--port", "--public-url", "--data", "--query-timeout"],
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_is_accurate(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0
    for word in COMMANDS[command]:
        assert word in out, f"{command} --help does not mention {word}"


def test_top_level_help_lists_every_command() -> None:
    code, out = run("--help")
    assert code == 0
    for command in COMMANDS:
        assert f"  {command} " in out


@pytest.fixture
def built_mini(mini_project: Path) -> Path:
    code, out = run("build", "--root", str(mini_project))
    assert code == 0, out
    return mini_project


QUERY = "SELECT ?label WHERE { ?e a nio:Event ; rdfs:label ?label }"


def test_query_table(built_mini: Path) -> None:
    code, out = run("query", "--root", str(built_mini), QUERY)
    assert code == 0, out
    assert "NATO meets Iraq" in out and "(1 row)" in out


def test_query_csv_tsv_json(built_mini: Path) -> None:
    code, out = run("query", "--root", str(built_mini), "-o", "csv", QUERY)
    assert code == 0 and list(csv.reader(io.StringIO(out)))[:2] == [["label"], ["NATO meets Iraq"]]
    code, out = run("query", "--root", str(built_mini), "-o", "tsv", QUERY)
    assert code == 0 and out.splitlines()[1] == '"NATO meets Iraq"@en'
    code, out = run("query", "--root", str(built_mini), "-o", "json", QUERY)
    assert code == 0
    assert json.loads(out)["results"]["bindings"][0]["label"]["value"] == "NATO meets Iraq"


def test_query_from_file_and_malformed_query(built_mini: Path, tmp_path: Path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?e a nio:Event }")
    code, out = run("query", "--root", str(built_mini), str(rq))
    assert code == 0 and out.strip() == "true"
    code, out = run("query", "--root", str(built_mini), "SELECT ?x WHERE { ?x ")
    assert code != 0 and "malformed query" in out.lower()


def test_query_without_build_says_what_to_do(mini_project: Path) -> None:
    code, out = run("query", "--root", str(mini_project), QUERY)
    assert code != 0 and "kg build" in out


def test_stats(built_mini: Path) -> None:
    code, out = run("stats", "--root", str(built_mini))
    assert code == 0, out
    # three files, the VoID graph, the generated graph and the graph of the one source line used
    assert "named graphs:              6" in out
    assert "triples (default graph):" in out
    assert "nio:Event" in out


def test_readme_example_query_runs(built_repo: Path) -> None:
    """The example in the README is run as written (docs that run)."""
    import re

    from helpers import REPO

    readme = (REPO / "README.md").read_text()
    block = readme.split("### Example query", 1)[1]
    query = re.search(r'kg query "(.*?)"\n```', block, flags=re.S)
    assert query is not None
    code, out = run("query", "--dist", str(built_repo), query.group(1))
    assert code == 0, out
    assert "(9 rows)" in out and "2016-03-01" in out and "unitDay" in out  # nine events of 2016
