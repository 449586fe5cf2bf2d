"""A lean write path to ordinary Whoosh segments.

Whoosh's ``SegmentWriter`` sends every posting through a generic sorting pool as a 5-tuple, sorts
them all at commit, looks up the document's field length once per posting and writes each term
through several layers of per-posting calls; for this archive (about 380 postings an article,
most terms with a single posting) that is most of the cost of indexing. This writer keeps the
postings of a segment in plain dicts (field -> term -> postings in document order), knows the
field lengths of its documents, and writes the finished segment with the Whoosh 3 codec's own
file formats: the posting blocks, the term table and the per-document columns are exactly what
``W3Codec`` reads, so Whoosh's searcher, its merging and this writer's merging all read them.

The differences from Whoosh's writer are in how, not what:

* the text fields (:class:`index.schema.ArticleText`) are analysed by :func:`text_positions`,
  which groups a field's tokens by word before looking up the word's terms;
* small posting blocks are stored without zlib (Whoosh writes the compression flag per block and
  its reader honours it): compressing the 40 bytes of a single posting only makes them larger.
"""

from __future__ import annotations

import re
import zlib
from array import array
from hashlib import md5
from operator import itemgetter, sub
from pickle import HIGHEST_PROTOCOL, dumps
from struct import Struct

from whoosh.codec.whoosh3 import W3Codec
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from index.analysis import WORD_PATTERN, word_terms

# Words exactly as ``index.analysis.tokenize`` finds them (same pattern); positions are the
# running number of the word in the text.
_find_words = re.compile(WORD_PATTERN).findall

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


# word as written -> its terms: ``word_terms`` without a call per word (it is cached there too)
_TERMS_OF: dict[str, tuple[str, ...]] = {}
_TERMS_LIMIT = 1 << 19


def text_positions(text: str) -> tuple[dict[str, list[int]], int]:
    """Map each index term of ``text`` to its positions; also the field length (term count).

    The same as collecting ``word_terms(word)`` for every ``(position, word)`` of
    ``index.analysis.tokenize``, done once per distinct word instead of once per token.
    """
    by_word: dict[str, list[int]] = {}
    get = by_word.get
    for position, word in enumerate(_find_words(text)):
        where = get(word)
        if where is None:
            by_word[word] = [position]
        else:
            where.append(position)
    positions: dict[str, list[int]] = {}
    mixed = []
    length = 0
    cached = _TERMS_OF.get
    for word, where in by_word.items():
        terms = cached(word)
        if terms is None:
            if len(_TERMS_OF) >= _TERMS_LIMIT:
                _TERMS_OF.clear()
            terms = _TERMS_OF[word] = word_terms(word)
        length += len(where) * len(terms)
        for term in terms:
            have = positions.get(term)
            if have is None:
                positions[term] = where  # shared between a word's terms; never changed in place
            else:
                positions[term] = have + where
                mixed.append(term)
    for term in mixed:
        positions[term].sort()
    return positions, length


class PositionEncoder:
    """``formats.Positions.encode`` with the single-position case (most postings) cached."""

    def __init__(self):
        self.singles: list[bytes] = []  # by position

    def single(self, position: int) -> bytes:
        singles = self.singles
        if position >= len(singles):
            singles.extend(
                pack_uint(1) + dumps([p], 2) for p in range(len(singles), position + 256)
            )
        return singles[position]

    def __call__(self, positions: list[int]) -> bytes:
        if len(positions) == 1:
            return self.single(positions[0])
        deltas = [positions[0]]
        deltas += [b - a for a, b in zip(positions, positions[1:], strict=False)]
        return pack_uint(len(deltas)) + dumps(deltas, 2)


def _text_field_names(schema) -> set[str]:
    from index.schema import ArticleText

    return {name for name, field in schema.items() if isinstance(field, ArticleText)}


class FastSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` with per-term posting lists instead of Whoosh's sorting pool.

    Documents, deletions, merges (``add_reader``), commit and cancel behave as in Whoosh.
    """

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", W3Codec())
        super().__init__(ix, **kwargs)
        if not isinstance(self.codec, W3Codec):
            raise TypeError("FastSegmentWriter writes Whoosh 3 (W3Codec) segments only")
        self._text_fields = _text_field_names(self.schema)
        # field -> term (str for text fields, else bytes) -> [(docnum, weight, value), ...]
        self._postings: dict[str, dict] = {}
        # field -> field length of each document of this segment (quantized), by docnum
        self._lengths: dict[str, list[int]] = {}
        self._encode = PositionEncoder()

    # -- documents ---------------------------------------------------------------------------

    def add_document(self, **fields):
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        all_postings = self._postings
        all_lengths = self._lengths
        encode = self._encode
        singles = encode.singles

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                postings = all_postings.get(fieldname)
                if postings is None:
                    postings = all_postings[fieldname] = {}
                length = 0
                if fieldname in self._text_fields:
                    # Whoosh's weight: count * format boost, then times the field boost.
                    format_boost = field.format.field_boost
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    positions, length = text_positions(value)
                    weight = format_boost * fieldboost
                    if len(singles) <= length:
                        encode.single(length)
                    get = postings.get
                    for term, where in positions.items():
                        if len(where) == 1:
                            posting = (docnum, weight, singles[where[0]])
                        else:
                            posting = (
                                docnum,
                                len(where) * format_boost * fieldboost,
                                encode(where),
                            )
                        have = get(term)
                        if have is None:
                            postings[term] = [posting]
                        else:
                            have.append(posting)
                elif field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        posting = (docnum, weight * fieldboost, vbytes or b"")
                        have = postings.get(tbytes)
                        if have is None:
                            postings[tbytes] = [posting]
                        else:
                            have.append(posting)
                if field.vector or field.separate_spelling():
                    raise NotImplementedError(f"field {fieldname!r}: vectors and spelling")
                if length:
                    lengths = all_lengths.get(fieldname)
                    if lengths is None:
                        lengths = all_lengths[fieldname] = []
                    if len(lengths) < docnum:
                        lengths.extend([0] * (docnum - len(lengths)))
                    lengths.append(quantized_length(length))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(
                    fieldname, field, customval if field.stored else None, length
                )
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    # -- merging: postings of merged segments go to the same lists ---------------------------

    def add_postings_to_pool(self, reader, startdoc, docmap):
        all_postings = self._postings
        text_fields = self._text_fields
        for fieldname, btext, docnum, weight, vbytes in self._process_posts(
            reader.iter_postings(), startdoc, docmap
        ):
            postings = all_postings.get(fieldname)
            if postings is None:
                postings = all_postings[fieldname] = {}
            term = btext.decode("utf-8") if fieldname in text_fields else btext
            posting = (docnum, weight, vbytes or b"")
            have = postings.get(term)
            if have is None:
                postings[term] = [posting]
            else:
                have.append(posting)

    # -- writing the segment -----------------------------------------------------------------

    def _field_lengths(self, pdr) -> dict[str, list[int]]:
        """Field lengths of every document of the segment, merged documents included."""
        count = self.docnum - self.docbase
        lengths = {}
        for fieldname in self._postings:
            known = self._lengths.get(fieldname, [])
            start = len(known)
            more = [pdr.doc_field_length(d, fieldname) or 0 for d in range(start, count)]
            lengths[fieldname] = known + more
        return lengths

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            lengths = self._field_lengths(pdr)
        finally:
            pdr.close()
        fieldwriter = self.fieldwriter
        write_fields(
            fieldwriter._tindex,
            fieldwriter._postfile,
            fieldwriter._fieldmap,
            self._postings,
            lengths,
            self._text_fields,
        )
        self._postings = {}
        fieldwriter.close()


def write_fields(tindex, postfile, fieldmap, postings, lengths, text_fields) -> None:
    """Write the term table and posting blocks of every field, in field and term order.

    ``tindex`` is the segment's ``OrderedHashWriter`` (its records are written here as its
    ``add`` would write them), ``postfile`` the segment's postings file.
    """
    terms_file = tindex.dbfile.raw_file()
    posts_file = postfile.raw_file()
    term_offset = terms_file.tell()
    post_offset = posts_file.tell()
    buckets = tindex.buckets
    key_offsets: list[int] = []
    term_chunks: list[bytes] = []
    post_chunks: list[bytes] = []
    key = b""
    for fieldname in sorted(postings):
        fieldid = fieldmap.setdefault(fieldname, len(fieldmap))
        prefix = _FIELD_ID.pack(fieldid)
        field_lengths = lengths.get(fieldname) or [0]
        scorable = any(field_lengths)
        terms = postings[fieldname]
        text = fieldname in text_fields
        for term in sorted(terms):  # str order is UTF-8 byte order
            key = prefix + (term.encode("utf-8") if text else term)
            chunk = _posting_blocks(terms[term], field_lengths, scorable)
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


def _posting_blocks(postings: list, field_lengths: list[int], scorable: bool):
    """One term's postings as W3 blocks: ``(fixed part of its W3TermInfo, block bytes)``."""
    count = len(postings)
    if count == 1:
        # Most terms of a segment: one block of one posting.
        docnum, weight, value = postings[0]
        weight = _float32(weight)
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
    chunks = [_MAGIC]
    total_weight = 0.0
    max_weight = 0.0
    min_length = None
    max_length = 0
    for start in range(0, count, BLOCK_LIMIT):
        block = postings[start : start + BLOCK_LIMIT] if count > BLOCK_LIMIT else postings
        ids, weights, values = zip(*block, strict=True)
        weights = array("f", weights).tolist()
        if scorable:
            block_lengths = [length for length in _lengths_of(ids, field_lengths) if length]
        else:
            block_lengths = ()
        block_min = min(block_lengths) if block_lengths else None
        block_max = max(block_lengths) if block_lengths else 0
        block_weight = max(weights)
        if block_weight < 0:
            block_weight = 0
        deltas = (ids[0], *map(sub, ids[1:], ids)) if len(ids) > 1 else ids
        distinct = set(weights)
        if len(distinct) == 1:
            mini_weights = None if weights[0] == 1.0 else weights[0]
        else:
            mini_weights = tuple(weights)
        data = dumps((deltas, mini_weights, values), _PICKLE)
        compression = COMPRESSION if len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        blockinfo = dumps(
            (
                len(ids),
                ids[-1],
                block_weight,
                compression,
                length_to_byte(block_min),
                length_to_byte(block_max),
            ),
            2,
        )
        size = len(blockinfo) + len(data)
        chunks.append(_INT.pack(-size if start + BLOCK_LIMIT >= count else size))
        chunks.append(blockinfo)
        chunks.append(data)
        total_weight += sum(weights)
        if block_weight > max_weight:
            max_weight = block_weight
        if block_min is not None and (min_length is None or block_min < min_length):
            min_length = block_min
        if block_max > max_length:
            max_length = block_max
    info = _TERMINFO.pack(
        0,
        total_weight,
        count,
        0 if min_length is None else length_to_byte(min_length),
        length_to_byte(max_length),
        max_weight,
        postings[0][0],
        postings[-1][0],
    )
    return info, b"".join(chunks)


def _lengths_of(ids, field_lengths: list[int]):
    if ids[-1] < len(field_lengths):
        return itemgetter(*ids)(field_lengths) if len(ids) > 1 else (field_lengths[ids[0]],)
    return [field_lengths[d] if d < len(field_lengths) else 0 for d in ids]


def _float32(value: float) -> float:
    return value if value in _EXACT else array("f", (value,))[0]


_EXACT = {n * b for n in range(1, 64) for b in (1.0, 1.5, 2.5)}


__all__ = ["FastSegmentWriter", "PositionEncoder", "quantized_length", "text_positions"]
