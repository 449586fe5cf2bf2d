"""Outlets behind a search: who carried its articles and stories, and who published a story first.

For each outlet (the ``source`` facet) among a search's results: its ``articles``; its
``stories`` (copies of one story by one outlet count once, an article without copies is a story
of its own); and, over the stories of which the results hold two copies or more, how many it
published ``first`` (the earliest dated copy among the results), how many copies it published
``later`` than the first, and the median of those copies' lags behind the first
(``median_lag_seconds``, from the ``published`` column: seconds since the epoch).

Everything is read from the results themselves (the query and every filter), as what
``/api/search`` lists: a story's copies outside the results (another outlet filtered out, a day
outside ``from``/``to``) are not counted, so every number can be checked against the search page
(``cluster=`` and ``collapse=0`` list a story's copies within the search). Undated copies are
counted as articles and stories, never in first or lag. Two copies published at the same second
are both on time: the one listed first in the index is ``first``, the other lags by 0 s.

Counting is numpy over the columns (:mod:`index.segments.columns`), as facets are: a few array
passes over the results, whatever their number.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from index.searching.request import MultiArgs, int_param
from index.segments.columns import Columns

DEFAULT_SIZE = 20
MAX_SIZE = 1000


def outlets_size(args: MultiArgs) -> int:
    """``size``: how many outlets to list per search (default ``DEFAULT_SIZE``)."""
    return int_param(args, "size", DEFAULT_SIZE, 1, MAX_SIZE)


def _median(values: np.ndarray) -> int | None:
    """The median of ``values`` in whole seconds; None for none."""
    return round(float(np.median(values))) if len(values) else None


def outlet_counts(columns: Columns, final: np.ndarray, size: int) -> dict[str, Any]:
    """The outlets of the results ``final`` (bool per document), most articles first, at most
    ``size`` of them; with the totals over all of them."""
    column = columns.facets["source"]
    docs = np.flatnonzero(final)
    story = columns.stories.story
    # Each result's outlet: the source it holds (-1: none).
    outlets = column.value_of[docs].astype(np.int64)
    count = len(column.values)
    articles = np.bincount(outlets[outlets >= 0], minlength=count)

    # A story is its number; an article without copies is its own story (numbered after them).
    kinds = len(columns.stories.ids)
    story_key = np.where(story[docs] >= 0, story[docs], kinds + docs).astype(np.int64)
    known = outlets >= 0
    pairs = np.unique(outlets[known] * (kinds + columns.size) + story_key[known])
    stories = np.bincount(pairs // (kinds + columns.size), minlength=count)

    shared, first, later, lags, lag_outlets = _who_first(columns, docs, outlets, count)
    listed = np.flatnonzero(articles)
    order = listed[np.lexsort((listed, -articles[listed]))][:size]
    by_outlet = np.argsort(lag_outlets, kind="stable")
    sorted_outlets, sorted_lags = lag_outlets[by_outlet], lags[by_outlet]
    starts = np.searchsorted(sorted_outlets, order, side="left")
    ends = np.searchsorted(sorted_outlets, order, side="right")
    entries = [
        {
            "source": column.values[value],
            "articles": int(articles[value]),
            "stories": int(stories[value]),
            "first": int(first[value]),
            "later": int(later[value]),
            "median_lag_seconds": _median(sorted_lags[start:end]),
        }
        for value, start, end in zip(order.tolist(), starts.tolist(), ends.tolist(), strict=True)
    ]
    return {
        "outlets_total": int(len(listed)),
        "stories_with_copies": shared,
        "median_lag_seconds": _median(lags),
        "outlets": entries,
    }


def _who_first(
    columns: Columns, docs: np.ndarray, outlets: np.ndarray, count: int
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Over the stories with two dated copies or more among ``docs``: how many there are; per
    outlet, the stories it published first and the copies it published later; and each later
    copy's lag and outlet."""
    story = columns.stories.story[docs]
    when = columns.published[docs]
    grouped = (story >= 0) & (when >= 0)
    story, when, outlets = story[grouped], when[grouped], outlets[grouped]
    order = np.lexsort((when, story))  # by story, then by date (index order on a tie)
    story, when, outlets = story[order], when[order], outlets[order]
    starts = np.ones(len(story), dtype=bool)
    starts[1:] = story[1:] != story[:-1]
    group = np.cumsum(starts) - 1
    sizes = np.bincount(group) if len(group) else np.zeros(0, np.int64)
    shared = sizes[group] >= 2  # copies of a story with another copy among the results
    earliest = when[starts][group]
    is_first = starts & shared
    is_later = ~starts & shared
    known = outlets >= 0
    first = np.bincount(outlets[is_first & known], minlength=count)
    later = np.bincount(outlets[is_later & known], minlength=count)
    lags = (when - earliest)[is_later]
    return int(is_first.sum()), first, later, lags, outlets[is_later]
