"""Facet counts: values with counts for source, author, tag and language, and a date histogram.

Several values of one facet combine with OR, different facets with AND, and each facet is counted
without its own selection, so choosing one source still shows how many the others have.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from index.columns import Columns
from index.request import FACET_PARAMS, SearchRequest

YEARS_ABOVE_DAYS = 3 * 366
MONTHS_ABOVE_DAYS = 62


@dataclass
class Filtered:
    """The masks of one search: matches of the text alone, and with every filter."""

    base: np.ndarray  # the query and the date range
    facet_masks: dict[str, np.ndarray]  # one per facet that has a selection
    final: np.ndarray


def day_number(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def apply_filters(columns: Columns, matches: np.ndarray, request: SearchRequest) -> Filtered:
    base = matches & columns.live
    if request.date_from or request.date_to:
        dated = columns.day >= 0
        if request.date_from:
            dated &= columns.day >= day_number(request.date_from)
        if request.date_to:
            dated &= columns.day <= day_number(request.date_to)
        base &= dated
    facet_masks = {
        facet: columns.facets[facet].mask_for(request.selected(facet), columns.size)
        for facet in FACET_PARAMS
        if request.selected(facet)
    }
    final = base.copy()
    for mask in facet_masks.values():
        final &= mask
    return Filtered(base, facet_masks, final)


def value_facets(
    columns: Columns, filtered: Filtered, request: SearchRequest
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """For each facet, its top values by count (selected values always listed), and how many
    distinct values it has in all (for "show all")."""
    result: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    for facet in FACET_PARAMS:
        mask = filtered.base.copy()
        for other, other_mask in filtered.facet_masks.items():
            if other != facet:
                mask &= other_mask
        column = columns.facets[facet]
        counts = column.counts(mask)
        selected = request.selected(facet)
        nonzero = np.flatnonzero(counts)
        # Most frequent first; ties in alphabetical order (values are sorted in the lexicon).
        order = nonzero[np.lexsort((nonzero, -counts[nonzero]))]
        entries = [
            {"value": column.values[i], "count": int(counts[i]), "selected": False}
            for i in order[: request.facet_size].tolist()
        ]
        listed = {entry["value"] for entry in entries}
        for value in selected:
            if value not in listed:
                index = column.index_of.get(value)
                count = int(counts[index]) if index is not None else 0
                entries.append({"value": value, "count": count, "selected": True})
        chosen = set(selected)  # one look-up per entry: a tuple would cost its length
        for entry in entries:
            entry["selected"] = entry["value"] in chosen
        result[facet] = entries
        totals[facet] = int(len(nonzero))
    return result, totals


def date_facet(columns: Columns, filtered: Filtered, request: SearchRequest) -> dict[str, Any]:
    """A histogram of the matches by year, month or day, whichever the span calls for."""
    days = columns.day[filtered.final & (columns.day >= 0)]
    if not len(days):
        return {"granularity": "year", "buckets": [], "undated": int(filtered.final.sum())}
    first = request.date_from or as_date(int(days.min()))
    last = request.date_to or as_date(int(days.max()))
    span = (last - first).days
    if span > YEARS_ABOVE_DAYS:
        granularity, keys = "year", days // 10000
    elif span > MONTHS_ABOVE_DAYS:
        granularity, keys = "month", days // 100
    else:
        granularity, keys = "day", days
    values, counts = np.unique(keys, return_counts=True)
    buckets = []
    for key, count in zip(values.tolist(), counts.tolist(), strict=True):
        value, start, end = _bucket(granularity, key)
        buckets.append(
            {
                "value": value,
                "count": count,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "selected": request.date_from == start and request.date_to == end,
            }
        )
    undated = int(filtered.final.sum()) - len(days)
    return {"granularity": granularity, "buckets": buckets, "undated": undated}


def as_date(day: int) -> date:
    """A day of the ``day`` column (yyyymmdd as one integer) as a date."""
    return date(day // 10000, day // 100 % 100, day % 100)


def _bucket(granularity: str, key: int) -> tuple[str, date, date]:
    if granularity == "year":
        return f"{key:04d}", date(key, 1, 1), date(key, 12, 31)
    if granularity == "month":
        year, month = divmod(key, 100)
        last = date(year, month, calendar.monthrange(year, month)[1])
        return f"{year:04d}-{month:02d}", date(year, month, 1), last
    day = as_date(key)
    return day.isoformat(), day, day
