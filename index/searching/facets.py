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

from index.searching.request import FACET_PARAMS, SearchRequest
from index.segments.columns import Columns, ValueColumn, counted_parts
from index.text.facet_groups import ValueGroups, in_script

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
        facet: facet_mask(columns, facet, request.selected(facet))
        for facet in FACET_PARAMS
        if request.selected(facet)
    }
    final = base.copy()
    for mask in facet_masks.values():
        final &= mask
    return Filtered(base, facet_masks, final)


def facet_mask(columns: Columns, facet: str, selected: tuple[str, ...]) -> np.ndarray:
    """Documents holding any of ``selected``; for a facet of names, any spelling of them."""
    column = columns.facets[facet]
    groups = columns.groups.get(facet)
    if groups is None:
        return column.mask_for(selected, columns.size)
    wanted = {groups.group_of_value(value, column.index_of) for value in selected}
    wanted.discard(None)
    return column.mask_for_ids(groups.value_ids_of(sorted(wanted)), columns.size)


def value_facets(
    columns: Columns, filtered: Filtered, request: SearchRequest, script: str | None = None
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """For each facet, its top values by count (selected values always listed), and how many
    distinct values it has in all (for "show all"). A facet of names lists each name once,
    labelled in ``script`` (``Cyrl``, ``Latn``: the reader's)."""
    result: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    for facet in FACET_PARAMS:
        mask = filtered.base.copy()
        for other, other_mask in filtered.facet_masks.items():
            if other != facet:
                mask &= other_mask
        column = columns.facets[facet]
        groups = columns.groups.get(facet)
        if groups is not None:
            result[facet], totals[facet] = _name_facet(
                column, groups, column.counts(mask, groups), request, facet, script
            )
            continue
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


def _name_facet(
    column: ValueColumn,
    groups: ValueGroups,
    counts: np.ndarray,
    request: SearchRequest,
    facet: str,
    script: str | None,
) -> tuple[list[dict[str, Any]], int]:
    """The entries of a facet of names, one per group: ``value`` is a spelling the archive
    holds (the one chosen, when chosen; else the reader's), ``label`` the reader's spelling,
    ``spellings`` all of them when there are several."""
    selected = request.selected(facet)
    chosen: dict[int, str] = {}
    for value in selected:
        group = groups.group_of_value(value, column.index_of)
        chosen.setdefault(-1 - len(chosen) if group is None else group, value)
    nonzero = np.flatnonzero(counts)
    order = nonzero[np.lexsort((nonzero, -counts[nonzero]))].tolist()[: request.facet_size]
    listed = set(order)
    order += [group for group in chosen if group not in listed]
    entries = []
    for group in order:
        if group < 0:  # chosen, but no article holds it
            value = chosen[group]
            entries.append({"value": value, "label": value, "count": 0, "selected": True})
            continue
        spellings = [column.values[i] for i in groups.members(group)]
        label = in_script(spellings, script)
        entry = {
            "value": chosen.get(group, label),
            "label": label,
            "count": int(counts[group]),
            "selected": group in chosen,
        }
        if len(spellings) > 1:
            entry["spellings"] = spellings
        entries.append(entry)
    return entries, len(nonzero)


def date_facet(columns: Columns, filtered: Filtered, request: SearchRequest) -> dict[str, Any]:
    """A histogram of the matches by year, month or day, whichever the span calls for.

    The matches are counted per day in one pass over the archive (each document's day offset,
    paired with whether it matches, counted by ``bincount``; when they are few, only their
    offsets), then the days that have any are grouped by period: no sort."""
    offsets, earliest, days_spanned = columns.day_offsets
    final = filtered.final
    if np.count_nonzero(final) * 8 < len(final):  # few matches: count only theirs
        per_day = np.bincount(offsets[final] + 1, minlength=1)  # 0: undated; 1 + offset: a day
    else:  # (day, matched) pairs counted, a part of the archive at a time (as facets are)
        size = 2 * (days_spanned + 1)
        per_day = np.zeros(size, dtype=np.int64)
        for part in counted_parts(len(final)):
            pairs = offsets[part] + 1
            pairs <<= 1
            pairs |= final[part]
            per_day += np.bincount(pairs, minlength=size)
        per_day = per_day[1::2]
    undated, per_day = int(per_day[0]), per_day[1:]
    days = np.flatnonzero(per_day)
    if not len(days):
        return histogram("year", [], [], undated, request)
    dates = (days + earliest).astype("datetime64[D]")
    first = request.date_from or dates[0].item()
    last = request.date_to or dates[-1].item()
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    span = (last - first).days
    if span > YEARS_ABOVE_DAYS:
        granularity, keys = "year", years
    else:
        months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        if span > MONTHS_ABOVE_DAYS:
            granularity, keys = "month", years * 100 + months
        else:
            of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
            granularity, keys = "day", years * 10000 + months * 100 + of_month
    # Days are ascending, and so are their periods: each period's days are a run.
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.add.reduceat(per_day[days], starts)
    return histogram(granularity, keys[starts].tolist(), counts.tolist(), undated, request)


def histogram(
    granularity: str, keys: list[int], counts: list[int], undated: int, request: SearchRequest
) -> dict[str, Any]:
    """The date facet of periods ``keys`` (years, yyyymm or yyyymmdd, ascending) holding
    ``counts`` matches each, as the API shows it."""
    buckets = []
    for key, count in zip(keys, counts, strict=True):
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
