"""The archive as the web app reads it: one store and one search index, shared by all threads."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from archive.config import Settings, load_settings
from archive.store import Store
from archive.stores import open_store
from index.searching.search import SearchIndex


@dataclass
class ReadingRoom:
    """Where requests read articles (``store``) and search them (``index``)."""

    settings: Settings
    store: Store
    index: SearchIndex

    @classmethod
    def open(cls, home: str | None = None) -> ReadingRoom:
        settings = load_settings(home)
        settings.home.mkdir(parents=True, exist_ok=True)
        store = open_store(settings)
        return cls(settings, store, SearchIndex(settings.index_dir, store))


def reading_room() -> ReadingRoom:
    return current_app.extensions["arkhiv"]
