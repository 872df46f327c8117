"""Templates and serialisers: HTML pages, RDF documents, the service description, the query editor."""
