"""The query editor in Debian's headless Chromium: the examples as questions, predeclared prefixes,
local links with labels in the results, readable parse errors, ``/sparql?query=`` links, edits kept
across reloads, nothing fetched off the server, no serious accessibility violation."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from helpers import FIXTURES, REPO, Server, copy_project, start_server, stop_server
from helpers.browser import new_page, off_server, overflow, screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

EXAMPLE = """# title: Events and their dates
# question: Which events happened, and when?
PREFIX nio: <https://w3id.org/nato-iraq/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?date WHERE { ?event a nio:Event ; nio:date ?date }
"""
SECOND = "# title: Count the triples\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (REPO / "node_modules" / "@triply" / "yasgui").is_dir():
        pytest.fail("the npm assets are required: run `make setup`")
    tmp = tmp_path_factory.mktemp("browser")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    (root / "queries").mkdir()
    (root / "queries" / "cq-01-events.rq").write_text(EXAMPLE)
    (root / "queries" / "cq-02-count.rq").write_text(SECOND)
    server = start_server(["--root", str(root)], tmp / "log")
    yield server
    stop_server(server)


def editor(browser: Browser, url: str, requested: list[str], width: int = 1280) -> Page:
    page = new_page(browser, width, requested)
    page.goto(url, wait_until="networkidle")
    page.locator(".CodeMirror").first.wait_for()
    return page


def set_query(page: Page, text: str) -> None:
    page.evaluate("(text) => document.querySelector('.CodeMirror').CodeMirror.setValue(text)", text)


def get_query(page: Page) -> str:
    return str(page.evaluate("() => document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def run(page: Page) -> None:
    page.locator(".yasqe_queryButton").first.click()


def test_examples_are_listed_as_questions_without_prefix_lines(browser: Browser, server: Server) -> None:
    requested: list[str] = []
    page = editor(browser, server.url + "/sparql", requested)
    try:
        questions = page.locator("nav.examples li").all_inner_texts()
        assert questions == ["Which events happened, and when?", "Count the triples"]
        assert page.locator("header.site a.home").inner_text() == "NATO–Iraq knowledge graph"
        page.locator("nav.examples a", has_text="Count the triples").click()
        value = get_query(page)
        assert "COUNT(*)" in value
        page.locator("nav.examples a", has_text="Which events happened").click()
        value = get_query(page)
        assert "nio:Event" in value and "PREFIX" not in value
        assert page.locator(".parseErrorIcon").count() == 0, "the editor flags a predeclared prefix"
        assert serious_violations(page) == []
        assert off_server(requested, server.url) == []
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_predeclared_prefix_query_runs_and_links_results_locally_with_labels(
    browser: Browser, server: Server, width: int
) -> None:
    requested: list[str] = []
    page = editor(browser, server.url + "/sparql", requested, width)
    try:
        set_query(page, "SELECT ?event ?date WHERE { ?event a nio:Event ; nio:date ?date }")
        assert page.locator(".parseErrorIcon").count() == 0, "the editor flags nio: as undeclared"
        run(page)
        link = page.locator("#yasr a.iri").first
        link.wait_for(timeout=15_000)
        screenshot(page, f"sparql-editor-{width}")
        assert link.inner_text() == "NATO meets Iraq"
        assert link.get_attribute("href") == "/id/event/2020-05-01-meeting"
        text = page.locator("#yasr").inner_text()
        assert "2020-05-01" in text and "xsd:" not in text and "^^" not in text
        assert overflow(page) <= 0
        assert serious_violations(page) == []
        # typing where YASQE's stock autocompleters would ask prefix.cc / LOV must ask nobody
        page.locator(".CodeMirror").first.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\nPREFIX foaf: \nSELECT * WHERE { ?x a foaf:Pers ; foaf:na ?n }")
        page.wait_for_timeout(1000)
        assert off_server(requested, server.url) == []
    finally:
        page.close()


def test_syntax_error_shows_line_and_column(browser: Browser, server: Server) -> None:
    page = editor(browser, server.url + "/sparql", [])
    try:
        set_query(page, "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER( }")
        run(page)
        box = page.locator("#query-error")
        box.wait_for(timeout=15_000)
        screenshot(page, "sparql-editor-error")
        assert "line 3, column" in box.inner_text()
        assert page.locator(".error-line").count() >= 1
    finally:
        page.close()


def test_query_link_opens_the_editor_with_the_query_loaded(browser: Browser, server: Server) -> None:
    query = "SELECT ?n WHERE { ?e a nio:Event ; rdfs:label ?n }"
    page = editor(browser, f"{server.url}/sparql?query={quote(query)}", [])
    try:
        value = get_query(page)
        assert value == query
        page.locator("#yasr table").first.wait_for(timeout=15_000)
        assert "NATO meets Iraq" in page.locator("#yasr").inner_text()
    finally:
        page.close()


def test_a_shared_query_that_looks_like_markup_opens_whole(browser: Browser, server: Server) -> None:
    """``<!--<script>`` in a shared link once made the browser swallow the rest of the page."""
    query = 'SELECT ?s WHERE { ?s rdfs:label "<!--<script>" } # </script> & more'
    page = editor(browser, f"{server.url}/sparql?query={quote(query)}", [])
    try:
        value = get_query(page)
        assert value == query
        assert page.locator("footer.site").count() == 1  # the rest of the page is there
    finally:
        page.close()


OVERLAPS = """() => {
  const b = document.querySelector(".yasqe_queryButton").getBoundingClientRect();
  const meets = (r) => r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom;
  const lines = [...document.querySelectorAll("#yasqe .CodeMirror-line")];
  return lines.filter((line) => meets(line.getBoundingClientRect())).length;
}"""


def test_the_editor_is_usable_on_a_phone(browser: Browser, server: Server) -> None:
    """At 390 px the editor comes before the examples, within the first screen, and its run
    button covers no line of the query."""
    page = editor(browser, f"{server.url}/sparql", [], width=390)
    try:
        top = page.evaluate("() => document.querySelector('#yasqe').getBoundingClientRect().top + scrollY")
        assert top < 600, f"the editor starts {top:.0f} px down"
        examples = page.evaluate("() => document.querySelector('nav.examples').getBoundingClientRect().top")
        assert examples > top
        assert page.evaluate(OVERLAPS) == 0
        run(page)
        page.locator("#yasr table").first.wait_for(timeout=15_000)
    finally:
        page.close()


def test_edits_survive_a_reload(browser: Browser, server: Server) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(server.url + "/sparql", wait_until="networkidle")
        set_query(page, "SELECT ?kept WHERE { ?kept ?p ?o } LIMIT 3")
        page.locator(".CodeMirror textarea").first.focus()
        page.locator("h1").click()  # blur: YASQE stores the query
        page.reload(wait_until="networkidle")
        value = get_query(page)
        assert value == "SELECT ?kept WHERE { ?kept ?p ?o } LIMIT 3"
    finally:
        context.close()
