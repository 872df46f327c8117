"""A real Oxigraph server (the ``oxigraph`` binary of the PyPI package ``oxigraph``) for the tests.

``start_oxigraph`` runs ``oxigraph serve`` (read-write; in memory, or in a folder) or
``oxigraph serve-read-only`` on a free loopback port and waits until it answers; stop it with
``stop_oxigraph``. ``/query`` is its SPARQL endpoint and ``/store`` its Graph Store Protocol one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import free_port

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
REASON = "needs the oxigraph server binary (PyPI package oxigraph, in the dev extras)"


@dataclass
class Oxigraph:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def store_url(self) -> str:
        return self.url + "/store"


def load(location: Path, *files: Path) -> None:
    """Load RDF ``files`` into a new Oxigraph store in ``location`` (for serve-read-only)."""
    assert OXIGRAPH is not None, REASON
    args = [a for f in files for a in ("--file", str(f))]
    subprocess.run([OXIGRAPH, "load", "--location", str(location), *args], check=True, capture_output=True)


def start_oxigraph(
    log: Path, location: Path | None = None, *, read_only: bool = False, union: bool = False
) -> Oxigraph:
    """``oxigraph serve`` (or ``serve-read-only``) on 127.0.0.1, answering within 10 s."""
    assert OXIGRAPH is not None, REASON
    port = free_port()
    cmd = [OXIGRAPH, "serve-read-only" if read_only else "serve", "--bind", f"127.0.0.1:{port}"]
    if location is not None:
        cmd += ["--location", str(location)]
    if union:
        cmd.append("--union-default-graph")
    fh = log.open("wb")
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1.0)
            return Oxigraph(url, proc, log)
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"oxigraph did not answer within 10 s:\n{log.read_text(errors='replace')}")


def stop_oxigraph(server: Oxigraph) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
