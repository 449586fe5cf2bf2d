"""A segment's frequent terms as plain arrays, beside its posting blocks.

Whoosh's W3 codec keeps postings in blocks of 128, each pickled and compressed together with the
positions of its words. Reading the postings of a word found in half of a million articles means
decoding thousands of such blocks: hundreds of milliseconds for one word, every time a search
meets it for the first time. So every term with at least ``ARRAY_FROM_POSTINGS`` postings in a
segment is also written, when the segment is written or merged, as two arrays: its document
numbers (int32) and its weights (the term's frequency in the document times the field's boost,
in half units as uint16 when that is exact, float32 otherwise). They go into one more file of
the segment (``.arr``, inside its compound file), read as a view of the memory-mapped file:
nothing decoded, nothing copied, nothing held in memory but the table of terms.

The file also holds a sorted array of 64-bit hashes of the segment's article ids, so that an
import asks a segment for an id only when the id may be there: a new article costs a binary search
per segment, not a lookup in each segment's term table. And it holds the segment's words for "Did
you mean" (:mod:`index.segments.vocabulary`), chosen as the segment is written: a server reads them
in milliseconds, where walking the term table of a segment of 50,000 articles took half a second.

Stock Whoosh ignores the file: the posting blocks remain the index, and a segment without the
file (written by Whoosh itself, or before this file existed) is read from its blocks.

Layout: ``ARKA``, a version byte, padding to 8; the arrays, each at an offset divisible by 4;
then the table, a pickled dict ``(field, term bytes) -> (offset, count, halves)`` (the id hashes
under ``IDS_KEY``), and last the table's offset (8 bytes, little-endian).
"""

from __future__ import annotations

import pickle
import struct
import sys
from hashlib import blake2b

import numpy as np
from whoosh.reading import IndexReader

from index.segments.storage import MappedFile
from index.text.words import is_word, select_words

EXTENSION = ".arr"
# Half of a 50,000-article segment's body postings are in terms of 2,048 or more, two thirds in
# terms of 1,024 or more: a word in a twentieth of the archive ("tom", 40,000 articles at a
# million, 1,700 a segment) was decoded from 316 blocks at every search that met it (18 ms). Each
# term kept costs its table entry in a server's memory (275 bytes: 8 MB more at a million).
ARRAY_FROM_POSTINGS = 1_024
MAGIC = b"ARKA\x01\x00\x00\x00"
_TABLE_OFFSET = struct.Struct("<Q")
_LITTLE = sys.byteorder == "little"
ID_FIELD = "id"
IDS_KEY = ("", b"ids")  # no field has an empty name
WORDS_KEY = ("", b"words")


def id_hash(term: bytes) -> int:
    """The 64-bit hash of an article id (its term bytes) that the id array holds."""
    return int.from_bytes(blake2b(term, digest_size=8).digest(), "little")


class PostingArraysWriter:
    """Writes the arrays of one segment's frequent terms, streamed as the terms are written."""

    def __init__(self, file, threshold: int | None = None):
        # Terms with fewer postings are not written (read at the time of writing, so that a
        # test can lower it).
        self.threshold = ARRAY_FROM_POSTINGS if threshold is None else threshold
        self._file = file
        self._file.write(MAGIC)
        self._position = len(MAGIC)
        self._table: dict[tuple[str, bytes], tuple[int, int, bool]] = {}
        self._id_hashes: list[int] = []
        self._words: dict[str, int] = {}
        self.documents = 0  # how many documents the segment has (set by its writer)

    def add_id(self, term: bytes) -> None:
        """One article id of the segment (the terms of the id field, in any order)."""
        self._id_hashes.append(id_hash(term))

    def add_word(self, term: bytes, documents: int) -> None:
        """A term of a field the vocabulary reads, with the number of documents holding it."""
        word = term.decode("utf-8")
        if documents > self._words.get(word, 0) and is_word(word):
            self._words[word] = documents

    def add(self, fieldname: str, term: bytes, docs, weights) -> None:
        """Keep ``term``'s postings (ascending document numbers) when it is frequent enough."""
        count = len(docs)
        if count < self.threshold:
            return
        doc_array = np.asarray(docs, dtype="<i4")
        weight_array = np.asarray(weights, dtype=np.float32)
        halves = weight_array * 2
        exact = bool(np.all(halves == np.round(halves)) and halves.max(initial=0) <= 65535)
        weight_bytes = (halves.astype("<u2") if exact else weight_array.astype("<f4")).tobytes()
        offset = self._position
        self._write(doc_array.tobytes())
        self._write(weight_bytes)
        self._write(b"\0" * (-self._position % 4))
        self._table[(fieldname, bytes(term))] = (offset, count, exact)

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._position += len(data)

    def close(self) -> None:
        if self._id_hashes:
            hashes = np.sort(np.asarray(self._id_hashes, dtype="<u8"))
            self._write(b"\0" * (-self._position % 8))
            self._table[IDS_KEY] = (self._position, len(hashes), False)
            self._write(hashes.tobytes())
        words = select_words(self._words, self.documents)
        if words:
            text = "\n".join(f"{word}\t{n}" for word, n in words.items()).encode("utf-8")
            self._table[WORDS_KEY] = (self._position, len(text), False)
            self._write(text)
        table_offset = self._position
        self._write(pickle.dumps(self._table, protocol=pickle.HIGHEST_PROTOCOL))
        self._write(_TABLE_OFFSET.pack(table_offset))
        self._file.close()


