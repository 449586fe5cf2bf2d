"""A request body spooled to a file beside the store: inflated when gzipped, within a size limit.

``POST /api/articles`` writes its body here a chunk at a time and the importer then reads the
file as it reads any import (:class:`archive.reader.JsonFile`), so no body is ever held in memory.
The limit counts the inflated bytes: a small gzip that would inflate to gigabytes is stopped as
soon as it passes the limit, having cost a chunk of memory and the limit in disk, and its file is
removed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

CHUNK = 1 << 16
GZIP = ("gzip", "x-gzip")
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class BodyTooLarge(ValueError):
    """The body (inflated, when gzipped) is larger than the limit."""


class BodyUnreadable(ValueError):
    """The body cannot be read at all (a damaged gzip, an encoding not understood)."""


class NoRoom(OSError):
    """The body could not be written down (a full disk)."""


def is_gzipped(content_encoding: str | None) -> bool:
    """Whether a ``Content-Encoding`` says gzip; :class:`BodyUnreadable` for any other coding."""
    coding = (content_encoding or "identity").strip().lower()
    if coding in GZIP:
        return True
    if coding == "identity":
        return False
    raise BodyUnreadable(
        f"Content-Encoding {coding[:40]!r} is not understood; send gzip or no encoding"
    )


@contextmanager
def spooled_body(
    stream: IO[bytes], *, gzipped: bool, limit: int, directory: Path, name: str
) -> Iterator[Path]:
    """The body of ``stream`` in a file called ``name`` under ``directory``, removed afterwards.

    Raises :class:`BodyTooLarge` past ``limit`` bytes (inflated) and :class:`BodyUnreadable`
    when a gzipped body is damaged or cut off."""
    directory.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="body-", dir=directory))
    try:
        path = folder / name
        written = 0
        with open(path, "wb") as out:
            for chunk in _inflated(stream) if gzipped else _chunks(stream):
                written += len(chunk)
                if written > limit:
                    raise BodyTooLarge(
                        f"the body is larger than {limit // (1024 * 1024)} MB"
                        + (" once inflated" if gzipped else "")
                        + " (ARKHIV_MAX_UPLOAD_MB); send it in smaller parts"
                    )
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise NoRoom(
                        f"the body could not be written down at {directory} ({exc.strerror})"
                    ) from exc
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(directory: Path, older_than: float = 3600.0) -> int:
    """Remove the bodies a server killed while taking them left behind (not touched for
    ``older_than`` seconds); returns how many."""
    removed = 0
    deadline = time.time() - older_than
    for folder in directory.glob("body-*") if directory.is_dir() else ():
        try:
            if folder.stat().st_mtime < deadline:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _inflated(stream: IO[bytes]) -> Iterator[bytes]:
    """What a gzip stream holds, a chunk of at most ``CHUNK`` bytes at a time (one gzip member
    after another, as ``gzip`` itself reads them)."""
    inflater = zlib.decompressobj(_GZIP_WBITS)
    begun = False  # whether the current member has had any input
    for data in _chunks(stream):
        while True:
            begun = begun or bool(data)
            try:
                chunk = inflater.decompress(data, CHUNK)
            except zlib.error as exc:
                raise BodyUnreadable(f"the body is not valid gzip ({exc})") from None
            if chunk:
                yield chunk
            if inflater.eof:  # the end of one member: what follows is the next one
                data = inflater.unused_data
                inflater = zlib.decompressobj(_GZIP_WBITS)
                begun = False
                if not data:
                    break
                continue
            data = inflater.unconsumed_tail
            if not data and len(chunk) < CHUNK:  # all input taken, all output given
                break
    if begun:
        raise BodyUnreadable("the gzip body ends early (it is cut off)")
