"""POST /api/articles against ``arkhiv serve`` as an operator runs it (waitress, its follower):
the same validation and idempotence as ``arkhiv import``, an answer per item, searchable within
5 seconds, every format, gzip, the size limit on the inflated body, and bodies that cannot be
read."""

from __future__ import annotations

import gzip
import json
import os
import time
import urllib.parse
import zlib
from http.client import HTTPConnection
from pathlib import Path

import pytest

from archive.config import Settings
from archive.importer import import_lock
from archive.store import Store
from index.segments.follower import Follower
from tests.conftest import article, run_arkhiv, write_jsonl
from tests.web_fixtures import http, import_fixtures, serve_archive, serve_with_token, wait_until

NDJSON = {"Content-Type": "application/x-ndjson"}
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # then no valid deflate data


def jsonl(records) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = serve_with_token(tmp_path_factory.mktemp("writes"), "scraper")
    yield server
    log = server.stop()
    assert server.secret not in log
    assert "Traceback" not in log, log


def post(served, body: bytes, headers: dict | None = None):
    auth = {"Authorization": f"Bearer {served.secret}"}
    return http("POST", served.url + "/api/articles", body, {**auth, **(headers or {})})


def total(served, **params) -> int:
    query = urllib.parse.urlencode({**params, "per_page": 1})
    return http("GET", f"{served.url}/api/search?{query}").json()["total"]


def articles_in_store(served) -> int:
    return http("GET", served.url + "/healthz").json()["articles"]


MIXED = [
    article(1001, title="Zebrafinch council budget"),
    "this line is not JSON",
    {"id": "no-title", "body": "A body without a title."},
    article(1002, published="2016-13-01"),
    article(1003, url="ftp://example.org/x"),
    article(1004, title="Zebrafinch schools budget"),
]


def test_a_batch_answers_per_item_as_import_judges_and_is_searchable_within_5_seconds(
    served, tmp_path
):
    lines = [r if isinstance(r, str) else json.dumps(r) for r in MIXED]
    body = ("\n".join(lines) + "\n").encode()
    answer = post(served, body, NDJSON)
    posted_at = time.monotonic()
    assert answer.status == 200, answer.body
    result = answer.json()
    assert list(result) == ["added", "updated", "unchanged", "rejected", "items"]
    assert (result["added"], result["updated"], result["unchanged"], result["rejected"]) == (
        2,
        0,
        0,
        4,
    )
    items = result["items"]
    assert [item["line"] for item in items] == [1, 2, 3, 4, 5, 6]  # the order of the body
    assert [item["status"] for item in items] == [
        "added",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "added",
    ]
    assert [item["id"] for item in items] == [
        "a-1001",
        None,
        "no-title",
        "a-1002",
        "a-1003",
        "a-1004",
    ]
    assert "error" not in items[0]
    # The same file through `arkhiv import` is judged the same way, record by record.
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(body)
    dry = run_arkhiv(
        served.home, "import", "--dry-run", "--rejects", str(tmp_path / "r.jsonl"), str(path)
    )
    assert dry.returncode == 1
    rejects = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [(r["line"], r["error"]) for r in rejects] == [
        (item["line"], item["error"]) for item in items if item["status"] == "rejected"
    ]
    # Searchable on this node within 5 seconds: the follower indexes what the POST stored.
    waited = wait_until(lambda: total(served, q="zebrafinch") == 2, timeout=5)
    assert time.monotonic() - posted_at < 5, waited


def test_a_batch_of_500_is_searchable_within_5_seconds(served):
    batch = [article(5000 + i, tags=["batch500"]) for i in range(500)]
    answer = post(served, jsonl(batch), NDJSON)
    posted_at = time.monotonic()
    assert answer.status == 200 and answer.json()["added"] == 500
    wait_until(lambda: total(served, tag="batch500") == 500, timeout=5)
    assert time.monotonic() - posted_at < 5


def _gzip_members(data: bytes) -> bytes:
    half = len(data) // 2
    return gzip.compress(data[:half]) + gzip.compress(data[half:])


