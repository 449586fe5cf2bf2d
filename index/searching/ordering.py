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
    numbers = story[grouped]
    order = np.lexsort((secondary, primary, numbers))
    first = np.ones(len(order), dtype=bool)
    first[1:] = numbers[order][1:] != numbers[order][:-1]
    collapsed = final.copy()
    collapsed[grouped] = False
    collapsed[grouped[order[first]]] = True
    return collapsed


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
    primary, secondary = sort_keys(candidates, scores, columns, sort)
    wanted = start + count
    if len(candidates) > 2 * wanted:
        # Only what can reach the page is sorted: every candidate whose primary key is at
        # most the wanted-th smallest (ties included), found in linear time.
        threshold = np.partition(primary, wanted - 1)[wanted - 1]
        near = primary <= threshold
        candidates, primary, secondary = candidates[near], primary[near], secondary[near]
    order = np.lexsort((secondary, primary))
    return candidates[order[start : start + count]].tolist()
