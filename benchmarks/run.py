"""Benchmark this SPARQL endpoint against Oxigraph's server, stock rdflib-endpoint and the floor.

    .venv/bin/python -m benchmarks.run                     # 2k, 100k and 1M triples (several minutes)
    .venv/bin/python -m benchmarks.run --sizes 2k,100k     # quicker

For each size it generates a deterministic graph shaped like this one, starts every endpoint over
it and runs the same query mix: a lookup, a timeline (ORDER BY), two GROUP BY aggregates, a
4-pattern join and the competency queries of queries/. Latency is measured on one keep-alive
connection per endpoint, the endpoints taking turns request by request (so that other work on
the machine weighs on all alike): "fresh" requests differ by a trailing comment (no cache can
answer them), "repeated" ones are identical (this endpoint answers them from its result cache).
Throughput is a trivial lookup with 16 concurrent connections, cold (a different resource each
time) and warm (the same one), one endpoint at a time. The ``before`` peer is this endpoint as an
earlier commit has it (``--before``; default: where this branch left main), for the cost of a
change side by side. Writes docs/benchmarks.md, docs/benchmarks.png and docs/benchmarks.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.generate import country_iri, event_iri, generate
from benchmarks.load import latency, throughput
from benchmarks.servers import (
    OURS,
    PEERS,
    Endpoint,
    checkout,
    cpu_seconds,
    remove_checkout,
    start,
    stop,
    versions,
)

REPO = Path(__file__).resolve().parents[1]
SIZES = {"2k": 2_000, "100k": 100_000, "1m": 1_000_000}
HEAD = """PREFIX nio: <https://w3id.org/nato-iraq/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""
QUERIES = {
    "lookup": f"SELECT ?p ?o WHERE {{ <{event_iri(1)}> ?p ?o }}",
    "timeline (ORDER BY)": """SELECT ?e ?label ?start WHERE {
  ?e a nio:Event ; rdfs:label ?label ; sem:hasEarliestBeginTimeStamp ?start .
  FILTER(YEAR(?start) = 2016) } ORDER BY ?start ?e""",
    "GROUP BY event type": """SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e nio:eventType ?type }
GROUP BY ?type ORDER BY DESC(?n)""",
    "GROUP BY actor": """SELECT ?actor (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e sem:hasActor ?actor }
GROUP BY ?actor ORDER BY DESC(?n) ?actor LIMIT 20""",
    "4-pattern join": f"""SELECT ?e ?label WHERE {{
  ?e sem:hasPlace ?place . ?place schema:containedInPlace <{country_iri(3)}> .
  ?e nio:hasParticipation ?p . ?p nio:participant ?a . ?a rdfs:label ?label }}""",
}
ANALYTIC = ["timeline (ORDER BY)", "GROUP BY event type", "GROUP BY actor", "4-pattern join"]


