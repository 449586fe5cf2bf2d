"""A segment's term table read front to back: the terms of one field in order, each with where
its postings are, without a look-up per term.

Whoosh's W3 term table is a hash file whose records (the key: the field's number and the term's
bytes; the value: the term's statistics and the position of its postings) are written in key
order, so the terms of one field are one run of records: found once (``closest_key_pos``), then
read one after another from the mapped file. A merge reads every term of its segments this way,
and a segment's columns every term of its facet fields (thousands, at every start); looking each
up in the hash, as Whoosh's ``term_info`` does, cost several times more.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator

from index.segments.posting_blocks import _FIELD_ID, _KV_LENGTHS, _POINTER, _TERMINFO


class TermTable:
    """The term table and postings file of one segment, memory-mapped."""

    def __init__(self, reader):
        terms = reader._terms  # noqa: SLF001 - the W3 term table and postings file
        self._table = terms._tindex  # noqa: SLF001
        self._fieldmap = terms._fieldmap  # noqa: SLF001
        self.buffer = mapped_buffer(self._table.dbfile)
        self.postings = mapped_buffer(terms._postfile)  # noqa: SLF001

    @classmethod
    def of(cls, reader) -> TermTable | None:
        """The table of a segment's reader; None for an empty reader, or files not mapped."""
        terms = getattr(reader, "_terms", None)
        if terms is None or not hasattr(terms, "_tindex"):
            return None
        files = (terms._tindex.dbfile, getattr(terms, "_postfile", None))  # noqa: SLF001
        if any(getattr(file, "_buffer", None) is None for file in files):
            return None
        return cls(reader)

    def fieldnames(self) -> list[str]:
        return list(self._fieldmap)

    def terms(self, fieldname: str) -> Iterator[tuple[bytes, tuple]]:
        """``(term, extent)`` of the field's terms in order; ``extent`` is where the postings
        are: ``(offset, length)`` in the postings file, or the postings themselves, ``(ids,
        weights, values)``, when the term table holds them (stock Whoosh may inline a few)."""
        number = self._fieldmap.get(fieldname)
        if number is None:
            return
        prefix = _FIELD_ID.pack(number)
        table, buffer = self._table, self.buffer
        position = table.closest_key_pos(prefix)
        end = table.endofdata
        while position is not None and position < end:
            key_length, value_length = _KV_LENGTHS.unpack_from(buffer, position)
            key_at = position + _KV_LENGTHS.size
            if bytes(buffer[key_at : key_at + 2]) != prefix:
                return
            value_at = key_at + key_length
            term = bytes(buffer[key_at + 2 : value_at])
            if buffer[value_at]:  # postings inlined in the term info
                ids, weights, values = pickle.loads(
                    buffer[value_at + _TERMINFO.size : value_at + value_length]
                )
                yield term, (list(ids), list(weights), list(values))
            else:
                yield term, _POINTER.unpack_from(buffer, value_at + _TERMINFO.size)
            position = value_at + value_length


def mapped_buffer(file) -> memoryview:
    buffer = getattr(file, "_buffer", None)
    if buffer is None:  # pragma: no cover - ArchiveStorage maps every file it opens
        raise TypeError(
            f"reading in order needs memory-mapped segment files, not {type(file).__name__}"
        )
    return buffer
