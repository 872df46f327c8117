"""Helpers the tests share: the repository's paths, the tools the tests need, a throw-away copy of
a project, ``kg serve`` on a free loopback port, and waiting for a condition. Fixtures live in
``tests/conftest.py``; tests import these by name (``from helpers import REPO, start_server``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KG = [sys.executable, "-m", "kg.cli"]
T = TypeVar("T")
POLL = 0.02  # seconds between two looks at a condition
# The service's promise to a bystander while others send the worst they can: an answer within half a
# second (a request deadline, given to the client as its timeout). A bystander's answer normally
# takes a few milliseconds, so the margin is about a hundredfold: a slower answer means the server
# made the bystander wait for the attack, not that the machine is busy.
BYSTANDER_DEADLINE = 0.5


# Tools the tests need beside Python. A missing one fails the tests that use it (never a skip):
# `make setup-test` installs them all.
JENA = REPO / "tools" / "jena"  # the repository's launcher for Debian's Apache Jena
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium, driven by playwright
COMUNICA = REPO / "node_modules" / ".bin" / "comunica-sparql"  # npm dev dependency
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
SETUP_HINT = "run `make setup-test`, which installs every tool the tests use"


def missing(what: str) -> None:
    pytest.fail(f"required test tool missing: {what}; {SETUP_HINT}", pytrace=False)


def copy_project(src: Path, dest: Path) -> Path:
    """A copy of the hand-edited parts of a project (ontology/, data/, shapes/, queries/)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in ("ontology", "data", "shapes", "queries"):
        if (src / part).is_dir():
            shutil.copytree(src / part, dest / part)
    (dest / "pyproject.toml").write_text("# test project\n")
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(args: list[str], log: Path, timeout: float = 60.0, cwd: Path = REPO) -> Server:
    """Start ``kg serve ARGS`` on a free loopback port and wait until it answers."""
    port = free_port()
    fh = log.open("wb")
    proc = subprocess.Popen(
        [*KG, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=cwd,
        stdout=fh,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_answering(proc, url + "/", log, timeout, "server")
    return Server(url, proc, log)


def wait_until_answering(
    proc: subprocess.Popen[bytes], probe: str, log: Path, timeout: float, name: str
) -> None:
    """Poll ``probe`` until it answers below 500; fail with the process's log if it exits or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(probe, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(POLL)
    proc.kill()
    raise RuntimeError(f"{name} did not answer within {timeout} s:\n{log.read_text(errors='replace')}")


def wait_for(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    """Look at ``condition`` until it holds and return its (true) value. Tests wait for what they
    can observe, never for a fixed time: ``timeout`` only bounds a wait for something that does
    not happen (the test then fails, naming ``what``), so make it generous."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:g} s: {what}", pytrace=False)
        time.sleep(POLL)
    return value


async def wait_for_async(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    """:func:`wait_for` inside a coroutine: the event loop runs while it waits."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout:g} s: {what}", pytrace=False)
        await asyncio.sleep(POLL)
    return value


def workers(pid: int) -> dict[int, str]:
    """The child processes of process ``pid`` (a server's query workers) that have not ended, and
    their states: ``psutil.STATUS_RUNNING`` while one evaluates a query, sleeping while it waits."""
    found = {}
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if (status := child.status()) != psutil.STATUS_ZOMBIE:
                found[child.pid] = status
    return found


def wait_until_running(pid: int, queries: int = 1) -> None:
    """Until ``queries`` of process ``pid``'s workers are evaluating a query (a worker starting up
    runs too: wait for :func:`wait_until_idle` first when one may be)."""
    wait_for(
        lambda: list(workers(pid).values()).count(psutil.STATUS_RUNNING) >= queries,
        30,
        f"{queries} worker(s) evaluating a query",
    )


def wait_until_idle(pid: int, count: int) -> None:
    """Until process ``pid`` has ``count`` workers, all waiting for a query: those killed by an
    earlier test replaced, and their replacements started."""
    wait_for(
        lambda: len(now := workers(pid)) == count and set(now.values()) == {psutil.STATUS_SLEEPING},
        30,
        f"{count} idle workers",
    )


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def stop_server(server: Server) -> None:
    stop_process(server.process)
