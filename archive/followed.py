"""The feeds the archive follows, and the pages their items led to, kept in the store.

A feed's row says how to read it (its source, language, and the delay between two requests to its
site) and what its last reading said: the ``ETag`` and ``Last-Modified`` to send back (so that an
unchanged feed costs one 304), when it was checked, when it last gave a new article, how many
articles it gave, and what went wrong last time (None: nothing).

A page's row says what became of an item's page: ``stored`` (as ``article_id``), ``not_article``,
``rejected`` or ``taken_down``: none of these is fetched again; ``failed`` (the site was down, a
timeout) is tried again at the next reading, up to :data:`MAX_ATTEMPTS` times.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from archive.record import normalize_url
from archive.store import Store, now_text

DEFAULT_DELAY = 5.0
# A page whose fetch failed is tried again at the next readings of its feed, this many in all.
MAX_ATTEMPTS = 3
STORED, NOT_ARTICLE, REJECTED, TAKEN_DOWN, FAILED = (
    "stored",
    "not_article",
    "rejected",
    "taken_down",
    "failed",
)
FINAL = (STORED, NOT_ARTICLE, REJECTED, TAKEN_DOWN)
MAX_URL = 2048
MAX_ERROR = 500


class FeedError(ValueError):
    """A feed that cannot be added or removed (not an http(s) URL, unknown, a bad delay)."""


@dataclass(frozen=True)
class FollowedFeed:
    url: str
    source: str | None
    language: str | None
    delay: float
    added_at: str
    etag: str | None = None
    last_modified: str | None = None
    last_checked: str | None = None
    last_new: str | None = None
    articles: int = 0
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """As ``follow list --json`` shows it (``error``: None, or what went wrong last time)."""
        shown = asdict(self)
        shown["error"] = shown.pop("last_error")
        for private in ("etag", "last_modified"):
            shown.pop(private)
        return shown


_COLUMNS = (
    "url, source, language, delay, added_at, etag, last_modified, last_checked, last_new, "
    "articles, last_error"
)


def feed_url(url: str) -> str:
    """``url`` as a followed feed's key, or :class:`FeedError` when it is not one."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError(f"{url[:200]!r} is not an http or https URL")
    if len(url) > MAX_URL:
        raise FeedError(f"the URL is {len(url)} characters long; at most {MAX_URL}")
    return url


def page_key(url: str) -> str:
    """A page's key: its URL as an article's identity is written (no fragment, no tracking)."""
    return normalize_url(url)


