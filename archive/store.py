"""The SQLite store: the archive's system of record.

Every change to an article takes the next number of one rising sequence (``seq``); the search index
remembers the last number it applied and catches up from there. The store is the truth; the index
can always be rebuilt from it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from archive import copy_bands
from archive.record import Article, content_hash

ADDED, UPDATED, UNCHANGED = "added", "updated", "unchanged"
# An article whose id was taken down (see archive.takedowns): not stored until it is undeleted.
TAKEN_DOWN = "taken_down"

# Each entry migrates the schema from version N to N+1; PRAGMA user_version says where a file is.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        record TEXT NOT NULL,
        title TEXT NOT NULL,
        language TEXT NOT NULL,
        source TEXT,
        published TEXT,
        published_at REAL,
        translation_key TEXT,
        added_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX articles_by_seq ON articles (seq);
    CREATE INDEX articles_by_translation ON articles (translation_key)
        WHERE translation_key IS NOT NULL;
    CREATE TABLE store_state (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
    INSERT INTO store_state (key, value) VALUES ('last_seq', 0);
    """,
    # Takedowns (archive.takedowns): the article's row moves here, with the change that removed
    # it; ``purged_at`` set means its columns were erased. The log keeps every takedown, undelete
    # and purge. Tokens (archive.tokens) keep only a hash of each secret.
    """
    CREATE TABLE takedowns (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        deleted_at TEXT NOT NULL,
        deleted_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        purged_at TEXT,
        content_hash TEXT,
        record TEXT,
        title TEXT,
        language TEXT,
        source TEXT,
        published TEXT,
        published_at REAL,
        translation_key TEXT,
        added_at TEXT,
        updated_at TEXT
    );
    CREATE UNIQUE INDEX takedowns_by_seq ON takedowns (seq);
    CREATE TABLE takedown_log (
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        id TEXT NOT NULL,
        by TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE TABLE tokens (
        name TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
    );
    """,
    # Copies of one story (archive.copies): each article's MinHash signature (NULL: not yet
    # computed; empty: too short to have one) and its story (NULL: no copies), and the LSH
    # bands, keyed by band first and the article's rowid. (A rowid stays an article's while
    # the row lives: upserts update in place, backups copy pages; a VACUUM, which may renumber
    # the rowids of a table without an INTEGER PRIMARY KEY, is never run.)
    """
    ALTER TABLE articles ADD COLUMN signature BLOB;
    ALTER TABLE articles ADD COLUMN cluster TEXT;
    CREATE INDEX articles_by_cluster ON articles (cluster) WHERE cluster IS NOT NULL;
    CREATE TABLE copy_bands (
        band INTEGER NOT NULL,
        article INTEGER NOT NULL,
        PRIMARY KEY (band, article)
    ) WITHOUT ROWID;
    """,
    # Copies by containment (archive.copies): each article's count of distinct shingles beside
    # its signature; the bands are laid out anew (32 of 2 values, not 20 of 3), so the stored
    # band keys and the signatures (which have no count) go, and `arkhiv copies --update` finds
    # every article's copies again. The stories found so far stay.
    """
    ALTER TABLE articles ADD COLUMN shingles INTEGER;
    DELETE FROM copy_bands;
    UPDATE articles SET signature = NULL WHERE signature IS NOT NULL;
    """,
    # Following feeds (archive.followed): each feed followed, what its last reading said (for
    # conditional requests and for reporting), and every page a feed's item led to, so that no
    # page is fetched twice once it has been stored (or found to hold no article); each site's
    # robots.txt as last read, kept a day, so that a new process does not ask for it again.
    """
    CREATE TABLE followed_feeds (
        url TEXT PRIMARY KEY,
        source TEXT,
        language TEXT,
        delay REAL NOT NULL,
        added_at TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_checked TEXT,
        last_new TEXT,
        articles INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    );
    CREATE TABLE fetched_pages (
        url TEXT PRIMARY KEY,
        feed TEXT NOT NULL,
        status TEXT NOT NULL,
        article_id TEXT,
        fetched_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        error TEXT
    );
    CREATE TABLE site_robots (
        origin TEXT PRIMARY KEY,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    );
    """,
    # Stories keyed by one of their members, not renamed as they grow (archive.copies): their
    # members by date, so that a story is named by its earliest member without reading it whole.
    """
    CREATE INDEX articles_by_story ON articles (cluster, published_at, id)
        WHERE cluster IS NOT NULL;
    DROP INDEX articles_by_cluster;
    """,
    # Copy bands in two levels (archive.copy_bands): new rows go to a small table merged into
    # the settled one now and then; the rows of each are counted as they are written.
    """
    CREATE TABLE copy_bands_recent (
        band INTEGER NOT NULL,
        article INTEGER NOT NULL,
        PRIMARY KEY (band, article)
    ) WITHOUT ROWID;
    INSERT INTO store_state (key, value) VALUES ('recent_bands', 0);
    INSERT INTO store_state (key, value) SELECT 'settled_bands', count(*) FROM copy_bands;
    """,
)
# The columns of an article's row besides ``id`` and ``seq``: what a takedown keeps to restore.
ARTICLE_COLUMNS = (
    "content_hash",
    "record",
    "title",
    "language",
    "source",
    "published",
    "published_at",
    "translation_key",
    "added_at",
    "updated_at",
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The store file cannot be used (newer schema, not a database)."""


def _roll_back(db: sqlite3.Connection) -> None:
    """Roll back what is open. SQLite has already rolled back after some errors (a full disk):
    then there is nothing to do, and the error that did it is the one to report."""
    if db.in_transaction:
        db.execute("ROLLBACK")


def now_text() -> str:
    """The current time as the store writes it (UTC, ISO 8601, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Change:
    """One write transaction: each change in it takes the next number of the sequence."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.seq = db.execute("SELECT value FROM store_state WHERE key = 'last_seq'").fetchone()[0]

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def band_holders(self, keys: list[int], limit: int) -> dict[int, list[int]]:
        """Up to ``limit`` articles holding each of the copy-band ``keys`` (see
        :mod:`archive.copies`); a key held by a hundred thousand articles costs what one held
        by ``limit`` does."""
        return copy_bands.holders(self.db, keys, limit)

    def add_bands(self, rows: list[tuple[int, int]]) -> None:
        """Write copy-band ``(band, article)`` rows, sorted by band (:mod:`archive.copy_bands`)."""
        copy_bands.add(self.db, rows)

    def forget_bands(self, rows: list[tuple[int, int]]) -> None:
        """Delete copy-band ``(band, article)`` rows."""
        copy_bands.forget(self.db, rows)


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it: the article and the change that last wrote it."""

    seq: int
    article: Article
    # The story the article belongs to (the id of its earliest-published copy); None: no copies.
    cluster: str | None = None


class Store:
    """The article store in one SQLite file (WAL), safe to share between threads."""

    # Whether storing an article looks for its copies (archive.copies); off, articles are stored
    # without a signature, and `arkhiv copies --update` finds them later.
    detect_copies: bool = True

    def __init__(self, path: str | Path, default_zone: tzinfo = UTC):
        self.path = Path(path)
        self.default_zone = default_zone
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    @property
    def location(self) -> str:
        """Where the store is, as :func:`archive.stores.open_store_at` takes it (another process
        opens it so)."""
        return str(self.path)

    def describe(self) -> str:
        """Where the store is, for people (no password)."""
        return str(self.path)

    # -- connections -------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed batch survives a power cut, not only a killed process (WAL with
            # NORMAL may lose the last commits to a power cut). The index records how far it
            # has applied the store; it must never be ahead of what the store still has.
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")
            # What a write frees (an article's former text, a purged takedown) is overwritten
            # with zeros, not left readable in free pages of the file.
            connection.execute("PRAGMA secure_delete=ON")
            self._local.connection = connection
        return connection

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        db = self.db
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not an Arkhiv store: {exc}") from exc
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}; this Arkhiv knows up to "
                f"{SCHEMA_VERSION}. Upgrade Arkhiv."
            )
        for number in range(version, SCHEMA_VERSION):
            db.execute("BEGIN IMMEDIATE")
            try:
                current = db.execute("PRAGMA user_version").fetchone()[0]
                if current == number:  # another process may have migrated meanwhile
                    for statement in MIGRATIONS[number].split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version = {number + 1}")
                db.execute("COMMIT")
            except BaseException:
                _roll_back(db)
                raise

    # -- writing -----------------------------------------------------------------------------

    def _plan(self, batch: list[Article]) -> list[tuple[str, str, str]]:
        """For each article, its outcome, content hash and JSON text (serialised once, hashed
        and stored), without writing anything."""
        known = self._hashes(article.id for article in batch)
        # An id is among the articles or among the takedowns, never both.
        unknown = [article.id for article in batch if article.id not in known]
        taken_down = dict(self._rows_by_id("seq", unknown, "takedowns"))
        plan: list[tuple[str, str, str]] = []
        for article in batch:
            if article.id in taken_down:
                plan.append((TAKEN_DOWN, "", ""))
                continue
            text = article.canonical_json()
            digest = content_hash(text)
            previous = known.get(article.id)
            if previous == digest:
                plan.append((UNCHANGED, digest, ""))
            else:
                plan.append((UPDATED if previous else ADDED, digest, text))
                known[article.id] = digest  # a second copy later in the batch compares to this
        return plan

    def classify(self, articles: Iterable[Article]) -> list[str]:
        """What :meth:`upsert` would answer for each article, without writing (a dry run)."""
        return [outcome for outcome, _, _ in self._plan(list(articles))]

    def upsert(self, articles: Iterable[Article]) -> list[str]:
        """Store a batch in one transaction; returns ``added``/``updated``/``unchanged`` for each,
        or ``taken_down`` for an id taken down (see :mod:`archive.takedowns`), which is not stored.

        The same content again changes nothing (and takes no sequence number).
        """
        batch = list(articles)
        if not batch:
            return []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.writing() as change:
            plan = self._plan(batch)
            written = [
                (article, digest, text)
                for article, (outcome, digest, text) in zip(batch, plan, strict=True)
                if outcome not in (UNCHANGED, TAKEN_DOWN)
            ]
            if not written:
                return [outcome for outcome, _, _ in plan]
            from archive import copies

            # Copies of one story (archive.copies): each signature is written with its row;
            # an update's former signature says which bands to take away.
            updated = [a.id for a, (o, _, _) in zip(batch, plan, strict=True) if o == UPDATED]
            previous = {
                rowid: copies.Signature(copies.from_bytes(blob), shingles)
                for _, rowid, blob, shingles in self._rows_by_id(
                    "rowid, signature, shingles", updated
                )
                if blob
            }
            signatures = {
                article.id: copies.signature(copies.article_text(article.body, article.summary))
                if self.detect_copies
                else None
                for article, _, _ in written
            }
            rows = []
            for article, digest, text in written:
                published = article.published
                signature, shingles = (
                    copies.stored(signatures[article.id]) if self.detect_copies else (None, None)
                )
                rows.append(
                    (
                        article.id,
                        change.next_seq(),
                        digest,
                        text,
                        article.title,
                        article.language,
                        article.source,
                        published.text if published else None,
                        published.timestamp if published else None,
                        article.translation_key,
                        now,
                        now,
                        signature,
                        shingles,
                    )
                )
            change.db.executemany(
                """INSERT INTO articles (id, seq, content_hash, record, title, language,
                       source, published, published_at, translation_key, added_at,
                       updated_at, signature, shingles)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                       seq = excluded.seq, content_hash = excluded.content_hash,
                       record = excluded.record, title = excluded.title,
                       language = excluded.language, source = excluded.source,
                       published = excluded.published, published_at = excluded.published_at,
                       translation_key = excluded.translation_key,
                       updated_at = excluded.updated_at, signature = excluded.signature,
                       shingles = excluded.shingles""",
                rows,
            )
            clusters = copies.Clusters(change)
            if not self.detect_copies:
                clusters.retire(previous)  # found again by `arkhiv copies --update`
            else:
                clusters.add(
                    [
                        copies.Newcomer(rowid, article_id, published_at, signatures[article_id])
                        for article_id, rowid, published_at in self._rows_by_id(
                            "rowid, published_at", signatures
                        )
                    ],
                    previous=previous,
                )
        return [outcome for outcome, _, _ in plan]

    def sign_unsigned(self, batch_size: int = 500) -> int:
        """Find the copies of every article stored without a signature (imported with
        detection off, or before it existed); returns how many were signed."""
        from archive import copies

        done = after = 0
        while True:
            with self.writing() as change:
                found = change.db.execute(
                    """SELECT rowid, id, published_at, record FROM articles
                       WHERE rowid > ? AND signature IS NULL ORDER BY rowid LIMIT ?""",
                    (after, batch_size),
                ).fetchall()
                if found:
                    after = found[-1][0]
                rows = []
                for rowid, article_id, published_at, record_json in found:
                    article = self._article(record_json)
                    rows.append((rowid, article_id, published_at, article.body, article.summary))
                copies.detect(change, rows)
            done += len(rows)
            if len(found) < batch_size:
                return done

    def unsigned_count(self) -> int:
        """How many articles have no signature yet (see :meth:`sign_unsigned`)."""
        return self.db.execute("SELECT count(*) FROM articles WHERE signature IS NULL").fetchone()[
            0
        ]

    @contextmanager
    def writing(self) -> Iterator[Change]:
        """One write transaction (waiting for other writers); the numbers its changes took are
        saved with it, and nothing of it stays when it fails."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            change = Change(db)
            first = change.seq
            yield change
            if change.seq != first:
                db.execute("UPDATE store_state SET value = ? WHERE key = 'last_seq'", (change.seq,))
            db.execute("COMMIT")
        except BaseException:
            _roll_back(db)
            raise

    def _rows_by_id(
        self, column: str, ids: Iterable[str], table: str = "articles"
    ) -> Iterator[tuple[str, str]]:
        """``(id, column)`` for each of ``ids`` in ``table``, asked in chunks that SQLite takes."""
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT id, {column} FROM {table} WHERE id IN ({marks})", chunk
            ).fetchall()

    def _hashes(self, ids: Iterable[str]) -> dict[str, str]:
        return dict(self._rows_by_id("content_hash", ids))

    # -- reading -----------------------------------------------------------------------------

    def _article(self, record_json: str) -> Article:
        return Article.from_record(json.loads(record_json), self.default_zone)

    def get(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return self._article(row[0]) if row else None

    def get_many(self, ids: Iterable[str]) -> dict[str, Article]:
        return {
            article_id: self._article(record_json)
            for article_id, record_json in self._rows_by_id("record", ids)
        }

    def updated_times(self, ids: Iterable[str]) -> dict[str, datetime]:
        """When the archive stored each article, or last changed it (an import of the same
        content again changes nothing): what a feed says an entry was updated."""
        return {
            article_id: datetime.fromisoformat(moment)
            for article_id, moment in self._rows_by_id("updated_at", ids)
        }

    def clusters(self, ids: Iterable[str]) -> dict[str, str]:
        """The story of each of ``ids`` in the archive, as readers see it named: the id of its
        earliest-published copy (an article without copies is its own story)."""
        keys = dict(self._rows_by_id("cluster", ids))
        names = {key: self.story_name(key) for key in set(keys.values()) if key is not None}
        return {article_id: names[key] if key else article_id for article_id, key in keys.items()}

    def story_name(self, key: str) -> str:
        """The id of the earliest-published member of the story keyed ``key`` (the undated
        after every dated one; ties by id): two look-ups in the story's index."""
        row = (
            self.db.execute(
                """SELECT id FROM articles WHERE cluster = ? AND published_at IS NOT NULL
               ORDER BY published_at, id LIMIT 1""",
                (key,),
            ).fetchone()
            or self.db.execute(
                """SELECT id FROM articles WHERE cluster = ?
                   ORDER BY cluster, published_at, id LIMIT 1""",
                (key,),
            ).fetchone()
        )
        return row[0] if row else key

    def copies_of(self, article_id: str) -> list[dict[str, Any]]:
        """The other members of ``article_id``'s story (id, title, source, published, url),
        earliest first."""
        row = self.db.execute("SELECT cluster FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None or row[0] is None:
            return []
        found = []
        for other_id, title, source, published, published_at, record_json in self.db.execute(
            """SELECT id, title, source, published, published_at, record FROM articles
               WHERE cluster = ? AND id != ?""",
            (row[0], article_id),
        ):
            found.append(
                (
                    (published_at is None, published_at or 0.0, other_id),
                    {
                        "id": other_id,
                        "title": title,
                        "source": source,
                        "published": published,
                        "url": json.loads(record_json).get("url"),
                    },
                )
            )
        return [entry for _, entry in sorted(found, key=lambda pair: pair[0])]

    def translations(self, article: Article) -> list[Article]:
        """The other articles that share ``article``'s translation key."""
        if not article.translation_key:
            return []
        rows = self.db.execute(
            "SELECT record FROM articles WHERE translation_key = ? AND id != ? ORDER BY language",
            (article.translation_key, article.id),
        )
        return [self._article(row[0]) for row in rows]

    def translations_of(self, keys: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """For each translation key, the (id, title, language) of the articles sharing it."""
        wanted = [key for key in dict.fromkeys(keys) if key]
        found: dict[str, list[dict[str, Any]]] = {}
        if not wanted:
            return found
        marks = ",".join("?" * len(wanted))
        for key, article_id, title, language in self.db.execute(
            f"""SELECT translation_key, id, title, language FROM articles
                WHERE translation_key IN ({marks}) ORDER BY language, id""",
            wanted,
        ):
            found.setdefault(key, []).append(
                {"id": article_id, "title": title, "language": language}
            )
        return found

    def changed_since(self, seq: int, batch_size: int = 1000) -> Iterator[StoredArticle]:
        """Every article whose last change is after ``seq``, in sequence order."""
        while True:
            rows = self.db.execute(
                "SELECT seq, record, cluster FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
                (seq, batch_size),
            ).fetchall()
            if not rows:
                return
            for row_seq, record_json, cluster in rows:
                yield StoredArticle(row_seq, self._article(record_json), cluster)
            seq = rows[-1][0]

    def ids_changed(self, after: int, upto: int) -> Iterator[str]:
        """Ids of the articles whose last change is in ``(after, upto]``, in sequence order."""
        for (article_id,) in self.db.execute(
            "SELECT id FROM articles WHERE seq > ? AND seq <= ? ORDER BY seq", (after, upto)
        ):
            yield article_id

    def pending_count(self, seq: int) -> int:
        """How many articles changed after ``seq``."""
        return self.db.execute("SELECT count(*) FROM articles WHERE seq > ?", (seq,)).fetchone()[0]

    def removed_since(self, seq: int) -> list[str]:
        """Ids of the articles taken down after ``seq`` (and not undeleted since)."""
        return [
            article_id
            for (article_id,) in self.db.execute(
                "SELECT id FROM takedowns WHERE seq > ? ORDER BY seq", (seq,)
            )
        ]

    def changes_after(self, seq: int) -> int:
        """How many articles were changed or taken down after ``seq``: what an index that has
        applied ``seq`` has yet to apply."""
        removed = self.db.execute(
            "SELECT count(*) FROM takedowns WHERE seq > ?", (seq,)
        ).fetchone()[0]
        return self.pending_count(seq) + removed

    def id_seqs(self) -> Iterator[tuple[str, int]]:
        yield from self.db.execute("SELECT id, seq FROM articles")

    def last_seq(self) -> int:
        row = self.db.execute("SELECT value FROM store_state WHERE key = 'last_seq'").fetchone()
        return int(row[0])

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def probe(self, timeout: float = 5.0) -> tuple[int, int]:
        """``(articles, last change)`` read through a new connection, which fails
        (``sqlite3.Error``) when the store's file cannot be opened or read: a connection kept
        open would go on reading a file that has been removed or replaced."""
        uri = f"file:{urllib.parse.quote(str(self.path))}?mode=rw"
        with closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as db:
            count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            seq = db.execute("SELECT value FROM store_state WHERE key = 'last_seq'").fetchone()
        return count, int(seq[0])

    _DETECTED = """SELECT language, count(*) FROM articles
                   WHERE json_extract(record, '$.language_detected') = 1 GROUP BY language"""

    def store_bytes(self) -> int:
        return sum(
            path.stat().st_size
            for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if path.exists()
        )

    def checkpoint(self, attempts: int = 20) -> bool:
        """Move the write-ahead log into the file and empty it (after a purge, so that no
        earlier copy of a purged page stays in it); True once it is empty (readers in the middle
        of a read may hold it a moment)."""
        for _ in range(attempts):
            try:
                busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except sqlite3.OperationalError:
                busy = 1
            if not busy:
                return True
            time.sleep(0.1)
        return False

    def stats(self) -> dict[str, Any]:
        """Counts for ``arkhiv stats``."""
        db = self.db
        by_language = dict(
            db.execute(
                "SELECT language, count(*) FROM articles GROUP BY language ORDER BY 2 DESC"
            ).fetchall()
        )
        by_source = [
            {"source": source, "articles": count}
            for source, count in db.execute(
                """SELECT coalesce(source, ''), count(*) FROM articles GROUP BY 1
                   ORDER BY 2 DESC, 1"""
            )
        ]
        first, last, dated = db.execute(
            """SELECT min(published_at), max(published_at), count(published_at) FROM articles"""
        ).fetchone()
        date_range = None
        if dated:
            first_text = db.execute(
                "SELECT published FROM articles WHERE published_at = ? LIMIT 1", (first,)
            ).fetchone()[0]
            last_text = db.execute(
                "SELECT published FROM articles WHERE published_at = ? LIMIT 1", (last,)
            ).fetchone()[0]
            date_range = {"first": first_text, "last": last_text, "dated": dated}
        size = self.store_bytes()
        detected = Counter(dict(db.execute(self._DETECTED).fetchall()))
        return {
            "articles": self.count(),
            "languages": by_language,
            "languages_detected": dict(detected),
            "sources": len(by_source),
            "by_source": by_source,
            "published": date_range,
            "store_bytes": size,
            "store_at": self.describe(),
            "last_seq": self.last_seq(),
            "taken_down": db.execute("SELECT count(*) FROM takedowns").fetchone()[0],
        }
