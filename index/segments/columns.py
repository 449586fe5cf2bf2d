"""Per-document columns as numpy arrays, built once per index generation.

Facet counts, filters, date ranges, sorting and BM25 length normalisation all read these arrays
instead of asking Whoosh one document at a time: counting a facet over 100k matches is one
``bincount``. This is how Lucene's doc values and Elasticsearch's aggregations do it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.fields import NUMERIC
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

from index.segments.postings import field_documents, field_terms, leaf_readers, segment_id
from index.segments.schema import NAME_FIELDS, TEXT_FIELDS
from index.text.facet_groups import GROUPED_FACETS, ValueGroups

# Documents or (value, document) pairs a facet counts at once (see ValueColumn.counts): what a
# search allocates and frees for it stays under a few megabytes whatever the archive's size.
COUNTED_AT_ONCE = 1 << 18
# Facet name (as in the API) -> the exact-values field that holds it.
FACET_FIELDS = {
    "source": "source_value",
    "author": "author_value",
    "tag": "tag_value",
    "language": "language",
}
# The facets of which an article holds one value at most (its outlet, its language): one small
# number per document (SingleValueColumn), not (document, value) pairs.
SINGLE_VALUED = frozenset({"source", "language"})


@dataclass
class ValueColumn:
    """A multi-valued column: pairs (document, value id) in document order, ``values`` sorted.

    ``starts[d] : starts[d + 1]`` are the pairs of document ``d``, so counting the values of a
    few matches reads only theirs; counting many reads every pair once."""

    values: list[str]
    docs: np.ndarray  # int32, one entry per (document, value) pair, ascending
    value_ids: np.ndarray  # int32, same length
    starts: np.ndarray  # one per document and one more (int32 while the pairs fit: see _positions)
    index_of: dict[str, int]

    @classmethod
    def read(cls, leaf: IndexReader, fieldname: str) -> ValueColumn:
        """The column of one segment, from the field's terms (sorted in the lexicon)."""
        terms, counts, found = field_documents(leaf, fieldname)
        held = counts > 0
        values = [term for term, kept in zip(terms, held.tolist(), strict=True) if kept]
        docs = found.astype(np.int32)
        ids = np.repeat(np.arange(len(values), dtype=np.int32), counts[held])
        order = np.argsort(docs, kind="stable")
        docs, ids = docs[order], ids[order]
        per_doc = np.bincount(docs, minlength=leaf.doc_count_all())
        starts = _positions(np.concatenate(([0], np.cumsum(per_doc))))
        return cls(values, docs, ids, starts, {value: i for i, value in enumerate(values)})

    @classmethod
    def combine(cls, parts: list[tuple[ValueColumn, int]]) -> ValueColumn:
        """One column over several segments, each given with the number of its first document.
        Its values are those some pair holds (a part cut from a former generation's column
        lists all of that column's values, some of them held only by segments since merged)."""
        values = sorted(set().union(*(part.values for part, _ in parts)))
        index_of = {value: i for i, value in enumerate(values)}
        docs = [part.docs + offset for part, offset in parts]
        ids = [
            np.array([index_of[v] for v in part.values], dtype=np.int32)[part.value_ids]
            for part, _ in parts
            if len(part.values)
        ]
        starts, pairs = [], 0
        for part, _ in parts:
            starts.append(part.starts[:-1].astype(np.int64) + pairs)
            pairs += len(part.docs)
        starts.append(np.array([pairs], dtype=np.int64))
        value_ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
        held = np.bincount(value_ids, minlength=len(values)) > 0
        if not held.all():
            renumbered = np.cumsum(held, dtype=np.int32) - 1
            value_ids = renumbered[value_ids]
            values = [value for value, kept in zip(values, held, strict=True) if kept]
            index_of = {value: i for i, value in enumerate(values)}
        return cls(
            values,
            np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, np.int32),
            value_ids,
            _positions(np.concatenate(starts)),
            index_of,
        )

    def part(self, start: int, end: int) -> ValueColumn:
        """The column of documents ``start:end`` only (numbered from 0), as it was read from
        their segment but for its values: all of this column's (see :meth:`combine`)."""
        first, last = int(self.starts[start]), int(self.starts[end])
        return ValueColumn(
            self.values,
            self.docs[first:last] - start,
            self.value_ids[first:last],
            self.starts[start : end + 1] - first,
            self.index_of,
        )

    @classmethod
    def empty(cls, size: int) -> ValueColumn:
        """A column of no values over ``size`` documents (a field the index does not have)."""
        nothing = np.zeros(0, np.int32)
        return cls([], nothing, nothing, np.zeros(size + 1, np.int32), {})

    def value_ids_of(self, doc: int) -> list[int]:
        """The value ids document ``doc`` holds."""
        return self.value_ids[self.starts[doc] : self.starts[doc + 1]].tolist()

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (document, value id) pair: the documents ascending, and their value ids."""
        return self.docs, self.value_ids

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.value_ids.nbytes + self.starts.nbytes

    def mask_for(self, selected: tuple[str, ...], size: int) -> np.ndarray:
        """Documents holding any of ``selected`` (several values of one facet combine with OR)."""
        wanted = [self.index_of[value] for value in selected if value in self.index_of]
        return self.mask_for_ids(wanted, size)

    def mask_for_ids(self, wanted, size: int) -> np.ndarray:
        """Documents holding any of the value ids ``wanted``."""
        mask = np.zeros(size, dtype=bool)
        if len(wanted):
            mask[self.docs[np.isin(self.value_ids, wanted)]] = True
        return mask

    def counts(self, mask: np.ndarray, groups: ValueGroups | None = None) -> np.ndarray:
        """How many documents of ``mask`` hold each value (each group of ``groups``: a
        document holding two spellings of one name counts once)."""
        ids = self.value_ids if groups is None else groups.pair_groups
        size = len(self.values) if groups is None else groups.size
        unique = None if groups is None else groups.unique_pairs
        if np.count_nonzero(mask) * 8 < len(self.docs):  # few matches: read only their pairs
            matched = np.flatnonzero(mask)
            first = self.starts[matched]
            count = self.starts[matched + 1] - first
            within = np.arange(int(count.sum()), dtype=np.int64)
            pairs = np.repeat(first - (np.cumsum(count) - count), count) + within
            if unique is not None:
                pairs = pairs[unique[pairs]]
            return np.bincount(ids[pairs], minlength=size)
        # Counted as (value, chosen) pairs and the chosen half kept: picking out the chosen
        # pairs first (half of them, at random) cost twice as much as counting them all. A
        # part of the pairs at a time: what a search allocates and frees stays a few megabytes
        # (the tags of a million articles are 3 million pairs, 15 MB of arrays at once).
        counts = np.zeros(size, dtype=np.int64)
        for part in counted_parts(len(self.docs)):
            chosen = np.take(mask, self.docs[part])
            if unique is not None:
                chosen &= unique[part]
            pairs = ids[part] << 1
            pairs |= chosen
            counts += np.bincount(pairs, minlength=2 * size)[1::2]
        return counts


@dataclass
class SingleValueColumn:
    """A column of one value at most per document (an article's outlet, its language): each
    document's value id, -1 for none, in the smallest integer type that holds them all.

    At a million articles among 39 outlets that is 1 MB, where (document, value) pairs with a
    start per document (:class:`ValueColumn`) took 12.5. It answers as a ValueColumn does."""

    values: list[str]
    value_of: np.ndarray  # per document: its value id, -1 for none
    index_of: dict[str, int]

    @classmethod
    def read(cls, leaf: IndexReader, fieldname: str) -> SingleValueColumn:
        """The column of one segment, from the field's terms (sorted in the lexicon)."""
        terms, counts, docs = field_documents(leaf, fieldname)
        held = counts > 0
        values = [term for term, kept in zip(terms, held.tolist(), strict=True) if kept]
        value_of = np.full(leaf.doc_count_all(), -1, dtype=_value_id_type(len(values)))
        value_of[docs] = np.repeat(np.arange(len(values)), counts[held])
        if np.count_nonzero(value_of >= 0) < len(docs):  # a document was given a second value
            raise ValueError(f"{fieldname}: a document holds two values, where one is kept")
        return cls(values, value_of, {value: i for i, value in enumerate(values)})

    @classmethod
    def combine(cls, parts: list[tuple[SingleValueColumn, int]]) -> SingleValueColumn:
        """One column over several segments, given in order with the number of each one's first
        document (which follows the last one's end). Its values are those a document holds, as
        in :meth:`ValueColumn.combine`."""
        values = sorted(set().union(*(part.values for part, _ in parts)))
        index_of = {value: i for i, value in enumerate(values)}
        value_of = np.empty(sum(len(part.value_of) for part, _ in parts), np.int64)
        for part, start in parts:
            # -1 (none) reads the table's last entry, which stays -1.
            renumbered = np.array([index_of[v] for v in part.values] + [-1], dtype=np.int64)
            value_of[start : start + len(part.value_of)] = renumbered[part.value_of]
        held = np.bincount(value_of + 1, minlength=len(values) + 1)[1:] > 0
        if not held.all():
            renumbered = np.append(np.cumsum(held) - 1, -1)
            value_of = renumbered[value_of]
            values = [value for value, kept in zip(values, held, strict=True) if kept]
            index_of = {value: i for i, value in enumerate(values)}
        return cls(values, value_of.astype(_value_id_type(len(values))), index_of)

    def part(self, start: int, end: int) -> SingleValueColumn:
        """The column of documents ``start:end`` only (a view), with all of this one's values."""
        return SingleValueColumn(self.values, self.value_of[start:end], self.index_of)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        docs = np.flatnonzero(self.value_of >= 0)
        return docs, self.value_of[docs].astype(np.int32)

    @property
    def nbytes(self) -> int:
        return self.value_of.nbytes

    def mask_for(self, selected: tuple[str, ...], size: int) -> np.ndarray:
        wanted = [self.index_of[value] for value in selected if value in self.index_of]
        return self.mask_for_ids(wanted, size)

    def mask_for_ids(self, wanted, size: int) -> np.ndarray:
        # A table of the values wanted, and one more entry (False) that -1 (none) reads.
        table = np.zeros(len(self.values) + 1, dtype=bool)
        table[np.asarray(wanted, dtype=np.int64)] = True
        return table[self.value_of]

    def counts(self, mask: np.ndarray, groups: ValueGroups | None = None) -> np.ndarray:
        """How many documents of ``mask`` hold each value (such a facet has no groups)."""
        if groups is not None:
            raise ValueError("a column of one value per document has no groups of spellings")
        if np.count_nonzero(mask) * 8 < len(self.value_of):  # few matches: read only theirs
            held = self.value_of[np.flatnonzero(mask)]
            return np.bincount(held + 1, minlength=len(self.values) + 1)[1:]
        counts = np.zeros(len(self.values) + 1, dtype=np.int64)
        for part in counted_parts(len(self.value_of)):
            held = self.value_of[part][mask[part]]
            counts += np.bincount(held + 1, minlength=len(self.values) + 1)
        return counts[1:]


def counted_parts(length: int) -> Iterator[slice]:
    """``0:length`` in parts of ``COUNTED_AT_ONCE``: what is counted at once."""
    return (slice(start, start + COUNTED_AT_ONCE) for start in range(0, length, COUNTED_AT_ONCE))


def _value_id_type(count: int):
    """The smallest integer type that holds ``count`` value ids, -1, and each id plus one."""
    for dtype in (np.int8, np.int16, np.int32):
        if count < np.iinfo(dtype).max:
            return dtype
    return np.int64


FacetColumn = ValueColumn | SingleValueColumn


@dataclass
class SegmentColumns:
    """The columns of one segment: what does not change while the segment lives.

    A segment's documents never change (only their deletion does), so these are read once and
    kept across index generations: a commit costs reading the new segment's columns, not the
    archive's (Lucene keeps doc values per segment the same way).
    """

    size: int
    published: np.ndarray
    day: np.ndarray
    length_codes: dict[str, np.ndarray]
    facets: dict[str, FacetColumn]
    cluster: ValueColumn  # the story of each article that has copies (see archive.copies)
    # The terms of the analysed names (bylines, tags, outlet): every query word is looked for
    # there too, and most are in none, so a look-up here spares reading the segment's lexicon.
    name_terms: dict[str, frozenset[str]]

    @classmethod
    def read(cls, leaf: IndexReader) -> SegmentColumns:
        size = leaf.doc_count_all()
        return cls(
            size,
            _numeric_column(leaf, "published", size, np.int64),
            _numeric_column(leaf, "day", size, np.int32),
            {name: field_length_codes(leaf, name) for name in TEXT_FIELDS},
            {facet: _facet_type(facet).read(leaf, field) for facet, field in FACET_FIELDS.items()},
            ValueColumn.read(leaf, "cluster")
            if "cluster" in leaf.schema
            else ValueColumn.empty(size),
            {
                name: frozenset(field_terms(leaf, name)) if name in leaf.schema else frozenset()
                for name in NAME_FIELDS
            },
        )

    @property
    def nbytes(self) -> int:
        arrays = [self.published, self.day, *self.length_codes.values()]
        columns = [*self.facets.values(), self.cluster]
        return sum(a.nbytes for a in arrays) + sum(c.nbytes for c in columns)


def live_docs(leaf: IndexReader) -> np.ndarray:
    """True for each document of the segment that is not deleted."""
    live = np.ones(leaf.doc_count_all(), dtype=bool)
    if leaf.has_deletions():
        deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
        live[deleted] = False
    return live


class ColumnReuse:
    """What the next generation takes over from the last: its columns, and where each of its
    segments lies in them. A segment never changes (only its deletions do), so one kept by the
    next generation is cut out of these, not read again; and it is not held twice, once per
    segment and once combined (at a million articles that was 110 MB of a server's memory)."""

    def __init__(self) -> None:
        self._columns: Columns | None = None
        # segment id -> (its first document, its number among the segments, its size)
        self._placed: dict[str, tuple[int, int, int]] = {}

    def segment(self, key: str) -> SegmentColumns | None:
        """The columns of segment ``key`` when the last generation had it."""
        if self._columns is None or key not in self._placed:
            return None
        return self._columns.segment(*self._placed[key])

    def keep(self, columns: Columns, placed: dict[str, tuple[int, int, int]]) -> None:
        self._columns, self._placed = columns, placed


@dataclass
class Columns:
    """Everything per document that searches need, for one index generation."""

    size: int
    live: np.ndarray  # bool: not deleted
    published: np.ndarray  # int64 seconds since the epoch; -1 when undated
    day: np.ndarray  # int32 YYYYMMDD of the publication's local date; -1 when undated
    live_count: int  # documents not deleted, at least 1 (BM25 divides by it)
    # Per text field, each document's length in terms as Whoosh stores it: a byte, decoded by
    # LENGTH_OF_CODE (a quarter of the memory of the lengths themselves).
    length_codes: dict[str, np.ndarray]
    average_length: dict[str, float]
    facets: dict[str, FacetColumn]
    stories: Stories
    # The facets whose values are names: their spellings grouped (index.facet_groups).
    groups: dict[str, ValueGroups]
    # Per name field, the terms of each segment (see SegmentColumns.name_terms).
    name_terms: dict[str, list[frozenset[str]]]

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length of text field ``fieldname``, in terms (float32)."""
        return LENGTH_OF_CODE[self.length_codes[fieldname]]

    @cached_property
    def day_offsets(self) -> tuple[np.ndarray, int, int]:
        """Each document's day as the number of days after the earliest day any document has
        (int32; -1 when undated), that earliest day in days since 1970-01-01, and how many days
        the offsets span (the greatest plus one; 0 when none is dated): a date histogram counts
        these in one pass over the archive (computed at its first use, once per generation)."""
        return day_offsets(self.day)

    def holds(self, fieldname: str, term: str) -> bool:
        """Whether any segment has ``term`` in the name field ``fieldname``."""
        return any(term in terms for terms in self.name_terms[fieldname])

    @classmethod
    def build(cls, reader: IndexReader, reuse: ColumnReuse | None = None) -> Columns:
        """The columns of ``reader``'s generation. With ``reuse``, a segment of the generation
        built before is cut out of its columns, not read again; ``reuse`` is left holding this
        generation's."""
        parts: list[tuple[SegmentColumns, np.ndarray, int]] = []
        offset = 0
        placed: dict[str, tuple[int, int, int]] = {}
        for number, (leaf, leaf_offset) in enumerate(leaf_readers(reader)):
            key = segment_id(leaf)
            part = reuse.segment(key) if reuse is not None and key else None
            if part is None:
                part = SegmentColumns.read(leaf)
            live = live_docs(leaf) if key else np.ones(part.size, dtype=bool)
            parts.append((part, live, leaf_offset))
            if key:
                placed[key] = (leaf_offset, number, part.size)
            offset = leaf_offset + part.size
        columns = cls.combine(parts, offset)
        if reuse is not None:
            reuse.keep(columns, placed)
        return columns

    def segment(self, start: int, number: int, size: int) -> SegmentColumns:
        """The columns of the ``number``-th segment, whose ``size`` documents begin at
        ``start``: cut out of these (views where they can be), as if read from the segment."""
        end = start + size
        return SegmentColumns(
            size,
            self.published[start:end],
            self.day[start:end],
            {name: codes[start:end] for name, codes in self.length_codes.items()},
            {facet: column.part(start, end) for facet, column in self.facets.items()},
            self.stories.column(start, end),
            {name: terms[number] for name, terms in self.name_terms.items()},
        )

    @classmethod
    def combine(cls, parts: list[tuple[SegmentColumns, np.ndarray, int]], size: int) -> Columns:
        def joined(arrays: list[np.ndarray], dtype) -> np.ndarray:
            if not arrays:
                return np.zeros(0, dtype)
            return np.concatenate(arrays).astype(dtype, copy=False)

        live = joined([live for _, live, _ in parts], bool)
        length_codes = {
            name: joined([part.length_codes[name] for part, _, _ in parts], np.uint8)
            for name in TEXT_FIELDS
        }
        live_count = max(int(live.sum()), 1)
        average = {
            name: max(float(LENGTH_OF_CODE[codes[live]].sum()) / live_count, 1.0)
            for name, codes in length_codes.items()
        }
        facets = {
            facet: _facet_type(facet).combine(
                [(part.facets[facet], start) for part, _, start in parts]
            )
            for facet in FACET_FIELDS
        }
        cluster = ValueColumn.combine([(part.cluster, start) for part, _, start in parts])
        published = joined([part.published for part, _, _ in parts], np.int64)
        return cls(
            size,
            live,
            published,
            joined([part.day for part, _, _ in parts], np.int32),
            live_count,
            length_codes,
            average,
            facets,
            Stories.build(cluster, live, size, published, facets["source"]),
            {
                facet: ValueGroups.build(column.values, column.docs, column.value_ids)
                for facet, column in facets.items()
                if facet in GROUPED_FACETS
            },
            {name: [part.name_terms[name] for part, _, _ in parts] for name in NAME_FIELDS},
        )


@dataclass
class Stories:
    """Which story each document belongs to, for the documents that have copies.

    ``story[d]`` is the number of document ``d``'s story (an index into ``ids``, the stories'
    keys), -1 for a document without copies (its own story). ``members`` lists the live documents
    of the stories grouped by story (``starts[s] : starts[s + 1]``), so a hit's copies are read
    without a scan. ``earliest[s]`` is story ``s``'s earliest-published live document (the
    undated after the dated), whose id names the story to readers: a story's key is one of its
    members, not always the earliest (see archive.copies).
    """

    ids: list[str]
    story: np.ndarray  # int32 per document
    members: np.ndarray  # int32 live documents, grouped by story
    starts: np.ndarray  # int64 per story and one more
    earliest: np.ndarray  # int32 per story: a document, -1 when none is live
    # Each story's outlets: source value ids (ascending) and how many of its live copies each
    # has, grouped by story (``outlet_starts[s] : outlet_starts[s + 1]``); and each document's
    # outlet (-1: none; the source column's own array). A hit names its other copies' outlets
    # without reading every copy.
    outlet_values: np.ndarray
    outlet_counts: np.ndarray
    outlet_starts: np.ndarray
    outlet_of: np.ndarray

    @classmethod
    def build(
        cls,
        column: ValueColumn,
        live: np.ndarray,
        size: int,
        published: np.ndarray,
        sources: SingleValueColumn,
    ) -> Stories:
        story = np.full(size, -1, dtype=np.int32)
        kept = live[column.docs] if len(column.docs) else np.zeros(0, bool)
        docs, ids = column.docs[kept], column.value_ids[kept]
        story[docs] = ids
        order = np.argsort(ids, kind="stable")
        counts = np.bincount(ids, minlength=len(column.values))
        starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        members = docs[order].astype(np.int32)
        earliest = np.full(len(column.values), -1, dtype=np.int32)
        if len(members):
            when = published[members]
            when = np.where(when < 0, np.iinfo(np.int64).max, when)
            by_date = np.lexsort((when, ids[order]))  # by story, then by date
            numbers = ids[order][by_date]
            first = np.ones(len(by_date), dtype=bool)
            first[1:] = numbers[1:] != numbers[:-1]
            earliest[numbers[first]] = members[by_date[first]]
        outlet_of = sources.value_of
        kinds = np.int64(len(sources.values) + 1)
        pairs = np.unique(
            ids[order].astype(np.int64) * kinds + outlet_of[members].astype(np.int64) + 1,
            return_counts=True,
        )
        outlet_values = (pairs[0] % kinds - 1).astype(np.int32)
        outlet_starts = np.searchsorted(
            pairs[0] // kinds, np.arange(len(column.values) + 1, dtype=np.int64)
        ).astype(np.int64)
        return cls(
            column.values,
            story,
            members,
            starts,
            earliest,
            outlet_values,
            pairs[1].astype(np.int32),
            outlet_starts,
            outlet_of,
        )

    def column(self, start: int, end: int) -> ValueColumn:
        """The story column of documents ``start:end`` (numbered from 0), as read from their
        segment but for the deleted documents, which have none (they stay deleted)."""
        story = self.story[start:end]
        held = story >= 0
        docs = np.flatnonzero(held).astype(np.int32)
        starts = _positions(np.concatenate(([0], np.cumsum(held, dtype=np.int64))))
        return ValueColumn(self.ids, docs, story[docs], starts, {})

    def other_outlets(self, number: int, docnum: int) -> list[int]:
        """The outlets (source value ids) of story ``number``'s copies other than ``docnum``."""
        at = slice(self.outlet_starts[number], self.outlet_starts[number + 1])
        values, counts = self.outlet_values[at], self.outlet_counts[at]
        own = self.outlet_of[docnum]
        kept = (values >= 0) & ((values != own) | (counts > 1))
        return values[kept].tolist()

    def number_of(self, cluster: str) -> int | None:
        """The number of the story keyed ``cluster``; None when no document has copies in it."""
        at = bisect.bisect_left(self.ids, cluster)
        return at if at < len(self.ids) and self.ids[at] == cluster else None

    def of(self, number: int) -> np.ndarray:
        """The live documents of story ``number``."""
        return self.members[self.starts[number] : self.starts[number + 1]]


def _facet_type(facet: str) -> type[ValueColumn] | type[SingleValueColumn]:
    return SingleValueColumn if facet in SINGLE_VALUED else ValueColumn


def day_offsets(day: np.ndarray) -> tuple[np.ndarray, int, int]:
    """See :attr:`Columns.day_offsets`: from ``day`` (yyyymmdd, -1 when undated)."""
    dated = day >= 0
    if not dated.any():
        return np.full(len(day), -1, dtype=np.int32), 0, 0
    year, month, of_month = day // 10000, day // 100 % 100, day % 100
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    since_epoch = (months.astype("datetime64[D]") + (of_month - 1)).astype(np.int64)
    earliest = int(since_epoch[dated].min())
    offsets = np.where(dated, since_epoch - earliest, -1).astype(np.int32)
    return offsets, earliest, int(since_epoch[dated].max()) - earliest + 1


def _positions(starts: np.ndarray) -> np.ndarray:
    """Where each document's pairs start, as int32 while they fit (half the memory: at a
    million articles a column's starts are 4 MB, not 8), else int64."""
    fits = not len(starts) or int(starts[-1]) <= np.iinfo(np.int32).max
    return starts.astype(np.int32 if fits else np.int64)


# Whoosh stores a field's length per document as one byte; this table decodes all 256 at once.
LENGTH_OF_CODE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def _fixed_values(column, count: int) -> np.ndarray | None:
    """All values of a Whoosh ``NumericColumn`` reader as raw unsigned integers, read in one go
    from the file (big-endian, fixed width); documents past the written ones take the default.
    None when the reader is of another kind."""
    if not isinstance(column, NumericColumn.Reader):
        return None
    dtype = np.dtype(">" + column._typecode.upper())  # noqa: SLF001 - the column's own layout
    written = min(column._count, count)  # noqa: SLF001
    raw = column._dbfile.get(column._basepos, written * dtype.itemsize)  # noqa: SLF001
    values = np.full(count, column._default, dtype=dtype.newbyteorder("="))  # noqa: SLF001
    values[:written] = np.frombuffer(raw, dtype=dtype)
    return values


def field_lengths(leaf: IndexReader, fieldname: str) -> np.ndarray:
    """The length of the field in each document of the segment (decoded from its byte)."""
    return LENGTH_OF_CODE[field_length_codes(leaf, fieldname)]


def field_length_codes(leaf: IndexReader, fieldname: str) -> np.ndarray:
    """The byte that encodes the field's length in each document of the segment (uint8)."""
    count = leaf.doc_count_all()
    perdoc = getattr(leaf, "_perdoc", None)  # Whoosh has no public bulk access to lengths
    if perdoc is None:  # an empty reader
        return np.zeros(count, dtype=np.uint8)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)  # noqa: SLF001
    if column is None:
        return np.zeros(count, dtype=np.uint8)
    raw = _fixed_values(column, count)
    if raw is None:
        raw = np.fromiter((int(b or 0) for b in column), dtype=np.uint8, count=count)
    return raw.astype(np.uint8, copy=False)


def _numeric_column(reader: IndexReader, fieldname: str, size: int, dtype) -> np.ndarray:
    if size == 0:  # an empty index has no columns at all
        return np.zeros(0, dtype=dtype)
    field = reader.schema[fieldname]
    raw = _fixed_values(reader.column_reader(fieldname, translate=False), size)
    if raw is not None and isinstance(field, NUMERIC) and field.numtype is int:
        # Whoosh stores a signed integer shifted by half its range, so that bytes sort as numbers.
        shift = 1 << (field.bits - 1) if field.signed else 0
        values = raw.astype(np.uint64) - np.uint64(shift)
        return values.view(np.int64).astype(dtype)
    column = reader.column_reader(fieldname, translate=True)
    values = np.fromiter((int(v) for v in column), dtype=np.int64, count=size)
    return values.astype(dtype)
