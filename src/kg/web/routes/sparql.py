"""The SPARQL 1.1 Protocol at ``/sparql`` (https://www.w3.org/TR/sparql11-protocol/).

A request is read strictly (one ``query``, UTF-8, a Content-Type that says what the body is:
400/415 otherwise), planned once (:func:`kg.engine.plan.plan_query`: checks, dataset, media
type, limits, base IRI), answered from the result cache or by the ``QueryEngine``, and sent
with the engine's own serialisation. ``GET /sparql`` without a query gives the service
description (RDF clients) or the query editor (browsers); a browser that opens a query link gets
the editor with that query. See docs/sparql-service.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.routing import Route

from kg.engine.base import QueryEngine, QueryError, QueryResult
from kg.engine.plan import Limits, QueryPlan, plan_query
from kg.formats import BY_KEY, SOLUTIONS, by_media_type, parse_accept
from kg.web.deps import get_cache, get_engine, get_limits, get_settings, provided, public_url
from kg.web.http.limits import decode_form, error, read_body
from kg.web.http.result_cache import CacheKey, Entry, ResultCache
from kg.web.iris import SPARQL_PATH
from kg.web.render.editor import Editor
from kg.web.render.service_description import SYNTAXES, describe_service, serialise

PAGE_TYPES = ("text/html", "application/xhtml+xml")
FORM = "application/x-www-form-urlencoded"
Params = dict[str, list[str]]


def wants_page(accept: str | None) -> bool:
    """The client prefers HTML to any result or RDF type (a browser)."""
    for media in parse_accept(accept):
        if media in PAGE_TYPES:
            return True
        if media != "*/*":
            return False
    return False


def _one(params: Params, name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(f"Send one {name} per request, not {len(values)}.", 400)
    return values[0]


def _merge(*sources: Params) -> Params:
    merged: Params = {}
    for source in sources:
        for name, values in source.items():
            merged.setdefault(name, []).extend(values)
    return merged


async def read_params(request: Request, max_body: int) -> Params:
    """The protocol parameters of a request: query string, plus a form or a query body (POST)."""
    query_string = request.scope.get("query_string", b"")
    url = decode_form(query_string, "query string") if query_string else {}
    if request.method != "POST":
        return url
    raw = await read_body(request, max_body)
    declared = request.headers.get("content-length")
    if not raw and declared and declared.strip() not in ("", "0"):
        raise QueryError(
            f"The request body did not arrive (Content-Length {declared}, 0 bytes read); send it again.",
            400,
        )
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-query":
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise QueryError(f"The request body is not valid UTF-8 (byte {err.start}).", 400) from None
        return _merge(url, {"query": [text]})
    if ctype == "application/sparql-update":
        return _merge(url, {"update": [""]})
    if ctype == FORM:
        return _merge(url, decode_form(raw, "request body"))
    if not ctype:
        raise QueryError(
            "A POST to /sparql needs a Content-Type: application/sparql-query (the query as the body) "
            f"or {FORM} (query=…).",
            400,
        )
    raise QueryError(f"Unsupported content type '{ctype}': send application/sparql-query or a form.", 415)


Handler = Callable[[Request], Awaitable[Response]]


def sparql_handler(editor: Editor) -> Handler:
    """The handler of ``SPARQL_PATH``: a request in, its response out (every refusal is a response)."""

    async def sparql(request: Request) -> Response:
        """Query with GET (``query=``), POST form or POST ``application/sparql-query`` body."""
        engine = provided(request, get_engine)
        limits = provided(request, get_limits)
        try:
            params = await read_params(request, provided(request, get_settings).max_body)
            if "update" in params:
                raise QueryError("This endpoint is read-only: SPARQL Update is not accepted.", 403)
            query = _one(params, "query")
            accept = request.headers.get("accept")
            endpoint = provided(request, public_url) + SPARQL_PATH
            if query is None and request.method != "POST":
                return editor.page() if wants_page(accept) else _service(engine, limits, endpoint, accept)
            if query is None or not query.strip():
                raise QueryError("The request has no query: send query=… (or a query body).", 400)
            if request.method != "POST" and wants_page(accept):
                return editor.page(query)
            format_param = next(iter(params.get("format", [])), None)
            default_graphs = params.get("default-graph-uri", [])
            named_graphs = params.get("named-graph-uri", [])
            # the request's own terms are the cache key: a repeated query is answered unplanned (the
            # plan is a function of exactly these, and the cache forgets everything on a new build)
            cache = provided(request, get_cache)
            key = ResultCache.key(
                f"{endpoint}\n{query}", default_graphs, named_graphs, f"{format_param}\n{accept}"
            )
            version = engine.version
            hit = cache.get(key, version)
            if hit is not None:
                return Response(hit.body, media_type=hit.media_type, headers=_headers(hit.truncated, "hit"))
            plan = await _planned(
                query,
                accepted=parse_accept(accept),
                format_param=format_param,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                limits=limits,
                local_graphs=engine.named_graphs(),
                base_iri=endpoint,
                client=request.client.host if request.client else None,  # whose turn (kg.engine.fairness)
            )
            return await answer(plan, engine, cache, key, version)
        except QueryError as err:
            headers = {"Retry-After": "10"} if err.status in (429, 503) else None
            return error(err.status, err.message, headers)

    return sparql


def sparql_router(sparql: Handler) -> APIRouter:
    """``sparql`` as a route (the service's fast lane, :mod:`kg.web.lane`, answers GET and POST
    before routing; the route answers HEAD, and what reaches the app without the lane)."""
    router = APIRouter(tags=["SPARQL"])
    # a plain route answers (FastAPI's dependency solving would cost more than the query) …
    router.routes.append(Route(SPARQL_PATH, sparql, methods=["GET", "POST"], include_in_schema=False))
    # … and this one, never reached, documents the endpoint in the OpenAPI description
    router.add_api_route(SPARQL_PATH, sparql, methods=["GET", "POST"], summary="SPARQL 1.1 query")
    return router


# Up to this length a query is read on the event loop: a real one in well under a millisecond, the
# worst text about 5 ms. Longer queries are read in a thread (for a 3.4 KB query the two ways
# measured the same; on the loop, the worst 4 KB text would hold it for about 10 ms).
INLINE = 2048


async def _planned(query: str, **options: Any) -> QueryPlan:
    """``plan_query`` (the query's one reading), off the event loop unless the query is short:
    the reading is linear in the query's length, up to a second for the largest bodies."""
    if len(query) <= INLINE:
        return plan_query(query, **options)
    return await asyncio.to_thread(plan_query, query, **options)


def _service(engine: QueryEngine, limits: Limits, endpoint: str, accept: str | None) -> Response:
    """The service description in the RDF syntax asked for (Turtle by default)."""
    syntaxes = [BY_KEY[k] for k in SYNTAXES]
    fmt = BY_KEY["ttl"]
    for media in parse_accept(accept):
        found = by_media_type(media, syntaxes)
        if found is not None and by_media_type(media, SOLUTIONS) is None:
            fmt = found
            break
    graph = describe_service(endpoint, engine.named_graphs(), bool(limits.allow.entries))
    return Response(serialise(graph, fmt), media_type=fmt.content_type, headers={"Vary": "Accept"})


async def answer(
    plan: QueryPlan, engine: QueryEngine, cache: ResultCache, key: CacheKey, version: str
) -> Response:
    """The result of ``plan`` from the engine, kept in ``cache`` under ``key`` for ``version``."""
    result = await engine.run(plan)
    headers = _headers(result.truncated, "miss")
    entry = Entry(result.body, result.media_type, result.truncated)
    if result.chunks is not None:
        chunks = cache.keeping(key, version, entry, result.chunks)
        return StreamingResponse(chunks, media_type=result.media_type, headers=headers)
    cache.put(key, version, entry)
    return Response(result.body, media_type=result.media_type, headers=headers)


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


__all__ = ["Editor", "answer", "parse_accept", "result_response", "sparql_handler", "sparql_router"]
