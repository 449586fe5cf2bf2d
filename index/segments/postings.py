"""Reading a term's postings a block at a time into numpy arrays.

Whoosh's matchers step through postings one document at a time in Python; for counting and
scoring every match that is the whole cost. Its W3 codec stores postings in blocks of up to 128,
each decoded in one call (document numbers as deltas, summed by numpy), so reading block by
block is many times faster.

The most frequent terms of a segment (the words in half the articles, which most searches meet)
are read from the segment's posting arrays instead (:mod:`index.segments.posting_arrays`), in place.
A segment without them (written by stock Whoosh) has its decoded frequent postings kept in a cache
shared by every search and every index generation, bounded in bytes: a segment never changes once
written (deletions are kept apart).
"""

from __future__ import annotations

import io
import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as _W3_MAGIC
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import IndexReader, TermNotFound

from index.segments.posting_arrays import posting_arrays
from index.segments.storage import MappedFile
from index.segments.term_table import TermTable

_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


def leaf_readers(reader: IndexReader) -> Iterator[tuple[IndexReader, int]]:
    """Each segment's reader and the offset of its first document."""
    if reader.is_atomic():
        yield reader, 0
    else:
        yield from reader.leaf_readers()


# Terms with at least this many postings in a segment are cached once decoded.
CACHE_FROM_POSTINGS = 2_048
CACHE_BYTES = 384 * 1024 * 1024


class PostingsCache:
    """Decoded postings by (segment, field, term), least recently used out past ``limit`` bytes."""

    def __init__(self, limit: int = CACHE_BYTES):
        self.limit = limit
        self.size = 0
        self._entries: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[np.ndarray, np.ndarray]) -> None:
        cost = value[0].nbytes + value[1].nbytes
        if cost > self.limit:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self.size += cost
            while self.size > self.limit:
                _, (docs, weights) = self._entries.popitem(last=False)
                self.size -= docs.nbytes + weights.nbytes


POSTINGS_CACHE = PostingsCache()


def segment_id(leaf: IndexReader) -> str | None:
    """The id of the segment ``leaf`` reads (None for an empty or composite reader): what
    caches of a segment's never-changing contents are keyed by."""
    segment = leaf.segment() if leaf.is_atomic() else None
    return segment.segment_id() if segment is not None else None


