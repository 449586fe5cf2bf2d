"""Evaluating a query over the whole index at once: a boolean mask of matches and BM25F scores.

Terms, ORs, ANDs and NOTs are set operations on numpy arrays of postings, and BM25 is arithmetic
on those arrays, so a query matching half the archive costs milliseconds, not a Python loop per
document. Phrases need positions: Whoosh's own matchers decide those, and the phrase's terms
contribute their scores.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from index.searching.messages import Message
from index.segments.columns import LENGTH_OF_CODE, Columns
from index.segments.postings import read_postings
from index.segments.schema import NAME_FIELDS, SUMMARY_BOOST, TITLE_BOOST

K1 = 1.2
B = 0.75
# Positional work a phrase may cause: its words times the documents holding all of them. Past
# it (a phrase of words common in most articles) the phrase is matched as its words, with a
# notice, rather than reading the positions of hundreds of thousands of documents.
PHRASE_WORK_LIMIT = 100_000
FIELD_BOOSTS = {"title": TITLE_BOOST, "summary": SUMMARY_BOOST, "body": 1.0}
# A word of an AND has only its matched documents scored when its postings are at least this
# many times the match (see _Evaluation._and).
SCORED_SHARE = 4
_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_WEIGHTS = np.zeros(0, dtype=np.float32)


class Matcher:
    """Evaluates queries against one searcher and its columns."""

    def __init__(self, searcher: Searcher, columns: Columns):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.columns = columns
        self.size = columns.size
        self.live_count = columns.live_count
        self._length_norms: dict[str, np.ndarray] = {}

    def length_norms(self, fieldname: str) -> np.ndarray:
        """BM25's length part, ``K1 * (1 - B + B * length / average length)``, for each of the
        256 codes of a field's length (float32, computed as it would be per document)."""
        norms = self._length_norms.get(fieldname)
        if norms is None:
            norms = LENGTH_OF_CODE * B
            norms /= self.columns.average_length[fieldname]
            norms += 1.0 - B
            norms *= K1
            self._length_norms[fieldname] = norms
        return norms

    def evaluate(
        self, q: query.Query, notices: list[Message] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(mask, scores)`` over all document numbers; deleted documents never match. What
        the user should know about how the query was matched goes to ``notices``."""
        mask, scores = _Evaluation(self, notices if notices is not None else []).run(q)
        mask &= self.columns.live
        return mask, scores


class _Evaluation:
    """One query's evaluation over a matcher (which threads share): holds its notices."""

    def __init__(self, matcher: Matcher, notices: list[Message]):
        self.matcher = matcher
        self.notices = notices
        self.size = matcher.size
        self.columns = matcher.columns

    def run(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        return self._evaluate(q)

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32)

    def _evaluate(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(q, query.Term):
            return self._term(q)
        if isinstance(q, query.Or):
            mask, scores = self._empty()
            for child in q.subqueries:
                if isinstance(child, query.Term):  # the common case: add in place
                    self._add_term(child, mask, scores)
                    continue
                child_mask, child_scores = self._evaluate(child)
                mask |= child_mask
                scores += child_scores
            if q.boost != 1.0:
                scores *= q.boost
            return mask, scores
        if isinstance(q, query.And):
            return self._and(q.subqueries, q.boost)
        if isinstance(q, query.AndNot):
            mask, scores = self._evaluate(q.a)
            excluded, _ = self._evaluate(q.b)
            mask &= ~excluded
            return mask, scores
        if isinstance(q, query.AndMaybe):
            mask, scores = self._evaluate(q.a)
            _, extra = self._evaluate(q.b)
            return mask, scores + extra * mask
        if isinstance(q, query.Not):
            excluded, _ = self._evaluate(q.query)
            return ~excluded & self.columns.live, np.zeros(self.size, dtype=np.float32)
        if isinstance(q, query.qcore._NullQuery):  # noqa: SLF001
            return self._empty()
        if isinstance(q, query.Every):
            return self.columns.live.copy(), np.zeros(self.size, dtype=np.float32)
        return self._by_whoosh(q)

    def _and(self, children: list[query.Query], boost: float) -> tuple[np.ndarray, np.ndarray]:
        """Every positive child's documents, none of the negative's; the positives' scores.

        A child made of terms only (a word in every field and form, the common case) is scored
        once the match is known: a word whose postings are many times the documents every child
        matched has only those scored (its postings looked up in the match), so a pair of words,
        one rare, one found in 300,000 articles, does not add up 300,000 scores. A word about as
        common as the match is scored whole: looking up every posting, then picking out the
        matched ones, cost more than scoring them all (measured at a million articles). Scores
        are those of evaluating each child over the whole archive, added in the same order."""
        positive = [c for c in children if not isinstance(c, query.Not)]
        negative = [c.query for c in children if isinstance(c, query.Not)]
        mask: np.ndarray | None = None
        evaluated: dict[int, np.ndarray] = {}  # child's place -> its scores
        read: dict[int, list[tuple[query.Term, np.ndarray, np.ndarray]]] = {}
        for place, child in enumerate(positive):
            postings = self._term_postings(child)
            if postings is None:
                child_mask, evaluated[place] = self._evaluate(child)
                mask = child_mask if mask is None else mask & child_mask
            else:
                read[place] = postings
        for place in read:
            child_mask = np.zeros(self.size, dtype=bool)
            for _, docs, _ in read[place]:
                child_mask[docs] = True
            if mask is None:
                mask = child_mask
            else:
                mask &= child_mask
        if mask is None:
            mask = self.columns.live.copy()
        for child in negative:
            excluded, _ = self._evaluate(child)
            mask &= ~excluded
        matched = int(np.count_nonzero(mask))
        # The children's scores added in their order, each summed from zero: the first in
        # place, the others in one array reused (each of these is 4 MB at a million articles).
        scores: np.ndarray | None = None
        spare: np.ndarray | None = None
        for place, child in enumerate(positive):
            if place in evaluated:
                if scores is None:
                    scores = evaluated[place]
                else:
                    scores += evaluated[place]
                continue
            if scores is None:
                scores = target = np.zeros(self.size, dtype=np.float32)
            elif spare is None:
                spare = target = np.zeros(self.size, dtype=np.float32)
            else:
                spare.fill(0.0)
                target = spare
            cut = matched * SCORED_SHARE < sum(len(docs) for _, docs, _ in read[place])
            for term, docs, weights in read[place]:
                if cut:
                    kept = mask[docs]
                    self._score_term(term, len(docs), docs[kept], weights[kept], target)
                else:
                    self._score_term(term, len(docs), docs, weights, target)
            if child.boost != 1.0 and isinstance(child, query.Or):
                target *= child.boost
            if target is not scores:
                scores += target
        if scores is None:
            scores = np.zeros(self.size, dtype=np.float32)
        if boost != 1.0:
            scores *= boost
        return mask, scores

    def _term_postings(
        self, q: query.Query
    ) -> list[tuple[query.Term, np.ndarray, np.ndarray]] | None:
        """The postings of each term of ``q`` when it is a term or an OR of terms, else None."""
        if isinstance(q, query.Term):
            terms = [q]
        elif isinstance(q, query.Or) and all(isinstance(c, query.Term) for c in q.subqueries):
            terms = q.subqueries
        else:
            return None
        found = []
        for term in terms:
            docs, weights = self._postings(term)
            if len(docs):
                found.append((term, docs, weights))
        return found

    def _term(self, q: query.Term) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._empty()
        self._add_term(q, mask, scores)
        return mask, scores

    def _postings(self, q: query.Term) -> tuple[np.ndarray, np.ndarray]:
        if q.fieldname in NAME_FIELDS and not self.columns.holds(q.fieldname, q.text):
            return _NO_DOCS, _NO_WEIGHTS  # most query words are in no byline, tag or outlet
        return read_postings(self.matcher.reader, q.fieldname, q.text)

    def _add_term(self, q: query.Term, mask: np.ndarray, scores: np.ndarray) -> None:
        """Mark the term's documents in ``mask`` and add its BM25 scores to ``scores``."""
        docs, weights = self._postings(q)
        if not len(docs):
            return
        mask[docs] = True
        self._score_term(q, len(docs), docs, weights, scores)

    def _score_term(
        self, q: query.Term, df: int, docs: np.ndarray, weights: np.ndarray, scores: np.ndarray
    ) -> None:
        """Add the BM25 scores of term ``q`` (found in ``df`` documents) in ``docs``."""
        boost = FIELD_BOOSTS.get(q.fieldname)
        if boost is None:  # names, tags, sources: matching decides, scoring does not
            scores[docs] += 0.5 * q.boost
            return
        frequency = weights / boost
        idf = math.log(1.0 + (self.matcher.live_count - df + 0.5) / (df + 0.5))
        # BM25, computed in place over the term's postings (half a million for a common word):
        # (boost * idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + B * length / average length)).
        norm = self.matcher.length_norms(q.fieldname)[self.columns.length_codes[q.fieldname][docs]]
        norm += frequency
        score = frequency * (boost * q.boost * idf)
        score *= K1 + 1.0
        score /= norm
        scores[docs] += score

    def _by_whoosh(self, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
        """Phrases and anything else positional: Whoosh finds the documents, once the words
        alone show the work is bounded. A phrase in a name (a byline, a tag, the outlet: a byline
        typed as words, see index.query) scores flat, weighed by its boost."""
        words = list(q.children()) if isinstance(q, query.Sequence | query.Phrase) else []
        if isinstance(q, query.Phrase):
            words = [query.Term(q.fieldname, w) for w in q.words]
        in_text = any(fieldname in FIELD_BOOSTS for fieldname, _ in q.iter_all_terms())
        if words:
            candidates, word_scores = self._and(words, q.boost)
            word_scores *= candidates  # an article with some of the words only is no match
            found = int(np.count_nonzero(candidates & self.columns.live))
            if not found:  # no article holds every word: none holds the phrase
                return candidates, word_scores
            if found * len(words) > PHRASE_WORK_LIMIT:
                # A name is a few words of a short field: all of them in it is nearly the
                # phrase, and the reader did not ask for it, so no notice.
                if not in_text:
                    return candidates, candidates * np.float32(q.boost)
                self.notices.append(Message.of("query.phrase_as_words"))
                return candidates, word_scores
        mask, scores = self._empty()
        docs = np.fromiter(self.matcher.searcher.docs_for_query(q), dtype=np.int64)
        if len(docs):
            mask[docs] = True
        if not in_text:
            return mask, mask * np.float32(q.boost)
        for fieldname, text in q.iter_all_terms():
            if fieldname in FIELD_BOOSTS:
                _, term_scores = self._term(query.Term(fieldname, text))
                scores += term_scores
        return mask, scores * mask * q.boost
