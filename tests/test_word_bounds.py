"""Words found from arrays (for snippets) are the words the analysis's expression finds."""

from __future__ import annotations

import json
import random
import re

import pytest

from index.searching.highlight import _word_starts
from index.text.analysis import WORD_RE
from index.text.word_bounds import word_bounds, word_bounds_of_each
from tests.conftest import DEMO_FILES, corpus_files, needs_corpus


def expected(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in WORD_RE.finditer(text)]


def found(text: str) -> list[tuple[int, int]]:
    starts, ends = word_bounds(text)
    assert starts.dtype == ends.dtype == "int64"
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Україна",
        "П’ять років, пʼять днів, п'ять.",  # apostrophes between letters stay inside
        "ʼ Україна ʼa aʼ",  # ʼ is a letter for \w, but starts no word
        "rock 'n' roll, 'quoted', it's, O`Neil, ‘x’",
        "на\u0301голос \u0301Київ й\u0306",  # combining marks inside a word, or before one
        "снаря\u00adди, zero\u200bwidth, join\u2060ed",
        "snake_case and 2024-12-07, №5, ½ and ²",
        "İstanbul, ǅemal, ﬁne",
        "𝐀𝐁 math letters, emoji 😀 between, 𐐀𐐨 Deseret",
        "a\ud800b",  # a lone surrogate (a text cut in half by a bad encoder)
        "ends with an apostrophe'",
    ],
)
def test_words_are_those_of_the_expression(text):
    assert found(text) == expected(text)


def test_random_texts_of_the_characters_that_make_words_hard():
    alphabet = list("ab Я'’ʼ`‘´ʻ_-1 \u0301\u00ad\u200b\u2060.,İ𝐀😀ї")
    rng = random.Random(21)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert found(text) == expected(text), repr(text)


def test_the_demo_articles():
    texts = [json.loads(DEMO_FILES[0].read_text())["body"]]
    texts += [
        json.loads(line).get("body") or ""
        for line in DEMO_FILES[1].read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for text in texts:
        assert found(text) == expected(text)


@needs_corpus
def test_the_real_corpus():
    compared = 0
    for path in corpus_files():
        with path.open(encoding="utf-8") as lines:
            for _, line in zip(range(300), lines, strict=False):
                article = json.loads(line)
                for text in (article["title"], article.get("body") or ""):
                    assert found(text) == expected(text), article["id"]
                    compared += 1
    assert compared >= 600


def test_a_match_inside_a_word_hides_no_word_start():
    # "war" inside "towar", "swarm" and "warward" starts no word; the search goes on after it.
    assert _word_starts(re.compile("war"), "towar war swarm warward") == [6, 16]
    assert _word_starts(re.compile("[A-Z]"), "A bC D_E") == [0, 5, 7]  # _ is no letter


def test_the_words_of_several_texts_found_in_one_pass():
    texts = ["Україна, п’ять", "", "ʼ", "snake_case 2024", "a\u0301b c", "x" * 5, "end'"]
    for count in range(len(texts) + 1):
        each = word_bounds_of_each(texts[:count])
        assert len(each) == count
        for text, (starts, ends) in zip(texts, each, strict=False):
            assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == expected(text)
