"""What the search page shows, worked out from a search result: facet links, chips, the date
histogram, pagination. Every control is a plain link whose query string is the whole new state,
but those that take a chosen filter value away: they are buttons of one form that holds the
state once (``drop=tag:value``), and the page answers them with a redirect to the new state.

A link per chosen value, each holding every other chosen value, made the page grow with the
square of their number (1,000 ``tag=`` values: 37 MB of links, 3.3 s); with the buttons it grows
with their number times the few links that add something (facet values, bars, pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from flask import g, url_for
from flask_babel import gettext, lazy_gettext

from index.searching.request import SearchRequest
from webapp.i18n import current_locale, format_count, language_label

FACETS = ("source", "author", "tag", "language")
FACET_TITLES = {
    "source": lazy_gettext("Outlets"),
    "author": lazy_gettext("Authors"),
    "tag": lazy_gettext("Tags"),
    "language": lazy_gettext("Languages"),
}
DROP = "drop"  # the parameter of a remove button: "<facet>:<value>", or "dates"
DROP_DATES = "dates"
DROP_STORY = "story"  # the remove button of "copies of one story"
COPY_SOURCES_SHOWN = 5  # outlets of a story's other copies named on its hit
DEFAULT_FACET_SIZE = 30
LOOSENING_NAMED = 3  # values named in a "without" suggestion; the rest are counted
FACET_SHOWN = 8  # values shown before "show all"
SHOW_ALL_SIZE = 1000
MAX_FILLED_BARS = 400
BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 20, 4, 80


def state_pairs(search: SearchRequest) -> list[tuple[str, str]]:
    """The query string pairs of ``search``: its whole state."""
    pairs = search.to_args()
    if search.facet_size != DEFAULT_FACET_SIZE:
        pairs.append(("facet_size", str(search.facet_size)))
    return pairs


def search_href(search: SearchRequest, endpoint: str = "pages.search", **extra: str) -> str:
    """The link to ``search`` (its query string is the whole state)."""
    pairs = state_pairs(search)
    pairs.extend(extra.items())
    base = _endpoint_path(endpoint)
    return f"{base}?{urlencode(pairs)}" if pairs else base


def _endpoint_path(endpoint: str) -> str:
    """``url_for`` once per endpoint and request: a results page holds hundreds of links."""
    paths = g.setdefault("endpoint_paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return paths[endpoint]


def new_search(**filters: Any) -> str:
    """The link to a fresh search, e.g. ``new_search(author=("Марта Коваленко",))``."""
    return search_href(SearchRequest(**filters))


def value_label(facet: str, value: str) -> str:
    return language_label(value) if facet == "language" else value


def drop_value(facet: str, value: str) -> str:
    """What the remove button of a chosen value sends as ``drop``."""
    return f"{facet}:{value}"


def dropped(search: SearchRequest, drops: list[str]) -> SearchRequest:
    """``search`` without what its remove buttons named (``tag:value``, ``dates``), at page 1.
    A name that is no facet, or a value not chosen, changes nothing."""
    gone: dict[str, set[str]] = {}
    for drop in drops:
        if drop == DROP_DATES:
            search = search.with_dates(None, None)
            continue
        if drop == DROP_STORY:
            search = replace(search.with_collapse(True), cluster="")
            continue
        facet, colon, value = drop.partition(":")
        if colon and facet in FACETS:
            gone.setdefault(facet, set()).add(value)
    kept = {
        facet: tuple(v for v in search.selected(facet) if v not in values)
        for facet, values in gone.items()
    }
    return replace(search, page=1, **kept)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    href: str | None  # the search with this value added; None when chosen
    drop: str | None = None  # when chosen: what its remove button sends


@dataclass
class FacetGroup:
    name: str
    title: str
    values: list[FacetValue]
    hidden: list[FacetValue] = field(default_factory=list)
    show_all_href: str | None = None
    distinct: int = 0


@dataclass
class Chip:
    """A chosen filter with its remove button (``drop``), or a link (``href``) that loosens."""

    label: str
    href: str | None = None
    drop: str | None = None


@dataclass
class Bar:
    label: str
    count: int
    href: str | None
    x: int
    y: int
    height: int
    selected: bool


def facet_groups(search: SearchRequest, result: dict[str, Any]) -> list[FacetGroup]:
    groups = []
    for name in FACETS:
        values = [
            FacetValue(
                value=item["value"],
                label=item.get("label") or value_label(name, item["value"]),
                count=item["count"],
                selected=item["selected"],
                href=None if item["selected"] else search_href(search.toggled(name, item["value"])),
                drop=drop_value(name, item["value"]) if item["selected"] else None,
            )
            for item in result["facets"].get(name, [])
        ]
        if not values:
            continue
        distinct = result.get("facet_totals", {}).get(name, len(values))
        # Chosen values always show; the rest up to FACET_SHOWN, then "show all".
        shown = [v for v in values if v.selected]
        rest = [v for v in values if not v.selected]
        room = max(0, FACET_SHOWN - len(shown))
        shown, hidden = shown + rest[:room], rest[room:]
        show_all = None
        if distinct > len(values) and search.facet_size < SHOW_ALL_SIZE:
            show_all = search_href(replace(search, facet_size=SHOW_ALL_SIZE))
        groups.append(FacetGroup(name, str(FACET_TITLES[name]), shown, hidden, show_all, distinct))
    return groups


def chips(search: SearchRequest, result: dict[str, Any] | None = None) -> list[Chip]:
    """The chosen filters, each with what its remove button sends; a name chosen in another
    script is shown as its facet value is (the reader's spelling, from ``result``)."""
    found = []
    for name in FACETS:
        title = FACET_TITLES[name]
        labels = {
            item["value"]: item["label"]
            for item in (result or {}).get("facets", {}).get(name, [])
            if item["selected"] and "label" in item
        }
        for value in search.selected(name):
            label = labels.get(value) or value_label(name, value)
            found.append(Chip(f"{title}: {label}", drop=drop_value(name, value)))
    if search.date_from or search.date_to:
        found.append(Chip(date_range_label(search), drop=DROP_DATES))
    if search.cluster:
        found.append(Chip(gettext("Copies of one story"), drop=DROP_STORY))
    return found


def date_range_label(search: SearchRequest) -> str:
    locale = current_locale()
    start = format_date(search.date_from, "d MMM y", locale=locale) if search.date_from else "…"
    end = format_date(search.date_to, "d MMM y", locale=locale) if search.date_to else "…"
    return gettext("Dates: %(start)s – %(end)s", start=start, end=end)


def _next_period(granularity: str, start: date) -> date:
    if granularity == "year":
        return date(start.year + 1, 1, 1)
    if granularity == "month":
        return date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def _period_end(granularity: str, start: date) -> date:
    return _next_period(granularity, start) - timedelta(days=1)


def _period_label(granularity: str, start: date) -> str:
    if granularity == "year":
        return str(start.year)
    pattern = "LLL y" if granularity == "month" else "d MMM y"
    return format_date(start, pattern, locale=current_locale())


def histogram(search: SearchRequest, date_facet: dict[str, Any]) -> list[Bar]:
    """Bars for the date facet, empty periods between filled in so time reads left to right."""
    granularity = date_facet.get("granularity", "year")
    counted = {
        date.fromisoformat(bucket["from"]): bucket for bucket in date_facet.get("buckets", [])
    }
    if not counted:
        return []
    periods = sorted(counted)
    filled, cursor = [], periods[0]
    while cursor <= periods[-1] and len(filled) <= MAX_FILLED_BARS:
        filled.append(cursor)
        cursor = _next_period(granularity, cursor)
    if len(filled) > MAX_FILLED_BARS:
        filled = periods
    highest = max(bucket["count"] for bucket in counted.values())
    bars = []
    for position, start in enumerate(filled):
        bucket = counted.get(start)
        count = bucket["count"] if bucket else 0
        height = round(CHART_HEIGHT * count / highest) if count else 0
        if count:
            height = max(height, 3)
        end = _period_end(granularity, start)
        bars.append(
            Bar(
                label=_period_label(granularity, start),
                count=count,
                href=search_href(search.with_dates(start, end)) if count else None,
                x=position * (BAR_WIDTH + BAR_GAP),
                y=CHART_HEIGHT - height,
                height=height,
                selected=bool(bucket and bucket["selected"]),
            )
        )
    return bars


@dataclass
class PageLink:
    number: int
    href: str | None  # None for the current page


def pagination(search: SearchRequest, pages: int) -> list[PageLink | None]:
    """Page links around the current one; None marks a gap (…)."""
    current = search.page
    wanted = {1, pages, *range(current - 2, current + 3)}
    links: list[PageLink | None] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if number - previous > 1:
            links.append(None)
        href = None if number == current else search_href(search.with_page(number))
        links.append(PageLink(number, href))
        previous = number
    return links


def loosening(search: SearchRequest) -> list[Chip]:
    """For an empty result: links that each drop one constraint. Values of one facet combine
    with OR, so a facet loosens only as a whole: one link for it, whatever its values."""
    ways = []
    for name in FACETS:
        chosen = search.selected(name)
        if not chosen:
            continue
        named = ", ".join(value_label(name, value) for value in chosen[:LOOSENING_NAMED])
        if len(chosen) > LOOSENING_NAMED:
            named += f" (+{format_count(len(chosen) - LOOSENING_NAMED)})"
        label = gettext("without %(filter)s", filter=f"{FACET_TITLES[name]}: {named}")
        ways.append(Chip(label, search_href(replace(search, page=1, **{name: ()}))))
    if search.date_from or search.date_to:
        label = gettext("without %(filter)s", filter=date_range_label(search))
        ways.append(Chip(label, search_href(search.with_dates(None, None))))
    if search.q and ways:
        ways.append(
            Chip(
                gettext("all articles for “%(q)s”", q=search.q),
                search_href(SearchRequest(q=search.q)),
            )
        )
    if search.q:
        browse = replace(search, q="", page=1)
        ways.append(Chip(gettext("every article, with no words"), search_href(browse)))
    return ways


def sort_options() -> list[tuple[str, str]]:
    return [
        ("relevance", gettext("relevance")),
        ("newest", gettext("newest first")),
        ("oldest", gettext("oldest first")),
    ]
