"""``arkhiv import`` end to end: formats, rejects, exit codes, re-runs, kills, concurrency."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from archive.importer import Importer
from archive.store import StoreError
from archive.stores import STORE_ERRORS
from tests.conftest import (
    FIXTURES,
    ROOT,
    arkhiv_command,
    article,
    home_store,
    run_arkhiv,
    write_jsonl,
)

# Each test on SQLite and on PostgreSQL (the store's own concurrency and kills included).
pytestmark = pytest.mark.both_stores


def stored_count(home: Path) -> int:
    with home_store(home) as store:
        return store.count()


def test_mixed_file_exit_1_rejects_explained_valid_kept(home, tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    result = run_arkhiv(
        home, "import", "--no-progress", "--rejects", str(rejects), str(FIXTURES / "invalid.jsonl")
    )
    assert result.returncode == 1, result.stderr
    assert "5 added, 0 updated, 0 unchanged, 9 rejected" in result.stdout
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    by_line = {r["line"]: r for r in lines}
    assert set(by_line) == {2, 3, 5, 7, 8, 10, 11, 12, 13}
    assert all(r["file"].endswith("invalid.jsonl") for r in lines)
    assert by_line[2]["error"].startswith("not valid JSON")
    assert by_line[3]["error"] == "title: is missing"
    assert by_line[5]["error"] == "body: expected a string, got a number"
    assert by_line[7]["error"] == "published: month 13 does not exist"
    assert by_line[8]["error"].startswith("authors: expected a string or a list of strings")
    assert by_line[10]["error"] == "title: is empty"
    assert by_line[11]["error"].startswith("url: only http and https URLs are accepted")
    assert by_line[12]["error"] == "expected a JSON object, got a list"
    assert by_line[13]["error"] == "expected a JSON object, got a string"
    assert json.loads(by_line[3]["raw"])["id"] == "bad-missing-title"
    with home_store(home) as store:
        assert sorted(a for a, _ in store.id_seqs()) == [f"valid-{i}" for i in range(1, 6)]
        assert store.get("valid-5").extra == {"place": "Полтава"}
        assert store.get("valid-4").authors and store.get("valid-4").published is not None


def test_all_formats_and_gzip(home, tmp_path):
    records = [article(i) for i in range(6)]
    array = tmp_path / "array.json"
    array.write_text("\ufeff" + json.dumps(records[:2]))
    single = tmp_path / "single.json"
    single.write_text(json.dumps(records[2], indent=2))
    wrapped = tmp_path / "wrapped.json.gz"
    wrapped.write_bytes(gzip.compress(json.dumps({"articles": records[3:5]}).encode()))
    ndjson = tmp_path / "lines.ndjson"
    ndjson.write_bytes(("\r\n\r\n" + json.dumps(records[5]) + "\r\n").encode())
    result = run_arkhiv(
        home, "import", "--no-progress", *map(str, (array, single, wrapped, ndjson))
    )
    assert result.returncode == 0, result.stderr
    assert "6 added" in result.stdout
    assert stored_count(home) == 6


def test_array_with_bad_items_reports_indexes(home, tmp_path):
    path = tmp_path / "array.json"
    path.write_text(json.dumps([article(0), {"title": "no body"}, 5, article(1)]))
    rejects = tmp_path / "rejects.jsonl"
    result = run_arkhiv(home, "import", "--no-progress", "--rejects", str(rejects), str(path))
    assert result.returncode == 1
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["index"], r["error"]) for r in rejected] == [
        (1, "body: is missing"),
        (2, "expected a JSON object, got a number"),
    ]
    assert rejected[1]["raw"] == 5
    assert stored_count(home) == 2


def test_truncated_array_keeps_what_came_before(home, tmp_path):
    path = tmp_path / "cut.json"
    text = json.dumps([article(i) for i in range(3)])
    path.write_text(text[: text.rindex("{") + 10])
    result = run_arkhiv(home, "import", "--no-progress", str(path))
    assert result.returncode == 1
    assert "item 2" in result.stderr
    assert stored_count(home) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("id,title\n1,x\n", "is not JSON"), ("", "is empty")],
)
def test_nothing_readable_exit_2_and_nothing_imported(home, tmp_path, content, message):
    good = write_jsonl(tmp_path / "good.jsonl", [article(1)])
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    result = run_arkhiv(home, "import", "--no-progress", str(good), str(bad))
    assert result.returncode == 2
    assert message in result.stderr and "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (home / "archive.sqlite3").exists() or stored_count(home) == 0


def test_rerun_unchanged_then_updated(home, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(20)])
    assert run_arkhiv(home, "import", "--no-progress", str(path)).returncode == 0
    again = run_arkhiv(home, "import", "--no-progress", str(path))
    assert "0 added, 0 updated, 20 unchanged, 0 rejected" in again.stdout
    changed = [article(i, title="New title") if i < 3 else article(i) for i in range(20)]
    write_jsonl(path, changed)
    third = run_arkhiv(home, "import", "--no-progress", str(path))
    assert "0 added, 3 updated, 17 unchanged" in third.stdout
    assert stored_count(home) == 20
    assert run_arkhiv(home, "check").returncode == 0


def test_dry_run_writes_nothing(home, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(5)] + [{"title": 1}])
    result = run_arkhiv(home, "import", "--dry-run", "--no-progress", str(path))
    assert result.returncode == 1
    assert "dry run: 5 added, 0 updated, 0 unchanged, 1 rejected" in result.stdout
    assert stored_count(home) == 0


def test_store_sequence_numbers_rise_and_skip_unchanged(store, settings, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(3)])
    Importer(store, settings).run([path])
    assert store.last_seq() == 3
    Importer(store, settings).run([path])
    assert store.last_seq() == 3
    write_jsonl(path, [article(0, body="changed")])
    Importer(store, settings).run([path])
    assert store.last_seq() == 4
    assert [s.article.id for s in store.changed_since(3)] == ["a-0"]


def test_stats_json(home, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(4)])
    run_arkhiv(home, "import", "--no-progress", str(path))
    figures = json.loads(run_arkhiv(home, "stats", "--json").stdout)
    assert figures["articles"] == 4
    assert figures["languages"] == {"en": 4}
    assert figures["sources"] == 3
    assert figures["published"]["dated"] == 4


def _start_import(home: Path, path: Path) -> subprocess.Popen:
    # Batches of 500 (not the 5,000 of an import by default): killed while the store fills.
    env = {**os.environ, "ARKHIV_HOME": str(home), "ARKHIV_IMPORT_BATCH": "500"}
    return subprocess.Popen(
        [*arkhiv_command(), "import", "--no-progress", str(path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until(predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def _count_or_zero(home: Path) -> int:
    try:
        return stored_count(home)
    except (*STORE_ERRORS, StoreError):
        return 0


@pytest.mark.slow
def test_sigkill_three_times_then_rerun_stores_each_once(home, tmp_path):
    total = 3000
    path = write_jsonl(tmp_path / "many.jsonl", [article(i) for i in range(total)])
    # Kill while the store fills (twice) and once while the index catches up.
    for threshold in (500, 1500, total):
        process = _start_import(home, path)
        _wait_until(
            lambda t=threshold, p=process: _count_or_zero(home) >= t or p.poll() is not None
        )
        if threshold == total:
            time.sleep(0.3)  # the store is complete: the index is being written now
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode in (-signal.SIGKILL, 0)
    result = run_arkhiv(home, "import", "--no-progress", str(path))
    assert result.returncode == 0, result.stderr
    with home_store(home) as store:
        assert store.db.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone() == (
            total,
            total,
        )
    check = run_arkhiv(home, "check")
    assert check.returncode == 0, check.stderr
    assert f"{total:,} articles" in check.stdout


@pytest.mark.slow
def test_second_concurrent_import_waits_and_both_complete(home, tmp_path):
    first_file = write_jsonl(tmp_path / "one.jsonl", [article(i) for i in range(1500)])
    second_file = write_jsonl(tmp_path / "two.jsonl", [article(i) for i in range(1500, 1600)])
    first = _start_import(home, first_file)
    _wait_until(lambda: (home / "import.lock").exists() and _count_or_zero(home) > 0)
    second = _start_import(home, second_file)
    first_out, _ = first.communicate(timeout=300)
    second_out, second_err = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0
    if "waiting" in second_err:
        assert "another import is running" in second_err
    assert stored_count(home) == 1600
    assert run_arkhiv(home, "check").returncode == 0


def test_check_reports_a_lagging_index(home, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(5)])
    run_arkhiv(home, "import", "--no-progress", str(path))
    with home_store(home) as store:
        from archive.record import validate_record

        store.upsert([validate_record(article(99))])
    check = run_arkhiv(home, "check")
    assert check.returncode == 1
    assert "1 articles wait to be indexed" in check.stderr
    assert run_arkhiv(home, "reindex").returncode == 0
    assert run_arkhiv(home, "check").returncode == 0


@pytest.mark.parametrize("value", ["0", "abc", "inf", "1e12", "100001"])
def test_a_bad_import_batch_is_refused_by_name_and_nothing_is_imported(
    home, tmp_path, monkeypatch, value
):
    monkeypatch.setenv("ARKHIV_IMPORT_BATCH", value)
    path = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(3)])
    result = run_arkhiv(home, "import", "--no-progress", str(path))
    assert result.returncode != 0
    assert (
        "ARKHIV_IMPORT_BATCH: expected a whole number of articles, 1 or more (at most 100,000), "
        f"got {value!r}" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (home / "archive.sqlite3").exists() or _count_or_zero(home) == 0
