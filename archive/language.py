"""Language detection for articles that arrive without a ``language``.

langdetect is random by nature; a fixed seed makes it deterministic. Candidates are restricted to
the languages the archive expects (unrestricted, English titles come out French or Dutch).
Ukrainian and Russian share most letters, so letters only one of them has settle the question;
without such letters, a Cyrillic text whose words the Ukrainian dictionary (VESUM, via pymorphy3)
knows is Ukrainian. That is what short titles need: statistics over a few words are guesses.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from langdetect import DetectorFactory
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"

# Fewer letters than this and any guess is noise: such a text is marked undetermined.
MIN_LETTERS = 12
# ... but letters only one language has, or dictionary words, tell from this many letters.
MIN_SHORT_LETTERS = 5
# Below this probability the detector is not sure enough to be believed.
MIN_CONFIDENCE = 0.70
# Enough text to decide; longer texts only cost time.
MAX_CHARS = 3000

_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC_WORD = re.compile(r"[а-яіїєґё'’ʼ]+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яіїєґёыэъ]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
# Share of Cyrillic words the Ukrainian dictionary must know for the text to count as Ukrainian.
KNOWN_UKRAINIAN_SHARE = 0.8

_lock = threading.Lock()
_factory_ready = False


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


def _factory():
    global _factory_ready
    with _lock:
        if not _factory_ready:
            DetectorFactory.seed = 0
            init_factory()
            _factory_ready = True
    from langdetect import detector_factory

    return detector_factory._factory


@cache
def _ukrainian_dictionary():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk")


def _ukrainian_or_russian(sample: str) -> str | None:
    """``uk`` or ``ru`` when letters or the dictionary settle it for a Cyrillic text, else None."""
    has_uk, has_ru = bool(_UKRAINIAN_ONLY.search(sample)), bool(_RUSSIAN_ONLY.search(sample))
    if has_uk != has_ru:
        return "uk" if has_uk else "ru"
    if has_uk:  # both kinds of letters: a mixed text, let the statistics speak
        return None
    words = [w.lower() for w in _CYRILLIC_WORD.findall(sample)[:200] if len(w) > 1]
    if not words:
        return None
    dictionary = _ukrainian_dictionary()
    known = sum(1 for word in words if dictionary.word_is_known(word))
    return "uk" if known / len(words) >= KNOWN_UKRAINIAN_SHARE else None


def detect_language(text: str, candidates: tuple[str, ...] = ("uk", "en", "ru")) -> Detection:
    """The most likely of ``candidates`` for ``text``, or ``und`` when it cannot be told."""
    sample = text[:MAX_CHARS]
    letters = len(_LETTER.findall(sample))
    cyrillic = len(_CYRILLIC.findall(sample))
    decided = None
    if {"uk", "ru"} <= set(candidates) and cyrillic > len(_LATIN.findall(sample)):
        decided = _ukrainian_or_russian(sample)
    if letters < MIN_LETTERS:
        # Too short for statistics; only the letters or the dictionary can tell, given a few.
        if decided and letters >= MIN_SHORT_LETTERS:
            return Detection(decided, 1.0)
        return Detection(UNDETERMINED, 0.0)
    factory = _factory()
    known = [code for code in candidates if code in factory.langlist]
    if not known:
        return Detection(UNDETERMINED, 0.0)
    detector = factory.create()
    detector.set_prior_map({code: 1.0 for code in known})
    detector.append(sample)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return Detection(UNDETERMINED, 0.0)
    if not ranked:
        return Detection(UNDETERMINED, 0.0)
    best = ranked[0]
    language, confidence = best.lang, float(best.prob)
    if decided and language in ("uk", "ru"):
        # Statistics only had to tell Cyrillic from Latin; letters or the dictionary did the rest.
        language = decided
        confidence = sum(float(r.prob) for r in ranked if r.lang in ("uk", "ru"))
    if confidence < MIN_CONFIDENCE:
        return Detection(UNDETERMINED, round(confidence, 4))
    return Detection(language, round(confidence, 4))
