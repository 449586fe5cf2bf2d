"""The store on PostgreSQL: the system of record shared by several search nodes.

Selected by ``ARKHIV_DATABASE_URL=postgresql://…`` (:func:`archive.stores.open_store`); the same
interface, records, upsert outcomes, sequence numbers, takedowns and tokens as the SQLite store
(:class:`archive.store.Store`, whose SQL it runs: ``?`` placeholders become psycopg's), so nothing
above the store knows which it is. Connections come from a psycopg pool: a statement outside a
transaction borrows one for itself (autocommit); :meth:`PgStore.writing` holds one for its
transaction, and every statement of that thread goes to it until the commit.

Sequence numbers and the out-of-order commit: with concurrent writers, a change that took 101 must
never become visible after one that took 102, or a node that applied "up to 102" would skip 101
for ever. So a write transaction takes its numbers under the lock of the one row that holds the
last number (``SELECT … FOR UPDATE``), held to its commit: the next writer reads the number only
after the previous one has committed (PostgreSQL makes a commit visible before it releases its
locks), and numbers become visible in the order they were taken. Writers are serialised batch by
batch, as SQLite's ``BEGIN IMMEDIATE`` does; readers (searches, followers) are never blocked.
"""

from __future__ import annotations

import functools
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, tzinfo
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from archive.store import SCHEMA_VERSION, Change, Store, StoreError