class FollowedFeeds:
    """The followed feeds and fetched pages of ``store``."""

    def __init__(self, store: Store):
        self.store = store

    # -- the feeds ---------------------------------------------------------------------------

    def add(
        self,
        url: str,
        *,
        source: str | None = None,
        language: str | None = None,
        delay: float = DEFAULT_DELAY,
    ) -> FollowedFeed:
        """Follow ``url`` (or change how a followed one is read); returns it."""
        url = feed_url(url)
        if not 0 <= delay <= 3600:
            raise FeedError(f"--delay: expected seconds between 0 and 3600, got {delay:g}")
        if language is not None and not (len(language) == 2 and language.isalpha()):
            raise FeedError(f"--language: expected a two-letter code such as uk, got {language!r}")
        with self.store.writing() as change:
            change.db.execute(
                """INSERT INTO followed_feeds (url, source, language, delay, added_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (url) DO UPDATE SET source = excluded.source,
                       language = excluded.language, delay = excluded.delay""",
                (url, source, language.lower() if language else None, delay, now_text()),
            )
        found = self.get(url)
        assert found is not None
        return found

    def remove(self, url: str) -> None:
        """Stop following ``url``. The articles it gave stay; so do its pages' rows, so that a
        feed followed again does not fetch them again."""
        with self.store.writing() as change:
            gone = change.db.execute("DELETE FROM followed_feeds WHERE url = ?", (url.strip(),))
            if not gone.rowcount:
                raise FeedError(f"{url[:200]!r} is not followed")

    def get(self, url: str) -> FollowedFeed | None:
        row = self.store.db.execute(
            f"SELECT {_COLUMNS} FROM followed_feeds WHERE url = ?", (url,)
        ).fetchone()
        return FollowedFeed(*row) if row else None

    def list(self) -> list[FollowedFeed]:
        rows = self.store.db.execute(f"SELECT {_COLUMNS} FROM followed_feeds ORDER BY url")
        return [FollowedFeed(*row) for row in rows.fetchall()]

    def checked(
        self,
        url: str,
        *,
        error: str | None,
        new_articles: int = 0,
        etag: str | None = None,
        last_modified: str | None = None,
        keep_validators: bool = False,
    ) -> None:
        """Record a reading of ``url``: when, what went wrong (None: nothing), how many new
        articles it gave, and the validators to send next time (``keep_validators``: those it
        has, as after a 304 or a failure)."""
        now = now_text()
        with self.store.writing() as change:
            if keep_validators:
                change.db.execute(
                    """UPDATE followed_feeds SET last_checked = ?, last_error = ?,
                           articles = articles + ?,
                           last_new = CASE WHEN ? > 0 THEN ? ELSE last_new END
                       WHERE url = ?""",
                    (now, _short(error), new_articles, new_articles, now, url),
                )
            else:
                change.db.execute(
                    """UPDATE followed_feeds SET last_checked = ?, last_error = ?,
                           articles = articles + ?,
                           last_new = CASE WHEN ? > 0 THEN ? ELSE last_new END,
                           etag = ?, last_modified = ?
                       WHERE url = ?""",
                    (now, _short(error), new_articles, new_articles, now, etag, last_modified, url),
                )

    # -- the pages ---------------------------------------------------------------------------

    def pages_known(self, urls: Iterable[str]) -> dict[str, tuple[str, int]]:
        """For each of ``urls`` (page keys) already fetched: its status and attempts so far."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, tuple[str, int]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for url, status, attempts in self.store.db.execute(
                f"SELECT url, status, attempts FROM fetched_pages WHERE url IN ({marks})", chunk
            ).fetchall():
                found[url] = (status, attempts)
        return found

    def articles_known(self, urls: Iterable[str]) -> dict[str, bool]:
        """Those of ``urls`` (page keys) that are the id of an article of the archive (False)
        or of one taken down (True): their pages need no fetching."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, bool] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for table, taken_down in (("articles", False), ("takedowns", True)):
                for (article_id,) in self.store.db.execute(
                    f"SELECT id FROM {table} WHERE id IN ({marks})", chunk
                ).fetchall():
                    found[article_id] = taken_down
        return found

    def pages_done(self, feed: str, done: Iterable[tuple[str, str, str | None]]) -> None:
        """Record, in one transaction, what became of pages: ``(url, status, article_id)``."""
        now = now_text()
        with self.store.writing() as change:
            change.db.executemany(
                """INSERT INTO fetched_pages (url, feed, status, article_id, fetched_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (url) DO UPDATE SET status = excluded.status,
                       article_id = excluded.article_id, fetched_at = excluded.fetched_at,
                       error = NULL, attempts = fetched_pages.attempts + 1""",
                [(url, feed, status, article_id, now) for url, status, article_id in done],
            )

    def page_done(
        self,
        url: str,
        feed: str,
        status: str,
        *,
        article_id: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record what became of the page ``url`` (a page key)."""
        with self.store.writing() as change:
            change.db.execute(
                """INSERT INTO fetched_pages (url, feed, status, article_id, fetched_at, error)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (url) DO UPDATE SET status = excluded.status,
                       article_id = excluded.article_id, fetched_at = excluded.fetched_at,
                       error = excluded.error, attempts = fetched_pages.attempts + 1""",
                (url, feed, status, article_id, now_text(), _short(error)),
            )


class KeptRobots:
    """Each site's robots.txt as last read (its status and text), kept in the store so that a
    new process (each ``arkhiv follow run``) reads it from there for a day, not from the site."""

    def __init__(self, store: Store):
        self.store = store

    def get(self, origin: str) -> tuple[int, str, datetime] | None:
        row = self.store.db.execute(
            "SELECT status, body, fetched_at FROM site_robots WHERE origin = ?", (origin,)
        ).fetchone()
        if row is None:
            return None
        return int(row[0]), row[1], datetime.fromisoformat(row[2])

    def put(self, origin: str, status: int, body: str) -> None:
        self.store.db.execute(
            """INSERT INTO site_robots (origin, status, body, fetched_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (origin) DO UPDATE SET status = excluded.status,
                   body = excluded.body, fetched_at = excluded.fetched_at""",
            (origin, status, body, now_text()),
        )


def _short(error: str | None) -> str | None:
    if error is None:
        return None
    return error if len(error) <= MAX_ERROR else error[: MAX_ERROR - 1] + "…"
