"""The words that set a search's results apart from a background: the whole archive as the
filters admit it, or what another search finds (Elasticsearch's ``significant_text``).

The measure is JLH, Elasticsearch's default for significant terms: with ``fg`` the share of the
results holding a word and ``bg`` its share of the background, ``(fg - bg) * fg / bg`` (0 when a
word is no more common in the results). It rewards a word for being common in the results *and*
for being rarer elsewhere, so the words come out as a reader expects: «зерно» and «коридор» for
a search about the grain corridor, not the words of the language the results happen to be in.
A chi-square or G-test measures how *sure* a difference is rather than how large: with thousands
of results it ranks a word common everywhere but slightly more common here (“said”, «також»)
above a topical one, which is no help to a reader. JLH's weakness is the reverse, a rare word of
a handful of articles; so a word must be in at least ``MIN_SUPPORT`` of the stories read (a
story reprinted by ten outlets is one), which drops the names of one reprinted story.

A word is compared within the articles written in its script: a Cyrillic word's shares are of
the Ukrainian (and other Cyrillic-language) articles of the results and of the background, a
Latin word's of the others. In an archive in two languages an English search would otherwise
list the words of English itself (“said”, “year”), which are in most of its results and in only
the English part of the archive. ``in_results`` and ``in_all`` count every article all the same.

How it is computed, so that it is fast at a million articles:

1. Which words are candidates: the text of the results is read, one article per story, up to
   ``SAMPLE_SIZE`` of them, best-ranked first (for a query; evenly across the results without
   one), as Elasticsearch's (diversified) sampler does; when fewer stories than the results hold
   were read, the answer says how many (``sampled``). Each word counts by its primary index
   term (a Ukrainian lemma, an English stem; never a name's transliteration key), once per
   article; stop words (:mod:`index.text.stop_words`) and terms that are no word (numbers) are left
   out. A term every form of which is also read as a better-ranked term (a second reading of
   the same words) is left out of the answer.
2. Which candidates are counted: each is estimated from its share of the articles read and its
   document frequency in the term lexicon (``body``) of the largest segments, those that hold
   at least half of the archive (a look-up per segment and word is what this step costs, and at
   a million articles most are in a few segments); the ``size * COUNTED_PER_WORD`` best are
   counted exactly.
3. Counting: a word's postings in title, summary and body
   (:func:`index.segments.postings.read_postings`, numpy arrays) marked in one boolean array of the
   index's documents and intersected with the results and the background: ``in_results`` and
   ``in_all`` are exact, whatever was sampled.

A word is written as a reader writes it: a Ukrainian lemma is a dictionary word (capitalised
when hardly an article read writes it in lowercase: «Одеса»; in capitals when they write it so:
«ЄСВ»); an English stem is written as its most common form in the texts read ("negotiations"
for ``negoti``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from index.searching.query_help import english_forms
from index.searching.request import MultiArgs, int_param
from index.segments.postings import leaf_readers, read_postings
from index.segments.schema import TEXT_FIELDS
from index.text.analysis import WORD_PATTERN, word_terms
from index.text.stop_words import stop_terms
from index.text.words import is_word, script_of

DEFAULT_SIZE = 20
MAX_SIZE = 100
SAMPLE_SIZE = 200
MIN_SUPPORT = 3
COUNTED_PER_WORD = 3
LEAST_COUNTED = 50
# The languages written in Cyrillic: their articles are where a Cyrillic word is looked for.
CYRILLIC_LANGUAGES = ("uk", "ru", "be", "bg", "sr", "mk")
# The field whose lexicon estimates a word's share of the archive: every article has a body,
# and a word of a title is almost always in the body too.
ESTIMATED_FROM = "body"
_WORDS = re.compile(WORD_PATTERN)
# The term a word as written is counted by ("" for none: a stop word, a number), kept across
# searches as word_terms keeps its terms; emptied when full.
_COUNTED_TERM: dict[str, str] = {}
_COUNTED_TERM_LIMIT = 1 << 18
# Per segment reader, the body document frequencies already looked up (a segment never changes);
# emptied when full.
_FREQUENCIES_KEPT = 1 << 17


def words_size(args: MultiArgs) -> int:
    """``size``: how many words to answer (default ``DEFAULT_SIZE``, at most ``MAX_SIZE``)."""
    return int_param(args, "size", DEFAULT_SIZE, 1, MAX_SIZE)


def jlh(in_results: int, results: int, in_background: int, background: int) -> float:
    """Elasticsearch's JLH score (a word the background lacks counts as held by one)."""
    if not results or not background:
        return 0.0
    fg = in_results / results
    bg = max(in_background, 1) / background
    return (fg - bg) * fg / bg if fg > bg else 0.0


