"""Where a search's time goes: the stream of ``bench/queries.py`` searched in this process, one
search after another, each part of a search timed (the query's evaluation, facets, snippets,
reading the hits from the store, ...).

The archive is opened as ``arkhiv serve`` opens it, with the server's allocator settings
(``webapp.server.limit_allocator_arenas``): one process, no HTTP, the "Did you mean" vocabulary
built before the first timed search. It answers what to make cheaper; ``bench/serving.py``
measures what a user meets.

    python -m bench.search_phases --home $ARKHIV_BENCH_DATA/1m [--queries 1000] [--seed 11]

Prints milliseconds per search for each part over the whole stream and over its slowest 50, and
p50 / p95 / p99; figures also go to ``bench/results/search-phases-*.json``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench.http_load import percentile
from bench.queries import api_path, query_stream
from bench.run import ROOT, save_results

SLOWEST = 50


class Stopwatch:
    """Seconds spent in each wrapped function (a wrapped function called by another wrapped one
    counts in both)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, owner, name: str, label: str | None = None) -> None:
        original = getattr(owner, name)
        label = label or name
        spent = self.spent

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        setattr(owner, name, timed)


def _instrument(watch: Stopwatch) -> None:
    from archive.store import Store
    from index.searching import hits, matching, search

    for name in ("collapse", "page", "page_hits", "value_facets", "date_facet", "apply_filters"):
        watch.wrap(search, name)
    watch.wrap(search, "parse_query")
    watch.wrap(search, "help_with")
    # Snippets are made a page at a time (``snippets``), or one by one in older code.
    watch.wrap(hits, "snippets" if hasattr(hits, "snippets") else "snippet", "snippets")
    watch.wrap(hits, "mark")
    watch.wrap(matching.Matcher, "evaluate")
    watch.wrap(Store, "get_many")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)

    from webapp.app import create_app
    from webapp.server import limit_allocator_arenas

    limit_allocator_arenas()
    watch = Stopwatch()
    _instrument(watch)
    app = create_app({"ARKHIV_HOME": str(args.home), "TRUSTED_HOSTS": ["localhost"]})
    client = app.test_client()
    headers = {"Host": "localhost"}
    client.get("/api/search?per_page=1", headers=headers)
    views = app.extensions["arkhiv"].index.views
    while not views.vocabulary_ready():
        time.sleep(0.1)
    watch.spent.clear()

    searches = []
    for params in query_stream(args.queries, seed=args.seed):
        before = dict(watch.spent)
        started = time.perf_counter()
        response = client.get(api_path(params), headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            print(f"{response.status_code} {params}", file=sys.stderr)
        parts = {k: v - before.get(k, 0.0) for k, v in watch.spent.items()}
        searches.append((elapsed, parts, params))

    count = len(searches)
    ordered = sorted(elapsed for elapsed, _, _ in searches)
    slowest = sorted(searches, key=lambda s: -s[0])[:SLOWEST]
    slow_parts: dict[str, float] = defaultdict(float)
    for _, parts, _ in slowest:
        for label, seconds in parts.items():
            slow_parts[label] += seconds
    result = {
        "home": str(args.home),
        "searches": count,
        "p50_ms": round(percentile(ordered, 0.5) * 1000, 1),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
        "mean_ms": round(sum(ordered) / count * 1000, 2),
        "ms_per_search": {
            label: round(seconds / count * 1000, 2)
            for label, seconds in sorted(watch.spent.items(), key=lambda item: -item[1])
        },
        f"ms_per_search_of_the_slowest_{SLOWEST}": {
            label: round(seconds / len(slowest) * 1000, 2)
            for label, seconds in sorted(slow_parts.items(), key=lambda item: -item[1])
        },
        "slowest": [
            {"ms": round(elapsed * 1000, 1), "params": params}
            for elapsed, _, params in slowest[:10]
        ],
    }
    print(
        f"{count} searches: p50 {result['p50_ms']} ms, p95 {result['p95_ms']}, "
        f"p99 {result['p99_ms']}, mean {result['mean_ms']}"
    )
    for label, ms in result["ms_per_search"].items():
        slow = result[f"ms_per_search_of_the_slowest_{SLOWEST}"].get(label, 0.0)
        print(f"  {label:14s} {ms:7.2f} ms a search   {slow:7.2f} in the slowest {SLOWEST}")
    save_results(args.out, "search-phases", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
