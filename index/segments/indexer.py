"""Keeping the search index in step with the store.

The store numbers every change; the index records the last number it applied (``state.json``,
written after each commit). Catching up re-applies every article changed since then. Applying a
change twice is harmless (documents are replaced by id), so a crash between the index's commit and
the state file costs a little repeated work and nothing else.

Every writer (import, reindex, the catch-up of ``serve``) holds the archive's import lock. Segment
files, the table of contents and the state file are flushed to disk before they count (see
:mod:`index.segments.storage`); a write that fails (a full disk) removes what it left half-written,
so the next run starts clean.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.index import TOC, FileIndex

from archive.record import Article
from archive.store import Store
from archive.stores import STORE_ERRORS, open_store_at
from index.segments import checksums, layout, merge_scheduler
from index.segments.columns import Columns
from index.segments.merge_scheduler import MergeScheduler
from index.segments.merging import rewrite_deleted
from index.segments.posting_arrays import ID_FIELD, id_hash, posting_arrays
from index.segments.postings import leaf_readers
from index.segments.schema import build_schema, read_toc
from index.segments.segment_writer import FastSegmentWriter
from index.segments.storage import INDEX_NAME, ArchiveStorage, fsync_directory
from index.text.analysis import ANALYSER_VERSION

STATE_FILE = layout.STATE_FILE
# Articles per segment that one worker builds in memory before it is written (about 0.5 GB).
SEGMENT_ARTICLES = 5_000
# Catch-ups smaller than this are indexed in this process; larger ones by worker processes.
PARALLEL_FROM = 2_000
# Rounds the worker processes build ahead of the one being committed (finished segments wait on
# disk, not in memory).
ROUNDS_AHEAD = 2
WRITER_MEMORY_MB = 256


def worker_count() -> int:
    """Worker processes for a large catch-up: ``$ARKHIV_INDEX_PROCS``, else the CPUs we may use."""
    configured = os.environ.get("ARKHIV_INDEX_PROCS")
    if configured:
        return max(1, int(configured))
    return max(1, min(4, len(os.sched_getaffinity(0))))


def article_document(article: Article, cluster: str | None = None) -> dict[str, Any]:
    """The Whoosh document of one article; ``cluster``: its story, when it has copies."""
    published = article.published
    document = {
        "id": article.id,
        "title": article.title,
        "summary": article.summary or "",
        "body": article.body,
        "author": " ; ".join(article.authors),
        "tag": " ; ".join(article.tags),
        "source": article.source or "",
        "author_value": article.authors,
        "tag_value": article.tags,
        "source_value": [article.source] if article.source else [],
        "language": [article.language],
        "published": int(published.timestamp) if published else -1,
        "day": int(published.local_date.strftime("%Y%m%d")) if published else -1,
    }
    if cluster is not None:
        document["cluster"] = [cluster]
    return document


def stored_document(stored, schema) -> dict[str, Any]:
    """The document of a stored article for an index of ``schema`` (an index built before
    stories were indexed has no ``cluster`` field: its articles go in without, until a
    reindex)."""
    cluster = stored.cluster if "cluster" in schema else None
    return article_document(stored.article, cluster)


class IndexWriteError(RuntimeError):
    """The index could not be written (a full disk, most often); nothing half-written is left."""


@dataclass
class IndexState:
    applied_seq: int = 0
    build: str = ""
    damaged: str = ""  # why state.json could not be read, when it could not
    # The CRC32 of each committed segment file (see index.checksums), as written.
    checksums: dict[str, str] = field(default_factory=dict)
    # The analyser version that wrote the build's terms (see index.analysis.ANALYSER_VERSION).
    analyser: int = ANALYSER_VERSION

    @classmethod
    def read(cls, directory: Path) -> IndexState:
        path = directory / STATE_FILE
        try:
            data = json.loads(path.read_text())
            return cls(
                applied_seq=int(data["applied_seq"]),
                build=str(data.get("build", "")),
                checksums={str(k): str(v) for k, v in data.get("checksums", {}).items()},
                analyser=int(data.get("analyser", layout.FIRST_ANALYSER)),
            )
        except FileNotFoundError:
            return cls(damaged=f"{path} is missing")
        except (ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
            return cls(damaged=f"{path} cannot be read ({type(exc).__name__}: {exc})")

    def write(self, directory: Path) -> None:
        """Replace the state file durably: a new file, flushed, renamed, the folder flushed.
        The checksums of segment files committed since the last write are added."""
        self.checksums = checksums.updated(directory, self.checksums)
        temporary = directory / f"{STATE_FILE}.tmp"
        state = {
            "applied_seq": self.applied_seq,
            "build": self.build,
            "checksums": self.checksums,
            "analyser": self.analyser,
        }
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(state))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, directory / STATE_FILE)
        fsync_directory(directory)


def open_index(build: Path, readonly: bool = False) -> FileIndex:
    """The Whoosh index in ``build``, read through memory maps and written durably; with this
    code's schema (see :func:`~index.segments.schema.read_toc`)."""
    storage = ArchiveStorage(build, readonly=readonly)
    return FileIndex(storage, schema=build_schema(), indexname=INDEX_NAME)


def create_index(build: Path) -> FileIndex:
    ix = FileIndex.create(ArchiveStorage(build), build_schema(), INDEX_NAME)
    IndexState(0, uuid.uuid4().hex).write(build)
    return ix


def ensure_index(root: Path) -> Path:
    """The current build under ``root``; an empty index is created when there is none yet.

    Only writers call this (under the import lock); readers report a missing index instead.
    """
    build = layout.current_build(root)
    if build is not None:
        return build
    if (root / layout.POINTER).exists():  # it names a build that is gone: not a new archive
        raise layout.IndexMissing(root)
    layout.remove_stale(root)
    build = layout.new_build(root)
    create_index(build)
    layout.publish(root, build)
    return build


def remove_partial_files(build: Path) -> list[str]:
    """Remove files a failed or killed write left in ``build``: segments no commit names,
    temporary folders, half-written tables of contents. Returns their names."""
    storage = ArchiveStorage(build)
    generation = TOC._latest_generation(storage, INDEX_NAME)  # noqa: SLF001
    if generation < 0:
        return []
    toc = read_toc(storage, generation)
    merging_prefixes, markers = merge_scheduler.protected_prefixes(build)
    keep_prefixes = tuple(f"{segment.segment_id()}." for segment in toc.segments)
    keep_prefixes += merging_prefixes
    keep = {TOC._filename(INDEX_NAME, generation), STATE_FILE, *markers}  # noqa: SLF001
    removed = []
    for entry in build.iterdir():
        name = entry.name
        if name in keep or name.startswith(keep_prefixes) or name.endswith("LOCK"):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(name)
    return removed


def _writer(ix: FileIndex) -> FastSegmentWriter:
    # Whoosh waits for its own lock; only one of our processes writes at a time anyway (imports
    # hold the import lock), so a long wait means something is stuck.
    return FastSegmentWriter(ix, limitmb=WRITER_MEMORY_MB, timeout=300.0, delay=0.25)


Progress = Callable[[int, int], None]


def catch_up(
    store: Store,
    root: Path,
    progress: Progress | None = None,
    workers: int | None = None,
    finish_merges: bool = True,
) -> int:
    """Apply every store change after the index's last applied one (articles added, changed or
    taken down); returns how many. ``workers``: processes for a large catch-up (default
    :func:`worker_count`; 1 indexes in this process, as a threaded server must).

    Large merges run in the background (:mod:`index.segments.merge_scheduler`) while changes are
    committed. ``finish_merges``: wait for them and commit them before returning (an import);
    else a later call commits them once done (a follower, which calls again every second).

    The caller holds the import lock. Raises :class:`IndexWriteError` when the index cannot be
    written; what was committed before stays, and nothing half-written is left."""
    return catch_up_build(store, ensure_index(root), progress, workers, finish_merges)


def merges_waiting(root: Path) -> bool:
    """Whether a background merge of this process has finished and waits to be committed."""
    build = layout.current_build(root)
    return build is not None and merge_scheduler.for_build(build).finished()


def applied_seq(root: Path) -> int:
    """The last store change the current index has applied; 0 without a readable index."""
    try:
        build = layout.current_build(root)
    except layout.IndexMissing:
        return 0
    return IndexState.read(build).applied_seq if build is not None else 0


