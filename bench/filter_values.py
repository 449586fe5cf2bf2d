"""The search page against /api/search with many values of one filter in the URL.

A page shows a link for every chosen value, and each link is a whole search: it once held every
other chosen value, so the page grew with the square of their number (1,000 ``tag=`` values
took 3.9 s, the API 0.06 s). Serves the app on waitress in this process over ``$ARKHIV_HOME``
and times one GET of each (the median of ``--rounds``) with N values of ``--facet``: the
archive's own values first, then made-up ones (a chosen value is listed even when it counts 0).

    ARKHIV_HOME=corpus-home .venv/bin/arkhiv import ../shared/corpus/*.jsonl
    ARKHIV_HOME=corpus-home .venv/bin/python -m bench.filter_values [--counts 250,1000,2000]

``--lift-cap`` raises the cap on values per facet (``index.searching.request.MAX_FILTER_VALUES``) in
this process, to see how the page grows past it; without it, counts past the cap must answer 400.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import time
from urllib.parse import urlencode

from bench.page_vs_api import start


def values_for(host: str, facet: str, count: int) -> list[str]:
    connection = http.client.HTTPConnection(host, timeout=600)
    connection.request("GET", "/api/search?facet_size=1000")
    listed = json.loads(connection.getresponse().read())["facets"][facet]
    connection.close()
    own = [item["value"] for item in listed][:count]
    return own + [f"{facet} {number:05d}" for number in range(count - len(own))]


def timed_get(host: str, path: str, rounds: int) -> tuple[float, int, int]:
    """Median seconds of a whole answer, its status and its size in bytes."""
    timings, status, size = [], 0, 0
    for _ in range(rounds):
        connection = http.client.HTTPConnection(host, timeout=600)
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept-Language": "uk"})
        response = connection.getresponse()
        body = response.read()
        timings.append(time.perf_counter() - started)
        status, size = response.status, len(body)
        connection.close()
    return statistics.median(timings), status, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="10,100,250,1000,2000")
    parser.add_argument("--facet", default="tag", choices=("tag", "author", "source", "language"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lift-cap", action="store_true")
    args = parser.parse_args()
    if args.lift_cap:
        import index.searching.request

        index.request.MAX_FILTER_VALUES = 1_000_000
    host, server = start(threads=1)
    rows = []
    try:
        for count in (int(n) for n in args.counts.split(",")):
            query = urlencode(
                [("q", ""), *((args.facet, v) for v in values_for(host, args.facet, count))]
            )
            row: dict = {"values": count, "query_string_bytes": len(query)}
            for name, path in (("page", "/?"), ("api", "/api/search?")):
                seconds, status, size = timed_get(host, path + query, args.rounds)
                row[name] = {"seconds": round(seconds, 3), "status": status, "bytes": size}
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        time.sleep(0.2)  # let waitress finish the last answer before closing
        server.close()


if __name__ == "__main__":
    main()
