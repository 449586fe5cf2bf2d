"""Merging segments: a tiered policy, and a merge streamed one term at a time.

The policy (Lucene's tiered and log-structured policies, simplified): a segment's tier is the
power of ``MERGE_FACTOR`` its live documents reach above ``FLOOR_DOCS``; when a tier holds
``MERGE_FACTOR`` segments, they are merged into one of the next tier, up to ``MAX_MERGED_DOCS``
articles. A segment that has lost more than ``DELETED_SHARE`` of its documents to corrections is
rewritten without them. So an archive of N articles holds at most ``MERGE_FACTOR - 1`` segments
below the floor and the full ones (N / 50,000), and the segments of one commit: at most
9 + 20 + 2 = 31 at a million. Each article is rewritten once on its way to a full segment.

Why full at 50,000 and not larger: a merge re-encodes every posting it moves (Whoosh's blocks
number documents from the segment's start), so every tier an article climbs costs what indexing
it cost. With posting arrays for frequent terms (:mod:`index.segments.posting_arrays`), searching 31
segments costs little more than searching 10.

The merge reads every source segment's term table front to back, side by side (the tables are
sorted; no term is looked up), and writes the merged postings of one term before reading the
next, so its memory is that of the largest posting list, not of the segments: merging 500,000
articles costs what merging 5,000 does. Posting blocks are read by position from the mapped
postings files, not through Whoosh's matchers (five times faster).
Documents deleted in a source segment are dropped; the others are renumbered in order.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from itertools import accumulate

import numpy as np
from whoosh import columns as whoosh_columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import SegmentReader

from index.segments.columns import LENGTH_OF_CODE, field_length_codes, live_docs
from index.segments.posting_arrays import create_writer
from index.segments.posting_blocks import write_terms
from index.segments.postings import posting_blocks
from index.segments.term_table import TermTable

MERGE_FACTOR = 10
FLOOR_DOCS = 5_000
# The largest segment a merge makes (Lucene caps merged segments at 5 GB the same way): beyond
# it, segments are no longer merged together, only rewritten when they lose deleted documents.
MAX_MERGED_DOCS = 50_000
DELETED_SHARE = 0.3


def _live(segment) -> int:
    return segment.doc_count()


def tier(segment) -> int:
    live = max(segment.doc_count(), 1)
    return int(math.log(max(live, FLOOR_DOCS) / FLOOR_DOCS, MERGE_FACTOR))


def merge_plan(segments: list) -> list[list]:
    """Groups of segments to merge into one each; every other segment stays as it is."""
    groups: list[list] = []
    chosen: set[int] = set()
    by_tier: dict[int, list] = {}
    for segment in segments:
        by_tier.setdefault(tier(segment), []).append(segment)
    for level in sorted(by_tier):
        members = sorted((s for s in by_tier[level] if s.doc_count() < MAX_MERGED_DOCS), key=_live)
        while len(members) >= MERGE_FACTOR:
            group, members = members[:MERGE_FACTOR], members[MERGE_FACTOR:]
            while len(group) > 2 and sum(map(_live, group)) > MAX_MERGED_DOCS:
                members.insert(0, group.pop())  # the largest waits for a later merge
            if len(group) < 2 or sum(map(_live, group)) > MAX_MERGED_DOCS:
                break
            groups.append(group)
            chosen.update(id(s) for s in group)
    for segment in segments:
        total = segment.doc_count_all()
        if id(segment) not in chosen and total and segment.deleted_count() > DELETED_SHARE * total:
            groups.append([segment])  # rewritten without its deleted documents
            chosen.add(id(segment))
    return groups


def rewrite_deleted(writer, segments) -> list:
    """A Whoosh ``mergetype``: every segment that holds deleted documents is rewritten without
    them (Lucene's ``forceMergeDeletes``), whatever their share."""
    return merge_groups(writer, segments, [[s] for s in segments if s.deleted_count()])


def merge_groups(writer, segments, groups: list[list]) -> list:
    """Merge each group of ``segments`` into one, here and now; returns the segments to commit
    (the merged ones among them) and names the sources in ``writer.merged_away``."""
    merged_away = {id(s) for group in groups for s in group}
    kept = [s for s in segments if id(s) not in merged_away]
    # The writer removes their files once the commit that drops them is written.
    writer.merged_away = [s for group in groups for s in group]
    for group in groups:
        merged = merge_segments(
            writer.storage, writer.schema, writer.codec, writer.indexname, group
        )
        if merged is not None:
            kept.append(merged)
    return kept


def merge_segments(storage, schema, codec, indexname, segments: list, segment=None):
    """Write one new segment holding the live documents of ``segments``, in their order; returns
    it (not yet in any commit), or None when no document is live. ``segment``: the new segment
    to write (a background merge names it before it starts), else a new one."""
    readers = [SegmentReader(storage, schema, segment) for segment in segments]
    try:
        docmaps, total = _docmaps(readers)
        if total == 0:
            return None
        if segment is None:
            segment = codec.new_segment(storage, indexname)
        perdoc = codec.per_document_writer(storage, segment)
        fieldwriter = codec.field_writer(storage, segment)
        arrays = create_writer(storage, segment)
        try:
            lengths = _copy_documents(perdoc, schema, readers, total)
            write_terms(
                fieldwriter._tindex,  # noqa: SLF001 - written as the W3 codec reads it
                fieldwriter._postfile,  # noqa: SLF001
                fieldwriter._fieldmap,  # noqa: SLF001
                _merged_terms(schema, readers, docmaps),
                lengths,
                arrays,
            )
        finally:
            arrays.close()
            if not perdoc.is_closed:
                perdoc.close()
            if not fieldwriter.is_closed:
                fieldwriter.close()
        segment.set_doc_count(total)
        if segment.should_assemble():
            segment.create_compound_file(storage)
            segment.compound = True
        return segment
    finally:
        for reader in readers:
            reader.close()


def _docmaps(readers) -> tuple[list[np.ndarray], int]:
    """For each source segment, the new number of each of its documents (-1: deleted)."""
    docmaps = []
    total = 0
    for reader in readers:
        live = live_docs(reader)
        docmap = np.full(len(live), -1, dtype=np.int64)
        count = int(live.sum())
        docmap[live] = np.arange(total, total + count, dtype=np.int64)
        docmaps.append(docmap)
        total += count
    return docmaps, total


def _copy_documents(perdoc, schema, readers, total: int) -> dict[str, list[int]]:
    """Stored fields, field lengths and column values of every live document, in order (what
    Whoosh's ``write_per_doc`` writes); returns the field lengths of the new segment.

    The lengths are copied as the bytes they are stored as, a segment at a time, and each
    column's writer is called directly: not a call per field of every document, most of which
    (fields a document does not have) would do nothing."""
    names = set(schema.names())
    scorable = sorted(name for name in names if schema[name].scorable)
    stored_names = {name for name in names if schema[name].stored}
    lengths: dict[str, list[int]] = {name: [0] * total for name in scorable}
    totals = dict.fromkeys(scorable, 0)
    docnum = 0
    for reader in readers:
        documents = list(reader.iter_docs())
        olds = np.fromiter((old for old, _ in documents), dtype=np.int64, count=len(documents))
        start = docnum
        for name in scorable:
            codes = field_length_codes(reader, name)[olds]
            decoded = LENGTH_OF_CODE[codes].astype(np.int64)  # whole numbers, exact in float32
            lengths[name][start : start + len(olds)] = decoded.tolist()
            totals[name] += int(decoded.sum())
            written = np.flatnonzero(codes)
            if len(written):
                add = _column_writer(perdoc, _lenfield(name), LENGTHS_COLUMN)
                for at, code in zip(
                    (written + start).tolist(), codes[written].tolist(), strict=True
                ):
                    add(at, code)
        columns = []
        for name in sorted(names):
            column_type = schema[name].column_type
            if column_type and reader.has_column(name):
                column = reader.column_reader(name, column_type)
                if isinstance(column, whoosh_columns.TranslatingColumnReader):
                    column = column.raw_column()
                columns.append((column, _column_writer(perdoc, name, column_type)))
        for old, stored in documents:
            perdoc.start_doc(docnum)
            for name, value in stored.items():
                if name in stored_names:
                    perdoc.add_field(name, schema[name], value, 0)
            for column, add in columns:
                add(docnum, column[old])
            perdoc.finish_doc()
            docnum += 1
    for name, length in totals.items():
        if length:
            perdoc._fieldlengths[name] += length  # noqa: SLF001 - what add_field would sum
    return lengths


def _column_writer(perdoc, name: str, column_type):
    """The ``add(docnum, value)`` of the per-document writer's column ``name``."""
    if not perdoc._has_column(name):  # noqa: SLF001 - Whoosh creates columns on first use
        perdoc._create_column(name, column_type)  # noqa: SLF001
    return perdoc._get_column(name).add  # noqa: SLF001


def _merged_terms(schema, readers, docmaps) -> Iterator[tuple]:
    """``(field, term bytes, docs, weights, values)`` of the merged segment, in order: the term
    tables of the sources read front to back side by side (no lookup per term), each term's
    posting blocks read by position from the mapped postings file."""
    sources = [
        _SourceSegment(reader, docmap) for reader, docmap in zip(readers, docmaps, strict=True)
    ]
    # A field no longer indexed (the dates, kept as columns only) loses its terms here.
    fields = sorted(
        {
            name
            for source in sources
            for name in source.fieldnames()
            if name in schema and schema[name].indexed
        }
    )
    for fieldname in fields:
        fixed_size = schema[fieldname].format.fixed_value_size()
        merged = heapq.merge(
            *(source.terms(fieldname, index) for index, source in enumerate(sources))
        )
        pending = next(merged, None)
        while pending is not None:
            term = pending[0]
            docs: list[int] = []
            weights: list[float] = []
            values: list = []
            while pending is not None and pending[0] == term:
                _, index, extent = pending
                sources[index].add_postings(extent, fixed_size, docs, weights, values)
                pending = next(merged, None)
            if docs:
                yield fieldname, term, docs, weights, values


class _SourceSegment:
    """One segment being merged: its term table read in order, its postings renumbered."""

    def __init__(self, reader, docmap: np.ndarray):
        self._table = TermTable(reader)
        # New document number = old + base, unless documents were deleted (then the map).
        self._base = int(docmap[0]) if len(docmap) else 0
        contiguous = len(docmap) and (docmap >= 0).all()
        self._docmap = None if contiguous else docmap.tolist()

    def fieldnames(self) -> list[str]:
        return self._table.fieldnames()

    def terms(self, fieldname: str, index: int) -> Iterator[tuple[bytes, int, tuple]]:
        """``(term, index, extent)`` of the field's terms in order (see ``TermTable.terms``)."""
        for term, extent in self._table.terms(fieldname):
            yield term, index, extent

    def add_postings(self, extent, fixed_size, docs: list, weights: list, values: list) -> None:
        """Append one term's postings here, renumbered, deleted documents dropped."""
        if len(extent) == 3:
            ids, term_weights, term_values = extent
        else:
            ids, term_weights, term_values = _read_blocks(self._table.postings, *extent, fixed_size)
        docmap = self._docmap
        if docmap is None:
            base = self._base
            docs.extend([docnum + base for docnum in ids] if base else ids)
            weights.extend(term_weights)
            values.extend(term_values)
            return
        for docnum, weight, value in zip(ids, term_weights, term_values, strict=True):
            new = docmap[docnum]
            if new >= 0:
                docs.append(new)
                weights.append(weight)
                values.append(value)


def _read_blocks(buffer: memoryview, offset: int, length: int, fixed_size) -> tuple:
    """One term's document numbers, weights and values as lists."""
    ids: list[int] = []
    weights: list[float] = []
    values: list = []
    for count, raw_ids, raw_weights, raw_values in posting_blocks(buffer, offset, length):
        ids.extend(accumulate(raw_ids))
        if raw_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(raw_weights, float):
            weights.extend([raw_weights] * count)
        else:
            weights.extend(raw_weights)
        if fixed_size is None or fixed_size < 0:
            values.extend(raw_values)
        elif fixed_size == 0 or raw_values is None:
            values.extend([b""] * count)
        else:
            values.extend(
                raw_values[i : i + fixed_size] for i in range(0, len(raw_values), fixed_size)
            )
    return ids, weights, values
