"""The JSON API (DESIGN.md): ``/api/search``, ``/api/timeline``, ``/api/words``, ``/api/outlets``,
``/api/articles/<id>``, ``/api/analyze``.

Bad parameters answer 400 with ``{"error": {"status", "code", "param", "message", "params"}}``;
never a 500. ``message`` is English; ``code`` is the id a client translates by (the page
translates the same ids, :mod:`index.searching.messages`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, abort, jsonify, request
from werkzeug.wrappers import Response

from archive.takedowns import Takedowns
from index.searching.outlets import outlets_size
from index.searching.request import MAX_QUERY_LENGTH, RequestError, SearchRequest
from index.searching.significant_words import words_size
from index.searching.timeline import timeline_interval, timeline_queries, timeline_rows
from index.text.analysis import analyze
from webapp.i18n import language_label, reader_script
from webapp.reading_room import reading_room

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_ANALYZE_LENGTH = 10_000


# The id of an error that has none of its own, by HTTP status.
STATUS_CODES = {
    400: "http.bad_request",
    401: "http.unauthorized",
    403: "http.forbidden",
    404: "http.not_found",
    405: "http.method_not_allowed",
    409: "http.conflict",
    410: "http.gone",
    413: "http.too_large",
    500: "http.internal_error",
    503: "http.unavailable",
}


def error_response(
    status: int,
    message: str,
    param: str | None = None,
    code: str | None = None,
    params: dict[str, Any] | None = None,
) -> Response:
    error: dict[str, Any] = {
        "status": status,
        "code": code or STATUS_CODES.get(status, f"http.{status}"),
        "message": message,
    }
    if param:
        error["param"] = param
    if params:
        error["params"] = params
    response = jsonify({"error": error})
    response.status_code = status
    return response


@bp.errorhandler(RequestError)
def bad_parameter(exc: RequestError) -> Response:
    return refusal(exc)


def refusal(exc: RequestError) -> Response:
    """400 for a parameter that cannot be used: the English, the id and the values."""
    return error_response(400, str(exc), exc.param, exc.code, exc.message.params)


def api_result(result: dict[str, Any]) -> dict[str, Any]:
    """The search result in the API's shape: ``facets.date`` is a list of buckets like the
    others; the histogram's granularity and the undated count sit beside it."""
    facets = dict(result["facets"])
    date_facet = facets.pop("date")
    shaped = {
        name: [{**item, "label": language_label(item["value"])} for item in values]
        if name == "language"
        else values
        for name, values in facets.items()
    }
    shaped["date"] = date_facet["buckets"]
    return {
        "query": result["query"],
        "searched": result["searched"],
        "suggestion": result["suggestion"],
        "total": result["total"],
        "stories": result["stories"],
        "collapse": result["collapse"],
        "page": result["page"],
        "per_page": result["per_page"],
        "pages": result["pages"],
        "sort": result["sort"],
        "hits": result["hits"],
        "facets": shaped,
        "facet_totals": result["facet_totals"],
        "date_granularity": date_facet["granularity"],
        "undated": date_facet["undated"],
        "notices": [notice.as_json() for notice in result["notices"]],
        "took_ms": result["took_ms"],
    }


@bp.get("/search")
def search() -> Response:
    search_request = SearchRequest.from_args(request.args)
    result = reading_room().index.search(search_request, reader_script())
    return jsonify(api_result(result))


TIMELINE_FORMATS = ("json", "csv")


@bp.get("/timeline")
def timeline() -> Response:
    """Articles and stories per period for 1 to 5 searches sharing the filters of ``/api/search``
    (:mod:`index.searching.timeline`); ``format=csv``: one row per period and search."""
    queries = timeline_queries(request.args)
    interval = timeline_interval(request.args)
    answer_format = (request.args.get("format") or "json").strip()
    if answer_format not in TIMELINE_FORMATS:
        raise RequestError(
            "format",
            "request.not_one_of",
            value=repr(answer_format[:20]),
            choices=", ".join(TIMELINE_FORMATS),
        )
    search_request = SearchRequest.from_args(request.args)
    answer = reading_room().index.timeline(queries, search_request, interval)
    if answer_format == "json":
        return jsonify(answer)
    rows = timeline_rows(answer)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TIMELINE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="timeline.csv"'
    return response


TIMELINE_COLUMNS = (
    "q", "period", "from", "to", "articles", "stories", "share", "all_articles", "all_stories",
)  # fmt: skip


@bp.get("/words")
def words() -> Response:
    """The words that set the results apart from the archive (or from ``against``)."""
    search_request = SearchRequest.from_args(request.args)
    size = words_size(request.args)
    against = request.args.get("against")
    if against is not None:
        against = against.strip()
        if len(against) > MAX_QUERY_LENGTH:
            raise RequestError("against", "request.too_long", limit=MAX_QUERY_LENGTH)
    return jsonify(reading_room().index.words(search_request, against, size))


@bp.get("/outlets")
def outlets() -> Response:
    """Articles and stories per outlet for 1 to 5 searches sharing the filters of
    ``/api/search``, and who published first the stories with copies
    (:mod:`index.searching.outlets`)."""
    queries = timeline_queries(request.args)
    size = outlets_size(request.args)
    search_request = SearchRequest.from_args(request.args)
    return jsonify(reading_room().index.outlets(queries, search_request, size))


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> Response:
    room = reading_room()
    found = room.store.get(article_id)
    if found is None:
        takedown = Takedowns(room.store).get(article_id)
        if takedown is not None:
            abort(410, description=f"this article was taken down on {takedown.deleted_at}")
        abort(404, description=f"there is no article with id {article_id[:200]!r}")
    record = found.to_record()
    record["translations"] = [
        {"id": other.id, "title": other.title, "language": other.language}
        for other in room.store.translations(found)
    ]
    others = room.store.copies_of(found.id)
    record["cluster"] = room.store.clusters([found.id]).get(found.id, found.id)
    record["copies"] = len(others)
    record["other_copies"] = others  # earliest first
    return jsonify(record)


@bp.get("/analyze")
def analyze_text() -> Response:
    text = request.args.get("text", "")
    if len(text) > MAX_ANALYZE_LENGTH:
        raise RequestError("text", "request.too_long", limit=MAX_ANALYZE_LENGTH)
    language = (request.args.get("language") or "").strip() or None
    if language not in (None, "uk", "en"):
        raise RequestError(
            "language", "request.not_one_of", value=repr(language[:20]), choices="uk, en"
        )
    return jsonify({"text": text, "language": language, "tokens": analyze(text, language)})
