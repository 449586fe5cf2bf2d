"""An AND of words scores only what every word matched, and scores it as evaluating each word over
the whole archive would: the words' order, and how common each is, change nothing."""

from __future__ import annotations

import itertools

import numpy as np
from whoosh import query

from index.searching.matching import Matcher


def word(text: str, boost: float = 1.0) -> query.Or:
    """A word as queries look for it: in the title, the summary and the body."""
    terms = [query.Term(field, text) for field in ("title", "summary", "body")]
    return query.Or(terms, boost=boost)


def whole(matcher: Matcher, q: query.Query) -> tuple[np.ndarray, np.ndarray]:
    return matcher.evaluate(q)


def chosen_words(matcher: Matcher) -> list[str]:
    """Two of the commonest words of the bodies and two found in a few articles only."""
    reader = matcher.reader
    common = [text.decode() for _, text in reader.most_frequent_terms("body", 2)]
    rare = [
        text.decode()
        for text, info in reader.iter_field("body")
        if 2 <= info.doc_frequency() <= 4 and text.decode().isalpha()
    ][:2]
    assert len(common) == 2 and len(rare) == 2
    return common + rare


def test_an_and_of_words_is_their_evaluations_combined(demo_index):
    with demo_index.views.acquire() as view:
        matcher = view.matcher
        words = chosen_words(matcher)
        alone = {text: whole(matcher, word(text)) for text in words}
        compared = 0
        for pair in itertools.permutations(words, 2):
            mask, scores = whole(matcher, query.And([word(text) for text in pair]))
            expected = alone[pair[0]][0] & alone[pair[1]][0]
            assert np.array_equal(mask, expected), pair
            summed = alone[pair[0]][1] + alone[pair[1]][1]
            np.testing.assert_allclose(scores[mask], summed[mask], rtol=1e-6)
            assert not scores[~mask].any()  # nothing scored that did not match
            compared += int(mask.sum())
        assert compared > 0  # some pairs matched articles


def test_boosts_negations_and_other_children_keep_their_meaning(demo_index):
    with demo_index.views.acquire() as view:
        matcher = view.matcher
        common, other, rare, _ = chosen_words(matcher)
        q = query.And(
            [word(common, boost=2.0), query.Not(word(rare)), query.Or([word(other), query.Every()])]
        )
        mask, scores = whole(matcher, q)
        common_mask, common_scores = whole(matcher, word(common, boost=2.0))
        rare_mask, _ = whole(matcher, word(rare))
        expected = common_mask & ~rare_mask & view.columns.live
        assert np.array_equal(mask, expected)
        assert mask.any()
        other_mask, other_scores = whole(matcher, word(other))
        np.testing.assert_allclose(
            scores[mask], (common_scores + other_scores * other_mask)[mask], rtol=1e-6
        )