def read_postings(
    reader: IndexReader, fieldname: str, text: str, cache: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (int64, ascending) and weights (float32) of one term, deleted included.

    Callers mask out deleted documents with the live column. ``cache``: keep the decoded
    postings of a frequent term for the next search (not for what is read once, like columns).
    """
    doc_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for leaf, offset in leaf_readers(reader):
        if not hasattr(leaf, "_terms"):  # an empty reader
            continue
        try:
            btext = leaf._text_to_bytes(fieldname, text)  # noqa: SLF001
        except (TermNotFound, KeyError):
            continue
        arrays = posting_arrays(leaf)
        found = arrays.get(fieldname, btext) if arrays is not None else None
        if found is None:
            segment = segment_id(leaf) if cache else None
            key = (segment, fieldname, text)
            found = POSTINGS_CACHE.get(key) if segment else None
        if found is not None:
            doc_parts.append(np.add(found[0], offset, dtype=np.int64))
            weight_parts.append(found[1])
            continue
        try:
            terminfo = leaf._terms.term_info(fieldname, btext)  # noqa: SLF001
        except (TermNotFound, KeyError):
            continue
        postfile = getattr(leaf._terms, "_postfile", None)  # noqa: SLF001
        if isinstance(postfile, MappedFile) and not terminfo.is_inlined():
            docs, weights = _read_mapped(postfile, *terminfo.extent())
        else:  # another codec, or postings kept inside the term table: the general way
            matcher = leaf._terms.matcher(  # noqa: SLF001 - the raw matcher, without deletions
                fieldname, btext, leaf.schema[fieldname].format
            )
            docs, weights = _read_matcher(matcher)
        if segment and len(docs) >= CACHE_FROM_POSTINGS:
            POSTINGS_CACHE.put(key, (docs.astype(np.int32), weights))
        doc_parts.append(docs + offset)
        weight_parts.append(weights)
    if not doc_parts:
        return _EMPTY_DOCS, _EMPTY_WEIGHTS
    if len(doc_parts) == 1:
        return doc_parts[0], weight_parts[0]
    return np.concatenate(doc_parts), np.concatenate(weight_parts)


def field_documents(leaf: IndexReader, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every term of a field in one segment, in order, with its documents, deleted included:
    ``(terms, counts, docs)``, ``docs`` holding each term's documents (ascending) one term after
    another, ``counts[i]`` of them the ``i``-th term's. Read front to back from the segment's term
    table (:class:`~index.segments.term_table.TermTable`) and its blocks' document numbers only,
    in one list: a facet field has thousands of terms, most in a few documents, and a look-up,
    two arrays and a concatenation per term was most of opening an index."""
    field = leaf.schema[fieldname]
    table = TermTable.of(leaf)
    terms: list[str] = []
    counts: list[int] = []
    if table is None:  # another codec or an empty reader: term by term
        parts = []
        for term in leaf.field_terms(fieldname) if hasattr(leaf, "_terms") else ():
            docs, _ = read_postings(leaf, fieldname, term, cache=False)
            terms.append(term)
            counts.append(len(docs))
            parts.append(docs)
        docs = np.concatenate(parts) if parts else _EMPTY_DOCS
        return terms, np.array(counts, dtype=np.int64), docs.astype(np.int64)
    found: list[int] = []
    for term, extent in table.terms(fieldname):
        before = len(found)
        if len(extent) == 3:
            found.extend(extent[0])
        else:
            for _, raw_ids, _, _ in posting_blocks(table.postings, *extent):
                found.extend(accumulate(raw_ids))  # each block's first id is from zero
        terms.append(field.from_bytes(term))
        counts.append(len(found) - before)
    return terms, np.array(counts, dtype=np.int64), np.array(found, dtype=np.int64)


def field_terms(leaf: IndexReader, fieldname: str) -> list[str]:
    """The terms of a field in one segment, in order (Whoosh's ``field_terms``, read front to
    back from the term table where it is mapped)."""
    table = TermTable.of(leaf)
    if table is None:
        return list(leaf.field_terms(fieldname)) if hasattr(leaf, "_terms") else []
    from_bytes = leaf.schema[fieldname].from_bytes
    return [from_bytes(term) for term, _ in table.terms(fieldname)]


def _read_matcher(matcher) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(matcher, W3LeafMatcher):
        return _read_blocks(matcher)
    items = list(matcher.items_as("weight"))
    docs = np.fromiter((d for d, _ in items), dtype=np.int64, count=len(items))
    weights = np.fromiter((w for _, w in items), dtype=np.float32, count=len(items))
    return docs, weights


_BLOCK_LENGTH = struct.Struct("!i")


def _block_weights(raw, count: int) -> np.ndarray:
    """A W3 block's weights as stored: None when all are 1, one float when all are equal."""
    if raw is None:
        return np.ones(count, dtype=np.float32)
    if isinstance(raw, float):
        return np.full(count, raw, dtype=np.float32)
    return np.asarray(raw, dtype=np.float32)


def posting_blocks(buffer, offset: int, length) -> Iterator[tuple[int, tuple, object, object]]:
    """One term's posting blocks, read by position from a postings file's bytes (the W3 layout:
    a magic number, then per block its signed length, its pickled info and its pickled data,
    zlib-compressed when the info says so), without a file cursor or a matcher. Yields per block
    its count and its raw ids (deltas from the previous id, the first from zero), weights and
    values as stored."""
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length in a 1-tuple
        length = length[0]
    if bytes(buffer[offset : offset + 4]) != _W3_MAGIC:
        raise ValueError(f"no posting blocks at offset {offset}")
    position = offset + 4
    end = offset + length
    while position < end:
        size = _BLOCK_LENGTH.unpack_from(buffer, position)[0]
        block_end = position + 4 + abs(size)
        stream = io.BytesIO(buffer[position + 4 : block_end])
        count, _, _, compression, _, _ = pickle.load(stream)
        data = stream.read()
        raw_ids, raw_weights, raw_values = pickle.loads(
            zlib.decompress(data) if compression else data
        )
        yield count, raw_ids, raw_weights, raw_values
        position = block_end
        if size < 0:  # the last block
            break


def _read_mapped(postfile: MappedFile, offset: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """One term's document numbers and weights from the mapped postings file."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for count, raw_ids, raw_weights, _ in posting_blocks(postfile._buffer, offset, length):  # noqa: SLF001
        ids.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))
        weights.append(_block_weights(raw_weights, count))
    if len(ids) == 1:
        return ids[0], weights[0]
    return np.concatenate(ids), np.concatenate(weights)


def _read_blocks(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while True:
        if matcher._data is None:  # noqa: SLF001
            matcher._read_data()  # noqa: SLF001
        raw_ids, raw_weights, _ = matcher._data  # noqa: SLF001
        count = matcher._blocklength  # noqa: SLF001
        block_ids = np.asarray(raw_ids, dtype=np.int64)
        if not matcher._byteids:  # noqa: SLF001 - stored as deltas from the previous id
            block_ids = np.cumsum(block_ids)
        ids.append(block_ids)
        weights.append(_block_weights(raw_weights, count))
        if matcher._lastblock:  # noqa: SLF001
            break
        matcher._goto(matcher._nextoffset)  # noqa: SLF001
    if len(ids) == 1:
        return ids[0], weights[0]
    return np.concatenate(ids), np.concatenate(weights)
