"""Writing over HTTP, measured against ``arkhiv serve`` as an operator runs it.

Four parts, each on a fresh ``ARKHIV_HOME`` under ``--data``:

* ``walk``: the whole path by HTTP: a token, a POST of JSON Lines with invalid records (its
  answer per item), a search that finds the new articles (and how soon), DELETE, 410, the same
  POST refused, ``arkhiv undelete``, ``arkhiv delete --purge`` (and that no file keeps the text);
* ``throughput``: a file of ``--articles`` articles (``bench/corpus.py``) by ``arkhiv import``
  (store only, then store and index) against POST (one body, then batches of 500), and how long
  until the POSTed articles are all searchable;
* ``memory``: the server's peak anonymous memory (``RssAnon``) while it takes a ``--big-mb`` JSON
  Lines body (the import lock held meanwhile, so that its follower does not index yet), and
  while its follower then indexes it;
* ``live``: ``--clients`` clients searching (``bench/queries.py``) with no writes, then while one
  client POSTs batches of 500, back to back or one every ``--pace`` seconds (``writing``), then
  until every batch is searchable (``catching_up``): errors, p50/p95, and each batch's lag from
  its POST's answer until the server finds all of it.

    python -m bench.http_writes --data $ARKHIV_BENCH_DATA/http [--only walk,throughput,memory,live]

Nothing is asserted: it prints the figures and writes them to ``bench/results/http-writes-*``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

from archive.config import Settings
from archive.importer import import_lock
from bench.corpus import generate, write_jsonl
from bench.live import Load
from bench.memory import Sampler
from bench.queries import query_stream
from bench.run import ARKHIV, ROOT, ArkhivServer, save_results

PARTS = ("walk", "throughput", "memory", "live")


def arkhiv(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    return subprocess.run([str(ARKHIV), *args], env=env, capture_output=True, text=True)


def fresh_home(data: Path, name: str) -> Path:
    home = data / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


def token(home: Path) -> str:
    created = arkhiv(home, "token", "create", f"bench-{time.time_ns()}")
    if created.returncode != 0:
        raise SystemExit(created.stderr)
    return created.stdout.splitlines()[-1]


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    """``(status, parsed JSON or text)`` whatever the status."""
    call = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(call, timeout=3600) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")[:300]


def post(server: ArkhivServer, secret: str, body: bytes, headers: dict | None = None):
    auth = {"Authorization": f"Bearer {secret}", "Content-Type": "application/x-ndjson"}
    return request("POST", server.url("/api/articles"), body, {**auth, **(headers or {})})


def total(server: ArkhivServer, **params: str) -> int:
    query = urllib.parse.urlencode({**params, "per_page": "1"})
    status, body = request("GET", server.url(f"/api/search?{query}"))
    return body["total"] if status == 200 else -1


def lag(server: ArkhivServer) -> int:
    return request("GET", server.url("/healthz"))[1]["index_lag"]


def wait_for(predicate, timeout: float = 3600, every: float = 0.05) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            return float("inf")
        time.sleep(every)
    return round(time.monotonic() - started, 2)


def corpus_file(data: Path, count: int, seed: int) -> Path:
    path = data / f"corpus-{count}-{seed}.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        with open(partial, "w", encoding="utf-8") as out:
            write_jsonl(generate(count, seed), out)
        partial.rename(path)
    return path


# -- the whole path ---------------------------------------------------------------------------


def walk(data: Path) -> dict:
    home = fresh_home(data, "walk")
    fixtures = [str(ROOT / "fixtures" / name) for name in ("seed.json", "articles.jsonl")]
    arkhiv(home, "import", "--no-progress", *fixtures)
    steps: dict = {}
    secret = token(home)
    steps["token"] = f"arkhiv token create: secret of {len(secret)} characters, last line"
    records = [
        {
            "id": "walk-1",
            "title": "Walkthrough okapi report",
            "body": "The okapi census.",
            "language": "en",
        },
        "not JSON at all",
        {"id": "walk-2", "title": "", "body": "An empty title."},
        {"id": "walk-3", "title": "Okapi dates", "body": "Okapi.", "published": "2024-02-30"},
        {"id": "walk-4", "title": "Okapi links", "body": "Okapi.", "url": "javascript:alert(1)"},
        {
            "id": "walk-5",
            "title": "Second okapi report",
            "body": "More okapi news.",
            "language": "en",
        },
    ]
    body = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records).encode()
    with ArkhivServer(home, threads=4) as server:
        started = time.monotonic()
        steps["post"] = post(server, secret, body)
        steps["searchable_after_s"] = wait_for(lambda: total(server, q="okapi") == 2, 30)
        steps["search_okapi_ids"] = [
            hit["id"] for hit in request("GET", server.url("/api/search?q=okapi"))[1]["hits"]
        ]
        auth = {"Authorization": f"Bearer {secret}"}
        steps["delete"] = request(
            "DELETE", server.url("/api/articles/walk-1?reason=court%20order%2012"), None, auth
        )
        steps["get_after_delete"] = request("GET", server.url("/api/articles/walk-1"))
        steps["page_after_delete_status"] = request("GET", server.url("/article/walk-1"))[0]
        steps["gone_from_search_after_s"] = wait_for(lambda: total(server, q="okapi") == 1, 30)
        steps["repost"] = post(server, secret, body.splitlines()[0] + b"\n")
        undeleted = arkhiv(home, "undelete", "walk-1")
        steps["undelete"] = undeleted.stdout.strip()
        steps["get_after_undelete_status"] = request("GET", server.url("/api/articles/walk-1"))[0]
        steps["back_in_search_after_s"] = wait_for(lambda: total(server, q="okapi") == 2, 30)
        purged = arkhiv(home, "delete", "walk-1", "--purge", "--reason", "erasure request")
        steps["purge"] = purged.stdout.strip()
        steps["get_after_purge"] = request("GET", server.url("/api/articles/walk-1"))
        steps["files_holding_walkthrough_text"] = [
            str(p.relative_to(home))
            for p in home.rglob("*")
            if p.is_file() and b"walkthrough" in p.read_bytes().lower()
        ]
        steps["repost_after_purge"] = post(server, secret, body.splitlines()[0] + b"\n")
        steps["deletions"] = arkhiv(home, "deletions").stdout.splitlines()
        steps["whole_walk_s"] = round(time.monotonic() - started, 2)
    return steps


# -- throughput -------------------------------------------------------------------------------


def timed_import(home: Path, path: Path, *options: str) -> dict:
    started = time.perf_counter()
    done = arkhiv(home, "import", "--no-progress", *options, str(path))
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return {"seconds": round(seconds, 2), "summary": done.stdout.strip()}


def batches(path: Path, size: int = 500):
    lines: list[bytes] = []
    with open(path, "rb") as handle:
        for line in handle:
            lines.append(line)
            if len(lines) == size:
                yield b"".join(lines)
                lines = []
    if lines:
        yield b"".join(lines)


def throughput(data: Path, count: int) -> dict:
    path = corpus_file(data, count, seed=11)
    figures: dict = {"articles": count, "file_mb": round(path.stat().st_size / 1e6, 1)}
    store_only = timed_import(fresh_home(data, "import-store"), path, "--no-index")
    with_index = timed_import(fresh_home(data, "import-indexed"), path)
    figures["import_store_only"] = {**store_only, "per_s": round(count / store_only["seconds"])}
    figures["import_with_index"] = {**with_index, "per_s": round(count / with_index["seconds"])}

    home = fresh_home(data, "post-one-body")
    secret = token(home)
    with ArkhivServer(home, threads=4) as server:
        body = path.read_bytes()
        started = time.perf_counter()
        status, answer = post(server, secret, body)
        seconds = time.perf_counter() - started
        searchable = wait_for(lambda: lag(server) == 0, 3600, 0.5)
        figures["post_one_body"] = {
            "status": status,
            "added": answer.get("added") if isinstance(answer, dict) else answer,
            "seconds": round(seconds, 2),
            "per_s": round(count / seconds),
            "all_searchable_after_post_s": searchable,
            "all_searchable_per_s": round(count / (seconds + searchable)),
        }
        started = time.perf_counter()
        gz = gzip.compress(body, 6)
        status, answer = post(server, secret, gz, {"Content-Encoding": "gzip"})
        figures["post_same_body_again_gzip"] = {
            "status": status,
            "gzip_mb": round(len(gz) / 1e6, 1),
            "unchanged": answer.get("unchanged") if isinstance(answer, dict) else answer,
            "seconds": round(time.perf_counter() - started, 2),
        }

    home = fresh_home(data, "post-batches")
    secret = token(home)
    with ArkhivServer(home, threads=4) as server:
        started = time.perf_counter()
        statuses = [post(server, secret, chunk)[0] for chunk in batches(path)]
        seconds = time.perf_counter() - started
        searchable = wait_for(lambda: lag(server) == 0, 3600, 0.5)
        figures["post_batches_of_500"] = {
            "requests": len(statuses),
            "non_200": sum(s != 200 for s in statuses),
            "seconds": round(seconds, 2),
            "per_s": round(count / seconds),
            "all_searchable_after_last_post_s": searchable,
            "all_searchable_per_s": round(count / (seconds + searchable)),
        }
    return figures


# -- memory -----------------------------------------------------------------------------------


def body_of(data: Path, megabytes: int) -> Path:
    """Whole lines of generated articles, ``megabytes`` million bytes of them (under the limit
    of as many MiB)."""
    path = data / f"body-{megabytes}mb.jsonl"
    if not path.exists():
        source = corpus_file(data, megabytes * 1_000_000 // 2_500, seed=13)  # more than enough
        written = 0
        with open(source, "rb") as lines, open(path, "wb") as out:
            for line in lines:
                if written + len(line) > megabytes * 1_000_000:
                    break
                out.write(line)
                written += len(line)
    return path


def memory(data: Path, megabytes: int) -> dict:
    path = body_of(data, megabytes)
    size = path.stat().st_size
    home = fresh_home(data, "memory")
    secret = token(home)
    with ArkhivServer(home, threads=4) as server:
        sampler = Sampler(server.process.pid)
        sampler.sample()
        idle = sampler.report()["peak_total_anon_mb"]
        # One small POST first: language detection and the rest load once, at the first write.
        with open(path, "rb") as lines:
            warm = b"".join(next(lines) for _ in range(20))
        post(server, secret, warm)
        wait_for(lambda: lag(server) == 0, 120, 0.2)
        sampler.sample()
        warmed = sampler.timeline[-1][1]
        stop = threading.Event()
        phase = {"name": "post"}
        peaks = {"post": 0, "follow": 0}

        def watch() -> None:
            while not stop.is_set():
                sampler.sample()
                peaks[phase["name"]] = max(peaks[phase["name"]], sampler.timeline[-1][1])
                time.sleep(0.1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            # The lock held here keeps the follower (which never waits for it) from indexing
            # while the body is taken: the first peak is the POST's own, the second the
            # follower's.
            with import_lock(Settings(home=home)):
                started = time.perf_counter()
                status, answer = post(server, secret, path.read_bytes())
                post_seconds = time.perf_counter() - started
            phase["name"] = "follow"
            follow_seconds = wait_for(lambda: lag(server) == 0, 3600, 0.5)
        finally:
            stop.set()
            watcher.join()
    return {
        "body_mb": round(size / 1e6, 1),
        "articles": answer.get("added") if isinstance(answer, dict) else answer,
        "status": status,
        "post_seconds": round(post_seconds, 1),
        "idle_anon_mb": idle,
        "anon_mb_after_a_first_small_post": warmed,
        "peak_anon_mb_while_taking_the_body": peaks["post"],
        "follower_seconds_to_index_it": follow_seconds,
        "peak_anon_mb_while_the_follower_indexes_it": peaks["follow"],
    }


# -- searches during a stream of POSTs ----------------------------------------------------------


class _Visibility:
    """One thread timing each POSTed batch until the server finds it all. Batches become
    searchable in the order they were stored, so only the oldest still unseen is asked for:
    about five searches a second, whatever the number of batches in flight."""

    def __init__(self, server: ArkhivServer):
        self.server = server
        self.lags: list[float] = []
        self._pending: deque[tuple[str, int, float]] = deque()
        self._posting = True
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def posted(self, tag: str, expected: int) -> None:
        self._pending.append((tag, expected, time.monotonic()))

    def _run(self) -> None:
        while self._posting or self._pending:
            if not self._pending:
                time.sleep(0.2)
                continue
            tag, expected, posted = self._pending[0]
            if total(self.server, tag=tag) >= expected:
                self.lags.append(round(time.monotonic() - posted, 2))
                self._pending.popleft()
            elif time.monotonic() - posted > 300:
                self.lags.append(float("inf"))
                self._pending.popleft()
            else:
                time.sleep(0.2)

    def finish(self) -> list[float]:
        self._posting = False
        self._thread.join()
        return self.lags


def live(data: Path, clients: int, count: int, quiet: float, batch_count: int, pace: float) -> dict:
    base = data / "live-base"  # the archive searched: the throughput part's file, indexed
    if not (base / "archive.sqlite3").exists():
        timed_import(fresh_home(data, "live-base"), corpus_file(data, count, seed=11))
    home = data / "live"  # each run from the same state, the base untouched
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(base, home)
    stream = corpus_file(data, batch_count * 500, seed=17)
    secret = token(home)
    with (
        ArkhivServer(home, threads=8) as server,
        Load(server, clients, query_stream(20_000, seed=5)) as load,
    ):
        time.sleep(quiet)
        load.phase = "writing"
        started = time.monotonic()
        visibility = _Visibility(server)
        failed = 0
        for number, chunk in enumerate(batches(stream)):
            wait = started + number * pace - time.monotonic()
            if wait > 0:
                time.sleep(wait)  # one batch every `pace` seconds (0: back to back)
            tag = f"livebatch{number}"
            lines = [json.loads(line) for line in chunk.splitlines()]
            body = "".join(
                json.dumps({**r, "tags": [*r.get("tags", []), tag]}, ensure_ascii=False) + "\n"
                for r in lines
            ).encode()
            status, _ = post(server, secret, body)
            if status == 200:
                visibility.posted(tag, len(lines))
            else:
                failed += 1
        posting_s = time.monotonic() - started
        load.phase = "catching_up"  # posting over; the follower may still be indexing
        lags = visibility.finish()
        writing_s = time.monotonic() - started
        load.phase = "after"
        time.sleep(3)
    phases = load.summary()
    finite = sorted(x for x in lags if x != float("inf"))
    return {
        "clients": clients,
        "batches_of_500": batch_count,
        "one_batch_every_s": pace,
        "posting_s": round(posting_s, 1),
        "failed_posts": failed,
        "writing_s": round(writing_s, 1),
        "phases": phases,
        "p95_writing_over_quiet": round(phases["writing"]["p95_ms"] / phases["quiet"]["p95_ms"], 2)
        if "p95_ms" in phases.get("writing", {}) and "p95_ms" in phases.get("quiet", {})
        else None,
        "searchable_after_post_s": {
            "batches": len(lags),
            "never": len(lags) - len(finite),
            "median": finite[len(finite) // 2] if finite else None,
            "max": finite[-1] if finite else None,
            "each": lags,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder for homes and files")
    parser.add_argument("--only", default=",".join(PARTS), help="parts, comma-separated")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--big-mb", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--quiet-seconds", type=float, default=20)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument(
        "--pace", type=float, default=0, help="live: seconds between batches (0: back to back)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    chosen = [part.strip() for part in args.only.split(",") if part.strip()]
    figures: dict = {}
    for part in chosen:
        started = time.monotonic()
        if part == "walk":
            figures[part] = walk(args.data)
        elif part == "throughput":
            figures[part] = throughput(args.data, args.articles)
        elif part == "memory":
            figures[part] = memory(args.data, args.big_mb)
        elif part == "live":
            figures[part] = live(
                args.data, args.clients, args.articles, args.quiet_seconds, args.batches, args.pace
            )
        else:
            raise SystemExit(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
        print(f"{part}: {time.monotonic() - started:.0f} s", file=sys.stderr)
        print(json.dumps({part: figures[part]}, indent=2, ensure_ascii=False), flush=True)
    save_results(args.out, "http-writes", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
