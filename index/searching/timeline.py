"""Attention over time: how many articles and stories of each search fall in each period.

A timeline compares up to ``MAX_QUERIES`` searches that share their filters (Media Cloud's
"attention over time", Kibana's date histogram): for every period of the span, the articles of
each search, its stories (copies of one story count once), and its share of everything the
filters admit in that period (``all``), which makes a month that published more news in general
comparable with a quiet one.

Counting is numpy over the columns, as facets are (:mod:`index.searching.facets`): each dated
document is given its period by arithmetic on its ``day`` (``yyyymmdd``: a year and a month are
divisions, a week and a day the day's number since the epoch through ``datetime64``; a
``searchsorted`` of a million days against the periods' first days cost 150 ms), and a series is one
``bincount``. A period's ``articles`` is exactly what ``/api/search`` counts as ``total`` for that
query with ``from``/``to`` of the period: both read the same ``day`` column. The first and last
periods are cut to the ``from``/``to`` asked for, so that this holds for them too; without them,
periods are whole. One exception: a query is read once, over the whole span, as the search page
reads it (typed in the wrong keyboard layout and finding nothing, it is read in the other); a period
in which the query as read finds nothing counts 0, where ``/api/search`` of that period alone would
try the other layout.

Periods: ``day``; ``week`` (ISO weeks, from Monday, labelled ``2022-W09``); ``month``; ``year``;
``auto`` (the default) is the finest of those that gives at most ``AUTO_MOST_PERIODS`` periods
over the span. The span is ``from``/``to`` when given, else the first and last day of what the
filters admit. Asking for more than ``MAX_PERIODS`` periods (days over a thousand years) is
refused; ``auto`` never asks for that many.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from index.searching.facets import as_date
from index.searching.request import MAX_QUERY_LENGTH, MultiArgs, RequestError
from index.segments.columns import Columns

INTERVALS = ("auto", "day", "week", "month", "year")
FIXED_INTERVALS = INTERVALS[1:]  # finest first
MAX_QUERIES = 5
AUTO_MOST_PERIODS = 200
MAX_PERIODS = 10_000


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # the first day counted (cut to ``from``)
    end: date  # the last day counted (cut to ``to``)


@dataclass
class SeriesMatch:
    """What one search of the timeline admits: its query as asked and as searched."""

    q: str
    searched: str
    final: np.ndarray  # bool per document: the query and every filter
    notices: list[dict[str, Any]]


def timeline_queries(args: MultiArgs) -> list[str]:
    """The queries of a timeline (``q``, repeated); none is one search of everything the
    filters admit, as ``/api/search`` without ``q`` is."""
    queries = [q.strip() for q in args.getlist("q")]
    if len(queries) > MAX_QUERIES:
        raise RequestError("q", "request.too_many_queries", limit=MAX_QUERIES, count=len(queries))
    for q in queries:
        if len(q) > MAX_QUERY_LENGTH:
            raise RequestError("q", "request.too_long", limit=MAX_QUERY_LENGTH)
    return queries or [""]


def timeline_interval(args: MultiArgs) -> str:
    interval = (args.get("interval") or "auto").strip()
    if interval not in INTERVALS:
        raise RequestError(
            "interval",
            "request.not_one_of",
            value=repr(interval[:20]),
            choices=", ".join(INTERVALS),
        )
    return interval


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_count(interval: str, first: date, last: date) -> int:
    """How many periods of ``interval`` cover ``first`` to ``last``."""
    if interval == "day":
        return (last - first).days + 1
    if interval == "week":
        return (_monday(last) - _monday(first)).days // 7 + 1
    if interval == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def chosen_interval(interval: str, first: date, last: date) -> str:
    """``interval``, or for ``auto`` the finest giving at most ``AUTO_MOST_PERIODS``."""
    if interval != "auto":
        return interval
    for each in FIXED_INTERVALS:
        if period_count(each, first, last) <= AUTO_MOST_PERIODS:
            return each
    return "year"


def _period_at(interval: str, start: date) -> tuple[str, date]:
    """The label and the last day of the period of ``interval`` that begins on ``start``."""
    if interval == "day":
        return start.isoformat(), start
    if interval == "week":
        year, week, _ = start.isocalendar()
        end = start + timedelta(days=min(6, (date.max - start).days))
        return f"{year:04d}-W{week:02d}", end
    if interval == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return f"{start.year:04d}-{start.month:02d}", start.replace(day=last)
    return f"{start.year:04d}", date(start.year, 12, 31)


def _period_start(interval: str, day: date) -> date:
    if interval == "week":
        return _monday(day)
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return date(day.year, 1, 1)
    return day


def periods(
    interval: str, first: date, last: date, cut_from: date | None = None, cut_to: date | None = None
) -> list[Period]:
    """The periods of ``interval`` from the one holding ``first`` to the one holding ``last``;
    the first begins no earlier than ``cut_from``, the last ends no later than ``cut_to``."""
    found = []
    start = _period_start(interval, first)
    while True:
        label, end = _period_at(interval, start)
        found.append(
            Period(
                label,
                max(start, cut_from) if cut_from else start,
                min(end, cut_to) if cut_to else end,
            )
        )
        if end >= last:
            return found
        start = end + timedelta(days=1)


def _refuse_too_many(interval: str, first: date, last: date) -> None:
    count = period_count(interval, first, last)
    if count > MAX_PERIODS:
        raise RequestError(
            "interval",
            "request.too_many_periods",
            interval=interval,
            count=count,
            limit=MAX_PERIODS,
        )


_EPOCH = date(1970, 1, 1)


def period_numbers(days: np.ndarray, interval: str, first: date) -> np.ndarray:
    """The number of the period (0 for the one holding ``first``) of each of ``days``
    (``yyyymmdd``), all on or after ``first``."""
    days = days.astype(np.int64)
    years = days // 10000
    if interval == "year":
        return years - first.year
    months = years * 12 + days // 100 % 100 - 1
    if interval == "month":
        return months - (first.year * 12 + first.month - 1)
    since_epoch = (
        (months - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        + days % 100
        - 1
    )
    start = (_period_start(interval, first) - _EPOCH).days
    return (since_epoch - start) // (7 if interval == "week" else 1)


def _counts(
    docs: np.ndarray, period_of: np.ndarray, columns: Columns, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Articles and stories per period of the dated documents ``docs``: an article without
    copies is its own story, the copies of one story in one period count once."""
    numbers = period_of[docs]
    articles = np.bincount(numbers, minlength=size)
    story = columns.stories.story[docs]
    single = story < 0
    stories = np.bincount(numbers[single], minlength=size)
    if not single.all():
        kinds = max(len(columns.stories.ids), 1)
        pairs = np.unique(numbers[~single].astype(np.int64) * kinds + story[~single])
        stories += np.bincount(pairs // kinds, minlength=size)
    return articles, stories


def story_count(final: np.ndarray, columns: Columns) -> int:
    """The stories among the documents of ``final`` (what a collapsed search counts)."""
    story = columns.stories.story[final]
    grouped = story[story >= 0]
    return int((story < 0).sum()) + len(np.unique(grouped))


def count_over_time(
    columns: Columns,
    series: list[SeriesMatch],
    everything: np.ndarray,
    interval: str,
    date_from: date | None,
    date_to: date | None,
) -> dict[str, Any]:
    """The timeline of ``series`` over what ``everything`` admits (the filters without a query;
    each series' ``final`` lies within it). ``interval`` is one of ``INTERVALS``."""
    dated = everything & (columns.day >= 0)
    days = columns.day[dated]
    if date_from is None and not len(days):
        first = last = None
    else:
        first = date_from or as_date(int(days.min()))
        last = date_to or (as_date(int(days.max())) if len(days) else first)
        last = max(last, first)
    if first is None:
        chosen, found = ("month" if interval == "auto" else interval), []
    else:
        chosen = chosen_interval(interval, first, last)
        _refuse_too_many(chosen, first, last)
        found = periods(chosen, first, last, date_from, date_to)
    size = len(found)
    period_of = np.full(columns.size, -1, dtype=np.int32)
    if size:
        period_of[dated] = period_numbers(days, chosen, first)
    labels = [(p.label, p.start.isoformat(), p.end.isoformat()) for p in found]
    all_articles, all_stories = _counts(np.flatnonzero(dated), period_of, columns, size)
    answer_series = []
    for each in series:
        docs = np.flatnonzero(each.final & dated)
        articles, stories = _counts(docs, period_of, columns, size)
        share = np.divide(
            articles, all_articles, out=np.zeros(size, dtype=np.float64), where=all_articles > 0
        )
        total = int(each.final.sum())
        answer_series.append(
            {
                "q": each.q,
                "searched": each.searched,
                "total": total,
                "stories": story_count(each.final, columns),
                "undated": total - len(docs),
                "notices": each.notices,
                "points": [
                    {
                        "period": label,
                        "from": start,
                        "to": end,
                        "articles": a,
                        "stories": s,
                        "share": round(r, 6),
                    }
                    for (label, start, end), a, s, r in zip(
                        labels, articles.tolist(), stories.tolist(), share.tolist(), strict=True
                    )
                ],
            }
        )
    return {
        "interval": chosen,
        "from": labels[0][1] if labels else None,
        "to": labels[-1][2] if labels else None,
        "series": answer_series,
        "all": [
            {"period": label, "from": start, "to": end, "articles": a, "stories": s}
            for (label, start, end), a, s in zip(
                labels, all_articles.tolist(), all_stories.tolist(), strict=True
            )
        ],
    }


def timeline_rows(timeline: dict[str, Any]) -> list[dict[str, Any]]:
    """The timeline as one row per period and series (what ``format=csv`` writes), with the
    period's count of everything beside each, so that ``share`` can be checked."""
    rows = []
    for each in timeline["series"]:
        for point, everything in zip(each["points"], timeline["all"], strict=True):
            rows.append(
                {
                    "q": each["q"],
                    "period": point["period"],
                    "from": point["from"],
                    "to": point["to"],
                    "articles": point["articles"],
                    "stories": point["stories"],
                    "share": point["share"],
                    "all_articles": everything["articles"],
                    "all_stories": everything["stories"],
                }
            )
    return rows
