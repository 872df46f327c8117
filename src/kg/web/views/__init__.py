"""What a page needs, built from engine results: the SPARQL it runs and the view models it returns."""
