"""How often an inflected Ukrainian form and its hand-checked lemma share an index term.

Usage::

    .venv/bin/python bench/lemmas.py /work/bruk-pairs.tsv [--misses N]

The input is a TSV of ``form<TAB>lemma`` lines (``#`` lines are comments). A pair is found when
``set(word_terms(form)) & set(word_terms(lemma))`` is not empty: a query with either word then
finds a text with the other. The script prints the share of pairs found and the pairs missed.
The issue asks for at least 99%.

The pairs are data we did not write and stay outside the repository. How the sample in
/work/bruk-pairs.tsv was gathered: BRUK, the Brown corpus of Ukrainian (github.com/brown-uk/corpus,
CC BY-NC-SA 4.0), keeps its hand-disambiguated texts in ``data/disambig/*.xml``, one
``<token value="розкрила" lemma="розкрити" tags="verb:perf:past:f" />`` per word (the files in
``data/good/`` are plain text, not tagged). From the first 16,000 characters of four of them,
three scientific texts (category G: Movchan 2010, Kuleba 2012, Karkovska 2010) and one press
column (category A: Pidvezianyi 2012), we took every token whose tags are not ``punct``,
``number`` or ``noninfl``, dropped those whose value equals the lemma ignoring case and the
hyphenated ones (the index splits words at hyphens, so those are never one term), and kept the
first occurrence of each distinct (form, lemma) pair, as BRUK's annotators wrote it: 370 pairs.
The analyser was not tuned on them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.analysis import word_terms  # noqa: E402  (needs the path above when run as a script)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        form, lemma = line.split("\t")[:2]
        pairs.append((form.strip(), lemma.strip()))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path, help="TSV of form<TAB>lemma")
    parser.add_argument("--misses", type=int, default=100, help="how many misses to list")
    args = parser.parse_args(argv)

    pairs = read_pairs(args.pairs)
    if not pairs:
        print(f"No pairs in {args.pairs}.", file=sys.stderr)
        return 1
    started = time.perf_counter()
    misses = [
        (form, lemma) for form, lemma in pairs if not set(word_terms(form)) & set(word_terms(lemma))
    ]
    elapsed = time.perf_counter() - started
    found = len(pairs) - len(misses)
    print(f"pairs: {len(pairs)}  found: {found}  share: {found / len(pairs):.2%}  ({elapsed:.1f}s)")
    for form, lemma in misses[: args.misses]:
        print(f"  miss: {form} -> {lemma}: {word_terms(form)} / {word_terms(lemma)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
