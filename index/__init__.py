"""The search index of the archive, derived from the store (``arkhiv reindex`` rebuilds it).

Three sub-packages, each depending only on those before it:

- :mod:`index.text`: text analysis and names: words cut, Ukrainian lemmas, English stems, names'
  spelling keys and transliterations, Russian forms, the words a segment keeps for "Did you mean";
- :mod:`index.segments`: the segment store: the schema, writing segments, their posting arrays
  and numpy columns, merging, the files on disk, following the archive's store;
- :mod:`index.searching`: answering: a request's parameters, the query, matching, facets,
  highlighting, query help, the index views a server searches, timelines, words and outlets.
"""
