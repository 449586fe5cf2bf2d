"""The API described: an OpenAPI 3.1 document of every route a program may call, built from the
limits the code itself uses (so a limit changed there is changed here), served at
``/api/openapi.json`` and shown to a person at ``/api/docs`` (:mod:`webapp.api_docs`).

Schemathesis checks it against the running server (``tests/test_api_description.py``, and at
length ``make fuzz-api``): every answer must have a status and a shape written here.
"""

from __future__ import annotations

from typing import Any

from index.searching.export import FORMATS as EXPORT_FORMATS
from index.searching.outlets import DEFAULT_SIZE as OUTLETS_DEFAULT
from index.searching.outlets import MAX_SIZE as OUTLETS_MAX
from index.searching.request import (
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    SORTS,
)
from index.searching.significant_words import DEFAULT_SIZE as WORDS_DEFAULT
from index.searching.significant_words import MAX_SIZE as WORDS_MAX
from index.searching.timeline import INTERVALS, MAX_QUERIES

VERSION = "1.0.0"
JSON = "application/json"

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(kind: str, **more: Any) -> Schema:
    return {"type": [kind, "null"], **more}


def strings() -> Schema:
    return {"type": "array", "items": {"type": "string"}}


def obj(properties: dict[str, Schema], required: list[str] | None = None, **more: Any) -> Schema:
    """An object with ``properties``; every one of them required unless ``required`` says."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **more,
    }


def query(name: str, schema: Schema, description: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description, **more}


def repeated(name: str, description: str) -> dict[str, Any]:
    return query(
        name,
        {"type": "array", "items": {"type": "string"}, "maxItems": MAX_FILTER_VALUES},
        description,
        style="form",
        explode=True,
    )


def answer(description: str, schema: Schema | None = None, media: str = JSON) -> dict[str, Any]:
    found: dict[str, Any] = {"description": description}
    if schema is not None:
        found["content"] = {media: {"schema": schema}}
    return found


def refused(description: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{description}"}


DATE = {
    "type": "string",
    "pattern": r"^(?!0000)[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$",
}
WHOLE = "whole number"

# The parameters of a search, shared by every route that reads one.
FILTERS = [
    repeated("language", "Only articles in these languages (`uk`, `en`); repeat for several."),
    repeated("source", "Only articles of these outlets, as the facet names them."),
    repeated("author", "Only articles by these people (a facet value: one per person)."),
    repeated("tag", "Only articles with these tags."),
    query("from", DATE, "Published on or after: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."),
    query("to", DATE, "Published on or before (the whole year or month when shorter)."),
    query(
        "collapse",
        {"type": "string", "enum": ["0", "1"], "default": "1"},
        "`1`: one hit per story (its best-ranked copy); `0`: every article.",
    ),
    query(
        "cluster",
        {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        "Only the copies of this story (its id, the id of its earliest copy).",
    ),
    query(
        "literal",
        {"type": "string"},
        "`1`, `true`, `yes` or `on`: the query as typed, never read in the other keyboard layout.",
    ),
]
Q = query(
    "q",
    {"type": "string", "maxLength": MAX_QUERY_LENGTH},
    "The query: words (every form of a Ukrainian word, English stems, names in any spelling), "
    '`"a phrase"`, `-word` to exclude, `OR`, `title:`/`author:`/`tag:`/`source:` fields. '
    "Empty: everything the filters admit, newest first.",
)
QUERIES = query(
    "q",
    {"type": "array", "items": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
     "maxItems": MAX_QUERIES},
    f"1 to {MAX_QUERIES} queries to compare (repeat `q`); none: everything the filters admit.",
    style="form",
    explode=True,
)  # fmt: skip
PAGING = [
    query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page."),
    query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
        "Hits per page.",
    ),
    query("sort", {"type": "string", "enum": list(SORTS)}, "Order; default relevance (newest "
          "first without a query)."),
    query(
        "facet_size",
        {"type": "integer", "minimum": 1, "maximum": 1000, "default": 30},
        "Values listed per facet.",
    ),
]  # fmt: skip


def size(default: int, highest: int, what: str) -> dict[str, Any]:
    return query(
        "size",
        {"type": "integer", "minimum": 1, "maximum": highest, "default": default},
        f"How many {what} to answer.",
    )


NOTICE = obj(
    {
        "code": {"type": "string", "description": "An id a client translates by."},
        "message": {"type": "string", "description": "The notice in English."},
        "params": {"type": "object", "description": "The values the message names."},
    },
    description="Something the search did that the reader should know (a word left out, a "
    "query read in the other keyboard layout...).",
)

NOTICES = {"type": "array", "items": ref("Notice")}
# What every series of a timeline or of outlets begins with: the query, as sent and as searched,
# and what it found.
SERIES = {
    "q": {"type": "string"},
    "searched": {"type": "string"},
    "total": {"type": "integer", "description": "Articles found."},
    "stories": {"type": "integer", "description": "Stories they make."},
}
PERIOD = {
    "period": {"type": "string"},
    "from": {"type": "string", "format": "date"},
    "to": {"type": "string", "format": "date"},
    "articles": {"type": "integer"},
    "stories": {"type": "integer"},
}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "status": {"type": "integer"},
                    "code": {
                        "type": "string",
                        "description": "An id a client translates by: `request.not_a_number`, "
                        "`http.not_found`, `upload.too_large`...",
                    },
                    "message": {"type": "string", "description": "What went wrong, in English."},
                    "param": {"type": "string", "description": "The parameter at fault."},
                    "params": {"type": "object", "description": "The values the message names."},
                },
                required=["status", "code", "message"],
            )
        }
    ),
    "Notice": NOTICE,
    "Translation": obj(
        {"id": {"type": "string"}, "title": {"type": "string"}, "language": {"type": "string"}}
    ),
    "Hit": obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "url": nullable("string"),
            "published": nullable("string", description="ISO 8601 with the record's offset."),
            "precision": nullable("string", description="`year`, `month`, `day`, `minute`..."),
            "language": {"type": "string"},
            "authors": strings(),
            "tags": strings(),
            "source": nullable("string"),
            "summary": nullable("string"),
            "translation_key": nullable("string"),
            "snippet": {"type": "string", "description": "HTML: matches in `<mark>`."},
            "title_html": {"type": "string", "description": "The title as HTML, matches marked."},
            "translations": {"type": "array", "items": ref("Translation")},
            "score": {"type": "number", "description": "Relevance (sorted by relevance only)."},
            "cluster": {"type": "string", "description": "The story: its earliest copy's id."},
            "copies": {"type": "integer", "description": "Other copies of the story."},
            "copy_sources": {
                **strings(),
                "description": "The other outlets that carried the story (collapsed hits).",
            },
            "first_published": obj(
                {"source": nullable("string"), "date": {"type": "string", "format": "date"}},
                description="Who published the story first, and when (collapsed hits).",
            ),
        },
        required=["id", "title", "url", "published", "language", "authors", "tags", "source",
                  "snippet", "title_html", "translations", "cluster", "copies"],
    ),  # fmt: skip
    "FacetValue": obj(
        {
            "value": {"type": "string"},
            "label": {"type": "string"},
            "count": {"type": "integer"},
            "selected": {"type": "boolean"},
        },
        required=["value", "count", "selected"],
    ),
    "DateBucket": obj(
        {
            "value": {"type": "string"},
            "from": {"type": "string", "format": "date"},
            "to": {"type": "string", "format": "date"},
            "count": {"type": "integer"},
            "selected": {"type": "boolean"},
        },
        required=["value", "from", "to", "count"],
    ),
    "SearchResult": obj(
        {
            "query": {"type": "string", "description": "The query as sent."},
            "searched": {"type": "string", "description": "The query as searched."},
            "suggestion": nullable("string", description="Did you mean, when help is ready."),
            "total": {"type": "integer", "description": "Articles found."},
            "stories": {"type": "integer", "description": "Stories they make."},
            "collapse": {"type": "boolean"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "sort": {"type": "string", "enum": list(SORTS)},
            "hits": {"type": "array", "items": ref("Hit")},
            "facets": obj(
                {
                    "language": {"type": "array", "items": ref("FacetValue")},
                    "source": {"type": "array", "items": ref("FacetValue")},
                    "author": {"type": "array", "items": ref("FacetValue")},
                    "tag": {"type": "array", "items": ref("FacetValue")},
                    "date": {"type": "array", "items": ref("DateBucket")},
                }
            ),
            "facet_totals": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "Distinct values of each facet in the whole result.",
            },
            "date_granularity": {"type": "string", "enum": ["year", "month", "day"]},
            "undated": {"type": "integer"},
            "notices": NOTICES,
            "took_ms": {"type": "number"},
        }
    ),
    "Article": obj(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "summary": nullable("string"),
            "url": nullable("string"),
            "language": {"type": "string"},
            "published": nullable("string"),
            "authors": strings(),
            "tags": strings(),
            "source": nullable("string"),
            "translation_key": nullable("string"),
            "language_detected": {"type": "boolean"},
            "language_confidence": {"type": "number"},
            "extra": {"type": "object", "description": "Fields of the record Arkhiv keeps as is."},
            "translations": {"type": "array", "items": ref("Translation")},
            "cluster": {"type": "string"},
            "copies": {"type": "integer"},
            "other_copies": {
                "type": "array",
                "items": {"type": "object"},
                "description": "The story's other copies (id, title, source, published, url), "
                "earliest first.",
            },
        },
        required=["id", "title", "body", "language", "authors", "tags", "translations",
                  "cluster", "copies", "other_copies"],
    ),  # fmt: skip
    "ArticleInput": obj(
        {
            "id": {"type": "string", "description": "Stable and unique; the same id updates."},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "summary": {"type": "string"},
            "url": {"type": "string", "description": "http(s)."},
            "language": {"type": "string", "description": "`uk` or `en`; detected when absent."},
            "published": {"type": "string", "description": "ISO 8601; a bare date or year too."},
            "authors": strings(),
            "tags": strings(),
            "source": {"type": "string"},
            "translation_key": {"type": "string"},
        },
        required=["id", "title", "body"],
        description="One article as `arkhiv import` takes it (docs/importing.md: the record).",
    ),
    "BulkAnswer": obj(
        {
            "added": {"type": "integer"},
            "updated": {"type": "integer"},
            "unchanged": {"type": "integer"},
            "rejected": {"type": "integer"},
            "items": {
                "type": "array",
                "items": obj(
                    {
                        "line": {"type": "integer", "description": "JSON Lines: 1-based."},
                        "index": {"type": "integer", "description": "Arrays: 0-based."},
                        "id": nullable("string"),
                        "status": {
                            "type": "string",
                            "enum": ["added", "updated", "unchanged", "rejected"],
                        },
                        "error": {"type": "string", "description": "Why it was rejected."},
                    },
                    required=["id", "status"],
                ),
                "description": "One per record, in the order of the body.",
            },
        }
    ),
    "Takedown": obj(
        {
            "status": {"type": "string", "enum": ["deleted", "already deleted"]},
            "id": {"type": "string"},
            "deleted_at": {"type": "string"},
            "deleted_by": {"type": "string"},
            "reason": {"type": "string"},
            "purged_at": nullable("string"),
        }
    ),
    "Timeline": obj(
        {
            "interval": {"type": "string", "enum": [i for i in INTERVALS if i != "auto"]},
            "from": nullable("string", format="date"),
            "to": nullable("string", format="date"),
            "series": {
                "type": "array",
                "items": obj(
                    {
                        **SERIES,
                        "undated": {"type": "integer"},
                        "notices": NOTICES,
                        "points": {
                            "type": "array",
                            "items": obj(
                                {
                                    **PERIOD,
                                    "share": {
                                        "type": "number",
                                        "description": "Of all articles in the period.",
                                    },
                                }
                            ),
                        },
                    }
                ),
            },
            "all": {
                "type": "array",
                "items": obj(PERIOD),
                "description": "Everything the filters admit, per period: the denominator.",
            },
            "took_ms": {"type": "number"},
        }
    ),
    "Words": obj(
        {
            "results": {"type": "integer"},
            "background": {"type": "integer"},
            "sampled": nullable("integer", description="Results read, when they were sampled."),
            "words": {
                "type": "array",
                "items": obj(
                    {
                        "word": {"type": "string", "description": "As most often written."},
                        "term": {"type": "string", "description": "The lemma or stem."},
                        "in_results": {"type": "integer"},
                        "in_all": {"type": "integer"},
                        "score": {"type": "number", "description": "JLH significance."},
                    }
                ),
            },
            "searched": {"type": "string"},
            "notices": NOTICES,
            "took_ms": {"type": "number"},
        },
        required=["results", "background", "words", "searched", "notices"],
    ),
    "Outlets": obj(
        {
            "series": {
                "type": "array",
                "items": obj(
                    {
                        **SERIES,
                        "outlets_total": {"type": "integer"},
                        "stories_with_copies": {"type": "integer"},
                        "median_lag_seconds": nullable("integer"),
                        "outlets": {
                            "type": "array",
                            "items": obj(
                                {
                                    "source": nullable("string"),
                                    "articles": {"type": "integer"},
                                    "stories": {"type": "integer"},
                                    "first": {
                                        "type": "integer",
                                        "description": "Stories with copies it published first.",
                                    },
                                    "later": {"type": "integer"},
                                    "median_lag_seconds": nullable("integer"),
                                }
                            ),
                        },
                        "notices": NOTICES,
                    }
                ),
            },
            "took_ms": {"type": "number"},
        }
    ),
    "Analysis": obj(
        {
            "text": {"type": "string"},
            "language": nullable("string"),
            "tokens": {
                "type": "array",
                "items": obj({"token": {"type": "string"}, "terms": strings()}),
            },
        }
    ),
    "Health": obj(
        {
            "status": {"type": "string", "enum": ["ok"]},
            "articles": {"type": "integer"},
            "index_lag": {"type": "integer", "description": "Changes the index has yet to apply."},
            "feeds": {"type": "object", "description": "Followed feeds and those failing."},
        },
        required=["status", "articles", "index_lag"],
    ),
    "Unavailable": obj({"status": {"type": "string", "enum": ["unavailable"]},
                        "error": {"type": "string"}}),
}  # fmt: skip

RESPONSES = {
    "BadParameter": answer("A parameter cannot be used; `error.param` names it.", ref("Error")),
    "NotFound": answer("No such article (or no such route).", ref("Error")),
    "Unauthorized": {
        **answer("No token, or one unknown or revoked.", ref("Error")),
        "headers": {
            "WWW-Authenticate": {"schema": {"type": "string"}, "required": True},
        },
    },
    "Unavailable": answer("The search index is not available for now.", ref("Error")),
}


def _search_answers(ok: dict[str, Any]) -> dict[str, Any]:
    return {"200": ok, "400": refused("BadParameter"), "503": refused("Unavailable")}


def _paths() -> dict[str, Any]:
    article_id = {
        "name": "article_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "The article's id (it may hold `/`).",
    }
    return {
        "/api/search": {
            "get": {
                "operationId": "search",
                "summary": "Search: hits with highlighted snippets, and facets with counts",
                "parameters": [Q, *FILTERS, *PAGING],
                "responses": _search_answers(answer("The page of hits.", ref("SearchResult"))),
            }
        },
        "/api/timeline": {
            "get": {
                "operationId": "timeline",
                "summary": "Articles and stories per period for 1 to 5 searches",
                "parameters": [
                    QUERIES,
                    *FILTERS,
                    query(
                        "interval",
                        {"type": "string", "enum": list(INTERVALS), "default": "auto"},
                        "The period; `auto`: the finest that gives a readable chart.",
                    ),
                    query(
                        "format",
                        {"type": "string", "enum": ["json", "csv"], "default": "json"},
                        "`csv`: one row per period and search.",
                    ),
                ],
                "responses": _search_answers(
                    {
                        "description": "The series.",
                        "content": {
                            JSON: {"schema": ref("Timeline")},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    }
                ),
            }
        },
        "/api/words": {
            "get": {
                "operationId": "words",
                "summary": "The words that set a search's results apart from the archive",
                "parameters": [
                    Q,
                    *FILTERS,
                    size(WORDS_DEFAULT, WORDS_MAX, "words"),
                    query(
                        "against",
                        {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                        "Compare with this search's results instead of the whole archive.",
                    ),
                ],
                "responses": _search_answers(answer("The words.", ref("Words"))),
            }
        },
        "/api/outlets": {
            "get": {
                "operationId": "outlets",
                "summary": "Articles and stories per outlet, and who published first",
                "parameters": [QUERIES, *FILTERS, size(OUTLETS_DEFAULT, OUTLETS_MAX, "outlets")],
                "responses": _search_answers(answer("Per search, its outlets.", ref("Outlets"))),
            }
        },
        "/api/articles": {
            "post": {
                "operationId": "writeArticles",
                "summary": "Add or update articles, with an answer per record",
                "description": "Takes what `arkhiv import` takes: a JSON array of articles, one "
                "article, `{\"articles\": [...]}`, or JSON Lines (`Content-Type: "
                "application/x-ndjson`); gzipped with `Content-Encoding: gzip`. Each record is "
                "an `ArticleInput`, judged on its own: a record that is not one is rejected in "
                "the answer and the others are stored. A body that is not JSON as a whole "
                "answers 400 and nothing is stored.",
                "security": [{"token": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {
                            "schema": {
                                "type": ["array", "object"],
                                "description": "Records (each an `ArticleInput`), one record, "
                                "or `{\"articles\": [...]}`.",
                            },
                            "example": [
                                {
                                    "id": "up-2025-08-27-isw",
                                    "title": "ISW: Kremlin likely to reject proposals",
                                    "body": "Analysts at the Institute for the Study of War...",
                                    "language": "en",
                                    "published": "2025-08-27T04:46:00+03:00",
                                    "authors": ["Olha Hlushchenko"],
                                    "source": "Ukrainska Pravda",
                                }
                            ],
                        },
                        "application/x-ndjson": {
                            "schema": {"type": "string", "description": "One record per line."}
                        },
                    },
                },
                "responses": {
                    "200": {
                        **answer("What became of each record.", ref("BulkAnswer")),
                        "links": {
                            "GetArticle": {
                                "operationId": "getArticle",
                                "parameters": {"article_id": "$response.body#/items/0/id"},
                            },
                            "TakeDown": {
                                "operationId": "takeDown",
                                "parameters": {"article_id": "$response.body#/items/0/id"},
                            },
                        },
                    },
                    "400": answer("The body is empty, not JSON, or cannot be inflated; nothing "
                                  "was stored.", ref("Error")),
                    "401": refused("Unauthorized"),
                    "413": answer("The body (inflated) is over ARKHIV_MAX_UPLOAD_MB.",
                                  ref("Error")),
                    "503": {
                        **answer("No room to receive the body, or the store cannot be written; "
                                 "every batch committed is kept.", ref("Error")),
                        "headers": {"Retry-After": {"schema": {"type": "string"}}},
                    },
                },
            }
        },
        "/api/articles/{article_id}": {
            "get": {
                "operationId": "getArticle",
                "summary": "One article: its record, translations and copies",
                "parameters": [article_id],
                "responses": {
                    "200": answer("The article.", ref("Article")),
                    "404": refused("NotFound"),
                    "410": answer("Taken down.", ref("Error")),
                },
            },
            "delete": {
                "operationId": "takeDown",
                "summary": "Take an article down: gone from search, never imported again",
                "security": [{"token": []}],
                "parameters": [
                    article_id,
                    query("reason", {"type": "string"}, "Why (kept, at most 1,000 characters)."),
                ],
                "responses": {
                    "200": answer("Taken down (or already).", ref("Takedown")),
                    "400": refused("BadParameter"),
                    "401": refused("Unauthorized"),
                    "404": refused("NotFound"),
                },
            },
        },
        "/api/analyze": {
            "get": {
                "operationId": "analyze",
                "summary": "How a text is split into the terms the index holds",
                "parameters": [
                    query("text", {"type": "string", "maxLength": 10_000}, "The text."),
                    query("language", {"type": "string", "enum": ["uk", "en"]}, "Its language; "
                          "detected when absent."),
                ],
                "responses": {
                    "200": answer("Each token and its terms.", ref("Analysis")),
                    "400": refused("BadParameter"),
                },
            }
        },
        "/export": {
            "get": {
                "operationId": "export",
                "summary": "Every article a search finds, as CSV or JSON Lines",
                "parameters": [
                    Q,
                    *FILTERS,
                    query("sort", {"type": "string", "enum": list(SORTS)}, "Order."),
                    query(
                        "format",
                        {"type": "string", "enum": list(EXPORT_FORMATS), "default": "csv"},
                        "`csv` or `jsonl` (each line an `Article` record).",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The file, as an attachment.",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/x-ndjson": {"schema": {"type": "string"}},
                        },
                    },
                    "400": refused("BadParameter"),
                    "409": answer("An article stored long ago cannot be written as JSON.",
                                  ref("Error")),
                    "503": {
                        "description": "Too many exports at once (try after Retry-After), or "
                        "the index is not available.",
                        "headers": {"Retry-After": {"schema": {"type": "string"}}},
                    },
                },
            }
        },
        "/feed": {
            "get": {
                "operationId": "feed",
                "summary": "Atom: the newest articles of a search",
                "parameters": [Q, *FILTERS],
                "responses": {
                    "200": answer("The feed.", {"type": "string"}, "application/atom+xml"),
                    "400": refused("BadParameter"),
                    "503": {"description": "The index is not available for now."},
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Whether this node can serve: for a load balancer",
                "responses": {
                    "200": answer("Serving.", ref("Health")),
                    "503": answer("The store cannot be reached.", ref("Unavailable")),
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "summary": "Prometheus figures: requests, latency, articles, the index's lag",
                "responses": {
                    "200": answer("Prometheus' text format.", {"type": "string"}, "text/plain"),
                },
            }
        },
    }  # fmt: skip


def description(server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 document; ``server_url`` is where the archive answers."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Arkhiv",
            "version": VERSION,
            "summary": "A searchable archive of news in Ukrainian and English.",
            "description": "Search, timelines, words and outlets read the archive; writes and "
            "takedowns need a token (`arkhiv token create NAME`), sent as `Authorization: "
            'Bearer <token>`. Every error under `/api` is JSON: `{"error": {"status", '
            '"code", "message", "param", "params"}}`; `code` is the id a client '
            "translates by, `message` is English.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server_url}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "responses": RESPONSES,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made by `arkhiv token create NAME`.",
                }
            },
        },
    }
