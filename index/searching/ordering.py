"""Ordering and paging a result: which documents a page shows and in which order (relevance,
newest, oldest), one per story when copies are collapsed. Numpy over the index's columns: only
what can reach the page is sorted."""

from __future__ import annotations

import numpy as np

from index.segments.columns import Columns


def sort_keys(
    candidates: np.ndarray, scores: np.ndarray | None, columns: Columns, sort: str
) -> tuple[np.ndarray, np.ndarray]:
    """The primary and secondary keys of ``candidates`` in the order of ``sort`` (ascending
    keys come first)."""
    published = columns.published[candidates]
    if sort == "relevance" and scores is not None:
        # Best score first; equal scores newest first.
        return -scores[candidates], -published
    if sort == "oldest":
        return np.where(published < 0, np.iinfo(np.int64).max, published), candidates
    return -published, candidates


def collapse(
    final: np.ndarray, scores: np.ndarray | None, columns: Columns, sort: str
) -> np.ndarray:
    """``final`` with one document per story: the first of its copies in the order of
    ``sort``; documents without copies all stay. Only the matches that have copies are
    sorted."""
    story = columns.stories.story
    grouped = np.flatnonzero(final & (story >= 0))
    if not len(grouped):
        return final
    primary, secondary = sort_keys(grouped, scores, columns, sort)
    first = first_of_each(story[grouped], len(columns.stories.ids), (primary, secondary))
    collapsed = final.copy()
    collapsed[grouped] = False
    collapsed[grouped[first]] = True
    return collapsed


def first_of_each(groups: np.ndarray, count: int, keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """The position of each group's first element: the smallest first key, among equals the
    smallest next one, then the earliest position (what a stable sort by group and keys puts
    first), found without sorting: each key's least per group (``minimum.at``) keeps only the
    elements that equal it, so a story of 400,000 matching copies costs a few passes, not a
    sort. ``groups`` numbers the group of each element, below ``count``."""
    kept = np.arange(len(groups))
    for key in keys:
        held, values = groups[kept], key[kept]
        least = np.full(count, _greatest(values.dtype), dtype=values.dtype)
        np.minimum.at(least, held, values)
        kept = kept[values == least[held]]
    _, first = np.unique(groups[kept], return_index=True)
    return kept[first]


def _greatest(dtype: np.dtype):
    return np.inf if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).max


def page(
    final: np.ndarray,
    scores: np.ndarray | None,
    columns: Columns,
    sort: str,
    start: int,
    count: int,
) -> list[int]:
    candidates = np.flatnonzero(final)
    if start >= len(candidates):
        return []
    wanted = start + count
    if sort == "relevance" and scores is not None and len(candidates) > 2 * wanted:
        # The best scores first, the dates only of those that can reach the page: every
        # candidate whose score is at least the wanted-th best (ties included).
        primary = -scores[candidates]
        threshold = np.partition(primary, wanted - 1)[wanted - 1]
        candidates = candidates[primary <= threshold]
    primary, secondary = sort_keys(candidates, scores, columns, sort)
    if len(candidates) > 2 * wanted:
        # Only what can reach the page is sorted: every candidate whose primary key is at
        # most the wanted-th smallest (ties included), found in linear time.
        threshold = np.partition(primary, wanted - 1)[wanted - 1]
        near = primary <= threshold
        candidates, primary, secondary = candidates[near], primary[near], secondary[near]
    order = np.lexsort((secondary, primary))
    return candidates[order[start : start + count]].tolist()
