"""Following and taking away a search: an Atom feed (newest first) and CSV/JSONL export."""

from __future__ import annotations

import re
import tempfile
import threading
from dataclasses import replace
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Flask, Response, current_app, request, send_file, url_for
from flask_babel import gettext
from werkzeug.exceptions import ServiceUnavailable

from archive.record import Article
from index.searching.export import FORMATS, export_lines
from index.searching.request import RequestError, SearchRequest
from webapp.api import error_response, refusal
from webapp.reading_room import reading_room
from webapp.search_view import search_href

bp = Blueprint("feeds", __name__)
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
# Characters XML 1.0 does not allow anywhere in a document (control characters but tab and line
# breaks, lone surrogates, U+FFFE and U+FFFF): a feed reader rejects a feed holding one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """``value`` escaped for XML text, without the characters XML cannot hold."""
    return escape(_NOT_XML.sub("", value))


def _attribute(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


@bp.errorhandler(RequestError)
def bad_parameter(exc: RequestError) -> Response:
    return refusal(exc)


# How long a client refused for too many exports at once is asked to wait, in seconds.
EXPORT_RETRY_AFTER = 30


@bp.get("/export")
def export() -> Response:
    """The whole result of a search as CSV or JSON Lines.

    The export is written to a temporary file first and then handed to the server, which sends
    it without a worker thread: a client that reads slowly, or not at all, holds a socket, not a
    thread. At most ``CONCURRENT_EXPORTS`` are written at once; past that, 503 with
    ``Retry-After``."""
    fmt = (request.args.get("format") or "csv").strip()
    if fmt not in FORMATS:
        raise RequestError(
            "format", "request.not_one_of", value=repr(fmt[:20]), choices=", ".join(FORMATS)
        )
    search = SearchRequest.from_args(request.args)
    slots: threading.Semaphore = current_app.extensions["arkhiv_exports"]
    if not slots.acquire(blocking=False):
        raise ServiceUnavailable(
            gettext("Too many exports are being prepared. Please try again shortly."),
            retry_after=EXPORT_RETRY_AFTER,
        )
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the server, which closes it
    try:
        articles = reading_room().index.matching_articles(search)
        for line in export_lines(articles, fmt):
            spool.write(line.encode("utf-8"))
        spool.seek(0)
    except RequestError:  # a ValueError too, but the search's: 400, naming the parameter
        spool.close()
        raise
    except ValueError as exc:  # NaN or Infinity in an article stored before they were refused
        spool.close()
        return error_response(
            409,
            f"an article cannot be written as JSON ({exc}); import it again to mend it",
            code="export.article_not_json",
        )
    except BaseException:
        spool.close()
        raise
    finally:
        slots.release()
    return send_file(
        spool,
        mimetype=MEDIA_TYPES[fmt],
        as_attachment=True,
        download_name=f"arkhiv-export.{fmt}",
        max_age=0,
    )


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _entry(article: Article, updated: datetime) -> str:
    """One Atom entry. ``updated`` is when the archive stored or last changed the article (Atom's
    meaning: when the entry changed); ``published`` only when the article has a date: an undated
    one dated 1970 would be sorted there, or dropped, by feed readers."""
    link = url_for("pages.article", article_id=article.id, _external=True)
    authors = "".join(f"<author><name>{_text(name)}</name></author>" for name in article.authors)
    categories = "".join(f"<category term={_attribute(tag)}/>" for tag in article.tags)
    summary = article.summary or article.body[:500]
    original = f'<link rel="related" href={_attribute(article.url)}/>' if article.url else ""
    published = (
        f"<published>{_timestamp(article.published.start)}</published>" if article.published else ""
    )
    return (
        f"<entry><id>{_text(link)}</id>"
        f"<title>{_text(article.title)}</title>"
        f'<link rel="alternate" type="text/html" href={_attribute(link)}/>{original}'
        f"<updated>{_timestamp(updated)}</updated>{published}{authors}{categories}"
        f"<summary>{_text(summary)}</summary></entry>"
    )


@bp.get("/feed")
def feed() -> Response:
    """Atom: the newest articles of any search, so a reader can follow a topic."""
    search = SearchRequest.from_args(request.args)
    search = replace(search, sort="newest", page=1)
    room = reading_room()
    articles = []
    for article in room.index.matching_articles(search):
        articles.append(article)
        if len(articles) >= current_app.config["FEED_SIZE"]:
            break
    page = request.host_url.rstrip("/") + search_href(search)
    title = gettext("Arkhiv: %(q)s", q=search.q) if search.q else gettext("Arkhiv: newest")
    stored = room.store.updated_times(article.id for article in articles)
    # An article taken down since it was read has no row: it leaves the feed with it.
    changed = [(article, stored[article.id]) for article in articles if article.id in stored]
    # The feed changed when its newest entry did; an empty feed has no such moment: now.
    updated = max((moment for _, moment in changed), default=datetime.now(UTC))
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{_text(request.url)}</id><title>{_text(title)}</title>"
        f"<updated>{_timestamp(updated)}</updated>"
        f"<author><name>{_text(gettext('Arkhiv'))}</name></author>"
        f'<link rel="self" href={_attribute(request.url)}/>'
        f'<link rel="alternate" type="text/html" href={_attribute(page)}/>'
        + "".join(_entry(article, moment) for article, moment in changed)
        + "</feed>"
    )
    return Response(body, mimetype="application/atom+xml")


def init_app(app: Flask) -> None:
    app.extensions["arkhiv_exports"] = threading.Semaphore(app.config["CONCURRENT_EXPORTS"])
    app.register_blueprint(bp)
