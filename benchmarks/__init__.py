"""Benchmarks of the SPARQL service against its peers."""
