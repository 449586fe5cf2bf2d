"""Columns read in bulk (per segment; a segment kept by the next generation cut out of the last
one's) equal what Whoosh says document by document, deletions included."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

from archive.importer import Importer
from index.searching.views import open_view
from index.segments import columns as columns_module
from index.segments import indexer, layout
from index.segments.columns import (
    FACET_FIELDS,
    LENGTH_OF_CODE,
    ColumnReuse,
    Columns,
    SegmentColumns,
    SingleValueColumn,
    ValueColumn,
)
from index.segments.postings import (
    field_documents,
    field_terms,
    leaf_readers,
    read_postings,
    segment_id,
)
from index.segments.schema import TEXT_FIELDS, build_schema
from index.segments.term_table import TermTable


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
            parts.append(LENGTH_OF_CODE[np.array(raw, dtype=np.uint8)])
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
        assert np.array_equal(columns.lengths(name), expected["lengths"][name]), name
    for facet, column in columns.facets.items():
        pairs = {(int(d), column.values[v]) for d, v in zip(*column.pairs(), strict=True)}
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


def story(start: int, stop: int) -> list[dict]:
    """Copies of one story (the same long text), one per outlet."""
    text = " ".join(f"word{n}" for n in range(120))
    return [
        {
            "id": f"s-{i}",
            "title": "The story",
            "body": text,
            "language": "en",
            "published": f"2020-01-{10 + i:02d}",
            "source": f"Reprinter {i}",
        }
        for i in range(start, stop)
    ]


def assert_equal_columns(found, expected, where: str = "columns") -> None:
    """Every array, list and number of two columns (or of their parts) equal."""
    if dataclasses.is_dataclass(found):
        assert type(found) is type(expected), where
        for field in dataclasses.fields(found):
            assert_equal_columns(
                getattr(found, field.name), getattr(expected, field.name), f"{where}.{field.name}"
            )
    elif isinstance(found, dict):
        assert found.keys() == expected.keys(), where
        for key in found:
            assert_equal_columns(found[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(found, np.ndarray):
        assert np.array_equal(found, expected), where
    elif isinstance(found, list) and found and isinstance(found[0], np.ndarray):
        assert len(found) == len(expected), where
        for number, (a, b) in enumerate(zip(found, expected, strict=True)):
            assert_equal_columns(a, b, f"{where}[{number}]")
    else:
        assert found == expected, where


def test_columns_of_kept_segments_are_cut_from_the_last_generation_not_read_again(
    store, settings, tmp_path, monkeypatch
):
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    import_records(store, settings, tmp_path, "a", records(0, 100) + story(0, 3))
    reuse = ColumnReuse()
    build = layout.current_build(settings.index_dir)
    first = open_view(build, reuse)
    assert len(first.columns.stories.ids) == 1 and len(first.columns.stories.of(0)) == 3
    import_records(store, settings, tmp_path, "b", records(100, 130) + story(3, 5))
    # Deletions in the first segment: some articles corrected, one copy taken out of the story.
    corrected = records(10, 20, tag="corrected") + [{**story(1, 2)[0], "body": "now alone"}]
    import_records(store, settings, tmp_path, "c", corrected)
    read: list[str | None] = []
    reading = SegmentColumns.read.__func__

    def counted(cls, leaf):
        read.append(segment_id(leaf))
        return reading(cls, leaf)

    monkeypatch.setattr(SegmentColumns, "read", classmethod(counted))
    second = open_view(build, reuse)
    before = {segment_id(leaf) for leaf, _ in leaf_readers(first.reader)}
    after = {segment_id(leaf) for leaf, _ in leaf_readers(second.reader)}
    assert before & after, "no segment was kept: nothing to reuse"
    assert set(read) == after - before  # only the new segments were read
    assert_equal_columns(second.columns, Columns.build(second.reader))  # read from scratch
    assert_same(second.columns, whoosh_columns(second.reader))
    assert int(first.columns.live.sum()) == 103 and int(second.columns.live.sum()) == 135
    assert len(second.columns.stories.of(0)) == 4  # five copies, one no longer a copy


def test_a_value_no_segment_holds_any_more_is_no_longer_listed():
    column = ValueColumn(
        ["gone", "kept"],
        np.array([0, 1], np.int32),
        np.array([1, 1], np.int32),
        np.array([0, 1, 2], np.int64),
        {"gone": 0, "kept": 1},
    )
    combined = ValueColumn.combine([(column.part(0, 1), 0), (column.part(1, 2), 1)])
    assert combined.values == ["kept"] and combined.index_of == {"kept": 0}
    assert combined.value_ids.tolist() == [0, 0] and combined.docs.tolist() == [0, 1]
    assert combined.starts.tolist() == [0, 1, 2]


def test_a_single_valued_column_combined_keeps_only_held_values_and_none():
    first = SingleValueColumn(["a", "gone"], np.array([0, -1, 1], np.int8), {"a": 0, "gone": 1})
    second = SingleValueColumn(["b"], np.array([-1, 0], np.int8), {"b": 0})
    combined = SingleValueColumn.combine([(first.part(0, 2), 0), (second, 2)])
    assert combined.values == ["a", "b"] and combined.index_of == {"a": 0, "b": 1}
    assert combined.value_of.tolist() == [0, -1, -1, 1] and combined.value_of.dtype == np.int8
    docs, value_ids = combined.pairs()
    assert docs.tolist() == [0, 3] and value_ids.tolist() == [0, 1]
    assert combined.mask_for(("b", "unknown"), 4).tolist() == [False, False, False, True]
    assert combined.mask_for((), 4).tolist() == [False] * 4


@pytest.mark.parametrize("count", [1, 126, 127, 300, 40000])
def test_a_single_valued_column_holds_every_value_id_in_its_smallest_type(count):
    values = [f"v{n:05d}" for n in range(count)]
    value_of = np.append(np.arange(count), -1)
    combined = SingleValueColumn.combine(
        [(SingleValueColumn(values, value_of, {v: i for i, v in enumerate(values)}), 0)]
    )
    assert combined.value_of.tolist() == value_of.tolist()
    assert combined.value_of.dtype.itemsize == (1 if count < 127 else 2 if count < 32767 else 4)
    everyone = np.ones(count + 1, dtype=bool)
    assert combined.counts(everyone).tolist() == [1] * count
    assert combined.counts(~everyone).tolist() == [0] * count


def test_outlet_and_language_are_one_small_number_per_article(store, settings, tmp_path):
    import_records(store, settings, tmp_path, "a", records(0, 60))
    columns = open_view(layout.current_build(settings.index_dir)).columns
    for facet in ("source", "language"):
        column = columns.facets[facet]
        assert isinstance(column, SingleValueColumn) and column.value_of.dtype == np.int8
        assert column.nbytes == columns.size
    # The stories' outlets are the source column's own array, not a copy of it.
    assert columns.stories.outlet_of is columns.facets["source"].value_of


@pytest.mark.parametrize("at_once", [1 << 20, 7])  # all pairs at once, or a few at a time
def test_facet_counts_of_few_and_of_many_matches_equal_brute_force(
    store, settings, tmp_path, monkeypatch, at_once
):
    monkeypatch.setattr(columns_module, "COUNTED_AT_ONCE", at_once)
    import_records(store, settings, tmp_path, "a", records(0, 150))
    import_records(store, settings, tmp_path, "b", records(150, 200))
    columns = open_view(layout.current_build(settings.index_dir)).columns
    rng = np.random.default_rng(1)
    for share in (0.01, 0.05, 0.5, 1.0):  # the first ones take the path of few matches
        mask = rng.random(columns.size) < share
        for column in columns.facets.values():
            expected = np.zeros(len(column.values), dtype=np.int64)
            for doc, value in zip(*column.pairs(), strict=True):
                expected[value] += mask[doc]
            assert np.array_equal(column.counts(mask), expected)


def test_a_fields_documents_read_in_order_equal_its_terms_read_one_by_one(
    store, settings, tmp_path, monkeypatch
):
    """``field_documents`` reads a field's terms front to back from the term table: the same
    terms and documents (deleted included) as looking each term up, in this archive's segments
    and in one written by stock Whoosh."""
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    import_records(store, settings, tmp_path, "a", records(0, 300))
    import_records(store, settings, tmp_path, "b", records(10, 40, tag="corrected"))
    stock = tmp_path / "stock"
    stock.mkdir()
    writer = whoosh_index.create_in(str(stock), build_schema()).writer()
    for stored in store.changed_since(0):
        writer.add_document(**indexer.stored_document(stored, build_schema()))
    writer.commit()

    fields = ("body", "title", "author_value", "tag_value", "source_value", "language", "cluster")
    indexes = [
        (indexer.open_index(layout.current_build(settings.index_dir)), True),
        (indexer.open_index(stock), True),
        (whoosh_index.open_dir(str(stock)), False),  # files not mapped: term by term
    ]
    for index, mapped in indexes:
        reader = index.reader()
        many_blocks = 0
        for leaf, _ in leaf_readers(reader):
            assert (TermTable.of(leaf) is not None) == mapped
            for field in fields:
                terms, counts, docs = field_documents(leaf, field)
                assert terms == field_terms(leaf, field) == list(leaf.field_terms(field)), field
                assert len(counts) == len(terms) and int(counts.sum()) == len(docs)
                split = np.split(docs, np.cumsum(counts)[:-1]) if terms else []
                for term, got in zip(terms, split, strict=True):
                    expected, _ = read_postings(leaf, field, term, cache=False)
                    assert got.tolist() == expected.tolist(), (field, term)
                    many_blocks += len(got) > 128
        assert many_blocks


def test_a_single_valued_column_refuses_a_document_of_two_values(tmp_path):
    """An outlet column keeps one value per article: a segment where one document holds two
    (not written by this archive's indexer) is an error that names the field, not a silent
    choice of one of them."""
    writer = whoosh_index.create_in(str(tmp_path), build_schema()).writer()
    writer.add_document(id="a", source_value=["Outlet 1"])
    writer.add_document(id="b", source_value=["Outlet 1", "Outlet 2"])
    writer.add_document(id="c", source_value=[])
    writer.commit()
    leaf = indexer.open_index(tmp_path).reader()
    with pytest.raises(ValueError, match="source_value: a document holds two values"):
        SingleValueColumn.read(leaf, "source_value")
    column = SingleValueColumn.read(leaf, "language")
    assert column.values == [] and column.value_of.tolist() == [-1, -1, -1]
