"""A large import indexes while it stores (index.import_indexing): the follower process indexes
what each batch committed, and the index agrees with the store at the end."""

from __future__ import annotations

import time

from archive.importer import Importer, import_lock
from index.segments import indexer
from index.segments.import_indexing import import_and_index
from tests.conftest import article, write_jsonl


def test_the_index_follows_the_store_while_it_is_filled(store, settings, tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl", map(article, range(6000)))
    seen: list[int] = []

    def batch_stored() -> None:
        # Each batch is committed; give the follower a moment, as a large import does.
        time.sleep(0.4)
        seen.append(indexer.applied_seq(settings.index_dir))

    importer = Importer(store, settings, batch_size=250, on_batch=batch_stored)
    with import_lock(settings):
        report = import_and_index(importer, [path], store, settings, alongside_from=0)
    assert report.added == 6000
    assert len(seen) == 24 and 0 < seen[-2] < store.last_seq()  # indexed while it stored
    comparison = indexer.compare(store, settings.index_dir)
    assert comparison.agree and comparison.index_documents == 6000


def test_a_small_import_stores_then_indexes(store, settings, tmp_path):
    path = write_jsonl(tmp_path / "few.jsonl", map(article, range(40)))
    with import_lock(settings):
        report = import_and_index(Importer(store, settings), [path], store, settings)
    assert report.added == 40
    assert indexer.compare(store, settings.index_dir).agree
