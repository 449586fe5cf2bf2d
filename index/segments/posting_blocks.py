"""A segment's term table and posting blocks, written in the Whoosh 3 codec's own file formats
(what ``W3Codec`` reads: Whoosh's searcher, its merging and this archive's all read them), from
postings already gathered in term order: by
:class:`~index.segments.segment_writer.FastSegmentWriter` for new documents, by
:mod:`index.segments.merging` for merged segments. Streamed, a few thousand terms at a time; blocks
of a single posting are stored without zlib (compressing 40 bytes only makes them larger).
"""

from __future__ import annotations

import zlib
from array import array
from hashlib import md5
from operator import itemgetter, sub
from pickle import HIGHEST_PROTOCOL, dumps
from struct import Struct

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from index.segments.posting_arrays import ID_FIELD
from index.text.words import FIELDS as WORD_FIELDS

_MAGIC = b"W3Bl"
_INT = Struct("!i")
_TERMINFO = Struct("!BfIBBfII")
_POINTER = Struct("!qi")
_KV_LENGTHS = Struct("!ii")  # filetables.HashWriter's record header
# Block data may use any pickle protocol: W3LeafMatcher unpickles it with ``loads``. The
# newest is faster to write and stores the position bytes without a latin-1 detour.
_PICKLE = HIGHEST_PROTOCOL
_FIELD_ID = Struct("!H")
BLOCK_LIMIT = 128
COMPRESSION = 3
# Pickled block data shorter than this is stored uncompressed.
COMPRESS_FROM = 256


def quantized_length(length: int) -> int:
    """The field length as Whoosh stores it (one byte) and reads it back."""
    return byte_to_length(length_to_byte(length)) if length else 0


def _field_terms(postings: dict, text: tuple | None, is_text: bool):
    """``(term bytes, docs, weights, values)`` of one field in term order, from the token
    postings (``text``, see ``_text_postings``) and the dict postings (merged, non-text)."""
    from_dicts = (
        (term.encode("utf-8") if is_text else term, postings[term]) for term in sorted(postings)
    )
    if text is None:
        for key, lst in from_dicts:
            docs, weights, values = zip(*lst, strict=True)
            yield key, docs, weights, values
        return
    terms, bounds, docs, weights, values = text
    pending = next(from_dicts, None)
    for index, term in enumerate(terms):
        key = term.encode("utf-8")
        while pending is not None and pending[0] < key:
            more_docs, more_weights, more_values = zip(*pending[1], strict=True)
            yield pending[0], more_docs, more_weights, more_values
            pending = next(from_dicts, None)
        lo, hi = bounds[index], bounds[index + 1]
        if pending is not None and pending[0] == key:
            more_docs, more_weights, more_values = zip(*pending[1], strict=True)
            yield (
                key,
                docs[lo:hi] + list(more_docs),
                weights[lo:hi] + list(more_weights),
                values[lo:hi] + list(more_values),
            )
            pending = next(from_dicts, None)
        else:
            yield key, docs[lo:hi], weights[lo:hi], values[lo:hi]
    while pending is not None:
        more_docs, more_weights, more_values = zip(*pending[1], strict=True)
        yield pending[0], more_docs, more_weights, more_values
        pending = next(from_dicts, None)


def write_fields(
    tindex, postfile, fieldmap, postings, text, lengths, text_fields, arrays=None
) -> None:
    """Write the term table and posting blocks of every field, in field and term order.

    ``tindex`` is the segment's ``OrderedHashWriter`` (its records are written here as its
    ``add`` would write them), ``postfile`` the segment's postings file, ``arrays`` the writer of
    its frequent terms' arrays (:mod:`index.segments.posting_arrays`).
    """

    def terms():
        for fieldname in sorted(set(postings) | set(text)):
            field_terms = _field_terms(
                postings.get(fieldname, {}), text.get(fieldname), fieldname in text_fields
            )
            for tbytes, docs, weights, values in field_terms:
                yield fieldname, tbytes, docs, weights, values

    try:
        write_terms(tindex, postfile, fieldmap, terms(), lengths, arrays)
    finally:
        if arrays is not None:
            arrays.close()


