"""Importing a web archive: pages per second and peak memory of ``arkhiv import`` on a WARC.

Makes (once) a gzipped WARC of ``--pages`` news pages, as a crawler writes one: articles
recombined from the real corpus (:mod:`bench.corpus`, Ukrainian and English) rendered into the
page templates of :mod:`bench.news_pages`, each response after its request, with a redirect and
an image every 20 pages and a second capture of a page every 50. Beside it, the same articles as
JSON Lines: the peer, which costs everything but reading pages.

Then imports each into an empty archive (store and index), alternately, ``--runs`` times, under
:mod:`bench.memory` (peak anonymous memory of the command and its children), and prints the
medians. A smaller WARC (``--small``, a fifth of the pages) shows whether memory grows with the
file.

    benchrun python -m bench.warc_import [--pages 10000] [--runs 1] [--data DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.corpus import generate
from bench.news_pages import TEMPLATES, Other, render
from bench.run import BENCH_DATA

DATA = BENCH_DATA / "pages"
_SUMMARY = re.compile(
    r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) rejected.* in ([\d.]+) s"
)
_PNG = b"\x89PNG\r\n\x1a\n" + bytes(2000)


def _record(
    writer: WARCWriter, url: str, body: bytes, content_type: str, status: str, headers: tuple = ()
) -> None:
    request = StatusAndHeaders(
        f"GET {url} HTTP/1.1", [("User-Agent", "bench")], is_http_request=True
    )
    writer.write_record(
        writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request)
    )
    http = StatusAndHeaders(status, [("Content-Type", content_type), *headers], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
    )


def make_crawl(warc: Path, jsonl: Path, pages: int, seed: int = 20) -> None:
    """The WARC of ``pages`` pages and the same articles as JSON Lines."""
    rng = random.Random(seed)
    articles = list(generate(pages, seed=seed, uk_share=0.5, translation_share=0.0))
    others = {
        language: [Other(a["title"], a["body"]) for a in articles if a["language"] == language]
        for language in ("uk", "en")
    }
    with open(warc, "wb") as out, open(jsonl, "w", encoding="utf-8") as lines:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(warc.name, {"software": "bench"}))
        for number, article in enumerate(articles):
            url = f"https://site{number % 40}.example.org/news/{number}.html"
            template = TEMPLATES[number % len(TEMPLATES)]
            page, content_type = render(article, others[article["language"]], template, rng, url)
            if number % 20 == 0:
                _record(
                    writer,
                    url.replace("https:", "http:"),
                    b"",
                    "text/html",
                    "301 Moved Permanently",
                    (("Location", url),),
                )
            _record(writer, url, page, content_type, "200 OK")
            if number % 20 == 10:
                _record(writer, url.replace(".html", ".png"), _PNG, "image/png", "200 OK")
            if number % 50 == 25:
                _record(writer, url, page, content_type, "200 OK")  # captured again
            record = {**article, "url": url}
            record.pop("id", None)  # the page's id is its URL, as an article read from a page
            lines.write(json.dumps(record, ensure_ascii=False) + "\n")


def measure(path: Path, home: Path, index: bool = True) -> dict:
    """One import of ``path`` into an empty archive, under bench.memory (with ``index`` false,
    ``--no-index``: reading and storing alone, without the indexer's processes)."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    arkhiv = Path(sys.executable).parent / "arkhiv"
    report = home.parent / f"{home.name}-memory.json"
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    env.pop("ARKHIV_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.memory",
            "--every",
            "0.2",
            "--out",
            str(report),
            "--",
            str(arkhiv),
            "import",
            "--no-progress",
            str(path),
            *([] if index else ["--no-index"]),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    match = _SUMMARY.search(done.stdout)
    if match is None:
        raise SystemExit(f"import of {path} failed: {done.stdout}\n{done.stderr[-2000:]}")
    memory = json.loads(report.read_text())
    added, seconds = int(match.group(1)), float(match.group(5))
    passed = [line for line in done.stdout.splitlines() if line.startswith("passed over")]
    shutil.rmtree(home, ignore_errors=True)
    return {
        "articles": added,
        "rejected": int(match.group(4)),
        "import_seconds": seconds,  # reading, extracting, storing
        "command_seconds": memory["seconds"],  # and indexing, and starting up
        "pages_per_second": added / seconds if seconds else 0.0,
        "peak_anon_mb": memory["peak_total_anon_mb"],
        "passed_over": passed[0] if passed else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--small", action="store_true", help="also a WARC of a fifth the pages")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    sizes = [args.pages // 5, args.pages] if args.small else [args.pages]
    results: dict[str, list[dict]] = {}
    for pages in sizes:
        warc = args.data / f"crawl-{pages}.warc.gz"
        jsonl = args.data / f"crawl-{pages}.jsonl"
        if not warc.exists() or not jsonl.exists():
            print(f"writing {warc} ({pages:,} pages)", file=sys.stderr)
            make_crawl(warc, jsonl, pages)
        for run in range(args.runs):
            for path in (warc, jsonl):  # alternately: the WARC and its peer
                for index in (True, False):
                    result = measure(path, args.data / "home-bench", index)
                    name = path.name + ("" if index else " --no-index")
                    results.setdefault(name, []).append(result)
                    print(f"run {run + 1} {name}: {json.dumps(result)}", file=sys.stderr)
    print(
        f"{'file':<37} {'MB':>6} {'articles':>8} {'pages/s':>8} {'import s':>9} "
        f"{'command s':>9} {'peak anon MB':>12}"
    )
    for name, runs in results.items():
        size = (args.data / name.split()[0]).stat().st_size / 1e6
        median = {
            k: statistics.median(r[k] for r in runs)
            for k in (
                "articles",
                "pages_per_second",
                "import_seconds",
                "command_seconds",
                "peak_anon_mb",
            )
        }
        print(
            f"{name:<37} {size:>6.0f} {median['articles']:>8,.0f} "
            f"{median['pages_per_second']:>8.1f} {median['import_seconds']:>9.1f} "
            f"{median['command_seconds']:>9.1f} {median['peak_anon_mb']:>12,.0f}"
        )
        if runs[0]["passed_over"]:
            print(f"  {runs[0]['passed_over']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
