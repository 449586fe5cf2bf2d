"""The copy bands of the SQLite store in two levels: writing them costs the same at any size.

Detection (:mod:`archive.copies`) writes 32 band keys for each new article and asks who holds
them. The keys are hashes: a batch's keys fall all over the table's B-tree, and a batch of 3,000
articles (96,000 rows) into the 29 million rows of a million articles dirtied about half of the
table's leaf pages, and wrote them, at every commit: 1.6 s a batch, against 0.3 s at 100,000
articles. Storing got slower as the archive grew.

So new rows go to a small table, ``copy_bands_recent``, whose pages a batch touches are few and
hot; when it holds ``RECENT_SHARE`` of what the settled table ``copy_bands`` holds (and at least
``SETTLE_FROM`` rows), it is merged into it in one sorted pass, which writes each of the settled
table's pages once, and emptied. A row is thereby written about ``1 / RECENT_SHARE`` times more
(the merges), each time in a sequential pass, instead of dirtying a random page of the whole table
at each commit. A lookup asks both tables. The rows each table holds are counted in
``store_state`` (``recent_bands``, ``settled_bands``) as they are written and deleted, so that
deciding when to merge reads no table.

(A log-structured merge of two levels: a third would be the step at tens of millions of
articles, where the recent table, an eighth of the settled one, grows large in its turn.)
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

# The recent table is merged into the settled one when it holds this share of it...
RECENT_SHARE = 1 / 8
# ...and at least this many rows (about 60,000 articles).
SETTLE_FROM = 2_000_000

RECENT, SETTLED = "copy_bands_recent", "copy_bands"


def _count(db: sqlite3.Connection, key: str) -> int:
    row = db.execute("SELECT value FROM store_state WHERE key = ?", (key,)).fetchone()
    return int(row[0]) if row else 0


def _add_to_count(db: sqlite3.Connection, key: str, change: int) -> None:
    if change:
        db.execute(
            """INSERT INTO store_state (key, value) VALUES (?, ?)
               ON CONFLICT (key) DO UPDATE SET value = value + excluded.value""",
            (key, change),
        )


def holders(db: sqlite3.Connection, keys: list[int], limit: int) -> dict[int, list[int]]:
    """Up to ``limit`` articles holding each of the band ``keys``, recent ones first: one
    statement a chunk; a key held by a hundred thousand articles costs what one held by
    ``limit`` does (the compound's LIMIT stops both tables' reads)."""
    held: dict[int, list[int]] = {}
    for start in range(0, len(keys), 20_000):
        for key, found in db.execute(
            f"""SELECT key.value, (SELECT group_concat(article) FROM
                   (SELECT article FROM {RECENT} WHERE band = key.value
                    UNION ALL
                    SELECT article FROM {SETTLED} WHERE band = key.value
                    LIMIT ?))
               FROM json_each(?) AS key""",
            (limit, json.dumps(keys[start : start + 20_000])),
        ):
            if found:
                held[key] = [int(holder) for holder in found.split(",")]
    return held


def add(db: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """Write ``(band, article)`` rows (sorted by band: the inserts then walk the B-tree once),
    and merge the recent table into the settled one when it is due."""
    if not rows:
        return
    cursor = db.executemany(
        f"INSERT INTO {RECENT} (band, article) VALUES (?, ?) ON CONFLICT DO NOTHING", rows
    )
    _add_to_count(db, "recent_bands", cursor.rowcount)
    recent = _count(db, "recent_bands")
    if recent >= max(SETTLE_FROM, RECENT_SHARE * _count(db, "settled_bands")):
        settle(db)


def settle(db: sqlite3.Connection) -> int:
    """Merge the recent table into the settled one, in key order, and empty it; returns how
    many rows moved."""
    moved = db.execute(
        f"""INSERT INTO {SETTLED} (band, article)
            SELECT band, article FROM {RECENT} ORDER BY band, article
            ON CONFLICT DO NOTHING"""
    ).rowcount
    db.execute(f"DELETE FROM {RECENT}")
    db.execute("UPDATE store_state SET value = 0 WHERE key = 'recent_bands'")
    _add_to_count(db, "settled_bands", moved)
    return moved


def forget(db: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """Delete ``(band, article)`` rows, wherever they are."""
    if not rows:
        return
    for table, key in ((RECENT, "recent_bands"), (SETTLED, "settled_bands")):
        cursor = db.executemany(f"DELETE FROM {table} WHERE band = ? AND article = ?", rows)
        _add_to_count(db, key, -cursor.rowcount)
