"""A node's index following the store: every change applied within about a second.

``arkhiv serve`` runs a :class:`Follower` in a background thread, so that what a POST stored,
what an import with ``--no-index`` left, or a takedown, becomes searchable on this node without
anyone running a command: each second it compares the store's last change with the index's and,
when the store is ahead, catches the index up (:func:`index.indexer.catch_up`) under the import
lock, like every writer. It never waits for that lock: an import or a reindex holding it brings
the index up to date itself, and the follower looks again a second later. It indexes in its own
process (no worker processes are forked from a server's threads).
"""

from __future__ import annotations

import logging
import threading

from archive.config import Settings
from archive.importer import ImportBusy, import_lock
from archive.store import Store
from index.indexer import applied_seq, catch_up

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 1.0


class Follower:
    """Catches the index under ``settings.index_dir`` up with ``store``, every ``interval``."""

    def __init__(self, store: Store, settings: Settings, interval: float = INTERVAL_SECONDS):
        self.store = store
        self.settings = settings
        self.interval = interval
        self.applied = 0  # changes applied since it started
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def behind(self) -> bool:
        return self.store.last_seq() > applied_seq(self.settings.index_dir)

    def follow_once(self) -> int:
        """Catch up now if the store is ahead and no other writer holds the lock; returns how
        many changes were applied."""
        if not self.behind():
            return 0
        try:
            with import_lock(self.settings, wait=False):
                applied = catch_up(self.store, self.settings.index_dir, workers=1)
        except ImportBusy:
            return 0
        self.applied += applied
        return applied

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.follow_once()
            except Exception as exc:  # noqa: BLE001 - said once, tried again next time
                message = f"{type(exc).__name__}: {exc}"
                if message != self.last_error:
                    log.error("the index could not follow the store: %s", message)
                self.last_error = message
            else:
                self.last_error = None

    def start(self) -> Follower:
        self._thread = threading.Thread(target=self._run, name="arkhiv-follower", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 60.0) -> None:
        """Stop after the catch-up in progress, if any."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
