"""The SPARQL 1.1 Protocol at ``/sparql``.

rdflib-endpoint's ``SparqlRouter`` provides the protocol surface we keep: the YASGUI page, the
service description and the OpenAPI entries. Its own query handlers run queries on rdflib's
pure-Python engine on the event loop, so this subclass replaces them with handlers that hand the
query string, untouched, to a ``QueryEngine`` (pyoxigraph by default) off the event loop, and
send back the engine's own serialisation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, VOID
from rdflib_endpoint import SparqlRouter
from rdflib_endpoint.utils import SD

from kg.engine.base import QueryEngine, QueryError
from kg.web.negotiation import parse_accept, preferred

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SD_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/xml": "xml",
}


class KgSparqlRouter(SparqlRouter):
    """rdflib-endpoint's router with the query path replaced by a ``QueryEngine``."""

    def __init__(
        self,
        engine: QueryEngine,
        *,
        path: str = "/sparql",
        public_url: str = "http://127.0.0.1:8000",
        title: str = "NATO–Iraq knowledge graph: SPARQL endpoint",
        description: str = "Read-only SPARQL 1.1 endpoint over the NATO–Iraq relations knowledge graph.",
        version: str = "0.1.0",
        example_queries: dict[str, dict[str, str]] | None = None,
        assets_url: str = "/static/yasgui",
    ) -> None:
        self.engine = engine
        self.assets_url = assets_url
        super().__init__(
            path=path,
            title=title,
            description=description,
            version=version,
            graph=Dataset(),
            public_url=public_url.rstrip("/") + path,
            example_queries=example_queries or {},  # type: ignore[arg-type]
            favicon="/static/favicon.svg",
        )
        self._describe_graphs()
        ours = {path, path.rstrip("/") + "/"}
        self.routes[:] = [r for r in self.routes if getattr(r, "path", None) not in ours]
        for p in sorted(ours):
            self.add_api_route(p, self._get, methods=["GET"], include_in_schema=p == path)
            self.add_api_route(p, self._post, methods=["POST"], include_in_schema=p == path)

    def _describe_graphs(self) -> None:
        """Name every named graph of the engine in the service description."""
        sd = self.service_description
        service = next(sd.subjects(RDF.type, SD.Service))
        dataset = sd.value(service, SD.defaultDataset)
        for name in self.engine.named_graphs():
            node = URIRef(name)
            sd.add((dataset, SD.namedGraph, node))
            sd.add((node, RDF.type, SD.NamedGraph))
            sd.add((node, SD.name, node))
        sd.add((service, VOID.sparqlEndpoint, URIRef(self.public_url)))
        sd.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_XML")))
        sd.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_TSV")))
        sd.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/N-Triples")))
        sd.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
        sd.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/TriG")))
        sd.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/N-Quads")))
        sd.add((service, URIRef("http://purl.org/dc/terms/title"), Literal(self.title, lang="en")))

    # -- handlers ---------------------------------------------------------------------------

    async def _get(self, request: Request) -> Response:
        params = request.query_params
        return await self._answer(
            request,
            query=params.get("query"),
            update=params.get("update"),
            default_graphs=params.getlist("default-graph-uri"),
            named_graphs=params.getlist("named-graph-uri"),
            format_param=params.get("format"),
        )

    async def _post(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            return _error(400, f"The request body is not UTF-8 (byte {err.start}).")
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        params = request.query_params
        defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
        if ctype == "application/sparql-query":
            return await self._answer(request, body, None, defaults, named, params.get("format"))
        if ctype == "application/sparql-update":
            return await self._answer(request, None, body, defaults, named, params.get("format"))
        if ctype == "application/x-www-form-urlencoded" or (not ctype and body):
            form = parse_qs(body, keep_blank_values=True)
            return await self._answer(
                request,
                query=(form.get("query") or [None])[0],
                update=(form.get("update") or [None])[0],
                default_graphs=defaults + form.get("default-graph-uri", []),
                named_graphs=named + form.get("named-graph-uri", []),
                format_param=(form.get("format") or [params.get("format")])[0],
            )
        if not body:
            return await self._answer(request, None, None, defaults, named, params.get("format"))
        return _error(415, f"Unsupported content type '{ctype}': send application/sparql-query or a form.")

    async def _answer(
        self,
        request: Request,
        query: str | None,
        update: str | None,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        format_param: str | None,
    ) -> Response:
        if update is not None:
            return _error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
        accepted = preferred(format_param, request.headers.get("accept"))
        if not query:
            return self._service_page(accepted)
        try:
            result = await run_in_threadpool(
                self.engine.execute,
                query,
                accepted,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
            )
        except QueryError as err:
            return _error(err.status, err.message)
        headers = {"Vary": "Accept"}
        if result.truncated:
            headers["X-Result-Truncated"] = "true"
        return Response(result.body, media_type=result.media_type, headers=headers)

    def _service_page(self, accepted: list[str]) -> Response:
        """The query editor for browsers, the service description for RDF clients."""
        for media in accepted:
            if media in ("text/html", "application/xhtml+xml"):
                return self.serve_yasgui()
            if media in SD_TYPES:
                body = self.service_description.serialize(format=SD_TYPES[media])
                return Response(body, media_type=media, headers={"Vary": "Accept"})
        body = self.service_description.serialize(format="turtle")
        return Response(body, media_type="text/turtle", headers={"Vary": "Accept"})

    def serve_yasgui(self) -> Response:
        """YASGUI with its assets served by this app (no CDN) and no remote autocompleters."""
        html = (TEMPLATES / "yasgui.html").read_text(encoding="utf-8")
        html = html.replace("$TITLE", self.title).replace("$DESCRIPTION", self.description)
        html = html.replace("$ASSETS", self.assets_url)
        html = html.replace("$EXAMPLE_QUERIES", json.dumps(self.example_queries or {}).replace("</", "<\\/"))
        return Response(html, media_type="text/html", headers={"Vary": "Accept"})


def _error(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)


__all__ = ["KgSparqlRouter", "parse_accept"]