@pytest.mark.parametrize(
    "shape",
    ["object", "array", "wrapper", "lines-as-json", "lines-gzip", "array-gzip-two-members"],
)
def test_every_form_import_takes_is_taken(served, shape):
    records = [article(2000 + i, id=f"{shape}-{i}") for i in range(3)]
    headers = {"Content-Type": "application/json"}
    if shape == "object":
        records = records[:1]
        body = json.dumps(records[0]).encode()
    elif shape in ("array", "array-gzip-two-members"):
        body = json.dumps(records).encode()
    elif shape == "wrapper":
        body = json.dumps({"articles": records}).encode()
    else:
        body = jsonl(records)
    if shape == "lines-gzip":
        body, headers = gzip.compress(body), {**NDJSON, "Content-Encoding": "gzip"}
    if shape == "array-gzip-two-members":
        body, headers["Content-Encoding"] = _gzip_members(body), "gzip"
    answer = post(served, body, headers)
    assert answer.status == 200, answer.body
    result = answer.json()
    assert result["added"] == len(records) and result["rejected"] == 0
    where = "line" if "lines" in shape else "index"
    first = 1 if where == "line" else 0
    assert [item[where] for item in result["items"]] == list(range(first, first + len(records)))
    assert [item["id"] for item in result["items"]] == [r["id"] for r in records]


def test_the_same_body_again_is_unchanged_and_a_change_is_updated(served):
    records = [article(3000), article(3001)]
    assert post(served, jsonl(records), NDJSON).json()["added"] == 2
    again = post(served, jsonl(records), NDJSON).json()
    assert (again["added"], again["unchanged"]) == (0, 2)
    assert {item["status"] for item in again["items"]} == {"unchanged"}
    records[1]["title"] = "Article 3001, corrected"
    changed = post(served, jsonl(records), NDJSON).json()
    assert [item["status"] for item in changed["items"]] == ["unchanged", "updated"]
    wait_until(lambda: total(served, q="corrected 3001") == 1, timeout=5)


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b"", {}, "the body is empty"),
        (b"   \n\n", {}, "the body is empty"),
        (b"Hello, archive", {}, "the body is not JSON"),
        (b"{", {}, "the body is not JSON: expected a field name"),
        (b"[1, 2", {}, "expected ']' at byte 5, found the end of the body"),
        (jsonl([article(4002)])[:-3], {}, "the body is not JSON"),
        (b"{\n[1,\n", NDJSON, "no line of it is JSON"),
        (
            json.dumps([article(4003), article(4004)]).encode() + b" and then some",
            {},
            "text after the end of the array",
        ),
        (
            b'{"articles": [' + json.dumps(article(4005)).encode() + b", ",
            {},
            "the body ends where a value should be",
        ),
        (gzip.compress(jsonl([article(4000)]))[:-12], {"Content-Encoding": "gzip"}, "ends early"),
        (_GZIP_HEADER + b"\xff" * 20, {"Content-Encoding": "gzip"}, "not valid gzip"),
        (jsonl([article(4001)]), {"Content-Encoding": "br"}, "Content-Encoding 'br'"),
    ],
    ids=[
        "empty",
        "blank",
        "not-json",
        "open-brace",
        "open-array",
        "cut-record",
        "lines-none-json",
        "array-then-text",
        "wrapper-unfinished",
        "cut-gzip",
        "bad-gzip",
        "brotli",
    ],
)
def test_a_body_that_cannot_be_read_answers_400_with_the_reason(served, body, headers, reason):
    before = articles_in_store(served)
    answer = post(served, body, headers)
    assert answer.status == 400, answer.body
    message = answer.json()["error"]["message"]
    assert reason in message and "nothing was stored" in message
    assert articles_in_store(served) == before


def test_a_body_past_64_kb_is_taken_here_and_only_here(served):
    records = [article(6000 + i, body="budget " * 2000) for i in range(20)]
    body = jsonl(records)
    assert len(body) > 200_000
    answer = post(served, body, NDJSON)
    assert answer.status == 200 and answer.json()["added"] == 20
    for method, path in (("GET", "/api/search"), ("POST", "/api/search"), ("DELETE", "/feed")):
        refused = http(method, served.url + path, body)
        assert refused.status == 413, (method, path, refused.status)


# -- the size limit, on the inflated body ------------------------------------------------------


@pytest.fixture(scope="module")
def small_limit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("limit")
    home = import_fixtures(folder / "home")
    created = run_arkhiv(home, "token", "create", "scraper")
    server = serve_archive(home, folder / "serve.log", ARKHIV_MAX_UPLOAD_MB="2")
    server.secret = created.stdout.splitlines()[-1]
    yield server
    server.stop()


def anonymous_memory_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) // 1024
    raise AssertionError("no RssAnon")


