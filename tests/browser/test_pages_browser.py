"""Every kind of page in headless Chromium at 1280 px and 390 px: what a researcher must see, no
horizontal scrolling, no serious or critical axe-core violation, nothing fetched off the server.
Screenshots go to test-artifacts/ (web-<page>-<width>.png)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from helpers import Server
from helpers.browser import WIDTHS, new_page, off_server, overflow, screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.server]

PAGES = [
    # (name, path, texts that must be visible)
    ("landing", "/", ["NATO–Iraq knowledge graph", "source passages", "How to cite", "@misc{", "Example"]),
    ("editor", "/sparql", ["NATO–Iraq knowledge graph", "Example questions", "start and end (or"]),
    ("search", "/search?q=Stoltenburg", ["Jens Stoltenberg", "People", "In the source text"]),
    ("timeline", "/timeline", ["NATO Training Mission-Iraq", "NATO Summit in Istanbul", "Undated"]),
    (
        "event",
        "/id/event/2004-06-22-allawi-letter-of-request",
        ["Allawi sends a letter", "22 June 2004 (day)",
         "Interim Iraqi Prime Minister Ilyad Allawi sends letter to NATO Secretary General", "Who took part"],
    ),
    ("person", "/id/person/iyad-allawi", ["Iyad Allawi", "Wikidata Q", "Took part in", "on the timeline"]),
    ("engagement", "/id/engagement/nmi", ["NATO Mission Iraq", "Started", "Status", "History"]),
    ("launch", "/id/event/2018-07-11-nmi-launched", ["“11 July 2018” L66, “July 2018” (month) L12 L26"]),
    ("line", "/graph/line/26", ["Line 26 of Relations with Iraq", "formally launched", "July 2018", "month"]),
    (
        "discrepancy",
        "/id/discrepancy/event-2020-10-defence-ministers-agree-nmi-expansion-planning",
        ["lines 27 and 67 disagree", "concerns", "Where this comes from"],
    ),
    ("reader", "/source/nato-relations-with-iraq", ["Relations with Iraq", "expand timeline", "Milestones"]),
    ("ontology", "/ontology", ["NATO–Iraq ontology", "Classes", "nio:Event"]),
    ("downloads", "/downloads", ["Downloads", "engagements.csv", "SHA-256"]),
]  # fmt: skip


def visit(browser: Browser, server: Server, path: str, width: int) -> tuple[Page, list[str]]:
    requested: list[str] = []
    page = new_page(browser, width, requested)
    response = page.goto(server.url + path, wait_until="networkidle")
    assert response is not None and response.status == 200, path
    return page, requested


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.parametrize(("name", "path", "texts"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_readable_accessible_and_local(
    browser: Browser, live_server: Server, name: str, path: str, texts: list[str], size: str
) -> None:
    page, requested = visit(browser, live_server, path, WIDTHS[size])
    try:
        screenshot(page, f"web-{name}-{WIDTHS[size]}")
        body = page.locator("body").inner_text()
        missing = [t for t in texts if t not in body]
        assert missing == [], missing
        prose = page.evaluate(PROSE)  # no words run together (a tag that dropped a space)
        glued = sorted({prose[max(m.start() - 20, 0) : m.end() + 10] for m in GLUED.finditer(prose)})
        assert glued == [], glued[:5]
        assert overflow(page) <= 0, f"{path} is {overflow(page)} px wider than {WIDTHS[size]} px"
        assert serious_violations(page) == []
        assert off_server(requested, live_server.url) == []
    finally:
        page.close()


def test_reader_lands_on_a_highlighted_line_and_links_what_came_from_it(
    browser: Browser, live_server: Server
) -> None:
    page, _ = visit(browser, live_server, "/source/nato-relations-with-iraq#L26", 1280)
    try:
        line = page.locator("#L26")
        assert "NATO Mission Iraq (NMI) was formally launched" in line.inner_text()
        assert line.evaluate("(el) => el.matches(':target')")
        colour = line.evaluate("(el) => getComputedStyle(el).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), colour
        assert line.locator("a[href='/id/engagement/nmi']").count() == 1
        screenshot(page, "web-reader-L26")
        stored = page.locator("a", has_text="stored copy").get_attribute("href")
        assert stored is not None
        text = page.request.get(live_server.url + stored)
        assert text.status == 200 and text.text().startswith("Relations with Iraq")
    finally:
        page.close()


def test_quotes_link_to_their_line_in_the_reader(browser: Browser, live_server: Server) -> None:
    page, _ = visit(browser, live_server, "/id/event/2004-06-22-allawi-letter-of-request", 1280)
    try:
        link = page.locator("section.provenance figcaption a", has_text="Line 32").first
        assert link.get_attribute("href") == "/source/nato-relations-with-iraq#L32"
        link.click()
        page.wait_for_load_state()
        assert page.locator("#L32").evaluate("(el) => el.matches(':target')")
    finally:
        page.close()


def test_engagement_page_leads_with_summary_and_discrepancy_banner(
    browser: Browser, live_server: Server
) -> None:
    page, _ = visit(browser, live_server, "/id/engagement/ntm-i", 1280)
    try:
        order = page.evaluate(
            """() => Array.from(document.querySelectorAll('.discrepancy-banner, section.summary, h2'))
                 .map(e => e.className || e.textContent)"""
        )
        assert order[0] == "discrepancy-banner" and order[1] == "summary", order
        history = page.locator("ol.history li").all_inner_texts()
        assert len(history) >= 5
        assert any("discontinued" in h for h in history), history
        ended = page.locator("section.summary dd").nth(1)
        assert "NTM-I is discontinued" in ended.inner_text()
        line = ended.locator("a.line-ref").first
        assert line.get_attribute("href") == "/source/nato-relations-with-iraq#L46"
        # the quotations are collapsed below the key facts
        assert not page.locator("section.provenance details").evaluate("(el) => el.open")
    finally:
        page.close()


def test_person_page_links_to_the_timeline_filtered_to_the_person(
    browser: Browser, live_server: Server
) -> None:
    page, _ = visit(browser, live_server, "/id/person/iyad-allawi", 1280)
    try:
        events = page.locator("section.took-part td:first-child a").evaluate_all(
            "(els) => els.map(e => e.href)"
        )
        assert events and len(events) == len(set(events)), "each event is listed once"
        page.locator("a", has_text="on the timeline").click()
        page.wait_for_load_state()
        assert "actor=" in page.url
        items = page.locator("ol.timeline-list li").all_inner_texts()
        assert items and all("Allawi" in t or "letter" in t.lower() for t in items[:1]), items
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_timeline_axis_stays_visible_and_engagements_group_their_events(
    browser: Browser, live_server: Server, width: int
) -> None:
    page, _ = visit(browser, live_server, "/timeline", width)
    try:
        page.mouse.wheel(0, 3000)
        page.wait_for_timeout(300)
        box = page.locator(".tl-axis").bounding_box()
        assert box is not None and -1 <= box["y"] <= 1, box  # stuck to the top of the window
        ntmi = page.locator("section.tl-group", has=page.locator(".head a[href='/id/engagement/ntm-i']"))
        events = ntmi.locator(".tl-row:not(.head)").all_inner_texts()
        assert any("discontinued" in e for e in events), events
        # full labels, wrapped rather than cut
        assert not any(t.strip().endswith("…") for t in page.locator(".tl-label a").all_inner_texts())
        assert "Capacity Building Initiative" in page.locator("h2:text('Undated') + p + ul").inner_text()
        types = page.locator("select[name=type] option").all_inner_texts()
        assert len(types) == len(set(types)), types
    finally:
        page.close()


def test_timeline_zooms_to_a_period(browser: Browser, live_server: Server) -> None:
    page, _ = visit(browser, live_server, "/timeline", 390)
    try:
        page.select_option("select[name=from]", "2018")
        page.select_option("select[name=to]", "2019")
        page.click("form.timeline-filters button[type=submit]")
        page.wait_for_load_state()
        years = page.locator(".tl-axis text").all_text_contents()
        assert years[0] == "2018" and years[-1] == "2019", years
        labels = page.locator(".tl-label a").all_inner_texts()
        assert any("NATO Mission Iraq" in t for t in labels)
        assert not any("NTM-I is discontinued" in t for t in labels)
        screenshot(page, "web-timeline-2018-2019-390")
        assert overflow(page) <= 0
    finally:
        page.close()


def test_big_resource_leads_with_key_facts_and_collapses_quotations(
    browser: Browser, live_server: Server
) -> None:
    page, _ = visit(browser, live_server, "/id/org/nato", 1280)
    try:
        headings = page.locator("main h2").all_inner_texts()
        assert headings.index("Properties") < headings.index("Where this comes from"), headings
        assert not page.locator("section.provenance details").evaluate("(el) => el.open")
        assert not page.locator("section.referenced details").evaluate("(el) => el.open")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 6000, f"the NATO page is {height} px tall"
    finally:
        page.close()


# Where words run together in what a reader sees: a letter or digit straight before "(" (a missing
# space, as "…Z(release 0.1.0)"), or a number glued to a word ("Line 51of").
GLUED = re.compile(r"[A-Za-z0-9]\((?!s\))|\b\d+(?:of|and|in)\b")


PROSE = """() => {
  const main = document.querySelector("main").cloneNode(true);
  main.querySelectorAll("pre, code, #yasqe, #yasr, script").forEach((e) => e.remove());
  document.body.append(main);
  const text = main.innerText;
  main.remove();
  return text;
}"""
"""The text a reader sees in the page's main part, without code (queries, IRIs)."""


