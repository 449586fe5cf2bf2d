"""How well the archive groups copies of one story: pair precision and recall on a test set.

The test set is made from the real corpus (``../shared/corpus``), deterministically for a seed:

* **originals**: real articles of four paragraphs or more;
* **reprints** of each original (1 to 4): what an outlet does to an agency story. A new headline
  (always), a line of the outlet's boilerplate at the top or the bottom, the last paragraph cut, a
  few words changed, another outlet, published hours to days later; each reprint gets a random
  subset of those edits (the headline always), and the edits are written down with it;
* **near-misses**: articles that quote one paragraph of an original inside a text of their own
  (paragraphs of corpus articles that are not imported), so they share that paragraph and nothing
  else;
* with ``--reworked``, each reprint is also given a shape (from a random stream of its own): as it
  is, **cut** to its first half or first 60% (the first paragraphs that hold that share of its
  words), **prefaced** with an outlet's own intro of 1 to 3 paragraphs, **cut and prefaced** (the
  first 60% under an intro of one paragraph), or **expanded** with as many words of the outlet's
  own as it has, its paragraphs placed among the story's. The outlets' own text is given out once
  (no two articles share it by chance), and a last paragraph is cut only when it holds at most 0.3
  of the story. The originals not quoted by a near-miss are then quoted by a short one: one
  paragraph of at most a quarter of the original inside only 2 or 3 paragraphs of its own, where
  much of the shorter text is the quote, and still no copy;
* **distractors**: the other corpus articles, unchanged.

Articles whose text overlaps another corpus article already (the corpus has a few real reprints of
its own) are left out, so that the truth is only what this script made. The truth: every pair of
articles of one original's group (the original and its reprints) is a copy pair; no other pair is.
The archive's answer: every pair of articles that the store puts in one cluster.

    python -m bench.copies [--seed 7] [--originals 200] [--home DIR] [--write FILE]

imports the set into an empty home (``arkhiv import --no-index``: detection happens while
storing), reads the clusters back from the store and prints precision, recall, the import time and
every missed or wrong pair with the edits that made it, and for how many stories every copy
names the story by its earliest-published member (who published first).

    python -m bench.copies --reworked [--seed 7]

the set with cut, prefaced and expanded reprints (see above).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bench.corpus import CorpusMissing, default_corpus_dir

ARKHIV = Path(sys.executable).parent / "arkhiv"
WORD = re.compile(r"\w+")
OVERLAP = 0.2  # exact shingle Jaccard above which two corpus articles count as copies already

BOILERPLATE = {
    "uk": [
        "Підписуйтеся на наш канал у Telegram, щоб першими дізнаватися новини.",
        "Передрук матеріалу дозволено лише з посиланням на джерело.",
        "Джерело: Укрінформ. Фото ілюстративне.",
        "Якщо ви помітили помилку, виділіть її та натисніть Ctrl+Enter.",
        "Читайте також: головні новини дня в нашій щоденній розсилці.",
    ],
    "en": [
        "This story was first published by our partner agency and is republished with permission.",
        "Sign up for our morning newsletter to get the day's top stories in your inbox.",
        "Follow us on social media for the latest updates on this story.",
        "Reporting by staff correspondents; editing by the news desk.",
        "Copyright the agency. All rights reserved. Republication requires written permission.",
    ],
}
OUTLETS = {
    "uk": ["Укрінформ", "Цензор.НЕТ", "Новинарня", "Дзеркало тижня", "ZAXID.NET", "Суспільне"],
    "en": ["Kyiv Independent", "Reuters Wire", "Daily Courier", "The Ledger", "Metro Post"],
}
HEADLINE_PREFIX = {
    "uk": ["Терміново:", "Новини:", "Оновлено:", "Важливо:", ""],
    "en": ["UPDATE:", "Breaking:", "Report:", "Analysis:", ""],
}


@dataclass
class TestSet:
    articles: list[dict]
    groups: list[list[str]]  # each original's id first, then its reprints' ids
    edits: dict[str, list[str]] = field(default_factory=dict)  # reprint id -> its edits
    near_misses: dict[str, str] = field(default_factory=dict)  # near-miss id -> quoted original
    first: dict[str, str] = field(default_factory=dict)  # each member -> its earliest-published

    def true_pairs(self) -> set[tuple[str, str]]:
        return {pair for group in self.groups for pair in _pairs(group)}


def _pairs(ids) -> set[tuple[str, str]]:
    return {tuple(sorted(pair)) for pair in itertools.combinations(ids, 2)}


def _paragraphs(article: dict) -> list[str]:
    return [p.strip() for p in (article.get("body") or "").split("\n\n") if p.strip()]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.casefold())
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def _share(paragraph: str, paragraphs: list[str]) -> float:
    """The part of the article's words that ``paragraph`` holds."""
    return len(paragraph.split()) / max(1, sum(len(p.split()) for p in paragraphs))