def catch_up_build(
    store: Store,
    build: Path,
    progress: Progress | None = None,
    workers: int | None = None,
    finish_merges: bool = True,
) -> int:
    merges = merge_scheduler.for_build(build)
    try:
        remove_partial_files(build)
        state = IndexState.read(build)  # a damaged state re-applies everything: harmless
        target = store.last_seq()
        if state.applied_seq >= target:
            if _commit_merges(build, merges, finish_merges):
                remove_partial_files(build)
                state.write(build)  # with the merged segments' checksums
            return 0
        ix = open_index(build)
        # Taken down since: removed first, in a commit of their own (applying it twice is
        # harmless, as is applying a change twice).
        removed = _remove_documents(ix, store.removed_since(state.applied_seq), merges)
        pending = store.pending_count(state.applied_seq)
        procs = workers or worker_count()
        if procs > 1 and pending >= PARALLEL_FROM:
            applied = _catch_up_parallel(store, build, ix, state, pending, procs, progress, merges)
        elif pending:
            applied = _catch_up_here(store, build, ix, state, pending, progress, merges)
        else:
            applied = 0
        _commit_merges(build, merges, finish_merges)
        remove_partial_files(build)  # the writers' temporary folders
        state.applied_seq = max(state.applied_seq, target)
        state.write(build)
        applied += removed
    except OSError as exc:
        merges.abandon()
        raise IndexWriteError(_write_failure(build, exc, _clean_after_failure(build))) from exc
    except STORE_ERRORS:
        merges.abandon()
        raise  # the store's own error, reported as such
    except Exception as exc:  # noqa: BLE001 - what a damaged index raises varies
        merges.abandon()
        _clean_after_failure(build)
        raise IndexWriteError(
            f"the index at {build} is damaged ({type(exc).__name__}: {exc}). Every article is "
            "kept in the store: run `arkhiv reindex` to rebuild the index from it."
        ) from exc
    return applied


def _commit_merges(build: Path, merges: MergeScheduler, finish: bool) -> bool:
    """Commit the background merges that are done (``finish``: wait for every one, and run
    what the policy asks for then); returns whether a commit was made."""
    if not (merges.finished() or (finish and merges.in_progress())):
        return False
    writer = _writer(open_index(build))
    try:
        writer.commit(mergetype=merges.final_mergetype if finish else merges.mergetype)
        writer = None
    finally:
        if writer is not None:
            writer.cancel()
    return True


def _remove_documents(ix: FileIndex, ids: list[str], merges: MergeScheduler) -> int:
    """Delete the documents of ``ids`` (taken down) in one commit; returns how many ids."""
    if not ids:
        return 0
    writer = _writer(ix)
    try:
        _Replacer(writer).delete_all(ids)
        writer.commit(mergetype=merges.mergetype)
        writer = None
    finally:
        if writer is not None:
            writer.cancel()
    return len(ids)


def expunge(root: Path) -> int:
    """Rewrite every segment that holds deleted documents without them, so that no file of the
    index keeps the words of an article taken down and purged; returns how many segments.

    The caller holds the import lock and has caught the index up."""
    build = ensure_index(root)
    try:
        writer = _writer(open_index(build))
        try:
            rewritten = sum(1 for segment in writer.segments if segment.deleted_count())
            writer.commit(mergetype=rewrite_deleted)
            writer = None
        finally:
            if writer is not None:
                writer.cancel()
        remove_partial_files(build)
        state = IndexState.read(build)
        if not state.damaged:
            state.write(build)  # with the rewritten segments' checksums
    except OSError as exc:
        raise IndexWriteError(_write_failure(build, exc, _clean_after_failure(build))) from exc
    return rewritten


def damaged_segments(build: Path) -> list[str]:
    """Each committed segment file of ``build`` that is missing or no longer matches the
    checksum written with it."""
    return checksums.damaged(build, IndexState.read(build).checksums)


def _clean_after_failure(build: Path) -> list[str]:
    try:
        return remove_partial_files(build)
    except Exception:  # noqa: BLE001 - cleaning is best effort; the next writer tries again
        return []


