"""Several search nodes on one PostgreSQL store: each ``arkhiv serve`` keeps its own index (its own
``ARKHIV_HOME``) and follows the shared store. What any node or import writes is searchable on
every node within 5 seconds; a new node builds its index from the store; a node that was down
catches up; two imports at once with overlapping ids store each record once."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import arkhiv_command, article, run_arkhiv, write_jsonl
from tests.web_fixtures import http, serve_archive, wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def shared(database_url, monkeypatch) -> str:
    monkeypatch.setenv("ARKHIV_DATABASE_URL", database_url)
    return database_url


@pytest.fixture
def start_node(tmp_path):
    """Starts ``arkhiv serve`` over ``tmp_path / name``; every node it started is stopped after
    the test, however it ended."""
    started = []

    def start(name: str, log: str | None = None):
        node = serve_archive(tmp_path / name, tmp_path / (log or f"{name}.log"))
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()


def found(node, q: str) -> list[str]:
    answer = http("GET", f"{node.url}/api/search?q={q}&collapse=0&per_page=100")
    assert answer.status == 200, answer.body
    return sorted(hit["id"] for hit in answer.json()["hits"])


def total(node) -> int:
    return http("GET", f"{node.url}/api/search?per_page=1&collapse=0").json()["total"]


def health(node) -> dict:
    return http("GET", f"{node.url}/healthz").json()


def test_what_one_node_writes_every_node_finds_within_5_seconds(shared, start_node, tmp_path):
    node_a, node_b = start_node("a"), start_node("b")
    secret = run_arkhiv(tmp_path / "a", "token", "create", "desk").stdout.splitlines()[-1]
    auth = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    records = [article(i, body=f"Zebrafish census number {i}.") for i in range(3)]
    posted = http("POST", f"{node_a.url}/api/articles", json.dumps(records).encode(), auth)
    assert posted.status == 200 and posted.json()["added"] == 3, posted.body
    seconds = wait_until(lambda: found(node_b, "zebrafish") == ["a-0", "a-1", "a-2"], 5)
    print(f"POST on A found on B after {seconds:.2f} s")

    # the token is the store's: node B takes it too; a deletion on B leaves A
    deleted = http("DELETE", f"{node_b.url}/api/articles/a-1", headers=auth)
    assert deleted.status == 200, deleted.body
    assert http("GET", f"{node_a.url}/api/articles/a-1").status == 410  # from the store
    seconds = wait_until(lambda: found(node_a, "zebrafish") == ["a-0", "a-2"], 5)
    print(f"DELETE on B gone from A after {seconds:.2f} s")
    again = http("POST", f"{node_a.url}/api/articles", json.dumps(records[1:2]).encode(), auth)
    assert again.json()["rejected"] == 1  # the takedown sticks on every node


def test_a_node_down_catches_up_and_a_new_node_builds_from_the_store(shared, start_node, tmp_path):
    node_a, node_b = start_node("a"), start_node("b")
    node_b.stop()
    data = write_jsonl(tmp_path / "more.jsonl", [article(i) for i in range(2_500)])
    done = run_arkhiv(tmp_path / "importer", "import", "--no-progress", "--no-index", str(data))
    assert done.returncode == 0, done.stderr
    wait_until(lambda: total(node_a) == 2_500, 60)  # A follows an import made elsewhere
    started = time.monotonic()
    node_b = start_node("b", "b2.log")
    assert total(node_b) == 2_500 and health(node_b)["index_lag"] == 0
    print(f"node B caught up 2,500 articles in {time.monotonic() - started:.1f} s")
    assert total(start_node("c")) == 2_500
    for home in ("a", "b", "c"):
        checked = run_arkhiv(tmp_path / home, "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_two_imports_at_once_with_overlapping_ids_store_each_record_once(
    shared, start_node, tmp_path
):
    node_a, node_b = start_node("a"), start_node("b")
    first = write_jsonl(tmp_path / "1.jsonl", [article(i) for i in range(0, 1_500)])
    second = write_jsonl(tmp_path / "2.jsonl", [article(i) for i in range(1_000, 2_500)])
    imports = [
        subprocess.Popen(
            [*arkhiv_command(), "import", "--no-progress", str(path)],
            env={**os.environ, "ARKHIV_HOME": str(home)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path, home in ((first, tmp_path / "a"), (second, tmp_path / "b"))
    ]
    outputs = [process.communicate(timeout=600) for process in imports]
    for process, (_, err) in zip(imports, outputs, strict=True):
        assert process.returncode == 0, err
    stats = json.loads(run_arkhiv(tmp_path / "a", "stats", "--json").stdout)
    assert stats["articles"] == 2_500 and stats["last_seq"] == 2_500  # each stored once
    for node in (node_a, node_b):
        wait_until(lambda node=node: health(node)["index_lag"] == 0, 60)
        assert total(node) == 2_500
    for home in ("a", "b"):
        checked = run_arkhiv(tmp_path / home, "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_healthz_says_503_when_the_database_is_gone(start_node, monkeypatch, postgres):
    url = postgres.new_database("gone")
    monkeypatch.setenv("ARKHIV_DATABASE_URL", url)
    node = start_node("a")
    assert http("GET", f"{node.url}/healthz").status == 200
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(postgres.url(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    answer = http("GET", f"{node.url}/healthz")
    assert answer.status == 503 and "cannot be reached" in answer.json()["error"]


def test_a_url_that_is_not_postgresql_is_refused(tmp_path):
    env = {**os.environ, "ARKHIV_HOME": str(tmp_path), "ARKHIV_DATABASE_URL": "mysql://x/y"}
    done = subprocess.run(
        [*arkhiv_command(), "stats"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "ARKHIV_DATABASE_URL" in done.stderr
    assert not Path(tmp_path / "archive.sqlite3").exists()
