"""A real Oxigraph server (the ``oxigraph`` binary of the PyPI package ``oxigraph``) for the tests.

``start_oxigraph`` runs ``oxigraph serve`` (read-write; in memory, or in a folder) or
``oxigraph serve-read-only`` on a free loopback port and waits until it answers; stop it with
``stop_oxigraph``. ``/query`` is its SPARQL endpoint and ``/store`` its Graph Store Protocol one.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpers import OXIGRAPH, free_port, stop_process, wait_until_answering

REASON = "needs the oxigraph server binary (PyPI package oxigraph, in the test extra): run `make setup-test`"


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
    wait_until_answering(proc, url + "/query?query=ASK%7B%7D", log, 10, "oxigraph")
    return Oxigraph(url, proc, log)


def stop_oxigraph(server: Oxigraph) -> None:
    stop_process(server.process)
