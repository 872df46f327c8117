"""The default of every server limit, in one place (``kg.settings.Settings`` documents each).

Kept free of imports so that worker processes and engines can read them without loading the
settings machinery.
"""

from __future__ import annotations

# per query
QUERY_TIMEOUT = 30.0
MAX_ROWS = 10_000
MAX_DEPTH = 200
MAX_TOKENS = 50_000
MAX_CHAIN = 2_000
UNION_LIMIT = 10_000_000
CACHE_MB = 64
WORKER_MEMORY_MB = 4096
CLIENT_QUERIES = 0  # 0: half the workers, at least one
SPOOL_MB = 1024  # large results waiting on disk for their clients, in all
CLIENT_SPOOL_MB = 256  # … for one client address

# per request and connection
MAX_BODY = 1024 * 1024
MAX_URL = 8192
MAX_HEAD = 16 * 1024
MAX_HEADERS = 100
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
SEND_TIMEOUT = 30.0
MAX_CONNECTIONS = 1000
MAX_CLIENT_CONNECTIONS = 64
MAX_CLIENT_HEADS = 16
