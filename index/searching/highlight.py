"""Snippets: the best passage of a text with every matched form in ``<mark>``.

A word matches when any of its index terms is a term the query asked for, so «України» is marked
for a search of «Україна». Text is HTML-escaped piece by piece before marks are added, so nothing
in an article can inject markup.

Analysing every word of a hit (lemmas by pymorphy3) would make a search's cost follow the length
of its hits and the coldness of the lemma cache. Instead each query's terms are turned once into
what a matching word can look like (:class:`FormMatcher`): the inflected forms of each Ukrainian
lemma from the morphology dictionary, the first letters of every term, and for Latin terms (name
keys among them) the first letters of the name key of a capitalised word: a Cyrillic word's
transliteration («Києві»: kievi, for the key ``kiv`` of «Київ»), a Latin word's own key (Kyiv for
a search of Kiev). Only the few words of a text that look like that are analysed, so marks are
exactly those of the index's analysis.

The words of a hit's text are found all at once from arrays (:mod:`index.text.word_bounds`), and
the passage is chosen over the array of which words match: no Python runs per word of the text.
"""

from __future__ import annotations

import hashlib
import re
import threading
from bisect import bisect_left
from collections import OrderedDict
from functools import lru_cache
from html import escape

import numpy as np

from index.text.analysis import (
    APOSTROPHE,
    APOSTROPHES,
    analysed,
    inflected_forms,
    normalize_word,
    tokenize,
    word_terms,
)
from index.text.name_keys import latin_key, transliteration_key
from index.text.transliteration import transliterate
from index.text.word_bounds import word_bounds, word_bounds_of_each

SNIPPET_WORDS = 36
SNIPPETS_KEPT = 1024  # snippets kept, keyed by their texts' digests: under a megabyte
# Form matchers kept (one per set of query terms: the hits of one search share it, a search
# repeated or a page turned finds it). Each holds its forms, an expression and the words it has
# answered, about 16 KB: 1,024 of them held 16 MB after a thousand distinct searches at 1M.
MATCHERS_KEPT = 128
# Name keys of capitalised words kept for every search's snippets (about 250 bytes each).
NAME_KEYS_KEPT = 8192
OPENING_CHARS = 2500
MARGIN_CHARS = 700
PREFIX = 3  # letters a word shares with a term it can match, its lemma's first letters
# Letters a capitalised Cyrillic word's key shares with the key of its lemma: inflection may
# change the third (Київ kiv, Києві kievi).
KEY_PREFIX = 2
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


class FormMatcher:
    """Whether a word as written matches one of ``terms``, analysing only words that can."""

    def __init__(self, terms: frozenset[str | bytes]):
        # Expanded prefixes arrive as the index's bytes.
        terms = frozenset(t.decode("utf-8") if isinstance(t, bytes) else t for t in terms)
        self.terms = terms
        cyrillic = [term for term in terms if _CYRILLIC.search(term)]
        latin = [term for term in terms if not _CYRILLIC.search(term)]
        self.prefixes = tuple({term[:PREFIX] for term in terms})
        self.transliterated = tuple({term[:KEY_PREFIX] for term in latin})
        # Forms that do not share a lemma's first letters (люди for людина) come from the
        # dictionary's paradigms.
        self.forms: set[str] = set().union(*map(inflected_forms, cyrillic))
        self.starts = _starts_pattern(self.prefixes, self.forms) if terms else None
        # Words answered already (a name recurs in every hit of a search); a few thousand.
        self._seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        if not self.terms:
            return False
        known = analysed(word)
        if known is not None:  # analysed before: as cheap to answer exactly
            return not self.terms.isdisjoint(known)
        return self._unknown(word)

    def each(self, words: list[str]) -> list[bool]:
        """``[self(word) for word in words]``, without a call per word where it can."""
        if not self.terms:
            return [False] * len(words)
        disjoint, known, unknown = self.terms.isdisjoint, analysed, self._unknown
        found = []
        for word in words:
            terms = known(word)
            found.append(unknown(word) if terms is None else not disjoint(terms))
        return found

    def marked(self, text: str, starts: np.ndarray, ends: np.ndarray) -> list[int]:
        """The numbers of the words of ``text`` that match, in order (the words given by where
        they start and end, see :func:`index.text.word_bounds.word_bounds`): only the words
        that start as a term or a form can, or are capitalised (a name's transliteration), are
        looked at one by one; the others are passed over by one regular expression."""
        if not self.terms or not len(starts):
            return []
        # Up to where a match at the last word's start may reach (the opening of a long text).
        piece = text[: int(starts[-1]) + PREFIX]
        lowered = piece.lower()
        if len(lowered) != len(piece) or self.starts is None:  # a letter lowercased to two
            spans = zip(starts.tolist(), ends.tolist(), strict=True)
            words = [text[start:end] for start, end in spans]
            return [i for i, hit in enumerate(self.each(words)) if hit]
        candidates = _word_starts(self.starts, lowered)
        if self.transliterated:
            candidates += _word_starts(_CAPITALS, piece)
        if not candidates:
            return []
        at = np.array(candidates, dtype=np.int64)
        number = np.searchsorted(starts, at)
        inside = number < len(starts)
        number, at = number[inside], at[inside]
        number = np.unique(number[starts[number] == at])
        seen = self._seen
        found = []
        for i, start, end in zip(
            number.tolist(), starts[number].tolist(), ends[number].tolist(), strict=True
        ):
            word = text[start:end]
            hit = seen.get(word)
            if hit is None:
                if len(seen) >= 4096:
                    seen.clear()
                hit = seen[word] = self(word)
            if hit:
                found.append(i)
        return found

    def _unknown(self, word: str) -> bool:
        normalized = normalize_word(word)
        candidate = normalized.startswith(self.prefixes) or normalized in self.forms
        if not candidate and self.transliterated and word[:1].isupper():
            candidate = _name_key(normalized).startswith(self.transliterated)
        return candidate and not self.terms.isdisjoint(word_terms(word))


