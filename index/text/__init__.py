"""Text analysis and names: how an article's text and a query become index terms (Ukrainian
lemmas, English stems, names' spelling keys and transliterations, Russian forms), and which words a
segment keeps for "Did you mean". Depends on nothing else in :mod:`index`."""
