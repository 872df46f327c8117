"""Shared fixtures: the repository, a throw-away copy of a project, built output, the app in this
process (``site``), live servers."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest

from helpers import (
    CHROMIUM,
    COMUNICA,
    FIXTURES,
    JENA,
    OXIGRAPH,
    REPO,
    Server,
    copy_project,
    missing,
    start_server,
    stop_server,
)

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from benchmarks.virtuoso import Virtuoso
    from helpers.inprocess import Pages


@pytest.fixture(scope="session")
def jena() -> Path:
    """``tools/jena`` (Debian's Apache Jena with the class-path fixes), checked once to run."""
    result = subprocess.run([str(JENA), "riot", "--version"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        missing(f"Apache Jena ({JENA} riot --version said: {(result.stderr or result.stdout).strip()})")
    return JENA


@pytest.fixture(scope="session")
def oxigraph_bin() -> str:
    """The ``oxigraph`` server binary (PyPI package oxigraph, in the test extra)."""
    if OXIGRAPH is None:
        missing("the oxigraph server binary (PyPI package oxigraph, in the test extra)")
    assert OXIGRAPH is not None
    return OXIGRAPH


@pytest.fixture(scope="session")
def comunica() -> list[str]:
    """The command that runs Comunica's ``comunica-sparql`` with Node.js."""
    node = shutil.which("node")
    if node is None or not COMUNICA.exists():
        missing(f"Node.js and Comunica (npm @comunica/query-sparql at {COMUNICA})")
    assert node is not None
    return [node, str(COMUNICA)]


@pytest.fixture(scope="session")
def rscript() -> str:
    """Debian's R (``Rscript``) with httr2 and jsonlite, for the R example."""
    found = shutil.which("Rscript")
    check = [found or "Rscript", "-e", "library(httr2); library(jsonlite)"]
    if found is None or subprocess.run(check, capture_output=True, check=False).returncode != 0:
        missing("R with httr2 and jsonlite (Debian r-base-core, r-cran-httr2, r-cran-jsonlite)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """OpenLink Virtuoso 7.2 (Debian's virtuoso-opensource) in a private folder with its own
    virtuoso.ini and free loopback ports, empty, for the whole session (``benchmarks.virtuoso``)."""
    from benchmarks.virtuoso import installed, start_virtuoso, stop_virtuoso

    if not installed():
        missing("OpenLink Virtuoso (Debian virtuoso-opensource: virtuoso-t and isql-vt)")
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop_virtuoso(server)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's headless Chromium."""
    if not CHROMIUM.is_file():
        missing(f"Debian's chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With CI=true every test must run: a skip is reported as a failure."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true (every test must run): {report.longrepr}"


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """A copy of the tiny fixture project, safe to break."""
    return copy_project(FIXTURES / "mini", tmp_path / "mini")


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of this repository's ontology/, data/, shapes/ and queries/, safe to break."""
    return copy_project(REPO, tmp_path / "repo")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (Debian's, through Playwright) for a module's browser tests; one module at
    a time, as Playwright's sync API allows one instance per thread."""
    from helpers.browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def store(built_repo: Path) -> ox.Store:
    """The built graph's Oxigraph store, read-only (the tests that query the graph directly)."""
    return ox.Store.read_only(str(built_repo / "store"))


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's graph built once per session into a temporary dist/ (returns that dist/)."""
    from kg.build.pipeline import build

    out = tmp_path_factory.mktemp("built") / "dist"
    build(REPO, out)
    return out


@pytest.fixture(scope="session")
def site(built_repo: Path) -> Iterator[TestClient]:
    """The whole app over this repository's built graph, in this process (the in-process tier, see
    ``inprocess``): what ``live_server`` serves, without a server. Entered as a context manager, so
    the app's start-up (the engine's, the page data's) runs as under a server. Like ``httpx.get``,
    it does not follow redirects."""
    from helpers.inprocess import client

    with client(REPO, dist=built_repo, follow_redirects=False) as c:
        yield c


@pytest.fixture(scope="session")
def html_pages(site: TestClient) -> Pages:
    """``site``'s HTML pages, each fetched once per session (see ``inprocess.Pages``)."""
    from helpers.inprocess import Pages

    return Pages(site)


@pytest.fixture(scope="session")
def live_server(built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``kg serve`` over this repository's built graph, for the whole session."""
    root = tmp_path_factory.mktemp("serve-root")
    # serve the session's build: a root whose dist/ is the built output
    for part in ("ontology", "data", "shapes", "queries"):
        if (REPO / part).is_dir():
            (root / part).symlink_to(REPO / part)
    (root / "dist").symlink_to(built_repo)
    (root / "pyproject.toml").write_text("# test root\n")
    server = start_server(["--root", str(root)], tmp_path_factory.mktemp("logs") / "server.log")
    yield server
    stop_server(server)
