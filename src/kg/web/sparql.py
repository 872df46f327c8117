"""The SPARQL 1.1 Protocol at ``/sparql``.

rdflib-endpoint's ``SparqlRouter`` provides the protocol surface we keep: the YASGUI page, the
service description and the OpenAPI entries. Its own handlers run queries on rdflib's pure-Python
engine on the event loop, so this subclass replaces them with async handlers that check the
request (limits, strict UTF-8, read-only, nesting, remote IRIs), negotiate the media type, answer
repeated queries from a cache, and otherwise await a ``QueryEngine`` (by default the worker-process
pool over pyoxigraph), sending back the engine's own serialisation. See docs/sparql-service.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, VOID
from rdflib_endpoint import SparqlRouter
from rdflib_endpoint.utils import SD
from starlette.routing import Route

from kg.engine.base import QueryEngine, QueryError, QueryResult, choose_media_type
from kg.engine.guard import inspect_query
from kg.namespaces import PREFIXES
from kg.web.cache import Entry, ResultCache
from kg.web.editor import Editor
from kg.web.iris import path_prefix
from kg.web.limits import decode_form, error, read_body
from kg.web.negotiation import parse_accept, preferred

SD_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/xml": "xml",
}
FORMATS = "http://www.w3.org/ns/formats/"


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
        max_body: int = 1024 * 1024,
        max_depth: int = 200,
        cache: ResultCache | None = None,
    ) -> None:
        self.engine = engine
        self.assets_url = assets_url
        self.max_body, self.max_depth = max_body, max_depth
        self.cache = cache if cache is not None else ResultCache()
        super().__init__(
            path=path,
            title=title,
            description=description,
            version=version,
            graph=Dataset(default_union=True),
            public_url=public_url.rstrip("/") + path,
            example_queries=example_queries or {},  # type: ignore[arg-type]
            favicon="/static/favicon.svg",
            lifespan=self._lifespan,
        )
        self._describe_graphs()
        ours = {path, path.rstrip("/") + "/"}
        self.routes[:] = [r for r in self.routes if getattr(r, "path", None) not in ours]
        # plain Starlette routes answer (no FastAPI dependency solving on the hot path) …
        for p in sorted(ours):
            self.routes.append(Route(p, self._get, methods=["GET"], include_in_schema=False))
            self.routes.append(Route(p, self._post, methods=["POST"], include_in_schema=False))
        # … and these, never reached, document the endpoint in the OpenAPI description
        self.add_api_route(path, self._get, methods=["GET"], summary="SPARQL query (GET)")
        self.add_api_route(path, self._post, methods=["POST"], summary="SPARQL query (POST form or body)")

    @asynccontextmanager
    async def _lifespan(self, app: Any) -> AsyncIterator[None]:
        await self.engine.start()
        try:
            yield
        finally:
            await self.engine.stop()

    def _describe_graphs(self) -> None:
        """Name every named graph of the engine, and every result format, in the service description."""
        sd = self.service_description
        service = next(sd.subjects(RDF.type, SD.Service))
        dataset = sd.value(service, SD.defaultDataset)
        assert dataset is not None
        for name in self.engine.named_graphs():
            node = URIRef(name)
            sd.add((dataset, SD.namedGraph, node))
            sd.add((node, RDF.type, SD.NamedGraph))
            sd.add((node, SD.name, node))
        sd.add((service, VOID.sparqlEndpoint, URIRef(self.public_url)))
        for name in ("SPARQL_Results_XML", "SPARQL_Results_TSV", "N-Triples", "JSON-LD", "TriG", "N-Quads"):
            sd.add((service, SD.resultFormat, URIRef(FORMATS + name)))
        sd.add((service, URIRef("http://purl.org/dc/terms/title"), Literal(self.title, lang="en")))

    # -- handlers ---------------------------------------------------------------------------

    async def _get(self, request: Request) -> Response:
        try:
            params = decode_form(request.scope.get("query_string", b""), "query string")
        except QueryError as err:
            return error(err.status, err.message)
        return await self._answer(request, params, {})

    async def _post(self, request: Request) -> Response:
        try:
            raw = await read_body(request, self.max_body)
            params = decode_form(request.scope.get("query_string", b""), "query string")
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype in ("application/sparql-query", "application/sparql-update"):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise QueryError(
                        f"The request body is not valid UTF-8 (byte {err.start}).", 400
                    ) from None
                name = "query" if ctype.endswith("query") else "update"
                return await self._answer(request, params, {name: [text]})
            if ctype in ("application/x-www-form-urlencoded", "") or not raw:
                return await self._answer(request, params, decode_form(raw, "request body"))
        except QueryError as err:
            return error(err.status, err.message)
        return error(415, f"Unsupported content type '{ctype}': send application/sparql-query or a form.")

    async def _answer(
        self, request: Request, params: dict[str, list[str]], body: dict[str, list[str]]
    ) -> Response:
        def first(name: str) -> str | None:
            values = body.get(name) or params.get(name)
            return values[0] if values else None

        if first("update") is not None:
            return error(403, "This endpoint is read-only: SPARQL Update is not accepted.")
        accepted = preferred(first("format"), request.headers.get("accept"))
        query = first("query")
        if not query:
            return self._service_page(accepted)
        if accepted and accepted[0] in ("text/html", "application/xhtml+xml"):
            return self.serve_yasgui(query)  # a /sparql?query= link opened in a browser
        defaults = params.get("default-graph-uri", []) + body.get("default-graph-uri", [])
        named = params.get("named-graph-uri", []) + body.get("named-graph-uri", [])
        try:
            return await self._run(query, accepted, defaults, named)
        except QueryError as err:
            headers = {"Retry-After": "10"} if err.status == 503 else None
            return error(err.status, err.message, headers)

    async def _run(self, query: str, accepted: list[str], defaults: list[str], named: list[str]) -> Response:
        shape = inspect_query(query, self.max_depth, PREFIXES)
        media = choose_media_type(shape.kind or "solutions", accepted)
        if not media:
            kinds = "a graph" if shape.kind == "graph" else "query results"
            raise QueryError(
                f"None of the accepted media types ({', '.join(accepted)}) can carry {kinds}.", 406
            )
        key = ResultCache.key(query, defaults, named, media)
        hit = self.cache.get(key, self.engine.version)
        if hit is not None:
            return Response(hit.body, media_type=hit.media_type, headers=_headers(hit.truncated, "hit"))
        version = self.engine.version
        result = await self.engine.aexecute(query, [media], default_graphs=defaults, named_graphs=named)
        headers = _headers(result.truncated, "miss")
        entry = Entry(result.body, result.media_type, result.truncated)
        if result.chunks is not None:
            chunks = self.cache.keeping(key, version, entry, result.chunks)
            return StreamingResponse(chunks, media_type=result.media_type, headers=headers)
        self.cache.put(key, version, entry)
        return Response(result.body, media_type=result.media_type, headers=headers)

    def _service_page(self, accepted: Sequence[str]) -> Response:
        """The query editor for browsers, the service description for RDF clients."""
        for media in accepted:
            if media in ("text/html", "application/xhtml+xml"):
                return self.serve_yasgui()
            if media in SD_TYPES:
                body = self.service_description.serialize(format=SD_TYPES[media])
                return Response(body, media_type=media, headers={"Vary": "Accept"})
        body = self.service_description.serialize(format="turtle")
        return Response(body, media_type="text/turtle", headers={"Vary": "Accept"})

    def serve_yasgui(self, query: str | None = None) -> Response:
        """The site's query editor (``kg.web.editor``), with ``query`` loaded if given."""
        prefix = path_prefix(self.public_url.rsplit("/", 1)[0])
        return Editor(self.example_queries or {}, prefix).page(query)


def _headers(truncated: bool, cache: str) -> dict[str, str]:
    headers = {"Vary": "Accept", "X-Cache": cache}
    if truncated:
        headers["X-Result-Truncated"] = "true"
    return headers


def result_response(result: QueryResult) -> Response:
    """A ``QueryResult`` as an HTTP response (for other routers that query the engine)."""
    if result.chunks is not None:
        return StreamingResponse(result.chunks, media_type=result.media_type)
    return Response(result.body, media_type=result.media_type)


__all__ = ["KgSparqlRouter", "parse_accept", "result_response"]
