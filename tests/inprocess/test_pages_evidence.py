"""Pages show the evidence, as a researcher checking a claim against its source expects: each value
with exactly the lines whose graph (``graph/line/N``) states it, each line in its own words and at
its own precision; a line's page with the line and what it says; an engagement's generated start
and end with the lines that state them; values from an outside source saying so.

The expected lines are read from the built store's per-line graphs, so a page that shows a line
the graph does not give (or leaves one out) fails; the source's own lines are read from the
stored copy."""

from __future__ import annotations

import html as entities
import re

import pyoxigraph as ox
from fastapi.testclient import TestClient

from helpers.source_text import lines as source_lines
from kg.namespaces import BASE, ONTOLOGY, PREFIXES, sparql_prologue

READER = "/source/nato-relations-with-iraq#L"
LAUNCH = "/id/event/2018-07-11-nmi-launched"
LINE_GRAPH = BASE + "graph/line/"
SUBJECT = r'<section class="line-subject"[^>]*>\s*<h2[^>]*><a href="{href}">.*?</section>'
"""A line page's section about one resource (``href``: its page)."""


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: its text, spaces collapsed (a block starts a word)."""
    block = r"<(?:br|/?(?:p|td|th|tr|li|ul|dt|dd|dl|h\d|div|section|figure|blockquote))\b[^>]*>"
    blocks = re.sub(block, " ", fragment)
    words = re.sub(r"<[^>]+>", "", blocks)
    return re.sub(r"\s+", " ", entities.unescape(words)).strip()


def property_row(page: str, predicate: str) -> str:
    """The HTML of the properties table's row of ``predicate`` (its heading links the term)."""
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", page, re.S)
    found = [r for r in rows if f'title="{predicate}"' in r]
    assert len(found) == 1, f"{predicate}: {len(found)} rows"
    return found[0]


def element(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found is not None, pattern
    return found.group(0)


def linked_lines(fragment: str) -> list[int]:
    return [int(n) for n in re.findall(re.escape(READER) + r"(\d+)\"", fragment)]


def lines_stating(store: ox.Store, pattern: str) -> list[int]:
    """The lines whose graph holds ``pattern`` (SPARQL triple pattern)."""
    query = f"""{sparql_prologue()} SELECT DISTINCT ?n WHERE {{ GRAPH ?g {{ {pattern} }}
      FILTER(STRSTARTS(STR(?g), "{LINE_GRAPH}"))
      BIND(xsd:integer(STRAFTER(STR(?g), "{LINE_GRAPH}")) AS ?n) }}"""
    return sorted(int(row["n"].value) for row in store.query(query))  # type: ignore[union-attr]


def test_a_merged_date_lists_every_line_that_gives_it_in_its_own_words(
    site: TestClient, store: ox.Store
) -> None:
    """Lines 12 and 26 say "July 2018", line 66 "11 July 2018"; the integrated date is the day."""
    page = site.get(LAUNCH).text
    event = "event:2018-07-11-nmi-launched"
    day = lines_stating(store, f'{event} nio:date "2018-07-11"^^xsd:date')
    month = lines_stating(store, f'{event} nio:date "2018-07"^^xsd:gYearMonth')
    assert (day, month) == ([66], [12, 26])
    date = property_row(page, ONTOLOGY + "date")
    assert text(date).endswith("2018-07-11 xsd:date L66 · “July 2018” (month) L12 L26"), text(date)
    assert linked_lines(date) == [66, 12, 26]
    worded = property_row(page, ONTOLOGY + "dateText")
    assert text(worded).endswith("11 July 2018 L66 · “July 2018” L12 L26"), text(worded)
    precision = property_row(page, PREFIXES["time"] + "unitType")
    assert text(precision).endswith("day time:unitDay L66 · month L12 L26"), text(precision)
    when = text(element(page, r'<p class="when">.*?</p>'))
    assert when == (
        "When: 11 July 2018 (day) — the source says “11 July 2018” L66, “July 2018” (month) L12 L26"
    ), when


def test_each_value_shows_all_of_its_lines_and_only_them(site: TestClient, store: ox.Store) -> None:
    """No "+N lines": a name the source uses in eleven lines lists the eleven, each linked."""
    page = site.get("/id/engagement/nmi").text
    assert "more-lines" not in page and "+8 lines" not in page
    names = property_row(page, PREFIXES["skos"] + "altLabel")
    spelled = lines_stating(store, 'engagement:nmi skos:altLabel "NATO Mission Iraq"@en')
    assert len(spelled) > 3
    value = element(names, r'<li><span class="literal">NATO Mission Iraq</span> <small>@en</small>.*?</li>')
    assert linked_lines(value) == spelled
    conducted = property_row(page, ONTOLOGY + "conductedBy")
    assert linked_lines(conducted) == lines_stating(store, "engagement:nmi nio:conductedBy organisation:nato")


def test_a_value_from_the_alignment_table_says_so_instead_of_a_line(site: TestClient) -> None:
    page = site.get("/id/place/baghdad").text
    country = property_row(page, PREFIXES["schema"] + "containedInPlace")
    assert linked_lines(country) == []
    assert 'href="/id/document/alignment-table"' in country
    assert text(country).endswith("Iraq country:iraq from Alignment table"), text(country)
    event = site.get(LAUNCH).text
    code = property_row(event, ONTOLOGY + "cameoEventCode")
    assert 'href="/id/document/cameo-codebook"' in code and linked_lines(code) == []
    derived = property_row(event, ONTOLOGY + "eventSource")
    assert text(derived).endswith("derived by rule"), text(derived)


def test_the_page_of_a_line_shows_its_text_and_what_it_says(site: TestClient, store: ox.Store) -> None:
    page = site.get("/graph/line/26").text
    said = source_lines()[25]
    assert said.startswith("NATO Mission Iraq (NMI) was formally launched")
    assert entities.escape(said, quote=False).replace("'", "&#39;") in page
    assert f'href="{READER}26"' in page
    launch = element(page, SUBJECT.format(href=LAUNCH))
    assert "July 2018" in text(launch) and "month" in text(launch)
    assert "11 July 2018" not in page  # line 26 gives the month: the day is line 66's
    date = element(launch, rf'<tr><th scope="row"><a [^>]*title="{ONTOLOGY}date".*?</tr>')
    assert "2018-07" in text(date) and linked_lines(date) == [12]  # line 12 also says July 2018
    affects = element(launch, rf'<tr><th scope="row"><a [^>]*title="{ONTOLOGY}affects".*?</tr>')
    assert 'href="/id/engagement/nmi"' in affects
    stating = lines_stating(store, "event:2018-07-11-nmi-launched nio:affects engagement:nmi")
    assert linked_lines(affects) == [n for n in stating if n != 26]
    subjects = re.findall(r'<section class="line-subject"', page)
    graph_subjects = store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{LINE_GRAPH}26> {{ ?s ?p ?o }} }}")
    assert len(subjects) == len(list(graph_subjects))


