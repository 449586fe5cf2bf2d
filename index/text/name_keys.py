"""Name keys: one index term for every Latin spelling of a Ukrainian name or place.

`Kiev`, `Kyiv`, `Kyyiv` (BGN/PCGN), `Kyjiv` (scholarly), `Kiïv` (ISO 9) and «Київ» all get the
key ``kiv``; `Zelensky`, `Zelenskyy`, `Zelenskiy`, `Zelenskyi` and «Зеленський» the key
``zelenski``. A key is an index term like any other, one per name, so a search reads one posting
list for it whatever the romanisation (a term per system would make a query read one list per
system).

How a Latin word becomes its key (`latin_key`):

1. lowercase, a possessive ``'s`` off; a Russian-based press spelling that no file lists
   (Yuschenko, Glushchenko, Dnepropetrovsk) becomes its national one by rule
   (`index.text.russian.national_spelling`);
2. an older spelling of a place or person (``index/text/data/place_names.tsv``,
   ``person_names.tsv``: Kiev, Kharkov, Krivoy, Klitschko) is replaced by the official one;
3. a word written in the ISO 9 letters (ì ŝ ê û â or g̀) or the scholarly ones (č š ž, or
   the j of -yj, Kyjiv) is read back into the national system's digraphs (ISO 9: g h c j are
   г х ц й; scholarly: c x j are ц х й);
4. every letter but a-z goes (apostrophes, soft signs);
5. y becomes i, and a run of i's one i: the systems differ most in how they write и й ї є ю я
   (y, i, yi, iy, ye, ie, yu, iu...), and all of them agree once those are folded; zgh (the
   2010 system's зг) is zh, as every other system writes it (BGN/PCGN z·h, ISO 9 zg);
6. a key of fewer than three letters is no key: the word stands as it is (My stays my, not
   the key of «мій»).

A Cyrillic lemma's key is the key of its 2010 transliteration, with steps 4 to 6 only (its
transliteration is never an older spelling).

What the key deliberately does not fold, measured on the corpus vocabulary (``python -m
bench.name_keys collisions``): g with h (Hold would meet Gold, Hill Gill), doubled letters
(every capitalised word with one would add a term: Russia, rusia), w with v, and j outside the
scholarly and ISO 9 spellings (Major would meet Mayor, Beijing Being). The Russian g of a
person's name and the Russian form of a place are in the data files instead.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from index.text.name_files import older_words
from index.text.russian import national_spelling

_ISO9_MARKS = frozenset("ìŝêûâ\u0300")
_SCHOLARLY_MARKS = frozenset("čšžʹ")
# Where j is й or the iotation of ї є я ю in a scholarly spelling, and in (almost) no English
# word: Kyjiv, Mykolajiv, Vinnycja, Znamjanka, Feodosija, Hajdaj. Benjamin, Injury are read
# so too, which costs them a key of their own and joins nothing they did not mean.
_SCHOLARLY_J = re.compile(
    r"yj|[aeouy]ji|(?<!e)iji|ije|cj|[bdfklmnprstvz]j[aeiou]|ija$|\w{3}[aeo]j$"
)
_ISO9_LETTERS = {
    "g": "h",
    "h": "kh",
    "c": "ts",
    "j": "i",
    "ê": "ie",
    "ï": "i",
    "ì": "i",
    "û": "iu",
    "â": "ia",
    "č": "ch",
    "š": "sh",
    "ž": "zh",
    "ŝ": "shch",
    "\u0300": "",
}
_SCHOLARLY_LETTERS = {"x": "kh", "c": "ts", "j": "i", "č": "ch", "š": "sh", "ž": "zh", "ï": "i"}
# A key shorter than this is no key: the word keeps its own form (my, mii for мій, not "mi").
MIN_KEY = 3
_NOT_LATIN = re.compile(r"[^a-z]+")
_IOTA = re.compile(r"y")
_RUN_OF_I = re.compile(r"i{2,}")


def fold(latin: str) -> str:
    """Steps 4 and 5 of the key: a-z only, y as i, a run of i's one i, zgh as zh.

    >>> fold("zelenskyy"), fold("kyiv"), fold("yizhakevych")
    ('zelenski', 'kiv', 'izhakevich')
    """
    latin = _NOT_LATIN.sub("", latin).replace("zgh", "zh")
    return _RUN_OF_I.sub("i", _IOTA.sub("i", latin))


def _read_back(word: str) -> str:
    """ISO 9 and scholarly letters in the national system's digraphs.

    ISO 9 is told by its own marks, or by č š ž ʹ beside a g (the scholarly system writes г as
    h, and ґ, its g, is rare), or by the adjectival ending -ij (scholarly: -yj); the scholarly
    system by č š ž ʹ, by -yj, or by a j where no English word has one (`_SCHOLARLY_J`). Only
    there is j read as i: in English it is not (Major, Mayor; Jet, Yet)."""
    letters = set(word)
    scholarly_marks = not letters.isdisjoint(_SCHOLARLY_MARKS)
    adjective = len(word) > 4 and word.endswith(("ij", "yj"))
    iso9 = not letters.isdisjoint(_ISO9_MARKS) or (scholarly_marks and "g" in letters)
    if iso9 or (adjective and word.endswith("ij")):
        table = _ISO9_LETTERS
    elif scholarly_marks or adjective or _SCHOLARLY_J.search(word):
        table = _SCHOLARLY_LETTERS
    else:
        return word
    # ISO 9's g̀ is ґ, which the national system writes g.
    word = word.replace("g\u0300", "\x00")
    return "".join(table.get(char, char) for char in word).replace("\x00", "g")


@lru_cache(maxsize=1 << 16)
def official_spelling(word: str) -> str | None:
    """The official word for an older spelling (``Kiev`` -> ``kyiv``), lowercase; else None."""
    return older_words().get(_without_possessive(word.lower()))


def _without_possessive(lower: str) -> str:
    for ending in ("'s", "’s", "ʼs"):
        if lower.endswith(ending):
            return lower[: -len(ending)]
    return lower


@lru_cache(maxsize=1 << 18)
def latin_key(word: str) -> str:
    """The name key of a word written in Latin letters, in any romanisation.

    >>> latin_key("Kiev"), latin_key("Kyiv"), latin_key("Zelenskiy"), latin_key("Charkow")
    ('kiv', 'kiv', 'zelenski', 'kharkiv')
    """
    lower = _without_possessive(unicodedata.normalize("NFD", word.lower()))
    lower = unicodedata.normalize("NFC", lower)
    # A Russian-based spelling (Glushchenko, Dnepropetrovsk) stands for its national one.
    lower = national_spelling(lower) or lower
    official = older_words().get(lower)
    key = fold(official if official is not None else _decomposed_marks(_read_back(lower)))
    return key if len(key) >= MIN_KEY else lower


def _decomposed_marks(word: str) -> str:
    # Letters with marks no table reads (é, ü): their base letter.
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def transliteration_key(transliteration: str) -> str:
    """The name key of a Cyrillic lemma, given its 2010 transliteration.

    >>> transliteration_key("kyiv"), transliteration_key("zelenskyi")
    ('kiv', 'zelenski')
    """
    key = fold(transliteration.lower())
    return key if len(key) >= MIN_KEY else transliteration.lower()