class PostingArrays:
    """The arrays of one segment, read in place."""

    def __init__(self, buffer: memoryview):
        if bytes(buffer[: len(MAGIC)]) != MAGIC:
            raise ValueError("not a posting arrays file")
        (table_offset,) = _TABLE_OFFSET.unpack(bytes(buffer[-_TABLE_OFFSET.size :]))
        self._buffer = buffer
        self._table = pickle.loads(buffer[table_offset : -_TABLE_OFFSET.size])

    def __len__(self) -> int:
        """How many terms it holds arrays of."""
        return len(self._table) - (IDS_KEY in self._table) - (WORDS_KEY in self._table)

    def words(self) -> dict[str, int] | None:
        """The segment's words for suggestions and their document counts (None in a file
        written without them: the term table is read instead)."""
        entry = self._table.get(WORDS_KEY)
        if entry is None:
            return None
        offset, length, _ = entry
        text = bytes(self._buffer[offset : offset + length]).decode("utf-8")
        return {word: int(n) for word, _, n in (line.partition("\t") for line in text.split("\n"))}

    def id_hashes(self) -> np.ndarray | None:
        """The sorted hashes of the segment's ids (None in a file written without them)."""
        entry = self._table.get(IDS_KEY)
        if entry is None:
            return None
        offset, count, _ = entry
        return np.frombuffer(self._buffer, dtype="<u8", count=count, offset=offset)

    def get(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Document numbers (int32, ascending) and weights (float32) of a frequent term; None
        for a term the file does not hold (one with fewer postings, or none)."""
        entry = self._table.get((fieldname, term))
        if entry is None:
            return None
        offset, count, halves = entry
        docs = np.frombuffer(self._buffer, dtype="<i4", count=count, offset=offset)
        weights_at = offset + 4 * count
        if halves:
            raw = np.frombuffer(self._buffer, dtype="<u2", count=count, offset=weights_at)
            weights = raw.astype(np.float32) * np.float32(0.5)
        else:
            weights = np.frombuffer(self._buffer, dtype="<f4", count=count, offset=weights_at)
        if not _LITTLE:  # pragma: no cover - the file is little-endian everywhere
            docs, weights = docs.astype(np.int32), weights.astype(np.float32)
        return docs, weights


def create_writer(storage, segment) -> PostingArraysWriter:
    """A writer of ``segment``'s arrays file in ``storage`` (before its compound file is made)."""
    return PostingArraysWriter(segment.create_file(storage, EXTENSION))


_NOT_WRITTEN = object()


def posting_arrays(leaf: IndexReader) -> PostingArrays | None:
    """The arrays of the segment ``leaf`` reads, or None when it has none. Opened once per
    reader (a view of the index keeps its readers for its lifetime)."""
    found = getattr(leaf, "_arkhiv_posting_arrays", _NOT_WRITTEN)
    if found is _NOT_WRITTEN:
        found = _open(leaf)
        leaf._arkhiv_posting_arrays = found  # noqa: SLF001 - cached on the reader it belongs to
    return found


def _open(leaf: IndexReader) -> PostingArrays | None:
    segment = leaf.segment() if leaf.is_atomic() else None
    storage = getattr(leaf, "_storage", None)
    if segment is None or storage is None:
        return None
    name = segment.make_filename(EXTENSION)
    if not storage.file_exists(name):
        return None
    file = storage.open_file(name)
    if not isinstance(file, MappedFile):  # pragma: no cover - only ArchiveStorage maps files
        return None
    return PostingArrays(file._buffer)  # noqa: SLF001 - the mapped bytes, read in place
