"""The README's serve command answers SPARQL over the built graph (a real server)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from helpers import REPO, Server

pytestmark = pytest.mark.server


def test_count_query_from_the_readme(live_server: Server, built_repo: Path) -> None:
    readme = (REPO / "README.md").read_text()
    assert "SELECT (COUNT(*) AS ?n) WHERE {?s ?p ?o}" in readme
    r = httpx.post(
        live_server.url + "/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE {?s ?p ?o}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    info = json.loads((built_repo / "build.json").read_text())
    assert n >= info["triples"]


def test_landing_page_shows_counts(live_server: Server, built_repo: Path) -> None:
    r = httpx.get(live_server.url + "/")
    assert r.status_code == 200
    info = json.loads((built_repo / "build.json").read_text())
    assert f"{info['triples']:,} triples" in r.text
    assert 'href="/sparql"' in r.text


def test_readme_commands_are_make_targets() -> None:
    readme = (REPO / "README.md").read_text()
    makefile = (REPO / "Makefile").read_text()
    commands = re.findall(r"^make (\w[\w-]*)", readme, flags=re.M)
    assert {"serve", "test"} <= set(commands)
    for target in commands:
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci
