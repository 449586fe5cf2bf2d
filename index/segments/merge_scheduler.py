"""Merges in a process of their own, while commits go on (Lucene's ``ConcurrentMergeScheduler``).

A merge of 50,000 articles takes half a minute. Run inside a commit, it held back the articles of
that commit, and of every batch that arrived meanwhile, for as long: a batch posted over HTTP
waited 47 seconds to become searchable, and the import's workers sat idle behind the merge.

Here a commit only adds its new segments and deletions. The merges the tiered policy
(:func:`index.segments.merging.merge_plan`) asks for among segments not already being merged start
in a child process that writes the merged segment beside the committed ones, uncommitted. A
later commit, of whatever batch comes next, swaps the finished segment in for its sources and
carries over the documents deleted from the sources while it was being written: the merge took the
documents live when it started, in order, so a source's document ``d`` is number ``base + d -
(documents deleted before d at the start)`` in the merged segment. A merge whose sources another
writer merged away in the meantime, or whose start saw deletions that were never committed, is
dropped and its files removed.

Merges of fewer than ``BACKGROUND_FROM`` live articles take under a second and run inside the
commit, as before. While a merge runs, a marker file ``merging.<segment>.<pid>`` names it and the
process that owns it: :func:`index.segments.indexer.remove_partial_files` (which every writer runs)
keeps the files of a merge whose owner lives, and removes those of one whose owner died.

The child is not forked from the committing process: it is forked from a small server process
(multiprocessing's ``forkserver``, started once by the first merge), so that it holds only the
merge. A child forked from the committer shared that process's pages only until the committer
wrote them again, which it does all the time as it indexes: at a million articles each merge came
to hold 480 MB beside the indexing process's 550, where a merge of 60,000 articles needs 130.
"""

from __future__ import annotations

import bisect
import logging
import multiprocessing
import os
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec

from index.segments import merging
from index.segments.storage import INDEX_NAME, ArchiveStorage

log = logging.getLogger(__name__)

# Merges of at least this many live articles run in the background; smaller ones (under a second)
# in the commit.
BACKGROUND_FROM = 2_000
# Background merges at once (each takes a core).
MAX_RUNNING = 1
MARKER_PREFIX = "merging."
# How a merge's process starts (see the module's note). A test that changes the merge code in
# its own process (a merge held until it says so) takes "fork", which carries the change over.
START_METHOD = "forkserver"


@dataclass
class _Merge:
    """One background merge: what it started from, and the child writing it."""

    target: object  # the new segment (not committed)
    source_ids: list[str]
    source_totals: list[int]
    # The sorted numbers of each source's documents deleted when the merge started.
    deleted_at_start: list[list[int]]
    process: multiprocessing.process.BaseProcess
    connection: Connection
    marker: Path
    outcome: tuple | None = None  # ("done", segment or None) or ("failed", reason)

    def poll(self) -> bool:
        if self.outcome is None and self.connection.poll():
            try:
                self.outcome = self.connection.recv()
            except EOFError:
                self.outcome = ("failed", "the merging process ended without a result")
        if self.outcome is None and not self.process.is_alive() and not self.connection.poll():
            self.outcome = ("failed", f"the merging process died ({self.process.exitcode})")
        return self.outcome is not None

    def wait(self) -> None:
        while not self.poll():
            self.connection.poll(0.5)


@dataclass
class MergeScheduler:
    """The background merges of one index build, owned by the process that commits to it."""

    build: Path
    running: list[_Merge] = field(default_factory=list)
    applied: int = 0  # merges swapped in
    dropped: int = 0  # merges whose sources were gone or changed

    # -- what a commit calls --------------------------------------------------------------------

    def mergetype(self, writer, segments) -> list:
        """A Whoosh ``mergetype``: swap in the finished merges, run the small merges the policy
        asks for, start the large ones; returns the segments of the commit."""
        return self._segments_to_commit(writer, list(segments), background=True)

    def final_mergetype(self, writer, segments) -> list:
        """The ``mergetype`` of a last commit: every merge finished and swapped in, and what the
        policy asks for then run inside the commit, so that the segment count is bounded."""
        self.wait()
        return self._segments_to_commit(writer, list(segments), background=False)

    def finished(self) -> bool:
        """Whether a merge waits to be swapped in."""
        return any(merge.poll() for merge in self.running)

    def in_progress(self) -> bool:
        return bool(self.running)

    def wait(self) -> None:
        for merge in self.running:
            merge.wait()

    def abandon(self) -> None:
        """Stop every running merge and remove what it wrote (the index stays as committed)."""
        for merge in self.running:
            if merge.process.is_alive():
                merge.process.terminate()
            merge.process.join()
            self._remove(merge)
        self.running.clear()

    # -- inside ----------------------------------------------------------------------------------

    def _segments_to_commit(self, writer, segments: list, background: bool) -> list:
        swapped_away: list = []
        segments = self._swap_in_finished(segments, swapped_away)
        busy = {source for merge in self.running for source in merge.source_ids}
        candidates = [s for s in segments if s.segment_id() not in busy]
        here = []
        for group in merging.merge_plan(candidates):
            live = sum(segment.doc_count() for segment in group)
            if not background or live < BACKGROUND_FROM:
                here.append(group)
            elif len(self.running) < MAX_RUNNING:
                self._start(writer, group)
        segments = merging.merge_groups(writer, segments, here)
        # The writer removes their files once the commit that drops them is written.
        writer.merged_away.extend(swapped_away)
        return segments

    def _swap_in_finished(self, segments: list, merged_away: list) -> list:
        by_id = {segment.segment_id(): segment for segment in segments}
        still = []
        for merge in self.running:
            if not merge.poll():
                still.append(merge)
                continue
            merge.process.join()
            status, result = merge.outcome
            sources = [by_id.get(source) for source in merge.source_ids]
            if status != "done" or any(source is None for source in sources):
                reason = result if status != "done" else "its sources were merged away"
                log.info("a background merge was dropped: %s", reason)
                self.dropped += 1
                self._remove(merge)
                continue
            deleted_since = self._deleted_since(merge, sources)
            if deleted_since is None:
                self.dropped += 1
                self._remove(merge)
                continue
            if result is not None:
                for docnum in deleted_since:
                    result.delete_document(docnum)
            gone = {id(source) for source in sources}
            segments = [s for s in segments if id(s) not in gone]
            merged_away.extend(sources)
            if result is not None:
                segments.append(result)
            merge.marker.unlink(missing_ok=True)
            self.applied += 1
        self.running = still
        return segments

    @staticmethod
    def _deleted_since(merge: _Merge, sources: list) -> list[int] | None:
        """The merged segment's numbers of the documents deleted from its sources since it
        started; None when a deletion it started from is no longer there (never committed)."""
        numbers: list[int] = []
        base = 0
        for source, total, at_start in zip(
            sources, merge.source_totals, merge.deleted_at_start, strict=True
        ):
            now = set(source.deleted_docs()) if source.has_deletions() else set()
            if source.doc_count_all() != total or not now.issuperset(at_start):
                return None
            for docnum in sorted(now.difference(at_start)):
                numbers.append(base + docnum - bisect.bisect_left(at_start, docnum))
            base += total - len(at_start)
        return numbers

    def _start(self, writer, group: list) -> None:
        storage = writer.storage
        target = writer.codec.new_segment(storage, writer.indexname)
        marker = self.build / f"{MARKER_PREFIX}{target.segment_id()}.{os.getpid()}"
        marker.touch()
        context = multiprocessing.get_context(START_METHOD)
        ours, theirs = context.Pipe(duplex=False)
        process = context.Process(
            target=_merge_in_child,
            args=(str(self.build), writer.schema, group, target, theirs),
            name="arkhiv-merge",
            daemon=True,
        )
        process.start()
        theirs.close()
        self.running.append(
            _Merge(
                target=target,
                source_ids=[segment.segment_id() for segment in group],
                source_totals=[segment.doc_count_all() for segment in group],
                deleted_at_start=[
                    sorted(segment.deleted_docs()) if segment.has_deletions() else []
                    for segment in group
                ],
                process=process,
                connection=ours,
                marker=marker,
            )
        )

    def _remove(self, merge: _Merge) -> None:
        prefix = f"{merge.target.segment_id()}."
        try:
            entries = list(self.build.iterdir())
        except FileNotFoundError:  # the build itself is gone (a reindex replaced it)
            return
        for entry in entries:
            if entry.name.startswith(prefix):
                entry.unlink(missing_ok=True)
        merge.marker.unlink(missing_ok=True)


def _merge_in_child(build: str, schema, group: list, target, connection: Connection) -> None:
    """In the child: write the merged segment; send it (or why not) to the parent."""
    try:
        storage = ArchiveStorage(Path(build))
        merged = merging.merge_segments(storage, schema, W3Codec(), INDEX_NAME, group, target)
        connection.send(("done", merged))
    except BaseException as exc:  # noqa: BLE001 - whatever it was, the parent hears it
        connection.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def protected_prefixes(build: Path) -> tuple[tuple[str, ...], set[str]]:
    """What :func:`index.segments.indexer.remove_partial_files` must keep of the background merges
    in ``build``: the file name prefixes of merges whose owning process lives, and their markers."""
    prefixes, markers = [], set()
    for entry in build.iterdir():
        if not entry.name.startswith(MARKER_PREFIX):
            continue
        segment_id, _, pid = entry.name[len(MARKER_PREFIX) :].rpartition(".")
        if pid.isdigit() and _alive(int(pid)):
            prefixes.append(f"{segment_id}.")
            markers.add(entry.name)
    return tuple(prefixes), markers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_SCHEDULERS: dict[tuple[int, str], MergeScheduler] = {}


def for_build(build: Path) -> MergeScheduler:
    """This process's scheduler of ``build`` (a forked worker gets its own, empty)."""
    key = (os.getpid(), str(build))
    scheduler = _SCHEDULERS.get(key)
    if scheduler is None:
        scheduler = _SCHEDULERS[key] = MergeScheduler(build)
    return scheduler