@lru_cache(maxsize=NAME_KEYS_KEPT)
def _name_key(normalized: str) -> str:
    """The name key of a capitalised word (see :mod:`index.text.name_keys`): of its
    transliteration when it is Cyrillic. The same for every search: the capitalised words of
    news (names, a sentence's first word) recur from article to article."""
    if "\u0400" <= normalized[:1] <= "\u04ff":
        return transliteration_key(transliterate(normalized))
    return latin_key(normalized)


# Each letter as a word may write it: with a Latin or Cyrillic look-alike in its place (the
# analysis reads a word of mixed scripts in its main one), any apostrophe for the one of terms.
_LOOK_ALIKES = {
    **{a: b for a, b in zip("aceiopxyk", "асеіорхук", strict=True)},
    **{b: a for a, b in zip("aceiopxyk", "асеіорхук", strict=True)},
    "ї": "ï",
    "ï": "ї",
}
_ANY_APOSTROPHE = "[" + re.escape(APOSTROPHES) + "]"
# A capital letter: where a capitalised word may start (a name, whose transliteration a Latin
# term may match).
_CAPITALS = re.compile(
    "["
    + "".join(
        re.escape(c) for c in map(chr, [*range(0x41, 0x250), *range(0x400, 0x530)]) if c.isupper()
    )
    + "]"
)


def _word_starts(pattern: re.Pattern, text: str) -> list[int]:
    """Where ``pattern`` matches ``text`` at the start of a word (after no letter or digit).

    The pattern holds no look-behind saying so: with one, the expression engine tests it at
    every character (45 µs over 3,000 characters, against 2 to 35 without). A match inside a
    word is passed over, and the search goes on from its next character, so that no match is
    hidden by one that was not at a word's start."""
    found: list[int] = []
    search = pattern.search
    match = search(text)
    while match is not None:
        at = match.start()
        if at == 0 or not text[at - 1].isalnum():  # not ``[^\\W_]``
            found.append(at)
            match = search(text, match.end())
        else:
            match = search(text, at + 1)
    return found


def _letter(char: str) -> str:
    if char == APOSTROPHE:
        return _ANY_APOSTROPHE
    other = _LOOK_ALIKES.get(char)
    return f"[{re.escape(char)}{re.escape(other)}]" if other else re.escape(char)


def _starts_pattern(prefixes: tuple[str, ...], forms: set[str]) -> re.Pattern:
    """What a word that may match starts with, in lowercased text (found at words' starts by
    :func:`_word_starts`): its first letters are those of a term (``PREFIX``) or of a form (up to
    an apostrophe), look-alikes and apostrophes as any word may write them. (A word with a
    stress mark among its first letters is missed: the marks, not the matches, are what this
    decides.)"""
    starts = set(prefixes)
    starts.update(form.split(APOSTROPHE)[0][:PREFIX] for form in forms)
    alternatives = sorted(("".join(map(_letter, start)) for start in starts if start), key=len)
    return re.compile("(?:" + "|".join(reversed(alternatives)) + ")")


@lru_cache(maxsize=MATCHERS_KEPT)
def form_matcher(terms: frozenset[str]) -> FormMatcher:
    return FormMatcher(terms)


