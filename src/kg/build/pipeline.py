"""``kg build``: load, check quotes, validate, then write ``dist/`` atomically."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.build.datapackage import write_datapackage
from kg.build.dumps import default_graph_triples, write_dumps
from kg.build.generate import generate
from kg.build.inputs import InputFile, find_inputs
from kg.build.loading import LoadedFile, parse_all
from kg.build.quotes import QuoteProblem, check_quotes
from kg.build.rdfconv import term_value
from kg.build.tables import ALL_TABLES, write_tables
from kg.build.validation import ShapeResult, validate
from kg.build.void import describe
from kg.namespaces import NIO_STORED_COPY, VOID_GRAPH

Progress = Callable[[str], None]


class BuildFailed(Exception):
    """A check failed; ``problems`` are the lines to show, ``stage`` says which check."""

    def __init__(self, stage: str, problems: Sequence[object]) -> None:
        self.stage = stage
        self.problems = [str(p) for p in problems]
        super().__init__(f"{stage} failed:\n" + "\n".join(self.problems))


@dataclass
class CheckResult:
    loaded: list[LoadedFile]
    quotes_checked: int = 0
    shape_results: list[ShapeResult] = field(default_factory=list)

    @property
    def quads(self) -> list[ox.Quad]:
        return [q for lf in self.loaded for q in lf.quads]


def _quiet(_: str) -> None:
    return None


def check(root: Path, extra: Sequence[Path] = (), progress: Progress = _quiet) -> CheckResult:
    """Parse every input, check the quotes and run SHACL; raise BuildFailed on the first failing stage."""
    try:
        sources = find_inputs(root) + [InputFile(p.resolve(), "extra") for p in extra]
    except Exception as err:
        raise BuildFailed("finding inputs", [err]) from None
    progress(f"parse: {len(sources)} files")
    t0 = time.monotonic()
    try:
        loaded = parse_all(sources, root)
    except Exception as err:  # LoadError carries one line per broken file
        raise BuildFailed("parsing", getattr(err, "problems", [err])) from None
    progress(f"parse: {sum(len(lf.quads) for lf in loaded):,} quads in {time.monotonic() - t0:.1f} s")
    try:
        loaded = generate(loaded, root)
    except Exception as err:  # GenerationError carries one line per problem
        raise BuildFailed("generating", getattr(err, "problems", [err])) from None
    result = CheckResult(loaded)
    generated = sum(len(lf.quads) for lf in loaded if lf.generated)
    progress(f"generate: {generated:,} quads (passages, date bounds, per-line graphs)")
    checked, problems = check_quotes(loaded, root)
    if checked == 0:
        problems.append(QuoteProblem("-", "data/", None, "no oa:exact quotes found: provenance is missing"))
    if problems:
        raise BuildFailed("quote check", problems)
    result.quotes_checked = checked
    progress(f"quotes: {checked} quotes found verbatim in the source")
    t0 = time.monotonic()
    ok, results = validate(loaded, root)
    result.shape_results = results
    if not ok:
        raise BuildFailed("SHACL validation", [r for r in results if r.severity == "Violation"])
    warnings = sum(1 for r in results if r.severity != "Violation")
    progress(f"shacl: conforms ({warnings} warnings) in {time.monotonic() - t0:.1f} s")
    return result


def build_id(loaded: Sequence[LoadedFile], root: Path) -> str:
    """``VERSION+HASH``: the version and a digest of what the build read, and of nothing else.

    The digest covers each input file's path relative to the project (a ``--data`` file outside
    it: ``extra/NAME``) and bytes, and each stored source text a file names (``nio:storedCopy``).
    No absolute path and no time: one version's sources give one id in a clone, in the wheel's
    packaged copy and in the release built from them, wherever each is built.
    """
    digest = hashlib.sha256()
    inputs = [lf for lf in loaded if not lf.generated]
    copies = sorted(
        {term_value(q.object) for lf in inputs for q in lf.quads if q.predicate.value == NIO_STORED_COPY}
    )
    named = [(_relative(lf.source.path, root), lf.source.path) for lf in inputs]
    named += [(copy, root / copy) for copy in copies if (root / copy).is_file()]
    for name, path in sorted(named):
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    return f"{__version__}+{digest.hexdigest()[:16]}"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"extra/{path.name}"


def build(
    root: Path, out: Path | None = None, extra: Sequence[Path] = (), progress: Progress = _quiet
) -> CheckResult:
    """Check everything, then replace ``out`` (default ``root/dist``) in one step.

    Output is written to a temporary sibling folder first; ``out`` is only replaced when every
    step succeeded, so a failed build leaves the previous output untouched.
    """
    result = check(root, extra, progress)
    out = out or root / "dist"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        quads = result.quads
        progress("write: dumps")
        sums = write_dumps(quads, tmp)
        sizes = {name: (tmp / name).stat().st_size for name in sums}
        progress("write: void.ttl")
        void = describe(quads, sums, sizes)
        void.serialize(tmp / "void.ttl", format="turtle")
        progress("write: csv/ tables and their datapackage.json")
        write_tables(quads, tmp / "csv")
        write_datapackage(ALL_TABLES, tmp / "csv")
        progress("write: store")
        store = ox.Store(str(tmp / "store"))
        store.bulk_extend(quads)
        default = default_graph_triples(quads)
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in default)
        void_quads = ox.parse(void.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
        store.bulk_extend(
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(VOID_GRAPH)) for t in void_quads
        )
        store.flush()
        del store
        gc.collect()
        info = {
            "version": __version__,
            "build_id": build_id(result.loaded, root),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "quads": len(quads) + len(default),  # the named graphs' quads and the default graph's triples
            "triples": len(default),
            "default_graph": "stored",
            "quotes_checked": result.quotes_checked,
            "files": [lf.source.display(root) for lf in result.loaded if not lf.generated],
            "dumps": sums,
        }
        (tmp / "build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(f"done: {out}")
    return result


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` in place of ``out`` with renames (the old folder is removed afterwards)."""
    old: Path | None = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
