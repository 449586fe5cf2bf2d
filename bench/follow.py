"""Following feeds: what ``arkhiv follow run`` costs the sites, and what following costs searches.

Sites: ``--feeds`` web sites (default 20), each on a loopback address of its own (127.0.0.2,
127.0.0.3, …: one site each, so the delay per site holds as it would on the web), each with a
robots.txt, an RSS feed and news pages made from the real corpus (``bench/corpus.py``
recombines its paragraphs), both languages.

1. ``follow``: into an empty home, ``arkhiv follow run --once`` over the feeds (``--items`` each),
   then again with nothing new (each feed should cost one 304; robots.txt is read again, once per
   site, by the new process), then again after one new item on a quarter of the feeds. Requests
   are counted by the sites themselves.
2. ``search``: an archive of the corpus served by ``arkhiv serve``; ``--clients`` clients send
   distinct searches (``bench/queries.py``) for ``--seconds``, alternately against a server that
   does not follow (ARKHIV_FOLLOW=0) and one that follows the feeds while each publishes
   ``--burst`` new items (every page fetched, extracted, stored and indexed meanwhile; each site's
   ``--search-delay`` apart), ``--rounds``
   times each, after ``--settle`` seconds of one client (the follower's process is started and
   fetching by then); p50 and p95 of each phase, the pages fetched while measuring, and the
   medians over the rounds.

    benchrun .venv/bin/python -m bench.follow --data $ARKHIV_BENCH_DATA/feeds

Nothing is asserted; figures go to ``bench/results/follow-*.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path

from bench.corpus import generate
from bench.http_load import _Client, in_threads, percentile
from bench.queries import api_path, query_stream
from bench.run import ARKHIV, BENCH_DATA, ROOT, ArkhivServer, save_results
from tests.feed_server import Route, Site, news_page, rss

PRIVATE = "127.0.0.0/8"  # the sites' loopback addresses, and nothing else


class Sites:
    """``count`` sites on 127.0.0.2… each with a feed of its newest ``keep`` items."""

    def __init__(self, count: int, keep: int = 60):
        self.sites = [Site(f"127.0.0.{2 + n}").start() for n in range(count)]
        self.items: list[list[dict]] = [[] for _ in self.sites]
        self.keep = keep
        self._articles = generate(1_000_000, seed=20)
        self._numbers = itertools.count()
        for site in self.sites:
            site["/robots.txt"] = Route(b"User-agent: *\nDisallow: /admin/\n", "text/plain")
            site["/feed.xml"] = Route(rss([]), "application/rss+xml")

    def feed_urls(self) -> list[str]:
        return [site.url("/feed.xml") for site in self.sites]

    def publish(self, per_site: int, sites: list[int] | None = None) -> int:
        """``per_site`` new pages on each of ``sites`` (default all), listed in their feeds."""
        published = 0
        for n in sites if sites is not None else range(len(self.sites)):
            site = self.sites[n]
            for _ in range(per_site):
                article = next(self._articles)
                number = next(self._numbers)
                path = f"/news/{number}"
                site[path] = Route(
                    news_page(
                        article["title"],
                        language=article["language"],
                        published=article.get("published"),
                        canonical=site.url(path),
                        author=(article.get("authors") or [None])[0],
                        paragraphs=tuple(article["body"].split("\n\n")),
                    )
                )
                self.items[n].insert(
                    0, {"link": site.url(path), "title": article["title"], "pubDate": None}
                )
                published += 1
            del self.items[n][self.keep :]
            site["/feed.xml"] = Route(rss(self.items[n]), "application/rss+xml")
        return published

    def requests(self) -> int:
        return sum(site.requests() for site in self.sites)

    def not_modified(self) -> int:
        return sum(site.statuses[304] for site in self.sites)

    def pages_fetched(self) -> int:
        return sum(
            count for site in self.sites for path, count in site.hits.items() if "/news/" in path
        )

    def stop(self) -> None:
        for site in self.sites:
            site.stop()


def arkhiv(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    done = subprocess.run([str(ARKHIV), *args], env=env, capture_output=True, text=True)
    if check and done.returncode not in (0, 1):
        raise SystemExit(f"arkhiv {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done


def follow_runs(sites: Sites, home: Path, items: int, delay: float) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    for url in sites.feed_urls():
        arkhiv(home, "follow", "add", url, "--delay", str(delay))
    sites.publish(items)
    runs = []
    for name in ("first", "unchanged", "a quarter changed"):
        if name == "a quarter changed":
            sites.publish(1, list(range(0, len(sites.sites), 4)))
        requests, not_modified = sites.requests(), sites.not_modified()
        started = time.perf_counter()
        done = arkhiv(home, "follow", "run", "--once")
        seconds = time.perf_counter() - started
        articles = json.loads(arkhiv(home, "stats", "--json").stdout)["articles"]
        runs.append(
            {
                "run": name,
                "exit": done.returncode,
                "seconds": round(seconds, 2),
                "requests": sites.requests() - requests,
                "not_modified": sites.not_modified() - not_modified,
                "articles_in_archive": articles,
                "said": done.stdout.strip().splitlines()[-1],
            }
        )
        print(json.dumps(runs[-1], ensure_ascii=False), flush=True)
    return {"feeds": len(sites.sites), "items_each": items, "delay_s": delay, "runs": runs}


def _searches(server: ArkhivServer, clients: int, seconds: float, queries) -> list[float]:
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run() -> None:
        client = _Client()
        try:
            while time.monotonic() < deadline:
                with lock:
                    url = server.url(api_path(next(queries)))
                started = time.perf_counter()
                status, body = client.get(url, timeout=120)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if status == 200:
                        timings.append(elapsed)
                    else:
                        errors.append(f"HTTP {status}")
        finally:
            client.close()

    in_threads(run, clients)
    if errors:
        raise SystemExit(f"searches failed: {errors[:5]}")
    return timings


def _wait_until_still(sites: Sites, seconds: float = 2.0, limit: float = 60.0) -> None:
    """Until no page has been fetched for ``seconds``."""
    deadline = time.monotonic() + limit
    last = sites.pages_fetched()
    while time.monotonic() < deadline:
        time.sleep(seconds)
        now = sites.pages_fetched()
        if now == last:
            return
        last = now
    raise SystemExit("pages are still being fetched after the server stopped")


def _summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "searches": len(ordered),
        "p50_ms": round(percentile(ordered, 0.5), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
    }


def search_while_following(
    sites: Sites, home: Path, corpus_file: Path, args: argparse.Namespace
) -> dict:
    if not (home / "archive.sqlite3").exists():
        arkhiv(home, "import", "--no-progress", str(corpus_file))
    for url in sites.feed_urls():
        arkhiv(home, "follow", "add", url, "--delay", str(args.search_delay))
    os.environ.update(
        {"ARKHIV_FETCH_PRIVATE": PRIVATE, "ARKHIV_FOLLOW_EVERY": "1", "ARKHIV_HOME": str(home)}
    )
    queries = itertools.cycle(query_stream(20_000, seed=7))
    phases: dict[str, list[dict]] = {"quiet": [], "following": []}
    for round_number in range(args.rounds):
        for phase in ("quiet", "following"):
            os.environ["ARKHIV_FOLLOW"] = "0" if phase == "quiet" else "1"
            if phase == "following":
                sites.publish(args.burst)
            with ArkhivServer(home, threads=8) as server:
                # Both phases settle as long: the follower's process starts and loads the
                # extractor meanwhile, and is fetching when the searches are measured.
                before = sites.pages_fetched()
                _searches(server, 1, args.settle, queries)
                pages = sites.pages_fetched()
                settled = pages - before
                timings = _searches(server, args.clients, args.seconds, queries)
                fetched = sites.pages_fetched() - pages
            _wait_until_still(sites)  # the follower's process is gone with its server
            figures = {
                "round": round_number,
                **_summary(timings),
                "pages_fetched": fetched,
                "pages_fetched_settling": settled,
            }
            phases[phase].append(figures)
            print(phase, json.dumps(figures), flush=True)
    medians = {
        phase: {
            key: statistics.median(run[key] for run in runs)
            for key in ("p50_ms", "p95_ms", "pages_fetched")
        }
        for phase, runs in phases.items()
    }
    return {
        "clients": args.clients,
        "seconds": args.seconds,
        "burst_per_site": args.burst,
        "delay_s": args.search_delay,
        "phases": phases,
        "medians": medians,
        "p95_following_over_quiet": round(
            medians["following"]["p95_ms"] / medians["quiet"]["p95_ms"], 3
        ),
        # each round's following phase against the quiet phase just before it
        "p95_ratio_by_round": [
            round(following["p95_ms"] / quiet["p95_ms"], 3)
            for quiet, following in zip(phases["quiet"], phases["following"], strict=True)
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=BENCH_DATA / "feeds")
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=10, help="items per feed, first run")
    parser.add_argument("--delay", type=float, default=0.05, help="follow add --delay")
    parser.add_argument(
        "--search-delay",
        type=float,
        default=1.0,
        help="follow add --delay while searching (the default is 5: 1 s is a busy follower)",
    )
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument(
        "--settle", type=float, default=15, help="seconds of one client before measuring"
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--burst", type=int, default=40, help="new items per feed per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("follow", "search"))
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    figures: dict = {}
    os.environ["ARKHIV_FETCH_PRIVATE"] = PRIVATE
    sites = Sites(args.feeds)
    try:
        if args.only in (None, "follow"):
            figures["follow"] = follow_runs(
                sites, args.data / "follow-home", args.items, args.delay
            )
        if args.only in (None, "search"):
            corpus_file = args.data / "corpus.jsonl"
            with corpus_file.open("w", encoding="utf-8") as out:
                for path in sorted(args.corpus.glob("*.jsonl")):
                    out.write(path.read_text(encoding="utf-8"))
            search_sites = Sites(args.feeds) if args.only is None else sites
            try:
                figures["search"] = search_while_following(
                    search_sites, args.data / "search-home", corpus_file, args
                )
            finally:
                if search_sites is not sites:
                    search_sites.stop()
    finally:
        sites.stop()
    saved = save_results(ROOT / "bench" / "results", "follow", figures)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"written to {saved}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