def mark(text: str, terms: set[str]) -> str:
    """The whole text, escaped, with matched words marked (for titles)."""
    matches = form_matcher(frozenset(terms))
    return _render(text, [(s, e) for _, s, e, w in tokenize(text) if matches(w)], 0, len(text))


def snippet(text: str, terms: set[str], words: int = SNIPPET_WORDS) -> str:
    """The passage of about ``words`` words holding the most matches, escaped and marked.

    Only the opening of a long text is read, unless the opening holds no match. The snippets
    most recently made are kept (a search repeated, a page turned back, the same search from
    the page, the API and the feed): keyed by a digest of the text itself, so a changed article
    is never shown with the snippet of its former text."""
    return snippets([text], terms, words)[0]


def snippets(texts: list[str], terms: set[str], words: int = SNIPPET_WORDS) -> list[str]:
    """:func:`snippet` of each text (a page of hits), their words found in one pass."""
    chosen = frozenset(terms)
    keys = [(_digest(text), chosen, words) for text in texts]
    found = [_KEPT.get(key) for key in keys]
    missing = [i for i, made in enumerate(found) if made is None]
    openings = [_opening(texts[i]) for i in missing]
    for i, opening, (starts, ends) in zip(
        missing, openings, word_bounds_of_each(openings), strict=True
    ):
        found[i] = _snippet(texts[i], chosen, words, len(opening) == len(texts[i]), starts, ends)
        _KEPT.put(keys[i], found[i])
    return found  # type: ignore[return-value]


def _opening(text: str) -> str:
    """What is read of a text first: all of it, unless it is longer than the opening and room
    for a passage after it."""
    return (
        text if len(text) <= OPENING_CHARS + MARGIN_CHARS else text[: OPENING_CHARS + MARGIN_CHARS]
    )


def _digest(text: str) -> bytes:
    """What the snippets kept are keyed by instead of the text: holding 1,024 articles' texts
    for their snippets' sake was 6 to 10 MB of a server's memory."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class _Kept:
    """The snippets most recently made, by (the text's digest, terms, words); shared by every
    thread."""

    def __init__(self, size: int):
        self.size = size
        self._made: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            made = self._made.get(key)
            if made is not None:
                self._made.move_to_end(key)
            return made

    def put(self, key: tuple, made: str) -> None:
        with self._lock:
            self._made[key] = made
            while len(self._made) > self.size:
                self._made.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._made.clear()


_KEPT = _Kept(SNIPPETS_KEPT)


def _snippet(
    text: str,
    terms: frozenset[str],
    words: int,
    whole: bool,
    starts: np.ndarray,
    ends: np.ndarray,
) -> str:
    """The snippet of ``text``, whose opening's words are given (``whole``: the opening is all
    of it). The passage is chosen from the matched words' numbers alone: no pass over every
    word."""
    matches = form_matcher(terms)
    matched = matches.marked(text, starts, ends)
    if terms and not whole and not matched:
        starts, ends = word_bounds(text)
        whole = True
        matched = matches.marked(text, starts, ends)
    count = len(starts)
    if not count:
        return ""
    best_start = 0
    if matched:
        best_start = _best_window(matched, count, words)
        # Start a few words before the window's first match, so it reads in context.
        first = matched[bisect_left(matched, best_start)]
        best_start = max(0, first - 4)
    end = min(best_start + words, count)
    at_end = whole and end == count
    start_char = 0 if best_start == 0 else int(starts[best_start])
    end_char = len(text) if at_end else int(ends[end - 1])
    shown = matched[bisect_left(matched, best_start) : bisect_left(matched, end)]
    marks = list(zip(starts[shown].tolist(), ends[shown].tolist(), strict=True))
    html = _render(text, marks, start_char, end_char)
    prefix = "… " if best_start > 0 else ""
    suffix = "" if at_end else " …"
    return f"{prefix}{html}{suffix}"


def _best_window(matched: list[int], count: int, words: int) -> int:
    """The first word of the first window of ``words`` words (of ``count``) holding the most
    of the ``matched`` words (their numbers, ascending). A window holds more than the one
    before it only where its last word matches, so only those windows (and the first) are
    counted."""
    best, best_start = bisect_left(matched, words), 0
    for number in matched:
        start = number - words + 1
        if 0 < start <= count - words:
            held = bisect_left(matched, start + words) - bisect_left(matched, start)
            if held > best:
                best, best_start = held, start
    return best_start


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    pieces: list[str] = []
    cursor = start
    for mark_start, mark_end in marks:
        pieces.append(escape(text[cursor:mark_start]))
        pieces.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        cursor = mark_end
    pieces.append(escape(text[cursor:end]))
    return " ".join("".join(pieces).split())
