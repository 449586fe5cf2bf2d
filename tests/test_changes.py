"""The store and the index under change: corrections, concurrent searches and commits, reindex
swaps, kills, a full disk, damaged files. Real processes are killed where the case is a kill; a
real (tmpfs) file system fills up where the case is a full disk."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from whoosh.index import FileIndex

from archive.config import Settings
from archive.importer import Importer, import_lock
from archive.store import Store
from index.searching.request import request_from_mapping
from index.searching.search import SearchIndex
from index.segments import indexer, layout
from index.segments.storage import ArchiveStorage
from tests.conftest import DEMO_FILES, FIXTURES, arkhiv_command, run_arkhiv, write_jsonl
from tests.conftest import article as base_article
from tests.web_fixtures import free_port
from webapp.app import create_app

SEED_ID = "up-2025-08-27-isw-kremlin-guarantees"


def article(i: int, **extra) -> dict:
    """The shared test article, its body also in Ukrainian (for searches of «бюджет»)."""
    body = f"Body of article {i}. The council discussed the budget and the schools. "
    return base_article(i, **{"body": f"{body}Київ ухвалив бюджет {i}.", **extra})


def search(index: SearchIndex, **params) -> dict:
    return index.search(request_from_mapping(params))


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Aborted!" not in result.stderr, result.stderr


# -- a corrected article ---------------------------------------------------------------------------


def test_corrected_article_is_searched_exported_and_checked(home, tmp_path):
    assert run_arkhiv(home, "import", "--no-progress", *map(str, DEMO_FILES)).returncode == 0
    seed = json.loads((FIXTURES / "seed.json").read_text())
    seed["title"] = "Corrected: Kremlin rejects the zebracorn guarantees"
    corrected = tmp_path / "corrected.json"
    corrected.write_text(json.dumps(seed, ensure_ascii=False))
    result = run_arkhiv(home, "import", "--no-progress", str(corrected))
    assert result.returncode == 0, result.stderr
    assert "0 added, 1 updated" in result.stdout

    check = run_arkhiv(home, "check")
    assert check.returncode == 0, check.stderr

    app = create_app({"ARKHIV_HOME": str(home), "TESTING": True})
    client = app.test_client()
    found = client.get("/api/search?q=zebracorn").get_json()
    assert [hit["id"] for hit in found["hits"]] == [SEED_ID]
    assert found["hits"][0]["title"] == seed["title"]
    everything = client.get("/api/search?per_page=100").get_json()
    ids = [hit["id"] for hit in everything["hits"]]
    assert ids.count(SEED_ID) == 1 and everything["total"] == len(ids)
    assert sum(v["count"] for v in everything["facets"]["language"]) == everything["total"]
    for url in ("/", "/?q=Kremlin", f"/article/{SEED_ID}", "/feed?q=zebracorn"):
        response = client.get(url)
        assert response.status_code == 200, url
    exported = client.get("/export?q=Kremlin&format=jsonl").get_data(as_text=True).splitlines()
    assert [json.loads(line)["title"] for line in exported] == [seed["title"]]

    cli_export = run_arkhiv(home, "export", "-q", "zebracorn", "--format", "jsonl")
    assert cli_export.returncode == 0, cli_export.stderr
    assert json.loads(cli_export.stdout)["id"] == SEED_ID


def test_replayed_catch_up_replaces_every_document_and_search_holds(store, settings, tmp_path):
    """A kill after the index's commit, before its state file: the whole catch-up is replayed,
    every document is replaced (deleted, added again), and search counts each article once."""
    Importer(store, settings).run([write_jsonl(tmp_path / "a.jsonl", map(article, range(300)))])
    indexer.catch_up(store, settings.index_dir)
    build = layout.current_build(settings.index_dir)
    indexer.IndexState(applied_seq=0, build="replayed").write(build)
    assert indexer.catch_up(store, settings.index_dir) == 300
    index = SearchIndex(settings.index_dir, store)
    result = search(index, q="budget", per_page="100")
    assert result["total"] == 300
    assert sum(v["count"] for v in result["facets"]["source"]) == 300
    assert len({hit["id"] for hit in result["hits"]}) == 100
    exported = list(index.matching_articles(request_from_mapping({"q": "бюджет"})))
    assert len(exported) == len({a.id for a in exported}) == 300
    assert indexer.compare(store, settings.index_dir).agree


# -- searches while the index changes --------------------------------------------------------------


@contextlib.contextmanager
def searching(index: SearchIndex, count: int):
    """``count`` threads searching ``index`` until the block ends; yields the errors they met
    and how many answers they got (a one-item list)."""
    stop = threading.Event()
    errors: list[str] = []
    answers = [0]
    queries = [
        {"q": "budget"},
        {"q": "бюджет", "source": "Outlet 1"},
        {"q": "schools council", "sort": "newest"},
        {"q": '"the budget"'},
        {},
    ]

    def run(n: int) -> None:
        i = n
        while not stop.is_set():
            params = queries[i % len(queries)]
            i += 1
            try:
                result = search(index, **params)
                # One generation whole: the language facet counts exactly the total.
                languages = sum(v["count"] for v in result["facets"]["language"])
                if languages != result["total"]:
                    errors.append(f"{params}: total {result['total']}, languages {languages}")
                answers[0] += 1
            except Exception as exc:  # noqa: BLE001 - every error is what the test counts
                errors.append(f"{params}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield errors, answers
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def test_eight_threads_search_while_small_imports_commit(store, settings, tmp_path):
    Importer(store, settings).run([write_jsonl(tmp_path / "a.jsonl", map(article, range(200)))])
    indexer.catch_up(store, settings.index_dir)
    index = SearchIndex(settings.index_dir, store)
    with searching(index, 8) as (errors, answers):
        for n in range(40):  # each import adds one article and corrects another
            batch = [article(1000 + n), article(n, title=f"Article {n} corrected")]
            path = write_jsonl(tmp_path / f"b{n}.jsonl", batch)
            with import_lock(settings):
                Importer(store, settings).run([path])
                indexer.catch_up(store, settings.index_dir)
    assert not errors, errors[:5]
    assert answers[0] > 40
    assert search(index, q="budget")["total"] == 240
    assert search(index, q="corrected")["total"] == 40


def _mapped_deleted_files() -> list[str]:
    with open("/proc/self/maps") as maps:
        return [line for line in maps if "(deleted)" in line and "/index/" in line]


def test_searches_during_reindex_swaps_never_fail_and_release_the_old_build(
    store, settings, tmp_path
):
    Importer(store, settings).run([write_jsonl(tmp_path / "a.jsonl", map(article, range(300)))])
    indexer.catch_up(store, settings.index_dir)
    index = SearchIndex(settings.index_dir, store)
    first = layout.current_build(settings.index_dir)
    with searching(index, 4) as (errors, _):
        for _ in range(3):
            indexer.rebuild(store, settings.index_dir)
    assert not errors, errors[:5]
    current = layout.current_build(settings.index_dir)
    assert current != first
    assert sorted(p.name for p in settings.index_dir.iterdir()) == sorted(
        [layout.POINTER, current.name]
    )
    assert search(index, q="budget")["total"] == 300  # the newest view; older ones released
    gc.collect()
    assert not _mapped_deleted_files()


def test_a_failed_refresh_keeps_the_last_good_view(store, settings, tmp_path):
    Importer(store, settings).run([write_jsonl(tmp_path / "a.jsonl", map(article, range(50)))])
    indexer.catch_up(store, settings.index_dir)
    index = SearchIndex(settings.index_dir, store)
    assert search(index, q="budget")["total"] == 50
    # A newer table of contents that cannot be read (what a commit in progress can look like).
    build = layout.current_build(settings.index_dir)
    (build / "_MAIN_999.toc").write_bytes(b"not a table of contents")
    assert search(index, q="budget")["total"] == 50
    assert index.views.last_error
    (build / "_MAIN_999.toc").unlink()
    Importer(store, settings).run([write_jsonl(tmp_path / "b.jsonl", [article(60)])])
    indexer.catch_up(store, settings.index_dir)
    time.sleep(1.1)  # the retry delay after a failed refresh
    assert search(index, q="budget")["total"] == 51


# -- writers and the lock --------------------------------------------------------------------------


def _get_json(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def test_serve_starts_while_another_writer_holds_the_lock(home, tmp_path):
    assert run_arkhiv(home, "import", "--no-progress", *map(str, DEMO_FILES)).returncode == 0
    settings = Settings(home=home)
    port = free_port()
    with import_lock(settings):  # as a running reindex or import would
        server = subprocess.Popen(
            [*arkhiv_command(), "serve", "--port", str(port)],
            env={**os.environ, "ARKHIV_HOME": str(home)},
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    body = _get_json(f"http://127.0.0.1:{port}/api/search?q=Kremlin")
                    break
                except OSError:
                    assert server.poll() is None, server.stderr.read()
                    assert time.monotonic() < deadline, "serve did not answer"
                    time.sleep(0.2)
            assert body["total"] >= 1
        finally:
            server.terminate()
            _, stderr = server.communicate(timeout=30)
    assert "serving the index as it is" in stderr
    assert "Traceback" not in stderr


def _wait_until(predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.mark.slow
def test_reindex_killed_at_any_point_keeps_the_index_and_is_cleaned_up(home, tmp_path):
    path = write_jsonl(tmp_path / "many.jsonl", map(article, range(3000)))
    assert run_arkhiv(home, "import", "--no-progress", str(path)).returncode == 0
    index_root = home / "index"
    # Folders the former swap left behind when killed.
    (home / "index.new-123").mkdir()
    (home / "index.old-1-2").mkdir()
    env = {**os.environ, "ARKHIV_HOME": str(home), "ARKHIV_INDEX_PROCS": "2"}
    moments = [
        lambda: any(index_root.glob("build-*/state.json")) and len(list(index_root.iterdir())) > 2,
        lambda: any(index_root.glob("build-*/*.tmp")) or any(index_root.glob("build-*/*.seg")),
    ]
    for moment in moments:
        process = subprocess.Popen(
            [*arkhiv_command(), "reindex"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_until(lambda m=moment, p=process: m() or p.poll() is not None)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        check = run_arkhiv(home, "check")  # the index in use is whole, at every moment
        assert check.returncode == 0, check.stderr
        exported = run_arkhiv(home, "export", "-q", "budget", "--format", "jsonl")
        assert len(exported.stdout.splitlines()) == 3000
    result = run_arkhiv(home, "reindex")
    assert result.returncode == 0, result.stderr
    current = layout.current_build(index_root)
    assert sorted(p.name for p in index_root.iterdir()) == [layout.POINTER, current.name]
    assert not list(home.glob("index.*-*"))
    assert run_arkhiv(home, "check").returncode == 0


def test_read_only_commands_report_a_missing_index_and_create_none(home, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", map(article, range(5)))
    assert run_arkhiv(home, "import", "--no-progress", "--no-index", str(path)).returncode == 0
    exported = run_arkhiv(home, "export", "-q", "budget")
    assert exported.returncode == 1
    assert "there is no search index" in exported.stderr
    no_traceback(exported)
    check = run_arkhiv(home, "check")
    assert check.returncode == 1 and "there is no search index" in check.stderr
    assert not (home / "index").exists()
    app = create_app({"ARKHIV_HOME": str(home), "TESTING": True})
    response = app.test_client().get("/api/search?q=budget")
    assert response.status_code == 503
    assert "no search index" in response.get_json()["error"]["message"]
    page = app.test_client().get("/?q=budget", headers={"Accept-Language": "uk"})
    assert page.status_code == 503
    assert "Пошук зараз недоступний" in page.get_data(as_text=True)


# -- a full disk -----------------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, megabytes: int):
    """A real file system of ``megabytes`` (tmpfs) at ``path``; skips where it cannot mount."""
    path.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path, leave_kb: int) -> Path:
    """Fill ``disk`` until ``leave_kb`` are free."""
    filler = disk / "filler"
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave_kb * 1024))
    return filler


def index_files(build: Path) -> set[str]:
    return {str(p.relative_to(build)) for p in build.rglob("*")}


def test_full_disk_while_indexing_says_so_cleans_up_and_the_rerun_completes(tmp_path):
    with small_disk(tmp_path / "disk", 48) as disk:
        home = disk / "home"
        path = write_jsonl(tmp_path / "a.jsonl", map(article, range(4000)))
        first = write_jsonl(tmp_path / "first.jsonl", map(article, range(100)))
        assert run_arkhiv(home, "import", "--no-progress", str(first)).returncode == 0
        stored = run_arkhiv(home, "import", "--no-progress", "--no-index", str(path))
        assert stored.returncode == 0, stored.stderr
        build = layout.current_build(home / "index")
        before = index_files(build)
        filler = fill(disk, leave_kb=600)
        for _ in range(2):  # each retry on a full disk leaves nothing behind either
            result = run_arkhiv(home, "import", "--no-progress", str(path))
            assert result.returncode == 3, result.stderr
            assert "the disk is full" in result.stderr
            no_traceback(result)
            assert index_files(build) == before
        filler.unlink()
        result = run_arkhiv(home, "import", "--no-progress", str(path))
        assert result.returncode == 0, result.stderr
        check = run_arkhiv(home, "check")
        assert check.returncode == 0, check.stderr
        assert "4,000 articles" in check.stdout


def test_full_disk_while_storing_reports_sqlites_own_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ARKHIV_IMPORT_BATCH", "500")  # batches small enough to fit some
    with small_disk(tmp_path / "disk", 16) as disk:
        home = disk / "home"
        body = "budget " * 2000
        path = write_jsonl(tmp_path / "big.jsonl", (article(i, body=body) for i in range(3000)))
        result = run_arkhiv(home, "import", "--no-progress", "--no-index", str(path))
        assert result.returncode == 3, result.stderr
        assert "database or disk is full" in result.stderr
        assert "cannot rollback" not in result.stderr
        no_traceback(result)
        with sqlite3.connect(home / "archive.sqlite3") as db:
            kept = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert kept > 0 and kept % 500 == 0  # whole batches, committed before the disk filled


# -- damaged files ---------------------------------------------------------------------------------


@pytest.fixture
def indexed_home(home, tmp_path) -> Path:
    path = write_jsonl(tmp_path / "a.jsonl", map(article, range(200)))
    assert run_arkhiv(home, "import", "--no-progress", str(path)).returncode == 0
    return home


def test_damaged_state_file_is_named_by_check_and_mended_by_import(indexed_home, tmp_path):
    build = layout.current_build(indexed_home / "index")
    (build / "state.json").write_text("[]")
    check = run_arkhiv(indexed_home, "check")
    assert check.returncode == 1
    assert "state.json cannot be read" in check.stderr and "arkhiv reindex" in check.stderr
    no_traceback(check)
    more = write_jsonl(tmp_path / "b.jsonl", [article(500)])
    result = run_arkhiv(indexed_home, "import", "--no-progress", str(more))
    assert result.returncode == 0, result.stderr
    assert run_arkhiv(indexed_home, "check").returncode == 0


@pytest.mark.parametrize("damage", ["truncated", "deleted"])
def test_damaged_segment_is_reported_everywhere_and_reindex_mends_it(
    indexed_home, tmp_path, damage
):
    build = layout.current_build(indexed_home / "index")
    (segment,) = build.glob("*.seg")
    if damage == "truncated":
        with open(segment, "r+b") as handle:
            handle.truncate(segment.stat().st_size // 2)
    else:
        segment.unlink()

    check = run_arkhiv(indexed_home, "check")
    assert check.returncode == 1
    assert "cannot be read" in check.stderr and "arkhiv reindex" in check.stderr
    no_traceback(check)
    exported = run_arkhiv(indexed_home, "export", "-q", "budget")
    assert exported.returncode == 1 and "arkhiv reindex" in exported.stderr
    no_traceback(exported)
    app = create_app({"ARKHIV_HOME": str(indexed_home), "TESTING": True})
    response = app.test_client().get("/api/search?q=budget")
    assert response.status_code == 503
    more = write_jsonl(tmp_path / "b.jsonl", [article(500)])
    imported = run_arkhiv(indexed_home, "import", "--no-progress", str(more))
    assert imported.returncode == 3 and "damaged" in imported.stderr
    no_traceback(imported)
    with sqlite3.connect(indexed_home / "archive.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 201

    assert run_arkhiv(indexed_home, "reindex").returncode == 0
    assert run_arkhiv(indexed_home, "check").returncode == 0
    assert app.test_client().get("/api/search?q=budget").get_json()["total"] == 201


def test_check_finds_two_live_documents_for_one_id(indexed_home):
    build = layout.current_build(indexed_home / "index")
    ix = FileIndex(ArchiveStorage(build))
    writer = ix.writer()
    writer.add_document(id="a-7", title="a second copy", body="", language=["en"])
    writer.commit()
    check = run_arkhiv(indexed_home, "check")
    assert check.returncode == 1
    assert re.search(
        r"1 articles have more than one live document in the index \(a-7\)", check.stderr
    )


def test_commits_and_state_are_flushed_to_disk(store, settings, tmp_path, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")
    Importer(store, settings).run([write_jsonl(tmp_path / "a.jsonl", map(article, range(20)))])
    indexer.catch_up(store, settings.index_dir)
    names = [Path(p).name for p in synced]
    assert any(re.fullmatch(r"_MAIN_\d+\.toc\.[\d.]+", n) for n in names), names
    assert any(n.endswith(".seg") for n in names), names
    assert "state.json.tmp" in names and layout.POINTER + ".tmp" in names
    # The segment is on disk before the table of contents that names it.
    segment_at = max(i for i, n in enumerate(names) if n.endswith(".seg"))
    toc_at = max(i for i, n in enumerate(names) if ".toc" in n)
    assert segment_at < toc_at


def test_an_index_whose_schema_names_modules_since_moved_is_searched_checked_and_written(
    indexed_home, tmp_path
):
    """Whoosh pickles the schema into each table of contents, naming classes by module; an index
    written before ``index/`` had sub-packages names ``index.schema``. The schema is the code's,
    so it is never read back: such an index is searched, checked and written as any other."""
    build = layout.current_build(indexed_home / "index")
    (toc,) = build.glob("_MAIN_*.toc")
    written = toc.read_bytes()
    assert b"index.segments.schema" in written and b"index.text.analysis" in written
    # The same lengths, so the file stays well formed: modules that do not exist.
    moved = written.replace(b"index.segments.schema", b"index.gone_away.schem")
    toc.write_bytes(moved.replace(b"index.text.analysis", b"index.gone.analysis"))
    index = SearchIndex(indexed_home / "index", Store(indexed_home / "archive.sqlite3"))
    assert search(index, q="budget")["total"] == 200
    check = run_arkhiv(indexed_home, "check")
    assert check.returncode == 0, check.stderr
    more = write_jsonl(tmp_path / "more.jsonl", [article(700)])
    assert run_arkhiv(indexed_home, "import", "--no-progress", str(more)).returncode == 0
    assert run_arkhiv(indexed_home, "check").returncode == 0
    assert search(index, q="budget")["total"] == 201
    index.close()
