"""The query editor in Debian's headless Chromium: example tabs, a query that shows rows, nothing external."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import sync_playwright

from conftest import FIXTURES, REPO, Server, copy_project, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
EXAMPLE = """# title: Events and their dates
PREFIX nio: <https://w3id.org/nato-iraq/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label ?date WHERE { ?event a nio:Event ; rdfs:label ?label ; nio:date ?date }
"""
SECOND = "# title: Count the triples\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CHROMIUM.is_file() or not (REPO / "node_modules" / "@triply" / "yasgui").is_dir():
        pytest.fail("Debian's chromium and the npm assets are required: run `make setup-test`")
    tmp = tmp_path_factory.mktemp("browser")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    (root / "queries").mkdir()
    (root / "queries" / "cq-01-events.rq").write_text(EXAMPLE)
    (root / "queries" / "cq-02-count.rq").write_text(SECOND)
    server = start_server(["--root", str(root)], tmp / "log")
    yield server
    stop_server(server)


def test_query_editor_runs_an_example_and_stays_local(server: Server) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.goto(server.url + "/sparql", wait_until="networkidle")
            tabs = page.locator(".tabPanel, .tab a, [role=tab]").all_inner_texts()
            assert any("Events and their dates" in t for t in tabs), tabs
            assert any("Count the triples" in t for t in tabs), tabs
            page.locator(".yasqe_queryButton").first.click()
            rows = page.locator(".yasr table tbody tr")
            rows.first.wait_for(timeout=15_000)
            text = page.locator(".yasr").inner_text()
            page.screenshot(path=str(ARTIFACTS / "sparql-editor.png"), full_page=True)
            # typing where YASQE's stock autocompleters would ask prefix.cc / LOV must ask nobody
            page.locator(".CodeMirror").first.click()
            page.keyboard.press("Control+End")
            page.keyboard.type("\nPREFIX foaf: \nSELECT * WHERE { ?x a foaf:Pers ; foaf:na ?n }")
            page.wait_for_timeout(1500)
        finally:
            browser.close()
    assert "NATO meets Iraq" in text and "2020-05-01" in text
    assert requested, "the page made no request at all?"
    origin = urlsplit(server.url)
    outside = [
        u
        for u in requested
        if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != origin.netloc
    ]
    assert outside == []


def test_a_shared_query_link_opens_the_editor_under_its_security_policy(server: Server) -> None:
    """``/sparql?query=…`` in a browser: the editor (whose inline script the page policy allows)
    loads that query and runs it, and the browser reports no policy violation."""
    query = "SELECT ?label WHERE { ?event rdfs:label ?label } LIMIT 5"
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
            )
            answer = page.goto(
                server.url + "/sparql?" + urlencode({"query": query}), wait_until="networkidle"
            )
            assert answer is not None and "script-src 'self' 'unsafe-inline'" in answer.headers.get(
                "content-security-policy", ""
            )
            page.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
            text = page.locator(".yasr").inner_text()
            editor = page.locator(".CodeMirror").first.inner_text()
        finally:
            browser.close()
    assert "NATO meets Iraq" in text
    assert "rdfs:label ?label" in editor
    assert violations == []