@dataclass
class ReadWords:
    """What the articles read hold: per term, how many of them, and its forms as written."""

    articles: Counter = field(default_factory=Counter)  # per script, by the article's language
    documents: Counter = field(default_factory=Counter)
    lowercase: Counter = field(default_factory=Counter)  # articles writing it in lowercase
    forms: dict[str, Counter] = field(default_factory=dict)

    def add(self, text: str, script: str) -> None:
        self.articles[script] += 1
        stop = stop_terms()
        seen: set[str] = set()
        lower: set[str] = set()
        for word in set(_WORDS.findall(text)):
            term = _COUNTED_TERM.get(word)
            if term is None:
                terms = word_terms(word)
                term = terms[0] if terms and terms[0] not in stop and is_word(terms[0]) else ""
                if len(_COUNTED_TERM) >= _COUNTED_TERM_LIMIT:
                    _COUNTED_TERM.clear()
                _COUNTED_TERM[word] = term
            if not term:
                continue
            seen.add(term)
            if word.islower():
                lower.add(term)
            forms = self.forms.get(term)
            if forms is None:
                forms = self.forms[term] = Counter()
            forms[word] += 1
        self.documents.update(seen)
        self.lowercase.update(lower)

    def distinct(self, ranked: list[tuple], size: int) -> list[tuple]:
        """The first ``size`` of ``ranked`` (tuples whose third item is a term) without a term
        that is only another reading of a better one: every form it was read from also has a
        term ranked above it («війни» is read as «війнути» first, and as «війна»)."""
        kept: list[tuple] = []
        terms: set[str] = set()
        for item in ranked:
            forms = self.forms.get(item[2])
            if forms and all(terms.intersection(word_terms(form)) for form in forms):
                continue
            kept.append(item)
            terms.add(item[2])
            if len(kept) == size:
                break
        return kept

    def written(self, term: str) -> str:
        """``term`` as a reader writes it (see the module's docstring)."""
        forms = self.forms.get(term, Counter())
        seen = sum(forms.values())
        # Capitalised when hardly an article read writes it in lowercase: a name, not a word
        # that opens sentences.
        capital = self.lowercase[term] * 4 < self.documents[term]
        # An abbreviation (ЄСВ, GDP) is written in capitals as the texts write it.
        upper = sum(n for form, n in forms.items() if len(form) > 1 and form.isupper()) * 2 > seen
        if script_of(term) == "cyrillic" or not forms:
            word = term if forms or script_of(term) == "cyrillic" else _english_word(term)
        else:
            lowered: Counter = Counter()
            for form, n in forms.items():
                lowered[form.lower().removesuffix("'s")] += n
            word = min(lowered, key=lambda form: (-lowered[form], len(form), form))
        if upper:
            return word.upper()
        return word[:1].upper() + word[1:] if capital else word


def _english_word(stem: str) -> str:
    forms = english_forms(stem)
    return min(forms, key=lambda form: (len(form), form)) if forms else stem


def holding(reader: IndexReader, term: str, size: int) -> np.ndarray:
    """The documents holding ``term`` in title, summary or body (deleted ones included)."""
    mask = np.zeros(size, dtype=bool)
    for fieldname in TEXT_FIELDS:
        docs, _ = read_postings(reader, fieldname, term)
        mask[docs] = True
    return mask


def _body_frequency(leaf: IndexReader, term: str) -> int:
    """How many documents of the segment hold ``term`` in their body (from its lexicon, looked up
    once per segment reader: the next searches meet the same words)."""
    kept = getattr(leaf, "_arkhiv_body_frequencies", None)
    if kept is None or len(kept) >= _FREQUENCIES_KEPT:
        kept = leaf._arkhiv_body_frequencies = {}  # noqa: SLF001 - cached on its own reader
    found = kept.get(term)
    if found is None:
        found = kept[term] = leaf.doc_frequency(ESTIMATED_FROM, term)
    return found


