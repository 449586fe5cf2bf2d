"""Serving the app on waitress, a production WSGI server (never Flask's debug server).

Waitress reads a request's whole body before the app sees it, so the body limits are set here as
well as in the app: 64 KB for every route (none reads a body) but ``POST /api/articles``, which
may send ``ARKHIV_MAX_UPLOAD_MB``. A larger body is refused (413) before it is read.
"""

from __future__ import annotations

import copy
import ctypes
import logging
import threading

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DEFAULT_THREADS = 8
UPLOAD_ROUTE = ("POST", "/api/articles")


def limit_allocator_arenas() -> None:
    """Keep the memory of concurrent searches from staying with each thread.

    glibc gives each thread its own malloc arena and keeps what is freed there: a search's numpy
    arrays (megabytes each at a million articles) would stay allocated per thread. Two arenas
    share what is freed among the threads, and :class:`TrimWhenIdle` gives it back once idle.

    Arrays up to ``MMAP_THRESHOLD`` come from the heap and are reused from search to search;
    larger ones are mapped and unmapped. At 1 MB (or 2), each search's masks and matches were
    fresh mappings, their pages faulted in and zeroed every time, which made searches half
    again as slow (measured at a million articles, one search at a time, in one process: p50
    35 ms at 4 MB against 46-47 at 2 MB, p95 63-65 against 87-88; glibc's own rising threshold
    is as fast, and keeps up to 32 MB blocks: 60 MB more memory after 1,000 searches)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    libc.mallopt(_M_ARENA_MAX, 2)
    libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


MMAP_THRESHOLD = 4 << 20  # bytes (see limit_allocator_arenas)
_M_ARENA_MAX = -8  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


class TrimWhenIdle:
    """WSGI middleware: half a second after the last request in progress ends (and none has
    begun since), give the memory the allocator keeps free back to the system (glibc's
    ``malloc_trim``).

    Concurrent searches raise the heap's high-water mark: measured at a million articles after
    1,000 distinct searches from 8 clients, the heap held 45 MB with 8 threads against 14 MB with
    one, most of it free but kept. Trimming when idle costs a millisecond and returns it."""

    DELAY = 0.5

    def __init__(self, app, trim=None):
        self.app = app
        self._trim = trim if trim is not None else _malloc_trim()
        self._lock = threading.Lock()
        self._running = 0
        self._requests = 0  # requests begun so far: a trim waits for the count to stand still
        self._timer: threading.Timer | None = None

    def __call__(self, environ, start_response):
        with self._lock:
            self._running += 1
            self._requests += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._trim is not None and self._timer is None:
                    self._timer = threading.Timer(self.DELAY, self._trim_if_idle, (self._requests,))
                    self._timer.daemon = True
                    self._timer.start()

    def _trim_if_idle(self, requests: int) -> None:
        with self._lock:
            self._timer = None
            idle = self._running == 0 and self._requests == requests
            if not idle and self._running == 0:  # more came and went: wait for quiet again
                self._timer = threading.Timer(self.DELAY, self._trim_if_idle, (self._requests,))
                self._timer.daemon = True
                self._timer.start()
        if idle:
            self._trim()


def _malloc_trim():
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return lambda: trim(0)


def _channel_taking_uploads(upload_limit: int) -> type[HTTPChannel]:
    """Waitress's channel whose parser allows ``upload_limit`` bytes to the upload route only
    (the parser reads the limit from its adjustments once the request line is parsed)."""

    class UploadParser(HTTPRequestParser):
        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            if (self.command, self.path) == UPLOAD_ROUTE:
                self.adj = copy.copy(self.adj)
                self.adj.max_request_body_size = upload_limit + 1

    class UploadChannel(HTTPChannel):
        parser_class = UploadParser

    return UploadChannel


def create(
    app: Flask,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    threads: int = DEFAULT_THREADS,
):
    """A waitress server for ``app`` (not yet running: call ``run()``)."""
    from webapp.app import MAX_BODY_BYTES

    upload_limit = app.extensions["arkhiv"].settings.max_upload_bytes
    server = create_server(
        TrimWhenIdle(app),
        host=host,
        port=port,
        threads=threads,
        ident="arkhiv",
        max_request_body_size=MAX_BODY_BYTES,
    )
    channel = _channel_taking_uploads(upload_limit)
    listeners = [server] if isinstance(server, BaseWSGIServer) else list(server.map.values())
    for listener in listeners:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = channel
    return server


def serve(
    app: Flask | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    threads: int = DEFAULT_THREADS,
) -> None:
    """Serve ``app`` (default: ``create_app()`` over ``$ARKHIV_HOME``) until interrupted."""
    if app is None:
        from webapp.app import create_app

        app = create_app()
    limit_allocator_arenas()
    # Reading a generation's columns frees a great deal (each segment's, once combined): given
    # back as soon as it is open (at a million articles the server starts at 420 MB, not 480).
    app.extensions["arkhiv"].index.views.opened = _malloc_trim()
    # ARKHIV_LOG_LEVEL (checked with the other settings), on stderr as waitress.serve logs.
    logging.basicConfig(level=app.extensions["arkhiv"].settings.log_level)
    server = create(app, host=host, port=port, threads=threads)
    server.print_listen("Serving on http://{}:{}")
    server.run()
