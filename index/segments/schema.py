"""The Whoosh schema: what is searched, what is filtered and counted, what is sorted.

Text fields are analysed by :mod:`index.text.analysis`. At import the hot path skips Whoosh's token
objects and builds postings straight from :func:`~index.text.analysis.word_terms` (cached per word
type); queries and the analyzer look for :func:`~index.text.analysis.query_terms`, the terms of the
word as typed and as capitalised, so a lowercase name meets its transliteration. Query words are
grouped by position: the lemmas of one ambiguous word are alternatives (OR), different words are
all required.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache

from whoosh import fields, formats, query
from whoosh.filedb.filestore import Storage
from whoosh.index import TOC

from index.segments.storage import INDEX_NAME
from index.text.analysis import arkhiv_analyzer, query_terms, tokenize, word_terms

# Field names, used across the package.
TEXT_FIELDS = ("title", "summary", "body")
# Analysed names: bylines, tags, the outlet. Plain query words search them too, scored below a
# match in the text (see index.matching), so a name typed as words finds the articles by it.
NAME_FIELDS = ("author", "tag", "source")
SEARCHED_FIELDS = TEXT_FIELDS + NAME_FIELDS
TITLE_BOOST = 2.5
SUMMARY_BOOST = 1.5


class ArticleText(fields.TEXT):
    """A text field with positions whose postings come from the cached per-word terms."""

    def __init__(self, field_boost: float = 1.0):
        super().__init__(analyzer=arkhiv_analyzer(), phrase=True, field_boost=field_boost)

    def index(self, value: str, **kwargs) -> Iterator[tuple[bytes, int, float, bytes]]:
        positions: dict[str, list[int]] = defaultdict(list)
        for position, _start, _end, word in tokenize(value):
            for term in word_terms(word):
                positions[term].append(position)
        encode = self.format.encode
        boost = self.format.field_boost
        for term, where in positions.items():
            yield term.encode("utf-8"), len(where), len(where) * boost, encode(where)

    # Words of a query are parsed here (see module docstring); phrases by ``phrase_query``.
    def self_parsing(self) -> bool:
        return True

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        return words_query(fieldname, list(word_groups(qstring)), boost)


@lru_cache(maxsize=1 << 12)
def word_groups(qstring: str) -> tuple[tuple[str, ...], ...]:
    """The terms of each word of ``qstring``: worked out once for all the fields it searches."""
    return tuple(query_terms(word) for _, _, _, word in tokenize(qstring))


def alternatives(fieldname: str, terms: Iterable[str], boost: float = 1.0) -> query.Query:
    terms = list(terms)
    if len(terms) == 1:
        return query.Term(fieldname, terms[0], boost=boost)
    return query.Or([query.Term(fieldname, term) for term in terms], boost=boost)


def words_query(fieldname: str, groups: list[tuple[str, ...]], boost: float = 1.0) -> query.Query:
    groups = [group for group in groups if group]
    if not groups:
        return query.NullQuery
    if len(groups) == 1:
        return alternatives(fieldname, groups[0], boost)
    return query.And([alternatives(fieldname, group) for group in groups], boost=boost)


class ExactValues(fields.FieldType):
    """Raw values (authors, tags, source, language) indexed verbatim, for filters and facets."""

    def __init__(self):
        super().__init__(formats.Existence(), analyzer=None, stored=False, unique=False)
        self.format = formats.Existence()

    def index(self, value: Iterable[str], **kwargs) -> Iterator[tuple[bytes, int, float, bytes]]:
        for item in dict.fromkeys(value):
            yield item.encode("utf-8"), 1, 1.0, b""

    def process_text(self, qstring: str, mode: str = "", **kwargs) -> Iterator[str]:
        yield qstring

    def self_parsing(self) -> bool:
        return True

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        return query.Term(fieldname, qstring, boost=boost)


class DateColumn(fields.NUMERIC):
    """A number kept only as a column, one value per document (the date filters, the date
    histogram and the newest-first order read it from there): no terms are written for it.
    Whoosh's NUMERIC writes four terms per value (its shifted precisions), a quarter of a new
    segment's terms, that every commit and every merge would write and no search reads."""

    indexed = False


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=ArticleText(field_boost=TITLE_BOOST),
        summary=ArticleText(field_boost=SUMMARY_BOOST),
        body=ArticleText(),
        # Analysed names for ``author:``, ``tag:`` and ``source:`` in a query (any form or script).
        author=ArticleText(),
        tag=ArticleText(),
        source=ArticleText(),
        # Raw values for filters and facet counts.
        author_value=ExactValues(),
        tag_value=ExactValues(),
        source_value=ExactValues(),
        language=ExactValues(),
        # The story of an article that has copies (archive.copies): the id of its earliest
        # copy. Left empty for an article without copies (most), so reading it stays cheap.
        cluster=ExactValues(),
        # Seconds since the epoch of the publication's start; -1 when undated. Day as YYYYMMDD.
        published=DateColumn(int, bits=64, signed=True, sortable=True),
        day=DateColumn(int, bits=32, signed=True, sortable=True),
    )


def read_toc(storage: Storage, generation: int) -> TOC:
    """The table of contents of one commit of the index in ``storage``, with this code's schema.

    Whoosh pickles the schema into every table of contents, naming its classes by their modules,
    and would unpickle it on reading: an index written before a module moved (``index.schema``
    before ``index/`` had sub-packages) could not be opened. The schema is the code's anyway, so
    it is given, never read back."""
    return TOC.read(storage, INDEX_NAME, generation, schema=build_schema())
