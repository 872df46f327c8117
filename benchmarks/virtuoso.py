"""OpenLink Virtuoso Open Source 7.2 (Debian's ``virtuoso-opensource``), started in a private folder.

Used by the tests (a store for ``kg publish`` and ``kg serve --engine``, and a peer that queries
this endpoint through ``SERVICE``) and by the benchmark (a peer endpoint: ``serve_loaded``).
``start_virtuoso`` writes a small ``virtuoso.ini`` into its folder (database, log and two free
loopback ports of its own), starts ``virtuoso-t +foreground``, waits until ``/sparql`` answers,
gives ``dba`` a password of its own and grants the SPARQL user what ``SERVICE`` needs; ``load``
bulk-loads an N-Triples file with Virtuoso's own loader. Nothing outside the folder is written.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.servers import free_port, stop_process

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
USER = "dba"
DEBIAN = "virtuoso-opensource (Debian; `make test-tools` installs it)"

INI = """; written by benchmarks/virtuoso.py: one private Virtuoso on loopback
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
MaxClientConnections = 10
CheckpointInterval = 60
NumberOfBuffers    = {buffers}
MaxDirtyBuffers    = {dirty}
MaxQueryMem        = 1G
DirsAllowed        = ., {folder}

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {folder}
ServerThreads      = {threads}
MaxClientConnections = {threads}
MaxKeepAlives      = {threads}
KeepAliveTimeout   = 10
Charset            = UTF-8

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = {cost_limit}
MaxQueryExecutionTime      = {time_limit}
{default_graph}"""

# What the SPARQL user needs for SERVICE (Virtuoso 7.2 refuses it otherwise: "Must have select
# privileges on view DB.DBA.SPARQL_SINV_2"); SPARQL_LOAD_SERVICE_DATA for the query forms that
# Virtuoso answers by loading a SERVICE's results first.
SERVICE_GRANTS = [
    'GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL"',
    'GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL"',
    'GRANT SPARQL_LOAD_SERVICE_DATA TO "SPARQL"',
]


@dataclass
class Virtuoso:
    folder: Path
    url: str
    sql_port: int
    process: subprocess.Popen[bytes]
    password: str

    @property
    def sparql_url(self) -> str:
        return self.url + "/sparql"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint that takes updates (HTTP Digest)."""
        return self.url + "/sparql-graph-crud-auth"

    @property
    def user(self) -> str:
        return USER

    def sql(self, *statements: str, timeout: float = 600) -> str:
        """Run SQL statements as dba with Virtuoso's isql; fail with its output on an error."""
        script = "".join(f"{s.rstrip(';')};\n" for s in statements)
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", USER, self.password],
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.stdout


def installed() -> bool:
    return shutil.which(VIRTUOSO) is not None and shutil.which(ISQL) is not None


def start_virtuoso(
    folder: Path,
    *,
    max_rows: int = 10_000,
    cost_limit: int = 400,
    time_limit: int = 60,
    buffers: int = 10_000,
    threads: int = 10,
    default_graph: str | None = None,
    timeout: float = 120.0,
) -> Virtuoso:
    """A new Virtuoso with an empty database in ``folder``, answering on loopback.

    ``max_rows`` (``ResultSetMaxRows``), ``cost_limit`` (``MaxQueryCostEstimationTime``, seconds;
    0: none), ``time_limit`` (``MaxQueryExecutionTime``), ``buffers`` (``NumberOfBuffers``, 8 KiB
    pages) and ``threads`` (HTTP threads and connections) are the Debian package's defaults
    unless given. ``default_graph``: the graph ``/sparql`` queries when a request names none
    (otherwise every graph, Virtuoso's own included).
    """
    if not installed():
        raise RuntimeError(f"{VIRTUOSO} and {ISQL} not found: install {DEBIAN}")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = INI.format(
        folder=folder.resolve(),
        sql_port=sql_port,
        http_port=http_port,
        buffers=buffers,
        dirty=buffers * 3 // 4,
        threads=threads,
        max_rows=max_rows,
        cost_limit=cost_limit,
        time_limit=time_limit,
        default_graph=f"DefaultGraph = {default_graph}\n" if default_graph else "",
    )
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    server = Virtuoso(folder, f"http://127.0.0.1:{http_port}", sql_port, _launch(folder), "dba")
    _wait(server, timeout)
    password = secrets.token_urlsafe(12)
    server.sql(f"USER_SET_PASSWORD ('{USER}', '{password}')", *SERVICE_GRANTS)
    server.password = password
    return server


def _launch(folder: Path) -> subprocess.Popen[bytes]:
    with (folder / "stdout.log").open("ab") as log:
        command = [VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")]
        return subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)


def _wait(server: Virtuoso, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            log = (server.folder / "stdout.log").read_text(errors="replace")
            raise RuntimeError(f"virtuoso exited:\n{log[-5000:]}")
        try:
            answer = httpx.post(server.sparql_url, data={"query": "ASK {}"}, timeout=2.0)
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_virtuoso(server)
            raise RuntimeError(f"virtuoso did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def load(server: Virtuoso, data: Path, graph: str) -> None:
    """Bulk-load the N-Triples file ``data`` into ``graph`` with Virtuoso's loader (ld_dir)."""
    local = server.folder / data.name
    if not local.exists():
        local.symlink_to(data.resolve())
    folder = str(server.folder.resolve())
    server.sql(
        f"ld_dir ('{folder}', '{data.name}', '{graph}')",
        "rdf_loader_run ()",
        "checkpoint",
        timeout=3600,
    )


def stop_virtuoso(server: Virtuoso) -> None:
    stop_process(server.process, timeout=30)


def serve_loaded(folder: Path, data: Path, graph: str, **config: Any) -> tuple[Virtuoso, float]:
    """A Virtuoso in ``folder`` serving the N-Triples file ``data`` in ``graph``, and the seconds
    its start took until it answered. The first call makes the database (``start_virtuoso`` with
    ``config``), bulk-loads the file and restarts it; later calls start it on that database."""
    saved = folder / "server.json"
    if not saved.exists():
        server = start_virtuoso(folder, **config)
        load(server, data, graph)
        stop_virtuoso(server)
        known = {"url": server.url, "sql_port": server.sql_port, "password": server.password}
        saved.write_text(json.dumps(known), encoding="utf-8")
    known = json.loads(saved.read_text(encoding="utf-8"))
    start = time.monotonic()
    server = Virtuoso(folder, known["url"], known["sql_port"], _launch(folder), known["password"])
    _wait(server, 600)
    return server, time.monotonic() - start
