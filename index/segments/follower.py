"""A node's index following the store: every change applied within about a second.

``arkhiv serve`` runs a :class:`Follower` in a process of its own (:class:`FollowerProcess`), so
that what a POST stored, what an import with ``--no-index`` left, or a takedown, becomes
searchable on this node without anyone running a command: each second it compares the store's
last change with the index's and, when the store is ahead, catches the index up
(:func:`index.segments.indexer.catch_up`) under the import lock, like every writer. It never waits
for that lock: an import or a reindex holding it brings the index up to date itself, and the
follower looks again a second later.

Why a process and not a thread of the server: indexing is Python work, and a thread shares the
server's interpreter lock with every search. Measured with 4 clients searching while a batch of
500 was posted every 5 seconds, a follower thread indexed under 100 articles a second and fell
two minutes behind; a follower process kept up, on the machine's other core. The process is
spawned (not forked from the server's threads) and shares a pipe with the server, which it never
writes to: it stops when the server closes the pipe, or is gone, however it ended (the server's
end is closed then by the system).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable

from archive.config import Settings, load_settings
from archive.importer import ImportBusy, import_lock
from archive.store import Store
from archive.stores import open_store
from index.segments.indexer import applied_seq, catch_up, merges_waiting

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 1.0


class Follower:
    """Catches the index under ``settings.index_dir`` up with ``store``.

    ``for_import``: it follows an import that holds the import lock for it (see
    :mod:`index.segments.import_indexing`): it indexes in its own process only (``workers=1``: the
    import stores on the other core), and when told to stop it catches up whatever is left with
    every worker and finishes its merges."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        interval: float = INTERVAL_SECONDS,
        for_import: bool = False,
    ):
        self.store = store
        self.settings = settings
        self.interval = interval
        self.for_import = for_import
        self.applied = 0  # changes applied since it started
        self.last_error: str | None = None

    def behind(self) -> bool:
        return self.store.last_seq() > applied_seq(self.settings.index_dir)

    def follow_once(self) -> int:
        """Catch up now if the store is ahead (or a background merge is done) and no other
        writer holds the lock; returns how many changes were applied. Merges run in the
        background and are committed by a later call once done: a batch never waits for one."""
        if not self.behind() and not merges_waiting(self.settings.index_dir):
            return 0
        if self.for_import:
            applied = catch_up(self.store, self.settings.index_dir, workers=1, finish_merges=False)
            self.applied += applied
            return applied
        try:
            with import_lock(self.settings, wait=False):
                applied = catch_up(self.store, self.settings.index_dir, finish_merges=False)
        except ImportBusy:
            return 0
        self.applied += applied
        return applied

    def follow(self, stopped: Callable[[float], bool], told: Callable[[int], None]) -> None:
        """Follow every ``interval`` until ``stopped(interval)`` (which waits that long) says
        so; ``told`` hears how many changes were applied so far. A failure is logged once, and
        tried again the next time."""
        while not stopped(self.interval):
            try:
                self.follow_once()
            except Exception as exc:  # noqa: BLE001 - said once, tried again next time
                message = f"{type(exc).__name__}: {exc}"
                if message != self.last_error:
                    log.error("the index could not follow the store: %s", message)
                self.last_error = message
            else:
                self.last_error = None
            told(self.applied)
        if self.for_import:
            # The import has stored everything: the rest with every worker, merges finished.
            self.applied += catch_up(self.store, self.settings.index_dir)
            told(self.applied)


def _follow(home: str, server, applied, interval: float, for_import: bool = False) -> None:
    """The follower process: until the server closes its end of their pipe, or is gone (the
    end is closed then too, whenever and however it ended)."""
    logging.basicConfig()
    settings = load_settings(home)
    follower = Follower(open_store(settings), settings, interval, for_import)

    def told(count: int) -> None:
        applied.value = count

    follower.follow(server.poll, told)  # poll: True once the pipe is closed (or written to)


class FollowerProcess:
    """A :class:`Follower` in a process of its own, for ``arkhiv serve``: a pipe says when to
    stop, a shared integer how many changes it has applied."""

    def __init__(
        self, settings: Settings, interval: float = INTERVAL_SECONDS, for_import: bool = False
    ):
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._applied = context.RawValue("q", 0)
        self._process = context.Process(
            target=_follow,
            args=(str(settings.home), theirs, self._applied, interval, for_import),
            name="arkhiv-follower",
        )
        self._theirs = theirs

    @property
    def applied(self) -> int:
        """Changes the follower has applied since it started."""
        return self._applied.value

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def start(self) -> FollowerProcess:
        self._process.start()
        self._theirs.close()  # only the follower holds its end now
        return self

    def stop(self, timeout: float | None = 60.0) -> None:
        """Stop after the catch-up in progress, if any (one following an import then catches
        up the rest: ``timeout`` None waits for it)."""
        self._pipe.close()
        self._process.join(timeout)

    @property
    def exitcode(self) -> int | None:
        return self._process.exitcode
