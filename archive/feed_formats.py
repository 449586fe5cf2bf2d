"""Reading what a feed lists: RSS 0.9x to 2.0 and Atom (through feedparser), JSON Feed 1.0 and
1.1, news sitemaps (``<news:news>``), plain sitemaps with ``<lastmod>``, and sitemap indexes.

Each item becomes a :class:`FeedItem`: the page's URL, and what the feed says of it (title, date
of publication, authors, tags, language), given to the page's extraction as hints. A feed's own
date is a publication date only where the format says so (RSS ``pubDate``, Atom ``published`` or
else ``updated``, JSON Feed ``date_published``, a news sitemap's ``publication_date``); a plain
sitemap's ``lastmod`` says only which pages changed, and is no date of publication.
"""

from __future__ import annotations

import calendar
import io
import json
import re
import urllib.parse
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_SITEMAP_ROOT = re.compile(rb"<(?:[\w-]+:)?(urlset|sitemapindex)\b")
_JSON_FEED = "https://jsonfeed.org/version/"
_DECLARED = re.compile(rb"\s*<\?xml[^>]*\bencoding\s*=\s*[\"'][A-Za-z][\w.:-]*[\"']")


class NotAFeed(ValueError):
    """What was fetched is not a feed Arkhiv reads (an HTML page, broken XML, other JSON)."""


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    language: str | None = None
    # A sitemap's <lastmod>: which page changed lately (not when it was published).
    modified: str | None = None

    def hints(self, source: str | None) -> dict[str, Any]:
        """What the feed says of the page, as :func:`archive.extraction.extract_article`
        takes it."""
        hints: dict[str, Any] = {
            "title": self.title,
            "published": self.published,
            "authors": list(self.authors),
            "tags": list(self.tags),
            "language": self.language,
            "source": source,
        }
        return {key: value for key, value in hints.items() if value}


@dataclass
class Feed:
    """A feed as read: its kind, its title, its items, and (a sitemap index) the sitemaps it
    lists with their ``lastmod``."""

    kind: str
    title: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    sitemaps: list[tuple[str, str | None]] = field(default_factory=list)