def write_terms(tindex, postfile, fieldmap, terms, lengths, arrays=None) -> None:
    """Write ``terms``, ``(field, term bytes, docs, weights, values)`` in field and term order,
    as the term table and the posting blocks of a segment; streamed, a few thousand at a time.
    ``lengths``: field -> the quantized field length of each document (by document number);
    ``arrays``: a ``PostingArraysWriter`` that also keeps the frequent terms as arrays."""
    terms_file = tindex.dbfile.raw_file()
    posts_file = postfile.raw_file()
    term_offset = terms_file.tell()
    post_offset = posts_file.tell()
    buckets = tindex.buckets
    key_offsets: list[int] = []
    term_chunks: list[bytes] = []
    post_chunks: list[bytes] = []
    key = b""
    current = None
    if arrays is not None:
        arrays.documents = max((len(column) for column in lengths.values()), default=0)
    for fieldname, tbytes, docs, weights, values in terms:
        if fieldname != current:
            current = fieldname
            prefix = _FIELD_ID.pack(fieldmap.setdefault(fieldname, len(fieldmap)))
            field_lengths = lengths.get(fieldname) or [0]
            scorable = any(field_lengths)
            length_array = np.asarray(field_lengths, dtype=np.int64)
        key = prefix + tbytes
        if arrays is not None:
            if len(docs) >= arrays.threshold:
                arrays.add(fieldname, tbytes, docs, weights)
            if fieldname == ID_FIELD:
                arrays.add_id(tbytes)
            elif fieldname in WORD_FIELDS:
                arrays.add_word(tbytes, len(docs))
        chunk = _posting_blocks(docs, weights, values, field_lengths, scorable, length_array)
        value = chunk[0] + _POINTER.pack(post_offset, len(chunk[1]))
        post_chunks.append(chunk[1])
        post_offset += len(chunk[1])
        record = _KV_LENGTHS.pack(len(key), len(value)) + key + value
        key_offsets.append(term_offset)
        digest = md5(key, usedforsecurity=False).digest()
        hashed = int.from_bytes(digest[12:], "big")  # filetables.md5_hash
        buckets[hashed & 255].append((hashed, term_offset))
        term_chunks.append(record)
        term_offset += len(record)
        if len(term_chunks) >= 4096:
            terms_file.write(b"".join(term_chunks))
            posts_file.write(b"".join(post_chunks))
            term_chunks.clear()
            post_chunks.clear()
    terms_file.write(b"".join(term_chunks))
    posts_file.write(b"".join(post_chunks))
    if key_offsets:
        tindex.index.extend(key_offsets)
        tindex.lastkey = key


def _posting_blocks(
    docs, weights, values, field_lengths: list[int], scorable: bool, length_array=None
):
    """One term's postings as W3 blocks: ``(fixed part of its W3TermInfo, block bytes)``.
    ``length_array``: ``field_lengths`` as a numpy array, for terms of many blocks."""
    count = len(docs)
    if count == 1:
        # Most terms of a segment: one block of one posting.
        docnum = docs[0]
        value = values[0]
        weight = _float32(weights[0])
        length = field_lengths[docnum] if scorable and docnum < len(field_lengths) else 0
        data = dumps(((docnum,), None if weight == 1.0 else weight, (value,)), _PICKLE)
        length_byte = length_to_byte(length or None)
        info = dumps((1, docnum, weight if weight > 0 else 0, 0, length_byte, length_byte), 2)
        block = b"".join((_MAGIC, _INT.pack(-(len(info) + len(data))), info, data))
        return (
            _TERMINFO.pack(
                0,
                weight,
                1,
                length_byte if length else 0,
                length_byte,
                weight if weight > 0 else 0,
                docnum,
                docnum,
            ),
            block,
        )
    if count > BLOCK_LIMIT:
        if length_array is None:
            length_array = np.asarray(field_lengths, dtype=np.int64)
        return _many_blocks(docs, weights, values, length_array, scorable)
    # One block: fewer postings than BLOCK_LIMIT.
    ids, block_values = tuple(docs), tuple(values)
    block_weights = array("f", weights).tolist()
    if scorable:
        block_lengths = [length for length in _lengths_of(ids, field_lengths) if length]
    else:
        block_lengths = ()
    min_length = min(block_lengths) if block_lengths else None
    max_length = max(block_lengths) if block_lengths else 0
    max_weight = max(max(block_weights), 0)
    deltas = (ids[0], *map(sub, ids[1:], ids))
    if len(set(block_weights)) == 1:
        mini_weights = None if block_weights[0] == 1.0 else block_weights[0]
    else:
        mini_weights = tuple(block_weights)
    data = dumps((deltas, mini_weights, block_values), _PICKLE)
    compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
    if compression:
        data = zlib.compress(data, compression)
    blockinfo = dumps(
        (
            count,
            ids[-1],
            max_weight,
            compression,
            length_to_byte(min_length),
            length_to_byte(max_length),
        ),
        2,
    )
    block = b"".join((_MAGIC, _INT.pack(-(len(blockinfo) + len(data))), blockinfo, data))
    info = _TERMINFO.pack(
        0,
        sum(block_weights),
        count,
        0 if min_length is None else length_to_byte(min_length),
        length_to_byte(max_length),
        max_weight,
        docs[0],
        docs[-1],
    )
    return info, block


