"""The name files (``data/place_names.tsv``, ``data/person_names.tsv``): each place and person by
its Ukrainian name, its official (2010) Latin spelling and the older spellings the press used
(Kiev, Kharkov, Krivoy Rog, Klitschko). Read once per process."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
NAME_FILES = ("place_names.tsv", "person_names.tsv")
_WORD_SPLIT = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Name:
    """One row of the name files: a place or a person."""

    ukrainian: str
    official: str
    older: tuple[str, ...]
    kind: str


@cache
def names() -> tuple[Name, ...]:
    """Every row of the name files, in file order."""
    rows: list[Name] = []
    for file_name in NAME_FILES:
        with open(DATA / file_name, encoding="utf-8", newline="") as handle:
            lines = (line for line in handle if line.strip() and not line.startswith("#"))
            for row in csv.DictReader(lines, delimiter="\t"):
                older = tuple(s.strip() for s in (row["older"] or "").split(";") if s.strip())
                rows.append(Name(row["ukrainian"], row["official"], older, row["kind"]))
    return tuple(rows)


@cache
def older_words() -> dict[str, str]:
    """Each word of an older spelling, lowercase, to the official word it stands for.

    A name of several words maps word by word (krivoy -> kryvyi, rog -> rih). Raises ValueError
    when the files map one word to two official words, or a name's words cannot be paired."""
    found: dict[str, str] = {}
    for name in names():
        official = _WORD_SPLIT.split(name.official.lower())
        for older in name.older:
            words = _WORD_SPLIT.split(older.lower())
            if len(words) == len(official):
                pairs = zip(words, official, strict=True)
            elif len(words) == 1:
                pairs = iter([(words[0], "".join(official))])
            else:
                raise ValueError(f"{older!r} cannot be paired word by word with {name.official!r}")
            for word, official_word in pairs:
                if word == official_word:
                    continue
                if found.setdefault(word, official_word) != official_word:
                    raise ValueError(
                        f"{word!r} stands for both {found[word]!r} and {official_word!r}"
                    )
    return found


@cache
def ukrainian_of_official() -> dict[str, str]:
    """Each official word of the name files, lowercase, to its Ukrainian word, lowercase
    (kyiv: київ; kryvyi: кривий, rih: ріг)."""
    found: dict[str, str] = {}
    for name in names():
        official = _WORD_SPLIT.split(name.official.lower())
        ukrainian = _WORD_SPLIT.split(name.ukrainian.lower())
        if len(official) == len(ukrainian):
            for official_word, ukrainian_word in zip(official, ukrainian, strict=True):
                found.setdefault(official_word, ukrainian_word)
    return found
