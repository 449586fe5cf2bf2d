"""The Flask application factory: configuration, the archive handle, blueprints, error pages."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp import api, errors, feeds, i18n, pages, search_view, security
from webapp.reading_room import ReadingRoom


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` may set ``ARKHIV_HOME`` (tests use a temporary folder)."""
    app = Flask(__name__)
    app.config.update(
        ARKHIV_HOME=None,  # None: $ARKHIV_HOME or ./arkhiv-data
        JSON_AS_ASCII=False,
        FEED_SIZE=50,
        RELATED_ARTICLES=5,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False  # the contract's order: total, page, per_page, hits, facets
    app.extensions["arkhiv"] = ReadingRoom.open(app.config["ARKHIV_HOME"])
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.jinja_env.globals.update(new_search=search_view.new_search)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    return app
