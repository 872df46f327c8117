"""How far a request walks through the code: the functions of ``kg`` it enters, file by file.

The app is served as ``kg serve`` serves it (the settings' engine, worker processes included, under
uvicorn) in a thread of this process, with a profiler on every thread. For one request it records
each function of ``src/kg`` the first time it is entered, in order. A *stay* is a run of those
functions in one file; *returns* are the stays beyond the first in each file (stays − files): how
often the flow comes back to a file it had already left. The fewer, the more a request reads top
to bottom.

    python -m benchmarks.walk [--root DIR]     # a built checkout (default: this one)

prints the walk of each request below (its stays in order, then the counts); ``walks()`` returns
the counts for the tests. Each request is asked after a warm-up request of the same kind, so what
a first visitor pays once (labels read once per build, templates compiled) is not counted, and
once the timeline's data, which the app prepares in the background at start-up, is ready (that
work is no request's); the SPARQL query is new each time, so the result cache misses.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

import kg
from benchmarks.servers import free_port
from kg.namespaces import BASE

PACKAGE = str(Path(kg.__file__).resolve().parent) + "/"


@dataclass(frozen=True)
class Walk:
    name: str
    functions: list[tuple[str, str]]
    """(file relative to ``src/kg``, function) in first-entry order."""

    @property
    def stays(self) -> list[tuple[str, list[str]]]:
        runs: list[tuple[str, list[str]]] = []
        for file, function in self.functions:
            if runs and runs[-1][0] == file:
                runs[-1][1].append(function)
            else:
                runs.append((file, [function]))
        return runs

    @property
    def files(self) -> int:
        return len({file for file, _ in self.functions})

    @property
    def returns(self) -> int:
        return len(self.stays) - self.files

    def report(self) -> str:
        lines = [f"{self.name}: {len(self.stays)} stays in {self.files} files, {self.returns} returns"]
        lines += [f"  {file}: {', '.join(functions)}" for file, functions in self.stays]
        return "\n".join(lines)


class Recorder:
    """A profiler for every thread: the ``kg`` functions entered while ``recording``."""

    def __init__(self) -> None:
        self.recording = False
        self.seen: dict[Any, tuple[str, str]] = {}
        self.lock = threading.Lock()

    def __call__(self, frame: FrameType, event: str, arg: object) -> None:
        if event != "call" or not self.recording:
            return
        code = frame.f_code
        if code in self.seen or not code.co_filename.startswith(PACKAGE) or code.co_filename[-3:] != ".py":
            return  # functions of kg's modules (not the code Jinja compiles from kg's templates)
        with self.lock:
            if code not in self.seen:
                self.seen[code] = (code.co_filename.removeprefix(PACKAGE), code.co_qualname)

    @contextlib.contextmanager
    def record(self) -> Iterator[list[tuple[str, str]]]:
        found: list[tuple[str, str]] = []
        self.seen.clear()
        self.recording = True
        try:
            yield found
        finally:
            self.recording = False
            found.extend(self.seen.values())


@contextlib.contextmanager
def serving(root: Path, recorder: Recorder) -> Iterator[str]:
    """The app of ``root`` as ``kg serve`` builds it, under uvicorn in a thread; yields its URL."""
    import uvicorn

    from kg.settings import Settings
    from kg.web.app import create_app
    from kg.web.serving import engine_for, uvicorn_config

    port = free_port()
    settings = Settings(root=root, port=port, workers=2)
    app = create_app(settings, engine_for(settings))
    threading.setprofile(recorder)
    server = uvicorn.Server(uvicorn_config(settings, app, "warning"))  # as kg serve configures it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/sparql?query=ASK%7B%7D", timeout=5).status_code == 200:
                break
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not answer within 120 s")
        time.sleep(0.2)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(30)
        threading.setprofile(None)  # type: ignore[arg-type]


def _measure(recorder: Recorder, name: str, request: Callable[[], httpx.Response]) -> Walk:
    with recorder.record() as found:
        response = request()
    assert response.status_code == 200, f"{name}: {response.status_code} {response.text[:300]}"
    return Walk(name, found)


def walks(root: Path) -> list[Walk]:
    """The walks of a SPARQL GET that misses the cache and of an HTML entity page."""
    recorder = Recorder()
    out = []
    with serving(root, recorder) as url, httpx.Client(base_url=url, timeout=60) as http:
        json = {"Accept": "application/sparql-results+json"}
        html = {"Accept": "text/html"}
        query = "SELECT ?s WHERE {{ ?s a ?type }} LIMIT {}"
        http.get("/sparql", params={"query": query.format(1)}, headers=json)  # warm-up
        out.append(
            _measure(
                recorder,
                "SPARQL GET, cache missed",
                lambda: http.get("/sparql", params={"query": query.format(2)}, headers=json),
            )
        )
        entities = [
            r["s"]["value"]
            for r in http.get(
                "/sparql",
                params={"query": "SELECT ?s { ?s a ?t FILTER(CONTAINS(STR(?s), '/id/event/')) } LIMIT 2"},
                headers=json,
            ).json()["results"]["bindings"]
        ]
        paths = ["/" + iri.removeprefix(BASE) for iri in entities]
        http.get("/timeline", headers=html)  # warm-up: the timeline's data, prepared at start-up, is ready
        http.get(paths[0], headers=html)  # warm-up: the labels of this build are read once
        out.append(_measure(recorder, "HTML entity page", lambda: http.get(paths[1], headers=html)))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="a built checkout (default: here)")
    args = parser.parse_args(argv)
    for walk in walks(args.root.resolve()):
        print(walk.report())
        print()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
