"""A rebuilt graph is served without a restart, and the result cache forgets the old one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from helpers import FIXTURES, KG, copy_project, start_server, stop_server, wait_for

pytestmark = pytest.mark.server

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(url: str) -> tuple[int, str]:
    r = httpx.post(url + "/sparql", data={"query": QUERY}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"]), r.headers["x-cache"]


def test_rebuild_reopens_the_store_and_invalidates_the_cache(tmp_path: Path) -> None:
    root = copy_project(FIXTURES / "mini", tmp_path / "mini")
    server = start_server(["--root", str(root)], tmp_path / "log")
    try:
        before, _ = count(server.url)
        assert count(server.url) == (before, "hit")
        extra = root / "extra.nt"
        extra.write_text(
            "".join(f'<http://example.org/x{i}> <http://example.org/p> "{i}" .\n' for i in range(5))
        )
        rebuild = [*KG, "build", "--root", str(root), "--data", str(extra)]
        subprocess.run(rebuild, check=True, capture_output=True)

        def rebuilt() -> tuple[int, str] | None:
            answer = count(server.url)
            return answer if answer[0] != before else None

        after, cache = wait_for(rebuilt, 30, "the rebuilt graph served")
        assert after >= before + 5  # the extra graph (and its VoID description) is served
        assert cache == "miss"  # the first answer from the new build was computed, not cached
        assert count(server.url) == (after, "hit")
    finally:
        stop_server(server)
