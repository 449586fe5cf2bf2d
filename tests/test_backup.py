"""``arkhiv backup``: a consistent copy of the store taken while an import writes and searches
read, and a restore from it as docs/running.md says (copy the file, reindex)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
from contextlib import closing

from archive.backup import backup
from archive.store import Store
from archive.takedowns import Takedowns
from tests.conftest import arkhiv_command, article, run_arkhiv, write_jsonl
from tests.web_fixtures import import_fixtures
from webapp.app import create_app


def stored_articles(home) -> int:
    try:
        with sqlite3.connect(f"file:{home / 'archive.sqlite3'}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def snapshot(copy) -> tuple[int, int, int]:
    """A backup's articles, last change and highest change held, once it checks out whole."""
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        last_seq = db.execute("SELECT value FROM store_state WHERE key = 'last_seq'").fetchone()[0]
        top = db.execute("SELECT max(seq) FROM articles").fetchone()[0]
    return count, last_seq, top


def test_backups_taken_during_an_import_and_searches_are_each_one_moment(home, tmp_path):
    first = write_jsonl(tmp_path / "first.jsonl", map(article, range(200)))
    assert run_arkhiv(home, "import", "--no-progress", str(first)).returncode == 0
    client = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()
    store = Store(home / "archive.sqlite3")
    failures: list[str] = []
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            response = client.get("/api/search?q=budget&per_page=5")
            if response.status_code != 200:
                failures.append(f"{response.status_code}: {response.get_data(as_text=True)[:200]}")

    searcher = threading.Thread(target=search)
    searcher.start()
    total = 12_200
    path = write_jsonl(tmp_path / "many.jsonl", map(article, range(200, total)))
    importing = subprocess.Popen(
        [*arkhiv_command(), "import", "--no-progress", "--no-index", str(path)],
        env={**os.environ, "ARKHIV_HOME": str(home), "ARKHIV_IMPORT_BATCH": "500"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    copies = []
    try:
        while importing.poll() is None:
            copies.append(backup(store, tmp_path / f"copy-{len(copies)}.sqlite3").path)
    finally:
        _, stderr = importing.communicate(timeout=300)
        stop.set()
        searcher.join()
    assert importing.returncode == 0, stderr
    assert failures == []
    snapshots = [snapshot(copy) for copy in copies]
    during = [count for count, _, _ in snapshots if 200 < count < total]
    assert during, f"no backup landed while the import wrote: {snapshots}"
    for count, last_seq, top in snapshots:
        # One moment each: whole batches of 500, and the sequence as far as the articles held.
        assert count % 500 == 200 and last_seq == top == count, (count, last_seq, top)
    assert not any(tmp_path.glob("*.sqlite3-wal"))  # each copy one self-contained file
    assert stored_articles(home) == total


def test_restoring_a_backup_as_the_readme_says(tmp_path):
    home = import_fixtures(tmp_path / "home")
    secret = run_arkhiv(home, "token", "create", "desk").stdout.splitlines()[-1]
    Takedowns(Store(home / "archive.sqlite3")).delete(["up-2025-08-27-isw-kremlin-guarantees"])
    folder = tmp_path / "backups"
    folder.mkdir()
    taken = run_arkhiv(home, "backup", str(folder))
    assert taken.returncode == 0, taken.stderr
    (copy,) = folder.iterdir()
    assert copy.name.startswith("archive-") and copy.suffix == ".sqlite3"
    again = run_arkhiv(home, "backup", str(copy))
    assert again.returncode == 1 and "exists" in again.stderr

    # The restore in docs/running.md: stop serving, put the copy in place of the store, reindex.
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(copy, restored / "archive.sqlite3")
    reindexed = run_arkhiv(restored, "reindex")
    assert reindexed.returncode == 0, reindexed.stderr
    check = run_arkhiv(restored, "check")
    assert check.returncode == 0 and "30 articles" in check.stdout
    client = create_app({"ARKHIV_HOME": str(restored), "TESTING": True}).test_client()
    assert client.get("/api/search").get_json()["total"] == 30
    assert client.get("/api/articles/up-2025-08-27-isw-kremlin-guarantees").status_code == 410
    posted = client.post(
        "/api/articles", json=[article(1)], headers={"Authorization": f"Bearer {secret}"}
    )
    assert posted.status_code == 200  # the tokens came along (as hashes)
