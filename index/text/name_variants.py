"""What `arkhiv analyze` shows of a name: its key, official spelling, Ukrainian name, and its
spelling in each romanisation (`index.text.romanisation`) and in the older press (the name
files)."""

from __future__ import annotations

from functools import cache
from typing import Any

from index.text.analysis import normalize_word, word_terms
from index.text.name_files import Name, names
from index.text.name_keys import fold, latin_key, transliteration_key
from index.text.romanisation import spellings
from index.text.transliteration import transliterate


@cache
def names_by_key() -> dict[str, tuple[Name, int]]:
    """Each official word's key to its name and the word's place in it (rih: Kryvyi Rih, 1)."""
    found: dict[str, tuple[Name, int]] = {}
    for name in names():
        for place, word in enumerate(name.official.replace("-", " ").split()):
            found.setdefault(fold(word.lower()), (name, place))
    return found


def name_variants(word: str) -> dict[str, Any] | None:
    """The variants of a capitalised word as a name, or None for a word without a capital.

    >>> name_variants("Kiev")["ukrainian"], name_variants("Київ")["spellings"]["iso9"]
    ('Київ', 'Kiïv')
    """
    if not word[:1].isupper():
        return None
    normalized = normalize_word(word)
    if not normalized:
        return None
    if "\u0400" <= normalized[:1] <= "\u052f":
        # Of the lemmas of an ambiguous form (Києві: кий, київ), a known name's first.
        lemmas = [term for term in word_terms(word) if "\u0400" <= term[:1] <= "\u052f"]
        lemma = next((lemma for lemma in lemmas if _lemma_key(lemma) in names_by_key()), lemmas[0])
        ukrainian = lemma[:1].upper() + lemma[1:]
        official = transliterate(ukrainian)
        key = transliteration_key(official)
    else:
        key = latin_key(word)
        known = names_by_key().get(key)
        if known is None:
            return {"key": key, "official": None, "ukrainian": None, "spellings": {}, "older": []}
        name, place = known
        ukrainian = name.ukrainian.replace("-", " ").split()[place]
        official = name.official.replace("-", " ").split()[place]
    known = names_by_key().get(key)
    older = list(known[0].older) if known else []
    return {
        "key": key,
        "official": official,
        "ukrainian": ukrainian,
        "spellings": spellings(ukrainian),
        "older": older,
    }


def _lemma_key(lemma: str) -> str:
    return transliteration_key(transliterate(lemma))