def competency_queries() -> dict[str, str]:
    """queries/*.rq, with PREFIX lines added for the project prefixes they use but do not declare."""
    from kg.namespaces import PREFIXES

    found = {}
    for path in sorted((REPO / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        declared = set(re.findall(r"PREFIX\s+([\w-]*):", text, flags=re.I))
        missing = [f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in declared]
        found[path.stem] = "".join(missing) + text
    return found


def default_before() -> str:
    """The commit where this branch left ``main`` (``HEAD~1`` on main itself, or without one)."""
    import subprocess

    found = subprocess.run(
        ["git", "-C", str(REPO), "merge-base", "HEAD", "main"], capture_output=True, text=True, check=False
    ).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout
    return found if found and found != head.strip() else "HEAD~1"


def full(query: str) -> str:
    return query if query.lstrip().upper().startswith("PREFIX") else HEAD + query


async def measure(
    peers: list[str], data: Path, work: Path, queries: dict[str, str], args: argparse.Namespace
) -> dict[str, dict[str, Any]]:
    """Start every peer over ``data``, time every query on all of them taking turns (see
    ``benchmarks.load.latency``), then each one's lookup throughput alone; stop them.

    A query that runs past ``--timeout`` is recorded as timed out, and that endpoint is restarted
    (rdflib-endpoint evaluates on its event loop: it would answer nothing else until done).
    """
    endpoints: dict[str, Endpoint] = {}
    out: dict[str, dict[str, Any]] = {}
    try:
        for name in peers:
            print(f"  {name}: starting", flush=True)
            load = os.getloadavg()[0]  # other work on the machine skews the figures: say how much
            endpoints[name] = await asyncio.to_thread(start, name, data, work, args.workers)
            out[name] = {
                "load": load,
                "startup": endpoints[name].started_in,
                "settled": endpoints[name].settled_in,
                "queries": {},
                "throughput": {},
            }
        for qname, text in queries.items():
            for name in peers:
                out[name]["queries"][qname] = {}
            for kind in ("fresh", "repeated"):
                takers = [n for n in peers if kind == "repeated" or n in OURS]  # only these cache

                def make(k: int, text: str = text, kind: str = kind) -> str:
                    return f"{text}\n# {kind} {k} {id(out)}" if kind == "fresh" else text

                urls = {n: endpoints[n].url for n in takers}
                results = await latency(urls, make, args.runs, args.budget, args.timeout)
                for name, result in results.items():
                    out[name]["queries"][qname][kind] = vars(result) | {
                        "median": result.median,
                        "p95": result.p95,
                    }
                    if result.timed_out:
                        await asyncio.to_thread(stop, endpoints[name])
                        endpoints[name] = await asyncio.to_thread(start, name, data, work, args.workers)
        for name in peers:
            out[name]["throughput"] = await lookups(endpoints[name], args)
            print(report.summary_line(name, out[name]), flush=True)
    finally:
        for endpoint in endpoints.values():
            await asyncio.to_thread(stop, endpoint)
    return out


async def lookups(endpoint: Endpoint, args: argparse.Namespace) -> dict[str, Any]:
    """Lookup throughput with ``--clients`` connections: cold (a new resource each time) and warm;
    also the endpoint's CPU time per request (its process and its workers), which other work on
    the machine disturbs far less than the rate."""
    out = {}
    events = max(20, args.current_size // 26)
    makers = {
        "cold": lambda k: f"SELECT ?p ?o WHERE {{ <{event_iri(k % events)}> ?p ?o }} # {k}",
        "warm": lambda k: QUERIES["lookup"],
    }
    for mode, lookup in makers.items():
        before = cpu_seconds(endpoint)
        rps, errors = await throughput(endpoint.url, lookup, args.clients, args.seconds)
        used = cpu_seconds(endpoint) - before
        out[mode] = {"rps": rps, "errors": errors, "cpu_us": 1e6 * used / max(1.0, rps * args.seconds)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="2k,100k,1m", help="comma-separated: 2k, 100k, 1m (default: all)")
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help="comma-separated: ours, granian (this endpoint under granian), before (this endpoint as "
        "--before has it), floor, oxigraph, virtuoso, rdflib",
    )
    parser.add_argument(
        "--before",
        default=default_before(),
        help="the commit the 'before' peer runs (default: where this branch left main)",
    )
    parser.add_argument("--runs", type=int, default=60, help="most timed runs per query and series")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per query and series (≥3 runs)")
    parser.add_argument("--timeout", type=float, default=120.0, help="client timeout per request, seconds")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections for throughput")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each throughput run")
    parser.add_argument("--workers", type=int, default=2, help="query workers of this endpoint")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--merge", action="store_true", help="keep OUT's other sizes, replace those measured")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite OUT from OUT's .json, measure nothing"
    )
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        report.write(json.loads(args.out.with_suffix(".json").read_text()), args.out, ANALYTIC)
        return
    queries = {name: full(text) for name, text in {**QUERIES, **competency_queries()}.items()}
    results: dict[str, Any] = {"versions": versions(), "machine": report.machine(), "sizes": {}}
    if args.merge and args.out.with_suffix(".json").is_file():  # keep the sizes not measured now
        kept = json.loads(args.out.with_suffix(".json").read_text())["sizes"]
        results["sizes"] = {k: v for k, v in kept.items() if k not in args.sizes.split(",")}
    peers = args.peers.split(",")
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        try:
            if "before" in peers:
                results["versions"]["previous code"] = checkout(work, args.before)
            for label in args.sizes.split(","):
                data = work / f"graph-{label}.nt"
                triples = generate(SIZES[label], data)
                args.current_size = triples
                print(f"[{label}: {triples:,} triples] {', '.join(peers)}", flush=True)
                measured = asyncio.run(measure(peers, data, work, queries, args))
                results["sizes"][label] = {"triples": triples, "peers": measured}
                args.out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
        finally:
            remove_checkout(work)
    report.write(results, args.out, ANALYTIC)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
