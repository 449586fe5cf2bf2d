"""Parsing what a journalist types into a Whoosh query.

All words are required; ``"exact phrase"``, ``OR``, ``-word``/``NOT``, ``title:``, ``author:``,
``tag:``, ``source:``, ``language:``, ``prefix*`` (three letters or more) and parentheses work.
Each word is analysed like the text it searches (``query_terms``: its lemmas or stem, and the
transliterations a capitalised form of it is indexed with) as alternatives at one position. A
quote or a parenthesis left open is closed at the end of the query; a query that still cannot
be parsed is searched as plain words; each with a notice, never an error.

A word unfielded is looked for in the title, summary and body and in the names (bylines, tags,
the outlet): each word must be found in one of them, not all words in one. A query of a few plain
words that stand as a phrase in a byline (a full name: «Галина Мельник», "Halyna Melnyk") ranks
the articles *by* that person first, above those that only mention the words (Мельник is also
"miller").
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field

from whoosh import query
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    MultifieldPlugin,
    PlusMinusPlugin,
    PrefixPlugin,
    QueryParser,
    SingleQuotePlugin,
    WildcardPlugin,
)
from whoosh.qparser.plugins import BoostPlugin, RangePlugin
from whoosh.reading import IndexReader

from index.searching.messages import Message
from index.segments.schema import SEARCHED_FIELDS, TEXT_FIELDS, words_query
from index.text import analysis
from index.text.analysis import normalize_word, query_terms, tokenize

MIN_PREFIX = 3
MAX_PREFIX_TERMS = 256
# The most words an exact phrase may hold (longer ones answer 400: no reader types them).
MAX_PHRASE_WORDS = 12
# Values of these fields are matched as written (after trimming), not analysed.
EXACT_FIELDS = ("language",)
FIELD_ALIASES = {
    "author": ["authors", "автор", "автори"],
    "tag": ["tags", "тег", "теги"],
    "source": ["джерело", "outlet"],
    "title": ["заголовок"],
    "language": ["lang", "мова"],
}
_SYNTAX = re.compile(r'[()"*:+\-]|\b(?:AND|OR|NOT)\b')
PUBLIC_FIELDS = frozenset(FIELD_ALIASES) | {a for names in FIELD_ALIASES.values() for a in names}
_FIELD_PREFIX = re.compile(r"(\w+):")
_PHRASE = re.compile(r'"([^"]*)"')
# A query of this many plain words may be a full name (given name, patronymic, surname, or a
# double surname); longer queries are sentences, not names.
NAME_WORDS = (2, 4)
# What a query written as a byline adds to each article by that person: a tier above any text
# score (BM25 of two words in title, summary and body stays below 200), so the person's own
# articles come first, whichever script their byline is in (index.matching scores it flat).
BYLINE_BOOST = 1000.0
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_PLAIN_QUERY = re.compile(r"[\w'’ʼ`\s.\-]+")


class QueryTooLong(ValueError):
    """A part of the query asks for more work than a search may do (answered with 400)."""

    def __init__(self, message: Message):
        self.message = message
        super().__init__(message.text)


@dataclass
class ParsedQuery:
    """The query to run, and what the user should be told about how it was read."""

    query: query.Query
    notices: list[Message] = field(default_factory=list)


class ArchiveQueryParser(QueryParser):
    """Whoosh's parser with the archive's analysis of words and phrases."""

    def __init__(self, schema):
        super().__init__(None, schema, group=AndGroup)
        self.add_plugin(MultifieldPlugin(list(SEARCHED_FIELDS)))
        # An apostrophe belongs inside Ukrainian and English words, never quotes a term.
        self.remove_plugin_class(SingleQuotePlugin)
        self.remove_plugin_class(WildcardPlugin)
        self.remove_plugin_class(RangePlugin)
        self.remove_plugin_class(BoostPlugin)
        self.add_plugin(PrefixPlugin())
        # ``-word`` excludes, but a hyphen inside a word joins it: Петренко-Сидоренко is a
        # double surname, COVID-19 one word (Whoosh's default took any hyphen for NOT).
        self.add_plugin(PlusMinusPlugin(plusexpr=r"(?<!\w)\+", minusexpr=r"(?<!\w)-"))
        self.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        self.phraseclass = phrase_query

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if fieldname in EXACT_FIELDS:
            return query.Term(fieldname, text.strip().lower(), boost=boost)
        if termclass is query.Prefix:
            return query.Prefix(fieldname, normalize_word(text.rstrip("*")), boost=boost)
        # Whoosh's signature names a parameter ``tokenize``, hiding the function of that name.
        groups = [query_terms(word) for _, _, _, word in analysis.tokenize(text)]
        return words_query(fieldname, groups, boost)


def phrase_query(fieldname, words, slop=1, boost=1.0, char_ranges=None):
    """A phrase whose positions may each hold several alternatives (the lemmas of one word).

    Whoosh hands over the analyser's terms with their character ranges; terms of one word share
    its range, so grouping by range recovers the words.
    """
    groups: list[list[str]] = []
    last_range = object()
    for word, char_range in zip(words, char_ranges or [None] * len(words), strict=False):
        if char_range is not None and char_range == last_range and groups:
            groups[-1].append(word)
        else:
            groups.append([word])
        last_range = char_range
    if not groups:
        return query.NullQuery
    if len(groups) == 1:
        return words_query(fieldname, [tuple(groups[0])], boost)
    parts = [
        query.Term(fieldname, g[0])
        if len(g) == 1
        else query.Or([query.Term(fieldname, t) for t in g])
        for g in groups
    ]
    return query.Sequence(parts, slop=slop, boost=boost)


def closing(text: str) -> str | None:
    """What closes, at the end of ``text``, what it left open: a quote, then each parenthesis
    still open (``"`` and ``)`` for ``"a b`` inside ``(``); ``""`` when nothing is open; None when
    a parenthesis closes one never opened, which nothing added at the end can mend.

    Inside quotes a parenthesis is punctuation, as Whoosh reads the phrase first. Closing at the
    end is what search boxes do (Elasticsearch's ``simple_query_string`` among them): the reader
    of ``"гарантії безпеки" OR (title:Київ`` meant the phrase or a word of the title.
    """
    depth, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
    return ('"' if quoted else "") + ")" * depth


def _plain_words(text: str) -> str:
    return " ".join(_SYNTAX.sub(" ", text).split())


def _contains_error(q: query.Query) -> bool:
    if isinstance(q, query.qcore._NullQuery):
        return False
    if q.__class__.__name__ == "ErrorQuery":
        return True
    return any(_contains_error(child) for child in q.children())


def _only_public_fields(text: str, notices: list[Message]) -> str:
    """``name:`` is a field only for the public names; any other is read as words."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name.lower() in PUBLIC_FIELDS:
            return match.group(0)
        notices.append(Message.of("query.not_a_field", name=name))
        return f"{name} "

    return _FIELD_PREFIX.sub(replace, text)


def _check_phrases(text: str) -> None:
    for phrase in _PHRASE.findall(text):
        words = sum(1 for _ in tokenize(phrase))
        if words > MAX_PHRASE_WORDS:
            raise QueryTooLong(
                Message.of(
                    "query.phrase_too_long", limit=MAX_PHRASE_WORDS, phrase=phrase[:40], count=words
                )
            )


def parse_query(text: str, schema) -> ParsedQuery:
    """Parse ``text``. What it left open is closed at the end and searched, with a notice; a
    query that still cannot be read is searched as plain words, with a notice; never an error.
    Raises :class:`QueryTooLong` for a phrase longer than ``MAX_PHRASE_WORDS`` words."""
    notices: list[Message] = []
    parser = ArchiveQueryParser(schema)
    _check_phrases(text)
    typed = text
    text = _only_public_fields(text, notices)
    added = closing(text)
    parsed = None
    if added is not None:
        try:
            _check_phrases(text + added)
        except QueryTooLong:  # a phrase the closing made, not one the reader wrote
            added = None
        else:
            parsed = _parse(parser, text + added)
    if parsed is None:
        plain = _plain_words(text)
        notices.append(Message.of("query.plain_words", words=plain))
        return ParsedQuery(_parse_plain(plain, parser), notices)
    if added:
        notices.append(Message.of("query.closed", added=added, query=typed + added))
    return ParsedQuery(with_byline_bonus(parsed, text), notices)


def with_byline_bonus(parsed: query.Query, text: str) -> query.Query:
    """``parsed``, its articles whose byline holds ``text`` as a phrase ranked first, when
    ``text`` is a few plain words (no operators, fields or quotes): what a name typed looks
    like. Matching is unchanged: the bonus only scores what ``parsed`` already finds."""
    # A hyphen inside a word joins a double surname (Петренко-Сидоренко); elsewhere it excludes.
    if not _PLAIN_QUERY.fullmatch(text) or _SYNTAX.search(_INNER_HYPHEN.sub("", text)):
        return parsed
    groups = [terms for _, _, _, word in tokenize(text) if (terms := query_terms(word))]
    if not NAME_WORDS[0] <= len(groups) <= NAME_WORDS[1]:
        return parsed
    words = [
        query.Term("author", g[0])
        if len(g) == 1
        else query.Or([query.Term("author", t) for t in g])
        for g in groups
    ]
    return query.AndMaybe(parsed, query.Sequence(words, slop=1, boost=BYLINE_BOOST))


def _parse(parser: ArchiveQueryParser, text: str) -> query.Query | None:
    """The query Whoosh reads in ``text``, or None when it reads an error there."""
    try:
        parsed = parser.parse(text)
    except Exception:  # noqa: BLE001 - whatever Whoosh raises, the user gets plain words
        return None
    return None if parsed is None or _contains_error(parsed) else parsed


def _parse_plain(text: str, parser: ArchiveQueryParser) -> query.Query:
    groups = [terms for _, _, _, word in tokenize(text) if (terms := query_terms(word))]
    if not groups:
        return query.NullQuery
    per_word = [
        query.Or([words_query(name, [terms]) for name in SEARCHED_FIELDS]) for terms in groups
    ]
    return per_word[0] if len(per_word) == 1 else query.And(per_word)


def bound_prefixes(q: query.Query, reader: IndexReader, notices: list[Message]) -> query.Query:
    """Replace each prefix by its most frequent expansions (at most MAX_PREFIX_TERMS)."""
    told: set[str] = set()

    def expand(node: query.Query) -> query.Query:
        if not isinstance(node, query.Prefix):
            return node
        prefix = node.text
        if len(prefix) < MIN_PREFIX:
            if prefix not in told:
                told.add(prefix)
                notices.append(
                    Message.of("query.prefix_too_short", letters=MIN_PREFIX, prefix=prefix)
                )
            return words_query(node.fieldname, [query_terms(prefix)], node.boost)
        candidates = (
            (reader.doc_frequency(node.fieldname, term), term)
            for term in reader.expand_prefix(node.fieldname, prefix)
        )
        top = heapq.nlargest(MAX_PREFIX_TERMS + 1, candidates)
        if len(top) > MAX_PREFIX_TERMS and prefix not in told:
            told.add(prefix)
            notices.append(
                Message.of("query.prefix_too_many", prefix=prefix, terms=MAX_PREFIX_TERMS)
            )
        terms = [term for _, term in top[:MAX_PREFIX_TERMS]]
        if not terms:
            return query.NullQuery
        return query.Or([query.Term(node.fieldname, term) for term in terms], boost=node.boost)

    return q.accept(expand)


def highlight_terms(q: query.Query, fields: tuple[str, ...] = TEXT_FIELDS) -> set[str]:
    """The terms a snippet should mark: those of ``fields`` the query asks for (not excluded)."""
    found: set[str] = set()

    def walk(node: query.Query) -> None:
        if isinstance(node, query.Not):
            return
        if isinstance(node, query.Term):
            if node.fieldname in fields:
                found.add(node.text)
            return
        for child in node.children():
            walk(child)

    walk(q)
    return found
