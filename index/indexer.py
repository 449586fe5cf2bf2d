"""Keeping the search index in step with the store.

The store numbers every change; the index records the last number it applied (``state.json``,
written after each commit). Catching up re-applies every article changed since then. Applying a
change twice is harmless (documents are replaced by id), so a crash between the index's commit and
the state file costs a little repeated work and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from archive.record import Article
from archive.store import Store
from index.schema import build_schema
from index.segment_writer import FastSegmentWriter

STATE_FILE = "state.json"
COMMIT_EVERY = 20_000
WRITER_MEMORY_MB = 256


def article_document(article: Article) -> dict[str, Any]:
    """The Whoosh document of one article."""
    published = article.published
    return {
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


@dataclass
class IndexState:
    applied_seq: int = 0
    build: str = ""

    @classmethod
    def read(cls, directory: Path) -> IndexState:
        try:
            data = json.loads((directory / STATE_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return cls()
        return cls(applied_seq=int(data.get("applied_seq", 0)), build=str(data.get("build", "")))

    def write(self, directory: Path) -> None:
        temporary = directory / f"{STATE_FILE}.tmp"
        temporary.write_text(json.dumps({"applied_seq": self.applied_seq, "build": self.build}))
        os.replace(temporary, directory / STATE_FILE)


def open_or_create(directory: Path) -> whoosh_index.Index:
    directory.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(directory)):
        return whoosh_index.open_dir(str(directory))
    ix = whoosh_index.create_in(str(directory), build_schema())
    IndexState(0, uuid.uuid4().hex).write(directory)
    return ix


def _writer(ix: whoosh_index.Index) -> IndexWriter:
    # Whoosh waits for its own lock; only one of our processes writes at a time anyway (imports
    # hold the import lock), so a long wait means something is stuck.
    return FastSegmentWriter(ix, limitmb=WRITER_MEMORY_MB, timeout=300.0, delay=0.25)


Progress = Callable[[int, int], None]


def catch_up(store: Store, directory: Path, progress: Progress | None = None) -> int:
    """Apply every store change after the index's last applied one; returns how many."""
    ix = open_or_create(directory)
    state = IndexState.read(directory)
    target = store.last_seq()
    if state.applied_seq >= target:
        return 0
    pending = store.pending_count(state.applied_seq)
    fresh = ix.doc_count_all() == 0
    applied = 0
    writer = _writer(ix)
    try:
        last_seq = state.applied_seq
        for stored in store.changed_since(state.applied_seq):
            document = article_document(stored.article)
            if fresh:
                writer.add_document(**document)
            else:
                writer.update_document(**document)
            applied += 1
            last_seq = stored.seq
            if progress:
                progress(applied, pending)
            if applied % COMMIT_EVERY == 0:
                writer.commit()
                state.applied_seq = last_seq
                state.write(directory)
                writer = _writer(ix)
        writer.commit()
        writer = None
        state.applied_seq = max(last_seq, target)
        state.write(directory)
    finally:
        if writer is not None:
            writer.cancel()
    return applied


def rebuild(store: Store, directory: Path, progress: Progress | None = None) -> int:
    """Build a new index from the whole store beside the old one, then swap it in."""
    staging = directory.with_name(f"{directory.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    count = catch_up(store, staging, progress)
    retired = directory.with_name(f"{directory.name}.old-{int(time.time())}-{os.getpid()}")
    if directory.exists():
        os.replace(directory, retired)
    os.replace(staging, directory)
    shutil.rmtree(retired, ignore_errors=True)
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


def compare(store: Store, directory: Path, sample_limit: int = 10) -> Comparison:
    """Compare the store with the index: sequence numbers, counts, and the very ids."""
    differences: list[str] = []
    store_ids = {article_id for article_id, _ in store.id_seqs()}
    store_seq = store.last_seq()
    if not whoosh_index.exists_in(str(directory)):
        differences.append(f"there is no search index at {directory}; run `arkhiv reindex`")
        return Comparison(len(store_ids), 0, store_seq, 0, differences)
    ix = whoosh_index.open_dir(str(directory))
    state = IndexState.read(directory)
    with ix.searcher() as searcher:
        index_ids = {fields["id"] for fields in searcher.all_stored_fields()}
    if state.applied_seq < store_seq:
        differences.append(
            f"the index has applied changes up to {state.applied_seq}, the store is at "
            f"{store_seq}: {store.pending_count(state.applied_seq)} articles wait to be indexed"
        )
    elif state.applied_seq > store_seq:
        differences.append(
            f"the index has applied change {state.applied_seq}, beyond the store's {store_seq}: "
            "it was built from another store; run `arkhiv reindex`"
        )
    missing = sorted(store_ids - index_ids)
    extra = sorted(index_ids - store_ids)
    if missing:
        shown = ", ".join(missing[:sample_limit])
        differences.append(f"{len(missing)} articles are not in the index (e.g. {shown})")
    if extra:
        shown = ", ".join(extra[:sample_limit])
        differences.append(f"{len(extra)} documents in the index are not in the store ({shown})")
    return Comparison(len(store_ids), len(index_ids), store_seq, state.applied_seq, differences)
