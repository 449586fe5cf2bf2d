"""Keyboard layouts: a query typed with the wrong layout on, read in the other one.

The two layouts are US QWERTY and the standard Ukrainian (ЙЦУКЕН with і ї є ґ; the apostrophe
on the key left of 1, ґ on the backslash key, as Windows' "Ukrainian (Enhanced)" and the Linux
``ua`` layout place them), shifted characters too. «Україна» typed with the English layout on is
``Erhf]yf`` (``Erhfsyf`` when і is typed for ї, as people do: «Украіна»); "hello" typed with the
Ukrainian layout on is «руддщ».

Only the words of a query are converted. What a reader types on purpose keeps its meaning: a
field prefix (``title:``, ``автор:``), the operators ``AND``, ``OR``, ``NOT``, a ``-`` or ``+``
before a word, a ``*`` after one, parentheses, and quotes that pair up. A lone ``"`` in a Latin
query is the key of «Є» (``"dhjgf`` is «Європа»); «Ж» in a Cyrillic query is the key of ``:``
(the Ukrainian layout types ``title:`` as «ешедуЖ»), so a field typed that way becomes one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.searching.query import PUBLIC_FIELDS
from index.text.analysis import tokenize

# Key by key: what US QWERTY types, and what the Ukrainian layout types on the same key.
_ENGLISH_KEYS = "`qwertyuiop[]\\asdfghjkl;'zxcvbnm,./~QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>?"
_UKRAINIAN_KEYS = "'йцукенгшщзхїґфівапролджєячсмитьбю.₴ЙЦУКЕНГШЩЗХЇҐФІВАПРОЛДЖЄЯЧСМИТЬБЮ,"
assert len(_ENGLISH_KEYS) == len(_UKRAINIAN_KEYS)

TO_UKRAINIAN = dict(zip(_ENGLISH_KEYS, _UKRAINIAN_KEYS, strict=True))
TO_ENGLISH = dict(zip(_UKRAINIAN_KEYS, _ENGLISH_KEYS, strict=True))

_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_OPERATORS = frozenset({"AND", "OR", "NOT"})
# What stays as typed: a public field's prefix, an operator, and the characters of the syntax
# that are no key of a letter in either layout. Spaces separate.
_FIELD = re.compile(r"(?<![^\s(\-+])(\w+):")
_OPERATOR = re.compile(r"(?<!\S)(AND|OR|NOT)(?!\S)")
# What was typed between spaces, without a leading - or + and the syntax around it.
_CHUNK = re.compile(r'(?:^|(?<=[\s(":]))[-+]?([^\s()"*]+)')


def _kept_spans(text: str, known: Callable[[str], bool] | None = None) -> set[int]:
    """Positions in ``text`` that are syntax or a word ``known`` in its own layout."""
    kept: set[int] = set()
    if known is not None:
        for match in _CHUNK.finditer(text):
            words = [word for _, _, _, word in tokenize(match.group(1))]
            if len(words) == 1 and words[0] == match.group(1) and known(words[0]):
                kept.update(range(match.start(1), match.end(1)))
    for match in _FIELD.finditer(text):
        if match.group(1).lower() in PUBLIC_FIELDS:
            kept.update(range(match.start(), match.end()))
    for match in _OPERATOR.finditer(text):
        kept.update(range(match.start(), match.end()))
    return kept


def _convert(text: str, table: dict[str, str], quotes_kept: bool, kept: set[int]) -> str:
    out = []
    for position, char in enumerate(text):
        if position in kept or (char == '"' and quotes_kept):
            out.append(char)
            continue
        previous = text[position - 1] if position else " "
        if char in "-+" and (previous.isspace() or previous == "("):
            out.append(char)  # a word required or excluded, not a key of a letter
            continue
        out.append(table.get(char, char))
    return "".join(out)


def converted(text: str, known: Callable[[str], bool] | None = None) -> str | None:
    """``text`` as typed with the other layout on, or None when it has nothing to convert:
    no letters, letters of both scripts, or nothing but syntax. A word for which ``known`` is
    true (the index holds it) stays as typed: ``Kyiv Ljyfkmlf`` is "Kyiv Дональда".

    >>> converted("Erhf]yf"), converted("руддщ"), converted('title:"Erhf]yf"')
    ('Україна', 'hello', 'title:"Україна"')
    """
    kept = _kept_spans(text, known)
    words = "".join(c for i, c in enumerate(text) if i not in kept)
    latin, cyrillic = bool(_LATIN.search(words)), bool(_CYRILLIC.search(words))
    if latin == cyrillic:
        return None
    if latin:
        result = _convert(text, TO_UKRAINIAN, text.count('"') % 2 == 0, kept)
    else:
        result = _convert(text, TO_ENGLISH, True, kept)
    if result == text or _words(result) > _words(text):
        # A word of one layout that falls apart in the other («Укрвїна» is ``Erode]you``) was
        # typed in the layout it is in.
        return None
    return result


def _words(text: str) -> int:
    """The words of ``text``, a field's name not counted."""
    bare = _FIELD.sub(lambda m: " " if m.group(1).lower() in PUBLIC_FIELDS else m.group(0), text)
    return sum(1 for _ in tokenize(bare))
