"""A first run without rough edges: a busy port said in one line, before anything is built or
announced; Ctrl-C stops the server cleanly (no traceback from it or its workers, no false error),
also when it comes right after start-up."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from helpers import KG, REPO, free_port, wait_for, wait_until_answering

pytestmark = pytest.mark.server

NOISE = ("Traceback", "KeyboardInterrupt", "too complex", "Error", "exception")


def test_a_busy_port_is_said_in_one_line_with_the_way_out(mini_project: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*KG, "serve", "--root", str(mini_project), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines  # nothing built, nothing announced, no traceback
    assert f"port {port}" in lines[0] and "in use" in lines[0] and f"--port {port + 1}" in lines[0]
    assert not (mini_project / "dist").exists()


@pytest.fixture(scope="module")
def root(built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's graph, whose pages' data takes the workers a moment after start-up."""
    root = tmp_path_factory.mktemp("first-run")
    for part in ("ontology", "data", "shapes", "queries"):
        (root / part).symlink_to(REPO / part)
    (root / "dist").symlink_to(built_repo)
    (root / "pyproject.toml").write_text("# test root\n")
    return root


def serve_in_a_terminal(root: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``kg serve`` in a process group of its own, as a terminal runs it (Ctrl-C reaches the group)."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*KG, "serve", "--root", str(root), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    return process, f"http://127.0.0.1:{port}"


def ctrl_c(process: subprocess.Popen[bytes]) -> int:
    os.killpg(process.pid, signal.SIGINT)
    return process.wait(timeout=30)


def test_ctrl_c_stops_the_server_cleanly(root: Path, tmp_path: Path) -> None:
    process, url = serve_in_a_terminal(root, tmp_path / "log")
    wait_until_answering(process, url + "/", tmp_path / "log", 60, "kg serve")
    assert httpx.get(url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    assert ctrl_c(process) == 0
    output = (tmp_path / "log").read_text()
    assert not [word for word in NOISE if word in output], output


def test_ctrl_c_right_after_start_up_is_clean(root: Path, tmp_path: Path) -> None:
    """The pages' data is still being computed on the workers when Ctrl-C comes."""
    process, _ = serve_in_a_terminal(root, tmp_path / "log")
    log = tmp_path / "log"
    wait_for(
        lambda: "Application startup complete" in log.read_text() or process.poll() is not None,
        60,
        "kg serve started",
    )
    assert process.poll() is None, log.read_text()
    assert ctrl_c(process) == 0
    output = (tmp_path / "log").read_text()
    assert not [word for word in NOISE if word in output], output
