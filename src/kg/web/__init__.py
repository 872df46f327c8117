"""The HTTP service: SPARQL protocol, query editor, landing page."""
