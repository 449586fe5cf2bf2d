"""Which index terms are words a reader may be offered ("Did you mean"), per segment.

A word is a run of letters (an apostrophe inside), 3 to 30 of them. A segment keeps at most
``WORDS_PER_SEGMENT`` words per script, the most frequent; a large one (``LARGE_SEGMENT``
articles or more) only those of ``MIN_DOCUMENTS`` of its own articles, a smaller one (what an
import adds) every word, so that a word imported twice is suggested at once. Chosen when a segment
is written (:mod:`index.segments.posting_arrays`) and, for a segment written before, from its term
table (:mod:`index.segments.vocabulary`).
"""

from __future__ import annotations

import heapq
import re

MIN_DOCUMENTS = 2
WORDS_PER_SEGMENT = 50_000
LARGE_SEGMENT = 10_000
# The text fields whose terms are words: Ukrainian lemmas, English stems, transliterated names.
FIELDS = ("title", "body")
SCRIPTS = ("cyrillic", "latin")

_WORD = re.compile(r"[^\W\d_]{1,30}(?:'[^\W\d_]{1,30})*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def script_of(word: str) -> str:
    return "cyrillic" if _CYRILLIC.match(word) else "latin"


def is_word(term: str) -> bool:
    return 3 <= len(term) <= 30 and _WORD.fullmatch(term) is not None


def select_words(counts: dict[str, int], documents: int) -> dict[str, int]:
    """The words a segment of ``documents`` articles keeps of ``counts`` (word -> documents
    holding it, deleted ones included: a segment's deletions change, its words do not)."""
    if documents >= LARGE_SEGMENT:
        counts = {word: n for word, n in counts.items() if n >= MIN_DOCUMENTS}
    if len(counts) <= WORDS_PER_SEGMENT:
        return counts
    kept: dict[str, int] = {}
    for script in SCRIPTS:
        ranked = heapq.nlargest(
            WORDS_PER_SEGMENT,
            ((n, t) for t, n in counts.items() if script_of(t) == script),
        )
        kept.update((term, n) for n, term in ranked)
    return kept
