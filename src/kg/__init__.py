"""The NATO–Iraq knowledge graph: build, check, query and serve it."""

__version__ = "0.1.0"
