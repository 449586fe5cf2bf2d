"""Choosing the store: SQLite in the home, or PostgreSQL when ``ARKHIV_DATABASE_URL`` names one.

Nothing above this module knows which it is: both are a :class:`archive.store.Store` (the SQLite
store, :mod:`archive.store`; the PostgreSQL one, :mod:`archive.pg_store`, built on it).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from archive.store import Store

if TYPE_CHECKING:
    from archive.config import Settings


def _store_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:  # PostgreSQL's driver is needed only for ARKHIV_DATABASE_URL
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


# What a store raises when it cannot be read or written (SQLite's or PostgreSQL's own error): the
# callers that report a failed store catch these, whichever store it is.
STORE_ERRORS: tuple[type[Exception], ...] = _store_errors()


def open_store(settings: Settings) -> Store:
    """The store the settings name: PostgreSQL when ``ARKHIV_DATABASE_URL`` is set, else SQLite
    in the home. Nothing above this function knows which it is."""
    store = open_store_at(settings.database_url or settings.store_path, settings.default_zone)
    store.detect_copies = settings.detect_copies
    return store


def open_store_at(location: str | Path, default_zone: tzinfo = UTC) -> Store:
    """A store from its :attr:`Store.location` (a path, or a ``postgresql://`` URL): how a worker
    process opens the store its parent has open."""
    if isinstance(location, str) and location.startswith(("postgresql://", "postgres://")):
        from archive.pg_store import PgStore  # psycopg is loaded only for PostgreSQL

        return PgStore(location, default_zone)
    return Store(location, default_zone)
