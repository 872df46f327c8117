"""Start and stop the endpoints compared: this one, the same endpoint as an earlier commit has it
(``before``: a git worktree of that commit, run by this virtual environment's Python), Oxigraph's
server, OpenLink Virtuoso, stock rdflib-endpoint, and the floor (benchmarks/floor.py: the same
design with none of its rules)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

BIN = Path(sys.executable).parent
PEERS = ("ours", "before", "floor", "oxigraph", "virtuoso", "rdflib")
BENCH_GRAPH = "urn:x-kg:benchmark"  # the graph Virtuoso loads the generated data into and queries
REPO = Path(__file__).resolve().parents[1]
OURS = ("ours", "granian", "before")  # this endpoint (uvicorn; granian: --server granian; an earlier commit)


@dataclass
class Endpoint:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    started_in: float = 0.0
    settled_in: float = 0.0  # from its first answer until it stopped working on its own


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(endpoint: Endpoint, log: Path, timeout: float) -> Endpoint:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if endpoint.process.poll() is not None:
            raise RuntimeError(f"{endpoint.name} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            r = httpx.post(
                endpoint.url,
                data={"query": "ASK {}"},
                timeout=2.0,
                headers={"Accept": "application/sparql-results+json"},
            )
            if r.status_code == 200:
                endpoint.started_in = time.monotonic() - start
                return endpoint
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    stop(endpoint)
    raise RuntimeError(f"{endpoint.name} did not answer within {timeout:.0f} s")


def loaded(data: Path, work: Path) -> Path:
    """``data`` loaded by Oxigraph into a store under ``work``, once: Oxigraph's server and the
    floor serve the same store, one after the other."""
    store = work / f"oxigraph-{data.stem}"
    if not store.exists():
        subprocess.run(
            [str(BIN / "oxigraph"), "load", "--location", str(store), "--file", str(data)],
            check=True,
            capture_output=True,
        )
    return store


def start(name: str, data: Path, work: Path, workers: int) -> Endpoint:
    """Start peer ``name`` over the N-Triples file ``data``; ``work`` holds its logs and store."""
    port = free_port()
    log = work / f"{name}.log"
    env = dict(os.environ)
    if name in OURS:
        # every benchmark connection comes from 127.0.0.1: let that one client use every worker
        env["KG_CLIENT_QUERIES"] = str(workers)
        code = REPO if name != "before" else work / "before"  # see checkout()
        root = work / f"project-{name}"  # the mini fixture project, built once, plus the generated data
        if not root.exists():
            shutil.copytree(code / "tests" / "fixtures" / "mini", root)
            (root / "pyproject.toml").write_text("# benchmark project\n")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code / "src"), env.get("PYTHONPATH")]))
        cmd = [
            sys.executable,
            "-m",
            "kg.cli",
            "serve",
            "--root",
            str(root),
            "--data",
            str(data),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            *(["--server", "granian"] if name == "granian" else []),
        ]
        url = f"http://127.0.0.1:{port}/sparql"
    elif name == "oxigraph":
        cmd = [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            str(loaded(data, work)),
            "--bind",
            f"127.0.0.1:{port}",
        ]
        url = f"http://127.0.0.1:{port}/query"
    elif name == "floor":
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        cmd = [sys.executable, "-m", "benchmarks.floor", "serve", str(loaded(data, work))]
        cmd += ["--port", str(port), "--workers", str(workers)]
        url = f"http://127.0.0.1:{port}/sparql"
    elif name == "virtuoso":
        # loaded once per file by its bulk loader into one graph that /sparql queries by default;
        # memory as its own virtuoso.ini advises for 2 GB (NumberOfBuffers 170,000), an HTTP
        # thread for every connection, no row limit below the answers, no query refused on its
        # cost estimate
        from benchmarks.virtuoso import serve_loaded

        config = {"max_rows": 10**7, "cost_limit": 0, "time_limit": 0, "buffers": 170_000, "threads": 20}
        server, took = serve_loaded(
            work / f"virtuoso-{data.stem}", data, BENCH_GRAPH, default_graph=BENCH_GRAPH, **config
        )
        return settle(Endpoint(name, server.sparql_url, server.process, started_in=took))  # it answers
    elif name == "rdflib":
        cmd = [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1", "--port", str(port)]
        url = f"http://127.0.0.1:{port}/"
    else:
        raise ValueError(name)
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=work, env=env)
    return settle(_wait(Endpoint(name, url, process), log, timeout=1800))


def checkout(work: Path, rev: str) -> str:
    """A git worktree of commit ``rev`` at ``work``/before, for the ``before`` peer; its commit."""
    folder = work / "before"
    if not folder.exists():
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), rev],
            check=True,
            capture_output=True,
        )
    out = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return out.stdout.strip()


def remove_checkout(work: Path) -> None:
    if (work / "before").exists():
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(work / "before")], check=False
        )


def cpu_seconds(endpoint: Endpoint) -> float:
    """CPU time (user and system) used so far by the endpoint's process and its children that
    are running now (this endpoint's query workers)."""
    total = 0.0
    with contextlib.suppress(psutil.Error):
        main = psutil.Process(endpoint.process.pid)
        for proc in [main, *main.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
    return total


def settle(endpoint: Endpoint, timeout: float = 1800.0, idle: float = 0.05) -> Endpoint:
    """Wait until ``endpoint`` has done what it does by itself after start-up (this one computes
    its pages' data in the background, on its query workers): until its processes use less than
    ``idle`` of a core over a second, so that no measurement shares the machine with that work."""
    start = time.monotonic()
    used = cpu_seconds(endpoint)
    while time.monotonic() - start < timeout:
        time.sleep(1.0)
        now = cpu_seconds(endpoint)
        if now - used < idle:
            break
        used = now
    endpoint.settled_in = time.monotonic() - start
    return endpoint


def stop(endpoint: Endpoint) -> None:
    stop_process(endpoint.process)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Ask ``process`` to stop; kill it if it has not within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {
        name: version(name) for name in ("pyoxigraph", "rdflib", "rdflib-endpoint", "fastapi", "uvicorn")
    }
    with contextlib.suppress(ImportError):  # PackageNotFoundError: granian is optional
        found["granian"] = version("granian")
    out = subprocess.run([str(BIN / "oxigraph"), "--version"], capture_output=True, text=True)
    found["oxigraph server"] = out.stdout.strip().removeprefix("oxigraph ")
    if shutil.which("virtuoso-t"):
        said = subprocess.run(["virtuoso-t", "--help"], capture_output=True, text=True)
        line = next((x for x in (said.stdout + said.stderr).splitlines() if x.startswith("Version ")), "")
        found["virtuoso"] = line.removeprefix("Version ").split(" ", 1)[0]
    found["python"] = sys.version.split()[0]
    return found