BROKEN_WORDS = """() => {
  const probe = document.createElement("span");
  probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
  document.body.append(probe);
  const broken = [];
  for (const cell of document.querySelectorAll("table.parts td")) {
    const style = getComputedStyle(cell);
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    probe.style.font = style.font;
    for (const word of cell.innerText.split(/\\s+/).filter(Boolean)) {
      probe.textContent = word;
      if (probe.offsetWidth > room + 0.5) broken.push(word);
    }
  }
  probe.remove();
  return broken;
}"""


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.parametrize("path", ["/id/person/iyad-allawi", "/id/event/2004-06-22-allawi-letter-of-request"])
def test_participation_tables_break_between_words(
    browser: Browser, live_server: Server, path: str, size: str
) -> None:
    """The Role column (and its neighbours) is as wide as its longest word: no word is cut."""
    page, _ = visit(browser, live_server, path, WIDTHS[size])
    try:
        assert page.locator("table.parts td").count() > 0
        assert page.evaluate(BROKEN_WORDS) == []
    finally:
        page.close()


def test_the_timeline_names_what_it_leaves_off_the_axis(browser: Browser, live_server: Server) -> None:
    page, _ = visit(browser, live_server, "/timeline", 1280)
    try:
        summary = page.locator("main > p").first.inner_text()
        shown, total = (int(n) for n in re.findall(r"(\d+) of (\d+) events and engagements", summary)[0])
        assert shown < total
        named = page.locator("main > p").first.locator("a")
        assert named.count() == min(total - shown, 5) and "undated" in summary
        undated = page.locator("ul.undated a").all_inner_texts()
        assert set(named.all_inner_texts()) <= set(undated)
    finally:
        page.close()
