"""The peer: the same articles in Datasette (sqlite-utils + FTS5), asked for the same five facets.

    python -m bench.peer_datasette $ARKHIV_BENCH_DATA/30k.jsonl [--db PATH] [--rounds 5]

builds the database (measuring the load rate), serves it with `datasette serve`, checks that a
search answers with rows and all five facets, and measures search latency over HTTP.

Datasette is configured at its best for this job and says so: the database is opened immutable
(it does not change during a run), suggested facets are off (we ask for five, we do not want it to
guess more), and the time limits are raised so facets are computed rather than abandoned. Its table
search is an FTS5 MATCH of the escaped terms, ordered by primary key: no stemming or lemmas, no
relevance ranking, no highlighting.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlite_utils

FACETS = (("_facet", "source"), ("_facet", "language"), ("_facet_array", "authors"))
FACETS += (("_facet_array", "tags"), ("_facet", "year"))
FACET_NAMES = ("source", "language", "authors", "tags", "year")
PAGE_SIZE = 20

UK_QUERIES = ["Україна", "гарантії безпеки", "уряд", "податки", "вибори"]
EN_QUERIES = ["government", "security guarantees", "economy growth", "football", "mobile phone"]


@dataclass(frozen=True)
class LoadStats:
    """How fast the peer took the articles in."""

    articles: int
    insert_seconds: float
    fts_seconds: float

    @property
    def seconds(self) -> float:
        return self.insert_seconds + self.fts_seconds

    @property
    def articles_per_second(self) -> float:
        """Load rate including the FTS index: what it takes before the first search."""
        return self.articles / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "articles": self.articles,
            "insert_seconds": round(self.insert_seconds, 2),
            "fts_seconds": round(self.fts_seconds, 2),
            "seconds": round(self.seconds, 2),
            "articles_per_second": round(self.articles_per_second),
            "insert_articles_per_second": round(self.articles / self.insert_seconds),
        }


def _rows(jsonl: Path) -> Iterator[dict]:
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            article = json.loads(line)
            published = article.get("published")
            yield {
                "id": str(article["id"]),
                "title": article["title"],
                "body": article["body"],
                "language": article.get("language"),
                "source": article.get("source"),
                "published": published,
                "year": int(published[:4]) if published else None,
                # sqlite-utils stores lists as JSON text, which _facet_array reads.
                "authors": list(article.get("authors") or []),
                "tags": list(article.get("tags") or []),
            }


def build(jsonl: Path, db_path: Path) -> LoadStats:
    """Load a JSONL file of articles into a fresh SQLite database with FTS5 on title and body."""
    db_path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    db = sqlite_utils.Database(db_path)
    columns = {
        "id": str,
        "title": str,
        "body": str,
        "language": str,
        "source": str,
        "published": str,
        "year": int,
        "authors": str,
        "tags": str,
    }
    table = db.table("articles")
    started = time.perf_counter()
    table.insert_all(_rows(jsonl), pk="id", columns=columns, batch_size=1000)
    inserted = time.perf_counter()
    table.enable_fts(["title", "body"], create_triggers=False)
    indexed = time.perf_counter()
    count = table.count
    db.close()
    return LoadStats(count, inserted - started, indexed - inserted)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DatasettePeer:
    """`datasette serve` on a free port, as a subprocess; use as a context manager."""

    def __init__(self, db_path: Path, port: int | None = None) -> None:
        self.db_path = Path(db_path)
        self.port = port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.db_path.with_suffix(".datasette.log")
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        executable = shutil.which("datasette", path=str(Path(sys.executable).parent))
        command = [executable] if executable else [sys.executable, "-m", "datasette"]
        command += ["serve", "--immutable", str(self.db_path)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        for name, value in (
            ("sql_time_limit_ms", "10000"),
            ("facet_time_limit_ms", "10000"),
            ("default_page_size", str(PAGE_SIZE)),
            ("suggest_facets", "off"),
        ):
            command += ["--setting", name, value]
        # No --open: Datasette only opens a browser when asked to.
        log = open(self.log_path, "wb")  # noqa: SIM115 - the child process holds it
        self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"datasette exited with {self._process.returncode}; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/-/versions.json", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"datasette did not answer within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> DatasettePeer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def search_url(self, query: str) -> str:
        """The table URL of an FTS search with the five facets and 20 rows, as JSON."""
        params = [("_search", query), *FACETS, ("_size", str(PAGE_SIZE))]
        return f"{self.base_url}/{self.db_path.stem}/articles.json?" + urlencode(
            params, quote_via=quote
        )

    def check(self, query: str, require_rows: bool = True) -> dict:
        """Ask once and verify the answer really holds rows and the five facets."""
        with urllib.request.urlopen(self.search_url(query), timeout=60) as response:
            if response.status != 200:
                raise RuntimeError(f"{query!r}: HTTP {response.status}")
            answer = json.load(response)
        facets = answer.get("facet_results") or {}
        missing = [name for name in FACET_NAMES if name not in facets]
        if missing or answer.get("facets_timed_out"):
            raise RuntimeError(
                f"{query!r}: facets missing {missing}, timed out {answer.get('facets_timed_out')}"
            )
        if require_rows and not answer.get("rows"):
            raise RuntimeError(f"{query!r}: no rows")
        return {
            "query": query,
            "total": answer.get("filtered_table_rows_count"),
            "rows": len(answer["rows"]),
            "facet_values": {name: len(facets[name]["results"]) for name in FACET_NAMES},
        }


def main(argv: list[str] | None = None) -> int:
    from bench.http_load import measure

    parser = argparse.ArgumentParser(
        prog="python -m bench.peer_datasette",
        description="Build the Datasette peer from a JSONL file and measure its search latency.",
    )
    parser.add_argument("articles", type=Path, help="JSONL file of articles")
    parser.add_argument("--db", type=Path, help="where to build the database (default: beside)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--query", action="append", help="a query (repeatable); default: 10")
    args = parser.parse_args(argv)
    if not args.articles.is_file():
        print(f"peer_datasette: no such file: {args.articles}", file=sys.stderr)
        return 2

    db_path = args.db or args.articles.with_name(args.articles.stem.replace(".", "_") + ".db")
    queries = args.query or UK_QUERIES + EN_QUERIES
    load = build(args.articles, db_path)
    print(f"load: {json.dumps(load.as_dict())}", file=sys.stderr)
    with DatasettePeer(db_path) as peer:
        for query in queries:
            print(f"check: {json.dumps(peer.check(query), ensure_ascii=False)}", file=sys.stderr)
        latency = measure([peer.search_url(q) for q in queries], args.rounds)
    by_query = dict(zip(queries, latency.pop("per_url_p50_ms"), strict=True))
    result = {"peer": "datasette", "load": load.as_dict(), "search": latency}
    print(json.dumps({**result, "p50_ms_by_query": by_query}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
