"""The arrays of a segment's frequent terms hold exactly what its posting blocks hold, after a
commit and after a merge; a segment without them (written by stock Whoosh) is read from its
blocks; stock Whoosh opens an index that has them and finds the same documents."""

from __future__ import annotations

import json

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser
from whoosh.query import Term

from archive.importer import Importer
from index.searching.views import open_view, unwarmed
from index.segments import indexer, layout, merging, posting_arrays, vocabulary
from index.segments.postings import _read_mapped, leaf_readers, read_postings, segment_id


def records(start: int, stop: int, tag: str = "") -> list[dict]:
    return [
        {
            "id": f"p-{i}",
            "title": f"Report {i % 7} {tag}",
            "body": " ".join(["war", "peace"][: 1 + i % 2] + ["grain"] * (i % 5) + [f"w{i % 9}"]),
            "language": "en",
            "published": f"20{10 + i % 10}-0{1 + i % 9}-1{i % 9}",
        }
        for i in range(start, stop)
    ]


def import_records(store, settings, tmp_path, name: str, items: list[dict]) -> None:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in items))
    Importer(store, settings).run([path])
    indexer.catch_up(store, settings.index_dir)


def blocks_of(leaf, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
    terminfo = leaf._terms.term_info(fieldname, term)
    return _read_mapped(leaf._terms._postfile, *terminfo.extent())


def assert_arrays_equal_blocks(reader) -> int:
    """Every term of every segment that has arrays: the same documents and weights as its
    blocks; every term with enough postings is in the arrays. Returns how many were compared."""
    compared = 0
    for leaf, _ in leaf_readers(reader):
        arrays = posting_arrays.posting_arrays(leaf)
        assert arrays is not None
        for (fieldname, term), terminfo in leaf._terms.items():
            found = arrays.get(fieldname, term)
            if terminfo.doc_frequency() < posting_arrays.ARRAY_FROM_POSTINGS:
                assert found is None
                continue
            docs, weights = blocks_of(leaf, fieldname, term)
            assert found is not None, (fieldname, term)
            assert found[0].tolist() == docs.tolist()
            assert found[1].tolist() == weights.tolist()
            compared += 1
    return compared


@pytest.fixture
def few_postings(monkeypatch):
    """Arrays for every term found in at least 5 documents of a segment."""
    monkeypatch.setattr(posting_arrays, "ARRAY_FROM_POSTINGS", 5)
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")


def test_arrays_equal_the_blocks_after_commits_and_merges(
    store, settings, tmp_path, monkeypatch, few_postings
):
    monkeypatch.setattr(merging, "FLOOR_DOCS", 20)
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    for start in range(0, 200, 40):
        import_records(store, settings, tmp_path, f"r{start}", records(start, start + 40))
    import_records(store, settings, tmp_path, "fix", records(10, 30, tag="corrected"))
    view = open_view(layout.current_build(settings.index_dir))
    leaves = [leaf for leaf, _ in leaf_readers(view.reader)]
    assert any(leaf.segment().doc_count_all() > 40 for leaf in leaves)  # a merged segment
    assert assert_arrays_equal_blocks(view.reader) > 20
    # Each segment's words for "Did you mean", kept as it was written or merged: those its term
    # table holds.
    for leaf in leaves:
        kept = posting_arrays.posting_arrays(leaf).words()
        assert kept is not None and "grain" in kept and "report" in kept
        assert kept == vocabulary.term_table_words(leaf)
    # Searched through the arrays, the same documents as Whoosh's own matcher.
    live = view.columns.live
    compared = 0
    for fieldname, word in (
        ("body", "war"),
        ("body", "peace"),
        ("body", "grain"),
        ("title", "report"),
    ):
        for _, term in QueryParser(fieldname, view.schema).parse(word).iter_all_terms():
            docs, _ = read_postings(view.reader, fieldname, term)
            whoosh_docs = sorted(view.searcher.docs_for_query(Term(fieldname, term)))
            compared += len(whoosh_docs)
            assert sorted(d for d in docs.tolist() if live[d]) == whoosh_docs
    assert compared > 300


def test_weights_that_are_not_half_units_are_kept_exactly():
    class File:
        def __init__(self):
            self.data = bytearray()

        def write(self, data):
            self.data += data

        def close(self):
            pass

    file = File()
    writer = posting_arrays.PostingArraysWriter(file)
    docs = list(range(0, 3 * posting_arrays.ARRAY_FROM_POSTINGS, 3))
    writer.add("body", b"whole", docs, [float(1 + d % 4) for d in docs])
    writer.add("body", b"odd", docs, [0.3 + d for d in docs])
    writer.add("body", b"rare", docs[:10], [1.0] * 10)
    writer.close()
    arrays = posting_arrays.PostingArrays(memoryview(bytes(file.data)))
    assert len(arrays) == 2 and arrays.get("body", b"rare") is None
    for term, weights in ((b"whole", [1 + d % 4 for d in docs]), (b"odd", [0.3 + d for d in docs])):
        found_docs, found_weights = arrays.get("body", term)
        assert found_docs.tolist() == docs
        assert found_weights.tolist() == np.asarray(weights, dtype=np.float32).tolist()


def test_a_segment_without_arrays_is_read_from_its_blocks(
    store, settings, tmp_path, monkeypatch, few_postings
):
    import_records(store, settings, tmp_path, "a", records(0, 60))
    build = layout.current_build(settings.index_dir)
    with_arrays = open_view(build)
    expected = read_postings(with_arrays.reader, "body", "grain", cache=False)
    monkeypatch.setattr(posting_arrays, "_open", lambda leaf: None)
    without = open_view(build)
    found = read_postings(without.reader, "body", "grain", cache=False)
    assert found[0].tolist() == expected[0].tolist() and len(found[0]) > 5
    assert found[1].tolist() == expected[1].tolist()


def test_stock_whoosh_opens_an_index_with_arrays(store, settings, tmp_path, few_postings):
    import_records(store, settings, tmp_path, "a", records(0, 60))
    build = layout.current_build(settings.index_dir)
    assert any(
        posting_arrays.posting_arrays(leaf) for leaf, _ in leaf_readers(open_view(build).reader)
    )
    stock = whoosh_index.open_dir(str(build), indexname="MAIN")
    with stock.searcher() as searcher:
        hits = searcher.search(QueryParser("body", stock.schema).parse("grain"), limit=None)
        assert len(hits) == sum(1 for i in range(60) if i % 5)


def test_each_segment_holds_the_hashes_of_its_ids_and_corrections_replace(
    store, settings, tmp_path, few_postings
):
    import_records(store, settings, tmp_path, "a", records(0, 60))
    import_records(store, settings, tmp_path, "b", records(60, 90))
    import_records(store, settings, tmp_path, "fix", records(20, 70, tag="corrected"))
    view = open_view(layout.current_build(settings.index_dir))
    for leaf, _ in leaf_readers(view.reader):
        ids = [term for (field, term), _ in leaf._terms.items() if field == "id"]
        hashes = posting_arrays.posting_arrays(leaf).id_hashes()
        assert hashes.tolist() == sorted(posting_arrays.id_hash(term) for term in ids)
    # Every corrected article replaced its earlier version: one live document per id.
    live_ids = [
        view.searcher.stored_fields(docnum)["id"]
        for docnum in range(view.reader.doc_count_all())
        if view.columns.live[docnum]
    ]
    assert sorted(live_ids) == sorted(f"p-{i}" for i in range(90))
    hits = view.searcher.search(QueryParser("title", view.schema).parse("corrected"), limit=None)
    assert len(hits) == 50


def test_only_segments_without_arrays_are_warmed(store, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    import_records(store, settings, tmp_path, "a", records(0, 60))
    import_records(store, settings, tmp_path, "b", records(60, 90))
    build = layout.current_build(settings.index_dir)
    assert unwarmed(open_view(build), set()) == []  # arrays are read in place: nothing to decode
    monkeypatch.setattr(posting_arrays, "_open", lambda leaf: None)
    stock = open_view(build)
    segments = [segment_id(leaf) for leaf, _ in leaf_readers(stock.reader)]
    assert [key for _, key in unwarmed(stock, set())] == segments and len(segments) == 2
    assert [key for _, key in unwarmed(stock, {segments[0]})] == segments[1:]
