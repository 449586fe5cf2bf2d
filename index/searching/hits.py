"""What a hit shows: the article's fields from the store, its snippet and title with the query's
words marked, its translations, and its story (copies, the outlets that carried it, who published
it first), read from the index's columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from archive.record import Article
from archive.store import Store
from index.searching.facets import as_date
from index.searching.highlight import mark, snippets
from index.segments.columns import Columns


def page_hits(
    store: Store,
    searcher: Searcher,
    docnums: list[int],
    terms: set[str],
    scores: np.ndarray | None,
    story: Callable[[int], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The hits of ``docnums`` in their order, each with its snippet and title marked for
    ``terms``, its score (``scores``: none when browsing) and ``story(docnum)``; the articles
    are read from ``store`` in one query, their translations in another."""
    ids = [searcher.stored_fields(docnum)["id"] for docnum in docnums]
    articles = store.get_many(ids)
    translations = store.translations_of(
        a.translation_key for a in articles.values() if a.translation_key
    )
    shown = [
        (docnum, articles[article_id])
        for docnum, article_id in zip(docnums, ids, strict=True)
        # An article indexed but since gone from the store is not shown: the index catches up.
        if article_id in articles
    ]
    passages = snippets([article.body or article.summary or "" for _, article in shown], terms)
    hits = []
    for (docnum, article), passage in zip(shown, passages, strict=True):
        hit = hit_fields(article)
        hit["snippet"] = passage
        hit["title_html"] = mark(article.title, terms)
        hit["translations"] = [
            other
            for other in translations.get(article.translation_key or "", [])
            if other["id"] != article.id
        ]
        if scores is not None:
            hit["score"] = round(float(scores[docnum]), 4)
        hit["cluster"], hit["copies"] = article.id, 0
        hit.update(story(docnum))
        hits.append(hit)
    return hits


def story_of(searcher: Searcher, docnum: int, columns: Columns, collapsed: bool) -> dict[str, Any]:
    """A hit's story (named by its earliest-published copy) and how many other copies it
    has, from the columns (no store query); a collapsed hit also names the outlets of its
    other copies and who published the story first, and when. Empty for an article without
    copies."""
    stories = columns.stories
    number = int(stories.story[docnum])
    if number < 0:
        return {}
    members = stories.of(number)
    earliest = int(stories.earliest[number])
    name = searcher.stored_fields(earliest)["id"] if earliest >= 0 else stories.ids[number]
    story: dict[str, Any] = {"cluster": name, "copies": len(members) - 1}
    if not collapsed:
        return story
    # From what the columns hold per story (its outlets, its earliest copy): a story
    # reprinted a hundred thousand times costs what one reprinted twice does.
    sources = columns.facets["source"]
    outlets = stories.other_outlets(number, docnum)
    story["copy_sources"] = sorted(sources.values[v] for v in outlets)
    if earliest >= 0 and columns.published[earliest] >= 0:
        outlet = int(stories.outlet_of[earliest])
        story["first_published"] = {
            "source": sources.values[outlet] if outlet >= 0 else None,
            "date": as_date(int(columns.day[earliest])).isoformat(),
        }
    return story


def hit_fields(article: Article) -> dict[str, Any]:
    """The fields of an article that a hit shows (the API's shape)."""
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "published": article.published.text if article.published else None,
        "precision": article.published.precision if article.published else None,
        "language": article.language,
        "authors": article.authors,
        "tags": article.tags,
        "source": article.source,
        "summary": article.summary,
        "translation_key": article.translation_key,
    }
