"""Answering: a request's parameters, the query and how it matches, facets, highlighting, help
with the query, the index views a server searches, timelines, significant words and outlets.
Depends on :mod:`index.text` and :mod:`index.segments`."""
