"""The date histogram, counted per day in one pass and grouped by period, equals sorting the
matches' dates: years, months and days, undated matches, leap days, turns of the year, a chosen
period."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from index.searching.facets import (
    MONTHS_ABOVE_DAYS,
    YEARS_ABOVE_DAYS,
    Filtered,
    as_date,
    date_facet,
    histogram,
)
from index.searching.request import SearchRequest
from index.segments import columns as columns_module
from index.segments.columns import day_offsets


def by_sorting(day: np.ndarray, final: np.ndarray, request: SearchRequest) -> dict:
    """The plain way: the matches' dates sorted and counted (``np.unique``)."""
    days = day[final & (day >= 0)]
    if not len(days):
        return histogram("year", [], [], int(final.sum()), request)
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
    undated = int(final.sum()) - len(days)
    return histogram(granularity, values.tolist(), counts.tolist(), undated, request)


def yyyymmdd(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


@pytest.mark.parametrize("at_once", [1 << 18, 97])  # the archive at once, or parts of it
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("span_days", [20, 61, 62, 63, 400, 3 * 366 + 1, 20_000])
def test_counted_per_day_equals_sorting_the_dates(seed, span_days, at_once, monkeypatch):
    monkeypatch.setattr(columns_module, "COUNTED_AT_ONCE", at_once)
    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 4000))
    start = date(1995, 12, 20) + timedelta(days=int(rng.integers(0, 12_000)))
    offsets = rng.integers(0, span_days + 1, size)
    day = np.array([yyyymmdd(start + timedelta(days=int(o))) for o in offsets], dtype=np.int32)
    day[rng.random(size) < 0.1] = -1  # undated
    columns = SimpleNamespace(day=day, day_offsets=day_offsets(day))
    final = rng.random(size) < rng.choice([0.0, 0.01, 0.5, 1.0])
    requests = [SearchRequest()]
    if size and (day >= 0).any():
        chosen = as_date(int(rng.choice(day[day >= 0])))
        requests += [
            SearchRequest(date_from=chosen, date_to=chosen),
            SearchRequest(date_from=chosen.replace(day=1), date_to=chosen + timedelta(days=40)),
            SearchRequest(date_from=chosen),
        ]
    for request in requests:
        filtered = Filtered(final, {}, final)
        assert date_facet(columns, filtered, request) == by_sorting(day, final, request)


def test_leap_day_and_turn_of_the_year():
    days = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 12, 31)]
    days += [date(2025, 1, 1)]
    day = np.array([yyyymmdd(d) for d in days] + [-1], dtype=np.int32)
    columns = SimpleNamespace(day=day, day_offsets=day_offsets(day))
    final = np.ones(len(day), dtype=bool)
    found = date_facet(columns, Filtered(final, {}, final), SearchRequest())
    assert found["granularity"] == "month" and found["undated"] == 1
    assert [(b["value"], b["count"]) for b in found["buckets"]] == [
        ("2024-02", 2),
        ("2024-03", 1),
        ("2024-12", 1),
        ("2025-01", 1),
    ]