def _write_failure(build: Path, exc: OSError, removed: list[str]) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"the disk is full (no space left for the index at {build})"
    else:
        cause = exc.strerror or str(exc)
        if exc.filename:
            cause = f"{cause}: {Path(exc.filename).name}"
        reason = f"the index at {build} could not be written ({cause})"
    cleaned = f"; {len(removed)} half-written files were removed" if removed else ""
    return (
        f"{reason}{cleaned}. Every article is kept in the store; what was indexed before stays "
        "searchable. Make room and run `arkhiv import` (or `arkhiv reindex`) again."
    )


def _catch_up_here(store, directory, ix, state, pending, progress, merges) -> int:
    """Index the pending changes in this process, a segment per ``SEGMENT_ARTICLES``."""
    applied = 0
    writer = _writer(ix)
    collecting = gc.isenabled()
    gc.disable()  # see _build_segment
    try:
        deleter = _Replacer(writer)
        last_seq = state.applied_seq
        for stored in store.changed_since(state.applied_seq):
            deleter.delete(stored.article.id)
            writer.add_document(**stored_document(stored, writer.schema))
            applied += 1
            last_seq = stored.seq
            if progress:
                progress(applied, pending)
            if applied % SEGMENT_ARTICLES == 0:
                writer.commit(mergetype=merges.mergetype)
                state.applied_seq = last_seq
                state.write(directory)
                writer = _writer(ix)
                deleter = _Replacer(writer)
        writer.commit(mergetype=merges.mergetype)
        writer = None
        state.applied_seq = last_seq
    finally:
        if writer is not None:
            writer.cancel()
        if collecting:
            gc.enable()
    return applied


class _Replacer:
    """Deletes the committed documents of ids about to be (re)indexed: replace by id.

    A segment is asked for an id (in its memory-mapped term table, see
    :mod:`index.segments.storage`) only when the sorted hashes of its ids
    (:mod:`index.segments.posting_arrays`) hold the id's hash: a new article costs a binary search
    per segment, and nothing is held per article, so the importing process does not grow with the
    archive."""

    def __init__(self, writer: FastSegmentWriter):
        self.writer = writer
        self.empty = sum(seg.doc_count_all() for seg in writer.segments) == 0
        self._leaves = None

    def delete(self, article_id: str) -> None:
        self.delete_all([article_id])

    def delete_all(self, article_ids: list[str]) -> None:
        if self.empty or not article_ids:
            return
        if self._leaves is None:
            self._leaves = list(leaf_readers(self.writer.reader()))
        terms = [article_id.encode("utf-8") for article_id in article_ids]
        hashes = np.fromiter((id_hash(term) for term in terms), dtype=np.uint64, count=len(terms))
        for leaf, offset in self._leaves:
            if not hasattr(leaf, "_terms"):  # an empty reader
                continue
            arrays = posting_arrays(leaf)
            known = arrays.id_hashes() if arrays is not None else None
            if known is None:
                maybe = range(len(terms))  # a segment from before the hashes: ask it all
            else:
                at = np.searchsorted(known, hashes).clip(max=max(len(known) - 1, 0))
                maybe = np.flatnonzero(known[at] == hashes).tolist() if len(known) else []
            for index in maybe:
                if (ID_FIELD, terms[index]) not in leaf._terms:  # noqa: SLF001
                    continue
                for docnum in leaf.postings(ID_FIELD, terms[index]).all_ids():
                    if not leaf.is_deleted(docnum):
                        self.writer.delete_document(offset + docnum)


