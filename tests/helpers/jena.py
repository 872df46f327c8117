"""Run Apache Jena's riot (Debian's package, through the repository's ``tools/jena``) on files.

Debian's Jena 4.5 lacks a JSON-P implementation for its JSON-LD 1.1 reader (titanium), so
every JSON-LD document fails with LOADING_DOCUMENT_FAILED; its JSON-LD 1.0 reader
(jsonld-java) works (``tools/jena`` puts the httpclient-cache jar it needs on the class path).
JSON-LD files are therefore read with ``--syntax=jsonld10``.

Tests that call these helpers take the ``jena`` fixture, which fails them when Jena is missing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import JENA


def riot(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``riot ARGS`` (JSON-LD files are read with Jena's JSON-LD 1.0 reader, see above)."""
    strs = [str(a) for a in args]
    syntax = ["--syntax=jsonld10"] if any(s.endswith(".jsonld") for s in strs) else []
    return subprocess.run(
        [str(JENA), "riot", *syntax, *strs], capture_output=True, text=True, timeout=600, check=False
    )
