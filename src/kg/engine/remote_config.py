"""How this service reaches a remote store: credentials, and the engine ``kg serve --engine URL`` runs.

Secrets are read from the environment (or given by the caller), never needed on a command line
where other users of the machine could read them in the process list.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping
from typing import Literal, cast

import httpx

from kg.engine.plan import limits_for
from kg.engine.remote import RemoteEngine
from kg.engine.results import QueryError
from kg.settings import Settings

UNION_MODES = ("auto", "dataset", "store")


class EngineConfigError(ValueError):
    """The remote engine cannot be used as configured (the message says why)."""


class CredentialsError(EngineConfigError):
    """Credentials were given in a way that cannot be used."""


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer TOKEN`` on every request."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def credentials(
    token: str | None = None, user: str | None = None, password: str | None = None, digest: bool = False
) -> httpx.Auth | None:
    """Bearer ``token``, or ``user``/``password`` as HTTP Basic (Digest with ``digest``), or none."""
    if token and user:
        raise CredentialsError("give either a token or a user name and password, not both")
    if token:
        return BearerAuth(token)
    if user:
        return (httpx.DigestAuth if digest else httpx.BasicAuth)(user, password or "")
    return None


def remote_engine(url: str, settings: Settings, env: Mapping[str, str] = os.environ) -> RemoteEngine:
    """A RemoteEngine on the SPARQL endpoint ``url`` with the server's limits and allowlist.

    From the environment: ``KG_ENGINE_TOKEN`` (bearer) or ``KG_ENGINE_USER`` and
    ``KG_ENGINE_PASSWORD`` (HTTP Basic; ``KG_ENGINE_DIGEST=1`` for Digest), and
    ``KG_ENGINE_UNION`` (``auto``, ``dataset`` or ``store``: how the default graph is made the
    union of the named graphs, see ``kg.engine.remote``). Raises EngineConfigError when the
    store does not answer a first query (listing its named graphs).
    """
    union = env.get("KG_ENGINE_UNION", "auto")
    if union not in UNION_MODES:
        raise EngineConfigError(f"KG_ENGINE_UNION must be one of {', '.join(UNION_MODES)}, not {union!r}")
    auth = credentials(
        env.get("KG_ENGINE_TOKEN"),
        env.get("KG_ENGINE_USER"),
        env.get("KG_ENGINE_PASSWORD"),
        env.get("KG_ENGINE_DIGEST", "") not in ("", "0"),
    )
    engine = RemoteEngine(
        url,
        limits=limits_for(settings),
        union=cast(Literal["auto", "dataset", "store"], union),
        auth=auth,
    )
    try:
        engine.named_graphs()  # fail now, with the store's answer, rather than at the first request
    except QueryError as err:
        engine.close()
        raise EngineConfigError(err.message) from None
    return engine
