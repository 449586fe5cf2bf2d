"""``/explore``: how a story is covered. Up to five searches side by side over time (a chart drawn
on the server and a table of the same numbers), the words that set each apart, and the outlets
behind each; the chart as an SVG file (``/explore/chart.svg``).

The query string is the search page's (``q`` repeated, the filters shared by all searches) plus
``interval`` (as ``/api/timeline``) and ``measure``: ``articles``, ``stories`` (copies counted
once) or ``share`` (of everything the archive holds in the period). The numbers come from the
library (:mod:`index.searching.timeline`, :mod:`index.searching.significant_words`,
:mod:`index.searching.outlets`), as the JSON API's do; this module only lays them out and links
them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date, format_timedelta
from babel.numbers import format_percent
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from werkzeug.wrappers import Response

from index.searching.messages import Message
from index.searching.request import MultiArgs, RequestError, SearchRequest
from index.searching.timeline import MAX_QUERIES, timeline_interval, timeline_queries
from webapp import search_view
from webapp.explore_chart import COLOURS, DASHES, NARROW, WIDE, Chart, build_chart
from webapp.i18n import current_locale, format_count
from webapp.reading_room import reading_room

bp = Blueprint("explore", __name__)

MEASURES = ("articles", "stories", "share")
MEASURE_NAMES = {
    "articles": lazy_gettext("Articles"),
    "stories": lazy_gettext("Stories (copies counted once)"),
    "share": lazy_gettext("Share of all articles"),
}
INTERVAL_NAMES = {
    "auto": lazy_gettext("to fit the dates"),
    "day": lazy_gettext("by day"),
    "week": lazy_gettext("by week"),
    "month": lazy_gettext("by month"),
    "year": lazy_gettext("by year"),
}
WORDS_SHOWN = 8
# Stories read for each search's words on the page: five searches read what one /api/words does
# (200), so the page costs about one words request, not five (2 s at 100k with 200 each).
WORDS_SAMPLE = 40
OUTLETS_SHOWN = 10
# The most periods the page draws and tabulates (the API answers up to index.timeline's 10,000):
# past it a chart is a smear and the table a book. An archive spanning centuries (a typo's date)
# asks for a shorter span, by name.
MAX_PAGE_PERIODS = 400


@dataclass(frozen=True)
class Exploration:
    """What ``/explore`` is asked: the searches, their shared filters, interval and measure."""

    queries: tuple[str, ...]
    filters: SearchRequest  # the filters shared by all searches (its ``q`` is empty)
    interval: str = "auto"
    measure: str = "articles"

    @classmethod
    def from_args(cls, args: MultiArgs) -> Exploration:
        """Read the query string; blank searches (the form's empty boxes) are left out, and none
        at all is one search of everything the filters admit."""
        queries = [q for q in timeline_queries(args) if q]
        measure = (args.get("measure") or "articles").strip()
        if measure not in MEASURES:
            raise RequestError(
                "measure",
                "request.not_one_of",
                value=repr(measure[:20]),
                choices=", ".join(MEASURES),
            )
        filters = shared_filters(SearchRequest.from_args(args))
        return cls(tuple(queries) or ("",), filters, timeline_interval(args), measure)

    def pairs(self) -> list[tuple[str, str]]:
        """The query string of this exploration (its whole state)."""
        found = [("q", q) for q in self.queries if q]
        found += self.filters.to_args()
        if self.interval != "auto":
            found.append(("interval", self.interval))
        if self.measure != "articles":
            found.append(("measure", self.measure))
        return found

    def href(self, endpoint: str = "explore.explore", **extra: str) -> str:
        pairs = self.pairs() + list(extra.items())
        base = url_for(endpoint)
        return f"{base}?{urlencode(pairs)}" if pairs else base

    def with_query(self, index: int, q: str) -> Exploration:
        queries = list(self.queries)
        queries[index] = q
        return replace(self, queries=tuple(queries))

    def without_filter(self, facet: str, value: str) -> Exploration:
        return replace(self, filters=self.filters.toggled(facet, value))

    def search_of(
        self, index: int, start: date | None = None, end: date | None = None
    ) -> SearchRequest:
        """The search page's request for search ``index`` (over ``start``–``end``, else the
        filters' dates): every copy for articles and shares, one hit per story for stories."""
        return replace(
            self.filters,
            q=self.queries[index],
            date_from=start or self.filters.date_from,
            date_to=end or self.filters.date_to,
            collapse=self.measure == "stories",
        )


def shared_filters(search: SearchRequest) -> SearchRequest:
    """The filters of ``search`` that every search of an exploration shares (no query)."""
    return SearchRequest(
        language=search.language,
        source=search.source,
        author=search.author,
        tag=search.tag,
        date_from=search.date_from,
        date_to=search.date_to,
    )


def explore_href(search: SearchRequest) -> str:
    """The link from the search page to ``/explore`` with its query and filters."""
    return Exploration((search.q,), shared_filters(search)).href()


# A query with OR in it: a word added after it would bind to its last alternative only.
_ALTERNATIVES = re.compile(r"\bOR\b")


def query_with_word(q: str, word: str) -> str:
    """``q`` narrowed to the articles that also hold ``word``."""
    return f"({q}) {word}" if _ALTERNATIVES.search(q) else f"{q} {word}"


def period_label(interval: str, start: str) -> str:
    """A period as a reader names it, in the interface's language."""
    day = date.fromisoformat(start)
    locale = current_locale()
    if interval == "year":
        return str(day.year)
    if interval == "month":
        return format_date(day, "LLL y", locale=locale)
    if interval == "week":
        monday = day - timedelta(days=day.weekday())
        return gettext("week of %(day)s", day=format_date(monday, "d MMM y", locale=locale))
    return format_date(day, "d MMM y", locale=locale)


def format_measure(measure: str, value: float) -> str:
    """A point's number: a count, or a share as a percentage (to a tenth; a share below 1% to
    a hundredth, so that a small one does not read as none)."""
    if measure == "share":
        pattern = "#,##0.00%" if 0 < value < 0.01 else "#,##0.0%"
        return format_percent(value, pattern, locale=current_locale())
    return format_count(int(value))


def format_tick(measure: str, value: float) -> str:
    """An axis tick: a round number, written without decimals it does not have."""
    if measure == "share":
        return format_percent(value, "#,##0.##%", locale=current_locale())
    return format_count(int(value))


def format_lag(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1.5, format="short", locale=current_locale()
    )


def notice_of(answered: dict[str, Any]) -> Message:
    """A notice as the API answers it (``code``, ``params``), to be said in the reader's words."""
    return Message.of(answered["code"], **answered.get("params", {}))


def series_label(q: str) -> str:
    return q or gettext("every article")


@dataclass
class Coverage:
    """Everything the page shows, worked out once for the page and the SVG file."""

    exploration: Exploration
    timeline: dict[str, Any]
    labels: list[str]
    chart: Chart  # wide
    narrow: Chart  # the same for a phone


def coverage(exploration: Exploration) -> Coverage:
    timeline = reading_room().index.timeline(
        list(exploration.queries), exploration.filters, exploration.interval
    )
    interval = timeline["interval"]
    if len(timeline["all"]) > MAX_PAGE_PERIODS:
        raise RequestError(
            "interval",
            "request.too_many_periods",
            interval=interval,
            count=len(timeline["all"]),
            limit=MAX_PAGE_PERIODS,
        )
    labels = [period_label(interval, point["from"]) for point in timeline["all"]]
    measure = exploration.measure

    spans = [
        (date.fromisoformat(point["from"]), date.fromisoformat(point["to"]))
        for point in timeline["all"]
    ]
    # Each point's link once, for both drawings and the table.
    hrefs = [
        [search_view.search_href(exploration.search_of(i, start, end)) for start, end in spans]
        for i in range(len(exploration.queries))
    ]

    title = f"{MEASURE_NAMES[measure]} {INTERVAL_NAMES[interval]}"
    charts = [
        build_chart(
            title,
            timeline["series"],
            labels,
            lambda point: point[measure],
            lambda value: format_measure(measure, value),
            lambda value: format_tick(measure, value),
            lambda index: series_label(exploration.queries[index]),
            lambda index, period: hrefs[index][period],
            whole=measure != "share",
            width=width,
        )
        for width in (WIDE, NARROW)
    ]
    return Coverage(exploration, timeline, labels, *charts)


def _words(exploration: Exploration) -> list[list[dict[str, Any]]]:
    """The words that set each search apart, each with the link that adds it to its search."""
    index = reading_room().index
    found = []
    for i, q in enumerate(exploration.queries):
        if not q:
            found.append([])
            continue
        answer = index.words(replace(exploration.filters, q=q), None, WORDS_SHOWN, WORDS_SAMPLE)
        found.append(
            [
                {**word, "href": exploration.with_query(i, query_with_word(q, word["word"])).href()}
                for word in answer["words"]
            ]
        )
    return found


def _outlets(exploration: Exploration) -> list[dict[str, Any]]:
    answer = reading_room().index.outlets(
        list(exploration.queries), exploration.filters, OUTLETS_SHOWN
    )
    return answer["series"]


def _form(exploration: Exploration | None) -> dict[str, Any]:
    """What the page's form needs: the exploration asked, its filters that can be taken away."""
    if exploration is None:
        return {"exploration": None, "chosen": []}
    chosen = [
        {
            "label": f"{search_view.FACET_TITLES[facet]}: {search_view.value_label(facet, value)}",
            "href": exploration.without_filter(facet, value).href(),
        }
        for facet in search_view.FACETS
        for value in exploration.filters.selected(facet)
    ]
    return {
        "exploration": exploration,
        "chosen": chosen,
        "measures": [(m, MEASURE_NAMES[m]) for m in MEASURES],
        "intervals": [(i, INTERVAL_NAMES[i]) for i in INTERVAL_NAMES],
        "colours": COLOURS,
        "dashes": DASHES,
    }


@bp.get("/explore")
def explore() -> tuple[str, int] | str:
    exploration = None
    try:
        exploration = Exploration.from_args(request.args)
        found = coverage(exploration)
    except RequestError as exc:
        # The form stays, with what was asked, when the query string could be read.
        html = render_template(
            "explore.html",
            search=SearchRequest(),
            problem=exc,
            coverage=None,
            max_queries=MAX_QUERIES,
            **_form(exploration),
        )
        return html, 400
    return render_template(
        "explore.html",
        search=SearchRequest(),
        problem=None,
        **_form(exploration),
        coverage=found,
        chart=found.chart,
        narrow=found.narrow,
        words=_words(exploration),
        outlets=_outlets(exploration),
        max_queries=MAX_QUERIES,
        format_measure=format_measure,
        format_lag=format_lag,
        series_label=series_label,
        notice_of=notice_of,
        csv_href=exploration.href("api.timeline", format="csv"),
        svg_href=exploration.href("explore.chart_file"),
        search_href=lambda i: search_view.search_href(exploration.search_of(i)),
        period_href=lambda i, p: found.chart.lines[i].points[p].href,
        source_href=lambda i, source: search_view.search_href(
            exploration.search_of(i).toggled("source", source)
        ),
    )


@bp.get("/explore/chart.svg")
def chart_file() -> Response:
    """The page's chart as a file: the same drawing, standalone (its links absolute)."""
    try:
        exploration = Exploration.from_args(request.args)
        found = coverage(exploration)
    except RequestError as exc:
        from webapp.api import refusal  # one shape for every refusal of a file

        return refusal(exc)
    svg = render_template(
        "_explore_chart.svg",
        chart=found.chart,
        standalone=True,
        variant="file",
        site=request.host_url.rstrip("/"),
    )
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = 'attachment; filename="arkhiv-coverage.svg"'
    return response