def _seq_bounds(store: Store, after: int, pending: int, procs: int) -> list[list[tuple]]:
    """Split the pending changes into rounds (one commit each) of ``procs`` seq ranges."""
    seqs = sorted(seq for _, seq in store.id_seqs() if seq > after)
    rounds = max(1, -(-len(seqs) // (procs * SEGMENT_ARTICLES)))
    parts = rounds * procs
    plan: list[list[tuple]] = []
    start = 0
    previous = after
    for part in range(parts):
        stop = len(seqs) * (part + 1) // parts
        if stop > start:
            if part % procs == 0:
                plan.append([])
            plan[-1].append((previous, seqs[stop - 1]))
            previous = seqs[stop - 1]
        start = stop
    return plan


def _catch_up_parallel(store, directory, ix, state, pending, procs, progress, merges) -> int:
    """Worker processes build one segment each from a range of changes; this process holds the
    index lock, deletes replaced documents and commits the new segments with the state.

    Pipelined: while this process commits a round (its deletions, merges, table of contents),
    the workers build the next ``ROUNDS_AHEAD`` rounds; large merges run in the background."""
    import multiprocessing

    from index.text.analysis import word_terms

    word_terms("індекс")  # loads the dictionary once, before the workers fork
    plan = _seq_bounds(store, state.applied_seq, pending, procs)
    context = multiprocessing.get_context("fork")
    # One progress counter per job in flight: a round's jobs use the counters of its slot group.
    counters = [context.Value("q", 0, lock=False) for _ in range(procs * ROUNDS_AHEAD)]
    applied = 0

    def submit(number: int):
        group = (number % ROUNDS_AHEAD) * procs
        for counter in counters[group : group + procs]:
            counter.value = 0
        return [
            pool.apply_async(
                _build_segment,
                (store.location, store.default_zone, str(directory), lo, hi, group + slot),
            )
            for slot, (lo, hi) in enumerate(plan[number])
        ]

    with context.Pool(procs, initializer=_init_worker, initargs=(counters,)) as pool:
        in_flight = deque(submit(number) for number in range(min(ROUNDS_AHEAD, len(plan))))
        for number, ranges in enumerate(plan):
            jobs = in_flight.popleft()
            writer = _writer(ix)
            try:
                # Replaced documents are deleted here while the workers index the new ones.
                deleter = _Replacer(writer)
                if not deleter.empty:
                    for lo, hi in ranges:
                        deleter.delete_all(list(store.ids_changed(lo, hi)))
                results = []
                for job in jobs:
                    while not job.ready():
                        job.wait(0.5)
                        if progress:
                            progress(applied + sum(c.value for c in counters), pending)
                    results.append(job.get())
                count = sum(n for _, n in results)
                if number + ROUNDS_AHEAD < len(plan):
                    in_flight.append(submit(number + ROUNDS_AHEAD))
                _commit_segments(writer, [s for s, _ in results if s], merges)
                writer = None
            finally:
                if writer is not None:
                    writer.cancel()
            applied += count
            if progress:
                progress(applied, pending)
            state.applied_seq = ranges[-1][1]
            state.write(directory)
    return applied


def _commit_segments(writer: FastSegmentWriter, new_segments: list, merges: MergeScheduler) -> None:
    """Commit the writer's deletions with segments built elsewhere (as Whoosh's MpWriter), and
    the merges the tiered policy asks for (see :mod:`index.segments.merge_scheduler`)."""
    kept = merges.mergetype(writer, list(writer.segments) + new_segments)
    if writer._added:
        kept.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(kept)
    writer._finish()


_COUNTERS: list = []


def _init_worker(counters) -> None:
    _COUNTERS[:] = counters


def _unlocked_writer(build: Path) -> FastSegmentWriter:
    """A writer for a worker's new segment. Opening the index and the writer each read the newest
    table of contents; the parent may commit in between and remove the one just listed: then
    read the newer one."""
    for attempt in range(50):
        try:
            return FastSegmentWriter(open_index(build), _lk=False)
        except FileNotFoundError:
            if attempt == 49:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _build_segment(store_location, zone, directory, after, upto, slot):
    """In a worker: index the changes with ``after < seq <= upto`` into a new, uncommitted
    segment; returns it (for the parent's commit) and how many articles it holds."""
    counter = _COUNTERS[slot] if slot < len(_COUNTERS) else None
    # The segment is millions of small lists and tuples that live until it is written: the
    # cyclic garbage collector would walk them over and over, and there are no cycles to find.
    gc.disable()
    store = open_store_at(store_location, zone)
    writer = _unlocked_writer(Path(directory))
    count = 0
    segment = None
    try:
        for stored in store.changed_since(after):
            if stored.seq > upto:
                break
            writer.add_document(**stored_document(stored, writer.schema))
            count += 1
            if counter is not None and count % 100 == 0:
                counter.value = count
        if count:
            segment = writer._finalize_segment()
    finally:
        # Not writer._finish(): that removes the temporary directory the other workers share.
        if not writer.is_closed:
            writer._close_segment()
            writer.is_closed = True
        store.close()
        gc.enable()
    return segment, count


def rebuild(store: Store, root: Path, progress: Progress | None = None) -> int:
    """Build a new index from the whole store beside the current one, then swap it in.

    The caller holds the import lock. Searches go on with the current index until the swap (one
    rename of the pointer file); a failed or killed rebuild leaves the current index as it was,
    and what it wrote is removed here or by the next writer."""
    layout.remove_stale(root)
    build = layout.new_build(root)
    try:
        create_index(build)
        count = catch_up_build(store, build, progress)
        layout.publish(root, build)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return count


@dataclass
class Comparison:
    """What ``arkhiv check`` found: empty ``differences`` means store and index agree."""

    store_articles: int
    index_documents: int
    store_seq: int
    index_seq: int
    differences: list[str]

    @property
    def agree(self) -> bool:
        return not self.differences


def compare(store: Store, root: Path, sample_limit: int = 10) -> Comparison:
    """Compare the store with the index: sequence numbers, counts, the very ids, and documents
    that appear twice for one id. A missing or damaged index is a difference, not an error."""
    differences: list[str] = []
    store_ids = {article_id for article_id, _ in store.id_seqs()}
    store_seq = store.last_seq()

    def result(index_documents: int = 0, index_seq: int = 0) -> Comparison:
        return Comparison(len(store_ids), index_documents, store_seq, index_seq, differences)

    try:
        build = layout.require_build(root)
    except layout.IndexMissing as exc:
        differences.append(str(exc))
        return result()
    state = IndexState.read(build)
    if state.damaged:
        differences.append(f"the index's state: {state.damaged}; run `arkhiv reindex`")
    differences.extend(
        f"{problem}; run `arkhiv reindex`" for problem in checksums.damaged(build, state.checksums)
    )
    if not state.damaged and state.analyser != ANALYSER_VERSION:
        differences.append(
            f"the index was written by analyser version {state.analyser}, this Arkhiv analyses "
            f"text with version {ANALYSER_VERSION} (names are indexed by their spelling keys); "
            "searches may miss articles until you run `arkhiv reindex`"
        )
    try:
        reader = open_index(build, readonly=True).reader()
        try:
            Columns.build(reader)  # a damaged column is a difference too
            index_ids = Counter(fields["id"] for fields in reader.all_stored_fields())
        finally:
            reader.close()
    except Exception as exc:  # noqa: BLE001 - whatever is damaged, say so and how to mend it
        differences.append(
            f"the index at {build} cannot be read ({type(exc).__name__}: {exc}); "
            "run `arkhiv reindex`"
        )
        return result(0, state.applied_seq)
    documents = sum(index_ids.values())
    if not state.damaged and state.applied_seq < store_seq:
        differences.append(
            f"the index has applied changes up to {state.applied_seq}, the store is at "
            f"{store_seq}: {store.pending_count(state.applied_seq)} articles wait to be indexed"
        )
    elif not state.damaged and state.applied_seq > store_seq:
        differences.append(
            f"the index has applied change {state.applied_seq}, beyond the store's {store_seq}: "
            "it was built from another store; run `arkhiv reindex`"
        )
    missing = sorted(store_ids - index_ids.keys())
    extra = sorted(index_ids.keys() - store_ids)
    twice = sorted(article_id for article_id, count in index_ids.items() if count > 1)
    if missing:
        shown = ", ".join(missing[:sample_limit])
        differences.append(f"{len(missing)} articles are not in the index (e.g. {shown})")
    if extra:
        shown = ", ".join(extra[:sample_limit])
        differences.append(f"{len(extra)} documents in the index are not in the store ({shown})")
    if twice:
        shown = ", ".join(twice[:sample_limit])
        differences.append(
            f"{len(twice)} articles have more than one live document in the index ({shown}); "
            "run `arkhiv reindex`"
        )
    if documents != len(store_ids) and not (missing or extra or twice):
        differences.append(f"the index has {documents} live documents, the store {len(store_ids)}")
    return result(documents, state.applied_seq)
