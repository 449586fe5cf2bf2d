"""What one article's copy signature costs (archive.copies.signature), timed over the real corpus.

    .venv/bin/python -m bench.signature_cost [--corpus ../shared/corpus]

Prints the articles, their average words, and the best of five passes per article; the first
pass (a fresh process: the character table and the powers are built) is shown apart.
"""

from __future__ import annotations

import argparse
import json
import timeit
from pathlib import Path

from archive import copies
from archive.word_hashes import word_hashes
from bench.corpus import default_corpus_dir


def texts(corpus: Path) -> list[str]:
    found = []
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                found.append(copies.article_text(record.get("body"), record.get("summary")))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signature_cost")
    parser.add_argument("--corpus", type=Path, default=default_corpus_dir())
    args = parser.parse_args(argv)
    articles = texts(args.corpus)

    def sign_all() -> None:
        for text in articles:
            copies.signature(text)

    first = timeit.timeit(sign_all, number=1)
    best = min(timeit.repeat(sign_all, number=1, repeat=5))
    words = sum(len(word_hashes(text)) for text in articles) / len(articles)
    print(
        f"{len(articles):,} articles, {words:.0f} words on average: "
        f"{best / len(articles) * 1e3:.3f} ms per article (best of 5; "
        f"first pass {first / len(articles) * 1e3:.3f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
