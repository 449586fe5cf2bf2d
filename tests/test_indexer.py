"""The index follows the store: complete, replace by id, idempotent replays, and the fast write
path writes the same postings as Whoosh's own writer. Real SQLite and Whoosh on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from whoosh import fields, query
from whoosh import index as whoosh_index

from archive.importer import Importer
from archive.store import Store
from index.segments import indexer, layout, merge_scheduler, merging
from index.segments.schema import build_schema
from index.segments.storage import INDEX_NAME, ArchiveStorage

UK_WORDS = [
    "Київ",
    "Києва",
    "Києві",
    "Україна",
    "України",
    "Україні",
    "уряд",
    "уряду",
    "урядом",
    "бюджет",
    "бюджету",
    "школа",
    "школи",
    "школам",
    "п’ять",
    "сім'я",
    "Глущенко",
    "Глущенка",
    "рада",
    "ради",
    "радою",
    "вибори",
    "виборів",
]
EN_WORDS = [
    "council",
    "budget",
    "schools",
    "running",
    "runs",
    "Hlushchenko",
    "Kyiv",
    "elections",
    "the",
    "of",
]


def record(i: int, **extra) -> dict:
    uk = i % 3 != 0
    words = UK_WORDS if uk else EN_WORDS
    body = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(40 + i % 50))
    return {
        "id": f"doc-{i}",
        "title": f"{words[i % len(words)]} {words[(i + 5) % len(words)]} {i}",
        "summary": "" if i % 4 == 0 else f"{words[(i + 2) % len(words)]} спільне common",
        # "спільне" in every body: a term with more postings than one W3 block holds (128).
        "body": f"{body} спільне {body[:60]} спільне",
        "language": "uk" if uk else "en",
        "published": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}",
        "authors": [f"Автор {i % 7}", "Jane Doe"] if i % 2 else [],
        "tags": ["бюджет", f"tag{i % 5}"],
        "source": f"Outlet {i % 3}",
        **extra,
    }


def load(store: Store, settings, records: list[dict], path: Path) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    Importer(store, settings).run([path])


def whoosh_dir(directory: Path) -> str:
    """The folder of the current build under an index root (or a plain Whoosh folder)."""
    return str(layout.current_build(directory) or directory)


def index_ids(directory: Path) -> list[str]:
    ix = whoosh_index.open_dir(whoosh_dir(directory))
    with ix.searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


def search_ids(directory: Path, q: query.Query) -> set[str]:
    ix = whoosh_index.open_dir(whoosh_dir(directory))
    with ix.searcher() as searcher:
        return {hit["id"] for hit in searcher.search(q, limit=None)}


@pytest.fixture
def index_dir(settings) -> Path:
    return settings.index_dir


@pytest.fixture(params=["here", "workers"])
def path_kind(request, monkeypatch):
    """Run each test through the in-process path and through the worker processes."""
    if request.param == "workers":
        monkeypatch.setattr(indexer, "PARALLEL_FROM", 1)
        monkeypatch.setattr(indexer, "SEGMENT_ARTICLES", 40)
        monkeypatch.setenv("ARKHIV_INDEX_PROCS", "2")
    else:
        monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    return request.param


def test_catch_up_indexes_everything_and_check_agrees(
    store, settings, index_dir, tmp_path, path_kind
):
    load(store, settings, [record(i) for i in range(150)], tmp_path / "a.jsonl")
    assert not indexer.compare(store, index_dir).agree
    assert indexer.catch_up(store, index_dir) == 150
    comparison = indexer.compare(store, index_dir)
    assert comparison.agree, comparison.differences
    assert index_ids(index_dir) == sorted(f"doc-{i}" for i in range(150))
    build = layout.current_build(index_dir)
    assert indexer.IndexState.read(build).applied_seq == store.last_seq()
    # Searchable in every field kind.
    assert search_ids(index_dir, query.Term("body", "київ"))
    assert search_ids(index_dir, query.Term("language", "en")) == {
        f"doc-{i}" for i in range(150) if i % 3 == 0
    }
    assert len(search_ids(index_dir, query.Term("body", "спільний"))) == 150


def test_second_catch_up_applies_nothing(store, settings, index_dir, tmp_path, path_kind):
    load(store, settings, [record(i) for i in range(60)], tmp_path / "a.jsonl")
    assert indexer.catch_up(store, index_dir) == 60
    toc = sorted(p.name for p in index_dir.glob("*.toc"))
    assert indexer.catch_up(store, index_dir) == 0
    assert sorted(p.name for p in index_dir.glob("*.toc")) == toc


def test_update_replaces_the_document(store, settings, index_dir, tmp_path, path_kind):
    load(store, settings, [record(i) for i in range(90)], tmp_path / "a.jsonl")
    indexer.catch_up(store, index_dir)
    changed = [record(i, body=f"Оновлений текст про зебру {i}") for i in (3, 50, 89)]
    load(store, settings, changed, tmp_path / "b.jsonl")
    assert indexer.catch_up(store, index_dir) == 3
    assert index_ids(index_dir) == sorted(f"doc-{i}" for i in range(90))
    assert search_ids(index_dir, query.Term("body", "зебра")) == {"doc-3", "doc-50", "doc-89"}
    old_words = search_ids(index_dir, query.Term("body", "спільний"))
    assert old_words == {f"doc-{i}" for i in range(90)} - {"doc-3", "doc-50", "doc-89"}
    assert indexer.compare(store, index_dir).agree


def test_replay_after_kill_between_commit_and_state_is_idempotent(
    store, settings, index_dir, tmp_path, path_kind
):
    load(store, settings, [record(i) for i in range(80)], tmp_path / "a.jsonl")
    indexer.catch_up(store, index_dir)
    # The index committed, the process died before state.json said so.
    build = layout.current_build(index_dir)
    state = indexer.IndexState.read(build)
    indexer.IndexState(applied_seq=0, build=state.build).write(build)
    assert not indexer.compare(store, index_dir).agree
    assert indexer.catch_up(store, index_dir) == 80
    assert index_ids(index_dir) == sorted(f"doc-{i}" for i in range(80))
    assert len(search_ids(index_dir, query.Term("body", "спільний"))) == 80
    assert indexer.compare(store, index_dir).agree


def test_leftover_segment_of_a_killed_build_is_ignored_and_removed(
    store, settings, index_dir, tmp_path, path_kind
):
    """Segment files written but never committed (a worker finished, the commit never came)."""
    load(store, settings, [record(i) for i in range(50)], tmp_path / "a.jsonl")
    build = indexer.ensure_index(index_dir)
    orphan = indexer._build_segment(
        str(store.path), store.default_zone, str(build), 0, store.last_seq(), 0
    )
    assert orphan[1] == 50
    assert index_ids(index_dir) == []
    assert indexer.catch_up(store, index_dir) == 50
    assert index_ids(index_dir) == sorted(f"doc-{i}" for i in range(50))
    assert not list(build.glob(f"*{orphan[0].segment_id()}*"))


def plain_whoosh_index(store, directory: Path) -> Path:
    """The store indexed by Whoosh's own writer, the reference for our segment writer."""
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), build_schema())
    writer = ix.writer()
    for stored in store.changed_since(0):
        writer.add_document(**indexer.stored_document(stored, ix.schema))
    writer.commit()
    return directory


