"""One shared, reference-counted view of the index per generation (Lucene's ``SearcherManager``).

A view is one commit of one build, opened once and searched by every thread: its Whoosh reader
(files memory-mapped and read in place, see :mod:`index.segments.storage`), its numpy columns and
its matcher. A search acquires the current view and releases it when done; when a commit or a
reindex makes a newer generation, the next search opens it while the others go on with the old one,
and the old view is closed when the last search using it ends. A search therefore sees one
generation whole, never a closed reader; when a newer generation cannot be opened (a commit in
progress removed a file, a damaged segment), searches keep the last good view and the refresh is
tried again a moment later.

Per-segment columns are kept across generations, so a commit costs reading the new segment's
columns, not the whole archive's.
"""

from __future__ import annotations

import heapq
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.index import TOC, FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from index.searching.matching import Matcher
from index.segments.columns import ColumnReuse, Columns
from index.segments.layout import POINTER, IndexMissing, analyser_version, current_build
from index.segments.posting_arrays import posting_arrays
from index.segments.postings import (
    CACHE_FROM_POSTINGS,
    POSTINGS_CACHE,
    leaf_readers,
    read_postings,
    segment_id,
)
from index.segments.schema import TEXT_FIELDS, read_toc
from index.segments.storage import INDEX_NAME, ArchiveStorage
from index.segments.vocabulary import Vocabularies, Vocabulary
from index.text.analysis import ANALYSER_VERSION

log = logging.getLogger(__name__)

# After a failed refresh, searches use the last good view for this long before trying again.
RETRY_SECONDS = 1.0


class IndexUnavailable(RuntimeError):
    """The index cannot be read at all (missing or damaged, with no good view to fall back on)."""


@dataclass(eq=False)
class IndexView:
    """One generation of the index, shared by every thread that searches it."""

    key: tuple[str, int]  # (build folder, commit generation)
    index: FileIndex
    searcher: Searcher
    columns: Columns
    matcher: Matcher
    analyser: int = ANALYSER_VERSION  # the analyser version that wrote the build's terms
    vocabularies: Vocabularies = field(default_factory=Vocabularies)
    _references: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def reader(self):
        return self.searcher.reader()

    @property
    def schema(self):
        return self.index.schema

    def vocabulary(self) -> Vocabulary | None:
        """The words of this generation for suggestions, built when first asked for (see
        :class:`~index.segments.vocabulary.Vocabularies`: meanwhile, an older generation's)."""
        return self.vocabularies.get(self)

    def _acquire(self) -> None:
        with self._lock:
            self._references += 1

    def _release(self) -> None:
        """Drop one reference; the last one closes the view (being current is one)."""
        with self._lock:
            self._references -= 1
            close = self._references == 0
        if close:
            try:
                self.searcher.close()
            except Exception:  # noqa: BLE001 - closing a view must never fail a search
                log.exception("closing index view %s", self.key)


def _generation(storage: ArchiveStorage) -> int:
    return TOC._latest_generation(storage, INDEX_NAME)  # noqa: SLF001 - lists the folder


def open_view(
    build: Path, reuse: ColumnReuse | None = None, vocabularies: Vocabularies | None = None
) -> IndexView:
    """Open the latest commit of the index in ``build`` (its columns taken from ``reuse``'s
    generation where it has the segment)."""
    storage = ArchiveStorage(build, readonly=True)
    generation = _generation(storage)
    if generation < 0:
        raise FileNotFoundError(f"no index in {build}")
    toc = read_toc(storage, generation)
    index = _PinnedIndex(storage, toc, INDEX_NAME)
    searcher = index.searcher()
    try:
        columns = Columns.build(searcher.reader(), reuse)
    except BaseException:
        searcher.close()
        raise
    return IndexView(
        (str(build), generation),
        index,
        searcher,
        columns,
        Matcher(searcher, columns),
        analyser_version(build),
        vocabularies or Vocabularies(),
    )


class _PinnedIndex(FileIndex):
    """A ``FileIndex`` fixed to one commit: its table of contents is read once, not at every
    access as Whoosh's own does (and not again after a later commit has deleted it)."""

    def __init__(self, storage: ArchiveStorage, toc: TOC, indexname: str):  # noqa: D107
        # Not FileIndex.__init__: that reads the newest table of contents, not this one.
        self.storage = storage
        self.indexname = indexname
        self._schema = toc.schema
        self._toc = toc

    def _read_toc(self) -> TOC:
        return self._toc

    def latest_generation(self) -> int:
        return self._toc.generation


