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
from array import array
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from index.segments.posting_arrays import create_writer
from index.segments.posting_blocks import quantized_length, write_fields
from index.text.analysis import WORD_PATTERN, word_terms

# Words exactly as ``index.text.analysis.tokenize`` finds them (same pattern); positions are the
# running number of the word in the text.
_find_words = re.compile(WORD_PATTERN).findall


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
        unindexed = {name for name in self.schema.names() if not self.schema[name].indexed}
        for fieldname, btext, docnum, weight, vbytes in self._process_posts(
            reader.iter_postings(), startdoc, docmap
        ):
            if fieldname in unindexed:  # the dates' terms, from a segment written before
                continue
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


__all__ = ["VOCABULARY", "FastSegmentWriter", "PositionEncoder", "prewarm"]
