"""The pages a reader sees: the search page, an article, and the interface language switch."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, redirect, render_template, request
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from archive.takedowns import Takedowns
from index.searching.request import FACET_PARAMS, MAX_FILTER_VALUES, RequestError, SearchRequest
from index.searching.views import IndexUnavailable
from webapp import search_view
from webapp.i18n import COOKIE, LOCALES, format_moment, reader_script
from webapp.reading_room import reading_room

bp = Blueprint("pages", __name__)
ONE_YEAR = 365 * 24 * 3600
TOO_MANY = "request.too_many_values"


@bp.get("/")
def search() -> tuple[str, int] | str | Response:
    try:
        search_request = SearchRequest.from_args(request.args)
    except RequestError as exc:
        typed = "" if exc.param == "q" else (request.args.get("q") or "").strip()
        html = render_template(
            "search.html",
            search=SearchRequest(q=typed),  # the words stay in the box; the filters go
            result=None,
            problem=exc,
            within_limit=_within_limit(request.args) if exc.code == TOO_MANY else None,
            limit=MAX_FILTER_VALUES,
        )
        return html, 400
    drops = request.args.getlist(search_view.DROP)
    if drops:  # a remove button: the same search without what it names, at its own address
        after = search_view.dropped(search_request, drops)
        return redirect(search_view.search_href(after), code=303)
    try:
        result = reading_room().index.search(search_request, reader_script())
    except RequestError as exc:  # the query asks for more than a search may do
        return render_template("search.html", search=search_request, result=None, problem=exc), 400
    return render_template(
        "search.html",
        search=search_request,
        result=result,
        problem=None,
        facets=search_view.facet_groups(search_request, result),
        chips=search_view.chips(search_request, result),
        bars=search_view.histogram(search_request, result["facets"]["date"]),
        pages=search_view.pagination(search_request, result["pages"]),
        loosening=search_view.loosening(search_request) if not result["total"] else [],
        state=search_view.state_pairs(search_request.with_page(1)),
        sort_options=search_view.sort_options(),
        href=search_view.search_href,
    )


def _within_limit(args: MultiDict[str, str]) -> str | None:
    """For a search that chose more values of a facet than one may: the link to it with each
    facet cut to its first ``MAX_FILTER_VALUES`` values; None when something else is wrong."""
    cut = MultiDict(args)
    for name in FACET_PARAMS:
        chosen = dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip())
        cut.setlist(name, list(chosen)[:MAX_FILTER_VALUES])
    try:
        return search_view.search_href(SearchRequest.from_args(cut))
    except RequestError:
        return None


@bp.get("/article/<path:article_id>")
def article(article_id: str) -> str:
    room = reading_room()
    found = room.store.get(article_id)
    if found is None:
        takedown = Takedowns(room.store).get(article_id)
        if takedown is not None:
            removed = format_moment(datetime.fromisoformat(takedown.deleted_at), "day")
            abort(
                410,
                description=gettext(
                    "This article was removed from the archive on %(date)s.", date=removed
                ),
            )
        abort(404)
    copies = room.store.copies_of(found.id)
    try:
        related = room.index.more_like_this(found, limit=5 + len(copies))
    except IndexUnavailable:  # the article is in the store: show it, without related ones
        related = []
    copy_ids = {other["id"] for other in copies}  # listed as copies, not again as related
    related = [other for other in related if other["id"] not in copy_ids][:5]
    return render_template(
        "article.html",
        article=found,
        paragraphs=[p.strip() for p in found.body.split("\n\n") if p.strip()],
        translations=room.store.translations(found),
        copies=copies,
        related=related,
        search=SearchRequest(),
        href=search_view.search_href,
    )


# What a browser's URL parser drops before reading a URL: tab and line breaks anywhere, and
# control characters and spaces at either end (WHATWG URL standard).
_DROPPED_BY_BROWSERS = dict.fromkeys(map(ord, "\t\n\r"))


def _local_path(target: str | None) -> str:
    """Only a path on this site, judged after the normalisation a browser applies (so that
    ``/%09/evil.example``, a tab, cannot become ``//evil.example``): never an open redirect."""
    if not target:
        return "/"
    cleaned = target.translate(_DROPPED_BY_BROWSERS).strip("".join(map(chr, range(33))))
    if (
        not cleaned.startswith("/")
        or cleaned.startswith("//")
        or "\\" in cleaned
        or any(ord(c) < 32 or ord(c) == 127 for c in cleaned)
    ):
        return "/"
    return cleaned


@bp.get("/language/<locale>")
def choose_language(locale: str) -> Response:
    """The switcher: remember the reader's interface language and go back where they were."""
    if locale not in LOCALES:
        abort(404)
    response = redirect(_local_path(request.args.get("next")), code=303)
    response.set_cookie(COOKIE, locale, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response
