"""What a search tells the reader: notices (how the request was read) and refusals (why it
cannot be run), each with an id.

The id (``code``) is what a client keys its own translation on; the English text is the one the
JSON API sends as ``message`` and, unchanged, the msgid the web app's catalogs translate (the
page shows every message in the reader's language). A message keeps its values apart from its
text (``params``) so that each language can write them its own way: numbers as the locale
writes them, quotes as the language quotes.

Adding a message: give it an id and its English text here, then a translation in both catalogs
(``webapp/translations/*/LC_MESSAGES/messages.po``); ``tests/test_query_notices.py`` fails for a
text either catalog lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def N_(text: str) -> str:
    """Marks ``text`` for the catalogs (``pybabel extract -k N_``); translated where shown."""
    return text


TEXTS: dict[str, str] = {
    # Notices: the search ran, and this is how it read the query.
    "query.closed": N_(
        "The query left a quote or a parenthesis open, so “%(added)s” was added at the end: "
        "searched for “%(query)s”."
    ),
    "query.plain_words": N_(
        "The query could not be read as written: searched for the words “%(words)s”."
    ),
    "query.not_a_field": N_(
        "“%(name)s:” is not a field to search by: “%(name)s” was searched as a word."
    ),
    "query.prefix_too_short": N_(
        "A prefix search needs at least %(letters)s letters: “%(prefix)s*” was searched as a word."
    ),
    "query.prefix_too_many": N_(
        "“%(prefix)s*” matches many words; the %(terms)s most frequent were used."
    ),
    "query.phrase_as_words": N_(
        "A phrase of words this common cannot be matched exactly here: its words were searched "
        "for instead."
    ),
    "index.analyser_outdated": N_(
        "The index was written by an older version of Arkhiv and may miss other spellings of "
        "names; running “arkhiv reindex” rebuilds it."
    ),
    "query.layout": N_(
        "Nothing was found for “%(typed)s” as typed; it reads as “%(query)s” in the other "
        "keyboard layout, and that was searched."
    ),
    # Refusals (400): a parameter that cannot be used; the text follows the parameter's name.
    "request.too_long": N_("is longer than %(limit)s characters"),
    "request.not_a_date": N_("%(value)s is not a date (expected 2016, 2016-05 or 2016-05-12)"),
    "request.not_a_number": N_("%(value)s is not a whole number"),
    "request.out_of_range": N_("must be between %(lowest)s and %(highest)s"),
    "request.not_one_of": N_("%(value)s is not one of %(choices)s"),
    "request.dates_reversed": N_("is after to"),
    "request.too_many_values": N_(
        "at most %(limit)s values of one filter may be chosen; this search chose %(count)s"
    ),
    "request.too_many_queries": N_(
        "at most %(limit)s searches may be compared; this asked for %(count)s"
    ),
    "request.too_many_periods": N_(
        "gives %(count)s periods over this span, more than %(limit)s: choose a longer interval "
        "or a shorter span (from, to)"
    ),
    "query.phrase_too_long": N_(
        "an exact phrase may hold at most %(limit)s words; “%(phrase)s…” has %(count)s"
    ),
}


def english_number(number: int) -> str:
    return f"{number:,}"


@dataclass(frozen=True)
class Message:
    """One message: its id and its values (hashable, so repeated notices are told once)."""

    code: str
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Any) -> Message:
        if code not in TEXTS:
            raise KeyError(f"no message has the id {code!r}")
        return cls(code, tuple(params.items()))

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.values)

    @property
    def text(self) -> str:
        """The English text (the API's ``message``)."""
        return render(TEXTS[self.code], self.params, english_number)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.text, "params": self.params}

    def __str__(self) -> str:
        return self.text


def render(template: str, params: Mapping[str, Any], number: Callable[[int], str]) -> str:
    """``template`` with ``params`` put in, whole numbers written by ``number``."""
    if not params:
        return template
    return template % {
        name: number(value) if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in params.items()
    }
