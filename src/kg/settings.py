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
    max_rows: int = Field(default=10_000, description="Most result rows returned for one query.")

    @property
    def dist_dir(self) -> Path:
        return self.dist if self.dist is not None else self.root / "dist"

    @property
    def store_path(self) -> Path:
        return self.dist_dir / "store"
