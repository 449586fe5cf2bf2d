"""The store's contract, on SQLite and on PostgreSQL alike (a real server, see tests/pg_server.py):
upsert outcomes, sequence numbers, takedowns, tokens, migrations; and on PostgreSQL, concurrent
writers whose commits come out of order never make a follower skip a change."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC

import pytest

from archive.record import Article
from archive.store import ADDED, TAKEN_DOWN, UNCHANGED, UPDATED, StoreError
from archive.stores import open_store_at
from archive.takedowns import DELETED, NOT_FOUND, PURGED, RESTORED, Takedowns
from archive.tokens import TokenError, Tokens
from index.segments import indexer
from tests.conftest import article, run_arkhiv, write_jsonl

pytestmark = pytest.mark.both_stores


def articles(*numbers: int, **extra) -> list[Article]:
    return [Article.from_record(article(i, **extra), UTC) for i in numbers]


def test_upsert_says_added_updated_unchanged_and_numbers_each_change(store, store_kind):
    assert store.upsert(articles(1, 2, 3)) == [ADDED, ADDED, ADDED]
    assert store.last_seq() == 3
    changed = articles(2, title="Article 2, corrected")
    assert store.upsert(articles(1) + changed + articles(4)) == [UNCHANGED, UPDATED, ADDED]
    assert store.last_seq() == 5  # the unchanged one took no number
    assert [(s.seq, s.article.id) for s in store.changed_since(0)] == [
        (1, "a-1"),
        (3, "a-3"),
        (4, "a-2"),
        (5, "a-4"),
    ]
    assert [s.article.id for s in store.changed_since(3)] == ["a-2", "a-4"]
    assert list(store.ids_changed(3, 4)) == ["a-2"]
    assert store.pending_count(3) == 2 and store.changes_after(3) == 2
    assert store.get("a-2").title == "Article 2, corrected"
    assert set(store.get_many(["a-1", "a-9", "a-4"])) == {"a-1", "a-4"}
    assert dict(store.id_seqs()) == {"a-1": 1, "a-2": 4, "a-3": 3, "a-4": 5}
    assert store.count() == 4
    # the same id twice in one batch: the second compares with the first
    twice = articles(7) + articles(7, title="Seven again")
    assert store.upsert(twice) == [ADDED, UPDATED]
    assert store.get("a-7").title == "Seven again"
    assert store.classify(articles(7, 8)) == [UPDATED, ADDED]  # a dry run writes nothing
    assert store.count() == 5
    stats = store.stats()
    assert stats["articles"] == 5 and stats["last_seq"] == 7 and stats["store_bytes"] > 0
    assert store.probe() == (5, 7)


def test_translations_and_odd_text_are_kept_exactly(store):
    uk = Article.from_record(
        {**article(1, language="uk"), "translation_key": "k", "title": "Заголовок \x00 нуль"},
        UTC,
    )
    en = Article.from_record(
        {**article(2), "translation_key": "k", "extra": {"note": "😀 \\ ' \" %s ?"}}, UTC
    )
    assert store.upsert([uk, en]) == [ADDED, ADDED]
    assert store.get("a-1").title == "Заголовок \x00 нуль"  # from the record, exactly
    assert store.get("a-2").extra["note"] == "😀 \\ ' \" %s ?"
    assert [a.id for a in store.translations(store.get("a-1"))] == ["a-2"]
    assert [t["id"] for t in store.translations_of(["k"])["k"]] == ["a-2", "a-1"]  # en, uk


def test_takedowns_remove_stick_restore_and_purge(store):
    store.upsert(articles(1, 2, 3))
    takedowns = Takedowns(store)
    first, missing = takedowns.delete(["a-1", "nope"], reason="libel", by="desk")
    assert (first.status, missing.status) == (DELETED, NOT_FOUND)
    assert first.takedown.seq == 4 and store.last_seq() == 4
    assert store.get("a-1") is None and store.removed_since(3) == ["a-1"]
    assert store.changes_after(3) == 1
    assert store.upsert(articles(1)) == [TAKEN_DOWN]  # it sticks
    assert takedowns.get("a-1").reason == "libel"
    back = takedowns.undelete("a-1", by="desk")
    assert back.status == RESTORED and store.get("a-1").title == "Article 1 about the budget"
    assert [s.seq for s in store.changed_since(4)] == [5]
    (purged,) = takedowns.purge(["a-2"], reason="court order")
    assert purged.status == PURGED and purged.takedown.purged_at
    assert takedowns.undelete("a-2").status == "unblocked"
    assert [(e.action, e.id) for e in takedowns.log()] == [
        ("undeleted", "a-2"),
        ("purged", "a-2"),
        ("deleted", "a-2"),
        ("undeleted", "a-1"),
        ("deleted", "a-1"),
    ]
    assert len(takedowns.log(2)) == 2
    assert store.stats()["taken_down"] == 0


def test_tokens_keep_a_hash_authenticate_and_revoke(store):
    tokens = Tokens(store)
    secret = tokens.create("desk")
    with pytest.raises(TokenError):
        tokens.create("desk")
    assert tokens.authenticate(secret) == "desk"
    assert tokens.authenticate(secret + "x") is None
    (listed,) = tokens.list()
    assert listed.name == "desk" and listed.last_used_at
    rows = store.db.execute("SELECT secret_hash FROM tokens").fetchall()
    assert secret not in json.dumps(rows)
    tokens.revoke("desk")
    assert tokens.authenticate(secret) is None
    with pytest.raises(TokenError):
        tokens.revoke("desk")


def test_a_failed_write_leaves_nothing(store):
    store.upsert(articles(1))
    with pytest.raises(RuntimeError), store.writing() as change:
        change.next_seq()
        change.db.execute("DELETE FROM articles")
        raise RuntimeError("midway")
    assert store.count() == 1 and store.last_seq() == 1
    store.upsert(articles(2))
    assert store.last_seq() == 2


def test_opening_again_migrates_nothing_and_a_newer_schema_is_refused(store, settings):
    store.upsert(articles(1))
    again = open_store_at(settings.database_url or settings.store_path)
    assert again.count() == 1
    if settings.database_url:
        store.db.execute("UPDATE arkhiv_schema SET version = 99")
    else:
        store.db.execute("PRAGMA user_version = 99")
    again.close()
    with pytest.raises(StoreError, match="schema version 99"):
        open_store_at(settings.database_url or settings.store_path)


def test_backup_copies_sqlite_and_names_postgresqls_own_tools(store, tmp_path):
    from archive.backup import BackupError, backup

    store.upsert(articles(1, 2))
    if store.path is None:
        with pytest.raises(BackupError, match="pg_dump"):
            backup(store, tmp_path)
    else:
        assert backup(store, tmp_path).articles == 2


def test_the_command_line_imports_checks_deletes_and_counts(home, tmp_path):
    data = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(30)])
    done = run_arkhiv(home, "import", "--no-progress", str(data))
    assert done.returncode == 0, done.stderr
    assert run_arkhiv(home, "check").returncode == 0
    gone = run_arkhiv(home, "delete", "a-3", "--reason", "test")
    assert gone.returncode == 0, gone.stderr
    assert run_arkhiv(home, "check").returncode == 0
    stats = json.loads(run_arkhiv(home, "stats", "--json").stdout)
    assert stats["articles"] == 29 and stats["taken_down"] == 1
    again = run_arkhiv(home, "import", "--no-progress", str(data))
    assert again.returncode == 1 and "29 unchanged" in again.stdout


# -- several writers at once (PostgreSQL: SQLite serialises whole transactions the same way) ---


@pytest.fixture
def pg_store(database_url):
    store = open_store_at(database_url)
    yield store
    store.close()


def test_a_change_that_commits_late_is_never_skipped(pg_store, database_url, tmp_path):
    """Writer A takes its numbers first and holds its transaction open; writer B, on another
    connection, writes meanwhile and tries to commit first. B must wait for A (its numbers come
    after A's), and a follower catching up while A is open must not move past A's numbers."""
    pg_store.upsert(articles(0))
    index_root = tmp_path / "index"
    indexer.catch_up(pg_store, index_root, workers=1)
    assert indexer.applied_seq(index_root) == 1

    a_inside, a_may_commit = threading.Event(), threading.Event()
    writer_a = open_store_at(database_url)
    writer_b = open_store_at(database_url)
    plan = writer_a._plan

    def slow_plan(batch):  # A has read the last number and holds its lock: pause here
        a_inside.set()
        assert a_may_commit.wait(30)
        return plan(batch)

    writer_a._plan = slow_plan
    done: dict[str, float] = {}

    def write(name, store, batch):
        store.upsert(batch)
        done[name] = time.monotonic()

    a = threading.Thread(target=write, args=("a", writer_a, articles(1, 2)))
    b = threading.Thread(target=write, args=("b", writer_b, articles(3, 4)))
    a.start()
    assert a_inside.wait(30)
    b.start()
    time.sleep(1.0)
    assert "b" not in done, "B committed while A, which took its number first, was open"
    # a follower catching up now sees neither, and says so
    assert indexer.catch_up(pg_store, index_root, workers=1) == 0
    assert indexer.applied_seq(index_root) == 1
    released = time.monotonic()
    a_may_commit.set()
    a.join(30)
    b.join(30)
    assert done["b"] >= released  # B's commit came only once A was let go (and committed)
    seqs = dict(pg_store.id_seqs())
    assert max(seqs["a-1"], seqs["a-2"]) < min(seqs["a-3"], seqs["a-4"])
    indexer.catch_up(pg_store, index_root, workers=1)
    assert indexer.compare(pg_store, index_root).agree
    writer_a.close()
    writer_b.close()


def test_followers_never_skip_while_many_writers_commit(pg_store, database_url, tmp_path):
    """Four writers commit small batches at once while a follower catches up in a loop: the
    index ends with every article (a change skipped for ever would be missing)."""
    index_root = tmp_path / "index"
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            store = open_store_at(database_url)
            for batch in range(15):
                base = number * 1000 + batch * 5
                store.upsert(articles(*range(base, base + 5)))
            store.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def follower() -> None:
        while not stop.is_set():
            indexer.catch_up(pg_store, index_root, workers=1, finish_merges=False)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    following = threading.Thread(target=follower)
    following.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    stop.set()
    following.join(120)
    assert not errors
    assert pg_store.count() == 300 and pg_store.last_seq() == 300
    indexer.catch_up(pg_store, index_root, workers=1)  # only what came after its last look
    comparison = indexer.compare(pg_store, index_root)
    assert comparison.agree, comparison


def test_a_database_url_is_shown_without_its_password():
    from archive.pg_store import redact

    assert redact("postgresql://desk:s3cret@db.example:5432/arkhiv") == (
        "postgresql://desk:***@db.example:5432/arkhiv"
    )
    assert (
        redact("postgresql://desk@/arkhiv?host=/run/pg") == "postgresql://desk@/arkhiv?host=/run/pg"
    )


def test_a_writer_waits_a_minute_at_most_for_anothers_lock(pg_store, database_url):
    """As SQLite's busy timeout: set on each connection, the URL's own options kept (the tests'
    schema is chosen by them)."""
    with pg_store.pool.connection() as connection:
        assert connection.execute("SHOW lock_timeout").fetchone()[0] == "1min"
        search_path = connection.execute("SHOW search_path").fetchone()[0]
    assert search_path in database_url
