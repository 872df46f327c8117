"""The package on its own: a wheel built by ``python -m build``, installed without extras into a
clean virtual environment, serves the packaged graph from an empty folder.

One wheel and one virtual environment are made per session (pip uses its cache). The installed
``kg`` builds a checkout, serves the packaged graph with its pages and query editor, publishes to
a real ``oxigraph serve`` and serves that store with ``--engine``; its Python API answers from
the packaged graph as rows and as a DataFrame; every answer must match the checkout's, and the
packaged graph carries the checkout's build id.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from helpers import REPO, Server, copy_project, free_port, stop_process, wait_until_answering
from helpers.oxigraph_server import start_oxigraph, stop_oxigraph

pytestmark = [pytest.mark.install, pytest.mark.server]

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = "application/sparql-results+json"
TEST_ONLY = (
    "pytest",
    "playwright",
    "mypy",
    "ruff",
    "matplotlib",
    "build",
    "sparqlwrapper",
    "rdflib-endpoint",
)


@dataclass
class Installed:
    venv: Path
    wheel: Path
    sdist: Path
    cache: Path  # XDG_CACHE_HOME of the runs below, so the user's own cache is not touched

    @property
    def kg(self) -> str:
        return str(self.venv / "bin" / "kg")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return {**env, "XDG_CACHE_HOME": str(self.cache), "PYTHONUNBUFFERED": "1"}

    def run(self, *args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.kg, *args], cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=timeout
        )

    def serve(self, args: list[str], cwd: Path, log: Path, timeout: float = 120) -> Server:
        port = free_port()
        proc = subprocess.Popen(
            [self.kg, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=cwd,
            env=self.env(),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        wait_until_answering(proc, url + "/", log, timeout, "installed kg serve")
        return Server(url, proc, log)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel and sdist of this checkout (``python -m build``), the wheel with its ``pandas``
    extra in a clean venv."""
    tmp = tmp_path_factory.mktemp("install")
    out = tmp / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel, sdist = next(out.glob("*.whl")), next(out.glob("*.tar.gz"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", f"{wheel}[pandas]"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return Installed(venv, wheel, sdist, tmp / "cache")


@pytest.fixture(scope="session")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty-folder")


@pytest.fixture(scope="session")
def packaged_server(
    installed: Installed, empty: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The installed ``kg serve`` run from an empty folder: the packaged graph, built into the cache."""
    server = installed.serve([], empty, tmp_path_factory.mktemp("packaged") / "serve.log")
    yield server
    stop_process(server.process)


def count(url: str) -> int:
    r = httpx.post(url + "/sparql", data={"query": COUNT}, headers={"Accept": JSON}, timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_the_clean_venv_has_runtime_dependencies_and_the_pandas_extra_only(installed: Installed) -> None:
    listed = subprocess.run(
        [str(installed.venv / "bin" / "pip"), "list", "--format=json"], capture_output=True, text=True
    )
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"nato-iraq-kg", "httpx", "pyoxigraph", "fastapi", "pandas"} <= names
    assert not names & set(TEST_ONLY), names & set(TEST_ONLY)


def test_the_wheel_carries_the_sources_and_the_editor(installed: Installed) -> None:
    import zipfile

    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
    for part in ("ontology", "data", "shapes", "queries"):
        here = {p.relative_to(REPO).as_posix() for p in (REPO / part).glob("*.*") if p.name != "README.md"}
        assert {f"kg/bundle/{n}" for n in here} <= names, part
    assert "kg/bundle/data/sources/nato-relations-with-iraq.txt" in names
    assert "kg/bundle/node_modules/@triply/yasgui/build/yasgui.min.js" in names
    assert not any(n.endswith(".map") for n in names)


def test_version_help_and_publish_help(installed: Installed, empty: Path) -> None:
    from kg import __version__

    version = installed.run("--version", cwd=empty)
    assert version.returncode == 0 and __version__ in version.stdout, version.stdout + version.stderr
    helped = installed.run("publish", "--help", cwd=empty)
    assert helped.returncode == 0 and "--to" in helped.stdout, helped.stdout + helped.stderr


def test_installed_kg_builds_and_validates_a_checkout(installed: Installed, tmp_path: Path) -> None:
    project = copy_project(REPO, tmp_path / "checkout")
    built = installed.run("build", cwd=project)
    assert built.returncode == 0, built.stderr
    info = json.loads((project / "dist" / "build.json").read_text())
    from kg import __version__

    assert info["version"] == __version__ and info["build_id"].startswith(__version__ + "+")
    assert installed.run("validate", "--root", str(project), cwd=tmp_path).returncode == 0


def test_build_outside_a_project_says_no_project_was_found(installed: Installed, empty: Path) -> None:
    result = installed.run("build", cwd=empty)
    assert result.returncode != 0
    assert "no project found" in result.stderr and str(empty) in result.stderr, result.stderr
    assert not (empty / "dist").exists()


def test_serve_from_an_empty_folder_answers_like_the_checkout(
    packaged_server: Server, live_server: Server, empty: Path
) -> None:
    assert count(packaged_server.url) == count(live_server.url)
    assert list(empty.iterdir()) == []  # nothing written where it ran: the build went to the cache
    assert "using the graph packaged with kg" in packaged_server.output()


def same_page(server: Server, path: str) -> str:
    """The HTML of ``path`` with the server's address, build id and build time blanked out."""
    r = httpx.get(server.url + path, headers={"Accept": "text/html"}, follow_redirects=True, timeout=60)
    assert r.status_code == 200, (path, r.status_code)
    from kg import __version__

    text = r.text.replace(server.url, "SERVER")
    text = re.sub(re.escape(__version__) + r"\+[0-9a-f]{16}", "BUILD-ID", text)  # paths differ
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)


@pytest.mark.parametrize("path", ["/", "/sparql", "/id/event/2004-06-22-allawi-letter-of-request"])
def test_the_packaged_server_shows_the_same_pages(
    packaged_server: Server, live_server: Server, path: str
) -> None:
    """Pages, example queries and editor are those of the checkout (same sources, same graph)."""
    assert same_page(packaged_server, path) == same_page(live_server, path)


def test_the_packaged_server_has_the_editor_and_its_version(packaged_server: Server) -> None:
    from kg import __version__

    landing = same_page(packaged_server, "/")
    assert f"release {__version__}" in landing
    editor = same_page(packaged_server, "/sparql")
    scripts = re.findall(r'src="([^"]*yasgui[^"]*\.js)"', editor)
    assert scripts, "the editor page loads no YASGUI script"
    script = httpx.get(packaged_server.url + scripts[0].replace("SERVER", ""), follow_redirects=True)
    assert script.status_code == 200 and len(script.content) > 100_000


def test_kg_stats_and_query_from_an_empty_folder_use_the_packaged_graph(
    installed: Installed, packaged_server: Server, empty: Path
) -> None:
    stats = installed.run("stats", cwd=empty)
    assert stats.returncode == 0, stats.stderr
    assert f"triples (default graph):   {count(packaged_server.url):,}" in stats.stdout
    # the packaged graph is built as a checkout's is: the default graph stored, data and ontology only
    (info,) = [json.loads(p.read_text()) for p in installed.cache.glob("nato-iraq-kg/*/build.json")]
    assert info["default_graph"] == "stored" and info["triples"] == count(packaged_server.url)
    query = installed.run("query", COUNT, cwd=empty)
    assert query.returncode == 0 and str(count(packaged_server.url)) in query.stdout, query.stderr


def test_publish_then_serve_engine_against_oxigraph(
    installed: Installed,
    live_server: Server,
    built_repo: Path,
    empty: Path,
    oxigraph_bin: str,
    tmp_path: Path,
) -> None:
    store = start_oxigraph(tmp_path / "oxigraph.log", union=True)
    try:
        published = installed.run("publish", "--to", store.store_url, "--dist", str(built_repo), cwd=empty)
        assert published.returncode == 0, published.stderr
        server = installed.serve(["--engine", store.query_url], empty, tmp_path / "serve.log")
        try:
            assert count(server.url) == count(live_server.url)
        finally:
            stop_process(server.process)
    finally:
        stop_oxigraph(store)


API_SCRIPT = """
import json, sys
from kg import api
query = sys.stdin.read()
rows = api.rows(query)
frame = api.dataframe(query)
print(json.dumps({
    "module": api.__file__,
    "rows": [{k: [type(v).__name__, str(v)] for k, v in row.items()} for row in rows],
    "columns": list(frame.columns),
    "dtypes": {name: str(dtype) for name, dtype in frame.dtypes.items()},
    "frame": len(frame),
}))
"""


def test_the_python_api_answers_a_competency_query_as_rows_and_as_a_dataframe(
    installed: Installed, live_server: Server, empty: Path
) -> None:
    """From the wheel, in an empty folder: ``kg.api`` gives the checkout endpoint's rows, typed."""
    query = (REPO / "queries" / "cq-02-events-2016.rq").read_text(encoding="utf-8")
    python = str(installed.venv / "bin" / "python")
    done = subprocess.run(
        [python, "-c", API_SCRIPT], input=query, cwd=empty, env=installed.env(),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout)
    assert got["module"].startswith(str(installed.venv))  # the wheel's kg, not this checkout's
    answer = httpx.post(live_server.url + "/sparql", data={"query": query}, headers={"Accept": JSON})
    want = answer.json()["results"]["bindings"]
    assert sorted(json.dumps({k: v[1] for k, v in r.items()}, sort_keys=True) for r in got["rows"]) == sorted(
        json.dumps({k: v["value"] for k, v in r.items()}, sort_keys=True) for r in want
    )
    first = got["rows"][0]
    assert first["earliest"][0] == "date" and first["event"][0] == "str"
    assert got["frame"] == len(want) > 0 and got["columns"] == answer.json()["head"]["vars"]
    assert got["dtypes"]["earliest"].startswith("datetime64") and got["dtypes"]["date"] == "object"
    assert list(empty.iterdir()) == []


def test_the_python_api_without_pandas_gives_rows_and_says_what_to_install(
    installed: Installed, empty: Path
) -> None:
    script = (
        "import sys; sys.modules['pandas'] = None\n"
        "from kg import api\n"
        "print(len(api.rows('SELECT ?d WHERE { ?d a nio:Decision }')))\n"
        "api.dataframe('SELECT ?d WHERE { ?d a nio:Decision }')\n"
    )
    python = str(installed.venv / "bin" / "python")
    done = subprocess.run(
        [python, "-c", script], cwd=empty, env=installed.env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1 and int(done.stdout.strip()) > 0, done.stderr[-3000:]
    assert 'pip install "nato-iraq-kg[pandas]"' in done.stderr


def test_the_packaged_graph_carries_the_checkouts_build_id(
    installed: Installed, packaged_server: Server, built_repo: Path
) -> None:
    """The wheel's copy of the sources, built in the user cache, has the build id of this checkout."""
    (info,) = [json.loads(p.read_text()) for p in installed.cache.glob("nato-iraq-kg/*/build.json")]
    assert info["build_id"] == json.loads((built_repo / "build.json").read_text())["build_id"]