def _read_corpus(corpus: Path) -> list[dict]:
    files = sorted(corpus.glob("*.jsonl"))
    if not files:
        raise CorpusMissing(f"no corpus files in {corpus}")
    articles = []
    for path in files:
        with path.open(encoding="utf-8") as lines:
            articles.extend(json.loads(line) for line in lines if line.strip())
    return articles


def _without_overlaps(articles: list[dict]) -> list[dict]:
    """The articles, less every one whose text overlaps an earlier one's (exact Jaccard)."""
    kept: list[dict] = []
    sets: list[set] = []
    holders: dict[tuple, list[int]] = defaultdict(list)
    for article in articles:
        shingles = _shingles(article.get("body") or "")
        shared: dict[int, int] = defaultdict(int)
        for shingle in shingles:
            for other in holders.get(shingle, ()):
                shared[other] += 1
        jaccards = (n / max(1, len(shingles) + len(sets[o]) - n) for o, n in shared.items())
        if any(jaccard > OVERLAP for jaccard in jaccards):
            continue
        for shingle in shingles:
            holders[shingle].append(len(kept))
        sets.append(shingles)
        kept.append(article)
    return kept


def _changed_words(text: str, count: int, vocabulary: list[str], rng: random.Random) -> str:
    spans = [m.span() for m in WORD.finditer(text) if len(m.group()) > 3]
    for start, end in sorted(rng.sample(spans, min(count, len(spans))), reverse=True):
        text = text[:start] + rng.choice(vocabulary) + text[end:]
    return text


def _published(article: dict, rng: random.Random) -> datetime:
    text = str(article.get("published") or "")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        year = int(text[:4]) if text[:4].isdigit() else rng.randint(2004, 2024)
        return datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(6, 20))


def _first(paragraphs: list[str], share: float) -> list[str]:
    """The first paragraphs that hold at least ``share`` of the words (two at least)."""
    total = sum(len(p.split()) for p in paragraphs)
    counts = itertools.accumulate(len(p.split()) for p in paragraphs)
    keep = next(i for i, count in enumerate(counts, 1) if count >= share * total)
    return paragraphs[: max(2, keep)]


class OwnText:
    """Paragraphs of the outlets' own (from the filler, never imported), each given out once:
    two articles of the set never share text of their own by chance."""

    def __init__(self, paragraphs: list[str], rng: random.Random):
        self.left = list(dict.fromkeys(paragraphs))
        rng.shuffle(self.left)

    def take(self, count: int) -> list[str]:
        taken, self.left = self.left[:count], self.left[count:]
        if len(taken) < count:
            raise ValueError("the filler ran out of paragraphs of the outlets' own")
        return taken

    def words(self, count: int) -> list[str]:
        """Paragraphs until they hold ``count`` words."""
        taken: list[str] = []
        while sum(len(p.split()) for p in taken) < count:
            taken.extend(self.take(1))
        return taken


def _reshaped(
    paragraphs: list[str], own: OwnText, rng: random.Random
) -> tuple[list[str], str | None]:
    """A reprint's paragraphs cut, prefaced or expanded (or as they are), and what was done."""
    shape = rng.choice(["as it is", "cut", "cut", "prefaced", "cut and prefaced", "expanded"])
    if shape == "cut":
        share = rng.choice([0.5, 0.6])
        return _first(paragraphs, share), f"cut to the first {share:.0%}"
    if shape == "prefaced":
        intro = own.take(rng.randint(1, 3))
        return [*intro, *paragraphs], f"prefaced with {len(intro)} paragraphs of its own"
    if shape == "cut and prefaced":
        return [*own.take(1), *_first(paragraphs, 0.6)], "cut to 60% and prefaced"
    if shape == "expanded":
        added = own.words(sum(len(p.split()) for p in paragraphs))
        expanded = list(paragraphs)
        for paragraph in added:
            expanded.insert(rng.randint(1, len(expanded)), paragraph)
        return expanded, f"expanded with {len(added)} paragraphs of its own"
    return paragraphs, None


