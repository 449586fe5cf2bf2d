"""A lean write path to ordinary Whoosh segments.

Whoosh's ``SegmentWriter`` sends every posting through a generic sorting pool as a 5-tuple, sorts
them all at commit, looks up the document's field length once per posting and writes each term
through several layers of per-posting calls; for this archive (about 380 postings an article,
most terms with a single posting) that is most of the cost of indexing. This writer keeps, for
the text fields, only the word id of every token (one dict lookup per token: a word's term ids
are cached in the process-wide :data:`VOCABULARY`) in a flat integer array; at commit numpy
expands tokens to terms, sorts them by field, term and document (a stable argsort) and cuts the
postings out of the sorted arrays. Other fields, and postings of merged segments, go to plain
dicts (field -> term -> postings in document order). The finished segment is written with the
Whoosh 3 codec's own file formats: the posting blocks, the term table and the per-document
columns are exactly what ``W3Codec`` reads, so Whoosh's searcher, its merging and this writer's
merging all read them.

The differences from Whoosh's writer are in how, not what:

* the text fields (:class:`index.segments.schema.ArticleText`) are split into words by the pattern
  of ``index.text.analysis.tokenize`` and each word gets :func:`index.text.analysis.word_terms`;
* small posting blocks are stored without zlib (Whoosh writes the compression flag per block and
  its reader honours it): compressing the 40 bytes of a single posting only makes them larger.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from array import array
from hashlib import md5
from operator import itemgetter, sub
from pickle import HIGHEST_PROTOCOL, dumps
from struct import Struct

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from index.segments.posting_arrays import ID_FIELD, create_writer
from index.text.analysis import WORD_PATTERN, word_terms
from index.text.words import FIELDS as WORD_FIELDS

# Words exactly as ``index.text.analysis.tokenize`` finds them (same pattern); positions are the
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


class _Vocabulary(dict):
    """Word as written -> word id; a word's term ids are ``TERMS[START[id] : START[id] + N[id]]``.

    Process-wide, so that a second segment (and a forked worker) starts warm. A miss analyses the
    word (:func:`index.text.analysis.word_terms`) and gives each new term a term id.
    """

    def __init__(self):
        super().__init__()
        self.nterms: list[int] = []  # by word id
        self.start = array("i")  # by word id: first index into ``terms``
        self.terms = array("i")  # term ids of every word, word after word
        self.term_ids: dict[str, int] = {}
        self.term_text: list[str] = []  # by term id

    def __missing__(self, word: str) -> int:
        term_ids = self.term_ids
        ids = []
        for term in word_terms(word):
            tid = term_ids.get(term)
            if tid is None:
                tid = term_ids[term] = len(self.term_text)
                self.term_text.append(term)
            ids.append(tid)
        wid = len(self.nterms)
        self.start.append(len(self.terms))
        self.terms.extend(ids)
        self.nterms.append(len(ids))
        self[word] = wid
        return wid

    def reset(self) -> None:
        self.clear()
        self.__init__()


VOCABULARY = _Vocabulary()
# Word types the vocabulary may hold when a writer starts (it never shrinks during one).
VOCABULARY_LIMIT = 1 << 21


def prewarm(texts) -> None:
    """Analyse the words of ``texts`` into the vocabulary (before forking workers)."""
    word_id = VOCABULARY.__getitem__
    for text in texts:
        for _ in map(word_id, _find_words(text)):
            pass


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
    from index.segments.schema import ArticleText

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
        # Text fields: the word id of every token, and per run (a text field of a document) its
        # field, document, token count and weight per occurrence; postings are made at commit.
        if len(VOCABULARY) > VOCABULARY_LIMIT:
            VOCABULARY.reset()
        self._text_names = sorted(self._text_fields)
        self._tokens = array("i")
        self._run_field = array("i")
        self._run_doc = array("i")
        self._run_len = array("i")
        self._run_boost = array("d")
        self._added_here = 0  # documents of add_document (merged ones come after them)

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
        text_index = self._text_names.index
        word_id = VOCABULARY.__getitem__
        nterms = VOCABULARY.nterms.__getitem__

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
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    ids = list(map(word_id, _find_words(value)))
                    if ids:
                        length = sum(map(nterms, ids))
                        self._tokens.extend(ids)
                        self._run_field.append(text_index(fieldname))
                        self._run_doc.append(docnum)
                        self._run_len.append(len(ids))
                        self._run_boost.append(field.format.field_boost * fieldboost)
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
        self._added_here = self.docnum - self.docbase

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

    # -- committing --------------------------------------------------------------------------

    def _commit_toc(self, segments):
        """Write the table of contents naming ``segments``, then remove what this commit made
        obsolete: older tables of contents and the segments merged away. Not Whoosh's
        ``clean_files``, which removes every file no commit names, including the segments that
        worker processes are still writing for the next commit."""
        from whoosh.index import TOC

        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        kept = {segment.segment_id() for segment in segments}
        obsolete = {
            segment.segment_id()
            for segment in [*self.segments, *getattr(self, "merged_away", [])]
            if segment.segment_id() not in kept
        }
        prefixes = tuple(f"{segment_id}." for segment_id in obsolete)
        table = re.compile(rf"_{re.escape(self.indexname)}_(\d+)\.toc")
        for name in self.storage.list():
            old_table = table.fullmatch(name)
            if (prefixes and name.startswith(prefixes)) or (
                old_table and int(old_table.group(1)) < self.generation
            ):
                with contextlib.suppress(OSError):  # already gone
                    self.storage.delete_file(name)

    # -- writing the segment -----------------------------------------------------------------

    def _field_lengths(self, pdr) -> dict[str, list[int]]:
        """Field lengths of every document of the segment, merged documents included."""
        count = self.docnum - self.docbase
        added = self._added_here
        lengths = {}
        for fieldname in set(self._postings) | set(self._text_fields):
            known = self._lengths.get(fieldname, [])
            if len(known) < added:
                known = known + [0] * (added - len(known))
            start = len(known)
            more = [pdr.doc_field_length(d, fieldname) or 0 for d in range(start, count)]
            lengths[fieldname] = known + more
        return lengths

    def _text_postings(self) -> dict[str, tuple]:
        """The postings of the text fields' tokens, per field: its terms in order, where each
        term's postings start (and the end), and the postings as three parallel lists (document
        numbers, weights as float32 values, encoded positions)."""
        if not self._tokens:
            return {}
        vocab = VOCABULARY
        tokens = np.frombuffer(self._tokens, dtype=np.int32)
        run_len = np.frombuffer(self._run_len, dtype=np.int32).astype(np.int64)
        runs = len(run_len)
        nterms = np.array(vocab.nterms, dtype=np.int64)
        word_start = np.frombuffer(vocab.start, dtype=np.int32)
        flat = np.frombuffer(vocab.terms, dtype=np.int32)
        # Each token's position in its run, and its run.
        run_first = np.cumsum(run_len) - run_len
        token_run = np.repeat(np.arange(runs, dtype=np.int32), run_len)
        position = (np.arange(len(tokens), dtype=np.int64) - run_first[token_run]).astype(np.int32)
        # Each token expanded to its terms (an entry per term of each token).
        per_token = nterms[tokens]
        entries = int(per_token.sum())
        entry_token = np.repeat(np.arange(len(tokens), dtype=np.int64), per_token)
        entry_first = np.cumsum(per_token) - per_token
        offset = np.arange(entries, dtype=np.int64) - entry_first[entry_token]
        entry_term = flat[word_start[tokens[entry_token]] + offset]
        entry_run = token_run[entry_token]
        entry_pos = position[entry_token]
        del entry_token, offset, position, token_run
        # Term order is UTF-8 byte order, which is the order of str.
        term_text = vocab.term_text
        order = sorted(range(len(term_text)), key=term_text.__getitem__)
        rank = np.empty(len(term_text), dtype=np.int64)
        rank[order] = np.arange(len(term_text), dtype=np.int64)
        run_field = np.frombuffer(self._run_field, dtype=np.int32).astype(np.int64)
        key = run_field[entry_run] * len(term_text) + rank[entry_term]
        # Stable: entries of one term stay in document and position order.
        sort = np.argsort(key, kind="stable")
        key = key[sort]
        entry_run = entry_run[sort]
        entry_pos = entry_pos[sort]
        del sort, entry_term
        # A posting: a run of entries with the same key and run (field, document).
        new = np.empty(entries, dtype=bool)
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        new[1:] |= entry_run[1:] != entry_run[:-1]
        first = np.flatnonzero(new)
        count = np.diff(np.append(first, entries))
        posting_run = entry_run[first]
        posting_key = key[first]
        docs = np.frombuffer(self._run_doc, dtype=np.int32)[posting_run]
        boost = np.frombuffer(self._run_boost, dtype=np.float64)[posting_run]
        weights = (count * boost).astype(np.float32).tolist()
        # Encoded positions: the single-position ones (most) from a table, the rest pickled.
        encode = self._encode
        first_pos = entry_pos[first]
        encode.single(int(first_pos.max()))
        values = list(map(encode.singles.__getitem__, first_pos.tolist()))
        multi = np.flatnonzero(count > 1)
        if len(multi):
            # Position deltas of the entries of multi-position postings only.
            multi_first = first[multi]
            multi_count = count[multi]
            multi_starts = np.cumsum(multi_count) - multi_count
            total = int(multi_count.sum())
            within = np.arange(total, dtype=np.int64) - np.repeat(multi_starts, multi_count)
            where = np.repeat(multi_first, multi_count) + within
            deltas = entry_pos[where]
            deltas[1:] -= entry_pos[where[:-1]]
            deltas[multi_starts] = entry_pos[multi_first]
            deltas = deltas.tolist()
            del within, where
            starts = multi_starts.tolist()
            counts = multi_count.tolist()
            for index, start, n in zip(multi.tolist(), starts, counts, strict=True):
                values[index] = pack_uint(n) + dumps(deltas[start : start + n], 2)
        docs = docs.tolist()
        # Terms: where the key changes between postings.
        term_first = np.flatnonzero(np.diff(posting_key, prepend=-1))
        term_key = posting_key[term_first]
        term_field = (term_key // len(term_text)).tolist()
        term_ids = np.asarray(order, dtype=np.int64)[term_key % len(term_text)].tolist()
        bounds = term_first.tolist()
        result = {}
        names = self._text_names
        for field_index in sorted(set(term_field)):
            lo = term_field.index(field_index)
            hi = len(term_field) - term_field[::-1].index(field_index)
            result[names[field_index]] = (
                [term_text[t] for t in term_ids[lo:hi]],
                bounds[lo:hi] + [bounds[hi] if hi < len(bounds) else len(docs)],
                docs,
                weights,
                values,
            )
        return result

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            lengths = self._field_lengths(pdr)
        finally:
            pdr.close()
        text = self._text_postings()
        self._tokens = array("i")
        fieldwriter = self.fieldwriter
        write_fields(
            fieldwriter._tindex,
            fieldwriter._postfile,
            fieldwriter._fieldmap,
            self._postings,
            text,
            lengths,
            self._text_fields,
            create_writer(self.storage, self.get_segment()),
        )
        self._postings = {}
        fieldwriter.close()


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


__all__ = [
    "VOCABULARY",
    "FastSegmentWriter",
    "PositionEncoder",
    "prewarm",
    "quantized_length",
    "write_terms",
]
