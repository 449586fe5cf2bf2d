"""Faults tried for real, beyond those of ``test_changes.py``: the disk fills while storing (by the
command line and by a POST) and fills no more once space is freed; a damaged segment is named by
``check``, never answers 500 and is mended by ``reindex`` while the running server goes on
serving its old index."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

from index.segments import layout
from tests.conftest import arkhiv_command, run_arkhiv, write_jsonl
from tests.test_changes import article, fill, no_traceback, small_disk
from tests.web_fixtures import http, serve_archive
from webapp.app import create_app

BIG_BODY = "budget " * 2000  # 14 KB: a 16 MB disk fills after a few batches


def remount(disk: Path, megabytes: int) -> None:
    """Give the small file system more room, as freeing space would."""
    subprocess.run(["mount", "-o", f"remount,size={megabytes}m", str(disk)], check=True)


def stored(home: Path) -> int:
    with sqlite3.connect(home / "archive.sqlite3") as db:
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_full_disk_while_storing_stops_keeps_the_batches_and_the_rerun_completes(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ARKHIV_IMPORT_BATCH", "500")  # batches small enough for some to fit
    records = [article(i, body=BIG_BODY) for i in range(3000)]
    path = write_jsonl(tmp_path / "big.jsonl", records)
    with small_disk(tmp_path / "disk", 16) as disk:
        home = disk / "home"
        result = run_arkhiv(home, "import", "--no-progress", str(path))
        assert result.returncode == 3, result.stderr
        assert "database or disk is full" in result.stderr
        no_traceback(result)
        kept = stored(home)
        assert 0 < kept < 3000 and kept % 500 == 0  # whole batches, intact
        with sqlite3.connect(home / "archive.sqlite3") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        remount(disk, 256)
        rerun = run_arkhiv(home, "import", "--no-progress", str(path))
        assert rerun.returncode == 0, rerun.stderr
        assert f"{3000 - kept} added" in rerun.stdout and f"{kept} unchanged" in rerun.stdout
        check = run_arkhiv(home, "check")
        assert check.returncode == 0 and "3,000 articles" in check.stdout


def test_full_disk_during_a_post_answers_503_and_the_same_post_completes_later(tmp_path):
    body = "".join(json.dumps(article(i, body=BIG_BODY)) + "\n" for i in range(2000)).encode()
    with small_disk(tmp_path / "disk", 64) as disk:
        home = disk / "home"
        secret = run_arkhiv(home, "token", "create", "desk").stdout.splitlines()[-1]
        served = serve_archive(home, tmp_path / "serve.log")
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/x-ndjson"}
        try:
            filler = fill(disk, leave_kb=20 * 1024)  # no room to receive the body at all
            refused = http("POST", served.url + "/api/articles", body, headers)
            assert refused.status == 503, refused.body
            assert "could not be written down" in refused.json()["error"]["message"]
            assert stored(home) == 0
            filler.unlink()
            filler = fill(disk, leave_kb=40 * 1024)  # room for the body, not for the store
            full = http("POST", served.url + "/api/articles", body, headers)
            assert full.status == 503, full.body
            message = full.json()["error"]["message"]
            assert "database or disk is full" in message and "sending the same body" in message
            kept = stored(home)
            assert kept % 500 == 0 and kept < 2000
            assert http("GET", served.url + "/healthz").json()["articles"] == kept
            filler.unlink()
            remount(disk, 256)  # the store, its log, the spooled body and the index: room
            again = http("POST", served.url + "/api/articles", body, headers)
            assert again.status == 200, again.body
            answer = again.json()
            assert (answer["added"], answer["unchanged"]) == (2000 - kept, kept)
        finally:
            log = served.stop()
    assert "Traceback" not in log
    assert secret not in log


# -- a damaged segment -------------------------------------------------------------------------


@pytest.fixture
def indexed(home, tmp_path) -> Path:
    path = write_jsonl(tmp_path / "a.jsonl", map(article, range(300)))
    assert run_arkhiv(home, "import", "--no-progress", str(path)).returncode == 0
    return home


def segment_of(home: Path) -> Path:
    (segment,) = layout.current_build(home / "index").glob("*.seg")
    return segment


def flip(path: Path, at: float, length: int = 3000) -> None:
    """Damage ``length`` bytes of a file in place from the share ``at`` of it (a bad sector)."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    for i in range(start, min(len(data), start + length)):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


QUERIES = ["budget", "schools", "article 7", "бюджет", "council discussed", ""]


