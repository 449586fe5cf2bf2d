"""Snippets: the best passage of a text with every matched form in ``<mark>``.

A word matches when any of its index terms is a term the query asked for, so «України» is marked
for a search of «Україна». Text is HTML-escaped piece by piece before marks are added, so nothing
in an article can inject markup.
"""

from __future__ import annotations

from html import escape

from index.analysis import tokenize, word_terms

SNIPPET_WORDS = 36


def _matches(word: str, terms: set[str]) -> bool:
    return not terms.isdisjoint(word_terms(word))


def mark(text: str, terms: set[str]) -> str:
    """The whole text, escaped, with matched words marked (for titles)."""
    return _render(
        text, [(s, e) for _, s, e, w in tokenize(text) if _matches(w, terms)], 0, len(text)
    )


def snippet(text: str, terms: set[str], words: int = SNIPPET_WORDS) -> str:
    """The passage of about ``words`` words holding the most matches, escaped and marked."""
    tokens = list(tokenize(text))
    if not tokens:
        return ""
    matched = [_matches(word, terms) if terms else False for _, _, _, word in tokens]
    best_start, best_score = 0, -1
    if any(matched):
        window = sum(matched[:words])
        best_score, best_start = window, 0
        for start in range(1, max(len(tokens) - words + 1, 1)):
            window += matched[start + words - 1] - matched[start - 1]
            if window > best_score:
                best_score, best_start = window, start
        # Start a little before the first match of the window, so it reads in context.
        first = next(i for i in range(best_start, len(tokens)) if matched[i])
        best_start = max(0, first - 4)
    end = min(best_start + words, len(tokens))
    start_char = tokens[best_start][1]
    end_char = tokens[end - 1][2]
    if best_start == 0:
        start_char = 0
    if end == len(tokens):
        end_char = len(text)
    marks = [
        (s, e)
        for (_, s, e, _), hit in zip(tokens[best_start:end], matched[best_start:end], strict=True)
        if hit
    ]
    html = _render(text, marks, start_char, end_char)
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if end < len(tokens) else ""
    return f"{prefix}{html}{suffix}"


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    pieces: list[str] = []
    cursor = start
    for mark_start, mark_end in marks:
        pieces.append(escape(text[cursor:mark_start]))
        pieces.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        cursor = mark_end
    pieces.append(escape(text[cursor:end]))
    return " ".join("".join(pieces).split())
