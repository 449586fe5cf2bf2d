"""The index's own words, for "Did you mean": a SymSpell dictionary per script, per generation.

The words are the index terms of the text fields (title and body): Ukrainian lemmas, English
Snowball stems, the Latin transliterations of names, each with its document frequency, which
weighs the candidates at one distance. Each segment's words are chosen as it is written and kept
in its posting arrays file (:mod:`index.text.words`, :mod:`index.segments.posting_arrays`); a
segment never changes once written, so what is read from it is kept by its id and the next
generation reads only its new segments. The SymSpell dictionaries are built per generation, in the
background, as soon as the generation is opened; no search waits for them (see
:class:`Vocabularies`).

Bounded for memory: of the words found in at least ``MIN_DOCUMENTS`` articles, the
``WORDS_PER_SCRIPT`` most frequent of each script (Cyrillic, Latin). SymSpell's deletes are
generated from the first ``PREFIX_LENGTH`` letters only.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from symspellpy import SymSpell, Verbosity
from whoosh.reading import IndexReader

from index.segments.posting_arrays import posting_arrays
from index.segments.postings import leaf_readers, segment_id
from index.text.words import FIELDS, MIN_DOCUMENTS, SCRIPTS, is_word, script_of, select_words

MAX_EDITS = 2
PREFIX_LENGTH = 5
WORDS_PER_SCRIPT = 30_000
# A newer generation's vocabulary is built at most this often (see Vocabularies.get).
REBUILD_SECONDS = 30.0
YIELD_EVERY = 64  # dictionary entries between two offers of the interpreter to searches


def term_table_words(leaf: IndexReader) -> dict[str, int]:
    """The words of one segment as its term table holds them (every term walked)."""
    counts: dict[str, int] = {}
    names = set(leaf.indexed_field_names())
    for fieldname in FIELDS:
        if fieldname not in names:
            continue
        for raw, info in leaf.iter_field(fieldname):
            term = raw.decode("utf-8")
            if is_word(term):
                documents = info.doc_frequency()
                if documents > counts.get(term, 0):
                    counts[term] = documents
    return select_words(counts, leaf.doc_count_all())


class IndexViewLike(Protocol):
    """What a vocabulary is built from: an index view (:class:`index.searching.views.IndexView`)."""

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
            for number, (documents, term) in enumerate(ranked):
                speller.create_dictionary_entry(term, documents)
                if number % YIELD_EVERY == 0:
                    # Built beside searches (a server's first seconds): hand them the
                    # interpreter now, rather than make one wait out the switch interval.
                    time.sleep(0)
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

    A search never waits for a vocabulary: it gets the newest one built (an older generation's
    while the newer is built, after an import a few seconds), or none while the first is built,
    and then offers no suggestion. The index views start each generation's build as they open it
    (:class:`index.searching.views.IndexViews`), so the first is ready within seconds of a server's
    start. One vocabulary is kept (and one more while the next is built)."""

    def __init__(self) -> None:
        self._segments: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()
        self._latest: Vocabulary | None = None
        self._latest_key: object = None
        self._building: threading.Thread | None = None
        self._built_at = 0.0  # time.monotonic() when the latest was built
        self.last_error: str | None = None

    def get(self, view: IndexViewLike, wait: float = 0.0) -> Vocabulary | None:
        """The vocabulary of ``view``'s generation, or the newest built before it; None when
        none is built yet (after ``wait`` seconds: a test, or a tool, may wait for it). Starts
        the build of ``view``'s when it is not built nor being built, and the newest was built
        at least ``REBUILD_SECONDS`` ago (an import commits every few seconds: its words reach
        the suggestions a little later, and a server that is searched meanwhile does not spend
        two seconds of a core on each commit)."""
        with self._lock:
            if self._latest_key == view.key:
                return self._latest
            due = self._latest is None or time.monotonic() - self._built_at >= REBUILD_SECONDS
            if self._building is None and due:
                view._acquire()  # noqa: SLF001 - the build reads it: keep it open until done
                self._building = threading.Thread(
                    target=self._build, args=(view,), name="arkhiv-vocabulary", daemon=True
                )
                self._building.start()
            building, latest = self._building, self._latest
        if latest is None and wait > 0:
            building.join(wait)
        with self._lock:
            return self._latest

    def ready(self) -> bool:
        """Whether some generation's vocabulary is built (suggestions are offered)."""
        with self._lock:
            return self._latest is not None

    def _build(self, view: IndexViewLike) -> None:
        try:
            parts: list[dict[str, int]] = []
            kept: dict[str, dict[str, int]] = {}
            for leaf, _ in leaf_readers(view.reader):
                key = segment_id(leaf)
                if key is None:
                    continue
                arrays = posting_arrays(leaf)
                words = arrays.words() if arrays is not None else None
                if words is None:
                    # A segment written before segments kept their words: its term table is
                    # walked once and what it gave kept for the next generation. The others
                    # are read from their files each time (milliseconds), not held: at a
                    # million articles they were 160 MB of the server's memory.
                    words = self._segments.get(key) or term_table_words(leaf)
                    kept[key] = words
                parts.append(words)
                time.sleep(0)  # searches first (see Vocabulary)
            built = Vocabulary(parts)
            with self._lock:
                # Merged-away segments are not read again: keep only the current ones.
                self._segments = kept
                self._latest, self._latest_key = built, view.key
                self._built_at = time.monotonic()
            self.last_error = None
        except Exception as exc:  # noqa: BLE001 - suggestions are a help; searches go on
            self.last_error = f"{type(exc).__name__}: {exc}"
        finally:
            view._release()  # noqa: SLF001
            with self._lock:
                self._building = None
