"""Russian spellings of Ukrainian names and places: «Киеве» is «Київ», ``Yuschenko`` is
``Yushchenko``.

Much of what Ukrainian media published before 2022 was in Russian, and readers still type the
Russian forms. A capitalised Russian word is read as the Ukrainian word it stands for, so that it
gets the Ukrainian word's terms and name key (`index.text.name_keys`):

1. A word is Russian when it has a letter Ukrainian has not (ы э ё ъ), or when the Ukrainian
   dictionary does not know it (or knows it only as a surname: Львов) and the Russian one does
   (pymorphy3's Russian dictionary, which pymorphy3 installs; loaded on the first such word).
   Only a name counts: a parse tagged as a place (Geox), a surname, a first name or a
   patronymic, or a place adjective (-ский, -цкий). Other Russian words keep the analysis they
   had: a sentence's first word is not a name.
2. The Russian lemma (Киеве, Киева: киев) is written the Ukrainian way by rule
   (`ukrainian_candidates`): ы и, э е, ё о/ьо/йо, ъ an apostrophe, е after a vowel є, -ск -цк
   -ский -цкий -ськ -цьк -ський -цький, рь before a consonant р; in a place name also the closed
   syllable's о and е as і (Киев Київ, Харьков Харків, Львов Львів, Чернигов Чернігів,
   Днепропетровск Дніпропетровськ), -ье as -жжя/-ззя... with і before (Запорожье Запоріжжя), and a
   doubled consonant single (Одесса Одеса). Where the closed syllable's vowel or the double letter
   is uncertain, the variants are tried against the Ukrainian dictionary: the first it knows as a
   nominative (and for a place, not only as a person's name) wins, the deterministic one
   first; when it knows none, the letters are made Ukrainian and the vowels left (Ростов).
   Persons keep their vowels (Лавров is Лавров in Ukrainian, not Лаврів); only и may be і.
3. What no rule can know is in the name files (``index/text/data/place_names.tsv``,
   ``person_names.tsv``) under the name's Russian-based Latin spelling (Nikolaev for Миколаїв,
   Dnepr for Дніпро, Rovno for Рівне): the Russian lemma and the word, written in that spelling
   (`russian_latin`), are looked up there. A name listed wins over the rule's word, unless that
   word is itself a former name the file lists: Днепропетровск is Дніпропетровськ (the region)
   and Дніпро (the city), and gets the terms of both.

A Latin word in the Russian-based press spelling (``Yuschenko``, ``Glushchenko``,
``Dnepropetrovsk``, ``Chernigov``) is read back into Russian letters (`russian_letters`: sch and
shch щ, kh х, g г, ye е...), and when the Russian dictionary knows that as a name, it goes the
same way; its national (2010) spelling is what the index holds for it (`national_spelling`):
Glushchenko is Hlushchenko, Dnepropetrovsk Dnipropetrovsk (whose key the place file makes that of
Dnipro, the city's name since 2016: the historic name finds both). Only a word with a Slavic
shape is looked at (shch, zh, kh, ts, yu, ya, ye, or a surname's or place's ending: -enko, -sk,
-ov...), read as a Russian nominative the Ukrainian dictionary then knows; a word with a letter
or pair of letters Russian-based spelling never writes (c outside ch, h outside kh zh ch sh,
j q w x, th) is not: German stays German (not Герман), Marshall Marshall, Gold Gold. Measured on
the corpus vocabulary (``python -m bench.name_keys collisions``), no two Latin words share a key
they did not share before.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from index.text.morphology import russian_morph, ukrainian_morph

RUSSIAN_LETTERS = frozenset("ыэёъ")
_VOWELS = frozenset("аеиоуыэюяіїєё")
_CONSONANTS = frozenset("бвгджзйклмнпрстфхцчшщ")
_LABIALS_AND_R = frozenset("бпвмфр")
# Tags of the Russian parses that are names; a place first: Николаев is the city before the
# surname, Львов the city before the genitive plural of лев.
_NAME_TAGS = ("Geox", "Surn", "Name", "Patr")
_PERSON_TAGS = frozenset({"Surn", "Name", "Patr"})
# The closed-syllable and double-letter variants tried against the dictionary, at most.
_MAX_UNCERTAIN = 4

# Russian to Latin as the English-language press wrote it (BGN/PCGN for Russian, AP and Reuters
# style): the spelling the name files list the Russian forms under.
_RUSSIAN_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

# The same, read back: longest first.
_LATIN_RUSSIAN = [
    ("shch", "щ"), ("sch", "щ"), ("kh", "х"), ("zh", "ж"), ("ch", "ч"), ("sh", "ш"), ("ts", "ц"),
    ("ye", "е"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("a", "а"), ("b", "б"), ("v", "в"),
    ("g", "г"),
    ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"),
]  # fmt: skip
_LATIN_RUSSIAN_RE = re.compile("|".join(latin for latin, _ in _LATIN_RUSSIAN) + "|y")
_LATIN_RUSSIAN_MAP = dict(_LATIN_RUSSIAN)
# What Russian-based spelling never writes: such a word is not looked at.
# What only a Slavic name looks like in Latin letters: letter pairs English spells no sound with
# (shch, zh, kh, yu...), or the ending of a Ukrainian or Russian surname or place. A word without
# any is not read as Russian: German is not Герман, Marshall not маршал, Gold not Голд.
_SLAVIC_SHAPE = re.compile(
    r"shch|sch|zh|kh|ts|yu|ya|ye"
    r"|(?:enko|chuk|iuk|ko|sk|sky|skiy|skyi|ska|skaya|ov|ev|ovich|evich|ych|ivka|ovka|evka|grad"
    r"|gorod|pol)$"
)
_NOT_RUSSIAN_LATIN = re.compile(r"[^a-z]|[jqwx]|c(?!h)|(?<![kzcs])h|th|oo|ou|ea")


def russian_latin(russian: str) -> str:
    """A lowercase Russian word in the Russian-based Latin spelling of the English press.

    >>> russian_latin("запорожье"), russian_latin("кривой")
    ('zaporozhye', 'krivoy')
    """
    out: list[str] = []
    previous = ""
    for char in russian:
        if char == "е" and previous in ("ь", "ъ"):
            out.append("ye")
        else:
            out.append(_RUSSIAN_LATIN.get(char, char))
        previous = char
    return "".join(out)


def russian_letters(latin: str) -> str | None:
    """A lowercase Latin word in the Russian-based spelling read back into Russian letters, or
    None when no Russian word is spelled so.

    >>> russian_letters("yuschenko"), russian_letters("zaporozhye"), russian_letters("gold")
    ('ющенко', 'запорожье', 'голд')
    """
    if len(latin) < 4 or _NOT_RUSSIAN_LATIN.search(latin):
        return None
    out: list[str] = []
    for match in _LATIN_RUSSIAN_RE.finditer(latin):
        letters = match.group()
        end = match.end()
        previous = out[-1][-1:] if out else ""
        if letters == "y":
            # -y and -iy of an adjective are -ий (Zelensky, Khmelnitskiy), -yy -ый; y after a
            # vowel is й (Krivoy), between consonants ы (Krym is not Russian-based: Крым).
            if end == len(latin) and previous in ("и", "ы"):
                out[-1] = "ы" if previous == "ы" else "и"
                out.append("й")
            elif end == len(latin) and previous in _CONSONANTS:
                out.append("ий")
            elif previous in _VOWELS:
                out.append("й")
            else:
                out.append("ы")
        elif letters == "ye" and previous in _CONSONANTS:
            out.append("ье")  # Zaporozhye: Запорожье
        else:
            out.append(_LATIN_RUSSIAN_MAP[letters])
    return "".join(out)


def _name_parse(word: str, nominative: bool = False) -> tuple[str, str] | None:
    """The lemma of a Russian word read as a name, and what it names: ``place`` (a place or a
    place adjective) or ``person``; None when the Russian dictionary knows no name so spelled
    (or, with ``nominative``, none whose lemma it is)."""
    morph = russian_morph()
    if not morph.word_is_known(word):
        return None
    parses = morph.parse(word)
    if nominative:
        parses = [parse for parse in parses if parse.normal_form == word]
    for tag in _NAME_TAGS:
        for parse in parses:
            if tag in parse.tag.grammemes:
                return parse.normal_form, "place" if tag == "Geox" else "person"
    for parse in parses:
        if parse.tag.POS == "ADJF" and parse.normal_form.endswith(("ский", "цкий")):
            return parse.normal_form, "place"
    return None


def russian_place(word: str) -> bool:
    """The Russian dictionary knows a lowercase word as (a form of) a place's name."""
    parsed = _name_parse(word)
    return parsed is not None and parsed[1] == "place"


