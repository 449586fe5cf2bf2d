"""Bulk import: read files, validate each record, store in batches, explain every rejection.

A batch is one transaction, so an import killed at any moment keeps every batch it committed; the
next run finds those records ``unchanged`` and stores the rest. Only one import writes at a time:
a second one waits for the first.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from archive.config import Settings
from archive.intake import Rejection, take_in_placed
from archive.reader import JsonFile, RawRecord, ReadError
from archive.record import Article
from archive.store import ADDED, TAKEN_DOWN, UNCHANGED, UPDATED, Store
from archive.strict_json import json_line
from archive.takedowns import Takedowns
from archive.warc import SeenCaptures, WarcFile, is_web_archive

PROGRESS_EVERY = 256
BATCH_SIZE = 500


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Records of web archives that are not pages (redirects, images, duplicates…), by reason.
    passed_over: dict[str, int] = field(default_factory=dict)

    @property
    def taken(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def exit_code(self) -> int:
        """0: every record taken; 1: some rejected, the rest kept."""
        return 1 if self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "seconds": round(self.seconds, 3),
            "files": self.files,
            "dry_run": self.dry_run,
            "passed_over": self.passed_over,
        }


REJECTED = "rejected"
# Told of each record's outcome: where it was (``line`` or ``index``), its id (when one can be
# told), its status and, when it was not stored, why. Records rejected as they are read are told
# then (``rejected``), in order; the others when their batch is committed (``added``,
# ``updated``, ``unchanged``, or ``taken_down``: refused), in order.
ItemListener = Callable[[dict[str, Any], "str | None", str, "str | None"], None]


def raw_id(raw: RawRecord) -> str | None:
    """The id a rejected record gave, when it gave a plain one (to show beside its error)."""
    value = raw.value.get("id") if isinstance(raw.value, dict) else None
    if isinstance(value, str) and len(value) <= 512:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**18:
        return str(value)
    return None


class ImportBusy(RuntimeError):
    """Another writer holds the import lock (only when asked not to wait)."""


@contextmanager
def import_lock(
    settings: Settings, on_wait: Callable[[str], None] | None = None, wait: bool = True
) -> Iterator[None]:
    """Hold the archive's import lock, which every writer of the index takes (and ``arkhiv
    import``, which writes the store and then the index); wait (telling ``on_wait``) while
    another holds it, or raise :class:`ImportBusy` when ``wait`` is false."""
    settings.home.mkdir(parents=True, exist_ok=True)
    with open(settings.import_lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            if not wait:
                raise ImportBusy(f"another import is running (pid {holder})") from None
            if on_wait:
                on_wait(f"another import is running (pid {holder}); waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


class Progress:
    """A one-line progress report on a terminal: articles, articles/s, and ETA from bytes read."""

    def __init__(self, total_bytes: int, stream: IO[str] | None = None, enabled: bool = True):
        self.total = max(total_bytes, 1)
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, records: int, done_bytes: int, *, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self._last < 0.25:
            return
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        rate = records / elapsed
        share = min(done_bytes / self.total, 1.0)
        line = f"\r{records:>10,} articles  {rate:>8,.0f}/s  {share:>4.0%}"
        if 0 < share < 1:
            remaining = elapsed * (1 - share) / share
            line += f"  ETA {int(remaining // 60)}:{int(remaining % 60):02d}"
        self.stream.write(line.ljust(60))
        if final:
            self.stream.write("\n")
        self.stream.flush()


class Importer:
    """Reads files into the store. ``rejects`` receives one JSON line per rejected record."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        rejects: IO[str] | None = None,
        dry_run: bool = False,
        progress: bool = False,
        batch_size: int = BATCH_SIZE,
        on_batch: Callable[[], None] | None = None,
        on_item: ItemListener | None = None,
    ):
        self.store = store
        self.settings = settings
        self.rejects = rejects
        self.dry_run = dry_run
        self.show_progress = progress
        self.batch_size = batch_size
        self.on_batch = on_batch
        self.on_item = on_item
        self.rejections: list[Rejection] = []
        self._seen: SeenCaptures | None = None

    def open_files(self, paths: Sequence[str | Path]) -> list[JsonFile | WarcFile]:
        """Open every file first: if any cannot be read at all (as JSON, or as a web archive),
        nothing is imported."""
        opened: list[JsonFile | WarcFile] = []
        try:
            for path in paths:
                if is_web_archive(path):
                    opened.append(WarcFile(path, self._seen_captures()))
                else:
                    opened.append(JsonFile(path))
        except ReadError:
            for handle in opened:
                handle.close()
            self._close_seen()
            raise
        return opened

    def _seen_captures(self) -> SeenCaptures:
        """One for the whole import: a page captured in two web archives is read once."""
        if self._seen is None:
            self._seen = SeenCaptures()
        return self._seen

    def _close_seen(self) -> None:
        if self._seen is not None:
            self._seen.close()
            self._seen = None

    def run(self, paths: Sequence[str | Path]) -> ImportReport:
        files = self.open_files(paths)
        report = ImportReport(files=[f.name for f in files], dry_run=self.dry_run)
        started = time.monotonic()
        progress = Progress(sum(f.size for f in files), enabled=self.show_progress)
        done_bytes = 0
        batch: list[tuple[RawRecord, Article]] = []
        read = 0
        try:
            for handle in files:
                for record, taken in take_in_placed(
                    handle.records(),
                    default_zone=self.settings.default_zone,
                    languages=self.settings.languages,
                ):
                    if isinstance(taken, Rejection):
                        self._reject(taken, report, raw_id(record))
                    else:
                        batch.append((record, taken))
                    if len(batch) >= self.batch_size:
                        self._commit(batch, report)
                        batch = []
                    read += 1
                    if read % PROGRESS_EVERY == 0:  # where the file is read costs a system call
                        progress.update(
                            report.taken + report.rejected, done_bytes + handle.position
                        )
                done_bytes += handle.size
                handle.close()
                if isinstance(handle, WarcFile):
                    for reason, count in handle.passed_over.items():
                        report.passed_over[reason] = report.passed_over.get(reason, 0) + count
            self._commit(batch, report)
        finally:
            for handle in files:
                handle.close()
            self._close_seen()
        report.seconds = time.monotonic() - started
        progress.update(report.taken + report.rejected, done_bytes, final=True)
        return report

    def _reject(
        self,
        rejection: Rejection,
        report: ImportReport,
        article_id: str | None = None,
        status: str = REJECTED,
    ) -> None:
        report.rejected += 1
        if self.on_item:
            self.on_item(rejection.where, article_id, status, rejection.error)
        if len(self.rejections) < 1000:  # enough to show; the rejects file has them all
            self.rejections.append(rejection)
        if self.rejects is not None:
            self.rejects.write(json_line(rejection.as_dict()))

    def _commit(self, batch: list[tuple[RawRecord, Article]], report: ImportReport) -> None:
        if not batch:
            return
        articles = [article for _, article in batch]
        outcomes = self.store.classify(articles) if self.dry_run else self.store.upsert(articles)
        report.added += outcomes.count(ADDED)
        report.updated += outcomes.count(UPDATED)
        report.unchanged += outcomes.count(UNCHANGED)
        refused = [
            a.id for a, outcome in zip(articles, outcomes, strict=True) if outcome == TAKEN_DOWN
        ]
        takedowns = Takedowns(self.store).get_many(refused) if refused else {}
        for (record, article), outcome in zip(batch, outcomes, strict=True):
            if outcome == TAKEN_DOWN:
                takedown = takedowns.get(article.id)
                error = takedown.refusal if takedown else f"id: {article.id!r} was taken down"
                refusal = Rejection(record.where, error, record.raw)
                self._reject(refusal, report, article.id, TAKEN_DOWN)
            elif self.on_item:
                self.on_item(record.where, article.id, outcome, None)
        if self.on_batch and not self.dry_run:
            self.on_batch()
