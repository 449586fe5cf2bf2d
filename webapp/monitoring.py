"""How the archive is doing: ``/healthz`` for a load balancer, ``/metrics`` for Prometheus.

``/healthz`` reads the store through a connection of its own (one kept open would not notice a
store that has gone) and answers 503 when it cannot. ``/metrics`` is ``prometheus_client``'s text
format: requests and their latency per endpoint (the route, not the path, so a scan of random
paths makes no new series), the articles, the index's lag, what writes over HTTP took in and
what the store follower applied.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from archive.followed import FollowedFeed, FollowedFeeds
from archive.importer import ImportReport
from archive.stores import STORE_ERRORS
from index.segments.indexer import applied_seq
from webapp.reading_room import ReadingRoom, reading_room

bp = Blueprint("monitoring", __name__)
MAX_FAILURES_SHOWN = 50
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def health(room: ReadingRoom) -> dict[str, Any]:
    """``{"status": "ok", "articles", "index_lag"}``, and ``feeds`` when some are followed;
    raises one of ``STORE_ERRORS`` when the store cannot be reached."""
    articles, last_seq = room.store.probe()
    applied = applied_seq(room.settings.index_dir)
    lag = room.store.changes_after(applied) if last_seq > applied else 0
    figures: dict[str, Any] = {"status": "ok", "articles": articles, "index_lag": lag}
    feeds = FollowedFeeds(room.store).list()
    if feeds:
        figures["feeds"] = feeds_health(feeds)
    return figures


def feeds_health(feeds: list[FollowedFeed]) -> dict[str, Any]:
    """How many feeds are followed and which fail (a site that is down is no reason to take
    this node out of service: the status stays ok)."""
    failing = [feed for feed in feeds if feed.last_error]
    return {
        "followed": len(feeds),
        "failing": len(failing),
        "failures": [
            {
                "url": feed.url,
                "error": feed.last_error,
                "last_checked": feed.last_checked,
                "last_new": feed.last_new,
                "articles": feed.articles,
            }
            for feed in failing[:MAX_FAILURES_SHOWN]
        ],
    }


@bp.get("/healthz")
def healthz() -> Response:
    try:
        figures = health(reading_room())
    except (*STORE_ERRORS, OSError) as exc:
        current_app.logger.error("health check: the store cannot be reached: %s", exc)
        response = jsonify(
            {"status": "unavailable", "error": f"the store cannot be reached: {exc}"}
        )
        response.status_code = 503
        return response
    return jsonify(figures)


@bp.get("/metrics")
def metrics() -> Response:
    registry = current_app.extensions["arkhiv_metrics"].registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _ArchiveFigures:
    """Figures read when Prometheus asks: articles, the store's and the index's last change."""

    def __init__(self, room: ReadingRoom, app: Flask):
        self.room = room
        self.app = app

    def collect(self):
        try:
            figures = health(self.room)
            last_seq = self.room.store.last_seq()
        except (*STORE_ERRORS, OSError):
            return  # /healthz says so; a scrape goes on with the other figures
        yield GaugeMetricFamily("arkhiv_articles", "Articles in the store", figures["articles"])
        yield GaugeMetricFamily(
            "arkhiv_index_lag", "Changes in the store not yet searchable", figures["index_lag"]
        )
        yield GaugeMetricFamily("arkhiv_store_last_change", "The store's last change", last_seq)
        follower = self.app.extensions.get("arkhiv_follower")
        if follower is not None:
            yield GaugeMetricFamily(
                "arkhiv_follower_applied",
                "Changes the store follower has applied to the index since serve started",
                follower.applied,
            )
        try:
            feeds = FollowedFeeds(self.room.store).list()
        except (*STORE_ERRORS, OSError):
            return
        yield from feed_metrics(feeds)


def _timestamp(moment: str | None) -> float:
    return datetime.fromisoformat(moment).timestamp() if moment else 0.0


def feed_metrics(feeds: list[FollowedFeed]):
    """Per feed (label ``feed``, its URL): when it was last read and last gave a new article
    (seconds since the epoch; 0: never), the articles it gave, whether its last reading failed,
    and what went wrong (``arkhiv_feed_error_info``, with the error as a label)."""
    checked = GaugeMetricFamily(
        "arkhiv_feed_last_checked_timestamp_seconds", "When the feed was last read", labels=["feed"]
    )
    new = GaugeMetricFamily(
        "arkhiv_feed_last_new_article_timestamp_seconds",
        "When the feed last gave a new article",
        labels=["feed"],
    )
    articles = CounterMetricFamily(
        "arkhiv_feed_articles", "Articles the feed gave to the archive", labels=["feed"]
    )
    failing = GaugeMetricFamily(
        "arkhiv_feed_failing", "1 when the feed's last reading failed", labels=["feed"]
    )
    errors = GaugeMetricFamily(
        "arkhiv_feed_error", "What went wrong at the feed's last reading", labels=["feed", "error"]
    )
    for feed in feeds:
        checked.add_metric([feed.url], _timestamp(feed.last_checked))
        new.add_metric([feed.url], _timestamp(feed.last_new))
        articles.add_metric([feed.url], feed.articles)
        failing.add_metric([feed.url], 1 if feed.last_error else 0)
        if feed.last_error:
            errors.add_metric([feed.url, feed.last_error[:200]], 1)
    yield GaugeMetricFamily("arkhiv_feeds_followed", "Feeds followed", len(feeds))
    yield from (checked, new, articles, failing, errors)


class Metrics:
    """The app's metrics, in a registry of its own (one per app, so tests can build many)."""

    def __init__(self, app: Flask, room: ReadingRoom):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "arkhiv_http_requests",
            "HTTP requests answered, by endpoint, method and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "arkhiv_http_request_duration_seconds",
            "Time to answer (until the body starts), by endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.written = Counter(
            "arkhiv_articles_written",
            "Articles sent over HTTP, by outcome (added, updated, unchanged, rejected)",
            ["outcome"],
            registry=self.registry,
        )
        self.takedowns = Counter(
            "arkhiv_takedowns", "Articles taken down over HTTP", registry=self.registry
        )
        self.registry.register(_ArchiveFigures(room, app))

    def count_written(self, report: ImportReport) -> None:
        for outcome in ("added", "updated", "unchanged", "rejected"):
            self.written.labels(outcome).inc(getattr(report, outcome))


def _started() -> None:
    g.arkhiv_started = time.perf_counter()


def _answered(response: Response) -> Response:
    started = g.pop("arkhiv_started", None)
    endpoint = request.url_rule.rule if request.url_rule is not None else "(no route)"
    recorded: Metrics = current_app.extensions["arkhiv_metrics"]
    recorded.requests.labels(endpoint, request.method, str(response.status_code)).inc()
    if started is not None:
        recorded.latency.labels(endpoint).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask, room: ReadingRoom) -> None:
    app.extensions["arkhiv_metrics"] = Metrics(app, room)
    app.before_request(_started)
    app.after_request(_answered)
    app.register_blueprint(bp)
