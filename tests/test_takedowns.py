"""Takedowns: an article taken down leaves search, facets, the date histogram, exports, feeds,
related articles and translations; its page answers 410; it stays out until undeleted; a purge
erases its text from every file of the archive. Real store, real index, the real command line."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from archive.record import validate_record
from archive.store import MIGRATIONS, SCHEMA_VERSION, Store
from archive.takedowns import Takedowns
from index.segments import indexer
from tests.conftest import article, home_store, run_arkhiv, write_jsonl
from tests.web_fixtures import http, serve_archive, wait_until
from webapp.app import create_app

# Each test that uses a home on SQLite and on PostgreSQL.
pytestmark = pytest.mark.both_stores

UNIQUE = "xylophonist"
TARGET = {
    "id": "target",
    "title": f"Quokka sanctuary rangers hire a {UNIQUE}",
    "body": "The quokka sanctuary on Rottnest island counts its quokka colony. Rangers, "
    f"wildlife and a {UNIQUE}: the sanctuary budget grows.",
    "language": "en",
    "published": "1999-05-05",
    "authors": ["Tess Takedown"],
    "tags": ["quokka", "wildlife"],
    "source": "Takedown Times",
    "translation_key": "quokka-pair",
}
TRANSLATION = {
    "id": "target-uk",
    "title": "Заповідник квок наймає музиканта",
    "body": "Заповідник квок на острові Роттнест рахує колонію.",
    "language": "uk",
    "published": "2001-05-05",
    "source": "Часопис",
    "translation_key": "quokka-pair",
}
RELATED = [
    {
        "id": f"related-{i}",
        "title": f"Quokka sanctuary report {i}",
        "body": "The quokka sanctuary rangers count the quokka colony on Rottnest island; "
        "wildlife and budget.",
        "language": "en",
        "published": f"2010-0{i + 1}-01",
        "source": "Island News",
    }
    for i in range(3)
]


@pytest.fixture
def archive_home(home, tmp_path) -> Path:
    records = [*map(article, range(30)), TARGET, TRANSLATION, *RELATED]
    imported = run_arkhiv(
        home, "import", "--no-progress", str(write_jsonl(tmp_path / "a.jsonl", records))
    )
    assert imported.returncode == 0, imported.stderr
    return home


@pytest.fixture
def client(archive_home):
    return create_app({"ARKHIV_HOME": str(archive_home), "TESTING": True}).test_client()


def ids(client, **params) -> list[str]:
    query = urllib.parse.urlencode({**params, "per_page": 100})
    return [hit["id"] for hit in client.get(f"/api/search?{query}").get_json()["hits"]]


def facet_values(client, name: str) -> dict[str, int]:
    facets = client.get("/api/search?per_page=1").get_json()["facets"]
    return {value["value"]: value["count"] for value in facets[name]}


def everywhere(client, home: Path) -> dict[str, bool]:
    """Where the target article shows: each place a reader or a script can meet it."""
    exported = run_arkhiv(home, "export", "-q", "quokka", "--format", "jsonl").stdout
    translation = client.get("/api/articles/target-uk").get_json()
    return {
        "search": "target" in ids(client, q="quokka"),
        "browse": "target" in ids(client),
        "source facet": "Takedown Times" in facet_values(client, "source"),
        "author facet": "Tess Takedown" in facet_values(client, "author"),
        "date histogram": "1999" in facet_values(client, "date"),
        "export": '"id": "target"' in exported,
        "feed": "/article/target<" in client.get("/feed?q=quokka").get_data(as_text=True),
        "related": 'href="/article/target"'
        in client.get("/article/related-0").get_data(as_text=True),
        "translations": any(t["id"] == "target" for t in translation["translations"]),
    }


def test_a_takedown_leaves_every_place_and_answers_410(archive_home, client):
    before = client.get("/api/articles/target").get_json()
    assert all(everywhere(client, archive_home).values()), everywhere(client, archive_home)

    deleted = run_arkhiv(archive_home, "delete", "target", "--reason", "court order 7")
    assert deleted.returncode == 0, deleted.stderr
    assert "deleted\ttarget" in deleted.stdout

    shown = everywhere(client, archive_home)
    assert not any(shown.values()), shown
    gone = client.get("/api/articles/target")
    assert gone.status_code == 410
    assert "taken down on 20" in gone.get_json()["error"]["message"]
    page = client.get("/article/target", headers={"Accept-Language": "uk"})
    assert page.status_code == 410 and "вилучено з архіву" in page.get_data(as_text=True)
    english = client.get("/article/target", headers={"Accept-Language": "en"})
    assert "removed from the archive" in english.get_data(as_text=True)
    assert client.get("/api/articles/never-was").status_code == 404
    check = run_arkhiv(archive_home, "check")
    assert check.returncode == 0, check.stderr
    stats = json.loads(run_arkhiv(archive_home, "stats", "--json").stdout)
    assert (stats["articles"], stats["taken_down"]) == (34, 1)
    assert before["id"] == "target"


def test_a_takedown_sticks_until_undeleted_which_brings_it_back_as_it_was(
    archive_home, client, tmp_path
):
    before = client.get("/api/articles/target").get_json()
    assert run_arkhiv(archive_home, "delete", "target", "--reason", "court order 7").returncode == 0
    again = run_arkhiv(
        archive_home, "import", "--no-progress", str(write_jsonl(tmp_path / "t.jsonl", [TARGET]))
    )
    assert again.returncode == 1
    assert "'target' was taken down on 20" in again.stderr and "court order 7" in again.stderr
    assert client.get("/api/articles/target").status_code == 410

    undeleted = run_arkhiv(archive_home, "undelete", "target")
    assert undeleted.returncode == 0, undeleted.stderr
    assert "restored\ttarget" in undeleted.stdout
    assert client.get("/api/articles/target").get_json() == before
    assert all(everywhere(client, archive_home).values())
    assert run_arkhiv(archive_home, "check").returncode == 0
    unchanged = run_arkhiv(archive_home, "import", "--no-progress", str(tmp_path / "t.jsonl"))
    assert unchanged.returncode == 0 and "1 unchanged" in unchanged.stdout
    not_down = run_arkhiv(archive_home, "undelete", "target")
    assert not_down.returncode == 1 and "is not taken down" in not_down.stderr

    log = run_arkhiv(archive_home, "deletions").stdout.splitlines()
    assert [line.split("\t")[1:4] for line in log] == [
        ["undeleted", "target", "by command line"],
        ["deleted", "target", "by command line"],
    ]
    assert log[1].endswith("\tcourt order 7")


def test_delete_by_search_says_how_many_and_which_before_taking_them_down(archive_home, client):
    dry = run_arkhiv(archive_home, "delete", "--source", "Island News", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert sorted(line.split("\t")[0] for line in dry.stdout.splitlines()) == [
        "related-0",
        "related-1",
        "related-2",
    ]
    assert "Quokka sanctuary report 1" in dry.stdout
    assert "3 articles would be taken down" in dry.stderr
    assert len(ids(client, source="Island News")) == 3  # nothing taken down

    done = run_arkhiv(archive_home, "delete", "--source", "Island News", "--reason", "duplicates")
    assert done.returncode == 0, done.stderr
    assert ids(client, source="Island News") == []
    assert run_arkhiv(archive_home, "check").returncode == 0

    nothing = run_arkhiv(archive_home, "delete")
    assert nothing.returncode == 2 and "give the ids" in nothing.stderr
    both = run_arkhiv(archive_home, "delete", "a-1", "-q", "budget")
    assert both.returncode == 2 and "not both" in both.stderr
    unknown = run_arkhiv(archive_home, "delete", "a-1", "no-such-id")
    assert unknown.returncode == 1 and "no article with id 'no-such-id'" in unknown.stderr
    assert client.get("/api/articles/a-1").status_code == 410  # the known one was taken down


def files_holding(home: Path, word: bytes) -> list[str]:
    return [
        str(path.relative_to(home))
        for path in home.rglob("*")
        if path.is_file() and word in path.read_bytes().lower()
    ]


def test_purge_erases_the_text_from_every_file_and_the_block_stays(archive_home, tmp_path):
    assert files_holding(archive_home, UNIQUE.encode())  # the store and the index hold it
    purged = run_arkhiv(archive_home, "delete", "target", "--purge", "--reason", "erasure request")
    assert purged.returncode == 0, purged.stderr
    assert "purged\ttarget" in purged.stdout
    assert files_holding(archive_home, UNIQUE.encode()) == []
    with home_store(archive_home) as store:  # PostgreSQL's rows too (SQLite's are files above)
        for table in ("articles", "takedowns"):
            rows = store.db.execute(f"SELECT * FROM {table}").fetchall()
            assert UNIQUE not in repr(rows).lower()
    assert run_arkhiv(archive_home, "check").returncode == 0

    again = run_arkhiv(
        archive_home, "import", "--no-progress", str(write_jsonl(tmp_path / "t.jsonl", [TARGET]))
    )
    assert again.returncode == 1 and "erasure request" in again.stderr
    log = [
        line.split("\t")[1] for line in run_arkhiv(archive_home, "deletions").stdout.splitlines()
    ]
    assert log == ["purged", "deleted"]

    lifted = run_arkhiv(archive_home, "undelete", "target")
    assert lifted.returncode == 0 and "unblocked\ttarget" in lifted.stdout
    client = create_app({"ARKHIV_HOME": str(archive_home), "TESTING": True}).test_client()
    assert client.get("/api/articles/target").status_code == 404  # nothing came back
    back = run_arkhiv(archive_home, "import", "--no-progress", str(tmp_path / "t.jsonl"))
    assert back.returncode == 0 and "1 added" in back.stdout


def test_delete_over_http_with_a_token_and_the_follower_removes_it(archive_home, tmp_path):
    created = run_arkhiv(archive_home, "token", "create", "legal-desk")
    secret = created.stdout.splitlines()[-1]
    served = serve_archive(archive_home, tmp_path / "serve.log")
    try:
        url = served.url + "/api/articles/target"
        auth = {"Authorization": f"Bearer {secret}"}
        assert http("DELETE", url).status == 401
        assert http("DELETE", served.url + "/api/articles/no-such", headers=auth).status == 404
        deleted = http(
            "DELETE",
            url,
            json.dumps({"reason": "libel claim"}).encode(),
            {**auth, "Content-Type": "application/json"},
        )
        assert deleted.status == 200, deleted.body
        answer = deleted.json()
        assert (answer["status"], answer["deleted_by"], answer["reason"]) == (
            "deleted",
            "legal-desk",
            "libel claim",
        )
        assert http("GET", url).status == 410
        assert http("GET", served.url + "/article/target").status == 410

        def counted() -> int:
            body = http("GET", served.url + "/api/search?source=Takedown+Times").json()
            return body["total"]

        wait_until(lambda: counted() == 0, timeout=5)  # the facet count too, within seconds
        again = http("DELETE", url, headers=auth).json()
        assert again["status"] == "already deleted" and again["reason"] == "libel claim"
    finally:
        served.stop()
    log = run_arkhiv(archive_home, "deletions", "--json").stdout.splitlines()
    entry = json.loads(log[0])
    assert (entry["action"], entry["id"], entry["by"], entry["reason"]) == (
        "deleted",
        "target",
        "legal-desk",
        "libel claim",
    )


def test_every_index_following_the_store_drops_a_takedown(archive_home, tmp_path):
    store = home_store(archive_home)
    other_node = tmp_path / "node-2" / "index"
    indexer.catch_up(store, other_node)  # a second node's index, built before the takedown
    Takedowns(store).delete(["target"], reason="court order", by="command line")
    assert indexer.applied_seq(other_node) < store.last_seq()
    assert indexer.catch_up(store, other_node) == 1
    comparison = indexer.compare(store, other_node)
    assert comparison.agree, comparison.differences
    assert comparison.index_documents == store.count() == 34


def test_a_store_of_the_first_schema_is_migrated_and_keeps_its_articles(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("PRAGMA user_version = 1")
    with sqlite3.connect(path) as db:  # an article written by the former version
        old = validate_record(TARGET)
        db.execute(
            """INSERT INTO articles (id, seq, content_hash, record, title, language,
               added_at, updated_at) VALUES (?, 1, ?, ?, ?, 'en', '2020', '2020')""",
            (old.id, old.content_hash(), json.dumps(old.to_record()), old.title),
        )
        db.execute("UPDATE store_state SET value = 1 WHERE key = 'last_seq'")
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.get("target").title == TARGET["title"]
    (outcome,) = Takedowns(store).delete(["target"], reason="r")
    assert outcome.status == "deleted" and store.get("target") is None and store.last_seq() == 2