def postings_of(directory: Path) -> dict:
    """Every term of every field with its statistics and postings, keyed by article id."""
    ix = whoosh_index.open_dir(whoosh_dir(directory))
    found = {}
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for fieldname, btext in reader.all_terms():
            fmt = ix.schema[fieldname].format
            info = reader.term_info(fieldname, btext)
            matcher = reader.postings(fieldname, btext)
            postings = []
            while matcher.is_active():
                docnum = matcher.id()
                positions = (
                    tuple(fmt.decode_positions(matcher.value()))
                    if fmt.supports("positions")
                    else None
                )
                postings.append(
                    (
                        ids[docnum],
                        matcher.weight(),
                        positions,
                        reader.doc_field_length(docnum, fieldname),
                    )
                )
                matcher.next()
            found[(fieldname, btext)] = (
                info.doc_frequency(),
                info.weight(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
                sorted(postings),
            )
    return found


def test_fast_path_postings_equal_whooshs_own_writer(
    store, settings, tmp_path, path_kind, monkeypatch
):
    records = [record(i) for i in range(300)]
    load(store, settings, records, tmp_path / "a.jsonl")
    plain = plain_whoosh_index(store, tmp_path / "plain")

    if path_kind == "here":
        # One segment, as Whoosh's writer makes: the statistics of each term compare too.
        monkeypatch.setattr(indexer, "SEGMENT_ARTICLES", 10_000)
    fast = tmp_path / "fast"
    indexer.catch_up(store, fast)

    expected, got = postings_of(plain), postings_of(fast)
    assert got.keys() == expected.keys()
    assert any(stats[0] > 128 for stats in expected.values())  # a term of several blocks
    for key in expected:
        if path_kind == "here":
            assert got[key] == expected[key], key
        else:  # several segments: the postings are the same, the statistics are per segment
            assert got[key][5] == expected[key][5], key

    # And the same answers to queries, phrases included.
    queries = [
        query.Term("body", "київ"),
        query.Term("body", "kyiv"),
        query.Term("title", "бюджет"),
        query.Term("summary", "спільний"),
        query.Term("author", "автор"),
        query.Term("tag_value", "бюджет"),
        query.Term("source_value", "Outlet 1"),
        query.Phrase("body", ["уряд", "бюджет"]),
        query.Sequence([query.Term("body", "рада"), query.Term("body", "вибори")]),
        query.And([query.Term("body", "school"), query.Term("language", "en")]),
    ]
    for q in queries:
        assert search_ids(fast, q) == search_ids(plain, q), q
    assert search_ids(fast, query.Phrase("body", ["уряд", "бюджет"]))


def test_merged_segments_keep_the_same_postings(store, settings, tmp_path, monkeypatch):
    """Small segments merged by the tiered policy while documents are added: the postings of
    merged terms and of newly added ones end up in one list, in document order, and the number
    of segments stays within the policy's bound."""
    records = [record(i) for i in range(300)]
    load(store, settings, records, tmp_path / "a.jsonl")
    plain = plain_whoosh_index(store, tmp_path / "plain")

    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    monkeypatch.setattr(indexer, "SEGMENT_ARTICLES", 20)
    monkeypatch.setattr(merging, "FLOOR_DOCS", 20)
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    fast = tmp_path / "fast"
    indexer.catch_up(store, fast)
    segments = whoosh_index.open_dir(whoosh_dir(fast)).reader().leaf_readers()
    # 15 segments of 20 were written; at most 2 per tier (20, 60, 180 articles) and 1 new remain.
    assert 2 <= len(segments) <= 7

    expected, got = postings_of(plain), postings_of(fast)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key


def merge_every_segment(build: Path):
    """Merge every segment of the index in ``build`` into one and commit it; returns it."""
    ix = indexer.open_index(build)
    segments = ix._read_toc().segments
    writer = ix.writer()
    merged = merging.merge_segments(
        writer.storage, writer.schema, writer.codec, writer.indexname, segments
    )
    writer._close_segment()
    writer._commit_toc([merged])
    writer._finish()
    return merged


def test_merging_drops_deleted_documents(store, settings, tmp_path, monkeypatch):
    """After corrections, one merge of every segment holds exactly what Whoosh's own writer
    makes of the final store: deleted documents and the terms only they had are gone."""
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    monkeypatch.setattr(indexer, "SEGMENT_ARTICLES", 50)
    load(store, settings, [record(i) for i in range(200)], tmp_path / "a.jsonl")
    indexer.catch_up(store, settings.index_dir)
    # A tenth corrected, none of them the article whose id keys its story (the earliest, as
    # every record is a copy of others here): its correction would move the whole story, and
    # segments that lose more than DELETED_SHARE are rewritten, their deletions gone.
    corrected = [record(i, body=f"виправлено зебра{i} correction") for i in range(3, 200, 10)]
    load(store, settings, corrected, tmp_path / "b.jsonl")
    indexer.catch_up(store, settings.index_dir)
    build = layout.current_build(settings.index_dir)
    segments = indexer.open_index(build)._read_toc().segments
    assert len(segments) >= 2 and any(s.has_deletions() for s in segments)
    merged = merge_every_segment(build)
    assert merged.doc_count_all() == 200 and not merged.has_deletions()

    expected = postings_of(plain_whoosh_index(store, tmp_path / "plain"))
    got = postings_of(settings.index_dir)
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
    assert indexer.compare(store, settings.index_dir).agree


def test_dates_are_columns_without_terms_and_a_merge_drops_the_old_terms(store, settings, tmp_path):
    """The publication time and day are read from columns only: new segments write no terms
    for them, and merging a segment written when they had terms leaves those terms behind
    while the columns, and so the date filters and order, keep every value."""
    load(store, settings, [record(i) for i in range(40)], tmp_path / "a.jsonl")
    expected = {
        stored.article.id: indexer.stored_document(stored, build_schema())["day"]
        for stored in store.changed_since(0)
    }
    assert len(set(expected.values())) > 1

    indexer.catch_up(store, settings.index_dir)
    ix = indexer.open_index(layout.current_build(settings.index_dir))
    with ix.reader() as reader:
        assert not list(reader.lexicon("published")) and not list(reader.lexicon("day"))

    # An index written by the schema before, the dates indexed as numbers.
    before = build_schema()
    before.remove("published")
    before.remove("day")
    before.add("published", fields.NUMERIC(int, bits=64, signed=True, sortable=True))
    before.add("day", fields.NUMERIC(int, bits=32, signed=True, sortable=True))
    old = tmp_path / "old"
    old.mkdir()
    writer = whoosh_index.FileIndex.create(ArchiveStorage(old), before, INDEX_NAME).writer()
    for stored in store.changed_since(0):
        writer.add_document(**indexer.stored_document(stored, before))
    writer.commit()
    with indexer.open_index(old).reader() as reader:
        assert list(reader.lexicon("day"))  # the old terms are there to drop

    merge_every_segment(old)
    with indexer.open_index(old).reader() as reader:
        assert not list(reader.lexicon("published")) and not list(reader.lexicon("day"))
        assert list(reader.lexicon("body"))
        days = reader.column_reader("day")
        got = {fields_["id"]: days[docnum] for docnum, fields_ in reader.iter_docs()}
    assert got == expected


def test_merge_plan_tiers():
    class Segment:
        def __init__(self, live, deleted=0):
            self.live, self.deleted = live, deleted

        def doc_count(self):
            return self.live

        def doc_count_all(self):
            return self.live + self.deleted

        def deleted_count(self):
            return self.deleted

    small = [Segment(5_000) for _ in range(9)]
    assert merging.merge_plan(small) == []
    tenth = Segment(4_000)
    assert merging.merge_plan([*small, tenth]) == [sorted([*small, tenth], key=Segment.doc_count)]
    big = [Segment(60_000) for _ in range(9)] + [Segment(2_000_000)]
    assert merging.merge_plan(big + small) == []
    worn = Segment(60_000, deleted=40_000)
    assert merging.merge_plan([*small, worn]) == [[worn]]


def test_merge_plan_caps_the_size_of_a_merged_segment(monkeypatch):
    monkeypatch.setattr(merging, "MAX_MERGED_DOCS", 250_000)

    class Segment:
        def __init__(self, live):
            self.live = live

        def doc_count(self):
            return self.live

        def doc_count_all(self):
            return self.live

        def deleted_count(self):
            return 0

    full = [Segment(250_000) for _ in range(12)]
    assert merging.merge_plan(full) == []  # full segments are never merged together
    big = [Segment(40_000) for _ in range(10)]  # 400,000 together: too many for one merge
    (group,) = merging.merge_plan(big)
    assert len(group) >= 2 and sum(s.live for s in group) <= 250_000


def test_a_worker_opening_the_index_while_the_parent_commits_reads_the_newer_commit(
    store, settings, index_dir, tmp_path, monkeypatch
):
    """The worker lists the folder, finds commit N; the parent commits N+1 and removes N before
    the worker reads it. The worker must read N+1, not fail the import."""
    from whoosh.index import TOC

    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    load(store, settings, [record(i) for i in range(20)], tmp_path / "a.jsonl")
    indexer.catch_up(store, index_dir)
    build = layout.current_build(index_dir)
    latest = TOC._latest_generation
    raced = []

    def list_then_parent_commits(storage, indexname):
        generation = latest(storage, indexname)
        if not raced:
            raced.append(generation)
            writer = indexer._writer(indexer.open_index(build))
            writer.add_document(**indexer.article_document(store.get("doc-3")))
            merges = merge_scheduler.for_build(build)
            indexer._commit_segments(writer, [], merges)  # commit N+1, remove N
        return generation

    monkeypatch.setattr(TOC, "_latest_generation", staticmethod(list_then_parent_commits))
    writer = indexer._unlocked_writer(build)
    assert raced and writer.generation == raced[0] + 2  # built on the newer commit
    writer.cancel()
