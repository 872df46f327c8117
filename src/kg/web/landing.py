"""The landing page at ``/``: what the dataset is, how big, where to go next."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kg.namespaces import BASE


def landing_router() -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def landing(request: Request) -> HTMLResponse:
        info = request.app.state.build_info
        triples = info.get("triples")
        built = info.get("built_at", "not built")
        counts = f"{triples:,} triples" if isinstance(triples, int) else "size unknown"
        html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NATO–Iraq knowledge graph</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;
line-height:1.5}}
code{{background:#f3f3f3;padding:0 .2rem}}</style></head>
<body>
<h1>NATO–Iraq knowledge graph</h1>
<p>Every fact of the NATO page <a href="https://www.nato.int/cps/en/natohq/topics_88247.htm">“Relations
with Iraq”</a> as linked data: actors, decisions, missions, events and figures, each traced to the
exact sentence of the page it came from.</p>
<p><strong>{escape(counts)}</strong>, built {escape(str(built))}. URI space: <code>{escape(BASE)}</code>.</p>
<ul>
<li><a href="/sparql">SPARQL query editor</a> (endpoint: <code>/sparql</code>)</li>
<li><a href="/docs">HTTP API (OpenAPI)</a></li>
</ul>
<h2>Example</h2>
<pre><code>curl -s http://127.0.0.1:8000/sparql \\
  --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}' \\
  -H 'Accept: application/sparql-results+json'</code></pre>
</body></html>"""
        return HTMLResponse(html)

    return router
