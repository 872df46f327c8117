"""The default of every server limit, in one place (``kg.settings.Settings`` documents each).

Kept free of imports so that worker processes and engines can read them without loading the
settings machinery.
"""

from __future__ import annotations

QUERY_TIMEOUT = 30.0
MAX_ROWS = 10_000
MAX_DEPTH = 200
MAX_BODY = 1024 * 1024
MAX_URL = 8192
UNION_LIMIT = 10_000_000
CACHE_MB = 64
