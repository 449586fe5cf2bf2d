"""``make bench``: Arkhiv against Datasette (sqlite-utils + FTS5) on the same articles, one run.

For each size N (default 30k and 100k; 1M on request with ``--sizes 1000000``):

1. builds N articles recombined from the real corpus (``bench/corpus.py``), cached in ``--data``;
2. imports them into an empty Arkhiv home (store and index together), ``--import-runs`` times,
   and into the peer's SQLite with FTS5;
3. serves both over HTTP (Arkhiv on waitress, the peer on ``datasette serve``) and asks each the
   same Ukrainian and English queries with five facets (source, language, author, tag, date) and
   20 hits (Arkhiv's with highlighted snippets), ``--rounds`` times after a warm-up round;
4. prints a table and writes the figures and the ratios as JSON to ``bench/results/``.

No figure here is asserted anywhere: machines are shared and noisy; ratios within one run are
what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.corpus import CorpusMissing, generate, write_jsonl
from bench.http_load import measure
from bench.peer_datasette import EN_QUERIES, UK_QUERIES, DatasettePeer, build

ROOT = Path(__file__).resolve().parents[1]
# Where benchmarks keep what they build (articles, archives, pages): never the repository.
BENCH_DATA = Path(os.environ.get("ARKHIV_BENCH_DATA", "/tmp/arkhiv-bench"))
ARKHIV = Path(sys.executable).parent / "arkhiv"


def save_results(out: Path, name: str, figures: dict) -> Path:
    """Write a benchmark's figures to ``out/<name>-<time>.json``; returns the file."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dataset(size: int, data_dir: Path) -> Path:
    path = data_dir / f"{size // 1000}k.jsonl" if size % 1000 == 0 else data_dir / f"{size}.jsonl"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".partial")
        with temporary.open("w", encoding="utf-8") as out:
            write_jsonl(generate(size), out)
        temporary.rename(path)
    return path


def arkhiv_import(path: Path, home: Path) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    started = time.perf_counter()
    result = subprocess.run(
        [str(ARKHIV), "import", "--no-progress", str(path)], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"arkhiv import failed: {result.stderr[-2000:]}")
    store_seconds = float(result.stdout.rsplit(" in ", 1)[1].split()[0])
    # The largest resident set of any process this run has waited for so far (KB on Linux).
    max_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "store_seconds": store_seconds, "max_rss_mb": round(max_rss_mb)}


class ArkhivServer:
    """``arkhiv serve`` on a free port; ``ready_s`` is how long it took to answer a search."""

    def __init__(
        self, home: Path, threads: int = 8, start_timeout: float = 600, log: Path | None = None
    ):
        self.home = home
        self.log = log  # where the server's log goes (at INFO), if anywhere
        self.threads = threads
        self.start_timeout = start_timeout
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.ready_s: float | None = None

    def __enter__(self) -> ArkhivServer:
        env = {**os.environ, "ARKHIV_HOME": str(self.home)}
        log = subprocess.DEVNULL
        if self.log is not None:
            env["ARKHIV_LOG_LEVEL"] = "INFO"
            log = self.log.open("ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [str(ARKHIV), "serve", "--port", str(self.port), "--threads", str(self.threads)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        if self.log is not None:
            log.close()  # the server holds its own
        deadline = started + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"arkhiv serve exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url("/api/search?per_page=1"), timeout=60):
                    self.ready_s = time.monotonic() - started
                    return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit("arkhiv serve did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def search_url(self, query: str) -> str:
        return self.url("/api/search?" + urllib.parse.urlencode({"q": query, "per_page": 20}))


def check_arkhiv_answer(server: ArkhivServer, query: str) -> int:
    with urllib.request.urlopen(server.search_url(query), timeout=60) as response:
        answer = json.load(response)
    assert set(answer["facets"]) >= {"source", "author", "tag", "language", "date"}, answer.keys()
    assert len(answer["hits"]) == min(20, answer["total"]), query
    assert all("snippet" in hit for hit in answer["hits"])
    return answer["total"]


def run_size(size: int, args: argparse.Namespace) -> dict:
    path = dataset(size, args.data)
    queries = UK_QUERIES + EN_QUERIES
    home = args.data / f"arkhiv-{size}"
    imports = [arkhiv_import(path, home) for _ in range(args.import_runs)]
    import_rate = statistics.median(size / run["seconds"] for run in imports)
    store_rate = statistics.median(size / run["store_seconds"] for run in imports)
    with ArkhivServer(home) as server:
        totals = {query: check_arkhiv_answer(server, query) for query in queries}
        arkhiv = measure([server.search_url(q) for q in queries], args.rounds)
    peer_db = args.data / f"peer-{size}.db"
    peer_db.unlink(missing_ok=True)
    peer_load = build(path, peer_db)
    with DatasettePeer(peer_db) as peer:
        checks = [peer.check(query, require_rows=size >= 10_000) for query in queries]
        datasette = measure([peer.search_url(q) for q in queries], args.rounds)
    return {
        "articles": size,
        "import": {
            "arkhiv_articles_per_s": round(import_rate, 1),
            "arkhiv_store_only_articles_per_s": round(store_rate, 1),
            "arkhiv_runs_s": [round(run["seconds"], 2) for run in imports],
            "largest_process_rss_mb": max(run["max_rss_mb"] for run in imports),
            "peer_articles_per_s": round(peer_load.articles_per_second, 1),
        },
        "search": {
            "arkhiv": arkhiv,
            "datasette": datasette,
            "peer_answers": checks,
            "arkhiv_totals": totals,
        },
        "ratios": {
            "search_p95_arkhiv_over_datasette": round(arkhiv["p95_ms"] / datasette["p95_ms"], 4),
            "search_p50_arkhiv_over_datasette": round(arkhiv["p50_ms"] / datasette["p50_ms"], 4),
            "import_arkhiv_over_peer": round(import_rate / peer_load.articles_per_second, 4),
        },
    }


def print_table(results: list[dict]) -> None:
    print()
    print(
        f"{'articles':>9} {'import/s':>9} {'peer/s':>8} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'peer p50':>9} {'peer p95':>9} {'p95 ratio':>9}"
    )
    for r in results:
        a, d = r["search"]["arkhiv"], r["search"]["datasette"]
        print(
            f"{r['articles']:>9,} {r['import']['arkhiv_articles_per_s']:>9,.0f} "
            f"{r['import']['peer_articles_per_s']:>8,.0f} {a['p50_ms']:>8.1f} {a['p95_ms']:>8.1f} "
            f"{d['p50_ms']:>9.1f} {d['p95_ms']:>9.1f} "
            f"{r['ratios']['search_p95_arkhiv_over_datasette']:>9.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30000,100000", help="comma-separated article counts")
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds over the queries")
    parser.add_argument("--import-runs", type=int, default=3, help="imports per size (median)")
    parser.add_argument(
        "--data",
        type=Path,
        default=BENCH_DATA,
        help="where generated data goes",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"== {size:,} articles", file=sys.stderr)
            results.append(run_size(size, args))
            print(json.dumps(results[-1], indent=2), file=sys.stderr)
    except CorpusMissing as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    stamp = time.strftime("%Y%m%d-%H%M%S")
    figures = {"when": stamp, "machine": {"cpus": os.cpu_count()}, "results": results}
    path = save_results(args.out, "bench", figures)
    print_table(results)
    print(f"\nfigures: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
