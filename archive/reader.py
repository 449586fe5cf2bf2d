"""Streaming readers for bulk JSON: arrays, single objects, ``{"articles": [...]}`` and JSON Lines.

Each file may be gzipped. Nothing here holds a whole file in memory: JSON Lines are read line by
line, arrays item by item (:mod:`archive.json_scan` finds where each item ends), so a 2 GB export
costs what one record costs. Every record's text is decoded on its own by
:func:`archive.strict_json.decode`: one that cannot be kept is a :class:`RawRecord` with an
``error``, and reading goes on with the next. :func:`read_records` reads any byte stream (a file, or
the body of a request), :func:`inflate` decompresses one.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from archive.json_scan import Item, Scanner, StructureError
from archive.strict_json import MAX_RECORD_BYTES, JsonRejected, decode

LINE_SUFFIXES = (".jsonl", ".ndjson")
FORMATS = ("lines", "array", "object")
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"
_SHOWN_HEAD = 1000  # characters of a record too large to keep shown in its reject


class ReadError(OSError):
    """A file that cannot be read as JSON at all (missing, unreadable, not JSON)."""


class CutOff(Exception):
    """Compressed data that ends early or is damaged: nothing after this point can be read."""


@dataclass
class RawRecord:
    """One value read from a file, or the reason it could not be read.

    ``line`` (1-based, JSON Lines) or ``index`` (0-based, arrays; the page's place among the
    pages of a web archive, with its ``url``) says where it was.
    """

    file: str
    line: int | None = None
    index: int | None = None
    value: Any = None
    raw: Any = None
    error: str | None = None
    url: str | None = None  # the page a record of a web archive was read from
    not_json: bool = False  # its text is not JSON (or not UTF-8), as opposed to too large

    @property
    def where(self) -> dict[str, Any]:
        place: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            place["line"] = self.line
        if self.index is not None:
            place["index"] = self.index
        if self.url is not None:
            place["url"] = self.url
        return place


class _Inflating(io.RawIOBase):
    """The bytes a gzip stream holds; where the data ends early or is damaged, every read from
    then on raises :class:`CutOff` (after all that could be decompressed was returned)."""

    def __init__(self, compressed: IO[bytes]):
        self._gzip = gzip.GzipFile(fileobj=compressed, mode="rb")
        self._damage: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._damage is None:
            try:
                data = self._gzip.read1(len(buffer))  # read() would drop what came before
            except EOFError:
                self._damage = "the compressed data ends early (the file is cut off)"
            except gzip.BadGzipFile as exc:
                # At the end: every byte was read, but some were not what was written.
                checksum = str(exc).startswith(("CRC check failed", "Incorrect length"))
                self._damage = (
                    f"the compressed data fails its checksum ({exc}): what was read from it "
                    "may be damaged; import a good copy"
                    if checksum
                    else f"the compressed data is damaged ({exc})"
                )
            except (OSError, zlib.error) as exc:
                self._damage = f"the compressed data is damaged ({exc})"
            else:
                buffer[: len(data)] = data
                return len(data)
        raise CutOff(self._damage)


def inflate(compressed: IO[bytes]) -> IO[bytes]:
    """A buffered stream of what ``compressed`` (gzip) holds; see :class:`CutOff`."""
    return io.BufferedReader(_Inflating(compressed), buffer_size=1 << 16)


def read_records(stream: IO[bytes], name: str, form: str) -> Iterator[RawRecord]:
    """Every record in ``stream`` (``form``: one of :data:`FORMATS`), good or rejected."""
    if form == "lines":
        return _lines(stream, name)
    if form == "array":
        return _array(stream, name)
    return _object(stream, name)


def _decoded(name: str, data: bytes, *, line: int | None = None, index: int = 0) -> RawRecord:
    """A record from its bytes: its value, or why it cannot be kept. ``raw`` is the text of a
    line, the value of an array item (its text when that cannot be decoded)."""
    where: dict[str, Any] = {"line": line} if line is not None else {"index": index}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        part = "line" if line is not None else "item"
        return RawRecord(
            name,
            **where,
            raw=data.decode("utf-8", "replace").strip(),
            error=f"{part} is not valid UTF-8 (byte {exc.start})",
            not_json=True,
        )
    text = text.strip(" \t\r\n")  # JSON's white space, and no other
    try:
        value = decode(text)
    except JsonRejected as exc:
        return RawRecord(name, **where, raw=text, error=str(exc), not_json=True)
    return RawRecord(name, **where, value=value, raw=text if line is not None else value)


def _too_large(size: int) -> str:
    return f"record of {size:,} bytes or more; at most {MAX_RECORD_BYTES:,} (8 MiB)"


def _lines(stream: IO[bytes], name: str) -> Iterator[RawRecord]:
    number = 0
    while True:
        number += 1
        try:
            line = stream.readline(MAX_RECORD_BYTES + 1)
            if not line:
                return
            if number == 1:
                line = line.removeprefix(_BOM)
            size = len(line)
            if size > MAX_RECORD_BYTES and not line.endswith(b"\n"):
                size += _skip_line(stream)
                yield RawRecord(
                    name,
                    line=number,
                    raw=line[:_SHOWN_HEAD].decode("utf-8", "replace") + "…",
                    error=_too_large(size),
                )
                continue
        except CutOff as exc:
            yield RawRecord(name, line=number, error=f"{exc}; from this line on nothing was read")
            return
        if line.strip(_WHITESPACE):
            yield _decoded(name, line, line=number)


def _skip_line(stream: IO[bytes]) -> int:
    """Read past the rest of a line; how many bytes it had."""
    skipped = 0
    while True:
        part = stream.readline(1 << 20)
        skipped += len(part)
        if not part or part.endswith(b"\n"):
            return skipped


def _item(name: str, index: int, item: Item) -> RawRecord:
    if item.text is None:
        return RawRecord(name, index=index, error=_too_large(item.size))
    return _decoded(name, item.text, index=index)


def _array(stream: IO[bytes], name: str) -> Iterator[RawRecord]:
    scanner = Scanner(stream, MAX_RECORD_BYTES)
    index = 0
    try:
        for item in scanner.array_items():
            yield _item(name, index, item)
            index += 1
        if not scanner.at_end():
            yield RawRecord(name, index=index, error=_trailing(scanner, "array"))
    except (StructureError, CutOff) as exc:
        yield RawRecord(name, index=index, error=_broken(exc, index))


def _trailing(scanner: Scanner, what: str) -> str:
    return f"text after the end of the {what} (byte {scanner.offset}) was not read"


def _broken(exc: Exception, index: int) -> str:
    if isinstance(exc, CutOff):
        return f"{exc}; from item {index} on nothing was read"
    return f"not valid JSON at item {index}: {exc}; the rest of the file was not read"


def _object(stream: IO[bytes], name: str) -> Iterator[RawRecord]:
    """One record, or the items of ``{"articles": [...]}`` (other fields of it are ignored)."""
    scanner = Scanner(stream, MAX_RECORD_BYTES)
    members: list[tuple[Item, Item]] = []  # kept while the record is within the limit
    size = 1  # of the record the members make: braces and separators
    wrapper = articles_not_list = False
    index = 0
    try:
        for field_name, at in scanner.members():
            is_articles = _field_name(field_name) == "articles"
            if is_articles and at.peek() == ord("["):
                wrapper = True
                for item in at.array_items():
                    yield _item(name, index, item)
                    index += 1
            else:
                articles_not_list = articles_not_list or is_articles
                value = at.value()
                size += field_name.size + value.size + 2
                if size <= MAX_RECORD_BYTES:
                    members.append((field_name, value))
        trailing = None if scanner.at_end() else _trailing(scanner, "object")
    except (StructureError, CutOff) as exc:
        error = (
            _broken(exc, index) if wrapper or isinstance(exc, CutOff) else f"not valid JSON: {exc}"
        )
        yield RawRecord(name, index=index, error=error)
        return
    if articles_not_list and not wrapper:
        yield RawRecord(name, index=0, error="articles: expected a list of article objects")
    elif not wrapper:
        yield _whole_object(name, members, size)
    if trailing:
        yield RawRecord(name, index=index if wrapper else 1, error=trailing)


def _field_name(item: Item) -> str | None:
    try:
        return decode(item.text.decode("utf-8")) if item.text else None
    except (JsonRejected, UnicodeDecodeError):
        return None


def _whole_object(name: str, members: list[tuple[Item, Item]], size: int) -> RawRecord:
    if size > MAX_RECORD_BYTES:
        return RawRecord(name, index=0, error=_too_large(size))
    text = b",".join(key.text + b":" + value.text for key, value in members)  # type: ignore[operator]
    return _decoded(name, b"{" + text + b"}", index=0)


class InputFile:
    """A file opened for an import, read from start to end: its ``name`` as given, its ``size``,
    and the ``position`` reading has reached (what the import's progress shows)."""

    def __init__(self, path: str | Path):
        self.name = str(path)
        self.path = Path(path)
        try:
            self._raw: IO[bytes] = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise ReadError(f"{self.name}: no such file") from None
        except IsADirectoryError:
            raise ReadError(f"{self.name}: is a directory, not a file") from None
        except OSError as exc:
            raise ReadError(f"{self.name}: cannot be opened ({exc.strerror})") from None
        self.size = self.path.stat().st_size

    @property
    def position(self) -> int:
        """Bytes of the file (compressed, when it is) consumed so far."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        self._raw.close()


class JsonFile(InputFile):
    """An open input file that knows its format and how far through it reading has come."""

    def __init__(self, path: str | Path):
        super().__init__(path)
        self.compressed = self._raw.read(2) == b"\x1f\x8b"
        self._raw.seek(0)
        try:
            self.first_char = self._sniff()
        except ReadError:
            self.close()
            raise
        except (OSError, CutOff) as exc:
            self.close()
            raise ReadError(f"{self.name}: cannot be read ({exc})") from None
        stem = self.path.name.lower().removesuffix(".gz")
        self.format = self._format(stem)

    def _open_stream(self) -> IO[bytes]:
        self._raw.seek(0)
        if self.compressed:
            return inflate(self._raw)
        return self._raw

    def _sniff(self) -> str:
        stream = self._open_stream()
        head = stream.read1(4096)
        head = head.removeprefix(_BOM).lstrip(_WHITESPACE)
        while not head:
            more = stream.read1(4096)
            if not more:
                raise ReadError(f"{self.name}: is empty")
            head = more.lstrip(_WHITESPACE)
        first = chr(head[0])
        if first not in "[{":
            shown = head[:30].decode("utf-8", "replace").splitlines()[0]
            raise ReadError(
                f"{self.name}: is not JSON (it begins with {shown!r}; expected an array, an object "
                "or JSON Lines)"
            )
        return first

    def _format(self, stem: str) -> str:
        if stem.endswith(LINE_SUFFIXES):
            return "lines"
        if self.first_char == "[":
            return "array"
        # An object: one record, a wrapper {"articles": [...]}, or JSON Lines in a .json file,
        # which it is when its first line holds a whole value and more follows.
        stream = self._open_stream()
        try:
            first_line = stream.readline(MAX_RECORD_BYTES)
            line = Scanner(io.BytesIO(first_line), MAX_RECORD_BYTES)
            line.value()
            if not line.at_end():
                return "object"
            rest = stream.read(4096).strip()
        except (StructureError, CutOff):
            return "object"
        return "lines" if rest else "object"

    def records(self) -> Iterator[RawRecord]:
        return read_records(self._open_stream(), self.name, self.format)

    def why_not_json(self) -> str | None:
        """Why the file as a whole is not JSON, or ``None`` when it is: an array or an object
        broken or unfinished, or with text after its end; JSON Lines of which no line is JSON.

        Reads an array or an object to its end (its structure only: nothing is decoded or kept),
        JSON Lines up to the first line that is JSON. A request body is checked so before any of
        it is stored: a body cut off after a million records is refused whole."""
        stream = self._open_stream()
        try:
            if self.format == "lines":
                return _no_line_is_json(stream, self.name)
            return _structure_error(Scanner(stream, MAX_RECORD_BYTES), self.format)
        except CutOff as exc:
            return str(exc)


def _no_line_is_json(stream: IO[bytes], name: str) -> str | None:
    first_error = None
    for record in _lines(stream, name):
        if not record.not_json:  # JSON, or too large to tell
            return None
        first_error = first_error or f"line {record.line}: {record.error}"
    return f"no line of it is JSON ({first_error})"


def _structure_error(scanner: Scanner, form: str) -> str | None:
    try:
        if form == "array":
            for _ in scanner.array_items():
                pass
        else:
            for field_name, at in scanner.members():
                if _field_name(field_name) == "articles" and at.peek() == ord("["):
                    for _ in at.array_items():
                        pass
                else:
                    at.value()
    except StructureError as exc:
        return str(exc)
    if not scanner.at_end():
        return _trailing(scanner, "array" if form == "array" else "object")
    return None