def test_the_page_of_line_66_gives_the_day(site: TestClient) -> None:
    page = site.get("/graph/line/66").text
    launch = element(page, SUBJECT.format(href=LAUNCH))
    assert "11 July 2018" in text(launch) and "day" in text(launch)
    assert site.get("/graph/line/9999", headers={"Accept": "text/html"}).status_code == 404


def test_an_engagement_s_start_and_end_link_to_the_lines_that_state_them(
    site: TestClient, store: ox.Store
) -> None:
    page = site.get("/id/engagement/nmi").text
    summary = element(page, r'<section class="summary".*?</section>')
    started = element(summary, r"<dt>Started</dt><dd>.*?</dd>")
    assert f'href="{LAUNCH}"' in started and "11 July 2018 (day)" in text(started)
    assert linked_lines(started) == lines_stating(store, "engagement:nmi nio:start ?e") == [12, 26, 66]
    end = element(summary, r"<dt>[^<]*</dt><dd>[^<]*ongoing.*?</dd>")
    assert linked_lines(end) == lines_stating(store, "engagement:nmi nio:end status:ongoing")
    ntim = element(site.get("/id/engagement/ntim").text, r'<section class="summary".*?</section>')
    ended = element(ntim, r"<dt>Ended</dt><dd>.*?</dd>")
    assert 'href="/id/event/2004-12-16-saceur-activation-order"' in ended
    assert linked_lines(ended) == lines_stating(store, "engagement:ntim nio:end ?e") != []
    awacs = site.get("/id/engagement/awacs-support").text
    unstated = element(awacs, r'<section class="summary".*?</section>')
    assert text(unstated).count("not stated in the source") >= 2 and linked_lines(unstated) == []


def test_the_timeline_uses_the_generated_start_and_end(site: TestClient) -> None:
    """The bars follow ``nio:start`` and ``nio:end``: an engagement whose start the source does not
    state is not put on the axis at the date of some event about it."""
    page = site.get("/timeline").text
    listed = text(element(page, r'<ol class="timeline-list">.*?</ol>'))
    assert "NATO Training Implementation Mission — 30 Jul – 16 Dec 2004" in listed
    assert "Gendarmerie-type training of the federal police —" not in listed
    left_out = text(element(page, r"<p>\d+ of \d+ events and engagements.*?</p>"))
    assert "Gendarmerie-type training of the federal police (undated)" in left_out
    undated = text(element(page, r"<h2>Undated</h2>.*?</ul>"))
    assert "no start" in undated and "Gendarmerie-type training of the federal police" in undated


def test_the_reader_lists_what_each_line_s_graph_is_about(site: TestClient, store: ox.Store) -> None:
    page = site.get("/source/nato-relations-with-iraq").text
    line38 = element(page, r'<li id="L38".*?</li>')
    assert 'href="/id/engagement/ntim"' in line38  # line 38 states NTIM's end
    line26 = element(page, r'<li id="L26".*?</li>')
    about = element(line26, r"About: .*? — ")
    query = f"""{sparql_prologue()} SELECT DISTINCT ?s WHERE {{
      {{ GRAPH <{LINE_GRAPH}26> {{ ?s ?p ?o }} FILTER(!STRSTARTS(STR(?s), "{BASE}id/participation/")) }}
      UNION {{ ?s nio:claim ?passage . ?passage nio:sourceLine 26 }} }}"""
    subjects = sorted(row["s"].value.removeprefix(BASE) for row in store.query(query))  # type: ignore[union-attr]
    assert sorted(h.lstrip("/") for h in re.findall(r'href="([^"]+)"', about)) == subjects
