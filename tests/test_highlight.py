"""Snippet marks: words are analysed only when they can match, and the marks are exactly those
of analysing every word."""

from __future__ import annotations

import json

import pytest

from index.searching.highlight import (
    MARGIN_CHARS,
    OPENING_CHARS,
    SNIPPET_WORDS,
    FormMatcher,
    _render,
    mark,
    snippet,
    snippets,
)
from index.text.analysis import query_terms, tokenize, word_terms
from index.text.word_bounds import word_bounds
from tests.conftest import DEMO_FILES, corpus_files


def articles(limit: int | None = None) -> list[dict]:
    found = [json.loads(DEMO_FILES[0].read_text())]
    found += [json.loads(line) for line in DEMO_FILES[1].read_text().splitlines() if line.strip()]
    for path in corpus_files():
        with path.open(encoding="utf-8") as lines:
            found += [json.loads(line) for _, line in zip(range(150), lines, strict=False)]
    return found[:limit]


def every_word_marks(text: str, terms: frozenset[str]) -> list[str]:
    return [w for _, _, _, w in tokenize(text) if not terms.isdisjoint(word_terms(w))]


def test_form_matcher_marks_what_full_analysis_marks():
    compared = 0
    for article in articles():
        text = f"{article['title']}\n{article.get('body') or article.get('text', '')}"[:3000]
        words = [w for _, _, _, w in tokenize(article["title"]) if len(w) > 2]
        for word in words[:6]:
            terms = frozenset(query_terms(word))
            matcher = FormMatcher(terms)
            expected = every_word_marks(text, terms)
            got = [w for _, _, _, w in tokenize(text) if matcher(w)]
            assert got == expected, (word, terms)
            # Over the whole text at once (words passed over by a regular expression): the same.
            starts, ends = word_bounds(text)
            flagged = matcher.marked(text, starts, ends)
            assert [text[starts[i] : ends[i]] for i in flagged] == got
            compared += 1
    assert compared > 100


@pytest.mark.parametrize(
    ("text", "query", "marked"),
    [
        ("Уряд: Kиїв і Києві, KИЇВ.", "Київ", ["Kиїв", "Києві", "KИЇВ"]),  # Latin К and И
        ("П’ять років, пʼять днів, п'ять.", "п'ять", ["П’ять", "пʼять", "п'ять"]),
        ("Люди і людина, людьми.", "людина", ["Люди", "людина", "людьми"]),
        ("Kyiv, Kiev and Києва, not Kenya.", "Kyiv", ["Kyiv", "Kiev", "Києва"]),
        ("İstanbul and Kyiv", "Kyiv", ["Kyiv"]),  # İ lowercases to two letters
    ],
)
def test_the_whole_text_at_once_marks_every_spelling(text, query, marked):
    terms = frozenset(t for word in query.split() for t in query_terms(word))
    matcher = FormMatcher(terms)
    starts, ends = word_bounds(text)
    flagged = matcher.marked(text, starts, ends)
    assert [text[starts[i] : ends[i]] for i in flagged] == marked
    assert marked == every_word_marks(text, terms)


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("україна", "Україною та України, а не Угорщиною", ["Україною", "України"]),
        ("людина", "Люди й людина", ["Люди", "людина"]),  # a form with other first letters
        ("Hlushchenko", "Ольга Глущенко написала", ["Глущенко"]),  # across scripts
        ("guarantee", "security guarantees were guaranteed", ["guarantees", "guaranteed"]),
    ],
)
def test_marks_inflected_forms_and_names(query, text, marked):
    terms = set(query_terms(query))
    html = mark(text, terms)
    assert [piece.split("</mark>")[0] for piece in html.split("<mark>")[1:]] == marked
    assert snippet(text, terms).count("<mark>") == len(marked)


def reference_snippet(text: str, terms: frozenset[str], words: int = SNIPPET_WORDS) -> str:
    """A snippet made the plain way: every word of the opening analysed, every window of
    ``words`` words counted, the first with the most matches taken."""
    opening = text[: OPENING_CHARS + MARGIN_CHARS]
    whole = opening == text
    spans = [(s, e) for _, s, e, _ in tokenize(opening)]
    matched = [not terms.isdisjoint(word_terms(text[s:e])) for s, e in spans]
    if terms and not any(matched) and not whole:
        spans, whole = [(s, e) for _, s, e, _ in tokenize(text)], True
        matched = [not terms.isdisjoint(word_terms(text[s:e])) for s, e in spans]
    if not spans:
        return ""
    start = 0
    if any(matched):
        counts = [sum(matched[i : i + words]) for i in range(max(len(spans) - words + 1, 1))]
        start = counts.index(max(counts))
        start = max(0, matched.index(True, start) - 4)
    end = min(start + words, len(spans))
    at_end = whole and end == len(spans)
    marks = [span for span, hit in zip(spans[start:end], matched[start:end], strict=True) if hit]
    html = _render(
        text, marks, spans[start][0] if start else 0, len(text) if at_end else spans[end - 1][1]
    )
    return ("… " if start else "") + html + ("" if at_end else " …")


def test_a_page_of_snippets_is_the_first_passage_with_the_most_matches():
    texts = [article.get("body") or article.get("summary") or "" for article in articles(300)]
    compared = 0
    for query in ("Україна", "Київ", "said", "budget war", "президент Зеленський", "people"):
        terms = frozenset(t for word in query.split() for t in query_terms(word))
        made = snippets(texts, terms)
        assert made == [snippet(text, terms) for text in texts]  # one by one: the same
        for text, passage in zip(texts, made, strict=True):
            assert passage == reference_snippet(text, terms), (query, text[:80])
            compared += "<mark>" in passage
    assert compared > 50
