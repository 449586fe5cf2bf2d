"""How fast the coverage answers: a timeline of five searches by month over the whole archive,
the words that set several searches apart, and the outlets of five searches
(``index.searching.timeline``, ``index.searching.significant_words``, ``index.searching.outlets``);
with ``--page``, the ``/explore`` page of the five searches as the app renders it (timeline, words
and outlets of each, the chart and table).

    python -m bench.coverage --home H [--runs 20] [--page] [--json OUT]

The home holds an imported archive (``python -m bench.corpus 30000 F`` then ``arkhiv import F``).
Measured in the library, in one process, as a server thread runs them: each search is run once
first (the postings it reads decoded and cached, as on a server that has been answering), then
``--runs`` times; p50 and p95 of those. The first, cold, run is reported apart. Beside each, its
peer in the same run: the same searches as ``/api/search`` answers them (a page of 20 hits with
five facets), one after the other. Targets at a million articles: the timeline within 300 ms
p95, words within 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

TIMELINE_QUERIES = ["economy", "football", "election", "податки", "суд"]
WORDS_QUERIES = ["economy", "football", "film", "податки", "суд"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(run, runs: int) -> dict:
    started = time.perf_counter()
    answer = run()
    cold = (time.perf_counter() - started) * 1000
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        took.append((time.perf_counter() - started) * 1000)
    return {
        "cold_ms": round(cold, 1),
        "p50_ms": round(statistics.median(took), 1),
        "p95_ms": round(percentile(took, 0.95), 1),
        "answer": answer,
    }


def measure(home: Path, runs: int) -> dict:
    from archive.store import Store
    from index.searching.request import SearchRequest
    from index.searching.search import SearchIndex

    index = SearchIndex(home / "index", Store(home / "archive.sqlite3"))
    try:
        articles = index.doc_count()
        timeline = timed(lambda: index.timeline(TIMELINE_QUERIES, SearchRequest(), "month"), runs)
        peer = timed(lambda: [index.search(SearchRequest(q=q)) for q in TIMELINE_QUERIES], runs)
        peer.pop("answer")
        timeline["searches_peer"] = peer
        answer = timeline.pop("answer")
        timeline.update(
            searches=TIMELINE_QUERIES,
            periods=len(answer["all"]),
            totals=[series["total"] for series in answer["series"]],
        )
        outlets = timed(lambda: index.outlets(TIMELINE_QUERIES, SearchRequest(), 20), runs)
        answer = outlets.pop("answer")
        outlets["searches_peer"] = timeline["searches_peer"]
        outlets["outlets"] = [series["outlets_total"] for series in answer["series"]]
        outlets["stories_with_copies"] = [s["stories_with_copies"] for s in answer["series"]]
        words = []
        for q in WORDS_QUERIES:
            measured = timed(lambda q=q: index.words(SearchRequest(q=q), None, 20), runs)
            answer = measured.pop("answer")
            peer = timed(lambda q=q: index.search(SearchRequest(q=q)), runs)
            peer.pop("answer")
            measured["search_peer"] = peer
            measured.update(
                q=q,
                results=answer["results"],
                sampled=answer["sampled"],
                words=[w["word"] for w in answer["words"][:10]],
            )
            words.append(measured)
        return {
            "articles": articles,
            "runs": runs,
            "timeline": timeline,
            "outlets": outlets,
            "words": words,
        }
    finally:
        index.close()


def measure_page(home: Path, runs: int) -> dict:
    """``/explore`` of the five timeline searches, rendered by the app (no HTTP)."""
    from webapp.app import create_app

    client = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()
    query = {"q": TIMELINE_QUERIES}

    def render() -> int:
        response = client.get("/explore", query_string=query)
        assert response.status_code == 200, response.status_code
        return len(response.get_data())

    page = timed(render, runs)
    page["bytes"] = page.pop("answer")
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="an imported archive")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--page", action="store_true", help="also time the /explore page")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not (args.home / "index").exists():
        print(f"no archive at {args.home}: import one first", file=sys.stderr)
        return 2
    result = measure(args.home, args.runs)
    line = result["timeline"]
    print(
        f"{result['articles']:,} articles, {args.runs} runs each\n"
        f"timeline of {len(line['searches'])} searches by month ({line['periods']} periods; "
        f"{', '.join(line['searches'])}): cold {line['cold_ms']} ms, "
        f"p50 {line['p50_ms']} ms, p95 {line['p95_ms']} ms; the five as /api/search answers them: "
        f"p50 {line['searches_peer']['p50_ms']} ms, p95 {line['searches_peer']['p95_ms']} ms"
    )
    outlets = result["outlets"]
    print(
        f"outlets of the same five searches: cold {outlets['cold_ms']} ms, p50 "
        f"{outlets['p50_ms']} ms, p95 {outlets['p95_ms']} ms ({outlets['outlets']} outlets, "
        f"{outlets['stories_with_copies']} stories with copies)"
    )
    for each in result["words"]:
        sampled = f", sampled {each['sampled']}" if each["sampled"] else ""
        print(
            f"words {each['q']!r} ({each['results']:,} results{sampled}): cold {each['cold_ms']} "
            f"ms, p50 {each['p50_ms']} ms, p95 {each['p95_ms']} ms (its /api/search: p50 "
            f"{each['search_peer']['p50_ms']} ms): {', '.join(each['words'])}"
        )
    if args.page:
        page = result["page"] = measure_page(args.home, args.runs)
        print(
            f"/explore of the five searches: cold {page['cold_ms']} ms, p50 {page['p50_ms']} ms, "
            f"p95 {page['p95_ms']} ms, {page['bytes']:,} bytes"
        )
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