# Words warmed per text field: the most frequent of the largest segment, as far as the postings
# cache holds them.
WARM_TERMS = 200
# Warming stops when the postings cache is this full, leaving room for what searches ask.
WARM_SHARE = 0.5


def unwarmed(view: IndexView, warmed: set[str]) -> list[tuple[IndexReader, str]]:
    """The segments of ``view`` that warming helps and that are not warmed yet: those without
    posting arrays (:mod:`index.segments.posting_arrays`), whose frequent postings are decoded
    from blocks. A segment with arrays reads them in place: nothing to decode, nothing to warm,
    and no interpreter time taken from the first searches after a start."""
    return [
        (leaf, key)
        for leaf, _ in leaf_readers(view.reader)
        if (key := segment_id(leaf)) is not None
        and key not in warmed
        and posting_arrays(leaf) is None
    ]


def warm(
    leaves: list[tuple[IndexReader, str]], words: dict[str, list[str]], warmed: set[str]
) -> None:
    """Decode the postings of the most frequent words in the segments ``leaves`` (see
    :func:`unwarmed`), most frequent first, into the shared postings cache (Lucene's segment
    warmers do this for new segments): the first searches for common words then cost what
    later ones do."""
    for rank in range(WARM_TERMS):
        if POSTINGS_CACHE.size >= POSTINGS_CACHE.limit * WARM_SHARE:
            break
        for leaf, _ in leaves:
            for fieldname in TEXT_FIELDS:
                terms = words.get(fieldname, [])
                # Only what the cache keeps is worth reading ahead.
                if rank < len(terms) and (
                    leaf.doc_frequency(fieldname, terms[rank]) >= CACHE_FROM_POSTINGS
                ):
                    read_postings(leaf, fieldname, terms[rank])
                    time.sleep(0)  # let searches have the interpreter between terms
    warmed.update(segment_id for _, segment_id in leaves)


def frequent_words(view: IndexView) -> dict[str, list[str]]:
    """The most frequent words of each text field in the largest segment."""
    leaves = [leaf for leaf, _ in leaf_readers(view.reader)]
    if not leaves:
        return {}
    largest = max(leaves, key=lambda leaf: leaf.doc_count_all())
    found = {}
    for fieldname in TEXT_FIELDS:
        if fieldname in largest.indexed_field_names():
            ranked = heapq.nlargest(
                WARM_TERMS,
                ((info.doc_frequency(), text) for text, info in largest.iter_field(fieldname)),
            )
            found[fieldname] = [text.decode("utf-8") for _, text in ranked]
    return found


