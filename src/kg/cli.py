"""The ``kg`` command: build, check, query and serve the knowledge graph.

Heavy modules are imported inside each command so that ``kg --help`` stays fast.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from kg import __version__
from kg.project import NoProject, NotBuilt, Project, built_store, locate

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project root (holds ontology/, data/, shapes/). Default: found from the current folder.",
)


def _root(root: Path | None) -> Path:
    """The checkout to build, validate or format (``--root``, or around the current folder)."""
    try:
        return locate(root, packaged_ok=False).root
    except NoProject as err:
        raise click.ClickException(str(err)) from None


def _project(root: Path | None) -> Project:
    """The checkout around the current folder or, outside any, the graph packaged with kg."""
    try:
        project = locate(root)
    except NoProject as err:
        raise click.ClickException(str(err)) from None
    if project.packaged:
        _progress(f"no project folder here: using the graph packaged with kg {__version__} ({project.dist})")
    return project


def _built_store(root: Path | None, dist: Path | None = None) -> Path:
    """The Oxigraph store of ``dist``, else of the project; the packaged graph is built on first use."""
    from kg.build.pipeline import BuildFailed

    try:
        if dist is not None:
            return built_store(Project(dist.parent, dist, packaged=False))
        return built_store(_project(root), _progress)
    except NotBuilt as err:
        raise click.ClickException(str(err)) from None
    except BuildFailed as err:
        _fail(err)


def _settings(**fields: Any) -> Any:
    """The Settings of the ``KG_*`` environment and ``fields`` (flags), or a one-line error saying
    which setting is wrong."""
    from pydantic import ValidationError

    from kg.settings import Settings

    try:
        return Settings(**fields)
    except ValidationError as err:
        wrong = "; ".join(
            f"{'.'.join(map(str, e['loc']))} (KG_{str(e['loc'][0]).upper()}): {e['msg']}"
            for e in err.errors()
        )
        raise click.ClickException(f"invalid setting: {wrong}") from None


def _progress(message: str) -> None:
    click.echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build, check, query and serve the NATO–Iraq knowledge graph."""


@main.command()
@ROOT_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: ROOT/dist). Replaced only when every check passed.",
)
@click.option(
    "--data",
    "extra",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Another RDF dataset to include as extra named graph(s); repeatable.",
)
def build(root: Path | None, out: Path | None, extra: tuple[Path, ...]) -> None:
    """Load ontology/, data/ and shapes/, check quotes, validate with SHACL, write dist/.

    dist/ gets six dumps (TriG, N-Quads, Turtle, N-Triples, JSON-LD, RDF/XML) with SHA-256
    checksums, void.ttl and an Oxigraph store. On any failure dist/ is left as it was and the
    command exits with status 1.
    """
    from kg.build.pipeline import BuildFailed
    from kg.build.pipeline import build as run_build

    r = _root(root)
    try:
        run_build(r, out, extra, progress=_progress)
    except BuildFailed as err:
        _fail(err)


@main.command()
@ROOT_OPTION
def validate(root: Path | None) -> None:
    """Parse, check quotes and run SHACL without writing anything (same report as build)."""
    from kg.build.pipeline import BuildFailed, check

    try:
        result = check(_root(root), progress=_progress)
    except BuildFailed as err:
        _fail(err)
    for res in result.shape_results:
        click.echo(str(res), err=True)
    click.echo("valid")


def _fail(err: Exception) -> NoReturn:
    stage = getattr(err, "stage", "")
    problems = getattr(err, "problems", [str(err)])
    what = f"{stage} failed" if stage else "failed"
    click.echo(f"error: {what} ({len(problems)} problem{'s' if len(problems) != 1 else ''}):", err=True)
    for line in problems:
        click.echo(line, err=True)
    if stage:
        click.echo("dist/ was not changed.", err=True)
    sys.exit(1)


