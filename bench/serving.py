"""Serving a large archive: readiness, memory by thread count, and a stream of distinct searches
against Datasette on the same articles.

For each thread count (``--threads``, default 1 and 8) it starts ``arkhiv serve`` on ``--home``
and records how long until the first search answers. Then, with ``--clients`` concurrent clients
(so that every thread serves), it sends ``--warm`` distinct searches and samples the server's
anonymous resident memory (``RssAnon``; the index's mapped files are ``RssFile``, page cache),
right after the last answer and again two seconds later, once the server is idle.
Latency is measured on the first start only, right after it, one search after another (the
stream of ``bench/queries.py``: never the same query twice), and every ``--peer-every``-th search
is also sent to Datasette (sqlite-utils + FTS5, five facets, 20 rows) on ``--peer-db``: at a
million articles it takes seconds a query.

    python -m bench.serving --home $ARKHIV_BENCH_DATA/1m --peer-db $ARKHIV_BENCH_DATA/peer-1m.db

Nothing is asserted; figures go to ``bench/results/serving-*.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

from bench.http_load import _Client, in_threads, percentile
from bench.peer_datasette import DatasettePeer
from bench.queries import api_path, query_stream
from bench.run import ROOT, ArkhivServer, save_results

IDLE_SECONDS = 2.0  # after the last search, before memory is sampled again


def _memory(pid: int) -> dict[str, int]:
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                found[name] = int(value.split()[0]) // 1024
    return found


def _timed(client: _Client, url: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    status, body = client.get(url, timeout=600)
    return (time.perf_counter() - started) * 1000, status, body


def _summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 0.5), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def stream(server: ArkhivServer, queries: list[dict], peer: DatasettePeer | None, every: int):
    """One search after another; every ``every``-th also to the peer."""
    client, peer_client = _Client(), _Client()
    arkhiv, datasette, shared_arkhiv, errors = [], [], [], []
    try:
        for number, params in enumerate(queries):
            elapsed, status, body = _timed(client, server.url(api_path(params)))
            if status != 200:
                errors.append(f"{status} {params}: {body[:100]!r}")
                continue
            arkhiv.append(elapsed)
            if peer is not None and number % every == 0:
                peer_elapsed, peer_status, _ = _timed(peer_client, peer.search_url(params["q"]))
                if peer_status == 200:
                    datasette.append(peer_elapsed)
                    shared_arkhiv.append(elapsed)
                else:
                    errors.append(f"peer {peer_status} {params}")
    finally:
        client.close()
        peer_client.close()
    result = {"arkhiv": _summary(arkhiv), "errors": errors[:10], "error_count": len(errors)}
    if datasette:
        result["datasette"] = _summary(datasette)
        result["arkhiv_on_the_peers_queries"] = _summary(shared_arkhiv)
        result["p95_ratio_arkhiv_over_datasette"] = round(
            result["arkhiv_on_the_peers_queries"]["p95_ms"] / result["datasette"]["p95_ms"], 4
        )
    return result


def warm(server: ArkhivServer, queries: list[dict], clients: int) -> int:
    """Send ``queries`` from ``clients`` concurrent clients; returns how many failed."""
    pending = iter(queries)
    lock = threading.Lock()
    failures = [0]

    def run() -> None:
        client = _Client()
        try:
            while True:
                with lock:
                    params = next(pending, None)
                if params is None:
                    return
                status, _ = client.get(server.url(api_path(params)), timeout=600)
                if status != 200:
                    with lock:
                        failures[0] += 1
        finally:
            client.close()

    in_threads(run, clients)
    return failures[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--threads", default="8,1", help="arkhiv serve --threads, each in turn")
    parser.add_argument("--queries", type=int, default=1000, help="the timed stream")
    parser.add_argument("--warm", type=int, default=1000, help="distinct searches before memory")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--peer-db", type=Path, help="Datasette's database of the same articles")
    parser.add_argument("--peer-every", type=int, default=25)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    pool = query_stream(args.queries + args.warm, seed=11)
    timed, rest = pool[: args.queries], pool[args.queries :]
    result: dict = {"home": str(args.home), "servers": []}
    peer = DatasettePeer(args.peer_db) if args.peer_db else None
    if peer is not None:
        peer.__enter__()
    try:
        for number, threads in enumerate(int(t) for t in args.threads.split(",")):
            with ArkhivServer(args.home, threads=threads) as server:
                entry: dict = {"threads": threads, "ready_s": round(server.ready_s, 2)}
                entry["memory_at_start_mb"] = _memory(server.process.pid)
                # The same searches for every thread count, so that memory compares like for like;
                # the peer is asked on the first run only.
                entry["stream"] = stream(
                    server, timed, peer if number == 0 else None, args.peer_every
                )
                started = time.monotonic()
                queries = rest[: args.warm]
                entry["warm_failures"] = warm(server, queries, args.clients)
                entry["warm_s"] = round(time.monotonic() - started, 1)
                entry["memory_after_mb"] = _memory(server.process.pid)
                # The server gives free memory back once idle (webapp.server.TrimWhenIdle).
                time.sleep(IDLE_SECONDS)
                entry["memory_idle_mb"] = _memory(server.process.pid)
                entry["distinct_searches_served"] = len(queries) + len(timed)
                result["servers"].append(entry)
                print(json.dumps(entry, indent=2), file=sys.stderr)
    finally:
        if peer is not None:
            peer.__exit__(None, None, None)
    for moment in ("after", "idle"):
        anon = {e["threads"]: e[f"memory_{moment}_mb"]["RssAnon"] for e in result["servers"]}
        if 1 in anon and 8 in anon:
            result[f"anon_8_threads_over_1_{moment}"] = round(anon[8] / anon[1], 3)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    save_results(args.out, "serving", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
