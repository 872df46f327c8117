"""One settings object for the server: every field documented, set by environment or CLI flags."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Server settings. Each can be set as an environment variable ``KG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    root: Path = Field(
        default_factory=Path.cwd, description="Project root (holds data/, ontology/, shapes/)."
    )
    dist: Path | None = Field(default=None, description="Build output folder; default ROOT/dist.")
    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8000, description="TCP port to listen on.")
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address the service is reached at; IRIs under the dataset's URI space resolve here.",
    )
    data: list[Path] = Field(default_factory=list, description="Extra RDF files served beside the graph.")
    query_timeout: float = Field(default=30.0, description="Seconds a query may run before it is stopped.")
    max_rows: int = Field(default=10_000, description="Most result rows (or triples) returned for one query.")
    workers: int = Field(default=2, description="Query worker processes (each runs one query at a time).")
    allow_service: list[str] = Field(
        default_factory=list,
        description="Remote endpoints/graph URLs that SERVICE and FROM may reach (a URL ending in / allows "
        "everything under it); empty: none.",
    )
    max_body: int = Field(default=1024 * 1024, description="Largest request body in bytes (413 above).")
    max_url: int = Field(default=8192, description="Longest request URL in bytes (414 above).")
    max_depth: int = Field(default=200, description="Deepest bracket nesting a query may have (400 above).")
    max_tokens: int = Field(
        default=50_000, description="Most tokens (words, terms, symbols) in one query (400 above)."
    )
    max_chain: int = Field(
        default=2_000,
        description="Most uses of any one operator or keyword (UNION, MINUS, BIND, &&, /, …) in one query, "
        "and most items in one bracket (400 above).",
    )
    union_limit: int = Field(
        default=10_000_000,
        description="Datasets of at most this many quads are served from a copy whose default graph stores "
        "the union of the named graphs (faster than evaluating the union); 0: never.",
    )
    worker_memory_mb: int = Field(
        default=4096,
        description="Most memory (address space, MiB) one query worker may use; a query that needs more "
        "gets 503 and the worker is restarted (0: no limit).",
    )
    client_queries: int = Field(
        default=0,
        description="Most uncached queries one client address may run at once (429 above); 0: half the "
        "workers, at least one.",
    )
    max_head: int = Field(
        default=16 * 1024, description="Largest request line plus headers in bytes (400 above)."
    )
    max_headers: int = Field(default=100, description="Most header lines in one request (431 above).")
    head_timeout: float = Field(
        default=10.0,
        description="Seconds a client has to send a request's line and headers (the connection is closed "
        "after that).",
    )
    body_timeout: float = Field(
        default=30.0, description="Seconds a client has to send a request's body (408 after that)."
    )
    max_connections: int = Field(
        default=1000, description="Most open client connections; more are closed at once."
    )
    send_timeout: float = Field(
        default=30.0,
        description="Seconds the server waits for a client to accept the next part of a response before "
        "it drops the connection.",
    )
    cache_mb: int = Field(default=64, description="Memory for cached query results, in MiB (0: no cache).")

    @property
    def dist_dir(self) -> Path:
        return self.dist if self.dist is not None else self.root / "dist"

    @property
    def store_path(self) -> Path:
        return self.dist_dir / "store"
