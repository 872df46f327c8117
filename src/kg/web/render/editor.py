"""The SPARQL query editor page (``GET /sparql`` from a browser): YASQE and YASR from the YASGUI
build served by this app, inside the site's own page.

The editor knows the predeclared prefixes (``kg.namespaces.PREFIXES``), lists the example queries
by their questions, keeps the user's edits in the browser's localStorage, links result IRIs to
this site's pages with their labels, and shows the endpoint's parse errors with line and column.
``/sparql?query=…`` opened in a browser renders this page with that query loaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from fastapi.responses import HTMLResponse

from kg.namespaces import BASE, PREFIXES
from kg.web.iris import SPARQL_PATH
from kg.web.render.pages import environment
from kg.web.views.examples import Example


def editor_config(prefix: str, endpoint_path: str, query: str | None, found: Sequence[Example]) -> str:
    """The JSON the page's script reads (safe inside ``<script>``)."""
    config = {
        "endpoint": prefix + endpoint_path,
        "base": BASE,
        "prefix": prefix,
        "prefixes": PREFIXES,
        "query": query,
        "examples": [{"name": e.name, "question": e.question, "query": e.query} for e in found],
    }
    return json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def editor_html(
    prefix: str,
    found: Sequence[Example],
    query: str | None = None,
    endpoint_path: str = SPARQL_PATH,
) -> str:
    """The editor page over the example queries ``found``; ``query`` (from ``?query=``) is loaded
    instead of the last edited one."""
    links = [(e, f"{prefix}{endpoint_path}?query={quote(e.query)}") for e in found]
    return (
        environment()
        .get_template("editor.html")
        .render(
            prefix=prefix,
            request_path=endpoint_path,
            examples=links,
            query=query,
            prefixes=sorted(PREFIXES.items()),
            config=editor_config(prefix, endpoint_path, query, found),
        )
    )


def editor_response(prefix: str, found: Sequence[Example], query: str | None = None) -> HTMLResponse:
    return HTMLResponse(editor_html(prefix, found, query), headers={"Vary": "Accept"})


class Editor:
    """The editor page for the ``/sparql`` router: ``page(query)`` answers a browser, with
    ``query`` (from ``?query=``) loaded if given."""

    def __init__(self, examples: Sequence[Example], prefix: str = "") -> None:
        self.examples, self.prefix = examples, prefix

    def page(self, query: str | None = None) -> HTMLResponse:
        return editor_response(self.prefix, self.examples, query)
