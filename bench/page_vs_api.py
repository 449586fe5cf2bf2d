"""The search page against /api/search for the same queries: p95 time to first byte over HTTP.

The page renders HTML on top of the same search, so its p95 TTFB should be at most 20 ms above the
API's. Serves the app on waitress in this process over ``$ARKHIV_HOME`` (import the corpus first):

    ARKHIV_HOME=corpus-home .venv/bin/arkhiv import ../shared/corpus/*.jsonl
    ARKHIV_HOME=corpus-home .venv/bin/python -m bench.page_vs_api [--rounds 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import threading
import time
from urllib.parse import urlencode

from bench.http_load import measure, percentile

QUERIES = [
    {"q": "Україна"},
    {"q": "війна"},
    {"q": "гроші"},
    {"q": "уряд бюджет"},
    {"q": '"Верховна Рада"'},
    {"q": "Київ", "sort": "newest"},
    {"q": "government"},
    {"q": "election results"},
    {"q": "football", "language": "en"},
    {"q": "London police"},
    {},
    {"language": "uk"},
]
BUDGET_MS = 20.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(threads: int = 4) -> tuple[str, object]:
    from waitress.server import create_server

    from webapp.app import create_app

    port = _free_port()
    server = create_server(create_app(), host="127.0.0.1", port=port, threads=threads)
    threading.Thread(target=server.run, daemon=True).start()
    time.sleep(0.2)
    return f"127.0.0.1:{port}", server


def ttfb(host: str, paths: list[str], rounds: int) -> dict:
    """Time to first byte (status line and headers read) per GET, keep-alive, after a warm-up."""
    connection = http.client.HTTPConnection(host, timeout=120)
    timings: list[float] = []
    try:
        for round_number in range(rounds + 1):
            for path in paths:
                started = time.perf_counter()
                connection.request("GET", path, headers={"Accept-Language": "uk"})
                response = connection.getresponse()
                first_byte = time.perf_counter() - started
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status} for {path}: {body[:200]!r}")
                if round_number:
                    timings.append(first_byte * 1000)
    finally:
        connection.close()
    timings.sort()
    return {
        "count": len(timings),
        "p50_ms": round(percentile(timings, 0.5), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    host, server = start()
    query_strings = ["?" + urlencode(q) if q else "" for q in QUERIES]
    page_paths = ["/" + qs for qs in query_strings]
    api_paths = ["/api/search" + qs for qs in query_strings]
    report = {
        "queries": len(QUERIES),
        "rounds": args.rounds,
        "ttfb": {
            "page": ttfb(host, page_paths, args.rounds),
            "api": ttfb(host, api_paths, args.rounds),
        },
        "full_response": {
            "page": measure([f"http://{host}{p}" for p in page_paths], args.rounds),
            "api": measure([f"http://{host}{p}" for p in api_paths], args.rounds),
        },
    }
    margin = report["ttfb"]["page"]["p95_ms"] - report["ttfb"]["api"]["p95_ms"]
    report["page_minus_api_p95_ms"] = round(margin, 1)
    report["within_budget"] = margin <= BUDGET_MS
    time.sleep(0.2)  # let waitress finish the last answer before closing
    server.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
