"""Merging segments: a tiered policy, and a merge streamed one term at a time.

The policy (Lucene's tiered and log-structured policies, simplified): a segment's tier is the
power of ``MERGE_FACTOR`` its live documents reach above ``FLOOR_DOCS``; when a tier holds
``MERGE_FACTOR`` segments, they are merged into one of the next tier. A segment that has lost more
than ``DELETED_SHARE`` of its documents to corrections is rewritten without them. So an archive
of N articles holds at most ``(MERGE_FACTOR - 1)`` segments per tier below ``MAX_MERGED_DOCS``
(two tiers: 5,000 to 50,000 and 50,000 to 250,000 articles), the segments of one commit, and the
full segments (N / 250,000): at most 9 + 9 + 2 + 4 = 24 at a million articles. Each article is
rewritten about once per tier it climbs.

The merge reads every source segment's terms in order and writes the merged postings of one term
before reading the next (the term tables are sorted), so its memory is that of the largest
posting list, not of the segments: merging 500,000 articles costs what merging 5,000 does.
Documents deleted in a source segment are dropped; the others are renumbered in order.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator

import numpy as np
from whoosh import columns as whoosh_columns
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader, TermNotFound

from index.columns import live_docs
from index.posting_arrays import create_writer
from index.segment_writer import quantized_length, write_terms

MERGE_FACTOR = 10
FLOOR_DOCS = 5_000
# The largest segment a merge makes (Lucene caps merged segments at 5 GB the same way): beyond
# it, segments are no longer merged together, only rewritten when they lose deleted documents.
MAX_MERGED_DOCS = 250_000
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


def tiered_merge(writer, segments) -> list:
    """A Whoosh ``mergetype``: merge what :func:`merge_plan` says; returns the segments to keep
    (the merged ones among them)."""
    groups = merge_plan(list(segments))
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


def merge_segments(storage, schema, codec, indexname, segments: list):
    """Write one new segment holding the live documents of ``segments``, in their order; returns
    it (not yet in any commit), or None when no document is live."""
    readers = [SegmentReader(storage, schema, segment) for segment in segments]
    try:
        docmaps, total = _docmaps(readers)
        if total == 0:
            return None
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
    """Stored fields, field lengths and column values of every live document, in order (as
    Whoosh's ``write_per_doc``); returns the field lengths of the new segment."""
    names = set(schema.names())
    lengths: dict[str, list[int]] = {name: [0] * total for name in names if schema[name].scorable}
    docnum = 0
    for reader in readers:
        columns = {}
        for name in names:
            column_type = schema[name].column_type
            if column_type and reader.has_column(name):
                column = reader.column_reader(name, column_type)
                if isinstance(column, whoosh_columns.TranslatingColumnReader):
                    column = column.raw_column()
                columns[name] = column
        for old, stored in reader.iter_docs():
            perdoc.start_doc(docnum)
            for name in names | {n for n in stored if n in schema}:
                field = schema[name]
                length = reader.doc_field_length(old, name) or 0
                if length and name in lengths:
                    lengths[name][docnum] = quantized_length(length)
                perdoc.add_field(name, field, stored.get(name), length)
                if name in columns:
                    perdoc.add_column_value(name, field.column_type, columns[name][old])
            perdoc.finish_doc()
            docnum += 1
    return lengths


def _merged_terms(schema, readers, docmaps) -> Iterator[tuple]:
    """``(field, term bytes, docs, weights, values)`` of the merged segment, in order."""
    fields = sorted(
        {name for reader in readers for name in reader.indexed_field_names() if name in schema}
    )
    for fieldname in fields:
        lexicons = [
            _tagged(reader.lexicon(fieldname), index)
            for index, reader in enumerate(readers)
            if fieldname in reader.indexed_field_names()
        ]
        merged = heapq.merge(*lexicons)
        pending = next(merged, None)
        while pending is not None:
            term = pending[0]
            sources = []
            while pending is not None and pending[0] == term:
                sources.append(pending[1])
                pending = next(merged, None)
            docs: list[int] = []
            weights: list[float] = []
            values: list = []
            for index in sources:
                found = _postings(readers[index], fieldname, term, docmaps[index])
                if found:
                    docs += found[0]
                    weights += found[1]
                    values += found[2]
            if docs:
                yield fieldname, term, docs, weights, values


def _tagged(terms, index: int) -> Iterator[tuple[bytes, int]]:
    for term in terms:
        yield term, index


def _postings(reader, fieldname: str, term: bytes, docmap: np.ndarray):
    """One term's postings in one source segment, renumbered, deleted documents dropped."""
    try:
        matcher = reader._terms.matcher(  # noqa: SLF001 - the raw matcher, deletions included
            fieldname, term, reader.schema[fieldname].format
        )
    except TermNotFound:
        return None
    ids: list = []
    weights: list = []
    values: list = []
    if isinstance(matcher, W3LeafMatcher):
        while True:
            matcher._read_ids()  # noqa: SLF001
            matcher._read_weights()  # noqa: SLF001
            matcher._read_values()  # noqa: SLF001
            ids.extend(matcher._ids)  # noqa: SLF001
            weights.extend(matcher._weights)  # noqa: SLF001
            values.extend(matcher._values)  # noqa: SLF001
            if matcher._lastblock:  # noqa: SLF001
                break
            matcher._goto(matcher._nextoffset)  # noqa: SLF001
    else:
        for docnum, weight, value in matcher.items_as("weight"):  # pragma: no cover
            ids.append(docnum)
            weights.append(weight)
            values.append(value)
    new = docmap[np.asarray(ids, dtype=np.int64)]
    values = [value if value is not None else b"" for value in values]
    if (new >= 0).all():
        return new.tolist(), list(weights), values
    keep = np.flatnonzero(new >= 0).tolist()
    return new[keep].tolist(), [weights[i] for i in keep], [values[i] for i in keep]
