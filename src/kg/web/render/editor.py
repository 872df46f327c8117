"""The SPARQL query editor page (``GET /sparql`` from a browser): YASQE and YASR from the YASGUI
build served by this app, inside the site's own page.

The editor knows the predeclared prefixes (``kg.namespaces.PREFIXES``), lists the example queries
by their questions, keeps the user's edits in the browser's localStorage, links result IRIs to
this site's pages with their labels, and shows the endpoint's parse errors with line and column.
``/sparql?query=…`` opened in a browser renders this page with that query loaded: the query is
data in a JSON block that no text can end early (``<``, ``>`` and ``&`` are written as JSON
escapes, so neither ``</script>`` nor ``<!--`` can appear in it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from fastapi.responses import HTMLResponse

from kg.namespaces import BASE, PREFIXES
from kg.web.iris import SPARQL_PATH
from kg.web.render.pages import Site, render
from kg.web.views.examples import Example

SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: object) -> str:
    """``value`` as JSON that is inert inside ``<script type="application/json">``."""
    return json.dumps(value, ensure_ascii=False).translate(SCRIPT_SAFE)


def editor_config(prefix: str, query: str | None, found: Sequence[Example]) -> str:
    """The JSON the page's script reads."""
    config = {
        "endpoint": prefix + SPARQL_PATH,
        "base": BASE,
        "prefix": prefix,
        "prefixes": PREFIXES,
        "query": query,
        "examples": [{"name": e.name, "question": e.question, "query": e.query} for e in found],
    }
    return script_json(config)


class Editor:
    """The editor page for the ``/sparql`` router: ``page(query)`` answers a browser, with
    ``query`` (from ``?query=``) loaded if given."""

    def __init__(self, examples: Sequence[Example], site: Site) -> None:
        self.examples, self.site = examples, site
        self.links = [(e, f"{site.prefix}{SPARQL_PATH}?query={quote(e.query)}") for e in examples]

    def html(self, query: str | None = None) -> str:
        return render(
            self.site, "editor.html", examples=self.links, query=query, prefixes=sorted(PREFIXES.items()),
            config=editor_config(self.site.prefix, query, self.examples),
        )  # fmt: skip

    def page(self, query: str | None = None) -> HTMLResponse:
        return HTMLResponse(self.html(query), headers={"Vary": "Accept"})
