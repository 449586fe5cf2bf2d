"""Language detection for articles that arrive without a ``language``.

langdetect is random by nature; a fixed seed makes it deterministic. Candidates are restricted to
the languages the archive expects (unrestricted, English titles come out French or Dutch).
Ukrainian and Russian share most letters, so letters only one of them has settle the question.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from langdetect import DetectorFactory
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"

# Fewer letters than this and any guess is noise: such a text is marked undetermined.
MIN_LETTERS = 12
# Below this probability the detector is not sure enough to be believed.
MIN_CONFIDENCE = 0.70
# Enough text to decide; longer texts only cost time.
MAX_CHARS = 3000

_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_LETTER = re.compile(r"[^\W\d_]")

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


def detect_language(text: str, candidates: tuple[str, ...] = ("uk", "en", "ru")) -> Detection:
    """The most likely of ``candidates`` for ``text``, or ``und`` when it cannot be told."""
    sample = text[:MAX_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
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
    if {"uk", "ru"} <= set(known) and language in ("uk", "ru"):
        has_uk, has_ru = bool(_UKRAINIAN_ONLY.search(sample)), bool(_RUSSIAN_ONLY.search(sample))
        if has_uk != has_ru:
            decided = "uk" if has_uk else "ru"
            if decided != language:
                language, confidence = decided, max(confidence, 1.0 - confidence)
    if confidence < MIN_CONFIDENCE:
        return Detection(UNDETERMINED, round(confidence, 4))
    return Detection(language, round(confidence, 4))
