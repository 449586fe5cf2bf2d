"""The search engine's front door: one search request in, one result (the JSON API's shape) out.

Searches follow the index: a new commit (an import) or a rebuilt index (``arkhiv reindex``) is
seen by the next search, without a restart. Every thread searches one shared view of the current
generation (:mod:`index.searching.views`); a search holds its view from start to end.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query

from archive.record import Article
from archive.store import Store
from index.searching import significant_words as significance
from index.searching.facets import Filtered, apply_filters, date_facet, value_facets
from index.searching.hits import hit_fields, page_hits, story_of
from index.searching.messages import Message
from index.searching.ordering import collapse, page
from index.searching.outlets import outlet_counts
from index.searching.query import QueryTooLong, bound_prefixes, highlight_terms, parse_query
from index.searching.query_help import FEW_RESULTS, Probe, Speller, documents_holding, help_with
from index.searching.request import RequestError, SearchRequest
from index.searching.timeline import SeriesMatch, count_over_time, story_count
from index.searching.views import IndexUnavailable, IndexView, IndexViews
from index.segments.schema import TEXT_FIELDS
from index.text.analysis import ANALYSER_VERSION, tokenize, word_terms

# Searches evaluated at once; more wait their turn. A search is numpy over the whole archive
# (megabytes of arrays each at a million articles) under one interpreter lock: beyond a few at
# once, more in flight only hold more memory, as they take turns on the same cores.
SEARCHES_AT_ONCE = max(2, os.cpu_count() or 2)
MORE_LIKE_THIS_TERMS = 16
# Articles of a corrected query whose words write its stems back as words ("Did you mean").
BEST_READ = 3


class Turns:
    """At most ``slots`` holders at once; the others wait, and are let in in the order they
    came. A semaphore lets in whichever waiting thread wakes first, and a thread that arrives
    as a turn ends can take it before those that waited, so with eight clients searching back
    to back a search could wait while later ones went by (in one run a commit became searchable
    only after 8.7 s; whether this was why is not proven). Here a slot that ends is handed to
    the longest waiting."""

    def __init__(self, slots: int):
        self._lock = threading.Lock()
        self._free = slots
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self) -> Turns:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()  # set by the holder whose slot this takes over
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


@dataclass
class _Match:
    filtered: Filtered
    scores: np.ndarray | None  # None when browsing: no query, no relevance
    terms: set[str]  # what snippets mark
    notices: list[Message]


class SearchIndex:
    """Searches the index under ``directory``; articles themselves come from ``store``."""

    def __init__(self, directory: Path, store: Store):
        self.directory = Path(directory)
        self.store = store
        self.views = IndexViews(self.directory)
        self._damage: dict[tuple[str, int], list[str]] = {}  # view key -> what is damaged
        self._searching = Turns(SEARCHES_AT_ONCE)

    def close(self) -> None:
        self.views.close()

    # -- searching ---------------------------------------------------------------------------

    def _match(self, view: IndexView, request: SearchRequest) -> _Match:
        """The query and the filters of ``request`` evaluated over the whole index."""
        columns = view.columns
        notices: list[Message] = []
        terms: set[str] = set()
        scores = None
        matches = columns.live.copy()
        if request.q:
            try:
                parsed = parse_query(request.q, view.schema)
            except QueryTooLong as exc:
                raise RequestError("q", exc.message.code, **exc.message.params) from None
            notices.extend(parsed.notices)
            q = bound_prefixes(parsed.query, view.reader, notices)
            matches, scores = view.matcher.evaluate(q, notices)
            terms = highlight_terms(q)
            if 0 < view.analyser != ANALYSER_VERSION:
                notices.append(Message.of("index.analyser_outdated"))
        if request.cluster:
            matches = matches & self._story_mask(view, request.cluster)
        notices = list(dict.fromkeys(notices))
        return _Match(apply_filters(columns, matches, request), scores, terms, notices)

    @staticmethod
    def _story_mask(view: IndexView, cluster: str) -> np.ndarray:
        """The documents of one story, named by the id of any of its members (readers are given
        its earliest's) or by its key; an article without copies is a story of one."""
        stories = view.columns.stories
        mask = np.zeros(view.columns.size, dtype=bool)
        named = [d for d in view.searcher.document_numbers(id=cluster) if view.columns.live[d]]
        number: int | None = int(stories.story[named[0]]) if named else None
        if number is None or number < 0:
            number = stories.number_of(cluster)
        if number is not None and number >= 0:
            mask[stories.of(number)] = True
        else:
            mask[named] = True
        return mask

    def _helped_match(
        self, view: IndexView, request: SearchRequest, suggest: bool
    ) -> tuple[_Match, str, str | None]:
        """The match of ``request`` with the help a query that finds little gets (see
        :mod:`index.searching.query_help`): what was searched (the query converted from the wrong
        keyboard layout, or as typed), and a suggestion (when ``suggest``)."""
        match = self._match(view, request)
        total = int(match.filtered.final.sum())
        if not request.q or total >= FEW_RESULTS or (not suggest and (total or request.literal)):
            return match, request.q, None
        probed: dict[str, _Match] = {}
        helped = help_with(
            request.q,
            total,
            request.literal,
            self._prober(view, request, probed),
            self._speller(view),
            suggest=suggest,
        )
        if helped.searched == request.q:
            return match, request.q, helped.suggestion
        # What is searched instead was probed first: its match is not evaluated again.
        converted = probed.get(helped.searched) or self._match(
            view, replace(request, q=helped.searched)
        )
        converted.notices.extend(helped.notices)
        return converted, helped.searched, helped.suggestion

    def search(self, request: SearchRequest, script: str | None = None) -> dict[str, Any]:
        """The result of ``request``; facet values that are names are labelled in ``script``
        (``Cyrl`` or ``Latn``: the reader's; else their most used spelling)."""
        # The view first: a search that finds a new generation opens it before it waits its
        # turn, so that opening (a second at a million articles) takes no turn from the others.
        with self.views.acquire() as view, self._searching, self._damage_named(view):
            return self._search(view, request, script)

    @contextmanager
    def _damage_named(self, view: IndexView) -> Iterator[None]:
        """When reading ``view`` fails and a segment file of it is damaged (see
        :mod:`index.segments.checksums`), say so as :class:`IndexUnavailable` (search unavailable:
        run ``arkhiv reindex``) rather than fail as a fault of the code. Verified once per view."""
        try:
            yield
        except RequestError:
            raise
        except Exception as exc:
            from index.segments.indexer import damaged_segments

            if view.key not in self._damage:
                self._damage[view.key] = damaged_segments(Path(view.key[0]))
            if self._damage[view.key]:
                problems = "; ".join(self._damage[view.key])
                raise IndexUnavailable(
                    f"the search index is damaged ({problems}); run `arkhiv reindex`"
                ) from exc
            raise

    def _search(
        self, view: IndexView, request: SearchRequest, script: str | None = None
    ) -> dict[str, Any]:
        started = time.perf_counter()
        columns = view.columns
        match, searched, suggestion = self._helped_match(view, request, suggest=True)
        filtered = match.filtered
        total = int(filtered.final.sum())
        shown = filtered.final
        if request.collapse:
            shown = collapse(shown, match.scores, columns, request.effective_sort)
        stories = int(shown.sum())
        start = (request.page - 1) * request.per_page
        docnums = page(
            shown, match.scores, columns, request.effective_sort, start, request.per_page
        )
        hits = page_hits(
            self.store,
            view.searcher,
            docnums,
            match.terms,
            match.scores,
            lambda docnum: story_of(view.searcher, docnum, columns, request.collapse),
        )
        facets, totals = value_facets(columns, filtered, request, script)
        facets["date"] = date_facet(columns, filtered, request)
        return {
            "query": request.q,
            "searched": searched,
            "suggestion": suggestion,
            "total": total,
            "stories": stories,
            "collapse": request.collapse,
            "page": request.page,
            "per_page": request.per_page,
            "pages": max(1, -(-stories // request.per_page)),
            "sort": request.effective_sort,
            "hits": hits,
            "facets": facets,
            "facet_totals": totals,
            "notices": match.notices,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    def _prober(self, view: IndexView, request: SearchRequest, probed: dict[str, _Match]):
        """What another query, with the filters of ``request``, finds (for query help); each
        query's match is evaluated once and kept in ``probed``."""

        def probe(text: str) -> Probe:
            if text not in probed:
                try:
                    probed[text] = self._match(view, replace(request, q=text, literal=True))
                except RequestError:  # a correction that asks too much is no help
                    return Probe(0, lambda: None)
            match = probed[text]
            final, scores = match.filtered.final, match.scores

            def best_text() -> str | None:
                docnums = page(final, scores, view.columns, "relevance", 0, BEST_READ)
                ids = [view.searcher.stored_fields(d)["id"] for d in docnums]
                found = self.store.get_many(ids)
                texts = [f"{found[i].title}\n{found[i].body}" for i in ids if i in found]
                return "\n".join(texts) or None

            return Probe(int(final.sum()), best_text)

        return probe

    @staticmethod
    def _speller(view: IndexView) -> Speller:
        reader = view.reader
        fields = [f for f in (*TEXT_FIELDS, "author", "tag", "source") if f in view.schema]

        def documents(word: str) -> int:
            return documents_holding(word, reader.doc_frequency, fields)

        return Speller(view.vocabulary, documents)

    def matching_articles(self, request: SearchRequest, batch: int = 200) -> Iterator[Article]:
        """Every article the search admits, in its order (for export and feeds), streamed; a
        query typed in the wrong keyboard layout is read as the page reads it.

        The search itself runs now (so a bad query raises here, before anything is sent); the
        stream then reads one generation of the index, sorted once, fetched a batch at a time,
        and holds that generation until it is exhausted or closed."""
        holder = self.views.acquire()
        view = holder.__enter__()
        try:
            with self._damage_named(view):
                match, _, _ = self._helped_match(view, request, suggest=False)
            docnums = page(
                match.filtered.final,
                match.scores,
                view.columns,
                request.effective_sort,
                0,
                len(match.filtered.final),
            )
        except BaseException:
            holder.__exit__(None, None, None)
            raise
        stream = self._stream(holder, view, docnums, batch)
        next(stream)  # started, so that closing it (or losing it) releases the view
        return stream

    def _stream(self, holder, view: IndexView, docnums: list[int], batch: int):
        try:
            yield None
            for start in range(0, len(docnums), batch):
                ids = [view.searcher.stored_fields(d)["id"] for d in docnums[start : start + batch]]
                found = self.store.get_many(ids)
                for article_id in ids:
                    if article_id in found:
                        yield found[article_id]
        finally:
            holder.__exit__(None, None, None)

    # -- coverage: attention over time, and the words that set results apart ------------------

    def timeline(self, queries: list[str], request: SearchRequest, interval: str) -> dict[str, Any]:
        """Articles and stories of each query per period, with the filters of ``request``
        (see :mod:`index.searching.timeline`); each query is read as the search page reads it."""
        with self.views.acquire() as view, self._damage_named(view):
            started = time.perf_counter()
            series = []
            for q in queries:
                match, searched, _ = self._helped_match(view, replace(request, q=q), suggest=False)
                notices = [notice.as_json() for notice in match.notices]
                series.append(SeriesMatch(q, searched, match.filtered.final, notices))
            everything = self._match(view, replace(request, q="")).filtered.final
            answer = count_over_time(
                view.columns, series, everything, interval, request.date_from, request.date_to
            )
            answer["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
            return answer

    def outlets(self, queries: list[str], request: SearchRequest, size: int) -> dict[str, Any]:
        """The outlets of each query's results with the filters of ``request`` (see
        :mod:`index.searching.outlets`); each query is read as the search page reads it."""
        with self.views.acquire() as view, self._damage_named(view):
            started = time.perf_counter()
            series = []
            for q in queries:
                match, searched, _ = self._helped_match(view, replace(request, q=q), suggest=False)
                final = match.filtered.final
                series.append(
                    {
                        "q": q,
                        "searched": searched,
                        "total": int(final.sum()),
                        "stories": story_count(final, view.columns),
                        **outlet_counts(view.columns, final, size),
                        "notices": [notice.as_json() for notice in match.notices],
                    }
                )
            took = round((time.perf_counter() - started) * 1000, 2)
            return {"series": series, "took_ms": took}

    def words(
        self,
        request: SearchRequest,
        against: str | None,
        size: int,
        sample: int | None = None,
    ) -> dict[str, Any]:
        """The words that set the results of ``request`` apart from everything its filters
        admit, or from what ``against`` finds with them (see
        :mod:`index.searching.significant_words`), from at most ``sample`` of its stories
        (``SAMPLE_SIZE``)."""
        sample = significance.SAMPLE_SIZE if sample is None else sample
        with self.views.acquire() as view, self._damage_named(view):
            started = time.perf_counter()
            columns = view.columns
            match, searched, _ = self._helped_match(view, request, suggest=False)
            results = match.filtered.final
            if against is None:
                background = self._match(view, replace(request, q="")).filtered.final
            else:
                other, _, _ = self._helped_match(view, replace(request, q=against), suggest=False)
                background = other.filtered.final
            collapsed = collapse(results, match.scores, columns, "relevance")
            if match.scores is not None:
                order = page(collapsed, match.scores, columns, "relevance", 0, sample)
            else:  # no relevance: read evenly across the results
                everyone = np.flatnonzero(collapsed)
                wanted = min(len(everyone), sample)
                picked = np.linspace(0, len(everyone) - 1, wanted)
                order = everyone[np.unique(picked.round().astype(np.int64))].tolist()

            def texts(docnums) -> list[str]:
                ids = [view.searcher.stored_fields(int(d))["id"] for d in docnums]
                found = self.store.get_many(ids)
                # One text per document, in order; an article gone from the store since it was
                # indexed (the index catches up) reads as no text.
                return [
                    f"{a.title}\n{a.summary or ''}\n{a.body or ''}" if a is not None else ""
                    for a in (found.get(i) for i in ids)
                ]

            cyrillic = columns.facets["language"].mask_for(
                significance.CYRILLIC_LANGUAGES, columns.size
            )
            answer = significance.significant_words(
                view.reader,
                results,
                background,
                cyrillic,
                order,
                int(collapsed.sum()),
                texts,
                size,
                sample,
            )
            answer["searched"] = searched
            answer["notices"] = [notice.as_json() for notice in match.notices]
            answer["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
            return answer

    # -- related articles ---------------------------------------------------------------------

    def more_like_this(self, article: Article, limit: int = 5) -> list[dict[str, Any]]:
        """Articles that share the most distinctive words of ``article``."""
        with self.views.acquire() as view, self._damage_named(view):
            return self._more_like_this(view, article, limit)

    def _more_like_this(self, view: IndexView, article: Article, limit: int) -> list[dict]:
        reader = view.reader
        counts = Counter(
            terms[0]
            for _, _, _, word in tokenize(f"{article.title}\n{article.body}")
            if len(word) > 3 and (terms := word_terms(word))
        )
        size = max(reader.doc_count(), 1)
        weighted = []
        for term, frequency in counts.items():
            df = reader.doc_frequency("body", term)
            if 1 < df < size * 0.2:
                weighted.append((frequency * np.log(size / df), term))
        weighted.sort(reverse=True)
        chosen = [term for _, term in weighted[:MORE_LIKE_THIS_TERMS]]
        if not chosen:
            return []
        q = query.Or([query.Term(field, term) for term in chosen for field in ("title", "body")])
        matches, scores = view.matcher.evaluate(q)
        own = [d for d in view.searcher.document_numbers(id=article.id)]
        matches[own] = False
        candidates = np.flatnonzero(matches)
        best = candidates[np.argsort(-scores[candidates], kind="stable")[:limit]]
        ids = [view.searcher.stored_fields(int(d))["id"] for d in best]
        found = self.store.get_many(ids)
        return [hit_fields(found[i]) for i in ids if i in found]

    def doc_count(self) -> int:
        with self.views.acquire() as view:
            return int(view.columns.live.sum())