@main.command()
@ROOT_OPTION
@click.argument("query")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output format for SELECT/ASK (CONSTRUCT always prints Turtle).",
)
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Built output to query (default: ROOT/dist).",
)
def query(root: Path | None, query: str, output: str, dist: Path | None) -> None:
    """Run QUERY (SPARQL text, or the path of a .rq file) on the built graph.

    The default graph is the data and ontology graphs (stored by kg build); the prefixes of
    the project are predeclared.
    """
    import pyoxigraph as ox

    from kg.engine.embedded import evaluate
    from kg.engine.plan import plan_query
    from kg.engine.results import QueryError
    from kg.terminal import render

    text = query
    if query.endswith(".rq"):
        if not Path(query).is_file():
            raise click.ClickException(f"{query}: the query file does not exist")
        text = Path(query).read_text(encoding="utf-8")
    store_path = _built_store(root, dist)
    store = ox.Store.read_only(str(store_path))
    try:  # the built store holds its default graph (data and ontology): no union to evaluate
        result = evaluate(store, plan_query(text), union_stored=True)
    except QueryError as err:
        raise click.ClickException(err.message) from None
    click.echo(render(result, output))


@main.command()
@ROOT_OPTION
@click.option("--check", is_flag=True, help="Change nothing; fail if a file is not in canonical form.")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def fmt(root: Path | None, check: bool, files: tuple[Path, ...]) -> None:
    """Rewrite hand-edited Turtle (ontology/, data/, shapes/, or FILES) in one canonical form."""
    from kg.build.canonical import format_files
    from kg.build.inputs import InputError, InputFile, find_inputs
    from kg.build.loading import LoadError

    r = _root(root)
    try:
        sources = [InputFile(p.resolve(), "extra") for p in files] if files else find_inputs(r)
        outcomes = format_files(sources, r, write=not check)
    except (InputError, LoadError) as err:
        _fail(err)
    changed = [o for o in outcomes if o.changed]
    names = [str(o.path.relative_to(r)) if o.path.is_relative_to(r) else str(o.path) for o in changed]
    for name in names:
        click.echo(f"{'would reformat' if check else 'reformatted'} {name}")
    if check and changed:
        fix = "kg fmt " + " ".join(names)
        click.echo(f"{len(changed)} file(s) not in canonical form. Fix with:\n  {fix}", err=True)
        sys.exit(1)
    click.echo(f"{len(outcomes)} file(s) checked, {len(changed)} {'to change' if check else 'changed'}.")


@main.command()
@ROOT_OPTION
def stats(root: Path | None) -> None:
    """Triples, named graphs, classes, properties and resources per class of the built graph."""
    import pyoxigraph as ox

    from kg.stats import compute

    store_path = _built_store(root)
    for line in compute(ox.Store.read_only(str(store_path))).lines():
        click.echo(line)


