"""Reading a term's postings a block at a time into numpy arrays.

Whoosh's matchers step through postings one document at a time in Python; for counting and
scoring every match that is the whole cost. Its W3 codec stores postings in blocks of up to 128,
each decoded in one call, so reading block by block is many times faster.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import IndexReader, TermNotFound

_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


def leaf_readers(reader: IndexReader) -> Iterator[tuple[IndexReader, int]]:
    """Each segment's reader and the offset of its first document."""
    if reader.is_atomic():
        yield reader, 0
    else:
        yield from reader.leaf_readers()


def read_postings(reader: IndexReader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (int64, ascending) and weights (float32) of one term, deleted included.

    Callers mask out deleted documents with the live column.
    """
    doc_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    for leaf, offset in leaf_readers(reader):
        if not hasattr(leaf, "_terms"):  # an empty reader
            continue
        try:
            matcher = leaf._terms.matcher(  # noqa: SLF001 - the raw matcher, without deletions
                fieldname, leaf._text_to_bytes(fieldname, text), leaf.schema[fieldname].format
            )
        except (TermNotFound, KeyError):
            continue
        if isinstance(matcher, W3LeafMatcher):
            docs, weights = _read_blocks(matcher)
        else:  # another codec: the slow, general way
            items = list(matcher.items_as("weight"))
            docs = np.fromiter((d for d, _ in items), dtype=np.int64, count=len(items))
            weights = np.fromiter((w for _, w in items), dtype=np.float32, count=len(items))
        doc_parts.append(docs + offset)
        weight_parts.append(weights)
    if not doc_parts:
        return _EMPTY_DOCS, _EMPTY_WEIGHTS
    if len(doc_parts) == 1:
        return doc_parts[0], weight_parts[0]
    return np.concatenate(doc_parts), np.concatenate(weight_parts)


def _read_blocks(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while True:
        matcher._read_ids()  # noqa: SLF001
        matcher._read_weights()  # noqa: SLF001
        ids.append(np.asarray(matcher._ids, dtype=np.int64))  # noqa: SLF001
        weights.append(np.asarray(matcher._weights, dtype=np.float32))  # noqa: SLF001
        if matcher._lastblock:  # noqa: SLF001
            break
        matcher._goto(matcher._nextoffset)  # noqa: SLF001
    if len(ids) == 1:
        return ids[0], weights[0]
    return np.concatenate(ids), np.concatenate(weights)
