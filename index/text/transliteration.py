"""Ukrainian to Latin transliteration by the official table of 2010.

Cabinet of Ministers of Ukraine, resolution No. 55 of 27 January 2010. It is the spelling
of Ukrainian names in passports and on road signs, and so the spelling English-language news
most often uses for Ukrainian people and places (Kyiv, Kharkiv, Olha Hlushchenko). The index
adds it to Cyrillic words so that a name typed in either script finds the other.

Rules beyond the letter table: є ї й ю я are Ye Yi Y Yu Ya at the start of a word and
ie i i iu ia elsewhere; зг is zgh (Zghorany, not Zhorany); the soft sign and the apostrophe
are not written.
"""

from __future__ import annotations

# Letters after the first letter of a word. Lowercase only: case is put back afterwards.
_LETTERS: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
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
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
}

# The same letters as the first letter of a word.
_INITIAL: dict[str, str] = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

# Every apostrophe a Ukrainian text uses between letters; none is transliterated.
_APOSTROPHES = frozenset("'’ʼ`‘")


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def transliterate(text: str) -> str:
    """Transliterate the Ukrainian letters of `text`; other characters are kept as they are.

    >>> transliterate("Знам’янка")
    'Znamianka'
    """
    out: list[str] = []
    previous = ""  # the previous source character, to tell the start of a word
    n = len(text)
    for i, char in enumerate(text):
        lower = char.lower()
        if lower not in _LETTERS:
            # An apostrophe is dropped only inside a Ukrainian word: not in English "don't",
            # nor when it closes a quotation (‘Ялта’).
            inside_word = i + 1 < n and text[i + 1].isalpha() and _is_cyrillic(previous or " ")
            if not (char in _APOSTROPHES and inside_word):
                out.append(char)
            previous = char
            continue
        # An apostrophe continues a word only after a letter: «Знам’янка», but ‘Ялта’.
        at_start = not previous.isalpha() and not (
            previous in _APOSTROPHES and i >= 2 and text[i - 2].isalpha()
        )
        if lower == "г" and previous.lower() == "з":
            latin = "gh"
        elif at_start and lower in _INITIAL:
            latin = _INITIAL[lower]
        else:
            latin = _LETTERS[lower]
        if char != lower and latin:
            # An uppercase letter inside an uppercase word (ЩУКА, ЮНЕСКО) stays all capitals;
            # otherwise only its first Latin letter is a capital (Щ -> Shch).
            following = text[i + 1] if i + 1 < n else ""
            neighbour = following if following.isalpha() else previous
            if neighbour.isalpha() and neighbour.isupper():
                latin = latin.upper()
            else:
                latin = latin[0].upper() + latin[1:]
        out.append(latin)
        previous = char
    return "".join(out)
