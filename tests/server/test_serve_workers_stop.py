"""Ctrl-C stops the server cleanly on the workers' side: no traceback from a worker process, no
query reported as having crashed its worker, no worker left running (kg.engine.process,
kg.engine.worker, kg.engine.pool)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import httpx
import psutil
import pytest

from helpers import FIXTURES, KG, copy_project, free_port, wait_until_answering, wait_until_running

pytestmark = pytest.mark.server
HOG = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + "".join(f"VALUES ?{v} {{ {' '.join(str(i) for i in range(300))} }} " for v in "abcd")
    + "}"
)
WORKER_TROUBLE = ("KeyboardInterrupt", "kg/engine/worker.py", "Traceback", "too complex, or over the memory")


def serve_in_a_terminal_group(root: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``kg serve`` as a terminal runs it: in a process group of its own, which Ctrl-C signals
    whole (a short query time limit: the server lets a running query end before it stops)."""
    port = free_port()
    args = ["--root", str(root), "--host", "127.0.0.1", "--port", str(port), "--query-timeout", "3"]
    proc = subprocess.Popen(
        [*KG, "serve", *args],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_answering(proc, url + "/", log, 60, "server")
    return proc, url


def ctrl_c(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """Send SIGINT to the server's process group, as the terminal does; return its workers as
    they were, and wait for the server to end."""
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "the server should have started its query workers"
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)
    return workers


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project(FIXTURES / "mini", tmp_path / "mini")


def test_ctrl_c_right_after_start_up(root: Path, tmp_path: Path) -> None:
    """At once after the first answer (the pages' data is still being prepared by the workers)."""
    log = tmp_path / "log"
    proc, _ = serve_in_a_terminal_group(root, log)
    workers = ctrl_c(proc)
    output = log.read_text(errors="replace")
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
    for trouble in WORKER_TROUBLE:
        assert trouble not in output, output


def test_ctrl_c_while_a_long_query_runs(root: Path, tmp_path: Path) -> None:
    log = tmp_path / "log"
    proc, url = serve_in_a_terminal_group(root, log)
    answers: list[httpx.Response | Exception] = []

    def long_query() -> None:
        try:
            answers.append(httpx.post(url + "/sparql", data={"query": HOG}, timeout=60))
        except httpx.HTTPError as err:  # the server went away first
            answers.append(err)

    thread = threading.Thread(target=long_query)
    thread.start()
    wait_until_running(proc.pid)
    workers = ctrl_c(proc)
    thread.join()
    output = log.read_text(errors="replace")
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
    for trouble in WORKER_TROUBLE:
        assert trouble not in output, output
    answer = answers[0]
    if isinstance(answer, httpx.Response):  # answered before the server closed: not as a crash
        assert answer.status_code == 503 and "too complex" not in answer.text, answer.text
