"""Following feeds: read each feed, fetch each new item's page, extract its article and store it
through the same intake as ``arkhiv import`` (validation, copies, takedowns).

A reading of one feed:

1. The feed is fetched politely (:mod:`archive.fetcher`) with the validators of the last reading:
   an unchanged feed answers 304 and costs nothing more.
2. Its items are read (:mod:`archive.feed_formats`); a sitemap index's newer sitemaps are read too.
3. An item whose page was stored before, held no article, or whose URL is an article of the archive
   or an id taken down, is passed over without a request. The others are fetched (at most
   :data:`MAX_PAGES` a reading), their article extracted (:mod:`archive.extraction`), validated
   (:func:`archive.intake.take_in`) and stored (:meth:`archive.store.Store.upsert`, which refuses an
   id taken down). What became of each page is kept (:mod:`archive.followed`).
4. The feed's row says when it was read, what it gave and what went wrong; the validators are kept
   only when every item was dealt with, so that items left for later are seen again.

A feed that fails is said so in its row and never stops the others. Feeds are read by a few
threads, the feeds of one site by one of them; the fetcher keeps each site's requests one at a
time, whichever feed asked.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from archive.config import Settings
from archive.extraction import NotAnArticle, extract_article
from archive.feed_formats import Feed, FeedItem, NotAFeed, read_feed
from archive.fetcher import FEED_TYPES, Fetcher, FetchError, Page
from archive.followed import (
    FAILED,
    FINAL,
    MAX_ATTEMPTS,
    NOT_ARTICLE,
    REJECTED,
    STORED,
    TAKEN_DOWN,
    FollowedFeed,
    FollowedFeeds,
    KeptRobots,
    page_key,
)
from archive.intake import Rejection, take_in
from archive.reader import RawRecord
from archive.record import Article
from archive.store import ADDED, Store
from archive.store import TAKEN_DOWN as STORE_TAKEN_DOWN

log = logging.getLogger(__name__)

# Pages fetched from one reading of a feed at most; the rest wait for the next reading (a first
# reading of a large sitemap must not fetch fifty thousand pages at once).
MAX_PAGES = 50
# The sitemaps of an index read at one reading at most, the most recently changed first.
MAX_SITEMAPS = 5
# A plain sitemap's pages changed this many days before the feed was followed, or since, are taken.
SITEMAP_DAYS = 2
WORKERS = 4
# The articles of one reading are stored together, up to this many, or this long after the first.
BATCH_SIZE = 50
BATCH_SECONDS = 30.0


@dataclass
class Reading:
    """What one reading of a feed did."""

    url: str
    error: str | None = None
    not_modified: bool = False
    items: int = 0
    new_articles: int = 0
    known: int = 0  # items passed over: their page was dealt with before
    left: int = 0  # items left for the next reading (past MAX_PAGES)
    page_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass
class FollowReport:
    readings: list[Reading]
    requests: int = 0
    not_modified: int = 0

    @property
    def failed(self) -> list[Reading]:
        return [reading for reading in self.readings if reading.failed]

    @property
    def new_articles(self) -> int:
        return sum(reading.new_articles for reading in self.readings)

    @property
    def exit_code(self) -> int:
        """0: every feed was read; 1: some failed."""
        return 1 if self.failed else 0


class Following:
    """Reads the feeds followed in ``store``."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        fetcher: Fetcher | None = None,
        max_pages: int = MAX_PAGES,
        workers: int = WORKERS,
        stopping: Callable[[], bool] | None = None,
    ):
        self.store = store
        self.settings = settings
        self.feeds = FollowedFeeds(store)
        self.fetcher = fetcher or Fetcher(settings, kept_robots=KeptRobots(store))
        self.max_pages = max_pages
        self.workers = workers
        # Asked before each page: True ends the reading there (what was taken is stored), as
        # when the server that started this follower has stopped.
        self.stopping = stopping or (lambda: False)

    def close(self) -> None:
        self.fetcher.close()

    # -- many feeds --------------------------------------------------------------------------

    def due(self, now: datetime | None = None) -> list[FollowedFeed]:
        """The feeds not read for ``follow_every`` seconds (or never)."""
        now = now or datetime.now(UTC)
        return [
            feed
            for feed in self.feeds.list()
            if feed.last_checked is None
            or (now - datetime.fromisoformat(feed.last_checked)).total_seconds()
            >= self.settings.follow_every
        ]

    def run(self, feeds: Iterable[FollowedFeed] | None = None) -> FollowReport:
        """Read ``feeds`` (default: every followed feed) once; the feeds of one site one after
        another, the sites side by side."""
        chosen = list(self.feeds.list() if feeds is None else feeds)
        by_site: dict[str, list[FollowedFeed]] = {}
        for feed in chosen:
            by_site.setdefault(urllib.parse.urlsplit(feed.url).netloc.lower(), []).append(feed)
        before = dict(self.fetcher.counts)
        readings: list[Reading] = []
        if by_site:
            with ThreadPoolExecutor(min(self.workers, len(by_site))) as pool:
                for site_readings in pool.map(self._read_all, by_site.values()):
                    readings.extend(site_readings)
        return FollowReport(
            readings,
            requests=self.fetcher.counts["requests"] - before.get("requests", 0),
            not_modified=self.fetcher.counts["not_modified"] - before.get("not_modified", 0),
        )

    def follow(
        self,
        stopped: Callable[[float], bool],
        after_reading: Callable[[FollowReport], None] | None = None,
        pause: float = 5.0,
    ) -> None:
        """Read the feeds that are due, then again, until ``stopped(pause)`` (which waits that
        long) says so; ``after_reading`` hears each round that read something."""
        while True:
            try:
                due = self.due()
                if due:
                    report = self.run(due)
                    if after_reading is not None:
                        after_reading(report)
            except Exception as exc:  # noqa: BLE001 - the store may be away a moment: said, and tried again
                log.error("following the feeds failed: %s: %s", type(exc).__name__, exc)
            if stopped(pause):
                return

    def _read_all(self, feeds: list[FollowedFeed]) -> list[Reading]:
        return [self.read(feed) for feed in feeds if not self.stopping()]

    # -- one feed ----------------------------------------------------------------------------

    def read(self, feed: FollowedFeed) -> Reading:
        """Read ``feed`` once and store its new articles; what went wrong is in the result and
        in the feed's row, never raised (but for the store's own failures)."""
        reading = Reading(feed.url)
        try:
            page = self.fetcher.fetch(
                feed.url,
                delay=feed.delay,
                etag=feed.etag,
                last_modified=feed.last_modified,
                accept=FEED_TYPES,
            )
        except FetchError as exc:
            return self._failed(reading, str(exc), keep_validators=True)
        if page.not_modified:
            reading.not_modified = True
            self.feeds.checked(feed.url, error=None, keep_validators=True)
            return reading
        try:
            parsed = read_feed(page.body, page.url, page.content_type)
        except NotAFeed as exc:
            return self._failed(reading, f"{page.url}: {exc}", keep_validators=False)
        items = list(parsed.items)
        if parsed.sitemaps:
            more, error = self._sitemaps(feed, parsed)
            items += more
            if error:
                reading.error = error
        items = [item for item in items if _recent_enough(item, feed)]
        reading.items = len(items)
        complete = self._take_items(feed, items, reading)
        keep = complete and reading.error is None
        self.feeds.checked(
            feed.url,
            error=reading.error,
            new_articles=reading.new_articles,
            etag=page.headers.get("etag") if keep else None,
            last_modified=page.headers.get("last-modified") if keep else None,
        )
        if reading.error:
            log.warning("feed %s: %s", feed.url, reading.error)
        return reading

    def _failed(self, reading: Reading, error: str, *, keep_validators: bool) -> Reading:
        reading.error = error
        log.warning("feed %s: %s", reading.url, error)
        self.feeds.checked(reading.url, error=error, keep_validators=keep_validators)
        return reading

    def _sitemaps(self, feed: FollowedFeed, index: Feed) -> tuple[list[FeedItem], str | None]:
        """The items of the sitemaps an index lists that changed since the feed was last read
        (the most recent first, at most :data:`MAX_SITEMAPS`)."""
        since = feed.last_checked or ""
        listed = sorted(index.sitemaps, key=lambda pair: pair[1] or "", reverse=True)
        changed = [url for url, modified in listed if not since or (modified or "9") > since]
        items: list[FeedItem] = []
        errors = []
        for url in changed[:MAX_SITEMAPS]:
            try:
                page = self.fetcher.fetch(url, delay=feed.delay, accept=FEED_TYPES)
                items += read_feed(page.body, page.url, page.content_type).items
            except (FetchError, NotAFeed) as exc:
                errors.append(f"sitemap {url}: {exc}")
        return items, "; ".join(errors) or None

    def _take_items(self, feed: FollowedFeed, items: list[FeedItem], reading: Reading) -> bool:
        """Fetch and store the new items' pages; True when none was left for later."""
        by_key: dict[str, FeedItem] = {}
        # Newest first: what a sitemap changed last, where it says (feeds list newest first).
        for item in sorted(items, key=lambda found: found.modified or "", reverse=True):
            by_key.setdefault(page_key(item.url), item)
        known = self.feeds.pages_known(by_key)
        in_archive = self.feeds.articles_known(by_key)
        fresh = []
        for key, item in by_key.items():
            status, attempts = known.get(key, (None, 0))
            if status in FINAL or (status == FAILED and attempts >= MAX_ATTEMPTS):
                reading.known += 1
            elif key in in_archive:
                reading.known += 1
                state = TAKEN_DOWN if in_archive[key] else STORED
                self.feeds.page_done(key, feed.url, state, article_id=key)
            else:
                fresh.append((key, item))
        reading.left = max(0, len(fresh) - self.max_pages)
        complete = reading.left == 0
        batch = _Batch(time.monotonic())
        for key, item in fresh[: self.max_pages]:
            if self.stopping():
                complete = False
                break
            taken = self._take_page(feed, key, item, reading)
            if taken is None:
                complete = False
            elif isinstance(taken, Article):
                batch.articles.append((key, taken))
            if batch.full():
                self._store(feed, batch, reading)
                batch = _Batch(time.monotonic())
        self._store(feed, batch, reading)
        return complete

    def _take_page(
        self, feed: FollowedFeed, key: str, item: FeedItem, reading: Reading
    ) -> Article | bool | None:
        """Fetch and extract one item's page: its article, to be stored; True when the page was
        dealt with (it holds no article, or one that cannot be taken); None when it failed and
        is to be tried again."""
        try:
            page = self.fetcher.fetch(item.url, delay=feed.delay)
        except FetchError as exc:
            reading.page_errors.append(str(exc))
            self.feeds.page_done(key, feed.url, FAILED, error=str(exc))
            return None
        try:
            record = extract_article(
                page.body,
                page.url,
                content_type=page.content_type,
                hints=item.hints(feed.source),
            )
        except NotAnArticle as exc:
            self.feeds.page_done(key, feed.url, NOT_ARTICLE, error=str(exc))
            return True
        except Exception as exc:  # noqa: BLE001 - one page the extractor cannot read stops nothing
            error = f"{page.url}: the page could not be read: {type(exc).__name__}: {exc}"
            reading.page_errors.append(error)
            self.feeds.page_done(key, feed.url, NOT_ARTICLE, error=error)
            return True
        record = _settled(record, page, feed)
        (taken,) = take_in(
            [RawRecord(file=feed.url, value=record, raw=record)],
            default_zone=self.settings.default_zone,
            languages=self.settings.languages,
        )
        if isinstance(taken, Rejection):
            self.feeds.page_done(key, feed.url, REJECTED, error=taken.error)
            reading.page_errors.append(f"{page.url}: {taken.error}")
            return True
        return taken

    def _store(self, feed: FollowedFeed, batch: _Batch, reading: Reading) -> None:
        """Store a batch of articles in one transaction (as an import stores a batch), and say
        what became of each page. One change of the store for many pages: the index's follower
        makes one generation of the index for them, not one a page, which searches would feel."""
        if not batch.articles:
            return
        outcomes = self.store.upsert([article for _, article in batch.articles])
        done = []
        for (key, article), outcome in zip(batch.articles, outcomes, strict=True):
            done.append((key, TAKEN_DOWN if outcome == STORE_TAKEN_DOWN else STORED, article.id))
            if outcome == ADDED:
                reading.new_articles += 1
        self.feeds.pages_done(feed.url, done)


