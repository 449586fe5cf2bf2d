"""Whether a journalist's name, typed as words, finds their articles.

For the most frequent authors of a corpus file, their name is searched as a reader types it, in
Cyrillic and in the national (2010) romanisation, and the articles of theirs found are counted
against those they wrote; "first" counts theirs among the top results (as many as they wrote),
so a name that is also a word (Мельник, "miller") shows whether their own articles rank first.

    python -m bench.bylines --home /tmp/corpus-home [--corpus uk-bruk-press.jsonl] [--top 10]

The home holds the corpus imported (``arkhiv import ../shared/corpus/*.jsonl``). It uses only
the search library's public entry points, so it runs on the code before a change too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "uk-bruk-press.jsonl"
PAGE = 100


def authors_of(corpus: Path) -> dict[str, set[str]]:
    """Each author of the corpus file and the ids of the articles they wrote."""
    written: dict[str, set[str]] = {}
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            authors = record.get("authors") or record.get("author") or []
            for author in [authors] if isinstance(authors, str) else authors:
                written.setdefault(author, set()).add(str(record["id"]))
    return written


def most_frequent(written: dict[str, set[str]], top: int) -> list[str]:
    counts = Counter({author: len(ids) for author, ids in written.items()})
    return [a for a, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]]


def found(index, q: str, theirs: set[str]) -> tuple[int, int, int]:
    """(articles of theirs found, of theirs among the first len(theirs) results, results)."""
    from index.searching.request import request_from_mapping

    ranked: list[str] = []
    page, total = 1, None
    while total is None or len(ranked) < total:
        answer = index.search(
            request_from_mapping({"q": q, "per_page": PAGE, "page": page, "collapse": "0"})
        )
        total = int(answer["total"])
        ranked += [hit["id"] for hit in answer["hits"]]
        if not answer["hits"]:
            break
        page += 1
    return len(theirs & set(ranked)), len(theirs & set(ranked[: len(theirs)])), total


def measure(home: Path, corpus: Path, top: int) -> list[dict]:
    from archive.store import Store
    from index.searching.search import SearchIndex
    from index.text.romanisation import national

    written = authors_of(corpus)
    index = SearchIndex(home / "index", Store(home / "archive.sqlite3"))
    rows = []
    try:
        for author in most_frequent(written, top):
            theirs = written[author]
            latin = " ".join(national(word) for word in author.split())
            for script, q in (("Cyrillic", author), ("national", latin)):
                hits, first, total = found(index, q, theirs)
                rows.append(
                    {
                        "author": author,
                        "script": script,
                        "q": q,
                        "wrote": len(theirs),
                        "found": hits,
                        "first": first,
                        "results": total,
                    }
                )
    finally:
        index.close()
    return rows


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| typed | wrote | found | theirs first | results |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['q']} | {row['wrote']} | {row['found']} | {row['first']} | {row['results']} |"
        )
    for script in ("Cyrillic", "national"):
        chosen = [r for r in rows if r["script"] == script]
        wrote = sum(r["wrote"] for r in chosen)
        lines.append(
            f"| **all, {script}** | {wrote} | {sum(r['found'] for r in chosen)} | "
            f"{sum(r['first'] for r in chosen)} | |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="an archive with the corpus")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a JSONL with authors")
    parser.add_argument("--top", type=int, default=10, help="how many authors (most articles)")
    parser.add_argument("--json", action="store_true", help="one JSON object per row instead")
    args = parser.parse_args(argv)
    if not (args.home / "index").is_dir():
        print(f"no archive at {args.home} (import the corpus there first)", file=sys.stderr)
        return 2
    rows = measure(args.home, args.corpus, args.top)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    else:
        print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
