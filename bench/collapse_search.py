"""What collapsing copies of one story costs a search: the same stream of distinct searches
(``bench/queries.py``) in one process, each searched collapsed and not, alternating which goes
first (a search's second run finds the first's snippets cached).

    python -m bench.collapse_search HOME [--queries 1000]

HOME holds an imported archive (its store and index). Prints p50 and p95 of each.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from archive.config import load_settings
from archive.stores import open_store
from bench.queries import query_stream
from index.searching.request import request_from_mapping
from index.searching.search import SearchIndex

WARM = 200


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.collapse_search")
    parser.add_argument("home", type=Path)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args(argv)
    settings = load_settings(args.home)
    index = SearchIndex(settings.index_dir, open_store(settings))
    stream = query_stream(WARM + args.queries, seed=3)
    for params in stream[:WARM]:
        for collapse in ("1", "0"):
            index.search(request_from_mapping({**params, "collapse": collapse}))
    took: dict[str, list[float]] = {"1": [], "0": []}
    for number, params in enumerate(stream[WARM:]):
        for collapse in ("1", "0") if number % 2 else ("0", "1"):
            started = time.perf_counter()
            index.search(request_from_mapping({**params, "collapse": collapse}))
            took[collapse].append((time.perf_counter() - started) * 1000)
    for collapse, times in took.items():
        times.sort()
        p95 = times[int(len(times) * 0.95)]
        print(f"collapse={collapse}: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
