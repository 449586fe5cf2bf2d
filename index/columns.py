"""Per-document columns as numpy arrays, built once per index generation.

Facet counts, filters, date ranges, sorting and BM25 length normalisation all read these arrays
instead of asking Whoosh one document at a time: counting a facet over 100k matches is one
``bincount``. This is how Lucene's doc values and Elasticsearch's aggregations do it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

from index.postings import leaf_readers, read_postings
from index.schema import TEXT_FIELDS

# Facet name (as in the API) -> the exact-values field that holds it.
FACET_FIELDS = {
    "source": "source_value",
    "author": "author_value",
    "tag": "tag_value",
    "language": "language",
}


@dataclass
class ValueColumn:
    """A multi-valued column: pairs (document, value id), as a CSR-free flat list."""

    values: list[str]
    docs: np.ndarray  # int32, one entry per (document, value) pair
    value_ids: np.ndarray  # int32, same length
    index_of: dict[str, int]

    @classmethod
    def build(cls, reader: IndexReader, fieldname: str) -> ValueColumn:
        values: list[str] = []
        doc_parts: list[np.ndarray] = []
        id_parts: list[np.ndarray] = []
        for term in reader.field_terms(fieldname):
            docs, _ = read_postings(reader, fieldname, term)
            if not len(docs):
                continue
            doc_parts.append(docs)
            id_parts.append(np.full(len(docs), len(values), dtype=np.int32))
            values.append(term)
        docs = np.concatenate(doc_parts).astype(np.int32) if doc_parts else np.zeros(0, np.int32)
        ids = np.concatenate(id_parts) if id_parts else np.zeros(0, np.int32)
        return cls(values, docs, ids, {value: i for i, value in enumerate(values)})

    def mask_for(self, selected: tuple[str, ...], size: int) -> np.ndarray:
        """Documents holding any of ``selected`` (several values of one facet combine with OR)."""
        wanted = [self.index_of[value] for value in selected if value in self.index_of]
        mask = np.zeros(size, dtype=bool)
        if wanted:
            mask[self.docs[np.isin(self.value_ids, wanted)]] = True
        return mask

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """How many documents of ``mask`` hold each value."""
        return np.bincount(self.value_ids[mask[self.docs]], minlength=len(self.values))


@dataclass
class Columns:
    """Everything per document that searches need, for one index generation."""

    size: int
    live: np.ndarray  # bool: not deleted
    published: np.ndarray  # int64 seconds since the epoch; -1 when undated
    day: np.ndarray  # int32 YYYYMMDD of the publication's local date; -1 when undated
    lengths: dict[str, np.ndarray]  # float32 field length (terms) per document
    average_length: dict[str, float]
    facets: dict[str, ValueColumn]

    @classmethod
    def build(cls, reader: IndexReader) -> Columns:
        size = reader.doc_count_all()
        live = np.ones(size, dtype=bool)
        if reader.has_deletions():
            for leaf, offset in leaf_readers(reader):
                for docnum in leaf.deleted_docs():
                    live[offset + docnum] = False
        published = _numeric_column(reader, "published", size, np.int64)
        day = _numeric_column(reader, "day", size, np.int32)
        lengths: dict[str, np.ndarray] = {}
        average: dict[str, float] = {}
        live_count = max(int(live.sum()), 1)
        for name in TEXT_FIELDS:
            column = np.zeros(size, dtype=np.float32)
            for leaf, offset in leaf_readers(reader):
                column[offset : offset + leaf.doc_count_all()] = _lengths(leaf, name)
            lengths[name] = column
            average[name] = max(float(column[live].sum()) / live_count, 1.0)
        facets = {facet: ValueColumn.build(reader, field) for facet, field in FACET_FIELDS.items()}
        return cls(size, live, published, day, lengths, average, facets)


# Whoosh stores a field's length per document as one byte; this table decodes all 256 at once.
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def _lengths(leaf: IndexReader, fieldname: str) -> np.ndarray:
    count = leaf.doc_count_all()
    perdoc = getattr(leaf, "_perdoc", None)  # Whoosh has no public bulk access to lengths
    if perdoc is None:  # an empty reader
        return np.zeros(count, dtype=np.float32)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)  # noqa: SLF001
    if column is None:
        return np.zeros(count, dtype=np.float32)
    raw = np.fromiter((int(b or 0) for b in column), dtype=np.uint8, count=count)
    return _BYTE_TO_LENGTH[raw]


def _numeric_column(reader: IndexReader, fieldname: str, size: int, dtype) -> np.ndarray:
    if size == 0:  # an empty index has no columns at all
        return np.zeros(0, dtype=dtype)
    column = reader.column_reader(fieldname, translate=True)
    values = np.fromiter((int(v) for v in column), dtype=np.int64, count=size)
    return values.astype(dtype)