def is_russian(word: str) -> bool:
    """A lowercase Cyrillic word is Russian: a letter of Russian only, or a word that the
    Russian dictionary knows and the Ukrainian one does not."""
    if not RUSSIAN_LETTERS.isdisjoint(word):
        return True
    return not ukrainian_morph().word_is_known(word) and russian_morph().word_is_known(word)


def _letters(lemma: str) -> str:
    out: list[str] = []
    previous = ""
    for char in lemma:
        if char == "ё":
            char = "о" if previous in "жчшщ" else "ьо" if previous in _CONSONANTS else "йо"
        elif char == "ъ":
            char = "'"
        elif char == "ы":
            char = "и"
        elif char == "э":
            char = "е"
        elif char == "е" and (not previous or previous in _VOWELS or previous in "ьъ"):
            char = "є"
        elif char == "и" and previous in _VOWELS:
            char = "ї"  # Украина Україна: after a vowel Ukrainian writes ї
        out.append(char)
        previous = char[-1]
    word = "".join(out)
    # р is hard at a syllable's end in Ukrainian: Харьков Харків, Игорь Ігор.
    word = re.sub(r"рь(?=[бвгджзклмнпрстфхцчшщ]|$)", "р", word)
    word = re.sub(r"ьє$", "'є", word)
    return word


