"""Merges in the background: commits go on while a merge runs, the merged segment is swapped in
by a later commit with the deletions made meanwhile carried over, and the postings end up exactly
what Whoosh's own writer makes of the final store. Real SQLite, Whoosh on disk, real merging
processes (forked from the test where the test holds the merge until it says so)."""

from __future__ import annotations

import os
import time

import pytest
from whoosh import query

from index.segments import indexer, layout, merge_scheduler, merging
from tests.test_indexer import load, plain_whoosh_index, postings_of, record, search_ids


class Gate:
    """Merges wait until the test opens the gate (a file: the merging process is forked)."""

    def __init__(self, path):
        self.path = path

    def open(self) -> None:
        self.path.touch()

    def wait(self) -> None:
        while not self.path.exists():
            time.sleep(0.01)


@pytest.fixture
def small_segments(monkeypatch, store) -> None:
    """Segments of 20 articles, merged three at a time, every merge in the background."""
    # The records are near-copies of one another (a small vocabulary): grouping them into one
    # story would give them further changes, which is not what these tests count.
    store.detect_copies = False
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    monkeypatch.setattr(indexer, "SEGMENT_ARTICLES", 20)
    monkeypatch.setattr(merging, "FLOOR_DOCS", 20)
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    monkeypatch.setattr(merge_scheduler, "BACKGROUND_FROM", 1)


@pytest.fixture
def small_merges(monkeypatch, tmp_path, small_segments) -> Gate:
    """Small segments (``small_segments``) whose merges are held until the test opens the gate:
    commits happen while a merge runs, whatever the machine's speed."""
    gate = Gate(tmp_path / "merges-may-finish")
    merge = merging.merge_segments

    def held_merge(*args, **kwargs):
        gate.wait()
        return merge(*args, **kwargs)

    monkeypatch.setattr(merging, "merge_segments", held_merge)
    # A merge process forked from this one runs the held merge above.
    monkeypatch.setattr(merge_scheduler, "START_METHOD", "fork")
    return gate


def segments(build) -> list:
    return indexer.open_index(build)._read_toc().segments


def segment_ids(build) -> set[str]:
    return {segment.segment_id() for segment in segments(build)}


def a_merge_running(store, settings, tmp_path, count: int):
    """``count`` articles committed a segment of 20 at a time by a catch-up that returned while
    the first merge runs; the build, its scheduler and that merge."""
    load(store, settings, [record(i) for i in range(count)], tmp_path / "a.jsonl")
    indexer.catch_up(store, settings.index_dir, finish_merges=False)
    build = layout.current_build(settings.index_dir)
    merges = merge_scheduler.for_build(build)
    (running,) = merges.running
    return build, merges, running


def test_commits_do_not_wait_for_a_merge_and_deletions_made_meanwhile_are_carried_over(
    store, settings, tmp_path, small_merges
):
    index_dir = settings.index_dir
    build, merges, running = a_merge_running(store, settings, tmp_path, 120)
    assert merges.in_progress()  # the commit returned; the merge goes on
    assert running.marker.exists()
    target = running.target.segment_id()
    assert target not in segment_ids(build)  # not committed yet
    # Every article is searchable already, from the segments being merged.
    assert len(search_ids(index_dir, query.Term("body", "спільне"))) == 120

    # Corrections: documents of the sources are deleted (replaced) while the merge runs.
    corrected = [record(i, body=f"виправлено зебра{i} correction") for i in range(0, 60, 4)]
    load(store, settings, corrected, tmp_path / "b.jsonl")
    indexer.remove_partial_files(build)  # what every writer runs: the merge's files stay
    assert running.marker.exists()
    indexer.catch_up(store, index_dir, finish_merges=False)
    assert merges.running == [running] and not running.poll()  # still merging
    small_merges.open()
    running.wait()
    indexer.catch_up(store, index_dir, finish_merges=True)  # swaps it in, waits for the rest
    assert not merges.in_progress() and merges.applied >= 1 and merges.dropped == 0
    assert target in segment_ids(build)
    assert not any(name.name.startswith(merge_scheduler.MARKER_PREFIX) for name in build.iterdir())

    # The merged segment holds the replaced documents, deleted (term statistics count them
    # until the segment is rewritten, as in Whoosh and Lucene): the live postings are the same.
    (merged,) = (s for s in segments(build) if s.segment_id() == target)
    assert merged.deleted_count() == len(corrected)
    expected = postings_of(plain_whoosh_index(store, tmp_path / "plain"))
    got = postings_of(index_dir)
    for key in got.keys() | expected.keys():
        live = got[key][5] if key in got else []
        assert live == (expected[key][5] if key in expected else []), key
    assert indexer.compare(store, index_dir).agree
    assert search_ids(index_dir, query.Term("body", "зебра8")) == {"doc-8"}


