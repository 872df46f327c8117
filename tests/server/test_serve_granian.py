"""``kg serve --server granian`` on a project without dist/: it builds first, then answers.

The build runs pyoxigraph in the serving process; granian's worker, started after it, must still
load a store (here the merged store that ``--data`` asks for) and answer."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from helpers import FIXTURES, copy_project, start_server, stop_server

pytestmark = pytest.mark.server

EXTRA = "https://example.org/extra"


def test_granian_answers_after_building_dist_first(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "mini", tmp_path / "mini")
    extra = tmp_path / "extra.nt"
    extra.write_text(f'<{EXTRA}> <http://www.w3.org/2000/01/rdf-schema#label> "extra" .\n')
    assert not (root / "dist").exists()
    args = ["--root", str(root), "--server", "granian", "--data", str(extra)]
    server = start_server(args, tmp_path / "log", timeout=90.0)
    try:
        assert (root / "dist" / "store").is_dir()
        response = httpx.get(
            server.url + "/sparql",
            params={"query": f"ASK {{ <{EXTRA}> ?p ?o }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30.0,
        )
        assert response.status_code == 200, response.text
        assert response.json()["boolean"] is True
    finally:
        stop_server(server)
