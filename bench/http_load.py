"""Search latency over HTTP, as a browser or script would see it: one client, keep-alive, in turn.

Used for both Arkhiv and the Datasette peer so the two are measured the same way.
"""

from __future__ import annotations

import http.client
import math
import statistics
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit


class _Client:
    """One keep-alive connection per host, reopened if the server closes it."""

    def __init__(self) -> None:
        self._connections: dict[tuple[str, str], http.client.HTTPConnection] = {}

    def get(self, url: str, timeout: float) -> tuple[int, bytes]:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        for attempt in (1, 2):
            connection = self._connections.get(key)
            if connection is None:
                factory = (
                    http.client.HTTPSConnection
                    if parts.scheme == "https"
                    else http.client.HTTPConnection
                )
                connection = self._connections[key] = factory(parts.netloc, timeout=timeout)
            try:
                connection.request("GET", path, headers={"Accept": "application/json"})
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server dropped an idle keep-alive connection: reconnect once.
                connection.close()
                del self._connections[key]
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()


def in_threads(run: Callable[[], None], count: int) -> None:
    """``run`` in ``count`` threads at once (concurrent clients); returns when all are done."""
    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentile(sorted_ms: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_ms:
        raise ValueError("no timings")
    rank = min(len(sorted_ms), max(1, math.ceil(fraction * len(sorted_ms))))
    return sorted_ms[rank - 1]


def measure(urls: list[str], rounds: int, timeout: float = 120.0) -> dict:
    """GET each URL `rounds` times, one at a time, after one warm-up round.

    Returns `{"count", "p50_ms", "p95_ms", "mean_ms", "max_ms", "bytes_mean", "per_url_p50_ms"}`
    (the last a list in the order of `urls`); raises RuntimeError on any answer other than 200.
    """
    if not urls or rounds < 1:
        raise ValueError("need at least one URL and one round")
    client = _Client()
    timings: list[float] = []
    per_url: list[list[float]] = [[] for _ in urls]
    sizes: list[int] = []
    try:
        for round_number in range(rounds + 1):
            for index, url in enumerate(urls):
                started = time.perf_counter()
                status, body = client.get(url, timeout)
                elapsed_ms = (time.perf_counter() - started) * 1000
                if status != 200:
                    raise RuntimeError(f"HTTP {status} for {url}: {body[:200]!r}")
                if round_number > 0:  # round 0 warms caches and connections
                    timings.append(elapsed_ms)
                    per_url[index].append(elapsed_ms)
                    sizes.append(len(body))
    finally:
        client.close()
    timings.sort()
    return {
        "count": len(timings),
        "p50_ms": round(percentile(timings, 0.50), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "mean_ms": round(statistics.fmean(timings), 1),
        "max_ms": round(timings[-1], 1),
        "bytes_mean": round(statistics.fmean(sizes)),
        "per_url_p50_ms": [round(statistics.median(t), 1) for t in per_url],
    }