class IndexViews:
    """Hands out the current view of the index under ``root`` to searches, and refreshes it."""

    def __init__(self, root: Path, warm_segments: bool = True):
        self.root = Path(root)
        self._current: IndexView | None = None
        self._lock = threading.Lock()  # guards _current
        self._refreshing = threading.Lock()  # one thread opens a new generation at a time
        self._columns = ColumnReuse()
        # Called after each new generation is opened, by the thread that opened it: a server
        # gives back the memory that reading it freed (webapp.server).
        self.opened: Callable[[], None] | None = None
        self._vocabularies = Vocabularies()
        self._storages: dict[Path, ArchiveStorage] = {}
        self._retry_after = 0.0
        self.last_error: str | None = None
        self._warm_segments = warm_segments
        self._warm_words: dict[str, list[str]] | None = None
        self._warmed: set[str] = set()
        self._warming = threading.Lock()
        self._pointer_stamp: tuple | None = None
        self._pointer_build: Path | None = None
        self._folder_stamp: tuple | None = None
        self._folder_generation = -1

    def _current_build(self) -> Path | None:
        """The build ``CURRENT`` names, read again only when the file was replaced (a stat is
        cheaper than opening and closing it on every search)."""
        try:
            stat = os.stat(self.root / POINTER)
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp is None or stamp != self._pointer_stamp:
            self._pointer_build = current_build(self.root)
            self._pointer_stamp = stamp
        return self._pointer_build

    def _latest_key(self) -> tuple[str, int] | None:
        """Which generation is newest on disk: asked on every search, so it looks at the
        pointer file and lists the build's folder, and opens nothing."""
        build = self._current_build()
        if build is None:
            return None
        # The folder changes (its mtime) whenever a commit adds or removes a file: list it then.
        stat = os.stat(build)
        stamp = (str(build), stat.st_ino, stat.st_mtime_ns)
        if stamp != self._folder_stamp:
            storage = self._storages.get(build)
            if storage is None:
                storage = self._storages[build] = ArchiveStorage(build, readonly=True)
            self._folder_generation = _generation(storage)
            self._folder_stamp = stamp
        return str(build), self._folder_generation

    @contextmanager
    def acquire(self) -> Iterator[IndexView]:
        """The current view, held for the duration of the ``with`` block."""
        view = self._refresh()
        try:
            yield view
        finally:
            view._release()  # noqa: SLF001

    def _take_current(self) -> IndexView | None:
        with self._lock:
            view = self._current
            if view is not None:
                view._acquire()  # noqa: SLF001
            return view

    def _refresh(self) -> IndexView:
        current = self._take_current()
        try:
            latest = self._latest_key()
        except Exception as exc:  # noqa: BLE001 - a damaged pointer: keep what works
            latest = None
            self.last_error = str(exc)
        if current is not None and (latest is None or latest == current.key):
            return current
        if current is not None and time.monotonic() < self._retry_after:
            return current
        # A newer generation (or none open yet). One thread opens it; the others go on with the
        # current view meanwhile, or wait when there is none.
        if not self._refreshing.acquire(blocking=current is None):
            return current  # type: ignore[return-value]
        try:
            newest = self._take_current()
            if newest is not None and newest is not current:
                if current is not None:
                    current._release()  # noqa: SLF001
                return newest  # another thread opened it while this one waited
            if newest is not None:
                newest._release()  # noqa: SLF001
            try:
                if latest is None:
                    raise IndexMissing(self.root)
                opening = time.perf_counter()
                view = open_view(Path(latest[0]), self._columns, self._vocabularies)
                log.info(
                    "opened generation %d of %s in %.2f s",
                    latest[1],
                    Path(latest[0]).name,
                    time.perf_counter() - opening,
                )
            except Exception as exc:  # noqa: BLE001 - whatever it was, keep the last good view
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._retry_after = time.monotonic() + RETRY_SECONDS
                if current is not None:
                    log.warning("index refresh failed, searching %s: %s", current.key, exc)
                    return current
                raise IndexUnavailable(self._unavailable_message(exc)) from exc
            self.last_error = None
            self._retry_after = 0.0
            view._acquire()  # noqa: SLF001 - for this search
            with self._lock:
                previous, self._current = self._current, view
                view._acquire()  # noqa: SLF001 - for being current
            if previous is not None:
                previous._release()  # noqa: SLF001 - no longer current
            if self.opened is not None:
                self.opened()
            if self._warm_segments:
                self._start_warming(view)
            self._vocabularies.get(view)  # built in the background from now on
            if current is not None:
                current._release()  # noqa: SLF001
            return view
        finally:
            self._refreshing.release()

    def vocabulary_ready(self) -> bool:
        """Whether "Did you mean" has a vocabulary to offer suggestions from."""
        return self._vocabularies.ready()

    def _start_warming(self, view: IndexView) -> None:
        """Warm the new view's segments in the background, one warmer at a time (none when no
        segment needs it)."""
        if not self._warming.acquire(blocking=False):
            return
        leaves = unwarmed(view, self._warmed)
        if not leaves:
            self._warming.release()
            return
        view._acquire()  # noqa: SLF001 - held until warmed

        def run() -> None:
            try:
                if self._warm_words is None:
                    self._warm_words = frequent_words(view)
                warm(leaves, self._warm_words, self._warmed)
            except Exception:  # noqa: BLE001 - warming is an optimisation; searches go on
                log.exception("warming index view %s", view.key)
            finally:
                view._release()  # noqa: SLF001
                self._warming.release()

        threading.Thread(target=run, name="arkhiv-warmer", daemon=True).start()

    def _unavailable_message(self, exc: Exception) -> str:
        if isinstance(exc, IndexMissing):
            return str(exc)
        return f"the search index at {self.root} cannot be read ({exc}); run `arkhiv reindex`"

    def close(self) -> None:
        with self._lock:
            previous, self._current = self._current, None
        if previous is not None:
            previous._release()  # noqa: SLF001