def _many_blocks(docs, weights, values, known: np.ndarray, scorable: bool):
    """``_posting_blocks`` of a term with more postings than one block holds: the same bytes,
    the statistics of every block computed at once with numpy."""
    count = len(docs)
    ids = np.asarray(docs, dtype=np.int64)
    floats = np.asarray(weights, dtype=np.float32)
    starts = np.arange(0, count, BLOCK_LIMIT)
    deltas = np.empty(count, dtype=np.int64)
    deltas[0] = ids[0]
    np.subtract(ids[1:], ids[:-1], out=deltas[1:])
    deltas[starts] = ids[starts]  # each block starts from zero
    block_max = np.maximum.reduceat(floats, starts)
    block_min_weight = np.minimum.reduceat(floats, starts)
    block_sum = np.add.reduceat(floats.astype(np.float64), starts)
    if scorable:
        lengths = np.zeros(count, dtype=np.int64)
        inside = ids < len(known)
        lengths[inside] = known[ids[inside]]
        shortest = np.minimum.reduceat(
            np.where(lengths > 0, lengths, np.iinfo(np.int64).max), starts
        )
        longest = np.maximum.reduceat(lengths, starts)
    delta_lists = deltas.tolist()
    weight_lists = floats.tolist()
    last_ids = ids[np.minimum(starts + BLOCK_LIMIT, count) - 1].tolist()
    chunks = [_MAGIC]
    min_length = None
    max_length = 0
    for number, start in enumerate(starts.tolist()):
        stop = min(start + BLOCK_LIMIT, count)
        heaviest = float(block_max[number])
        if heaviest == float(block_min_weight[number]):
            mini_weights = None if heaviest == 1.0 else heaviest
        else:
            mini_weights = tuple(weight_lists[start:stop])
        data = dumps(
            (tuple(delta_lists[start:stop]), mini_weights, tuple(values[start:stop])), _PICKLE
        )
        compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        block_min = block_top = None
        if scorable and longest[number] > 0:
            block_min, block_top = int(shortest[number]), int(longest[number])
            if min_length is None or block_min < min_length:
                min_length = block_min
            max_length = max(max_length, block_top)
        blockinfo = dumps(
            (
                stop - start,
                last_ids[number],
                max(heaviest, 0),
                compression,
                length_to_byte(block_min),
                length_to_byte(block_top or 0),
            ),
            2,
        )
        size = len(blockinfo) + len(data)
        chunks.append(_INT.pack(-size if stop >= count else size))
        chunks.append(blockinfo)
        chunks.append(data)
    total_weight = 0.0
    for value in block_sum.tolist():
        total_weight += value
    info = _TERMINFO.pack(
        0,
        total_weight,
        count,
        0 if min_length is None else length_to_byte(min_length),
        length_to_byte(max_length),
        max(float(block_max.max()), 0),
        int(ids[0]),
        int(ids[-1]),
    )
    return info, b"".join(chunks)


def _lengths_of(ids, field_lengths: list[int]):
    if ids[-1] < len(field_lengths):
        return itemgetter(*ids)(field_lengths) if len(ids) > 1 else (field_lengths[ids[0]],)
    return [field_lengths[d] if d < len(field_lengths) else 0 for d in ids]


def _float32(value: float) -> float:
    return value if value in _EXACT else array("f", (value,))[0]


_EXACT = {n * b for n in range(1, 64) for b in (1.0, 1.5, 2.5)}