class ArchiveEstimate:
    """A word's share of the archive, from the lexicon of its largest segments."""

    def __init__(self, reader: IndexReader, cyrillic_share: float):
        leaves = sorted(
            (leaf for leaf, _ in leaf_readers(reader)), key=lambda leaf: -leaf.doc_count_all()
        )
        everything = sum(leaf.doc_count_all() for leaf in leaves)
        self.leaves, self.documents = [], 0
        for leaf in leaves:
            if self.documents * 2 >= everything:
                break
            self.leaves.append(leaf)
            self.documents += leaf.doc_count_all()
        self.shares = {
            "cyrillic": max(cyrillic_share, 1e-9),
            "latin": max(1 - cyrillic_share, 1e-9),
        }

    def share(self, term: str, script: str) -> float:
        """The estimated share of the articles of ``script`` holding ``term``."""
        held = sum(_body_frequency(leaf, term) for leaf in self.leaves)
        return min(max(held, 1) / max(self.documents, 1) / self.shares[script], 1.0)


@dataclass
class Sides:
    """The results and the background, whole and by script."""

    results: dict[str, np.ndarray]
    background: dict[str, np.ndarray]
    sizes: dict[str, tuple[int, int]]

    @classmethod
    def split(cls, results: np.ndarray, background: np.ndarray, cyrillic: np.ndarray) -> Sides:
        by_script = {"cyrillic": cyrillic, "latin": ~cyrillic}
        sides = cls({}, {}, {})
        for script, mask in by_script.items():
            fg, bg = results & mask, background & mask
            if not fg.any() or not bg.any():  # nothing of that script on one side: compare all
                fg, bg = results, background
            sides.results[script], sides.background[script] = fg, bg
            sides.sizes[script] = (int(fg.sum()), int(bg.sum()))
        return sides


def significant_words(
    reader: IndexReader,
    results: np.ndarray,
    background: np.ndarray,
    cyrillic: np.ndarray,
    read_order: Sequence[int],
    stories: int,
    texts: Callable[[Sequence[int]], list[str]],
    size: int = DEFAULT_SIZE,
    sample: int | None = None,
) -> dict[str, Any]:
    """The ``size`` words that set ``results`` apart from ``background`` (boolean masks over the
    index's documents), best first. ``cyrillic`` marks the articles in a Cyrillic language;
    ``read_order`` is one article per story of the results, in the order they are read (the
    first ``sample``); ``stories`` how many the results hold; ``texts`` gives the text of
    each of a list of documents ("" for one it cannot read)."""
    result_count = int(results.sum())
    background_count = int(background.sum())
    answer: dict[str, Any] = {
        "results": result_count,
        "background": background_count,
        "sampled": None,
        "words": [],
    }
    if not result_count or not background_count or np.array_equal(results, background):
        return answer  # nothing to read, or nothing to set the results apart from
    chosen = list(read_order[: SAMPLE_SIZE if sample is None else sample])
    if len(chosen) < stories:
        answer["sampled"] = len(chosen)
    read = ReadWords()
    scripts = ["cyrillic" if cyrillic[d] else "latin" for d in chosen]
    for text, script in zip(texts(chosen), scripts, strict=True):
        if text:
            read.add(text, script)
    candidates = [t for t, n in read.documents.items() if n >= MIN_SUPPORT]
    if not candidates:
        return answer
    sides = Sides.split(results, background, cyrillic)
    live = max(len(cyrillic), 1)
    archive = ArchiveEstimate(reader, float(cyrillic.sum()) / live)
    estimates = []
    for term in candidates:
        script = script_of(term)
        fg = read.documents[term] / max(read.articles[script] or sum(read.articles.values()), 1)
        bg = archive.share(term, script)
        estimates.append(((fg - bg) * fg / bg if fg > bg else 0.0, term))
    estimates.sort(key=lambda item: (-item[0], item[1]))
    counted = max(size * COUNTED_PER_WORD, LEAST_COUNTED)
    found = []
    for estimate, term in estimates[:counted]:
        if estimate <= 0:
            break
        script = script_of(term)
        held = holding(reader, term, len(results))
        in_results = int(np.count_nonzero(held & results))
        if in_results < MIN_SUPPORT:
            continue
        fg_size, bg_size = sides.sizes[script]
        score = jlh(
            int(np.count_nonzero(held & sides.results[script])),
            fg_size,
            int(np.count_nonzero(held & sides.background[script])),
            bg_size,
        )
        if score > 0 and math.isfinite(score):
            in_background = int(np.count_nonzero(held & background))
            found.append((score, in_results, term, in_background))
    found.sort(key=lambda item: (-item[0], -item[1], item[2]))
    found = read.distinct(found, size)
    answer["words"] = [
        {
            "word": read.written(term),
            "term": term,
            "in_results": in_results,
            "in_all": in_background,
            "score": round(score, 4),
        }
        for score, in_results, term, in_background in found[:size]
    ]
    return answer
