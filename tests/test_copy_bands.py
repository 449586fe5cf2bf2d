"""The copy bands of the SQLite store in two levels (archive.copy_bands): what detection finds
does not depend on where the rows are, the counts that decide a merge stay true, and a store of
the schema before finds its rows settled."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from archive import copies, copy_bands
from archive.record import Article
from archive.store import SCHEMA_VERSION, Store
from archive.takedowns import Takedowns

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "copies.jsonl"


def _copy(story: int, copy: int, text: list[str]) -> Article:
    return Article.from_record(
        {
            "id": f"story-{story}-copy-{copy}",
            "title": f"Copy {copy} of story {story}",
            "body": " ".join(text[copy * 10 :]),  # reprints cut at the top, each a little more
            "language": "en",
            "published": f"2025-03-{copy + 1:02d}T10:00:00+00:00",
            "source": f"Outlet {copy}",
            "url": f"https://outlet{copy}.example/{story}",
        }
    )


def _articles() -> list[Article]:
    """The fixture's story and quote, and a hundred articles in ten stories of their own; the
    last one a late copy of the first story."""
    found = [Article.from_record(json.loads(line)) for line in FIXTURE.read_text().splitlines()]
    rng = np.random.default_rng(7)
    texts = [[f"w{n}" for n in rng.integers(0, 1_000_000, 300)] for _ in range(10)]
    found += [_copy(story, copy, text) for story, text in enumerate(texts) for copy in range(10)]
    return [*found, _copy(0, 10, texts[0])]


def _stored(path: Path, articles: list[Article], batch: int = 3) -> Store:
    """``articles`` stored a few at a time, and the last one alone (with merges from 200 rows,
    the rows before it are all settled then, and its own stay recent)."""
    store = Store(path)
    for start in range(0, len(articles) - 1, batch):
        store.upsert(articles[start : min(start + batch, len(articles) - 1)])
    store.upsert(articles[-1:])
    return store


def _rows(store: Store, table: str) -> set[tuple[int, int]]:
    return set(store.db.execute(f"SELECT band, article FROM {table}").fetchall())


def _counted(store: Store) -> dict[str, int]:
    return dict(
        store.db.execute(
            "SELECT key, value FROM store_state WHERE key IN ('recent_bands', 'settled_bands')"
        ).fetchall()
    )


def _true_counts(store: Store) -> dict[str, int]:
    return {
        "recent_bands": len(_rows(store, copy_bands.RECENT)),
        "settled_bands": len(_rows(store, copy_bands.SETTLED)),
    }


def test_stories_are_the_same_whether_the_bands_are_recent_or_settled(tmp_path, monkeypatch):
    articles = _articles()
    ids = [article.id for article in articles]
    never = _stored(tmp_path / "never.sqlite3", articles)
    assert _rows(never, copy_bands.SETTLED) == set()  # every row still recent
    monkeypatch.setattr(copy_bands, "SETTLE_FROM", 200)
    often = _stored(tmp_path / "often.sqlite3", articles)
    recent, settled = _rows(often, copy_bands.RECENT), _rows(often, copy_bands.SETTLED)
    assert settled and recent and not recent & settled  # merged several times, and refilled
    assert recent | settled == _rows(never, copy_bands.RECENT)
    assert _counted(often) == _true_counts(often)
    assert _counted(never) == _true_counts(never)
    stories = often.clusters(ids)
    assert stories == never.clusters(ids)
    for story in range(10):  # each story found whole, whichever level its first copies are in
        members = [f"story-{story}-copy-{copy}" for copy in range(11 if story == 0 else 10)]
        assert len({stories[member] for member in members}) == 1


def test_a_merge_waits_for_its_share_of_the_settled_rows(tmp_path, monkeypatch):
    store = Store(tmp_path / "archive.sqlite3")
    monkeypatch.setattr(copy_bands, "SETTLE_FROM", 10)
    with store.writing() as change:
        change.add_bands([(band, 1) for band in range(80)])  # 80 >= 10: merged at once
    assert _counted(store) == {"recent_bands": 0, "settled_bands": 80}
    with store.writing() as change:
        change.add_bands([(band, 2) for band in range(9)])  # under 80 / 8 = 10: waits
        assert change.band_holders([0, 100, 9], 10) == {0: [2, 1], 9: [1]}  # recent first
    assert _counted(store) == {"recent_bands": 9, "settled_bands": 80} == _true_counts(store)
    with store.writing() as change:
        change.add_bands([(100, 3)])  # 10: merged
        assert change.band_holders([0, 100, 9], 10) == {0: [1, 2], 100: [3], 9: [1]}
    assert _counted(store) == {"recent_bands": 0, "settled_bands": 90} == _true_counts(store)


def test_holders_stop_at_the_limit_across_both_tables(tmp_path, monkeypatch):
    store = Store(tmp_path / "archive.sqlite3")
    monkeypatch.setattr(copy_bands, "SETTLE_FROM", 30)
    with store.writing() as change:
        change.add_bands([(7, article) for article in range(40)])  # settled
        change.add_bands([(7, article) for article in range(100, 104)])  # recent
        held = change.band_holders([7], 6)
    assert held == {7: [100, 101, 102, 103, 0, 1]}  # the recent ones first, then settled


def test_a_takedown_forgets_bands_in_either_table(tmp_path, monkeypatch):
    articles = _articles()
    monkeypatch.setattr(copy_bands, "SETTLE_FROM", 200)
    store = _stored(tmp_path / "archive.sqlite3", articles)
    rowid = dict(store.db.execute("SELECT id, rowid FROM articles").fetchall())
    first, last = articles[4].id, articles[-1].id
    where = {
        article_id: {
            table
            for table in (copy_bands.RECENT, copy_bands.SETTLED)
            if any(article == rowid[article_id] for _, article in _rows(store, table))
        }
        for article_id in (first, last)
    }
    assert where == {first: {copy_bands.SETTLED}, last: {copy_bands.RECENT}}
    Takedowns(store).delete([first, last])
    rows = _rows(store, copy_bands.RECENT) | _rows(store, copy_bands.SETTLED)
    left = {article for _, article in rows}
    assert rowid[first] not in left and rowid[last] not in left
    assert _counted(store) == _true_counts(store)


def test_a_store_of_the_schema_before_counts_its_bands_as_settled(tmp_path):
    path = tmp_path / "archive.sqlite3"
    store = _stored(path, _articles()[:30])
    rows = len(_rows(store, copy_bands.RECENT))
    assert rows >= 20 * copies.BANDS
    db = store.db  # back to the schema before: one table of bands, no counts
    db.execute(f"INSERT INTO {copy_bands.SETTLED} SELECT * FROM {copy_bands.RECENT}")
    db.execute(f"DROP TABLE {copy_bands.RECENT}")
    db.execute("DELETE FROM store_state WHERE key IN ('recent_bands', 'settled_bands')")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    db.commit()
    store.close()
    store = Store(path)
    assert _counted(store) == {"recent_bands": 0, "settled_bands": rows} == _true_counts(store)


@pytest.fixture(autouse=True)
def _no_database_url(monkeypatch):
    monkeypatch.delenv("ARKHIV_DATABASE_URL", raising=False)