@dataclass
class _Batch:
    """Articles extracted and not yet stored: stored together once there are
    :data:`BATCH_SIZE` of them, :data:`BATCH_SECONDS` after the first, or at the end of the
    feed's reading."""

    started: float
    articles: list[tuple[str, Article]] = field(default_factory=list)

    def full(self) -> bool:
        return len(self.articles) >= BATCH_SIZE or (
            bool(self.articles) and time.monotonic() - self.started >= BATCH_SECONDS
        )


def _recent_enough(item: FeedItem, feed: FollowedFeed) -> bool:
    """Whether a sitemap's page changed late enough to be taken: a plain sitemap lists every
    page of a site, back to its first, and following a site is not copying its past. A page
    changed :data:`SITEMAP_DAYS` before the feed was followed, or since, is taken (a news
    sitemap lists only the last two days' articles: the same window)."""
    if item.modified is None or item.published is not None:
        return True  # a feed's item, or a news sitemap's
    try:
        modified = datetime.fromisoformat(item.modified)
    except ValueError:
        return True
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    followed = datetime.fromisoformat(feed.added_at)
    return modified >= followed - timedelta(days=SITEMAP_DAYS)


def _settled(record: dict, page: Page, feed: FollowedFeed) -> dict:
    """The extracted record with what the follower knows better: a canonical URL on another
    site is not believed (a page must not name another site's article, and so take its id), and
    the feed's ``--language`` stands where the page said none."""
    settled = dict(record)
    canonical = settled.get("url")
    if not isinstance(canonical, str) or _site(canonical) != _site(page.url):
        settled["url"] = page.url
    if feed.language and not settled.get("language"):
        settled["language"] = feed.language
    return settled


def _site(url: str) -> str:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
