"""The index's own words, for "Did you mean": a SymSpell dictionary per script, per generation.

The words are the index terms of the text fields (title and body): Ukrainian lemmas, English
Snowball stems, the Latin transliterations of names, each with its document frequency, which
weighs the candidates at one distance. They are read from the term lexicon of each segment; a
segment never changes once written, so what is read from it is kept by its id and the next
generation reads only its new segments (an import costs reading the import's segment). The
SymSpell dictionaries themselves are built per generation, lazily: only when a search needs a
suggestion.

Bounded for memory: a word is a run of letters (an apostrophe inside), 3 to 30 of them, found
in at least ``MIN_DOCUMENTS`` articles; of those, the ``WORDS_PER_SCRIPT`` most frequent of each
script (Cyrillic, Latin). A segment keeps at most ``WORDS_PER_SEGMENT`` words per script, the
most frequent (a large one only those of ``MIN_DOCUMENTS`` of its own articles). SymSpell's
deletes are generated from the first ``PREFIX_LENGTH`` letters only.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from symspellpy import SymSpell, Verbosity
from whoosh.reading import IndexReader

from index.postings import leaf_readers, segment_id

MAX_EDITS = 2
PREFIX_LENGTH = 5
MIN_DOCUMENTS = 2
WORDS_PER_SCRIPT = 30_000
WORDS_PER_SEGMENT = 50_000
# A segment this large keeps only the words of at least MIN_DOCUMENTS of its articles; a smaller one
# (what an import adds) keeps every word, so that a word imported twice is suggested at once.
LARGE_SEGMENT = 10_000
FIELDS = ("title", "body")
# The first build of a process is waited for this long by the search that needs it.
FIRST_WAIT = 10.0
SCRIPTS = ("cyrillic", "latin")

_WORD = re.compile(r"[^\W\d_]{1,30}(?:'[^\W\d_]{1,30})*")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def script_of(word: str) -> str:
    return "cyrillic" if _CYRILLIC.match(word) else "latin"


def is_word(term: str) -> bool:
    return 3 <= len(term) <= 30 and _WORD.fullmatch(term) is not None


def segment_words(leaf: IndexReader) -> dict[str, int]:
    """The words of one segment and the number of its documents that hold each (deleted ones
    included: a segment's deletions change, its words do not)."""
    counts: dict[str, int] = {}
    least = MIN_DOCUMENTS if leaf.doc_count_all() >= LARGE_SEGMENT else 1
    names = set(leaf.indexed_field_names())
    for fieldname in FIELDS:
        if fieldname not in names:
            continue
        for raw, info in leaf.iter_field(fieldname):
            term = raw.decode("utf-8")
            if is_word(term):
                documents = info.doc_frequency()
                if documents >= least and documents > counts.get(term, 0):
                    counts[term] = documents
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


class IndexViewLike(Protocol):
    """What a vocabulary is built from: an index view (:class:`index.views.IndexView`)."""

    key: tuple[str, int]

    @property
    def reader(self) -> IndexReader: ...

    def _acquire(self) -> None: ...

    def _release(self) -> None: ...


@dataclass(frozen=True)
class Candidate:
    term: str
    distance: int
    documents: int


class Vocabulary:
    """The words of one generation of the index, looked up by edit distance (with
    transpositions: SymSpell's Damerau OSA distance)."""

    def __init__(self, counts: Iterable[dict[str, int]]):
        started = time.perf_counter()
        merged: Counter[str] = Counter()
        for part in counts:
            merged.update(part)
        self.spellers: dict[str, SymSpell] = {}
        self.words: dict[str, int] = {}
        for script in SCRIPTS:
            ranked = heapq.nlargest(
                WORDS_PER_SCRIPT,
                (
                    (n, t)
                    for t, n in merged.items()
                    if n >= MIN_DOCUMENTS and script_of(t) == script
                ),
            )
            speller = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=PREFIX_LENGTH)
            for documents, term in ranked:
                speller.create_dictionary_entry(term, documents)
            self.spellers[script] = speller
            self.words[script] = len(ranked)
        self.build_seconds = time.perf_counter() - started

    def candidates(self, key: str) -> list[Candidate]:
        """Words within ``MAX_EDITS`` of ``key`` that start with its letter (a typo rarely hits
        the first one, Lucene's spell checker assumes the same), nearest and most frequent
        first."""
        if not key:
            return []
        speller = self.spellers[script_of(key)]
        found = speller.lookup(key, Verbosity.ALL, max_edit_distance=MAX_EDITS)
        return [
            Candidate(item.term, item.distance, item.count)
            for item in found
            if item.term != key and item.term[0] == key[0]
        ]

    def size(self) -> dict[str, int]:
        """Words and SymSpell delete keys per script (what the memory grows with)."""
        return {
            **{f"{script}_words": n for script, n in self.words.items()},
            **{f"{script}_deletes": len(s._deletes) for script, s in self.spellers.items()},  # noqa: SLF001
        }


class Vocabularies:
    """Hands out the vocabulary of the newest index generation asked for, built at most once per
    generation (in a thread of its own, one at a time) from per-segment words read at most once
    per segment.

    A search that needs a suggestion never waits for a newer generation's vocabulary while an
    older one exists: it gets the older one and the newer is built meanwhile (after an import,
    a few seconds). Only the first build of a process is waited for, at most ``FIRST_WAIT``
    seconds; past that, no suggestion until it is done. One vocabulary is kept (and one more
    while the next is built)."""

    def __init__(self) -> None:
        self._segments: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()
        self._latest: Vocabulary | None = None
        self._latest_key: object = None
        self._building: threading.Thread | None = None
        self.last_error: str | None = None

    def get(self, view: IndexViewLike, wait: float = FIRST_WAIT) -> Vocabulary | None:
        """The vocabulary of ``view``'s generation, or the newest built before it (None when
        none is built yet and the first build takes more than ``wait`` seconds)."""
        with self._lock:
            if self._latest_key == view.key:
                return self._latest
            if self._building is None:
                view._acquire()  # noqa: SLF001 - the build reads it: keep it open until done
                self._building = threading.Thread(
                    target=self._build, args=(view,), name="arkhiv-vocabulary", daemon=True
                )
                self._building.start()
            building, latest = self._building, self._latest
        if latest is None:
            building.join(wait)
        with self._lock:
            return self._latest

    def _build(self, view: IndexViewLike) -> None:
        try:
            current: dict[str, dict[str, int]] = {}
            for leaf, _ in leaf_readers(view.reader):
                key = segment_id(leaf)
                if key is None:
                    continue
                words = self._segments.get(key)
                current[key] = words if words is not None else segment_words(leaf)
            built = Vocabulary(current.values())
            with self._lock:
                # Merged-away segments are not read again: keep only the current ones.
                self._segments = current
                self._latest, self._latest_key = built, view.key
            self.last_error = None
        except Exception as exc:  # noqa: BLE001 - suggestions are a help; searches go on
            self.last_error = f"{type(exc).__name__}: {exc}"
        finally:
            view._release()  # noqa: SLF001
            with self._lock:
                self._building = None
