"""A search as the user asks for it: the query string of the page and of ``/api/search``.

The query string is the whole state of a search, so a search is a link that can be shared.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from index.searching.messages import Message

SORTS = ("relevance", "newest", "oldest")
FACET_PARAMS = {"language": "language", "source": "source", "author": "author", "tag": "tag"}
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 1000
# The most values a search may choose of one facet (tag, author, source, language). A reader
# chooses a handful; a script that wants more asks several searches. Past it: 400, naming the
# facet, on the page and the API alike.
MAX_FILTER_VALUES = 100


class RequestError(ValueError):
    """A parameter that cannot be used; ``param`` names it, ``message`` says why (an id and its
    values, so the page can say it in the reader's language; ``str()`` is the English)."""

    def __init__(self, param: str, code: str, **params: Any):
        self.param = param
        self.message = Message.of(code, **params)
        super().__init__(f"{param}: {self.message.text}")

    @property
    def code(self) -> str:
        return self.message.code


class MultiArgs(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...


def _date(args: MultiArgs, name: str, end: bool) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    parts = raw.split("-")
    try:
        if len(parts) == 1:
            year = int(parts[0])
            return date(year, 12, 31) if end else date(year, 1, 1)
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            if end:
                return date(year, month, calendar.monthrange(year, month)[1])
            return date(year, month, 1)
        return date.fromisoformat(raw)
    except (ValueError, calendar.IllegalMonthError):
        raise RequestError(name, "request.not_a_date", value=repr(raw[:40])) from None


def int_param(args: MultiArgs, name: str, default: int, lowest: int, highest: int) -> int:
    """The whole number ``name`` (``default`` when absent), from ``lowest`` to ``highest``."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RequestError(name, "request.not_a_number", value=repr(raw[:20])) from None
    if not lowest <= value <= highest:
        raise RequestError(name, "request.out_of_range", lowest=lowest, highest=highest)
    return value


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    language: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: str = ""
    page: int = 1
    per_page: int = 20
    facet_size: int = 30
    # One hit per story (the best-ranked of its copies); False: every article.
    collapse: bool = True
    # Only the copies of this story (its id: the id of its earliest copy).
    cluster: str = ""
    literal: bool = False  # the query as typed, never read in the other keyboard layout

    @classmethod
    def from_args(cls, args: MultiArgs) -> SearchRequest:
        """Read a query string; raises :class:`RequestError` for a parameter that cannot be used."""
        q = (args.get("q") or "").strip()
        if len(q) > MAX_QUERY_LENGTH:
            raise RequestError("q", "request.too_long", limit=MAX_QUERY_LENGTH)
        values = {
            name: tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v and v.strip()))
            for name in FACET_PARAMS
        }
        for name, chosen in values.items():
            if len(chosen) > MAX_FILTER_VALUES:
                raise RequestError(
                    name, "request.too_many_values", limit=MAX_FILTER_VALUES, count=len(chosen)
                )
        sort = (args.get("sort") or "").strip()
        if sort and sort not in SORTS:
            raise RequestError(
                "sort", "request.not_one_of", value=repr(sort[:20]), choices=", ".join(SORTS)
            )
        date_from, date_to = _date(args, "from", end=False), _date(args, "to", end=True)
        if date_from and date_to and date_from > date_to:
            raise RequestError("from", "request.dates_reversed")
        collapse = (args.get("collapse") or "1").strip()
        if collapse not in ("0", "1"):
            raise RequestError(
                "collapse", "request.not_one_of", value=repr(collapse[:20]), choices="0, 1"
            )
        cluster = (args.get("cluster") or "").strip()
        if len(cluster) > MAX_QUERY_LENGTH:
            raise RequestError("cluster", "request.too_long", limit=MAX_QUERY_LENGTH)
        return cls(
            q=q,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            page=int_param(args, "page", 1, 1, MAX_PAGE),
            per_page=int_param(args, "per_page", 20, 1, MAX_PER_PAGE),
            facet_size=int_param(args, "facet_size", 30, 1, 1000),
            collapse=collapse == "1",
            cluster=cluster,
            literal=(args.get("literal") or "").strip().lower() in ("1", "true", "yes", "on"),
            **values,
        )

    @property
    def effective_sort(self) -> str:
        """The order asked for; by default relevance for a query and newest first when browsing.

        Browsing (an empty query) has no relevance, so it is newest first even if asked.
        """
        if not self.q:
            return self.sort if self.sort in ("newest", "oldest") else "newest"
        return self.sort or "relevance"

    def selected(self, facet: str) -> tuple[str, ...]:
        return getattr(self, facet)

    def to_args(self) -> list[tuple[str, str]]:
        """The query string pairs of this search (for links)."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in FACET_PARAMS:
            pairs.extend((name, value) for value in getattr(self, name))
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.sort:
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.per_page != 20:
            pairs.append(("per_page", str(self.per_page)))
        if self.cluster:
            pairs.append(("cluster", self.cluster))
        if not self.collapse:
            pairs.append(("collapse", "0"))
        if self.literal:
            pairs.append(("literal", "1"))
        return pairs

    def toggled(self, facet: str, value: str) -> SearchRequest:
        """This search with one facet value switched on or off (back to the first page)."""
        current = getattr(self, facet)
        new = tuple(v for v in current if v != value) if value in current else (*current, value)
        return replace(self, page=1, **{facet: new})

    def with_dates(self, date_from: date | None, date_to: date | None) -> SearchRequest:
        return replace(self, page=1, date_from=date_from, date_to=date_to)

    def with_page(self, page: int) -> SearchRequest:
        return replace(self, page=page)

    def with_sort(self, sort: str) -> SearchRequest:
        return replace(self, sort=sort, page=1)

    def with_collapse(self, collapse: bool) -> SearchRequest:
        return replace(self, collapse=collapse, page=1)

    def story(self, cluster: str) -> SearchRequest:
        """Every copy of one story, within this search."""
        return replace(self, cluster=cluster, collapse=False, page=1)

    def with_query(self, q: str, literal: bool = False) -> SearchRequest:
        """Another query with the same filters, from the first page."""
        return replace(self, q=q, page=1, literal=literal)


def request_from_mapping(values: Mapping[str, Any]) -> SearchRequest:
    """Build a request from a plain dict (lists for repeatable parameters); for code and tests."""

    class _Args:
        def get(self, key: str, default: Any = None) -> Any:
            value = values.get(key, default)
            if isinstance(value, (list, tuple)):
                return value[0] if value else default
            return value if value is None else str(value)

        def getlist(self, key: str) -> list[str]:
            value = values.get(key)
            if value is None:
                return []
            return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]

    return SearchRequest.from_args(_Args())
