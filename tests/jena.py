"""Run Apache Jena's riot (Debian's package, via ../shared/tools/jena) on files.

Debian's Jena 4.5 lacks a JSON-P implementation for its JSON-LD 1.1 reader (titanium), so
every JSON-LD document fails with LOADING_DOCUMENT_FAILED; its JSON-LD 1.0 reader
(jsonld-java) works once Debian's httpclient-cache jar is on the class path. JSON-LD files are
therefore read with ``--syntax=jsonld10`` and that jar added; every other syntax goes through
the shared wrapper unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import SHARED

JENA = SHARED / "tools" / "jena"
HTTPCLIENT_CACHE = Path("/usr/share/java/httpclient-cache.jar")
AVAILABLE = JENA.is_file() and shutil.which("java") is not None
REASON = "needs ../shared/tools/jena and a Java runtime (installed by `make setup-test`)"


def _classpath() -> str:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jena-cli" / "classpath"
    if not cache.is_file():  # the wrapper writes it (and installs Jena) on first use
        subprocess.run([str(JENA), "riot", "--version"], capture_output=True, timeout=600, check=False)
    return cache.read_text().strip() + f":{HTTPCLIENT_CACHE}"


def riot(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``riot ARGS`` (JSON-LD files are read with Jena's JSON-LD 1.0 reader, see above)."""
    strs = [str(a) for a in args]
    if any(s.endswith(".jsonld") for s in strs):
        cmd = ["java", "-cp", _classpath(), "riotcmd.riot", "--syntax=jsonld10", *strs]
    else:
        cmd = [str(JENA), "riot", *strs]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
