"""Takedowns: an article taken out of the archive, kept out, and brought back only on purpose.

A takedown moves the article's row from ``articles`` to ``takedowns`` and takes the next number of
the store's sequence, so every index that follows the store removes the article
(:func:`index.segments.indexer.catch_up`): from results, facets, exports, feeds and related
articles. While it stands, the id is refused by every import and every POST with the date and reason
(:meth:`archive.store.Store.upsert` answers ``taken_down``). :meth:`Takedowns.undelete` brings the
row back as it was, with a new number; :meth:`Takedowns.purge` erases its text for good and keeps
the block. Every action is logged: who (a token's name, or the command line), what, when, why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archive.copies import Clusters, detect
from archive.store import ARTICLE_COLUMNS, Change, Store, now_text

COMMAND_LINE = "command line"
DELETED, ALREADY_DELETED, NOT_FOUND = "deleted", "already deleted", "not found"
RESTORED, UNBLOCKED, NOT_TAKEN_DOWN = "restored", "unblocked", "not taken down"
PURGED = "purged"
_COLUMNS = ", ".join(ARTICLE_COLUMNS)
_ERASED = ", ".join(f"{column} = NULL" for column in ARTICLE_COLUMNS)
_TAKEDOWN_FIELDS = "id, seq, deleted_at, deleted_by, reason, purged_at"


@dataclass(frozen=True)
class Takedown:
    """An article taken down: the change that did it, when, by whom, why; ``purged_at`` when its
    text was erased."""

    id: str
    seq: int
    deleted_at: str
    deleted_by: str
    reason: str
    purged_at: str | None = None

    @property
    def refusal(self) -> str:
        """Why an import or a POST of this id is refused."""
        why = f" ({self.reason})" if self.reason else ""
        return (
            f"id: {self.id!r} was taken down on {self.deleted_at}{why}; "
            "`arkhiv undelete` lets it in again"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "deleted_at": self.deleted_at,
            "deleted_by": self.deleted_by,
            "reason": self.reason,
            "purged_at": self.purged_at,
        }


@dataclass(frozen=True)
class Outcome:
    """What an action did to one id, and the takedown that stands for it (if one does)."""

    id: str
    status: str
    takedown: Takedown | None = None


@dataclass(frozen=True)
class LogEntry:
    at: str
    action: str
    id: str
    by: str
    reason: str


class Takedowns:
    """Taking articles down, bringing them back and purging them, in ``store``."""

    def __init__(self, store: Store):
        self.store = store
        # After a purge: whether the write-ahead log, which may still hold earlier copies of the
        # purged pages, was emptied (readers in the middle of a read can hold it a moment).
        self.log_emptied: bool | None = None

    # -- reading -----------------------------------------------------------------------------

    def get(self, article_id: str) -> Takedown | None:
        row = self.store.db.execute(
            f"SELECT {_TAKEDOWN_FIELDS} FROM takedowns WHERE id = ?", (article_id,)
        ).fetchone()
        return Takedown(*row) if row else None

    def get_many(self, ids: Iterable[str]) -> dict[str, Takedown]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Takedown] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.store.db.execute(
                f"SELECT {_TAKEDOWN_FIELDS} FROM takedowns WHERE id IN ({marks})", chunk
            ):
                found[row[0]] = Takedown(*row)
        return found

    def log(self, limit: int | None = None) -> list[LogEntry]:
        """Every takedown, undelete and purge, newest first."""
        query = 'SELECT at, action, id, "by", reason FROM takedown_log ORDER BY rowid DESC'
        if limit is None:
            rows = self.store.db.execute(query)
        else:
            rows = self.store.db.execute(f"{query} LIMIT ?", (limit,))
        return [LogEntry(*row) for row in rows]

    # -- changing ----------------------------------------------------------------------------

    def delete(
        self, ids: Iterable[str], *, reason: str = "", by: str = COMMAND_LINE
    ) -> list[Outcome]:
        """Take each article down, all in one transaction; an id not in the archive is
        ``not found``, one already taken down ``already deleted``."""
        wanted = list(dict.fromkeys(ids))
        with self.store.writing() as change:
            outcomes = [self._take_down(change, article_id, reason, by) for article_id in wanted]
        return outcomes

    def purge(
        self, ids: Iterable[str], *, reason: str = "", by: str = COMMAND_LINE
    ) -> list[Outcome]:
        """Take each article down (if it is not yet) and erase its text for good: the block and
        the log stay. Then the store's write-ahead log, which still holds earlier copies of the
        pages, is emptied into the file (whose freed space is zeroed, see ``secure_delete``)."""
        wanted = list(dict.fromkeys(ids))
        statuses = {}
        with self.store.writing() as change:
            for article_id in wanted:
                taken = self._take_down(change, article_id, reason, by)
                statuses[article_id] = taken.status if taken.takedown is None else PURGED
                if taken.takedown is not None and taken.takedown.purged_at is None:
                    change.db.execute(
                        f"UPDATE takedowns SET purged_at = ?, {_ERASED} WHERE id = ?",
                        (now_text(), article_id),
                    )
                    self._log(change, PURGED, article_id, by, reason)
        self.log_emptied = self.checkpoint()
        standing = self.get_many(wanted)
        return [Outcome(i, statuses[i], standing.get(i)) for i in wanted]

    def undelete(self, article_id: str, *, by: str = COMMAND_LINE) -> Outcome:
        """Lift a takedown: the article comes back as it was (a new change, so indexes add it
        again); a purged one cannot, and only its block is lifted (``unblocked``)."""
        with self.store.writing() as change:
            takedown = self.get(article_id)
            if takedown is None:
                return Outcome(article_id, NOT_TAKEN_DOWN)
            status = UNBLOCKED if takedown.purged_at else RESTORED
            if status == RESTORED:
                change.db.execute(
                    f"""INSERT INTO articles (id, seq, {_COLUMNS})
                        SELECT id, ?, {_COLUMNS} FROM takedowns WHERE id = ?""",
                    (change.next_seq(), article_id),
                )
                self._find_copies(change, article_id)
            change.db.execute("DELETE FROM takedowns WHERE id = ?", (article_id,))
            self._log(change, "undeleted", article_id, by, "")
        return Outcome(article_id, status, takedown)

    def _find_copies(self, change: Change, article_id: str) -> None:
        """An article brought back rejoins its story (its signature is computed again)."""
        if not self.store.detect_copies:
            return
        rowid, published_at = change.db.execute(
            "SELECT rowid, published_at FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        article = self.store.get(article_id)
        detect(change, [(rowid, article_id, published_at, article.body, article.summary)])

    def checkpoint(self, attempts: int = 20) -> bool:
        """Empty the store's write-ahead log (see :meth:`archive.store.Store.checkpoint`)."""
        return self.store.checkpoint(attempts)

    def _take_down(self, change: Change, article_id: str, reason: str, by: str) -> Outcome:
        standing = self.get(article_id)
        if standing is not None:
            return Outcome(article_id, ALREADY_DELETED, standing)
        found = change.db.execute(
            "SELECT rowid, cluster FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if not found:
            return Outcome(article_id, NOT_FOUND)
        Clusters(change).remove(*found)  # its copies stay together, named by the next earliest
        seq = change.next_seq()
        now = now_text()
        change.db.execute(
            f"""INSERT INTO takedowns (id, seq, deleted_at, deleted_by, reason, {_COLUMNS})
                SELECT id, ?, ?, ?, ?, {_COLUMNS} FROM articles WHERE id = ?""",
            (seq, now, by, reason, article_id),
        )
        change.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        self._log(change, DELETED, article_id, by, reason)
        return Outcome(article_id, DELETED, Takedown(article_id, seq, now, by, reason))

    @staticmethod
    def _log(change: Change, action: str, article_id: str, by: str, reason: str) -> None:
        change.db.execute(
            'INSERT INTO takedown_log (at, action, id, "by", reason) VALUES (?, ?, ?, ?, ?)',
            (now_text(), action, article_id, by, reason),
        )
