"""HTTP plumbing shared by every route, once each: the connections (``connections``), the two
middlewares every request passes (``middleware``: limits, client, HEAD, content coding,
conditional GET, send deadline), what every answer carries (``headers``: validators, security
headers), error answers (``errors``) and the SPARQL result cache (``result_cache``)."""