def test_a_merge_whose_sources_another_writer_merged_is_dropped(
    store, settings, tmp_path, small_merges
):
    index_dir = settings.index_dir
    build, merges, running = a_merge_running(store, settings, tmp_path, 60)
    target = running.target.segment_id()

    # Another writer (another process's scheduler) merges the same segments inside its commit.
    small_merges.open()
    other = merge_scheduler.MergeScheduler(build)
    writer = indexer._writer(indexer.open_index(build))
    writer.commit(mergetype=other.final_mergetype)
    running.wait()
    indexer.catch_up(store, index_dir, finish_merges=True)
    assert merges.dropped == 1 and merges.applied == 0
    assert target not in segment_ids(build)
    assert not any(entry.name.startswith(target) for entry in build.iterdir())
    assert indexer.compare(store, index_dir).agree
    assert len(search_ids(index_dir, query.Term("body", "спільне"))) == 60


def test_a_merge_runs_in_a_process_started_apart_from_the_committer(
    store, settings, tmp_path, small_segments
):
    """Not a fork of the committing process, whose pages the merge would come to hold as that
    process writes them (see merge_scheduler): forked from multiprocessing's fork server."""
    build, merges, running = a_merge_running(store, settings, tmp_path, 60)
    assert running.process._start_method == "forkserver"  # noqa: SLF001
    target = running.target.segment_id()
    running.wait()
    assert running.outcome[0] == "done", running.outcome
    indexer.catch_up(store, settings.index_dir, finish_merges=True)
    assert merges.applied == 1 and merges.dropped == 0
    assert target in segment_ids(build)
    assert len(search_ids(settings.index_dir, query.Term("body", "спільне"))) == 60
    assert indexer.compare(store, settings.index_dir).agree


def test_the_files_of_a_merge_whose_owner_died_are_removed(store, settings, tmp_path):
    load(store, settings, [record(i) for i in range(5)], tmp_path / "a.jsonl")
    indexer.catch_up(store, settings.index_dir)
    build = layout.current_build(settings.index_dir)
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    for owner, segment in ((dead, "MAIN_deadbeef"), (os.getpid(), "MAIN_a11ve")):
        (build / f"{merge_scheduler.MARKER_PREFIX}{segment}.{owner}").touch()
        (build / f"{segment}.seg").write_bytes(b"half a merge")
    removed = indexer.remove_partial_files(build)
    assert "MAIN_deadbeef.seg" in removed
    assert not (build / "MAIN_deadbeef.seg").exists()
    assert (build / "MAIN_a11ve.seg").exists()  # its owner (this process) lives


def test_the_follower_commits_a_finished_merge_without_waiting_for_new_changes(
    store, settings, tmp_path, small_merges
):
    """The follower of `arkhiv serve` never waits for a merge: it commits new changes while one
    runs, and the merge itself at a later look, once done, though the store has not moved."""
    from index.segments.follower import Follower

    follower = Follower(store, settings)
    load(store, settings, [record(i) for i in range(60)], tmp_path / "a.jsonl")
    assert follower.follow_once() == 60
    build = layout.current_build(settings.index_dir)
    merges = merge_scheduler.for_build(build)
    (running,) = merges.running
    before = segment_ids(build)
    assert set(running.source_ids) <= before

    load(store, settings, [record(i) for i in range(60, 65)], tmp_path / "b.jsonl")
    assert follower.follow_once() == 5  # committed while the merge runs
    assert merges.running == [running] and not running.poll()
    assert len(search_ids(settings.index_dir, query.Term("body", "спільне"))) == 65
    small_merges.open()
    running.wait()
    assert not follower.behind() and indexer.merges_waiting(settings.index_dir)
    assert follower.follow_once() == 0  # nothing new: the merge is committed all the same
    after = segment_ids(build)
    assert running.target.segment_id() in after and not set(running.source_ids) & after
    assert not indexer.merges_waiting(settings.index_dir)
    assert len(search_ids(settings.index_dir, query.Term("body", "спільне"))) == 65
    assert indexer.compare(store, settings.index_dir).agree
