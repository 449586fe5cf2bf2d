"""Whoosh's file storage, made fit for one shared reader and for power cuts.

Reading: every index file is memory-mapped and read in place. Whoosh's own ``FileStorage`` gives
each reader its own file handles with one seek position each (so a reader cannot be shared by
threads), and its compound-segment reader copies every segment into a ``BytesIO`` for each reader
that opens it: at a million articles that was 3.9 GB of memory a thread. Here a file is a view of
the mapping, nothing is copied, and the read position is kept per thread, so one reader serves
every thread. A mapping outlives the deletion of its file, so a reader that was open when a
commit or a reindex removed its segments goes on reading them whole.

Writing: every file is flushed to disk (``fsync``) when it is closed and every rename is followed
by an ``fsync`` of the folder, so a commit's table of contents never names a segment that a power
cut could take back.
"""

from __future__ import annotations

import mmap
import os
import sys
import threading
import uuid
from array import array
from struct import calcsize

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

INDEX_NAME = "MAIN"  # Whoosh's default index name: every build holds one index

_EMPTY = memoryview(b"")


class _Cursor:
    """A read-only file over a buffer, with one read position per thread."""

    def __init__(self, buffer: memoryview):
        self._buffer = buffer
        self._length = len(buffer)
        self._local = threading.local()

    @property
    def _position(self) -> int:
        try:
            return self._local.position
        except AttributeError:
            return 0

    def peek(self, size: int = 1) -> bytes:
        """Bytes ahead without moving: the C unpickler reads a whole pickle in one call with
        this, instead of calling ``read`` for every opcode."""
        start = self._position
        return bytes(self._buffer[start : start + max(size, 1)])

    def read(self, size: int = -1) -> bytes:
        start = self._position
        end = self._length if size is None or size < 0 else min(start + size, self._length)
        self._local.position = max(end, start)
        return bytes(self._buffer[start:end])

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        start = self._position
        limit = self._length if size is None or size < 0 else min(start + size, self._length)
        end = start
        while end < limit and self._buffer[end] != 0x0A:
            end += 1
        end = min(end + 1, limit)
        self._local.position = end
        return bytes(self._buffer[start:end])

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            position = offset
        elif whence == os.SEEK_CUR:
            position = self._position + offset
        else:
            position = self._length + offset
        self._local.position = position
        return position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._buffer = _EMPTY
        self._length = 0


class MappedFile(StructFile):
    """A ``StructFile`` over part of a memory map: reads in place, safe to share by threads."""

    def __init__(self, buffer: memoryview, name: str | None = None, onclose=None):
        super().__init__(_Cursor(buffer), name=name, onclose=onclose)
        self._buffer = buffer
        self.is_real = False

    def subset(self, position: int, length: int, name: str | None = None) -> MappedFile:
        return MappedFile(self._buffer[position : position + length], name=name or self._name)

    def get(self, position: int, length: int) -> bytes:
        return bytes(self._buffer[position : position + length])

    def get_array(self, position: int, typecode: str, length: int) -> array:
        values = array(typecode)
        values.frombytes(self.get(position, length * calcsize(typecode)))
        if values.itemsize > 1 and sys.byteorder == "little":
            values.byteswap()
        return values

    def read_array(self, typecode: str, length: int) -> array:
        values = array(typecode)
        values.frombytes(self.read(length * calcsize(typecode)))
        if values.itemsize > 1 and sys.byteorder == "little":
            values.byteswap()
        return values


def _map(path: str) -> memoryview:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return _EMPTY
        # The mapping keeps the file readable after the handle closes, even after deletion.
        return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))


def fsync_directory(path: str | os.PathLike) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _DurableFile(StructFile):
    """A file being written: flushed to disk when closed."""

    def close(self) -> None:
        if not self.is_closed and hasattr(self.file, "fileno"):
            self.file.flush()
            os.fsync(self.file.fileno())
        super().close()


class ArchiveStorage(FileStorage):
    """The index folder: files read through memory maps, written durably."""

    # Not Whoosh's own mmap path: that one copies each compound segment into memory. Compound
    # segments are read through ``MappedFile.subset`` instead, in place.
    supports_mmap = False

    def __init__(self, path: str | os.PathLike, readonly: bool = False):
        super().__init__(str(path), supports_mmap=False, readonly=readonly)

    def open_file(self, name: str, **kwargs) -> MappedFile:
        return MappedFile(_map(self._fpath(name)), name=name, **kwargs)

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs):
        plain = super().create_file(name, excl=excl, mode=mode)
        return _DurableFile(plain.file, name=name, **kwargs)

    def temp_storage(self, name: str | None = None) -> FileStorage:
        """A folder of its own for each writer's temporary files. Whoosh names them after the
        index alone, so one writer finishing would remove what another is still writing."""
        stem = (name or "temp").removesuffix(".tmp")
        return super().temp_storage(f"{stem}-{uuid.uuid4().hex[:12]}.tmp")

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        super().rename_file(oldname, newname, safe=safe)
        fsync_directory(self.folder)