def build(corpus: Path, seed: int, originals: int, reworked: bool = False) -> TestSet:
    rng = random.Random(seed)
    shapes = random.Random(seed * 1_000_003 + 1)  # reworked reprints: a stream of their own
    pool = [
        a
        for a in _read_corpus(corpus)
        if len(_paragraphs(a)) >= 4 and len((a.get("body") or "").split()) >= 120
    ]
    rng.shuffle(pool)
    pool = _without_overlaps(pool)
    filler = pool[: len(pool) // 3]  # text for near-misses; never imported itself
    imported = pool[len(pool) // 3 :]
    chosen, distractors = imported[:originals], imported[originals:]
    vocabulary = {
        lang: [w for a in pool if a["language"] == lang for w in WORD.findall(a["title"])]
        for lang in ("uk", "en")
    }
    filler_paragraphs = {
        lang: [p for a in filler if a["language"] == lang for p in _paragraphs(a)]
        for lang in ("uk", "en")
    }
    own_text = {lang: OwnText(found, shapes) for lang, found in filler_paragraphs.items()}
    articles: list[dict] = []
    groups: list[list[str]] = []
    edits: dict[str, list[str]] = {}
    near_misses: dict[str, str] = {}
    for number, original in enumerate(chosen):
        lang = original["language"]
        when = _published(original, rng)
        base = dict(original, published=when.isoformat(timespec="minutes"))
        articles.append(base)
        group = [base["id"]]
        for copy in range(rng.randint(1, 4)):
            paragraphs = _paragraphs(original)
            done = ["new headline"]
            shape = None
            if reworked:
                paragraphs, shape = _reshaped(paragraphs, own_text[lang], shapes)
                done.extend([shape] if shape else [])
            cut = shape is not None and shape.startswith("cut")  # cut already: not again
            # A last paragraph is cut when it holds at most 0.3 of the story (not of the story
            # and an outlet's own text: that would cut half of a short story).
            story = _paragraphs(original) if reworked else paragraphs
            if rng.random() < 0.6 and _share(paragraphs[-1], story) <= 0.3 and not cut:
                paragraphs = paragraphs[:-1]
                done.append("last paragraph cut")
            if rng.random() < 0.8:
                changed = rng.randint(2, 8)
                at = rng.randrange(len(paragraphs))
                paragraphs[at] = _changed_words(paragraphs[at], changed, vocabulary[lang], rng)
                done.append(f"{changed} words changed")
            if rng.random() < 0.8:
                line = rng.choice(BOILERPLATE[lang])
                top = rng.random() < 0.5
                paragraphs = [line, *paragraphs] if top else [*paragraphs, line]
                done.append("boilerplate " + ("on top" if top else "at the end"))
            title_words = original["title"].split()
            if len(title_words) > 4:
                title_words = rng.sample(title_words, len(title_words) - 2)
            title = " ".join([rng.choice(HEADLINE_PREFIX[lang]), *title_words]).strip()
            reprint = {
                "id": f"reprint:{number}-{copy}",
                "title": title,
                "body": "\n\n".join(paragraphs),
                "language": lang,
                "published": (when + timedelta(hours=rng.randint(1, 96))).isoformat(
                    timespec="minutes"
                ),
                "source": rng.choice(OUTLETS[lang]),
                "authors": [],
                "tags": list(original.get("tags") or []),
            }
            articles.append(reprint)
            group.append(reprint["id"])
            edits[reprint["id"]] = done
        groups.append(group)
        # Every other original is also quoted by a near-miss: one paragraph of it, of at most a
        # quarter of its words.
        quotable = [p for p in _paragraphs(original) if _share(p, _paragraphs(original)) <= 0.25]
        if number % 2 == 0 and quotable:
            quoted = rng.choice(quotable)
            own = rng.sample(filler_paragraphs[lang], rng.randint(4, 7))
            if reworked:  # text of its own that no other article of the set has
                own = own_text[lang].take(len(own))
            own.insert(rng.randrange(1, len(own)), quoted)
            miss = {
                "id": f"quote:{number}",
                "title": rng.choice(vocabulary[lang]) + " " + rng.choice(vocabulary[lang]),
                "body": "\n\n".join(own),
                "language": lang,
                "published": (when + timedelta(days=rng.randint(1, 30))).isoformat(
                    timespec="minutes"
                ),
                "source": rng.choice(OUTLETS[lang]),
                "authors": [],
                "tags": [],
            }
            articles.append(miss)
            near_misses[miss["id"]] = original["id"]
        elif reworked and quotable:
            # A short quote: most of its text is the quote, but the quote is at most a quarter
            # of the original.
            own = own_text[lang].take(shapes.randint(2, 3))
            own.insert(shapes.randrange(1, len(own)), shapes.choice(quotable))
            miss = {
                "id": f"short-quote:{number}",
                "title": shapes.choice(vocabulary[lang]) + " " + shapes.choice(vocabulary[lang]),
                "body": "\n\n".join(own),
                "language": lang,
                "published": (when + timedelta(days=shapes.randint(1, 30))).isoformat(
                    timespec="minutes"
                ),
                "source": shapes.choice(OUTLETS[lang]),
                "authors": [],
                "tags": [],
            }
            articles.append(miss)
            near_misses[miss["id"]] = original["id"]
    articles.extend(distractors)
    rng.shuffle(articles)  # copies arrive before their originals as often as after
    members = {i for group in groups for i in group}
    published = {a["id"]: a["published"] for a in articles if a["id"] in members}
    first = {
        member: min(group, key=lambda i: (published[i], i)) for group in groups for member in group
    }
    return TestSet(articles, groups, edits, near_misses, first)


def import_set(test_set: TestSet, home: Path) -> float:
    """Store the set into ``home`` with detection on; returns the seconds the import took."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        for article in test_set.articles:
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    env = dict(os.environ, ARKHIV_HOME=str(home))
    started = time.perf_counter()
    subprocess.run(
        [str(ARKHIV), "import", "--no-progress", "--no-index", out.name], check=True, env=env
    )
    seconds = time.perf_counter() - started
    os.unlink(out.name)
    return seconds


def stored_clusters(home: Path, ids: list[str]) -> dict[str, str]:
    """Each article's story as the store says (its own id when it has no copies)."""
    from archive.config import load_settings
    from archive.stores import open_store

    os.environ["ARKHIV_HOME"] = str(home)
    with open_store(load_settings()) as store:
        return store.clusters(ids)


def found_pairs(clusters: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, cluster in clusters.items():
        members[cluster].append(article_id)
    return {pair for group in members.values() for pair in _pairs(group)}


def evaluate(test_set: TestSet, clusters: dict[str, str]) -> dict:
    found = found_pairs(clusters)
    truth = test_set.true_pairs()
    hits = truth & found
    wrong, missed = sorted(found - truth), sorted(truth - found)
    quoted = set(test_set.near_misses.items())
    return {
        "articles": len(test_set.articles),
        "groups": len(test_set.groups),
        "true_pairs": len(truth),
        "found_pairs": len(found),
        "precision": round(len(hits) / len(found), 4) if found else 1.0,
        "recall": round(len(hits) / len(truth), 4) if truth else 1.0,
        "near_misses": len(quoted),
        "near_misses_joined": sum(1 for a, b in wrong if (a, b) in quoted or (b, a) in quoted),
        # Stories all of whose copies name it by its earliest-published member.
        "first_right": sum(
            1 for group in test_set.groups if all(clusters[m] == test_set.first[m] for m in group)
        ),
        "wrong": [[a, b] for a, b in wrong],
        "missed": [
            [a, b, test_set.edits.get(a, []) + test_set.edits.get(b, [])] for a, b in missed
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=default_corpus_dir())
    parser.add_argument("--home", type=Path, help="an empty folder to import into (default: temp)")
    parser.add_argument("--write", type=Path, help="also write the set as JSON lines here")
    parser.add_argument(
        "--reworked", action="store_true", help="add cut, prefaced and expanded reprints"
    )
    args = parser.parse_args()
    try:
        test_set = build(args.corpus, args.seed, args.originals, args.reworked)
    except CorpusMissing as exc:
        sys.exit(f"bench.copies: {exc}")
    if args.write:
        with args.write.open("w", encoding="utf-8") as out:
            for article in test_set.articles:
                out.write(json.dumps(article, ensure_ascii=False) + "\n")
    home = args.home or Path(tempfile.mkdtemp(prefix="arkhiv-copies-"))
    try:
        seconds = import_set(test_set, home)
        result = evaluate(test_set, stored_clusters(home, [a["id"] for a in test_set.articles]))
    finally:
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)
    result["import_seconds"] = round(seconds, 2)
    print(
        f"{result['articles']} articles, {result['groups']} stories with reprints, "
        f"{result['near_misses']} near-misses; stored in {seconds:.1f} s"
    )
    print(
        f"pairs: {result['true_pairs']} true, {result['found_pairs']} found; "
        f"precision {result['precision']:.3f}, recall {result['recall']:.3f}; "
        f"near-misses joined to what they quote: {result['near_misses_joined']}"
    )
    print(
        f"first published right (every copy names the story by its earliest member): "
        f"{result['first_right']} of {result['groups']} stories"
    )
    for a, b in result["wrong"]:
        print(f"  wrong: {a} ~ {b}")
    for a, b, done in result["missed"]:
        print(f"  missed: {a} ~ {b} ({'; '.join(done)})")


if __name__ == "__main__":
    main()