def read_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """The items of ``body``, fetched from ``url``; :class:`NotAFeed` when it is none."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _json_feed(body, url)
    if _SITEMAP_ROOT.search(head):
        return _sitemap(body, url)
    return _syndication(body, url, content_type)


# -- RSS and Atom ----------------------------------------------------------------------------


def _syndication(body: bytes, url: str, content_type: str | None) -> Feed:
    if _DECLARED.match(body[:512]):
        # The document names its own encoding: it is written with the bytes, where a server's
        # header is often its default (a KOI8-U feed sent as windows-1251 or UTF-8). The
        # header's charset would win in feedparser (RFC 3023): it is left out.
        content_type = (content_type or "application/xml").split(";")[0]
    # A stream, never bytes: feedparser opens bytes that look like a path as a local file.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={
            "content-type": content_type or "application/xml",
            "content-location": url,
        },
    )
    if not parsed.version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise NotAFeed(
            "not RSS, Atom, JSON Feed or a sitemap"
            + (f" ({_first_line(str(reason))})" if reason else "")
        )
    channel = parsed.feed
    language = _language(channel.get("language"))
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or _http_url(entry.get("id"))
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append(
            FeedItem(
                url=urllib.parse.urljoin(url, link.strip()),
                title=_text(entry.get("title")),
                published=_from_struct(stamp),
                authors=_names(entry.get("authors") or []),
                tags=tuple(
                    dict.fromkeys(
                        term
                        for tag in entry.get("tags") or []
                        if (term := _text(tag.get("term") or tag.get("label")))
                    )
                ),
                language=_language(entry.get("language")) or language,
            )
        )
    return Feed(kind=parsed.version or "rss", title=_text(channel.get("title")), items=items)


def _from_struct(stamp) -> str | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return moment.isoformat()


# -- JSON Feed -------------------------------------------------------------------------------


def _json_feed(body: bytes, url: str) -> Feed:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAFeed(f"not JSON Feed: {_first_line(str(exc))}") from None
    feed_version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(feed_version, str) or not feed_version.startswith(_JSON_FEED):
        raise NotAFeed(f"JSON, but not JSON Feed (no version {_JSON_FEED}…)")
    language = _language(document.get("language"))
    feed_authors = _json_authors(document)
    items = []
    for entry in document.get("items") or []:
        if not isinstance(entry, dict):
            continue
        link = _text(entry.get("url")) or _http_url(entry.get("id"))
        if not link:
            continue
        tags = entry.get("tags") if isinstance(entry.get("tags"), list) else []
        tags = [tag.strip() for tag in tags if isinstance(tag, str) and tag.strip()]
        items.append(
            FeedItem(
                url=urllib.parse.urljoin(url, link),
                title=_text(entry.get("title")),
                published=_text(entry.get("date_published")),
                authors=_json_authors(entry) or feed_authors,
                tags=tuple(dict.fromkeys(tags)),
                language=_language(entry.get("language")) or language,
            )
        )
    return Feed(kind="json feed", title=_text(document.get("title")), items=items)


def _json_authors(holder: dict) -> tuple[str, ...]:
    found = holder.get("authors")  # 1.1
    if not isinstance(found, list):
        found = [holder.get("author")]  # 1.0
    return _names(found)


# -- sitemaps --------------------------------------------------------------------------------


def _sitemap(body: bytes, url: str) -> Feed:
    # ElementTree resolves no external entity, and the expat it uses refuses entity expansion
    # attacks ("billion laughs"); the fetch's size limit bounds the rest.
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise NotAFeed(f"a sitemap that is not well-formed XML ({exc})") from None
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        sitemaps = [
            (urllib.parse.urljoin(url, loc), _child_text(entry, "lastmod"))
            for entry in root.iter(f"{SITEMAP_NS}sitemap")
            if (loc := _child_text(entry, "loc"))
        ]
        return Feed(kind="sitemap index", sitemaps=sitemaps)
    if root.tag != f"{SITEMAP_NS}urlset":
        raise NotAFeed(f"XML whose root is {root.tag!r}, not a sitemap's urlset")
    items, news = [], False
    for entry in root.iter(f"{SITEMAP_NS}url"):
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        article = entry.find(f"{NEWS_NS}news")
        if article is not None:
            news = True
            publication = article.find(f"{NEWS_NS}publication")
            keywords = _child_text(article, "keywords", NEWS_NS) or ""
            items.append(
                FeedItem(
                    url=urllib.parse.urljoin(url, loc),
                    title=_child_text(article, "title", NEWS_NS),
                    published=_child_text(article, "publication_date", NEWS_NS),
                    tags=tuple(dict.fromkeys(k.strip() for k in keywords.split(",") if k.strip())),
                    language=_language(
                        _child_text(publication, "language", NEWS_NS)
                        if publication is not None
                        else None
                    ),
                    modified=_child_text(entry, "lastmod"),
                )
            )
            continue
        modified = _child_text(entry, "lastmod")
        if modified:  # a page without <lastmod> cannot be told new from old: passed over
            items.append(FeedItem(url=urllib.parse.urljoin(url, loc), modified=modified))
    title = None
    if news:
        name = root.find(f".//{NEWS_NS}publication/{NEWS_NS}name")
        title = _text(name.text) if name is not None else None
    return Feed(kind="news sitemap" if news else "sitemap", title=title, items=items)


def _child_text(element, name: str, namespace: str = SITEMAP_NS) -> str | None:
    child = element.find(f"{namespace}{name}")
    return _text(child.text) if child is not None else None


# -- small pieces ----------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _names(found: Any) -> tuple[str, ...]:
    names = []
    for person in found if isinstance(found, list) else []:
        name = _text(person.get("name")) if isinstance(person, dict) else _text(person)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _http_url(value: Any) -> str | None:
    text = _text(value)
    if text and text.lower().startswith(("http://", "https://")):
        return text
    return None


def _language(value: Any) -> str | None:
    """The two-letter code of ``uk-UA``, ``en_GB``, ``uk``; None for anything else."""
    text = _text(value)
    if not text:
        return None
    code = re.split(r"[-_]", text, maxsplit=1)[0].lower()
    return code if len(code) == 2 and code.isalpha() and code.isascii() else None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else text
