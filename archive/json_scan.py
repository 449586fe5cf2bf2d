"""Finding the items of a JSON array, and the members of an object, in a byte stream without
decoding them.

Only the structure is read (strings, brackets, commas, colons), so memory stays flat however large
the file and however deep an item nests: each item's bytes, up to a limit, go to the strict decoder
on their own, and one bad item is one reject while the next is read as usual. (ijson decodes items
itself and keeps each value's path as text: an item nested 100,000 deep costs it gigabytes.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

_BOM = b"\xef\xbb\xbf"
_SPACE = re.compile(rb"[ \t\r\n]*")
# The rest of a string after its opening quote, up to the closing quote (not included). It stops
# early only at the end of what has been read, or at a backslash that is the last byte read.
_STRING_BODY = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.S)
# Inside a container: everything up to the next bracket, whole strings included (possessive: a
# string cut off by the end of what was read stops the match at its opening quote).
_CONTENT = re.compile(rb'(?:[^"\[\]{}]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+', re.S)
_SCALAR = re.compile(rb'[^ \t\r\n,:\[\]{}"]*')
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPENING, _CLOSING = frozenset(b"[{"), frozenset(b"]}")


def _shown(byte: int | None) -> str:
    if byte is None:
        return "the end of the file"
    return repr(chr(byte)) if 32 <= byte < 127 else f"byte 0x{byte:02x}"


class StructureError(ValueError):
    """The text is not JSON in a way that hides where the next item starts."""


@dataclass(frozen=True)
class Item:
    """One value as it stands in the file: its bytes, or ``None`` past the limit (not kept)."""

    text: bytes | None
    size: int


class Scanner:
    """Reads JSON values' bytes from ``stream``, keeping at most ``limit`` bytes of each."""

    def __init__(self, stream: IO[bytes], limit: int, chunk_size: int = 1 << 16):
        # One read at a time where the stream has it: read() gathers a whole chunk, and when the
        # data turns out to be cut off part way through it, drops what it had gathered.
        self._read = getattr(stream, "read1", stream.read)
        self._limit = limit
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._pos = 0
        self._offset = 0  # bytes of the stream before self._buffer
        self._start: int | None = None  # where the value being kept starts in self._buffer
        self._started = False

    @property
    def offset(self) -> int:
        """Bytes of the stream read up to the current position."""
        return self._offset + self._pos

    def _fill(self) -> bool:
        """Read more; ``False`` at the end of the stream."""
        chunk = self._read(self._chunk_size)
        if not self._started:
            self._started = True
            while chunk and len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                more = self._read(self._chunk_size)
                if not more:
                    break
                chunk += more
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :] or self._read(self._chunk_size)
        if not chunk:
            return False
        keep = self._pos if self._start is None else self._start
        if self._start is not None and len(self._buffer) - self._start > self._limit:
            keep, self._start = self._pos, None  # past the limit: only its size is counted
        del self._buffer[:keep]  # cheap: a bytearray drops its head without copying the rest
        self._buffer += chunk
        self._offset += keep
        self._pos -= keep
        if self._start is not None:
            self._start -= keep
        return True

    def peek(self) -> int | None:
        """The next byte that is not white space (not consumed), or ``None`` at the end."""
        while True:
            self._pos = _SPACE.match(self._buffer, self._pos).end()
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return None

    def take(self, expected: bytes) -> None:
        """Consume ``expected`` (one byte), after white space."""
        found = self.peek()
        if found != expected[0]:
            raise StructureError(
                f"expected {expected.decode()!r} at byte {self.offset}, found {_shown(found)}"
            )
        self._pos += 1

    def value(self) -> Item:
        """The next value, whatever it holds, as bytes (kept up to the limit)."""
        first = self.peek()
        if first is None:
            raise StructureError("the file ends where a value should be")
        if first in b",:]}":
            raise StructureError(f"unexpected {_shown(first)} at byte {self.offset}")
        begin = self.offset
        self._start = self._pos
        if first == _QUOTE:
            self._string()
        elif first in _OPENING:
            self._container()
        else:
            self._scalar()
        size = self.offset - begin
        text = None
        if self._start is not None and size <= self._limit:
            text = bytes(self._buffer[self._start : self._pos])
        self._start = None
        return Item(text, size)

    def _string(self) -> None:
        self._pos += 1  # the opening quote
        while True:
            self._pos = _STRING_BODY.match(self._buffer, self._pos).end()
            if self._pos < len(self._buffer) and self._buffer[self._pos] == _QUOTE:
                self._pos += 1
                return
            # At the end of what was read, or at a backslash that is its last byte.
            if not self._fill():
                raise StructureError("the file ends inside a string")

    def _container(self) -> None:
        depth = 0
        while True:
            self._pos = _CONTENT.match(self._buffer, self._pos).end()
            if self._pos == len(self._buffer):
                if not self._fill():
                    raise StructureError("the file ends inside an unclosed bracket")
                continue
            byte = self._buffer[self._pos]
            if byte == _QUOTE:  # a string that runs past what was read: followed as it comes
                self._string()
                continue
            self._pos += 1
            depth += 1 if byte in _OPENING else -1
            if depth == 0:
                return

    def _scalar(self) -> None:
        while True:
            self._pos = _SCALAR.match(self._buffer, self._pos).end()
            if self._pos < len(self._buffer) or not self._fill():
                return

    def array_items(self) -> Iterator[Item]:
        """Each item of the array that starts here; the closing bracket is consumed."""
        self.take(b"[")
        if self.peek() == ord("]"):
            self._pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ord(","):
                self._pos += 1
                continue
            self.take(b"]")
            return

    def members(self) -> Iterator[tuple[Item, Scanner]]:
        """Each member of the object that starts here: its name's bytes, with the scanner placed
        at its value, which the caller reads (:meth:`value` or :meth:`array_items`)."""
        self.take(b"{")
        if self.peek() == ord("}"):
            self._pos += 1
            return
        while True:
            if self.peek() != _QUOTE:
                raise StructureError(f"expected a field name in quotes at byte {self.offset}")
            name = self.value()
            self.take(b":")
            yield name, self
            if self.peek() == ord(","):
                self._pos += 1
                continue
            self.take(b"}")
            return

    def at_end(self) -> bool:
        """Whether nothing but white space is left."""
        return self.peek() is None
