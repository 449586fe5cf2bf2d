"""What name keys cost and what they merge, on the real corpus (../shared/corpus).

    python -m bench.name_keys terms        # tokens, terms per token (runs on older code too)
    python -m bench.name_keys collisions   # words the key merges, with and without more folding

``collisions`` takes every capitalised Latin word of the corpus and every capitalised Cyrillic
word's lemmas, and lists the keys that several different words share: a Latin word with another
Latin word (Zelensky, Zelenskyy: meant; Ian, Jan: not) and a Latin word with a Cyrillic lemma
whose 2010 transliteration it is not (what a transliteration term alone did not join). The same
count for coarser folds the key does not make (g as h, doubled letters as one, w as v) says
what those would add.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_CYRILLIC = re.compile(r"[\u0400-\u052f]")


def texts(corpus: Path) -> Iterator[str]:
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                for name in ("title", "summary", "body"):
                    if record.get(name):
                        yield record[name]


def terms(corpus: Path) -> dict:
    from index.text.analysis import tokenize, word_terms

    tokens = total = 0
    for text in texts(corpus):
        for _, _, _, word in tokenize(text):
            tokens += 1
            total += len(word_terms(word))
    return {"tokens": tokens, "terms": total, "terms_per_token": round(total / tokens, 4)}


def _doubles(key: str) -> str:
    return re.sub(r"(.)\1+", r"\1", key)


COARSER: dict[str, Callable[[str], str]] = {
    "the key": lambda key: key,
    "+ g as h": lambda key: key.replace("kh", "h").replace("g", "h"),
    "+ doubled letters as one": _doubles,
    "+ w as v": lambda key: key.replace("w", "v"),
}


def collisions(corpus: Path, shown: int) -> dict:
    from index.text.analysis import normalize_word, tokenize, word_terms
    from index.text.name_keys import latin_key, transliteration_key
    from index.text.transliteration import transliterate

    latin: set[str] = set()
    lemmas: set[str] = set()
    for text in texts(corpus):
        for _, _, _, word in tokenize(text):
            if not word[:1].isupper() or word.isupper():
                continue
            normalized = normalize_word(word)
            if _CYRILLIC.match(normalized):
                lemmas.update(t for t in word_terms(word) if _CYRILLIC.match(t) and len(t) >= 3)
            elif normalized.isalpha() and normalized.isascii():
                latin.add(normalized)
    report = {"latin_words": len(latin), "cyrillic_lemmas": len(lemmas)}
    for label, coarser in COARSER.items():
        by_key: dict[str, set[str]] = defaultdict(set)
        for word in latin:
            by_key[coarser(latin_key(word))].add(word)
        latin_groups = sorted((sorted(g) for g in by_key.values() if len(g) > 1), key=len)
        across = []
        for lemma in lemmas:
            spelled = transliterate(lemma).lower()
            key = coarser(transliteration_key(spelled))
            others = sorted(w for w in by_key.get(key, ()) if w != spelled)
            if others:
                across.append([lemma, *others])
        report[label] = {
            "latin_words_sharing_a_key": sum(len(g) for g in latin_groups),
            "latin_keys_shared": len(latin_groups),
            "latin_examples": latin_groups[-shown:],
            "cyrillic_lemmas_meeting_other_latin_words": len(across),
            "cross_script_examples": sorted(across)[:shown],
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["terms", "collisions"])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--shown", type=int, default=40, help="examples listed per fold")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"bench: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    result = terms(args.corpus) if args.what == "terms" else collisions(args.corpus, args.shown)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
