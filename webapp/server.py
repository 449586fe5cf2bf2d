"""Serving the app on waitress, a production WSGI server (never Flask's debug server)."""

from __future__ import annotations

from flask import Flask
from waitress import serve as waitress_serve

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
DEFAULT_THREADS = 8


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

    # Waitress reads a request's body before the app sees it: refuse big ones (413) before that.
    waitress_serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="arkhiv",
        max_request_body_size=MAX_BODY_BYTES,
    )
