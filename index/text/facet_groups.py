"""One facet value per name, whatever its script or spelling.

An author who writes in both languages is «Марта Коваленко» on one article and "Marta Kovalenko"
on another; a tag is «Київ» here and "Kyiv" (or "Kiev") there. Values whose words have the same
name keys (:mod:`index.text.name_keys`, the keys the text is searched by) are one group: one facet
value, counted once per article holding any of its spellings, chosen by any of them, and shown
in the reader's script. A value not written as a name (a lowercase tag: «спорт», "war") groups
only with its other cases.

The groups are worked out once per index generation (value id -> group id), with the columns
(:mod:`index.segments.columns`); a search only reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.text.analysis import normalize_word, tokenize
from index.text.name_keys import latin_key, transliteration_key
from index.text.transliteration import transliterate

# Facets whose values are names (a source is one outlet's own name; a language a code).
GROUPED_FACETS = ("author", "tag")
SCRIPTS = ("Cyrl", "Latn")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")


def word_key(word: str) -> str:
    """The name key of one word as written: its 2010 transliteration's key when Cyrillic."""
    normalized = normalize_word(word).lower()
    if _CYRILLIC.search(normalized):
        return transliteration_key(transliterate(normalized))
    return latin_key(normalized)


@lru_cache(maxsize=1 << 18)
def value_key(value: str) -> tuple[str, ...]:
    """The key of a facet value: the keys of its words, in order, when it is written as a name
    (every word capitalised); else the value in lowercase (a tag «спорт» is a word, not a name:
    its case is all that may vary).

    >>> value_key("Марта Коваленко") == value_key("Marta Kovalenko")
    True
    """
    words = [word for _, _, _, word in tokenize(value)]
    if not words or not all(word[:1].isupper() for word in words):
        return (value.lower(),)
    return tuple(word_key(word) for word in words)


def script_of(value: str) -> str:
    """``Cyrl`` when the value has Cyrillic letters, else ``Latn``."""
    return "Cyrl" if _CYRILLIC.search(value) else "Latn"


@dataclass
class ValueGroups:
    """The groups of one facet column's values.

    ``group_of[v]`` is the group of value id ``v``; groups are numbered in the order of their
    first value (values are sorted), so ties between groups stay alphabetical. ``pair_groups``
    holds the group of each (document, value) pair of the column, ``unique_pairs`` which pairs
    count (a document holding two spellings of one name counts once)."""

    group_of: np.ndarray  # int32 per value id
    order: np.ndarray  # value ids grouped by group, most articles first within one
    starts: np.ndarray  # int64 per group and one more: its values in ``order``
    by_key: dict[tuple[str, ...], int]
    pair_groups: np.ndarray  # int32 per pair of the column
    unique_pairs: np.ndarray | None  # bool per pair; None when every pair counts

    @classmethod
    def build(cls, values: list[str], docs: np.ndarray, value_ids: np.ndarray) -> ValueGroups:
        by_key: dict[tuple[str, ...], int] = {}
        group_of = np.array(
            [by_key.setdefault(value_key(value), len(by_key)) for value in values], dtype=np.int32
        )
        articles = np.bincount(value_ids, minlength=len(values))
        order = np.lexsort((np.arange(len(values)), -articles, group_of)).astype(np.int32)
        sizes = np.bincount(group_of, minlength=len(by_key))
        starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        pair_groups = group_of[value_ids] if len(value_ids) else np.zeros(0, np.int32)
        unique = _unique_pairs(docs, pair_groups, sizes)
        return cls(group_of, order, starts, by_key, pair_groups, unique)

    @property
    def size(self) -> int:
        return len(self.starts) - 1

    def members(self, group: int) -> list[int]:
        """The value ids of ``group``, the one most articles hold first."""
        return self.order[self.starts[group] : self.starts[group + 1]].tolist()

    def group_of_value(self, value: str, index_of: dict[str, int]) -> int | None:
        """The group of ``value`` (a spelling in the archive, or any other of its name)."""
        value_id = index_of.get(value)
        if value_id is not None:
            return int(self.group_of[value_id])
        return self.by_key.get(value_key(value))

    def value_ids_of(self, groups: list[int]) -> np.ndarray:
        """Every value id of ``groups``."""
        return np.flatnonzero(np.isin(self.group_of, groups))


def _unique_pairs(
    docs: np.ndarray, pair_groups: np.ndarray, sizes: np.ndarray
) -> np.ndarray | None:
    """Which pairs count: all but a second spelling of a group in one document. None (all)
    when no document holds two spellings of one name, which is nearly always."""
    # Only pairs of a group of several spellings can repeat one; they are few.
    candidates = np.flatnonzero(sizes[pair_groups] > 1) if len(pair_groups) else pair_groups
    if len(candidates) < 2:
        return None
    keys = docs[candidates].astype(np.int64) * len(sizes) + pair_groups[candidates]
    _, first = np.unique(keys, return_index=True)
    if len(first) == len(candidates):
        return None
    unique = np.ones(len(docs), dtype=bool)
    unique[candidates] = False
    unique[candidates[first]] = True
    return unique


def in_script(spellings: list[str], script: str | None) -> str:
    """The spelling to show a reader of ``script`` (``Cyrl`` or ``Latn``): the most used one in
    that script, else the most used one (``spellings`` come most used first)."""
    if script:
        for spelling in spellings:
            if script_of(spelling) == script:
                return spelling
    return spellings[0]
