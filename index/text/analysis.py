"""Text analysis for the archive's search index: words to index terms, Ukrainian and English.

Every word is analysed by its own script, whatever the language of the article:

* normalisation first (`normalize_word`): NFC, stress marks off, every apostrophe made ASCII
  ``'`` (the form pymorphy3's Ukrainian dictionary spells «п'ять», «сім'я» with; with ’ or ʼ it
  knows neither), Latin look-alike letters inside a Cyrillic word made Cyrillic and the reverse,
  lowercase;
* a Cyrillic word gives every distinct lemma pymorphy3 finds for it (all parses, not only the
  first: the DESIGN measured 94.8% against 99.6% of form/lemma pairs found on BRUK), with ґ
  folded to г as Lucene's Ukrainian analyser does; a word written with a capital (a name, a
  place, an outlet; a sentence-initial word too, which costs a little) also gives the official
  Latin transliteration of each lemma, so that «Глущенко» and "Hlushchenko" share a term;
* a Latin word gives its Snowball English stem, and, when written with a capital, also its
  lowercase form if that differs from the stem ("Hlushchenko", "Yurii" keep the form a
  transliteration spells);
* a word with no letters (a number) is kept as it is.

Those are the *index* terms (`word_terms`): what the index holds for a word of a text. A word of
a query looks for more (`query_terms`): the index terms of the word as typed and of the word
with a capital, so a lowercase «глущенко» or "hlushchenko" still meets the transliterated terms
of the capitalised names in the texts. Lowercase words of a text, most of them, get no
transliteration: 1.42 terms per token before this rule, fewer after.

All terms of a word are indexed at the word's position, so phrase queries still work, and carry
the word's character offsets, so highlighting marks the word as it was written.

`word_terms` is the hot path of indexing: it is cached per word as written, and its cold path per
normalised word, because an archive repeats a few hundred thousand word types over and over.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

import Stemmer
from whoosh.analysis import CompositeAnalyzer, Filter, RegexTokenizer, Token

from index.text.morphology import russian_morph, ukrainian_morph
from index.text.name_keys import latin_key, transliteration_key
from index.text.russian import (
    RUSSIAN_LETTERS,
    national_spelling,
    russian_place,
    ukrainian_words,
)
from index.text.transliteration import transliterate

__all__ = [
    "ANALYSER_VERSION",
    "NormalizeFilter",
    "WordTermsFilter",
    "analyze",
    "arkhiv_analyzer",
    "clear_caches",
    "normalize_word",
    "query_terms",
    "tokenize",
    "word_terms",
    "word_tokenizer",
]

ANALYSER_VERSION = 3
"""The version of the terms `word_terms` gives, kept in each index build's state: an index written
by another version holds other terms, and says so (`arkhiv check`, a notice on each search) until
``arkhiv reindex``. 1: a capitalised word's transliteration or lowercase form; 2: its name key
(`index.text.name_keys`); 3: a Russian name's Ukrainian terms and key, a Russian-based
Latin spelling's national ones (`index.text.russian`), ї for і where the dictionary knows only
that."""

APOSTROPHE = "'"
"""The one apostrophe of index terms: the ASCII one, as pymorphy3's Ukrainian dictionary has it."""

# ’ and ʼ are the typographic and the "letter" apostrophe, ‘ ` ´ ʻ are what people type
# for them on keyboards without one.
_APOSTROPHES = "'\u2019\u02bc`\u2018\u00b4\u02bb"

# Marks that may sit inside a word without ending it: combining marks (stress, or a decomposed
# й ї), the soft hyphen and zero-width characters that editors leave in pasted text.
_IN_WORD_MARKS = "\u0300-\u036f\u00ad\u200b-\u200d\u2060"
_DROPPED = {ord(c): None for c in "\u0301\u0300\u00ad\u200b\u200c\u200d\u2060"}