def gzip_of_zeros(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()


def test_a_gzip_bomb_answers_413_and_costs_no_memory(small_limit):
    bomb = gzip_of_zeros(1024)  # a gigabyte of zeros in about a megabyte
    assert len(bomb) < 2 * 1024 * 1024
    before = anonymous_memory_mb(small_limit.process.pid)
    answer = post(small_limit, bomb, {**NDJSON, "Content-Encoding": "gzip"})
    assert answer.status == 413
    assert "once inflated" in answer.json()["error"]["message"]
    assert anonymous_memory_mb(small_limit.process.pid) - before < 30
    assert not any((small_limit.home / "uploads").iterdir())  # its spooled part is removed
    fits = post(small_limit, gzip.compress(jsonl([article(7000)])), {"Content-Encoding": "gzip"})
    assert fits.status == 200 and fits.json()["added"] == 1


def announce(served, path: str, length: int) -> int:
    """Send only the head of a POST announcing ``length`` bytes; the status the server answers
    before any of the body is sent."""
    connection = HTTPConnection(urllib.parse.urlsplit(served.url).netloc, timeout=30)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Authorization", f"Bearer {served.secret}")
        connection.putheader("Content-Type", "application/x-ndjson")
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_body_past_the_limit_is_refused_before_it_is_read(small_limit):
    limit = 2 * 1024 * 1024
    assert announce(small_limit, "/api/articles", limit + 1) == 413
    assert announce(small_limit, "/api/search", 64 * 1024 + 1) == 413
    body = jsonl(article(8000 + i, body="budget " * 1000) for i in range(400))
    assert len(body) > limit
    head = body[: body.index(b"\n", limit - 100_000) + 1]  # whole lines, under the limit
    assert post(small_limit, head, NDJSON).status == 200


def test_a_takedown_is_refused_when_posted_again(served, tmp_path):
    posted = post(served, jsonl([article(9000)]), NDJSON).json()
    assert posted["added"] == 1
    removed = http(
        "DELETE",
        served.url + "/api/articles/a-9000?reason=court%20order%2042",
        headers={"Authorization": f"Bearer {served.secret}"},
    )
    assert removed.status == 200, removed.body
    again = post(served, jsonl([article(9000)]), NDJSON).json()
    (item,) = again["items"]
    assert (item["status"], item["id"]) == ("rejected", "a-9000")
    assert "taken down on 20" in item["error"] and "court order 42" in item["error"]
    file = write_jsonl(tmp_path / "again.jsonl", [article(9000)])
    imported = run_arkhiv(served.home, "import", "--no-progress", str(file))
    assert imported.returncode == 1 and "court order 42" in imported.stderr


def test_the_follower_catches_up_and_never_waits_for_another_writer(home, tmp_path):
    file = write_jsonl(tmp_path / "a.jsonl", map(article, range(30)))
    assert run_arkhiv(home, "import", "--no-progress", "--no-index", str(file)).returncode == 0
    settings = Settings(home=home)
    follower = Follower(Store(settings.store_path), settings)
    assert follower.behind()
    with import_lock(settings):  # an import or a reindex at work: it brings the index up itself
        started = time.monotonic()
        assert follower.follow_once() == 0
        assert time.monotonic() - started < 1  # it did not wait
    assert follower.follow_once() == 30
    assert not follower.behind() and follower.follow_once() == 0
    assert follower.applied == 30
    assert run_arkhiv(home, "check").returncode == 0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def test_the_follower_process_ends_with_the_server_even_when_it_is_killed(tmp_path):
    home = import_fixtures(tmp_path / "home")
    served = serve_archive(home, tmp_path / "serve.log")
    children = children_of(served.process.pid)
    try:
        assert children, "arkhiv serve started no follower process"
    finally:
        served.process.kill()  # no chance to stop its follower itself
        served.process.wait()
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), timeout=15)


def test_bodies_a_killed_server_left_are_removed_when_it_serves_again(tmp_path):
    home = import_fixtures(tmp_path / "home")
    old, recent = home / "uploads" / "body-old", home / "uploads" / "body-recent"
    for folder in (old, recent):
        folder.mkdir(parents=True)
        (folder / "body.jsonl").write_bytes(jsonl([article(1)]))
    an_hour_ago = time.time() - 3700
    os.utime(old, (an_hour_ago, an_hour_ago))
    served = serve_archive(home, tmp_path / "serve.log")
    served.stop()
    assert not old.exists() and recent.exists()  # one being taken by another server stays
