"""Snippets: the best passage of a text with every matched form in ``<mark>``.

A word matches when any of its index terms is a term the query asked for, so «України» is marked
for a search of «Україна». Text is HTML-escaped piece by piece before marks are added, so nothing
in an article can inject markup.
"""

from __future__ import annotations

from html import escape

from index.analysis import tokenize, word_terms

SNIPPET_WORDS = 36
OPENING_CHARS = 5000
MARGIN_CHARS = 1500


def _matches(word: str, terms: set[str]) -> bool:
    return not terms.isdisjoint(word_terms(word))


def mark(text: str, terms: set[str]) -> str:
    """The whole text, escaped, with matched words marked (for titles)."""
    return _render(
        text, [(s, e) for _, s, e, w in tokenize(text) if _matches(w, terms)], 0, len(text)
    )


def snippet(text: str, terms: set[str], words: int = SNIPPET_WORDS) -> str:
    """The passage of about ``words`` words holding the most matches, escaped and marked.

    Only the opening of a long text is read, unless the opening holds no match.
    """
    tokens, whole = _opening_tokens(text)
    matched = (
        [_matches(word, terms) for _, _, _, word in tokens] if terms else [False] * len(tokens)
    )
    if terms and not any(matched) and not whole:
        tokens, whole = list(tokenize(text)), True
        matched = [_matches(word, terms) for _, _, _, word in tokens]
    if not tokens:
        return ""
    best_start = 0
    if any(matched):
        window = best = sum(matched[:words])
        for start in range(1, max(len(tokens) - words + 1, 1)):
            window += matched[start + words - 1] - matched[start - 1]
            if window > best:
                best, best_start = window, start
        # Start a few words before the window's first match, so it reads in context.
        first = next(i for i in range(best_start, len(tokens)) if matched[i])
        best_start = max(0, first - 4)
    end = min(best_start + words, len(tokens))
    at_end = whole and end == len(tokens)
    start_char = 0 if best_start == 0 else tokens[best_start][1]
    end_char = len(text) if at_end else tokens[end - 1][2]
    marks = [
        (s, e)
        for (_, s, e, _), hit in zip(tokens[best_start:end], matched[best_start:end], strict=True)
        if hit
    ]
    html = _render(text, marks, start_char, end_char)
    prefix = "… " if best_start > 0 else ""
    suffix = "" if at_end else " …"
    return f"{prefix}{html}{suffix}"


def _opening_tokens(text: str) -> tuple[list[tuple[int, int, int, str]], bool]:
    """Tokens of the text's opening (with room for a passage after it) and whether that is all."""
    if len(text) <= OPENING_CHARS + MARGIN_CHARS:
        return list(tokenize(text)), True
    return list(tokenize(text[: OPENING_CHARS + MARGIN_CHARS])), False


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    pieces: list[str] = []
    cursor = start
    for mark_start, mark_end in marks:
        pieces.append(escape(text[cursor:mark_start]))
        pieces.append(f"<mark>{escape(text[mark_start:mark_end])}</mark>")
        cursor = mark_end
    pieces.append(escape(text[cursor:end]))
    return " ".join("".join(pieces).split())
