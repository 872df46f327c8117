"""The SPARQL 1.1 Protocol at ``/sparql`` (https://www.w3.org/TR/sparql11-protocol/).

An ordinary route for GET and POST. A request is read strictly (one ``query``, UTF-8, a
Content-Type that says what the body is: 400/415 otherwise), answered from the result cache when
the same request was answered before, else planned once (:func:`kg.engine.plan.plan_query`:
checks, dataset, media type, limits, base IRI) and run by the ``QueryEngine``, whose serialisation
is sent as it is. ``GET /sparql`` without a query gives the service description (RDF clients) or
the query editor (browsers); a browser that opens a query link gets the editor with that query.
The protocol's parameters and answers are declared for OpenAPI by :mod:`kg.web.openapi`. See
docs/sparql-service.md.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from kg.engine.base import QueryEngine, QueryError
from kg.engine.plan import Limits, QueryPlan, plan_query
from kg.formats import BY_KEY, SOLUTIONS, by_media_type, parse_accept
from kg.web import openapi
from kg.web.deps import CacheDep, EngineDep, LimitsDep, PublicUrlDep, SettingsDep
from kg.web.http.errors import error
from kg.web.http.result_cache import Entry, ResultCache
from kg.web.iris import SPARQL_PATH
from kg.web.render.editor import Editor
from kg.web.render.service_description import SYNTAXES, describe_service, serialise

PAGE_TYPES = ("text/html", "application/xhtml+xml")
FORM = "application/x-www-form-urlencoded"
Params = dict[str, list[str]]
TRUNCATED = {"X-Result-Truncated": "true"}  # the result had more rows than the limit and was cut

# Up to this length a query is read on the event loop: a real one in well under a millisecond, the
# worst text about 5 ms. Longer queries are read in a thread (for a 3.4 KB query the two ways
# measured the same; on the loop, the worst 4 KB text would hold it for about 10 ms).
INLINE = 2048


def sparql_router(editor: Editor) -> APIRouter:
    """``GET`` and ``POST /sparql``; ``editor`` is the page browsers get."""
    router = APIRouter(tags=["SPARQL"])

    @router.get(SPARQL_PATH, summary="SPARQL query (GET)", openapi_extra=openapi.GET, **openapi.ROUTE)
    @router.post(
        SPARQL_PATH, summary="SPARQL query (POST form or body)", openapi_extra=openapi.POST, **openapi.ROUTE
    )
    async def sparql(
        request: Request,
        engine: EngineDep,
        settings: SettingsDep,
        limits: LimitsDep,
        cache: CacheDep,
        base: PublicUrlDep,
    ) -> Response:
        """Query with GET (``query=``), POST form or POST ``application/sparql-query`` body."""
        try:
            params = await read_params(request, settings.max_body, settings.body_timeout)
            if "update" in params:
                raise QueryError("This endpoint is read-only: SPARQL Update is not accepted.", 403)
            query = one(params, "query")
            accept = request.headers.get("accept")
            endpoint = base + SPARQL_PATH
            if query is None and request.method != "POST":
                return editor.page() if wants_page(accept) else service(engine, limits, endpoint, accept)
            if query is None or not query.strip():
                raise QueryError("The request has no query: send query=… (or a query body).", 400)
            if request.method != "POST" and wants_page(accept):
                return editor.page(query)
            format_param = next(iter(params.get("format", [])), None)
            default_graphs = params.get("default-graph-uri", [])
            named_graphs = params.get("named-graph-uri", [])
            # the request's own terms are the cache key: a repeated query is answered unplanned (the
            # plan is a function of exactly these, and the cache forgets everything on a new build)
            version = engine.version
            key = ResultCache.key(
                f"{endpoint}\n{query}", default_graphs, named_graphs, f"{format_param}\n{accept}"
            )
            hit = cache.get(key, version)
            if hit is not None:
                headers = {"Vary": "Accept", "X-Cache": "hit"} | (TRUNCATED if hit.truncated else {})
                return Response(hit.body, media_type=hit.media_type, headers=headers)
            options: dict[str, Any] = {
                "accepted": parse_accept(accept),
                "format_param": format_param,
                "default_graphs": default_graphs,
                "named_graphs": named_graphs,
                "limits": limits,
                "local_graphs": engine.named_graphs(),
                "base_iri": endpoint,
                "client": request.client.host if request.client else None,  # whose turn (kg.engine.fairness)
            }
            # planning reads the query once, in time linear in its length: long ones off the loop
            plan: QueryPlan = (
                plan_query(query, **options)
                if len(query) <= INLINE
                else await asyncio.to_thread(plan_query, query, **options)
            )
            result = await engine.run(plan)
        except QueryError as err:
            return error(err.status, err.message)
        headers = {"Vary": "Accept", "X-Cache": "miss"} | (TRUNCATED if result.truncated else {})
        entry = Entry(result.body, result.media_type, result.truncated)
        if result.chunks is not None:
            chunks = cache.keeping(key, version, entry, result.chunks)
            return StreamingResponse(chunks, media_type=result.media_type, headers=headers)
        cache.put(key, version, entry)
        return Response(result.body, media_type=result.media_type, headers=headers)

    return router


async def read_params(request: Request, max_body: int, body_timeout: float) -> Params:
    """The protocol parameters of a request: query string, plus a form or a query body (POST)."""
    query_string = request.scope["query_string"]
    url = decode_form(query_string, "query string") if query_string else {}
    if request.method != "POST":
        return url
    raw = await read_body(request, max_body, body_timeout)
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
        return merge(url, {"query": [text]})
    if ctype == "application/sparql-update":
        return merge(url, {"update": [""]})
    if ctype == FORM:
        return merge(url, decode_form(raw, "request body"))
    if not ctype:
        raise QueryError(
            "A POST to /sparql needs a Content-Type: application/sparql-query (the query as the body) "
            f"or {FORM} (query=…).",
            400,
        )
    raise QueryError(f"Unsupported content type '{ctype}': send application/sparql-query or a form.", 415)


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    """The request body, refused with 413 as soon as it grows past ``limit`` bytes (a chunked body
    declares no length), and with 408 when it has not all arrived within ``seconds``."""
    data = bytearray()
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                data += chunk
                if len(data) > limit:
                    raise QueryError(f"Request body too large (over {limit} bytes).", 413)
    except TimeoutError:
        raise QueryError(f"The request body did not arrive within {seconds:g} s.", 408) from None
    return bytes(data)


def decode_form(raw: bytes, what: str) -> Params:
    """``application/x-www-form-urlencoded`` data whose text and escapes must be UTF-8 (a 400
    otherwise: never silently replaced)."""
    try:
        text = raw.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as err:
        raise QueryError(f"The {what} is not valid UTF-8 ({err.reason} at byte {err.start}).", 400) from None


def one(params: Params, name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise QueryError(f"Send one {name} per request, not {len(values)}.", 400)
    return values[0]


def merge(*sources: Params) -> Params:
    merged: Params = {}
    for source in sources:
        for name, values in source.items():
            merged.setdefault(name, []).extend(values)
    return merged


def wants_page(accept: str | None) -> bool:
    """The client prefers HTML to any result or RDF type (a browser)."""
    if not accept or "html" not in accept:
        return False
    for media in parse_accept(accept):
        if media in PAGE_TYPES:
            return True
        if media != "*/*":
            return False
    return False


def service(engine: QueryEngine, limits: Limits, endpoint: str, accept: str | None) -> Response:
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
