"""A stream of distinct searches, as many users make them: never the same query twice.

Single words are drawn evenly across the whole vocabulary of the real corpus (so rare words come
as often as common ones: most of a vocabulary is rare), pairs of words from one paragraph, in
Ukrainian and English; some narrowed to an outlet, some sorted newest first. Each search
asks for 20 highlighted hits and the five facets (the API always counts them).

    python -m bench.queries 1000 [--seed 0]     # prints the query strings, one a line
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import urllib.parse
from collections import Counter

from bench.corpus import load_pools

WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def vocabulary() -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Per language: every word of four letters or more (most frequent first), the paragraphs
    (pairs of words are taken from one paragraph, as people search for words that meet), and
    the busiest outlets."""
    found = {}
    for language, pool in load_pools().items():
        counts: Counter[str] = Counter()
        for text in [*pool.titles, *pool.paragraphs]:
            counts.update(word.lower() for word in WORD.findall(text))
        found[language] = ([w for w, _ in counts.most_common()], pool.paragraphs, pool.sources[:8])
    return found


def query_stream(count: int, seed: int = 0, uk_share: float = 0.3) -> list[dict[str, str]]:
    """``count`` distinct search parameter sets."""
    languages = vocabulary()
    rng = random.Random(seed)
    seen: set[tuple] = set()
    stream: list[dict[str, str]] = []
    while len(stream) < count:
        words, paragraphs, sources = languages["uk" if rng.random() < uk_share else "en"]
        if rng.random() < 0.6:
            terms = [rng.choice(words)]
        else:
            in_paragraph = WORD.findall(rng.choice(paragraphs).lower())
            if len(set(in_paragraph)) < 2:
                continue
            terms = rng.sample(sorted(set(in_paragraph)), 2)
        params = {"q": " ".join(terms), "per_page": "20"}
        if rng.random() < 0.2:
            params["source"] = rng.choice(sources)
        if rng.random() < 0.2:
            params["sort"] = "newest"
        key = tuple(sorted(params.items()))
        if key not in seen:
            seen.add(key)
            stream.append(params)
    return stream


def api_path(params: dict[str, str]) -> str:
    return "/api/search?" + urllib.parse.urlencode(params)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for params in query_stream(args.count, args.seed):
        print(api_path(params))
    return 0


if __name__ == "__main__":
    sys.exit(main())
