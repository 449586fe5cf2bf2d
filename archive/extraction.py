"""A news page to an article record: the text without the page's furniture, and its metadata.

The text comes from the page's JSON-LD ``articleBody`` where the site gives the whole of it (it is
the publisher's own copy, exact), else from trafilatura, which finds the article's text among
menus, related links, comments and footers. The metadata comes first from what the page says about
itself (:mod:`archive.page_meta`), then from what trafilatura and htmldate read in it, then from
what the feed said (``hints``). The date of fetching is never a date of publication: a date that
cannot be found stays absent.

The result is a record in the import shape, to go through :func:`archive.intake.take_in` like any
imported record (validation, copies, takedowns).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from htmldate import find_date
from lxml.etree import LxmlError
from trafilatura.utils import load_html

from archive.dates import DateError, parse_published
from archive.page_meta import PageMeta, read_page_meta
from archive.page_text import decode_page

# Fewer words than this is not an article's text (an error page, a gallery, a redirect stub).
MIN_BODY_WORDS = 15
# articleBody shorter than this share of the text trafilatura finds is a teaser, not the article.
_TEASER_SHARE = 0.6
# htmldate reads the page's own markup and URL only: "extensive" search guesses from any date in
# the text (a copyright line, a related article), which is not this article's date.
_HTMLDATE = {"extensive_search": False, "original_date": True}


# Elements that make a table cell a column of the page's layout rather than a cell of data.
_LAYOUT_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "table", "ul", "ol", "article", "form"})
_TABLE_PARTS = ".//tr|.//td|.//th|.//tbody|.//thead|.//tfoot"
# A paragraph that is only a date or a time ("12.02.2009", "10:30"): the byline's, not the text.
_ONLY_A_DATE = re.compile(r"^[\d\s.:/,-]+$")
# Lines that lead to other articles, however the page marks them up: the Ukrainian imperatives
# and "Read also" say so alone; "Read more", "See also", "Related" only before a colon or a dash
# ("Related to this, the minister said" is the text).
_RELATED_LINE = re.compile(
    r"^(?:(?:читайте|дивіться) (?:також|більше)|також читайте|read also)\b"
    r"|^(?:read more|see also|related(?: stories| articles| news)?)\s*(?:[:—–-]|$)",
    re.IGNORECASE,
)
_RELATED_MAX_WORDS = 25


class NotAnArticle(ValueError):
    """A page that holds no article to keep; ``reason`` says why, for a person to read."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def _paragraphs(text: str) -> str:
    """Paragraphs separated by one blank line, as the archive's records are written."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _article_lines(text: str, title: str | None) -> str:
    """trafilatura's text without what it keeps of the page around the article: the headline
    repeated at the top, a bare date line, a "Read also" link."""
    kept: list[str] = []
    for line in (" ".join(line.split()) for line in text.splitlines()):
        if not line or _ONLY_A_DATE.match(line):
            continue
        if not kept and title and line.casefold() == title.casefold():
            continue
        if _RELATED_LINE.match(line) and len(line.split()) <= _RELATED_MAX_WORDS:
            continue
        kept.append(line)
    return "\n\n".join(kept)


def unwrap_layout_tables(tree: Any) -> None:
    """Make the tables that lay out a page (a column of paragraphs, a menu beside it) into
    plain blocks, as old sites built their pages with them: trafilatura reads a table as data
    and would keep the menu cell with the text. Tables of data (cells of plain text) stay."""
    for table in tree.xpath("//table"):
        cells = table.xpath(".//td|.//th")
        if any(el.tag in _LAYOUT_BLOCKS for cell in cells for el in cell.iterdescendants()):
            for part in [table, *table.xpath(_TABLE_PARTS)]:
                part.tag = "div"


def _page_date(meta: PageMeta, tree: Any, url: str) -> str | None:
    for candidate in meta.published:
        try:
            parse_published(candidate)
        except DateError:
            continue
        return candidate.strip()
    try:
        found = find_date(tree, url=url or None, **_HTMLDATE)
    except (ValueError, TypeError, LookupError, RecursionError):  # htmldate fails: no date
        found = None
    return found


def _date_or_none(value: str | None) -> str | None:
    """A feed's date when it is one the archive can keep (a feed's junk date is no reason to
    refuse the article)."""
    if value is None:
        return None
    try:
        parse_published(value)
    except DateError:
        return None
    return value


def _site_name(url: str) -> str | None:
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.") or None


def _choose_body(meta: PageMeta, extracted: str | None, title: str | None) -> str | None:
    found = _article_lines(extracted, title) if extracted else ""
    given = _paragraphs(meta.article_body) if meta.article_body else ""
    if given and len(given) >= _TEASER_SHARE * len(found):
        return given
    return found or given or None


def extract_article(
    page: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    hints: dict | None = None,
) -> dict:
    """The article a page holds, as a record in the import shape.

    ``page`` is the page as fetched (bytes are decoded by :func:`archive.page_text.decode_page`,
    with ``content_type``, the HTTP header, when there was one); ``url`` the address it was
    fetched from. ``hints`` is what a feed item said (``title``, ``published``, ``authors``,
    ``tags``, ``language``, ``summary``, ``source``): each is used where the page says nothing,
    except ``source``, which names the outlet as whoever follows it chose to (``follow add
    --source``) and so wins over the site's own name.

    The record has ``title``, ``body``, ``url`` (the canonical URL) and, when found, ``summary``,
    ``authors``, ``published``, ``language``, ``tags``, ``source``. Raises :class:`NotAnArticle`
    when the page holds no article text.
    """
    hints = hints or {}
    text, _ = decode_page(page, content_type)
    tree = load_html(text) if text.strip() else None
    if tree is None:
        raise NotAnArticle("the page is empty or not HTML")
    meta = read_page_meta(tree, url)
    page_date = _page_date(meta, tree, url)  # before trafilatura, which prunes the tree it reads
    unwrap_layout_tables(tree)
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url or None,
            # trafilatura's own reading of the metadata (a third of its time) is only a fallback for
            # the title, the byline and the site's name: skipped when the page gave all three.
            with_metadata=not (meta.headline and meta.authors and meta.publisher),
            include_comments=False,
            include_tables=True,
            date_extraction_params=_HTMLDATE,
        )
    except (ValueError, TypeError, LookupError, AttributeError, RecursionError, LxmlError):
        # trafilatura's own failures on markup it cannot follow: it found no text.
        document = None
    extracted = document.text if document is not None else None
    title = meta.headline or (document.title if document else None) or _text(hints.get("title"))
    body = _choose_body(meta, extracted, title)
    if not body or len(body.split()) < MIN_BODY_WORDS:
        words = len(body.split()) if body else 0
        raise NotAnArticle(f"no article text on the page ({words} words)")
    if not title:
        raise NotAnArticle("the page has no title")
    record: dict[str, Any] = {"title": title, "body": body}

    canonical = meta.canonical or url
    if canonical:
        record["url"] = canonical
    summary = meta.description or _text(hints.get("summary"))
    if summary:
        record["summary"] = summary

    authors = meta.authors or _authors_of(document) or _names(hints.get("authors"))
    if authors:
        record["authors"] = authors
    published = page_date or _date_or_none(_text(hints.get("published")))
    if published:
        record["published"] = published
    language = meta.language or _text(hints.get("language"))
    if language:
        record["language"] = language
    tags = meta.keywords or _names(hints.get("tags"))
    if tags:
        record["tags"] = tags
    source = (
        _text(hints.get("source"))
        or meta.publisher
        or (document.sitename if document else None)
        or _site_name(canonical)
    )
    if source:
        record["source"] = source
    return record


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [name for item in value for name in [_text(item)] if name]


def _authors_of(document: Any) -> list[str]:
    """trafilatura's author line ("A; B") as names."""
    line = document.author if document is not None else None
    if not line:
        return []
    return [name.strip() for name in line.split(";") if name.strip()]
