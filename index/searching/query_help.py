"""Help with a query that finds nothing or very little: the wrong keyboard layout, and "Did you
mean".

"Very little" is fewer than ``FEW_RESULTS`` (3) articles. A query that finds at least that many
pays nothing here: one comparison.

* A query that finds nothing is read in the other keyboard layout (:mod:`index.searching.keyboard`);
  when that finds something, it is what is searched, with a notice that links to the literal search.
  When the conversion finds nothing either and the query as typed has no correction of its own, the
  conversion is corrected (a typo made in the wrong layout). A string that is a word in no layout
  converts to nothing that finds anything: it stays.
* Then, when the query (as searched) finds fewer than ``FEW_RESULTS``, each of its words that
  fewer than ``FEW_RESULTS`` articles hold is corrected against the index's own vocabulary
  (:mod:`index.segments.vocabulary`): the nearest term (edit distance with transpositions), the most
  frequent at one distance. The index's terms are lemmas and stems, not what a reader types, so
  a candidate is weighed by its word nearest to what was typed: a Ukrainian lemma by its
  inflected forms («податкі» is nearer to «податки» than to «подати»), an English stem by the
  words Snowball takes back to it ("polcie" is nearer to "police" than to "policy"). The
  suggestion is written in words: the Ukrainian form, and for an English stem the nearest of
  the words with that stem in the corrected query's best articles and the word guessed
  (``goverment`` → stem ``govern`` → "government"). A suggestion keeps the query's field
  prefixes, quotes and operators, is never the query itself, and must find more than the query
  did (it is run to check).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from index.searching.keyboard import converted
from index.searching.messages import Message
from index.segments.vocabulary import MAX_EDITS, Candidate, Vocabulary
from index.text.analysis import (
    english_stem,
    inflected_forms,
    normalize_word,
    query_terms,
    tokenize,
    word_terms,
)
from index.text.words import script_of

FEW_RESULTS = 3
# A word the index holds (in fewer than FEW_RESULTS articles) is corrected only to a word one
# edit away and this many times as frequent: "hello" in 2 articles is a word, not a typo of
# "hell" in 6 or "help" in 60.
MORE_FREQUENT = 20
# Candidates per word whose inflected forms are compared with what was typed.
CANDIDATES_WEIGHED = 12

_DISTANCE = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
_OPERATORS = frozenset({"AND", "OR", "NOT"})


def distance(a: str, b: str) -> int:
    found = _DISTANCE.compare(a, b, 1 << 30)
    return found if found >= 0 else 1 << 30


@dataclass(frozen=True)
class Probe:
    """What a query finds: how many articles, and the text of the best few (None when none)."""

    total: int
    best_text: Callable[[], str | None]


@dataclass
class Help:
    searched: str  # the query that was run
    notices: list[Message]
    suggestion: str | None


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str


def correctable_words(text: str) -> list[_Word]:
    """The words of a query that a correction may change: not a field's name, an operator, a
    prefix (``word*``), an excluded word or a ``language:`` value."""
    words = []
    for _, start, end, word in tokenize(text):
        after = text[end : end + 1]
        before = text[:start].rstrip()
        if after in (":", "*") or word in _OPERATORS:
            continue
        if text[start - 1 : start] == "-" or before.endswith(
            ("NOT", "language:", "lang:", "мова:")
        ):
            continue
        if any(c.isdigit() for c in word):
            continue
        words.append(_Word(start, end, word))
    return words


def _replace(text: str, replacements: dict[_Word, str]) -> str:
    out, position = [], 0
    for word in sorted(replacements, key=lambda w: w.start):
        out.append(text[position : word.start])
        out.append(replacements[word])
        position = word.end
    out.append(text[position:])
    return "".join(out)


def _cased_like(word: str, typed: str) -> str:
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# Endings an English stem takes back (Snowball's stems cut them): the words of a stem are those
# of its endings that the stemmer takes back to it.
ENGLISH_ENDINGS = (
    "", "e", "s", "es", "ed", "ing", "er", "ers", "ment", "ments", "ent", "ence", "ion",
    "ions", "ation", "al", "ally", "ly", "ity", "ive", "ness", "ous", "ic", "ical", "y", "ies",
)  # fmt: skip


@lru_cache(maxsize=1 << 14)
def english_forms(stem: str) -> frozenset[str]:
    """Words that Snowball stems to ``stem`` (``govern``: govern, governs, government, ...)."""
    if stem.endswith("i"):  # Snowball's y: polici is policy, policies
        forms = {stem[:-1] + ending for ending in ("y", "ies", "ied", "ial", "ially")}
    else:
        forms = {stem + ending for ending in ENGLISH_ENDINGS}
    return frozenset(form for form in forms if english_stem(form) == stem)


def _keys(typed: str, normal: str) -> list[str]:
    """What a word is looked up by: as typed, its primary term, and for an English word also
    without an ending its stem would lose ("presdent": presd, near presid)."""
    keys = [normal, *word_terms(typed)[:1]]
    if script_of(normal) == "latin":
        keys += [
            normal[: -len(ending)]
            for ending in ENGLISH_ENDINGS
            if len(ending) > 1 and normal.endswith(ending) and len(normal) - len(ending) >= 3
        ]
    return [key for key in dict.fromkeys(keys) if script_of(key) == script_of(normal)]


class Speller:
    """Suggestions from one generation's vocabulary; ``documents(word)`` is how many articles
    hold a word of a query (the most of its terms)."""

    def __init__(
        self, vocabulary: Callable[[], Vocabulary | None], documents: Callable[[str], int]
    ):
        self._vocabulary = vocabulary
        self.documents = documents

    def _best(self, typed: str, held: int) -> tuple[Candidate, str] | None:
        """The best correction of one word (held by ``held`` articles) and how to write it."""
        vocabulary = self._vocabulary()
        if vocabulary is None:  # not built yet
            return None
        normal = normalize_word(typed)
        found: dict[str, Candidate] = {}
        for key in _keys(typed, normal):
            for candidate in vocabulary.candidates(key):
                if candidate.documents <= held * MORE_FREQUENT or (held and candidate.distance > 1):
                    continue
                known = found.get(candidate.term)
                if known is None or candidate.distance < known.distance:
                    found[candidate.term] = candidate
        if not found:
            return None
        ranked = sorted(found.values(), key=lambda c: (c.distance, -c.documents))
        # A term is weighed by its word nearest to what was typed: a Ukrainian lemma by its
        # inflected forms, an English stem by the words that have it («податкі» is nearer to
        # «податки» than to «подати»; "polcie" nearer to "police" than to "policy").
        forms_of = inflected_forms if script_of(normal) == "cyrillic" else english_forms
        weighed = []
        for candidate in ranked[:CANDIDATES_WEIGHED]:
            forms = forms_of(candidate.term) or frozenset([candidate.term])
            form = min(sorted(forms), key=lambda f: distance(normal, f))
            weighed.append(
                ((distance(normal, form), candidate.distance, -candidate.documents), form)
            )
        best_index = min(range(len(weighed)), key=lambda i: weighed[i][0])
        return ranked[best_index], weighed[best_index][1]

    def suggest(self, text: str, total: int, probe: Callable[[str], Probe]) -> str | None:
        """A corrected ``text`` that finds more than ``total`` articles, or None."""
        chosen: dict[_Word, tuple[Candidate, str]] = {}
        for word in correctable_words(text):
            held = self.documents(word.text)
            if held >= FEW_RESULTS:
                continue
            best = self._best(word.text, held)
            if best is not None:
                chosen[word] = best
        if not chosen:
            return None
        guess = _replace(text, {w: _cased_like(form, w.text) for w, (_, form) in chosen.items()})
        found = probe(guess)
        if found.total <= total:
            return None
        latin = {w: c for w, c in chosen.items() if script_of(c[0].term) == "latin"}
        if latin:
            written = _words_of(found.best_text() or "", latin)
            # A stem is written as the word of the best article; one that no word there
            # brings nearer than MAX_EDITS to what was typed is no correction of it.
            kept = {
                w: _cased_like(written.get(w, form), w.text)
                for w, (_, form) in chosen.items()
                if w not in latin
                or distance(normalize_word(w.text), written.get(w, form)) <= MAX_EDITS
            }
            if not kept:
                return None
            better = _replace(text, kept)
            if better != guess:
                if probe(better).total <= total:
                    return None
                guess = better
        if guess.casefold() == text.casefold():
            return None
        return guess


def _words_of(text: str, wanted: dict[_Word, tuple[Candidate, str]]) -> dict[_Word, str]:
    """For each query word, the word of ``text`` whose terms include its corrected term, or the
    word guessed for it, whichever is nearest to what was typed."""
    by_term: dict[str, set[str]] = {}
    terms = {candidate.term for candidate, _ in wanted.values()}
    for _, _, _, word in tokenize(text):
        if not word.isascii():
            continue
        for term in word_terms(word):
            if term in terms:
                by_term.setdefault(term, set()).add(word.lower().removesuffix("'s"))
    written = {}
    for word, (candidate, guessed) in wanted.items():
        # The words of the articles first; the word guessed from the stem when it is nearer
        # (the articles may hold only "Parliament's" or "musical").
        in_text = by_term.get(candidate.term, set())
        typed = normalize_word(word.text)
        written[word] = min(
            sorted(in_text | {guessed}), key=lambda f: (distance(typed, f), f not in in_text)
        )
    return written


def help_with(
    text: str,
    total: int,
    literal: bool,
    probe: Callable[[str], Probe],
    speller: Speller,
    suggest: bool = True,
) -> Help:
    """What to search for ``text`` (found ``total`` articles as typed), what to tell the reader,
    and (when ``suggest``) what to suggest."""
    searched, notices, suggestion = text, [], None
    if total == 0 and not literal:
        other = converted(text, lambda word: speller.documents(word) > 0)
        if other is not None:
            found = probe(other)
            if found.total == 0 and suggest:
                # A typo in the other layout, when the query has no correction of its own.
                suggestion = speller.suggest(text, 0, probe)
                corrected = None if suggestion else speller.suggest(other, 0, probe)
                if corrected is not None:
                    other, found = corrected, probe(corrected)
            if found.total > 0:
                searched, total, suggestion = other, found.total, None
                notices.append(Message.of("query.layout", typed=text, query=other))
            elif suggestion:
                return Help(searched, notices, suggestion)
    if suggest and total < FEW_RESULTS:
        suggestion = speller.suggest(searched, total, probe)
    return Help(searched, notices, suggestion)


def documents_holding(word: str, frequency: Callable[[str, str], int], fields) -> int:
    """How many articles hold ``word`` in one of ``fields``, at most (the most of its terms)."""
    return max(
        (frequency(field, term) for term in query_terms(word) for field in fields), default=0
    )
