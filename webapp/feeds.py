"""Following and taking away a search: an Atom feed (newest first) and CSV/JSONL export."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from flask_babel import gettext

from archive.record import Article
from index.export import FORMATS, export_lines
from index.request import RequestError, SearchRequest
from webapp.api import error_response
from webapp.reading_room import reading_room
from webapp.search_view import search_href

bp = Blueprint("feeds", __name__)
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@bp.errorhandler(RequestError)
def bad_parameter(exc: RequestError) -> Response:
    return error_response(400, str(exc), exc.param)


@bp.get("/export")
def export() -> Response:
    fmt = (request.args.get("format") or "csv").strip()
    if fmt not in FORMATS:
        raise RequestError("format", f"{fmt[:20]!r} is not one of {', '.join(FORMATS)}")
    search = SearchRequest.from_args(request.args)
    articles = reading_room().index.matching_articles(search)
    response = Response(stream_with_context(export_lines(articles, fmt)), mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="arkhiv-export.{fmt}"'
    return response


def _timestamp(article: Article) -> str:
    moment = article.published.start if article.published else _EPOCH
    return moment.isoformat(timespec="seconds")


def _entry(article: Article) -> str:
    link = url_for("pages.article", article_id=article.id, _external=True)
    authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in article.authors)
    categories = "".join(f"<category term={quoteattr(tag)}/>" for tag in article.tags)
    summary = article.summary or article.body[:500]
    original = f'<link rel="related" href={quoteattr(article.url)}/>' if article.url else ""
    return (
        f"<entry><id>{escape(link)}</id>"
        f"<title>{escape(article.title)}</title>"
        f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>{original}'
        f"<updated>{_timestamp(article)}</updated>"
        f"<published>{_timestamp(article)}</published>{authors}{categories}"
        f"<summary>{escape(summary)}</summary></entry>"
    )


@bp.get("/feed")
def feed() -> Response:
    """Atom: the newest articles of any search, so a reader can follow a topic."""
    search = SearchRequest.from_args(request.args)
    search = replace(search, sort="newest", page=1)
    articles = []
    for article in reading_room().index.matching_articles(search):
        articles.append(article)
        if len(articles) >= current_app.config["FEED_SIZE"]:
            break
    page = request.host_url.rstrip("/") + search_href(search)
    title = gettext("Arkhiv: %(q)s", q=search.q) if search.q else gettext("Arkhiv: newest")
    updated = _timestamp(articles[0]) if articles else _EPOCH.isoformat(timespec="seconds")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(request.url)}</id><title>{escape(title)}</title>"
        f"<updated>{updated}</updated>"
        f'<link rel="self" href={quoteattr(request.url)}/>'
        f'<link rel="alternate" type="text/html" href={quoteattr(page)}/>'
        + "".join(_entry(article) for article in articles)
        + "</feed>"
    )
    return Response(body, mimetype="application/atom+xml")
