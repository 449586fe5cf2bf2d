"""A story's first copy, found per group without sorting, is the one a stable sort by story and
keys puts first: relevance (score, then newest), newest and oldest, ties and all. A page of
results, found without sorting them all, is that page of the whole sort."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from index.searching.ordering import first_of_each, page


def by_sorting(groups: np.ndarray, keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """The plain way: sort by group, then by the keys (stable), and take each group's first."""
    order = np.lexsort((*reversed(keys), groups))
    first = np.ones(len(order), dtype=bool)
    first[1:] = groups[order][1:] != groups[order][:-1]
    return np.sort(order[first])


@pytest.mark.parametrize("seed", range(20))
def test_first_of_each_group_is_what_a_stable_sort_puts_first(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 3000))
    count = int(rng.integers(1, 50))
    groups = rng.integers(0, count, size).astype(np.int32)
    # Few distinct values, so that ties on the first key and on both are common.
    scores = -rng.integers(0, 4, size).astype(np.float32) / 2
    published = rng.choice([-1, 1_600_000_000, 1_700_000_000], size).astype(np.int64)
    positions = np.arange(size)
    for keys in ((scores, -published), (-published, positions), (published, positions)):
        found = np.sort(first_of_each(groups, count, keys))
        assert np.array_equal(found, by_sorting(groups, keys))
        assert len(found) == len(np.unique(groups))  # one per group that has an element


def test_nothing_to_choose_from():
    empty = np.zeros(0, dtype=np.int32)
    assert first_of_each(empty, 3, (empty.astype(np.float32),)).tolist() == []


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_a_page_is_that_page_of_every_result_sorted(seed, sort):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 3000))
    final = rng.random(size) < rng.choice([0.05, 0.5, 1.0])
    # Few distinct scores and dates, so that ties on the first key and on both are common.
    scores = rng.integers(0, 4, size).astype(np.float32) / 2
    published = rng.choice([-1, 1_600_000_000, 1_700_000_000], size).astype(np.int64)
    columns = SimpleNamespace(published=published)
    docs = np.flatnonzero(final)
    undated_last = np.where(published < 0, np.iinfo(np.int64).max, published)
    keys = {
        "relevance": (-published[docs], -scores[docs]),
        "newest": (docs, -published[docs]),
        "oldest": (docs, undated_last[docs]),
    }[sort]
    everything = docs[np.lexsort(keys)].tolist()
    for start, count in [(0, 20), (0, 1), (40, 20), (int(final.sum()) - 5, 20)]:
        found = page(final, scores, columns, sort, max(start, 0), count)
        assert found == everything[max(start, 0) : max(start, 0) + count], (start, count)
