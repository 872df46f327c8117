"""The routes: thin handlers that read a request, ask a view for its data and render it."""