# A word: letters and digits, with marks inside and single apostrophes between letters.
# ʼ (U+02BC) counts as a letter for \w, so it is kept out of the first character. Written as
# an unrolled loop (letters, then any number of mark-or-apostrophe and letters), which is half
# again as fast as the plain alternation: tokenizing is a third of the cost of indexing a word.
_START = r"[^\W_\u02bc]"
WORD_PATTERN = rf"{_START}[^\W_]*(?:(?:[{_IN_WORD_MARKS}]+|[{_APOSTROPHES}](?={_START}))[^\W_]*)*"
_WORD_RE = re.compile(WORD_PATTERN)
WORD_RE = _WORD_RE  # what a word is, for those who find words without analysing them
APOSTROPHES = _APOSTROPHES  # every apostrophe a word may be written with
IN_WORD_MARKS = _IN_WORD_MARKS  # the marks a word may hold (a character class's body)

_CYRILLIC_RE = re.compile(r"[\u0400-\u052f]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")

# Look-alikes, as they are before lowercasing: some look alike only as capitals (B/В, H/Н).
_LATIN_TO_CYRILLIC = str.maketrans(
    "ABCEHIKMOPTXYaceiopxykÏï",
    "АВСЕНІКМОРТХУасеіорхукЇї",
)
_CYRILLIC_TO_LATIN = str.maketrans(
    "АВСЕНІКМОРТХУасеіорхукЇї",
    "ABCEHIKMOPTXYaceiopxykÏï",
)

# Letters after which Ukrainian spelling writes ї, not і.
_BEFORE_YI = frozenset("аеєиіїоуюя'")
_NAME_TAGS = frozenset({"Surn", "Name", "Patr"})

# Shortest lemma worth a transliterated term: the Latin forms of short Ukrainian function words
# are English words (ми -> my, то -> to, до -> do, он -> on) and would make English queries
# match every Ukrainian article.
_MIN_TRANSLITERATED = 3


def _stress_free_table() -> dict[int, str]:
    """Precomposed letters that carry a stress mark (ѝ, ѐ, á) mapped to the bare letter."""
    table: dict[int, str] = {ord(a): APOSTROPHE for a in _APOSTROPHES}
    for start, end in ((0x00C0, 0x0250), (0x0400, 0x0530), (0x1E00, 0x1F00)):
        for code in range(start, end):
            decomposed = unicodedata.normalize("NFD", chr(code))
            if len(decomposed) == 2 and decomposed[1] in "\u0301\u0300":
                table[code] = decomposed[0]
    return table


_STRESS_FREE = _stress_free_table()


@lru_cache(maxsize=1 << 18)
def normalize_word(word: str) -> str:
    """One word made comparable: NFC, no stress marks, one apostrophe, one script, lowercase.

    >>> normalize_word("Заві\u0301дувач"), normalize_word("пʼять"), normalize_word("Kиїв")
    ('завідувач', "п'ять", 'київ')
    """
    if word.isascii():
        return word.lower().replace("`", APOSTROPHE)
    # Stress marks go before composing, or NFC would make и + U+0300 the letter ѝ.
    word = unicodedata.normalize("NFC", word.translate(_DROPPED)).translate(_STRESS_FREE)
    cyrillic = len(_CYRILLIC_RE.findall(word))
    latin = len(_LATIN_RE.findall(word))
    if cyrillic and latin:
        if cyrillic > latin:
            word = word.translate(_LATIN_TO_CYRILLIC)
        elif latin > cyrillic:
            word = word.translate(_CYRILLIC_TO_LATIN)
    return word.lower().strip(APOSTROPHE)


def tokenize(text: str) -> Iterator[tuple[int, int, int, str]]:
    """Yield ``(position, startchar, endchar, word)`` for each word of `text`, as written.

    Words are runs of letters and digits; an apostrophe between letters stays inside the word
    («п’ять», "Ukraine's"), hyphens and all other punctuation separate words.
    """
    for position, match in enumerate(_WORD_RE.finditer(text)):
        start, end = match.span()
        yield position, start, end, text[start:end]


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def english_stem(word: str) -> str:
    """The Snowball English stem of a lowercase word."""
    return _stemmer().stemWord(word)


def _unique(terms: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(terms))


