"""How well articles are taken from news pages: body precision, recall and F1, per language, for
Arkhiv's extractor (:func:`archive.extraction.extract_article`) against trafilatura's defaults
(``trafilatura.extract(page, url=url)``) on the same pages.

The measure is the one of the Article Extraction Benchmark (scrapinghub/article-extraction-
benchmark, ``evaluate.py``): each text is cut into shingles of 4 word tokens; per page, true
positives, false positives and false negatives over the shingles, normalised so that a long page
weighs as much as a short one; precision and recall are means over pages; F1 is their harmonic
mean. When the benchmark's own ``evaluate.py`` is there, the bench checks that it gives the same
numbers.

- English: the Article Extraction Benchmark's 181 pages of real news sites with their article
  text labelled by people (its ``html/`` and ``ground-truth.json``), copied outside the repository:
  ``--english DIR`` (default ``$ARKHIV_BENCH_DATA/pages/article-extraction-benchmark``). Skipped,
  saying so, when it is absent.
- Ukrainian: pages built for this bench from the real Ukrainian articles of the corpus
  (``../shared/corpus``: BRUK's press section and «Наші гроші»), each rendered into one of five page
  templates with the furniture of real news sites (:mod:`bench.news_pages`); the label is the
  article's text as the corpus has it. Written once to ``--ukrainian DIR`` (default
  ``$ARKHIV_BENCH_DATA/pages/uk-pages``), in the benchmark's layout, so anyone can read them.

    python -m bench.extraction [--english DIR] [--ukrainian DIR] [--pages 300] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura

from archive.extraction import NotAnArticle, extract_article
from bench.corpus import default_corpus_dir
from bench.news_pages import TEMPLATES, Other, render
from bench.run import BENCH_DATA

DATA = BENCH_DATA / "pages"
ENGLISH = DATA / "article-extraction-benchmark"
UKRAINIAN = DATA / "uk-pages"
_TOKEN = re.compile(r"\w+", re.UNICODE)


# -- the benchmark's measure ------------------------------------------------------------------
def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def page_scores(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles of one page, normalised to sum to 1."""
    truth, found = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in truth.keys() | found.keys():
        t, p = truth.get(key, 0), found.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Precision, recall (means over pages) and F1 of (label, extracted) pairs."""
    counts = [page_scores(true, pred) for true, pred in pairs]
    precision = statistics.mean(_precision(*c) for c in counts if c[0] + c[1] > 0)
    recall = statistics.mean(_recall(*c) for c in counts if c[0] + c[2] > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pages": len(pairs), "f1": f1, "precision": precision, "recall": recall}


# -- the page sets ----------------------------------------------------------------------------
def make_ukrainian(out: Path, count: int, seed: int = 20) -> None:
    """``count`` Ukrainian corpus articles rendered into the templates, in turn, with their
    labels: ``html/<key>.html.gz``, ``ground-truth.json`` (``articleBody``, ``url``), and
    ``pages.json`` (each page's template and Content-Type header)."""
    corpus = default_corpus_dir()
    articles = []
    for name in ("uk-bruk-press.jsonl", "uk-nashi-groshi.jsonl"):
        with open(corpus / name, encoding="utf-8") as lines:
            articles.extend(json.loads(line) for line in lines if line.strip())
    rng = random.Random(seed)
    rng.shuffle(articles)
    chosen, rest = articles[:count], articles[count:]
    others = [Other(a["title"], a["body"]) for a in rest]
    (out / "html").mkdir(parents=True, exist_ok=True)
    truth, pages = {}, {}
    for number, article in enumerate(chosen):
        template = TEMPLATES[number % len(TEMPLATES)]
        key = f"uk-{number:04d}-{template}"
        url = f"https://news{number % 7}.example.org/news/{number}.html"
        article = {**article, "language": "uk"}
        html, content_type = render(article, others, template, rng, url)
        (out / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html))
        label = "\n".join(p.strip() for p in article["body"].split("\n") if p.strip())
        truth[key] = {"articleBody": label, "url": url}
        pages[key] = {"template": template, "content_type": content_type, "id": article["id"]}
    (out / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    (out / "pages.json").write_text(json.dumps(pages, indent=1))
    (out / "README.md").write_text(
        "Pages generated by bench/extraction.py from the Ukrainian articles of Arkhiv's corpus "
        "(BRUK press, «Наші гроші»; CC BY-NC-SA 4.0), rendered into the page templates of "
        "bench/news_pages.py. Labels: ground-truth.json (articleBody = the corpus text).\n"
    )


def _evaluate_py(root: Path):
    spec = importlib.util.spec_from_file_location("aeb_evaluate", root / "evaluate.py")
    if spec is None or spec.loader is None or not (root / "evaluate.py").exists():
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_set(root: Path, headers: dict[str, str] | None = None) -> dict:
    """Both extractors over one page set in the benchmark's layout."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    ours, theirs, quiet = {}, {}, {}
    seconds = {"arkhiv": 0.0, "trafilatura": 0.0}
    not_articles = 0
    for key, item in truth.items():
        page = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        content_type = (headers or {}).get(key)
        started = time.perf_counter()
        try:
            ours[key] = extract_article(page, item["url"], content_type=content_type)["body"]
        except NotAnArticle:
            ours[key] = ""
            not_articles += 1
        seconds["arkhiv"] += time.perf_counter() - started
        started = time.perf_counter()
        theirs[key] = trafilatura.extract(page, url=item["url"]) or ""
        seconds["trafilatura"] += time.perf_counter() - started
        # The one switch of trafilatura's that Arkhiv sets (a comment is not the article):
        # what the rest of Arkhiv's reading adds shows against this.
        quiet[key] = trafilatura.extract(page, url=item["url"], include_comments=False) or ""
    labels = {key: item.get("articleBody", "") for key, item in truth.items()}
    result = {
        "arkhiv": scores([(labels[k], ours[k]) for k in truth]),
        "trafilatura defaults": scores([(labels[k], theirs[k]) for k in truth]),
        "trafilatura without comments": scores([(labels[k], quiet[k]) for k in truth]),
        "not_articles": not_articles,
        "pages_per_second": {
            name: round(len(truth) / spent, 1) for name, spent in seconds.items() if spent
        },
    }
    official = _evaluate_py(root)
    if official is not None:  # the benchmark's own code, on the same extractions
        for name, found in (("arkhiv", ours), ("trafilatura defaults", theirs)):
            check = official.evaluate(truth, {k: {"articleBody": v} for k, v in found.items()}, 2)
            assert abs(check["f1"] - result[name]["f1"]) < 1e-9, (name, check["f1"])
        result["measure"] = "checked against the benchmark's own evaluate.py"
    result["_pairs"] = (labels, ours, theirs, quiet)
    return result


def _print(title: str, result: dict) -> None:
    print(f"\n{title}")
    print(f"  {'extractor':<30} {'pages':>5}  {'F1':>6}  {'precision':>9}  {'recall':>6}")
    for name in ("arkhiv", "trafilatura defaults", "trafilatura without comments"):
        s = result[name]
        print(
            f"  {name:<30} {s['pages']:>5}  {s['f1']:>6.4f}  {s['precision']:>9.4f}"
            f"  {s['recall']:>6.4f}"
        )
    print(f"  pages/s: {result['pages_per_second']}; no article found: {result['not_articles']}")
    if "measure" in result:
        print(f"  measure {result['measure']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--english", type=Path, default=ENGLISH)
    parser.add_argument("--ukrainian", type=Path, default=UKRAINIAN)
    parser.add_argument("--pages", type=int, default=300, help="Ukrainian pages to make")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args(argv)
    results: dict[str, dict] = {}

    if (args.english / "ground-truth.json").exists():
        results["en"] = run_set(args.english)
        _print(f"English: Article Extraction Benchmark ({args.english})", results["en"])
    else:
        print(
            f"English: skipped, the Article Extraction Benchmark is not at {args.english} "
            "(copy github.com/scrapinghub/article-extraction-benchmark there: html/, "
            "ground-truth.json, evaluate.py)"
        )

    if not (args.ukrainian / "ground-truth.json").exists():
        if not (default_corpus_dir() / "uk-bruk-press.jsonl").exists():
            print(f"Ukrainian: skipped, the corpus is not at {default_corpus_dir()}")
        else:
            make_ukrainian(args.ukrainian, args.pages)
    if (args.ukrainian / "ground-truth.json").exists():
        pages = json.loads((args.ukrainian / "pages.json").read_text())
        headers = {key: page["content_type"] for key, page in pages.items()}
        results["uk"] = run_set(args.ukrainian, headers)
        _print(f"Ukrainian: corpus articles in page templates ({args.ukrainian})", results["uk"])
        labels, *found = results["uk"]["_pairs"]
        print("  by template, F1 of arkhiv / trafilatura defaults / trafilatura without comments:")
        for template in TEMPLATES:
            keys = [k for k, p in pages.items() if p["template"] == template]
            f1s = [scores([(labels[k], texts[k]) for k in keys])["f1"] for texts in found]
            print(
                f"    {template:<10} {len(keys):>4} pages  " + " / ".join(f"{f:.4f}" for f in f1s)
            )
    for result in results.values():
        result.pop("_pairs", None)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
