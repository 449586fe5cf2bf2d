"""Serving the app on waitress, a production WSGI server (never Flask's debug server).

Waitress reads a request's whole body before the app sees it, so the body limits are set here as
well as in the app: 64 KB for every route (none reads a body) but ``POST /api/articles``, which
may send ``ARKHIV_MAX_UPLOAD_MB``. A larger body is refused (413) before it is read.
"""

from __future__ import annotations

import copy
import ctypes
import logging

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

    glibc gives each thread its own malloc arena and keeps what is freed there, and it raises its
    mmap threshold as large blocks are freed: a search's numpy arrays (megabytes each at a
    million articles) would then stay allocated per thread. Two arenas and a fixed 1 MB mmap
    threshold return large arrays to the system as soon as a search drops them."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    libc.mallopt(_M_ARENA_MAX, 2)
    libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)


_M_ARENA_MAX = -8  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


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
        app,
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
    logging.basicConfig()  # as waitress.serve does: warnings and errors on stderr
    server = create(app, host=host, port=port, threads=threads)
    server.print_listen("Serving on http://{}:{}")
    server.run()
