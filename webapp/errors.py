"""Error answers: JSON with a status and a message under ``/api``, a friendly page elsewhere."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError
from werkzeug.wrappers import Response

from index.searching.request import SearchRequest
from index.searching.views import IndexUnavailable
from webapp.api import error_response
from webapp.search_view import search_href


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _page(status: int, message: str) -> tuple[str, int]:
    html = render_template(
        "error.html", status=status, message=message, search=SearchRequest(), href=search_href
    )
    return html, status


def _friendly_message(status: int) -> str:
    if status == 404:
        return gettext("There is no such page or article in the archive.")
    if status == 405:
        return gettext("This address cannot be used that way.")
    if status >= 500:
        return gettext("Something went wrong on our side. Please try again.")
    return gettext("The request could not be used.")


def handle_http_error(exc: HTTPException) -> Response | tuple[str, int]:
    if isinstance(exc, SecurityError):
        # A Host header outside ARKHIV_TRUSTED_HOSTS: no page, no link can be built for it.
        return Response(
            "400 Bad Request: this host name is not served here (ARKHIV_TRUSTED_HOSTS)\n",
            status=400,
            mimetype="text/plain",
        )
    status = exc.code or 500
    if _wants_json():
        response = error_response(status, exc.description or exc.name)
    else:
        message = _friendly_message(status)
        if exc.description and exc.description != type(exc).description:
            message = exc.description  # written (and translated) for this case
        html, status = _page(status, message)
        response = current_app.make_response((html, status))
    # What the exception says the client needs: Allow on 405, Retry-After on 503.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_index_unavailable(exc: IndexUnavailable) -> Response | tuple[str, int]:
    """The index is missing or damaged: 503 (the archive is there, search is not, for now)."""
    current_app.logger.error("search index unavailable: %s", exc)
    if _wants_json():
        return error_response(
            503, f"The search index is not available: {exc}", code="search.unavailable"
        )
    return _page(503, gettext("Search is not available at the moment. Please try again later."))


def handle_unexpected(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, HTTPException):
        return handle_http_error(exc)
    if isinstance(exc, IndexUnavailable):
        return handle_index_unavailable(exc)
    current_app.logger.exception("unexpected error on %s", request.path)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
