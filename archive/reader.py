"""Streaming readers for bulk JSON: arrays, single objects, ``{"articles": [...]}`` and JSON Lines.

Each file may be gzipped. Nothing here holds a whole file in memory: arrays are parsed item by
item (ijson), JSON Lines line by line, so a 2 GB export costs what one record costs.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson

LINE_SUFFIXES = (".jsonl", ".ndjson")
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"


class ReadError(OSError):
    """A file that cannot be read as JSON at all (missing, unreadable, not JSON)."""


@dataclass
class RawRecord:
    """One value read from a file, or the reason it could not be read.

    ``line`` (1-based, JSON Lines) or ``index`` (0-based, arrays) says where it was.
    """

    file: str
    line: int | None = None
    index: int | None = None
    value: Any = None
    raw: Any = None
    error: str | None = None

    @property
    def where(self) -> dict[str, Any]:
        place: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            place["line"] = self.line
        if self.index is not None:
            place["index"] = self.index
        return place


class JsonFile:
    """An open input file that knows its format and how far through it reading has come."""

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
        self.compressed = self._raw.read(2) == b"\x1f\x8b"
        self._raw.seek(0)
        try:
            self.first_char = self._sniff()
        except ReadError:
            self.close()
            raise
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            self.close()
            raise ReadError(f"{self.name}: cannot be read ({exc})") from None
        stem = self.path.name.lower().removesuffix(".gz")
        self.format = self._format(stem)

    def _open_stream(self) -> IO[bytes]:
        self._raw.seek(0)
        if self.compressed:
            return gzip.GzipFile(fileobj=self._raw, mode="rb")
        return self._raw

    def _sniff(self) -> str:
        stream = self._open_stream()
        head = stream.read(4096)
        head = head.removeprefix(_BOM).lstrip(_WHITESPACE)
        while not head:
            more = stream.read(4096)
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
        # An object: one record, a wrapper {"articles": [...]}, or JSON Lines in a .json file.
        stream = self._open_stream()
        first_line = stream.readline().removeprefix(_BOM)
        try:
            json.loads(first_line)
        except ValueError:
            return "object"
        rest = stream.read(4096).strip()
        return "lines" if rest else "object"

    @property
    def position(self) -> int:
        """Bytes of the file (compressed, when it is) consumed so far."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        self._raw.close()

    def records(self) -> Iterator[RawRecord]:
        if self.format == "lines":
            yield from self._lines()
        elif self.format == "array":
            yield from self._items(self._open_stream(), "item")
        else:
            yield from self._object()

    def _lines(self) -> Iterator[RawRecord]:
        for number, line in enumerate(self._open_stream(), start=1):
            if number == 1:
                line = line.removeprefix(_BOM)
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield RawRecord(
                    self.name,
                    line=number,
                    raw=line.decode("utf-8", "replace").rstrip("\r\n"),
                    error=f"line is not valid UTF-8 (byte {exc.start})",
                )
                continue
            text = text.strip()
            if not text:
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RawRecord(
                    self.name,
                    line=number,
                    raw=text,
                    error=f"not valid JSON: {exc.msg} at column {exc.colno}",
                )
                continue
            yield RawRecord(self.name, line=number, value=value, raw=text)

    def _items(self, stream: IO[bytes], prefix: str) -> Iterator[RawRecord]:
        index = 0
        try:
            for value in ijson.items(_without_bom(stream), prefix, use_float=True):
                yield RawRecord(self.name, index=index, value=value, raw=value)
                index += 1
        except ijson.JSONError as exc:
            yield RawRecord(
                self.name,
                index=index,
                raw=None,
                error=f"not valid JSON at item {index}: {_first_line(exc)}; "
                "the rest of the file was not read",
            )

    def _object(self) -> Iterator[RawRecord]:
        found = False
        for record in self._items(self._open_stream(), "articles.item"):
            found = True
            yield record
        if found:
            return
        # No "articles" array: the file is one record (or an empty wrapper).
        stream = io.TextIOWrapper(self._open_stream(), encoding="utf-8-sig")
        try:
            value = json.load(stream)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield RawRecord(self.name, index=0, error=f"not valid JSON: {exc}")
            return
        finally:
            stream.detach()
        if isinstance(value, dict) and "articles" in value:
            if not isinstance(value["articles"], list):
                yield RawRecord(
                    self.name,
                    index=0,
                    raw=value,
                    error="articles: expected a list of article objects",
                )
            return
        yield RawRecord(self.name, index=0, value=value, raw=value)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class _without_bom:
    """A byte stream with a leading UTF-8 byte order mark removed (ijson does not expect one)."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self._started = False

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if not self._started and size != 0:  # ijson probes with read(0) first
            self._started = True
            if data.startswith(_BOM[: len(data)]) and len(data) < len(_BOM):
                data += self._stream.read(len(_BOM) - len(data))
            data = data.removeprefix(_BOM)
        return data
