"""The Flask application factory: configuration, the archive handle, blueprints, error pages."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp import (
    api,
    api_docs,
    errors,
    explore,
    feeds,
    i18n,
    monitoring,
    pages,
    search_view,
    security,
    writes,
)
from webapp.reading_room import ReadingRoom

MAX_BODY_BYTES = 64 * 1024


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` may set ``ARKHIV_HOME`` (tests use a temporary folder)."""
    app = Flask(__name__)
    app.config.update(
        ARKHIV_HOME=None,  # None: $ARKHIV_HOME or ./arkhiv-data
        JSON_AS_ASCII=False,
        FEED_SIZE=50,
        RELATED_ARTICLES=5,
        CONCURRENT_EXPORTS=2,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # the contract's order: total, page, per_page, hits, facets
    room = ReadingRoom.open(app.config["ARKHIV_HOME"])
    app.extensions["arkhiv"] = room
    # Only these Host headers are answered (400 otherwise): links are built from the host.
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = list(room.settings.trusted_hosts)
    # No route but POST /api/articles (which sets its own limit) reads a request body: whatever
    # is sent is refused past this (413).
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.jinja_env.globals.update(
        new_search=search_view.new_search, explore_href=explore.explore_href
    )
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_docs.bp)
    app.register_blueprint(explore.bp)
    app.register_blueprint(writes.bp)
    monitoring.init_app(app, room)
    feeds.init_app(app)
    return app
