"""A consistent copy of the store, taken while imports and searches go on (SQLite's online
backup).

The copy is made in one step of the backup API: one read transaction, so it is the store at one
moment, whole. In WAL mode a reader does not hold up writers: imports commit meanwhile (into the
write-ahead log, which the copy does not see). The copy is written beside its destination,
checked, flushed and renamed into place, so a destination that exists is a complete backup.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.store import Store


class BackupError(RuntimeError):
    """The backup could not be made (the destination exists, the disk is full, ...)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    articles: int
    last_seq: int
    bytes: int
    seconds: float


def destination_path(destination: Path) -> Path:
    """``destination`` itself, or a file named by the time inside it when it is a folder."""
    if destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return destination / f"archive-{stamp}.sqlite3"
    return destination


def backup(store: Store, destination: Path) -> Backup:
    """Copy ``store`` to ``destination`` (a new file, or a folder to put one in)."""
    if store.path is None:
        raise BackupError(
            f"the store is the PostgreSQL database {store.describe()}: back it up with the "
            "server's own tools (pg_dump for a consistent copy while writes go on, or "
            "pg_basebackup and the write-ahead log; a managed service's snapshots)"
        )
    target_path = destination_path(destination)
    if target_path.exists():
        raise BackupError(f"{target_path} exists; name a new file or a folder")
    if not target_path.parent.is_dir():
        raise BackupError(f"{target_path.parent} is not a folder")
    partial = target_path.with_name(f".{target_path.name}.partial")
    started = time.monotonic()
    try:
        with (
            closing(sqlite3.connect(store.path, timeout=60)) as source,
            closing(sqlite3.connect(partial)) as target,
        ):
            source.backup(target)  # all pages in one step: one read transaction, one moment
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problem = target.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise BackupError(f"the copy does not check out: {problem}")
            articles = target.execute("SELECT count(*) FROM articles").fetchone()[0]
            last_seq = target.execute(
                "SELECT value FROM store_state WHERE key = 'last_seq'"
            ).fetchone()[0]
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target_path)
        directory = os.open(target_path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup could not be written to {target_path}: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Backup(
        target_path, articles, int(last_seq), target_path.stat().st_size, time.monotonic() - started
    )
