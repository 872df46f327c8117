"""The one settings object: every ``KG_*`` variable is a field here (documented), and the CLI's
flags set the same fields (a flag wins over the environment)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg import defaults


class Settings(BaseSettings):
    """Settings of ``kg serve`` and ``kg publish``. Each can be set as an environment variable
    ``KG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    root: Path = Field(
        default_factory=Path.cwd, description="Project root (holds data/, ontology/, shapes/)."
    )
    dist: Path | None = Field(default=None, description="Build output folder; default ROOT/dist.")
    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8000, description="TCP port to listen on.")
    public_url: str | None = Field(
        default=None,
        description="Address the service is reached at; IRIs under the dataset's URI space resolve here, "
        "and relative IRIs in queries against its /sparql. Default: the scheme and host of each request.",
    )
    data: list[Path] = Field(default_factory=list, description="Extra RDF files served beside the graph.")
    query_timeout: float = Field(
        default=defaults.QUERY_TIMEOUT, description="Seconds a query may run before it is stopped."
    )
    max_rows: int = Field(
        default=defaults.MAX_ROWS, description="Most result rows (or triples) returned for one query."
    )
    workers: int = Field(
        default_factory=lambda: max(2, os.cpu_count() or 2),
        description="Query worker processes for /sparql, each running one query at a time (default: CPUs, at "
        "least 2); one more answers the site's own pages.",
    )
    allow_service: list[str] = Field(
        default_factory=list,
        description="Remote endpoints/graph URLs that SERVICE and FROM may reach (a URL ending in / allows "
        "everything under it); empty: none.",
    )
    max_body: int = Field(default=defaults.MAX_BODY, description="Largest request body in bytes (413 above).")
    max_url: int = Field(default=defaults.MAX_URL, description="Longest request URL in bytes (414 above).")
    max_depth: int = Field(
        default=defaults.MAX_DEPTH, description="Deepest bracket nesting a query may have (400 above)."
    )
    max_tokens: int = Field(
        default=defaults.MAX_TOKENS,
        description="Most tokens (words, terms, symbols) in one query (400 above).",
    )
    max_chain: int = Field(
        default=defaults.MAX_CHAIN,
        description="Most uses of any one operator or keyword (UNION, MINUS, BIND, &&, /, …) in one query, "
        "and most items in one bracket (400 above).",
    )
    union_limit: int = Field(
        default=defaults.UNION_LIMIT,
        description="Datasets of at most this many quads are served from a copy whose default graph stores "
        "the union of the named graphs (faster than evaluating the union); 0: never.",
    )
    worker_memory_mb: int = Field(
        default=defaults.WORKER_MEMORY_MB,
        description="Most memory (address space, MiB) one query worker may use; a query that needs more "
        "gets 503 and the worker is restarted (0: no limit).",
    )
    client_queries: int = Field(
        default=defaults.CLIENT_QUERIES,
        description="Most uncached /sparql queries one client address may run at once (429 above); 0: half "
        "the workers, at least one. The site's own pages are not counted: they have a worker of their own.",
    )
    spool_mb: int = Field(
        default=defaults.SPOOL_MB,
        description="Disk for large query results waiting for their clients, in MiB (503 above).",
    )
    client_spool_mb: int = Field(
        default=defaults.CLIENT_SPOOL_MB,
        description="Disk for large query results waiting for one client address, in MiB (503 above).",
    )
    max_head: int = Field(
        default=defaults.MAX_HEAD, description="Largest request line plus headers in bytes (400 above)."
    )
    max_headers: int = Field(
        default=defaults.MAX_HEADERS, description="Most header lines in one request (431 above)."
    )
    head_timeout: float = Field(
        default=defaults.HEAD_TIMEOUT,
        description="Seconds a client has to send a request's line and headers (the connection is closed "
        "after that).",
    )
    body_timeout: float = Field(
        default=defaults.BODY_TIMEOUT,
        description="Seconds a client has to send a request's body (408 after that).",
    )
    max_connections: int = Field(
        default=defaults.MAX_CONNECTIONS, description="Most open client connections; more are closed at once."
    )
    max_client_connections: int = Field(
        default=defaults.MAX_CLIENT_CONNECTIONS,
        description="Most open connections from one client address (a trusted proxy's are not counted); "
        "more are closed at once.",
    )
    max_client_heads: int = Field(
        default=defaults.MAX_CLIENT_HEADS,
        description="Most half-sent request heads (line and headers begun, not finished) from one client "
        "address at once; a connection that starts one more is closed.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (10.0.0.0/8) of the reverse proxies in front of this server; "
        "only their X-Forwarded-For is believed. Empty (the default): the client is the connection's "
        "address.",
    )
    send_timeout: float = Field(
        default=defaults.SEND_TIMEOUT,
        description="Seconds the server waits for a client to accept the next part of a response before "
        "it drops the connection.",
    )
    cache_mb: int = Field(
        default=defaults.CACHE_MB, description="Memory for cached query results, in MiB (0: no cache)."
    )
    engine: str | None = Field(
        default=None,
        description="Answer from this SPARQL 1.1 endpoint (loaded with 'kg publish'), not the built store.",
    )
    server: Literal["uvicorn", "granian"] = Field(
        default="uvicorn",
        description="HTTP server: uvicorn, or granian (a Rust server, faster; pip install granian).",
    )
    access_log: bool = Field(
        default=False,
        description="Log one line per request (both servers; off by default: the line costs more than a "
        "cached answer, and a proxy in front usually logs requests already).",
    )
    engine_token: SecretStr | None = Field(
        default=None, description="Bearer token for the --engine store (Authorization: Bearer …)."
    )
    engine_user: str | None = Field(
        default=None, description="User name for the --engine store (HTTP Basic)."
    )
    engine_password: SecretStr | None = Field(default=None, description="Password for engine_user.")
    engine_digest: bool = Field(default=False, description="HTTP Digest instead of Basic for engine_user.")
    engine_union: Literal["auto", "dataset", "store"] = Field(
        default="auto",
        description="How the --engine store's default graph is made the union of the named graphs: auto "
        "(detected), dataset (sent as default-graph-uri) or store (its own default graph).",
    )
    publish_token: SecretStr | None = Field(default=None, description="Bearer token for 'kg publish'.")
    publish_password: SecretStr | None = Field(default=None, description="Password for 'kg publish --user'.")

    @property
    def dist_dir(self) -> Path:
        return self.dist if self.dist is not None else self.root / "dist"

    @property
    def store_path(self) -> Path:
        return self.dist_dir / "store"