# The same schema as SQLite's (archive.store.MIGRATIONS), in PostgreSQL's types. Text that is
# ordered or compared by the store is in the "C" collation: byte order, as SQLite orders it.
PG_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id TEXT COLLATE "C" PRIMARY KEY,
        seq BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        record TEXT NOT NULL,
        title TEXT NOT NULL,
        language TEXT COLLATE "C" NOT NULL,
        source TEXT COLLATE "C",
        published TEXT,
        published_at DOUBLE PRECISION,
        translation_key TEXT COLLATE "C",
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX articles_by_seq ON articles (seq);
    CREATE INDEX articles_by_translation ON articles (translation_key)
        WHERE translation_key IS NOT NULL;
    CREATE TABLE store_state (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
    INSERT INTO store_state (key, value) VALUES ('last_seq', 0);
    """,
    """
    CREATE TABLE takedowns (
        id TEXT COLLATE "C" PRIMARY KEY,
        seq BIGINT NOT NULL,
        deleted_at TEXT NOT NULL,
        deleted_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        purged_at TEXT,
        content_hash TEXT,
        record TEXT,
        title TEXT,
        language TEXT COLLATE "C",
        source TEXT COLLATE "C",
        published TEXT,
        published_at DOUBLE PRECISION,
        translation_key TEXT COLLATE "C",
        added_at TEXT,
        updated_at TEXT
    );
    CREATE UNIQUE INDEX takedowns_by_seq ON takedowns (seq);
    CREATE TABLE takedown_log (
        rowid BIGSERIAL PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        id TEXT NOT NULL,
        "by" TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE TABLE tokens (
        name TEXT COLLATE "C" PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
    );
    """,
    # Copies of one story. SQLite's implicit rowid is a column here, numbered by a sequence.
    """
    ALTER TABLE articles ADD COLUMN signature BYTEA;
    ALTER TABLE articles ADD COLUMN cluster TEXT COLLATE "C";
    ALTER TABLE articles ADD COLUMN rowid BIGSERIAL;
    CREATE UNIQUE INDEX articles_by_rowid ON articles (rowid);
    CREATE INDEX articles_by_cluster ON articles (cluster) WHERE cluster IS NOT NULL;
    CREATE TABLE copy_bands (
        band BIGINT NOT NULL,
        article BIGINT NOT NULL,
        PRIMARY KEY (band, article)
    );
    """,
    # Copies by containment: the shingle count, and the bands laid out anew (see SQLite's).
    """
    ALTER TABLE articles ADD COLUMN shingles INTEGER;
    TRUNCATE copy_bands;
    UPDATE articles SET signature = NULL WHERE signature IS NOT NULL;
    """,
    """
    CREATE TABLE followed_feeds (
        url TEXT COLLATE "C" PRIMARY KEY,
        source TEXT,
        language TEXT,
        delay DOUBLE PRECISION NOT NULL,
        added_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_checked TEXT,
        last_new TEXT,
        articles BIGINT NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE TABLE fetched_pages (
        url TEXT COLLATE "C" PRIMARY KEY,
        feed TEXT NOT NULL,
        status TEXT NOT NULL,
        article_id TEXT,
        fetched_at TEXT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 1,
        error TEXT
    );
    CREATE TABLE site_robots (
        origin TEXT COLLATE "C" PRIMARY KEY,
        status BIGINT NOT NULL,
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    );
    """,
    # Stories keyed by a member (archive.copies): their members by date, to name each story by
    # its earliest without reading it whole.
    """
    CREATE INDEX articles_by_story ON articles (cluster, published_at, id)
        WHERE cluster IS NOT NULL;
    DROP INDEX articles_by_cluster;
    """,
    # SQLite's copy bands in two levels (archive.copy_bands): PostgreSQL keeps one table. Its
    # dirty pages are written at checkpoints, not at each commit, so a batch of keys spread
    # over the whole B-tree does not write it again at every commit; nothing changes here.
    "",
)
assert len(PG_MIGRATIONS) == SCHEMA_VERSION, "a migration for each of SQLite's"

# The key of the advisory lock that migrations hold (any constant of our own).
_MIGRATION_LOCK = 0x61726B68  # "arkh"
POOL_SIZE = 16
CONNECT_SECONDS = 10
LOCK_WAIT_SECONDS = 60


@functools.lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    """The store's SQL (sqlite3's ``?`` placeholders) as psycopg takes it (``%s``)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _clean(value: Any) -> Any:
    # PostgreSQL's text cannot hold NUL: in a column (a title, an id) it becomes U+FFFD; the
    # record's JSON text holds it escaped, as it was.
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


def _params(params: Sequence[Any]) -> list[Any]:
    return [_clean(value) for value in params]


class _Rows:
    """The rows of a statement that ran on a borrowed connection, read before it was returned."""

    def __init__(self, rows: list[tuple], rowcount: int):
        self._rows = rows
        self._at = 0
        self.rowcount = rowcount

    def fetchone(self) -> tuple | None:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchall(self) -> list[tuple]:
        rest = self._rows[self._at :]
        self._at = len(self._rows)
        return rest

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.fetchall())


class _Db:
    """What the store's SQL runs on, shaped as sqlite3's connection: ``execute`` and
    ``executemany`` with ``?`` placeholders, results with ``fetchone``, ``fetchall``, iteration
    and ``rowcount``. Inside :meth:`PgStore.writing` (this thread), on the transaction's
    connection; outside, on a connection from the pool for one statement."""

    def __init__(self, store: PgStore, connection: psycopg.Connection | None = None):
        self.store = store
        self.connection = connection

    def _current(self) -> psycopg.Connection | None:
        return self.connection or getattr(self.store._local, "connection", None)

    def execute(self, sql: str, params: Sequence[Any] = ()):
        connection = self._current()
        if connection is not None:
            return connection.execute(_pg(sql), _params(params))
        with self.store.pool.connection() as borrowed:
            cursor = borrowed.execute(_pg(sql), _params(params))
            rows = cursor.fetchall() if cursor.description is not None else []
            return _Rows(rows, cursor.rowcount)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        connection = self._current()
        if connection is not None:
            with connection.cursor() as cursor:
                cursor.executemany(_pg(sql), [_params(row) for row in rows])
            return
        with (
            self.store.pool.connection() as borrowed,
            borrowed.transaction(),
            borrowed.cursor() as cursor,
        ):
            cursor.executemany(_pg(sql), [_params(row) for row in rows])


class _PgChange(Change):
    """A write transaction's numbers, taken under the lock of the row that holds the last one:
    held until the commit, so numbers become visible in the order they were taken."""

    def __init__(self, db: _Db):
        self.db = db
        self.seq = db.execute(
            "SELECT value FROM store_state WHERE key = 'last_seq' FOR UPDATE"
        ).fetchone()[0]

    def band_holders(self, keys: list[int], limit: int) -> dict[int, list[int]]:
        held: dict[int, list[int]] = {}
        for start in range(0, len(keys), 20_000):
            for key, holders in self.db.execute(
                """SELECT key, ARRAY(SELECT article FROM copy_bands WHERE band = key LIMIT ?)
                   FROM unnest(?::bigint[]) AS key""",
                (limit, keys[start : start + 20_000]),
            ):
                if holders:
                    held[key] = list(holders)
        return held

    def add_bands(self, rows: list[tuple[int, int]]) -> None:
        if rows:
            self.db.executemany(
                "INSERT INTO copy_bands (band, article) VALUES (?, ?) ON CONFLICT DO NOTHING",
                rows,
            )

    def forget_bands(self, rows: list[tuple[int, int]]) -> None:
        if rows:
            self.db.executemany("DELETE FROM copy_bands WHERE band = ? AND article = ?", rows)


def redact(url: str) -> str:
    """``url`` without its password, to be shown."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _configure(connection: psycopg.Connection) -> None:
    """Each new connection: a writer waits at most ``LOCK_WAIT_SECONDS`` for another's lock, as
    SQLite's busy timeout (set here, not in the URL's ``options``, which stay the user's)."""
    connection.execute(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")


class PgStore(Store):
    """The article store in a PostgreSQL database, safe to share between threads."""

    path = None  # no file: see describe()

    def __init__(self, url: str, default_zone: tzinfo = UTC, pool_size: int = POOL_SIZE):
        self.url = url
        self.default_zone = default_zone
        self._local = threading.local()
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_SECONDS},
            configure=_configure,
            check=ConnectionPool.check_connection,
            name="arkhiv-store",
            open=False,
        )
        try:
            self.pool.open(wait=True, timeout=CONNECT_SECONDS + 5)
            self._migrate()
        except BaseException:
            self.pool.close()
            raise

    @property
    def location(self) -> str:
        return self.url

    def describe(self) -> str:
        return redact(self.url)

    # -- connections -------------------------------------------------------------------------

    @property
    def db(self) -> _Db:  # type: ignore[override]
        return _Db(self)

    def close(self) -> None:
        self.pool.close()

    def _migrate(self) -> None:
        with self.pool.connection() as connection, connection.transaction():
            # One process migrates at a time; the others find it done.
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            connection.execute("CREATE TABLE IF NOT EXISTS arkhiv_schema (version INTEGER)")
            row = connection.execute("SELECT version FROM arkhiv_schema").fetchone()
            if row is None:
                connection.execute("INSERT INTO arkhiv_schema (version) VALUES (0)")
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.describe()} has schema version {version}; this Arkhiv knows up to "
                    f"{SCHEMA_VERSION}. Upgrade Arkhiv."
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in PG_MIGRATIONS[number].split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute("UPDATE arkhiv_schema SET version = %s", (number + 1,))

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Change]:
        """One write transaction: its numbers are taken under the last number's row lock (see
        the module's note); nothing of it stays when it fails."""
        if getattr(self._local, "connection", None) is not None:
            raise RuntimeError("a write transaction is already open in this thread")
        with self.pool.connection() as connection:
            self._local.connection = connection
            try:
                with connection.transaction():
                    change = _PgChange(_Db(self, connection))
                    first = change.seq
                    yield change
                    if change.seq != first:
                        connection.execute(
                            "UPDATE store_state SET value = %s WHERE key = 'last_seq'",
                            (change.seq,),
                        )
            finally:
                self._local.connection = None

    def _rows_by_id(
        self, column: str, ids: Iterable[str], table: str = "articles"
    ) -> Iterator[tuple[str, str]]:
        wanted = [_clean(article_id) for article_id in dict.fromkeys(ids)]
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            yield from self.db.execute(
                f"SELECT id, {column} FROM {table} WHERE id = ANY(?)", (chunk,)
            ).fetchall()

    # -- reading -----------------------------------------------------------------------------

    def probe(self, timeout: float = 5.0) -> tuple[int, int]:
        """``(articles, last change)`` through a new connection: fails (``psycopg.Error``) when
        the database cannot be reached now."""
        with psycopg.connect(
            self.url, connect_timeout=max(1, int(timeout)), autocommit=True
        ) as connection:
            count = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
            seq = connection.execute(
                "SELECT value FROM store_state WHERE key = 'last_seq'"
            ).fetchone()[0]
        return count, int(seq)

    _DETECTED = """SELECT language, count(*) FROM articles
                   WHERE CASE WHEN strpos(record, '"language_detected"') > 0
                         THEN record::jsonb ->> 'language_detected' END = 'true'
                   GROUP BY language"""

    def store_bytes(self) -> int:
        row = self.db.execute(
            """SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
               WHERE c.relname IN ('articles', 'store_state', 'takedowns', 'takedown_log',
                                   'tokens', 'copy_bands', 'followed_feeds',
                                   'fetched_pages', 'site_robots') AND c.relkind = 'r'
                 AND pg_table_is_visible(c.oid)"""
        ).fetchone()
        return int(row[0])

    def checkpoint(self, attempts: int = 20) -> bool:
        """After a purge: vacuum the takedowns, so that the erased text leaves the table's
        pages (PostgreSQL keeps a row's former version until then). Its write-ahead log is
        recycled by the server; backups and replicas keep what they hold."""
        try:
            self.db.execute("VACUUM takedowns")
        except psycopg.Error:
            return False
        return True