@main.command()
@ROOT_OPTION
@click.option("--host", default=None, help="Interface to listen on [default 127.0.0.1; env KG_HOST].")
@click.option("--port", default=None, type=int, help="TCP port [default 8000; env KG_PORT].")
@click.option("--public-url", default=None, help="Address the service is reached at [env KG_PUBLIC_URL].")
@click.option(
    "--data",
    "extra",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) to serve too; repeatable.",
)
@click.option(
    "--query-timeout",
    default=None,
    type=float,
    help="Seconds a query may run before it is stopped (its worker is killed; the client gets 503) "
    "[default 30; env KG_QUERY_TIMEOUT].",
)
@click.option(
    "--max-rows",
    default=None,
    type=click.IntRange(min=1),
    help="Most result rows (or triples) of one query; the header X-Result-Truncated says when cut "
    "[default 10000; env KG_MAX_ROWS].",
)
@click.option(
    "--allow-service",
    "allow_service",
    multiple=True,
    metavar="URL",
    help="Let SERVICE and remote FROM reach URL (a URL ending in / allows everything under it); "
    "repeatable. Default: none.",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(min=1),
    help="Query worker processes, each running one query at a time [default: CPUs, at least 2; "
    "env KG_WORKERS].",
)
@click.option(
    "--engine",
    "engine_url",
    default=None,
    metavar="URL",
    help="Answer from this SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB …, loaded with "
    "'kg publish') instead of the built store [env KG_ENGINE]; see docs/deployment.md.",
)
@click.option(
    "--server",
    type=click.Choice(["uvicorn", "granian"]),
    default=None,
    help="HTTP server [default uvicorn; granian is faster and needs 'pip install granian'; env KG_SERVER].",
)
@click.option(
    "--access-log/--no-access-log",
    default=None,
    help="Log one line per request [default off; env KG_ACCESS_LOG].",
)
def serve(
    engine_url: str | None,
    root: Path | None,
    host: str | None,
    port: int | None,
    public_url: str | None,
    extra: tuple[Path, ...],
    query_timeout: float | None,
    max_rows: int | None,
    allow_service: tuple[str, ...],
    workers: int | None,
    server: str | None,
    access_log: bool | None,
) -> None:
    """Serve the graph: SPARQL endpoint and query editor at /sparql, landing page at /.

    Builds the graph first if dist/ is missing. Queries run on Oxigraph in worker processes,
    read-only, each under the time limit; see docs/sparql-service.md. Every option can also be
    set as a KG_* environment variable; a flag wins over the environment.
    """
    from kg.build.pipeline import BuildFailed
    from kg.build.pipeline import build as run_build
    from kg.engine.remote_config import EngineConfigError
    from kg.web.serving import PortInUse, listen, serve

    project = _project(root)
    flags: dict[str, Any] = {
        # the packaged graph is built into the user cache; a checkout's dist/ may come from KG_DIST
        "dist": project.dist if project.packaged else None,
        "host": host,
        "port": port,
        "public_url": public_url,
        "data": list(extra) or None,
        "query_timeout": query_timeout,
        "max_rows": max_rows,
        "allow_service": list(allow_service) or None,
        "workers": workers,
        "engine": engine_url,
        "server": server,
        "access_log": access_log,
    }
    settings = _settings(root=project.root, **{k: v for k, v in flags.items() if v is not None})
    if settings.engine and settings.data:
        raise click.UsageError("--data goes into the store: 'kg build --data FILE' then 'kg publish'")
    try:
        sock = listen(settings)  # first: a port in use is said before anything is built
    except PortInUse as err:
        raise click.ClickException(str(err)) from None
    if not settings.store_path.is_dir() and not settings.engine:
        _progress("dist/ is missing: building it first")
        try:
            run_build(settings.root, settings.dist_dir, progress=_progress)
        except BuildFailed as err:
            _fail(err)
    if settings.data:
        _progress(f"merging {len(settings.data)} data file(s) into a temporary store for the query workers")
    try:
        serve(settings, sock, say=_progress)
    except EngineConfigError as err:
        raise click.ClickException(str(err)) from None


@main.command()
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph), "
    "http://HOST:3030/DATASET/data (Fuseki).",
)
@click.option("--token", default=None, help="Bearer token [env KG_PUBLISH_TOKEN].")
@click.option("--user", default=None, help="User name for HTTP Basic authentication.")
@click.option("--password", default=None, help="Password [env KG_PUBLISH_PASSWORD].")
@click.option("--digest", is_flag=True, help="Use HTTP Digest instead of Basic for --user/--password.")
@click.option(
    "--dist",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Built output to publish (default: ROOT/dist).",
)
@click.option("--graph-param", default="graph", show_default=True, help="Query parameter naming the graph.")
@click.option(
    "--media-type",
    type=click.Choice(["application/n-triples", "text/turtle"]),
    default="application/n-triples",
    show_default=True,
    help="Syntax each graph is sent in.",
)
@click.option("--timeout", default=300.0, show_default=True, type=float, help="Seconds per request.")
@ROOT_OPTION
def publish(
    target: str,
    token: str | None,
    user: str | None,
    password: str | None,
    digest: bool,
    dist: Path | None,
    graph_param: str,
    media_type: str,
    timeout: float,
    root: Path | None,
) -> None:
    """Load the built dataset into a SPARQL 1.1 Graph Store Protocol store at URL.

    One PUT per named graph (replacing that graph in the store), so running it again changes
    nothing. Exits with status 1, saying which graph failed and what the store answered.
    """
    from kg.publish import PublishError, Target, credentials
    from kg.publish import publish as run_publish

    settings = _settings()  # the secrets may come from the environment: KG_PUBLISH_TOKEN, KG_PUBLISH_PASSWORD
    if token is None and settings.publish_token is not None:
        token = settings.publish_token.get_secret_value()
    if password is None and settings.publish_password is not None:
        password = settings.publish_password.get_secret_value()
    folder = dist or _project(root).dist
    try:
        store = Target(target, credentials(token, user, password, digest), graph_param, media_type, timeout)
        _progress(f"publishing {folder} to {target}")
        run_publish(folder, store, _progress)
    except PublishError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
