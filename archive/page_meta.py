"""What a news page says about itself: JSON-LD, OpenGraph and ``article:`` tags, the canonical link.

Publishers write these for search engines and social networks, so they are kept more carefully
than the page's visible furniture: the headline without the site's name, the authors as names,
the date of publication as a machine-readable date, and (in JSON-LD, on many sites) the article's
whole text as ``articleBody``. Each reader here returns what the page says, or None.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import ParserError

# schema.org types of an article (NewsArticle and its kinds, and the general ones sites use).
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "TechArticle",
        "SocialMediaPosting",
    }
)
# Page-level meta tags that carry the date of publication, in the order they are trusted.
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "parsely-pub-date",
    "sailthru.date",
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)
_MAX_DEPTH = 6  # how deep JSON-LD is searched for the article (@graph, mainEntity, lists)


@dataclass
class PageMeta:
    """The page's own metadata, each field None (or empty) when the page does not say it."""

    headline: str | None = None
    article_body: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # candidates, most trusted first
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    publisher: str | None = None
    canonical: str | None = None
    is_article: bool = False  # JSON-LD or og:type says the page is an article


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        if _ENTITY.search(value):  # JSON-LD is often written with HTML's entities ("&#8217;")
            value = html.unescape(value)
        cleaned = " ".join(value.split())
        return cleaned or None
    return None


def _has_type(item: dict[str, Any], types: frozenset[str]) -> bool:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] in types for k in kinds)


def _json_ld_objects(tree: Any) -> Iterator[Any]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        text = (script.text or "").strip()
        if not text:
            continue
        try:
            # strict=False: sites put raw newlines and tabs inside JSON-LD strings.
            yield json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue  # a broken block (or one nested past reason) is what the page failed to say


def _articles_in(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _articles_in(item, depth + 1)
    elif isinstance(value, dict):
        if _has_type(value, ARTICLE_TYPES):
            yield value
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
            if key in value:
                yield from _articles_in(value[key], depth + 1)


def _names(value: Any) -> list[str]:
    """Person names from schema.org ``author``: a string, a Person, or a list of them."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name and not _looks_like_url(name):
            names.append(name)
    return names


def _looks_like_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//", "www."))


def _split_keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [k for item in value for k in _split_keywords(item)]
    text = _text(value)
    if not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _body_text(value: Any) -> str | None:
    """``articleBody`` as plain text: some sites put markup or entities in it."""
    if not isinstance(value, str) or not value.strip():
        return None
    if _ENTITY.search(value):
        # Markup escaped into the JSON ("&lt;p&gt;"), sometimes twice.
        value = html.unescape(html.unescape(value)) if "&amp;" in value else html.unescape(value)
    if "<" in value and ">" in value:
        try:
            fragment = lxml_html.fragment_fromstring(value, create_parent="div")
        except (ParserError, ValueError):
            return value.strip()
        for br in fragment.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for block in fragment.iter("p", "div", "li", "h2", "h3", "h4", "blockquote"):
            block.tail = "\n\n" + (block.tail or "")
        value = fragment.text_content()
    return value.strip()


def _language_code(value: Any) -> str | None:
    """``uk``, ``uk-UA``, ``uk_UA`` → ``uk``; anything else → None."""
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    text = _text(value)
    if not text:
        return None
    primary = text.replace("_", "-").split("-")[0].lower()
    return primary if len(primary) == 2 and primary.isascii() and primary.isalpha() else None


def _meta_values(tree: Any) -> dict[str, list[str]]:
    """Every ``<meta>``'s content by its lower-cased property, name or itemprop."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), []).append(content.strip())
    return values


def _meta_authors(values: dict[str, list[str]]) -> list[str]:
    """``article:author`` tags (one per author; profile URLs are not names), else the first
    ``<meta name=author>``, which may list several ("A, B" or "A; B")."""
    names = [_text(v) for v in values.get("article:author", [])]
    found = [name for name in names if name and not _looks_like_url(name)]
    if found:
        return found
    for key in ("author", "parsely-author", "sailthru.author"):
        for value in values.get(key, []):
            text = _text(value)
            if text and not _looks_like_url(text):
                return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    return []


def _canonical(tree: Any, page_url: str) -> str | None:
    """The page's canonical URL, when it is an http(s) URL that names this article: a canonical
    link to the site's front page (a common misconfiguration) is not the article's address."""
    hrefs = [
        link.get("href")
        for link in tree.xpath("//link[@href][@rel]")
        if "canonical" in link.get("rel", "").lower().split()
    ]
    for href in hrefs:
        absolute = urljoin(page_url or "", href.strip())
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        if parts.path in ("", "/") and urlsplit(page_url or "").path not in ("", "/"):
            continue
        return absolute
    return None


def read_page_meta(tree: Any, page_url: str) -> PageMeta:
    """The metadata of a parsed page (an lxml tree) fetched from ``page_url``."""
    meta = PageMeta()
    for block in _json_ld_objects(tree):
        for article in _articles_in(block):
            meta.is_article = True
            meta.headline = (
                meta.headline or _text(article.get("headline")) or _text(article.get("name"))
            )
            meta.article_body = meta.article_body or _body_text(article.get("articleBody"))
            meta.description = meta.description or _text(article.get("description"))
            if not meta.authors:
                meta.authors = _names(article.get("author"))
            date = _text(article.get("datePublished")) or _text(article.get("dateCreated"))
            if date:
                meta.published.append(date)
            if not meta.keywords:
                meta.keywords = _split_keywords(article.get("keywords"))
            meta.language = meta.language or _language_code(article.get("inLanguage"))
            publisher = article.get("publisher")
            if isinstance(publisher, list) and publisher:
                publisher = publisher[0]
            if isinstance(publisher, dict):
                meta.publisher = meta.publisher or _text(publisher.get("name"))
    values = _meta_values(tree)

    def first(*keys: str) -> str | None:
        for key in keys:
            for value in values.get(key, []):
                cleaned = _text(value)
                if cleaned:
                    return cleaned
        return None

    meta.is_article = meta.is_article or (first("og:type") or "").lower() == "article"
    meta.headline = meta.headline or first("og:title", "twitter:title")
    meta.description = meta.description or first("og:description", "description")
    if not meta.authors:
        meta.authors = _meta_authors(values)
    for key in _DATE_META:
        meta.published.extend(values.get(key, []))
    for time in tree.xpath('//time[@itemprop="datePublished"][@datetime]'):
        meta.published.append(time.get("datetime"))
    if not meta.keywords:
        meta.keywords = [v.strip() for v in values.get("article:tag", []) if v.strip()]
    if not meta.keywords:
        meta.keywords = _split_keywords(first("news_keywords"))
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    meta.language = (
        meta.language
        or _language_code(
            root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
        )
        or _language_code(first("og:locale", "content-language", "language", "dc.language"))
    )
    meta.publisher = meta.publisher or first("og:site_name", "application-name")
    meta.canonical = _canonical(tree, page_url)
    if meta.canonical is None:
        og_url = first("og:url")
        if og_url:
            meta.canonical = _canonical_from_og(og_url, page_url)
    return meta


def _canonical_from_og(og_url: str, page_url: str) -> str | None:
    absolute = urljoin(page_url or "", og_url)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path in ("", "/") and urlsplit(page_url or "").path not in ("", "/"):
        return None
    return absolute