def _intended_word(word: str, capital: bool, parses: list) -> str | None:
    """The word a form stands for when the Ukrainian dictionary does not know it as itself, or
    None: the Ukrainian word of a Russian name (Киеве: київ, `index.text.russian`), or the word with
    ї where і was typed for it (the Ukrainian layout's ї key is out on the right, and the
    dictionary knows «Украіна» only as a distortion of «Україна»). Only an і at a word's start
    or after a vowel or an apostrophe may be ї: Ukrainian spelling writes ї there and і almost
    nowhere else."""
    if word.isascii():
        return None
    russian_letters = not RUSSIAN_LETTERS.isdisjoint(word)
    known = not russian_letters and ukrainian_morph().word_is_known(word)
    distorted = known and all("Dist" in parse.tag.grammemes for parse in parses)
    if known and not distorted:
        # Known as a surname too (Львов, Львове), it is the Russian name of a place if Russian
        # has one.
        if not capital or not any(_NAME_TAGS & parse.tag.grammemes for parse in parses):
            return None
        if not russian_place(word):
            return None
    if capital and (russian_letters or known or russian_morph().word_is_known(word)):
        named = ukrainian_words(word)
        if named:
            return " ".join(named)
    if "і" not in word or russian_letters or (known and not distorted):
        return None
    places = [i for i, c in enumerate(word) if c == "і" and (i == 0 or word[i - 1] in _BEFORE_YI)]
    tried = [word[:i] + "ї" + word[i + 1 :] for i in places[:2]]
    if len(places) == 2:
        tried.append("".join("ї" if i in places else c for i, c in enumerate(word)))
    return next((intended for intended in tried if ukrainian_morph().word_is_known(intended)), None)


def _ukrainian_terms(word: str, capital: bool) -> tuple[str, ...]:
    parses = ukrainian_morph().parse(word)
    intended = _intended_word(word, capital, parses)
    if intended is not None:
        terms: list[str] = []
        for each in intended.split():
            if ukrainian_morph().word_is_known(each):
                terms += _dictionary_terms(each, capital, ukrainian_morph().parse(each))
            else:
                # A Russian name's Ukrainian form that the dictionary lacks (Путин: путин) is a
                # lemma already (the Russian dictionary's): the predictor's guesses add nothing.
                terms += [each, transliteration_key(transliterate(each))]
        return _unique(terms)
    return _dictionary_terms(word, capital, parses)


def _dictionary_terms(word: str, capital: bool, parses: list) -> tuple[str, ...]:
    # pymorphy3 orders parses by likelihood, so the first lemma is the primary term. Words the
    # dictionary lacks still get lemmas from its suffix predictor, which is what lets an unknown
    # surname («Коропчишина», «Коропчишиною») meet its nominative.
    lemmas = list(dict.fromkeys(parse.normal_form for parse in parses))
    terms = [lemma.replace("ґ", "г") for lemma in lemmas]
    if not capital:
        return _unique(terms)
    # The transliteration follows the spelling of the word: the official table writes ґ as g
    # (Ґалаґан -> Galagan), but the ґ-lemmas pymorphy3 offers for г-words (гарантія, ґарантія)
    # would only add a second Latin spelling nobody writes.
    terms += [
        transliteration_key(transliterate(lemma))
        for lemma in lemmas
        if len(lemma) >= _MIN_TRANSLITERATED and ("ґ" not in lemma or "ґ" in word)
    ]
    return _unique(terms)


def _english_terms(word: str, capital: bool) -> tuple[str, ...]:
    # A capitalised word also gets its name key, in place of the word as written: a romanised
    # name ("Hlushchenko", "Kiev", "Zelensky") must meet the key of the Ukrainian lemma, which
    # the stemmer may have cut.
    if not capital:
        return (_stemmer().stemWord(word),)
    # A Russian-based spelling is indexed as the national one it stands for: Glushchenko as
    # Hlushchenko, Dnepropetrovsk as Dnipropetrovsk (`index.text.russian`).
    stem = _stemmer().stemWord(national_spelling(word) or word)
    key = latin_key(word)
    return (stem, key) if key and key != stem else (stem,)


