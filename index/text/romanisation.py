"""Ukrainian names in the other Latin spellings readers meet besides the national one of 2010.

Each system is a letter table (lowercase; case is put back as `index.text.transliteration` does) and
a few rules beyond it. Sources:

* ``bgn_pcgn``: BGN/PCGN romanization system for Ukrainian, 1965 (US Board on Geographic Names
  and the UK Permanent Committee on Geographical Names; the tables published by the PCGN,
  "Romanization of Ukrainian: BGN/PCGN 1965 System"). є ї й ю я are ye yi y yu ya everywhere,
  the soft sign is ’, the apostrophe ” (dropped here), зг is z·h. Kyyiv, L’viv, Zelens’kyy.
* ``scholarly``: the scientific (linguistic) transliteration used in Slavic studies (Library of
  Congress and ALA tables differ; this is the common one of the philological literature, as in
  the "Scientific transliteration of Cyrillic" tables): č š ž for ч ш ж, c for ц, x for х,
  j for й and the iotation of є ї ю я (je ji ju ja), y for и, h for г, g for ґ, ʹ for the soft
  sign. Kyjiv, Žytomyr, Lʹviv.
* ``iso9``: ISO 9:1995 (GOST 7.79-2000 system A), one Latin letter per Cyrillic letter:
  г g, ґ g̀, є ê, и i, і ì, ї ï, й j, х h, ц c, щ ŝ, ю û, я â, ь ʹ. Kiïv, Harkìv.
* ``press``: the Russian-based spellings the English-language press used for Ukrainian names
  before the national system spread (the BGN/PCGN system for *Russian* applied to the Ukrainian
  spelling, as AP and Reuters style did): г g, и i, і i, ї yi, є ye, й y, final -ий -y, final
  -ій -iy. Timoshenko, Zelensky. It cannot give the Russian forms of places (Kiev, Kharkov): those
  are in ``index/text/data/place_names.tsv``.

The 2010 national system itself is `index.text.transliteration.transliterate`.
"""

from __future__ import annotations

from collections.abc import Callable

from index.text.transliteration import transliterate

_COMMON: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "д": "d",
    "е": "e",
    "з": "z",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
}

BGN_PCGN: dict[str, str] = {
    **_COMMON,
    "г": "h",
    "ґ": "g",
    "є": "ye",
    "ж": "zh",
    "и": "y",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "’",
    "ю": "yu",
    "я": "ya",
}

SCHOLARLY: dict[str, str] = {
    **_COMMON,
    "г": "h",
    "ґ": "g",
    "є": "je",
    "ж": "ž",
    "и": "y",
    "і": "i",
    "ї": "ji",
    "й": "j",
    "х": "x",
    "ц": "c",
    "ч": "č",
    "ш": "š",
    "щ": "šč",
    "ь": "ʹ",
    "ю": "ju",
    "я": "ja",
}

ISO9: dict[str, str] = {
    **_COMMON,
    "г": "g",
    "ґ": "g\u0300",
    "є": "ê",
    "ж": "ž",
    "и": "i",
    "і": "ì",
    "ї": "ï",
    "й": "j",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "ш": "š",
    "щ": "ŝ",
    "ь": "ʹ",
    "ю": "û",
    "я": "â",
}

PRESS: dict[str, str] = {
    **_COMMON,
    "г": "g",
    "ґ": "g",
    "є": "ye",
    "ж": "zh",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "yu",
    "я": "ya",
}

_APOSTROPHES = frozenset("'’ʼ`‘")


def _by_table(table: dict[str, str], endings: dict[str, str], zh: str = "") -> Callable[[str], str]:
    def romanise(word: str) -> str:
        lower = word.lower()
        if zh:
            lower = lower.replace("зг", zh)
        for ending, latin_ending in endings.items():
            if lower.endswith(ending) and len(lower) > len(ending) + 1:
                stem = _letters(table, lower[: -len(ending)])
                return _recase(word, stem + latin_ending)
        return _recase(word, _letters(table, lower))

    return romanise


def _letters(table: dict[str, str], lower: str) -> str:
    return "".join(table.get(char, "" if char in _APOSTROPHES else char) for char in lower)


def _recase(word: str, latin: str) -> str:
    if word[:1].isupper() and latin:
        return latin[:1].upper() + latin[1:]
    return latin


# BGN/PCGN writes зг as z·h, to tell it from ж.
bgn_pcgn = _by_table(BGN_PCGN, {}, zh="z·h")
scholarly = _by_table(SCHOLARLY, {})
iso9 = _by_table(ISO9, {})
# -ий and -ій are adjectival endings of surnames and places; the press wrote them as in Russian.
press = _by_table(PRESS, {"ий": "y", "ій": "iy"})


def national(word: str) -> str:
    """The national system of 2010 (`index.text.transliteration`)."""
    return transliterate(word)


SYSTEMS: dict[str, Callable[[str], str]] = {
    "national_2010": national,
    "bgn_pcgn_1965": bgn_pcgn,
    "scholarly": scholarly,
    "iso9": iso9,
    "press": press,
}


def spellings(word: str) -> dict[str, str]:
    """The Ukrainian ``word`` in each system, by the system's name.

    >>> spellings("Київ")["bgn_pcgn_1965"], spellings("Зеленський")["press"]
    ('Kyyiv', 'Zelensky')
    """
    return {name: romanise(word) for name, romanise in SYSTEMS.items()}
