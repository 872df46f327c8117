"""The data-release archive of a build: dumps, VoID, CSV tables and their SHA-256 checksums.

``python -m kg.build.release DIST OUT`` (run by ``make dist``) writes
``OUT/nato-iraq-kg-data-VERSION.tar.gz`` holding one folder ``nato-iraq-kg-data-VERSION/``
with every dump of ``DIST``, ``void.ttl``, ``build.json``, every table of ``csv/`` (each one
``/downloads`` offers) with its ``datapackage.json``, and a ``SHA256SUMS`` over all of them
(check it with ``sha256sum -c SHA256SUMS`` inside the folder).
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

from kg import __version__
from kg.build.dumps import DUMP_FORMATS, dump_name, sha256_file
from kg.build.tables import TABLES


class ReleaseError(Exception):
    """The build output is incomplete or from another version."""


def release_files(dist: Path) -> list[Path]:
    """The files of ``dist`` that go into the archive, relative to ``dist``, in a stable order."""
    names = [Path(dump_name(fmt)) for fmt in DUMP_FORMATS] + [Path("void.ttl"), Path("build.json")]
    tables = {Path("csv", name) for name in TABLES} | {Path("csv", "datapackage.json")}
    names += sorted(tables | {p.relative_to(dist) for p in (dist / "csv").glob("*.csv")})
    missing = [str(n) for n in names if not (dist / n).is_file()]
    if missing:
        raise ReleaseError(f"{dist}: not a complete build (missing: {', '.join(missing)})")
    return names


def write_archive(dist: Path, out: Path) -> Path:
    """Write the data archive of ``dist`` into the folder ``out``; return its path."""
    info = (
        json.loads((dist / "build.json").read_text(encoding="utf-8"))
        if (dist / "build.json").is_file()
        else {}
    )
    if info.get("version") != __version__:
        raise ReleaseError(
            f"{dist} was built by version {info.get('version')!r}, not {__version__}: rebuild it"
        )
    names = release_files(dist)
    sums = "".join(f"{sha256_file(dist / n)}  {n.as_posix()}\n" for n in names).encode()
    top = f"nato-iraq-kg-data-{__version__}"
    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"{top}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in names:
            tar.add(dist / name, arcname=f"{top}/{name.as_posix()}", recursive=False)
        entry = tarfile.TarInfo(f"{top}/SHA256SUMS")
        entry.size = len(sums)
        entry.mode = 0o644
        tar.addfile(entry, io.BytesIO(sums))
    return archive


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m kg.build.release DIST OUT", file=sys.stderr)
        return 2
    try:
        archive = write_archive(Path(argv[0]), Path(argv[1]))
    except ReleaseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