@lru_cache(maxsize=1 << 18)
def _normalized_word_terms(word: str, capital: bool) -> tuple[str, ...]:
    cyrillic = len(_CYRILLIC_RE.findall(word))
    latin = len(_LATIN_RE.findall(word))
    if cyrillic > latin or (cyrillic and cyrillic == latin and _CYRILLIC_RE.match(word)):
        return _ukrainian_terms(word, capital)
    if latin:
        return _english_terms(word, capital)
    return (word,)


# Terms of each word as written. A plain dict, not lru_cache: this lookup runs for every token
# of every article, and the dict is a fifth faster. It is emptied when full so that a stream of
# junk queries cannot grow it without end; an archive's own vocabulary stays well below.
_WORD_TERMS: dict[str, tuple[str, ...]] = {}
_WORD_TERMS_LIMIT = 1 << 19


def word_terms(word: str) -> tuple[str, ...]:
    """All index terms of one word as written, the primary (likeliest) term first.

    >>> word_terms("Києва"), word_terms("києва")
    (('київ', 'kyiv'), ('київ',))
    """
    terms = _WORD_TERMS.get(word)
    if terms is None:
        normalized = normalize_word(word)
        terms = _normalized_word_terms(normalized, word[:1].isupper()) if normalized else ()
        if len(_WORD_TERMS) >= _WORD_TERMS_LIMIT:
            _WORD_TERMS.clear()
        _WORD_TERMS[word] = terms
    return terms


# The terms of a word if it was analysed before (and is still cached), else None. The dict's own
# ``get``: snippets ask it for every word they show.
analysed = _WORD_TERMS.get


@lru_cache(maxsize=1 << 16)
def query_terms(word: str) -> tuple[str, ...]:
    """The terms a query word looks for: the index terms of the word as typed and of the word
    with a capital (so «глущенко» meets the transliteration of «Глущенко»), primary first.

    >>> query_terms("києва")
    ('київ', 'kyiv')
    """
    return tuple(dict.fromkeys(word_terms(word) + word_terms(word[:1].upper() + word[1:])))


@lru_cache(maxsize=1 << 14)
def inflected_forms(lemma: str) -> frozenset[str]:
    """Every form of the Ukrainian ``lemma`` (an index term, so ґ written г) that the dictionary
    knows, lowercase: what a word must look like to have that lemma."""
    forms: set[str] = set()
    for parse in ukrainian_morph().parse(lemma):
        if parse.normal_form.replace("ґ", "г") == lemma:
            forms.update(form.word for form in parse.lexeme)
    return frozenset(forms)


def clear_caches() -> None:
    """Forget every cached analysis (for measurements of the cold path)."""
    _WORD_TERMS.clear()
    query_terms.cache_clear()
    _normalized_word_terms.cache_clear()
    normalize_word.cache_clear()


def analyze(text: str, language: str | None = None) -> list[dict]:
    """One ``{"token": word as written, "terms": [...]}`` per word of `text`: the index terms.

    `language` is accepted for the API's sake and does not change anything: each word is
    analysed by its script, since Ukrainian articles quote English names and the reverse.
    """
    return [{"token": word, "terms": list(word_terms(word))} for _, _, _, word in tokenize(text)]


class NormalizeFilter(Filter):
    """Replace each token's text by `normalize_word` of it."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = normalize_word(token.text)
            yield token


class WordTermsFilter(Filter):
    """Replace each word by all its `query_terms`, routed by script, at the word's position.

    The analyzer serves queries (Whoosh parses phrases with it); the index is written from
    `word_terms` directly. The same token object is yielded once per term, as Whoosh's own
    filters do, so position, character offsets and boost of every term are those of the word as
    written.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            for term in query_terms(token.text):
                token.text = term
                yield token


def word_tokenizer() -> RegexTokenizer:
    """Whoosh tokenizer that splits text into the same words as `tokenize`."""
    return RegexTokenizer(_WORD_RE)


def arkhiv_analyzer() -> CompositeAnalyzer:
    """The analyzer of the archive's text fields: the query terms of each word (see
    `WordTermsFilter`)."""
    return word_tokenizer() | WordTermsFilter()
