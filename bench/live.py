"""Searching while the archive changes: errors, latency against a quiet archive, and how soon what
was committed is searchable.

Against ``arkhiv serve`` (8 threads) over an existing ``ARKHIV_HOME``, 8 clients send distinct
searches (``bench/queries.py``) over HTTP, first with no writes (``--quiet-seconds``), then while
writes run, then for a few seconds after. Writes are either many small imports (``--small-imports
N``: each adds one article with a unique word and corrects the title of another, as a scraper
would), or one large file (``--bulk FILE``). Searchable-after-commit:

* small imports: from the end of each ``arkhiv import`` (store and index committed) until the
  server finds its unique word;
* bulk: from each index commit (its ``state.json`` written) until the server counts every
  article that commit holds.

    python -m bench.live --home $ARKHIV_BENCH_DATA/1m/home --small-imports 150
    python -m bench.live --home $ARKHIV_BENCH_DATA/1m/home --bulk $ARKHIV_BENCH_DATA/live-50k.jsonl

Nothing is asserted: it prints and writes the figures (``bench/results/live-*.json``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.http_load import _Client, percentile
from bench.queries import api_path, query_stream
from bench.run import ARKHIV, ROOT, ArkhivServer, save_results
from index.segments.layout import current_build


class Load:
    """``clients`` threads sending searches in turn; latencies and errors tagged by phase."""

    def __init__(self, server: ArkhivServer, clients: int, queries: list[dict[str, str]]):
        self.server = server
        self.phase = "quiet"
        self.timings: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}
        self._queries = itertools.cycle(queries)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run) for _ in range(clients)]

    def _next(self) -> str:
        with self._lock:
            return self.server.url(api_path(next(self._queries)))

    def _run(self) -> None:
        client = _Client()
        try:
            while not self._stop.is_set():
                url = self._next()
                phase = self.phase
                started = time.perf_counter()
                try:
                    status, body = client.get(url, timeout=120)
                    error = None if status == 200 else f"HTTP {status}: {body[:120]!r}"
                except OSError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                    client.close()
                elapsed = (time.perf_counter() - started) * 1000
                with self._lock:
                    if error:
                        self.errors.setdefault(phase, []).append(error)
                    else:
                        self.timings.setdefault(phase, []).append(elapsed)
        finally:
            client.close()

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def summary(self) -> dict:
        phases = {}
        for phase in sorted(set(self.timings) | set(self.errors)):
            timings = sorted(self.timings.get(phase, []))
            errors = self.errors.get(phase, [])
            phases[phase] = {
                "answers": len(timings),
                "errors": len(errors),
                "first_errors": errors[:5],
                **(
                    {
                        "p50_ms": round(percentile(timings, 0.5), 1),
                        "p95_ms": round(percentile(timings, 0.95), 1),
                        "p99_ms": round(percentile(timings, 0.99), 1),
                        "max_ms": round(timings[-1], 1),
                    }
                    if timings
                    else {}
                ),
            }
        return phases


def _total(server: ArkhivServer, params: dict[str, str]) -> int:
    client = _Client()
    try:
        status, body = client.get(server.url(api_path({**params, "per_page": "1"})), 60)
    finally:
        client.close()
    return json.loads(body)["total"] if status == 200 else -1


def _wait_for(predicate, timeout: float = 120) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            return float("inf")
        time.sleep(0.05)
    return time.monotonic() - started


def _import(home: Path, path: Path) -> None:
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    done = subprocess.run(
        [str(ARKHIV), "import", "--no-progress", str(path)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"arkhiv import failed: {done.stderr[-1000:]}")


def small_imports(home: Path, server: ArkhivServer, count: int) -> list[float]:
    """``count`` imports of one new and one corrected article; the lag of each until found."""
    with sqlite3.connect(home / "archive.sqlite3") as db:
        existing = [
            json.loads(r[0]) for r in db.execute("SELECT record FROM articles LIMIT ?", (count,))
        ]
    lags = []
    with tempfile.TemporaryDirectory() as folder:
        for n in range(count):
            word = f"livecheck{n}x"
            new = {
                "id": f"live-{n}-{time.time_ns()}",
                "title": f"Live article {word}",
                "body": f"Scraped just now: {word}.",
                "language": "en",
                "source": "Live desk",
            }
            corrected = {
                **existing[n % len(existing)],
                "title": f"Corrected {n}: " + existing[n % len(existing)]["title"],
            }
            path = Path(folder) / f"{n}.jsonl"
            path.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (new, corrected))
            )
            _import(home, path)
            lags.append(_wait_for(lambda w=word: _total(server, {"q": w}) >= 1))
    return lags


def bulk_import(home: Path, server: ArkhivServer, path: Path) -> list[float]:
    """One large import; for each index commit, the lag until the server counts its articles."""
    lags: list[float] = []
    done = threading.Event()

    def watch() -> None:
        seen = None
        store = sqlite3.connect(f"file:{home / 'archive.sqlite3'}?mode=ro", uri=True)
        while not done.is_set():
            build = current_build(home / "index")
            try:
                applied = json.loads((build / "state.json").read_text())["applied_seq"]
            except (OSError, ValueError, KeyError, TypeError):
                applied = seen
            if seen is not None and applied != seen:
                expected = store.execute(
                    "SELECT count(*) FROM articles WHERE seq <= ?", (applied,)
                ).fetchone()[0]
                lags.append(_wait_for(lambda e=expected: _total(server, {}) >= e))
            seen = applied
            time.sleep(0.1)
        store.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        _import(home, path)
        time.sleep(1.0)
    finally:
        done.set()
        watcher.join()
    return lags


def _opening_times(log: Path) -> dict:
    """The seconds each generation took to open, from the server's log."""
    seconds = [
        float(match.group(1))
        for match in re.finditer(r"opened generation \d+ of \S+ in ([\d.]+) s", log.read_text())
    ]
    if not seconds:
        return {"generations": 0}
    return {
        "generations": len(seconds),
        "median": round(statistics.median(seconds), 2),
        "max": round(max(seconds), 2),
        "each": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="an imported ARKHIV_HOME")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="arkhiv serve --threads")
    parser.add_argument("--quiet-seconds", type=float, default=30)
    parser.add_argument("--after-seconds", type=float, default=5)
    parser.add_argument("--small-imports", type=int, default=0)
    parser.add_argument("--bulk", type=Path, help="a file to import while searching")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    queries = query_stream(20_000, seed=7)
    args.out.mkdir(parents=True, exist_ok=True)
    server_log = args.out / f"live-server-{time.strftime('%Y%m%d-%H%M%S')}.log"
    with (
        ArkhivServer(args.home, threads=args.threads, log=server_log) as server,
        Load(server, args.clients, queries) as load,
    ):
        time.sleep(args.quiet_seconds)
        load.phase = "writing"
        started = time.monotonic()
        if args.bulk:
            lags = bulk_import(args.home, server, args.bulk)
        else:
            lags = small_imports(args.home, server, args.small_imports)
        writing_s = time.monotonic() - started
        load.phase = "after"
        time.sleep(args.after_seconds)
    phases = load.summary()
    finite = sorted(lag for lag in lags if lag != float("inf"))
    result = {
        "home": str(args.home),
        "writes": f"bulk {args.bulk}" if args.bulk else f"{args.small_imports} small imports",
        "writing_s": round(writing_s, 1),
        "phases": phases,
        "searchable_after_commit_s": {
            "commits": len(lags),
            "never": len(lags) - len(finite),
            "median": round(statistics.median(finite), 2) if finite else None,
            "max": round(finite[-1], 2) if finite else None,
            "each": [round(lag, 2) for lag in lags],
        },
        # How long the server took to open each new generation (its log, at INFO).
        "generation_opened_s": _opening_times(server_log),
        "server_log": str(server_log),
        "p95_writing_over_quiet": (
            round(phases["writing"]["p95_ms"] / phases["quiet"]["p95_ms"], 2)
            if "p95_ms" in phases.get("writing", {}) and "p95_ms" in phases.get("quiet", {})
            else None
        ),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    save_results(args.out, "live", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