@pytest.mark.slow
def test_a_damaged_segment_is_named_never_answers_500_and_reindex_mends_it(indexed):
    for at in (0.1, 0.2, 0.4, 0.6, 0.8, 0.95):
        segment = segment_of(indexed)
        flip(segment, at)
        check = run_arkhiv(indexed, "check")
        assert check.returncode == 1
        assert f"segment file {segment.name} is damaged" in check.stderr
        no_traceback(check)
        client = create_app({"ARKHIV_HOME": str(indexed), "TESTING": True}).test_client()
        for q in QUERIES:
            page = client.get(f"/?q={q}", headers={"Accept-Language": "en"})
            answer = client.get(f"/api/search?q={q}")
            assert page.status_code in (200, 503) and answer.status_code in (200, 503), (at, q)
            if page.status_code == 503:
                assert "Search is not available" in page.get_data(as_text=True)
        assert client.get("/article/a-7").status_code == 200  # the store still shows it
        mended = run_arkhiv(indexed, "reindex")
        assert mended.returncode == 0, mended.stderr
        assert run_arkhiv(indexed, "check").returncode == 0
    client = create_app({"ARKHIV_HOME": str(indexed), "TESTING": True}).test_client()
    assert client.get("/api/search?q=budget").get_json()["total"] == 300


def postings_region(segment: Path) -> tuple[int, int]:
    """Where the postings (``.pst``) lie inside a compound segment file: offset, length."""
    compound = CompoundStorage(FileStorage(str(segment.parent)).open_file(segment.name), False)
    try:
        (place,) = [v for name, v in compound._dir.items() if name.endswith(".pst")]  # noqa: SLF001
    finally:
        compound.close()
    return place["offset"], place["length"]


def test_postings_damaged_under_a_running_app_make_search_unavailable_not_500(indexed):
    app = create_app({"ARKHIV_HOME": str(indexed), "TESTING": True})
    client = app.test_client()
    assert client.get("/api/search?q=budget").get_json()["total"] == 300  # its view is open
    segment = segment_of(indexed)
    offset, length = postings_region(segment)
    with open(segment, "r+b") as handle:  # in place, as a bad disk would: the open map sees it
        handle.seek(offset)
        damaged = bytes(b ^ 0x5A for b in handle.read(length))
        handle.seek(offset)
        handle.write(damaged)
    page = client.get("/?q=article+7", headers={"Accept-Language": "en"})
    assert page.status_code == 503
    assert "Search is not available" in page.get_data(as_text=True)
    answer = client.get("/api/search?q=article+7")
    assert answer.status_code == 503
    assert f"segment file {segment.name} is damaged" in answer.get_json()["error"]["message"]
    assert client.get("/article/a-7").status_code == 200  # the store still shows the article
    mended = run_arkhiv(indexed, "reindex")
    assert mended.returncode == 0, mended.stderr
    assert client.get("/api/search?q=article+7").get_json()["total"] == 1


def test_reindex_mends_a_lost_segment_while_the_running_server_serves_the_old_index(
    indexed, tmp_path
):
    served = serve_archive(indexed, tmp_path / "serve.log")
    try:

        def total() -> tuple[int, int]:
            answer = http("GET", served.url + "/api/search?q=budget&per_page=1")
            return answer.status, answer.json().get("total", -1)

        assert total() == (200, 300)
        segment = segment_of(indexed)
        segment.unlink()  # lost: the running server still has it open
        check = run_arkhiv(indexed, "check")
        assert check.returncode == 1 and segment.name in check.stderr
        fresh = create_app({"ARKHIV_HOME": str(indexed), "TESTING": True}).test_client()
        assert fresh.get("/?q=budget").status_code == 503

        answers: list[tuple[int, int]] = []
        done = threading.Event()

        def keep_searching() -> None:
            while not done.is_set():
                answers.append(total())

        searcher = threading.Thread(target=keep_searching)
        searcher.start()
        try:
            mended = subprocess.run(
                [*arkhiv_command(), "reindex"],
                env={**os.environ, "ARKHIV_HOME": str(indexed)},
                capture_output=True,
                text=True,
                timeout=300,
            )
        finally:
            done.set()
            searcher.join()
        assert mended.returncode == 0, mended.stderr
        assert len(answers) > 3 and set(answers) == {(200, 300)}
        assert total() == (200, 300)
        assert run_arkhiv(indexed, "check").returncode == 0
        assert fresh.get("/?q=budget").status_code == 200
    finally:
        served.stop()
