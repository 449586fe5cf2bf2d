"""Columns read in bulk (per segment, kept across generations) equal what Whoosh says document by
document, deletions included."""

from __future__ import annotations

import json

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

from archive.importer import Importer
from index.searching.views import open_view
from index.segments import indexer, layout
from index.segments.columns import _BYTE_TO_LENGTH, FACET_FIELDS, Columns
from index.segments.postings import leaf_readers
from index.segments.schema import TEXT_FIELDS


def records(start: int, stop: int, tag: str = "") -> list[dict]:
    return [
        {
            "id": f"c-{i}",
            "title": f"Title {i} {tag}",
            "body": "word " * (i % 13 + 1),
            "summary": "" if i % 3 else f"summary {i}",
            "language": ["uk", "en", "de"][i % 3],
            "published": None if i % 11 == 0 else f"{1990 + i % 40}-0{1 + i % 9}-1{i % 9}",
            "authors": [f"Author {i % 5}"] + ([f"Co {i % 2}"] if i % 4 == 0 else []),
            "tags": [f"t{i % 6}"],
            "source": None if i % 7 == 0 else f"Outlet {i % 4}",
        }
        for i in range(start, stop)
    ]


def import_records(store, settings, tmp_path, name, items) -> None:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in items))
    Importer(store, settings).run([path])
    indexer.catch_up(store, settings.index_dir)


def whoosh_columns(reader) -> dict:
    """The same columns, asked of Whoosh one document at a time."""
    size = reader.doc_count_all()
    live = np.array([not reader.is_deleted(d) for d in range(size)])
    published = np.array(list(reader.column_reader("published", translate=True)))
    day = np.array(list(reader.column_reader("day", translate=True)))
    lengths = {}
    for name in TEXT_FIELDS:
        parts = []
        for leaf, _ in leaf_readers(reader):
            column = leaf._perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
            raw = [int(b or 0) for b in column] if column is not None else []
            raw += [0] * (leaf.doc_count_all() - len(raw))
            parts.append(_BYTE_TO_LENGTH[np.array(raw, dtype=np.uint8)])
        lengths[name] = np.concatenate(parts)
    facets = {}
    for facet, field in FACET_FIELDS.items():
        pairs = set()
        for term in reader.field_terms(field):
            for docnum in reader.postings(field, term).all_ids():
                pairs.add((docnum, term))
        facets[facet] = pairs
    return {"live": live, "published": published, "day": day, "lengths": lengths, "facets": facets}


def assert_same(columns: Columns, expected: dict) -> None:
    assert (columns.live == expected["live"]).all()
    assert (columns.published == expected["published"]).all()
    assert (columns.day == expected["day"]).all()
    for name in TEXT_FIELDS:
        assert np.array_equal(columns.lengths[name], expected["lengths"][name]), name
    for facet, column in columns.facets.items():
        pairs = {
            (int(d), column.values[v]) for d, v in zip(column.docs, column.value_ids, strict=True)
        }
        live_pairs = {(d, t) for d, t in expected["facets"][facet] if expected["live"][d]}
        assert {(d, t) for d, t in pairs if expected["live"][d]} == live_pairs, facet
        assert column.values == sorted(column.values)


def test_columns_over_segments_with_deletions_equal_whoosh(store, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    import_records(store, settings, tmp_path, "a", records(0, 120))
    import_records(store, settings, tmp_path, "b", records(120, 200))
    import_records(store, settings, tmp_path, "c", records(50, 80, tag="corrected"))  # deletions
    view = open_view(layout.current_build(settings.index_dir))
    assert len(view.reader.leaf_readers()) >= 3 and view.reader.has_deletions()
    assert int(view.columns.live.sum()) == 200
    assert_same(view.columns, whoosh_columns(view.reader))


def test_columns_of_unchanged_segments_are_kept_across_generations(
    store, settings, tmp_path, monkeypatch
):
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    import_records(store, settings, tmp_path, "a", records(0, 100))
    cache: dict = {}
    build = layout.current_build(settings.index_dir)
    first = open_view(build, cache)
    kept = dict(cache)
    import_records(store, settings, tmp_path, "b", records(100, 130))
    import_records(store, settings, tmp_path, "c", records(10, 20, tag="corrected"))
    second = open_view(build, cache)
    assert set(kept) < set(cache)
    for key, part in kept.items():
        assert cache[key] is part  # the same arrays, not read again
    assert_same(second.columns, whoosh_columns(second.reader))
    assert int(first.columns.live.sum()) == 100 and int(second.columns.live.sum()) == 130


def test_facet_counts_of_few_and_of_many_matches_equal_brute_force(store, settings, tmp_path):
    import_records(store, settings, tmp_path, "a", records(0, 150))
    import_records(store, settings, tmp_path, "b", records(150, 200))
    columns = open_view(layout.current_build(settings.index_dir)).columns
    rng = np.random.default_rng(1)
    for share in (0.01, 0.05, 0.5, 1.0):  # the first ones take the path of few matches
        mask = rng.random(columns.size) < share
        for column in columns.facets.values():
            expected = np.zeros(len(column.values), dtype=np.int64)
            for doc, value in zip(column.docs, column.value_ids, strict=True):
                expected[value] += mask[doc]
            assert np.array_equal(column.counts(mask), expected)
