"""Checksums of the index's segment files, so that damage is named, not guessed.

Whoosh's files carry no checksum (Lucene ends each of its files with a CRC32 that ``CheckIndex``
verifies). Here the CRC32 of each file of a committed segment is computed once, right after the
commit that made it (the file is then fresh in the page cache), and kept with the index's state;
segment files are never changed afterwards. ``arkhiv check`` verifies them all, and a search that
fails verifies them to tell a damaged segment (search unavailable, run ``arkhiv reindex``) from a
fault of the code.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from whoosh.index import TOC

from index.segments.schema import read_toc
from index.segments.storage import INDEX_NAME, ArchiveStorage

_READ = 1 << 20


def _committed_prefixes(build: Path) -> tuple[str, ...]:
    """How the names of the files of each segment the latest commit of ``build`` names begin."""
    storage = ArchiveStorage(build, readonly=True)
    generation = TOC._latest_generation(storage, INDEX_NAME)  # noqa: SLF001
    if generation < 0:
        return ()
    toc = read_toc(storage, generation)
    return tuple(f"{segment.segment_id()}." for segment in toc.segments)


def committed_files(build: Path) -> list[str]:
    """The files of the segments the latest commit of ``build`` names."""
    prefixes = _committed_prefixes(build)
    if not prefixes:
        return []
    return sorted(path.name for path in build.iterdir() if path.name.startswith(prefixes))


def checksum(path: Path) -> str:
    """``crc32:size`` of a file, read a megabyte at a time."""
    crc = 0
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_READ):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return f"{crc:08x}:{size}"


def updated(build: Path, known: dict[str, str]) -> dict[str, str]:
    """The checksums of the committed segment files: those ``known`` kept as they were, those of
    new files computed now, those of files no longer committed dropped."""
    return {
        name: known[name] if name in known else checksum(build / name)
        for name in committed_files(build)
    }


def damaged(build: Path, known: dict[str, str]) -> list[str]:
    """What is wrong with the segment files ``known`` lists that the latest commit still names:
    each one missing or changed. (A commit made without writing the state leaves names of
    segments it merged away: they are not missing.)"""
    prefixes = _committed_prefixes(build)
    problems = []
    for name, expected in sorted(known.items()):
        if not name.startswith(prefixes):
            continue
        path = build / name
        if not path.exists():
            problems.append(f"segment file {name} is missing")
        elif checksum(path) != expected:
            problems.append(
                f"segment file {name} is damaged (its checksum differs from the one written "
                "with it)"
            )
    return problems
