"""Following the feeds while serving: ``arkhiv serve`` reads each followed feed as it falls due
(``ARKHIV_FOLLOW_EVERY``), in a process of its own beside the index's follower.

Why a process: fetching waits on other sites (a slow one may take a minute to answer) and
extracting an article is Python work; in a thread of the server, both would share its
interpreter lock with every search. The process runs at a lower scheduling priority than the
server, so that a search never waits for an extraction. It writes the store only; the index's
follower (:mod:`index.segments.follower`) makes what it stored searchable, as it does for a POST.
What each feed did is in the store (:mod:`archive.followed`), where ``/healthz``, ``/metrics`` and
``arkhiv follow list`` read it.

The process is spawned, and stops when the server closes its end of their pipe (or is gone).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.config import Settings
    from archive.store import Store

log = logging.getLogger(__name__)
PAUSE_SECONDS = 5.0
WATCH_SECONDS = 30.0


def _followed(store: Store) -> bool:
    return store.db.execute("SELECT count(*) FROM followed_feeds").fetchone()[0] > 0


NICENESS = 10


def _follow_feeds(home: str, server, rounds, pause: float) -> None:
    """The feed follower: until the server closes its end of the pipe."""
    with contextlib.suppress(OSError):  # not allowed here: the server's priority, then
        os.nice(NICENESS)
    # Imported once the priority is lowered: loading modules is work a search must not wait for.
    from archive.config import load_settings
    from archive.followed import FollowedFeeds
    from archive.stores import open_store

    logging.basicConfig()
    settings = load_settings(home)
    store = open_store(settings)
    # The extractor takes a second to load: not before there is a feed to read.
    while not FollowedFeeds(store).list():
        if server.poll(pause):
            return
    from archive.following import Following

    # A reading may take minutes (a site's delay times its pages): the server's going away is
    # looked for before each page, not only between rounds.
    following = Following(store, settings, stopping=lambda: server.poll(0))

    def told(report) -> None:
        rounds.value += 1

    try:
        following.follow(server.poll, told, pause=pause)
    finally:
        following.close()


class FeedFollowerProcess:
    """The feeds followed in a process of its own, for ``arkhiv serve``."""

    def __init__(self, settings: Settings, pause: float = PAUSE_SECONDS):
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._rounds = context.RawValue("q", 0)
        self._process = context.Process(
            target=_follow_feeds,
            args=(str(settings.home), theirs, self._rounds, pause),
            name="arkhiv-feeds",
        )
        self._theirs = theirs
        self._stopping = threading.Event()
        self._starting = threading.Lock()

    @property
    def rounds(self) -> int:
        """How many rounds of reading feeds it has done since it started."""
        return self._rounds.value

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.is_alive()

    def start(self) -> FeedFollowerProcess:
        self._process.start()
        self._theirs.close()
        return self

    def start_once_followed(
        self, store: Store, every: float = WATCH_SECONDS
    ) -> FeedFollowerProcess:
        """Start now if some feed is followed; else once one is (``store`` is asked every
        ``every`` seconds, from a thread of the server: one count). An archive that follows no
        feed pays nothing: no process to start beside a server that is starting, and no
        extractor loaded."""
        if _followed(store):
            return self.start()

        def watch() -> None:
            while not self._stopping.wait(every):
                try:
                    found = _followed(store)
                except Exception as exc:  # noqa: BLE001 - the store may be away: asked again
                    log.warning("cannot tell whether feeds are followed: %s", exc)
                    continue
                if found:
                    with self._starting:
                        if not self._stopping.is_set():
                            self.start()
                    return

        threading.Thread(target=watch, name="arkhiv-feeds-watch", daemon=True).start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the request in progress; a reading that goes on past ``timeout`` (a slow
        site) is cut short: each page's store write is a transaction, whole or absent."""
        with self._starting:
            self._stopping.set()
        self._pipe.close()
        if self._process.pid is None:  # never started
            return
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout)
