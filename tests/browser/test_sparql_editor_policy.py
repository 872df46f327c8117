"""The query editor under the pages' Content-Security-Policy: nothing it needs is blocked.

``/sparql`` (and a ``/sparql?query=…`` link a browser opens) is answered by the editor page with
the security headers of :mod:`kg.web.http.headers`; the browser must report no policy violation
while the page loads, runs the linked query and shows its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser

from helpers import FIXTURES, Server, copy_project, start_server, stop_server
from kg.web.http.headers import PAGE_POLICY

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("policy")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    server = start_server(["--root", str(root)], tmp / "log")
    yield server
    stop_server(server)


def test_a_query_link_runs_in_the_editor_without_a_policy_violation(browser: Browser, server: Server) -> None:
    query = "SELECT ?n WHERE { ?e a nio:Event ; rdfs:label ?n }"
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    try:
        answer = page.goto(f"{server.url}/sparql?query={quote(query)}", wait_until="networkidle")
        assert answer is not None and answer.headers["content-security-policy"] == PAGE_POLICY
        page.locator("#yasr table").first.wait_for(timeout=15_000)
        assert "NATO meets Iraq" in page.locator("#yasr").inner_text()
        page.locator(".yasqe_queryButton").first.click()  # and once more by hand
        page.wait_for_timeout(1000)
    finally:
        page.close()
    assert violations == []
