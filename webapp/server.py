"""Serving the app on waitress, a production WSGI server (never Flask's debug server)."""

from __future__ import annotations

import ctypes

from flask import Flask
from waitress import serve as waitress_serve

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DEFAULT_THREADS = 8


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
    from webapp.app import MAX_BODY_BYTES

    limit_allocator_arenas()

    # Waitress reads a request's body before the app sees it: refuse big ones (413) before that.
    waitress_serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="arkhiv",
        max_request_body_size=MAX_BODY_BYTES,
    )