def _adjective_and_place_endings(word: str, place: bool) -> str:
    for russian, ukrainian in (("ский", "ський"), ("цкий", "цький"), ("ской", "ський")):
        if word.endswith(russian):
            word = word[: -len(russian)] + ukrainian
            break
    else:
        if word.endswith(("ск", "цк")):
            word = word[:-1] + "ьк"
    if not place:
        return word
    # -ье of a neuter place: a doubled consonant and я, its vowel і (Запорожье Запоріжжя,
    # Полесье Полісся), or an apostrophe after a labial or р (Поморье Помор'я).
    match = re.search(r"([аеиоу])([бвгджзклмнпрстфхцчшщ])(ь'є|'є|ьє|ье)$", word)
    if match:
        vowel, consonant = match.group(1), match.group(2)
        if consonant in _LABIALS_AND_R:
            word = word[: match.start(3)] + "'я"
        else:
            vowel = "і" if vowel in "ое" else vowel
            word = word[: match.start(1)] + vowel + consonant * 2 + "я"
    return word


def ukrainian_candidates(lemma: str, place: bool) -> list[str]:
    """The Ukrainian spellings a Russian lemma may stand for, the deterministic one first; for
    a place, also with the closed syllable's о or е as і, и as і, and a double consonant single.

    >>> ukrainian_candidates("киев", True)[0], ukrainian_candidates("харьков", True)[0]
    ('київ', 'харків')
    """
    word = _adjective_and_place_endings(_letters(lemma), place)
    if not place:
        # A person keeps the vowels: only и may be і (Путин Путін).
        return _variants(word, vowels=False)
    found: list[str] = []
    # The closed final syllable of a Ukrainian place: -ов -ев are -ів -їв (Харків, Київ, Львів),
    # also before an adjective's -ськ- (Харківський); but not in a place outside Ukraine
    # (Ростов) nor inside a stem (Дніпропетровський): both are tried, -ів first.
    match = re.search(r"([аеиоуіїєюя]?)(о|є|е)в(ський|)$", word)
    if match:
        i = "ї" if match.group(1) else "і"
        found += _variants(word[: match.start(2)] + i + "в" + match.group(3))
    return list(dict.fromkeys(found + _variants(word)))


def _variants(word: str, vowels: bool = True) -> list[str]:
    # Places where a vowel may be і: е and о in a closed syllable (before two consonants), и
    # anywhere (и and і are one letter to the key: only the dictionary cares). A double letter
    # may be single (Одесса Одеса, Черкассы Черкаси).
    uncertain = [
        i
        for i, char in enumerate(word)
        if (char == "и" and i > 0)
        or (
            vowels
            and char in "ео"
            and i + 2 < len(word)
            and word[i + 1] in _CONSONANTS
            and word[i + 2] in _CONSONANTS
            and word[i + 1] != word[i + 2]
        )
    ][:_MAX_UNCERTAIN]
    doubles = [
        i for i in range(1, len(word)) if vowels and word[i] == word[i - 1] and word[i] in "сл"
    ]
    found = [word]
    for choice in itertools.product((False, True), repeat=len(uncertain)):
        letters = list(word)
        for position, to_i in zip(uncertain, choice, strict=True):
            if to_i:
                letters[position] = "і"
        for single in (False, True) if doubles else (False,):
            spelled = letters
            if single:
                spelled = [c for i, c in enumerate(letters) if i not in doubles]
            found.append("".join(spelled))
    return list(dict.fromkeys(found))


def _known_nominative(word: str, place: bool) -> bool:
    """The Ukrainian dictionary knows ``word`` as a lemma; for a place, not only as a person's
    name (Ніколаєв is a surname, the city Миколаїв)."""
    morph = ukrainian_morph()
    if not morph.word_is_known(word):
        return False
    return any(
        parse.normal_form == word
        and "Dist" not in parse.tag.grammemes  # a misspelling the dictionary knows (Украіна)
        and not (place and _PERSON_TAGS & parse.tag.grammemes)
        for parse in morph.parse(word)
    )


@lru_cache(maxsize=1 << 14)
def ukrainian_words(word: str, nominative: bool = False) -> tuple[str, ...]:
    """The Ukrainian words (lowercase lemmas) a lowercase Russian word form names, the rule's
    first and then the one the name files list for its Russian-based Latin spelling; () when it
    is no Russian name.

    >>> ukrainian_words("киеве"), ukrainian_words("николаев"), ukrainian_words("город")
    (('київ',), ('миколаїв',), ())
    """
    from index.text.name_files import older_words, ukrainian_of_official
    from index.text.transliteration import transliterate

    parsed = _name_parse(word, nominative)
    if parsed is None:
        return ()
    lemma, kind = parsed
    place = kind == "place"
    candidates = ukrainian_candidates(lemma, place)
    ruled = next((c for c in candidates if _known_nominative(c, place)), None)
    listed = None
    for spelled in (russian_latin(lemma), russian_latin(word)):
        official = older_words().get(spelled)
        if official is not None:
            listed = ukrainian_of_official().get(official)
            break
    # The file knows better (Днепр is Дніпро, not the dictionary's дніпр), unless the rule's
    # word is itself a former name the file lists: Днепропетровск is Дніпропетровськ, the
    # region's name, and the file's Дніпро, the city's since 2016.
    if (
        listed is not None
        and ruled is not None
        and listed != ruled
        and transliterate(ruled).lower() not in older_words()
    ):
        return (listed,)
    if ruled is None:
        # No spelling of the rule's is a Ukrainian word: the file's name, else the letters made
        # Ukrainian and the vowels left as they are (a place outside Ukraine keeps its -ов).
        return (listed or _adjective_and_place_endings(_letters(lemma), place),)
    return tuple(dict.fromkeys(w for w in (ruled, listed) if w))


@lru_cache(maxsize=1 << 16)
def national_spelling(latin: str) -> str | None:
    """The national (2010) spelling, lowercase, of a lowercase Latin word written in the
    Russian-based press spelling of a name, or None.

    >>> national_spelling("glushchenko"), national_spelling("dnepropetrovsk")
    ('hlushchenko', 'dnipropetrovsk')
    """
    from index.text.transliteration import transliterate

    if not _SLAVIC_SHAPE.search(latin):
        return None
    russian = russian_letters(latin)
    if russian is None:
        return None
    # The press wrote a name's nominative: Ukraine is no Russian form of Украина, Maria none of
    # Мария.
    words = ukrainian_words(russian, nominative=True)
    if not words or not ukrainian_morph().word_is_known(words[0]):
        return None  # only a Ukrainian word the dictionary knows: no guess from Latin letters
    if "g" in latin and ukrainian_morph().word_is_known(words[0].replace("г", "ґ")):
        return None  # the national system's g, ґ: Galagan is Ґалаґан
    national = transliterate(words[0]).lower()
    return None if national == latin else national
