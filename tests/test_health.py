"""``/healthz`` and ``/metrics``: what a load balancer and Prometheus read, over a real archive."""

from __future__ import annotations

import json
import os

import pytest
from prometheus_client.parser import text_string_to_metric_families

from archive.store import Store
from archive.takedowns import Takedowns
from index.segments import indexer
from tests.conftest import article, run_arkhiv, write_jsonl
from tests.web_fixtures import http, import_fixtures, serve_archive, wait_until
from webapp.app import create_app


@pytest.fixture
def demo_home(tmp_path):
    return import_fixtures(tmp_path / "home")


@pytest.fixture
def client(demo_home):
    return create_app({"ARKHIV_HOME": str(demo_home), "TESTING": True}).test_client()


def samples(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, by name and labels (parsed by prometheus_client's parser)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_healthz_says_ok_with_articles_and_the_index_lag(demo_home, client, tmp_path):
    assert client.get("/healthz").get_json() == {"status": "ok", "articles": 31, "index_lag": 0}
    more = write_jsonl(tmp_path / "more.jsonl", map(article, range(5)))
    stored = run_arkhiv(demo_home, "import", "--no-progress", "--no-index", str(more))
    assert stored.returncode == 0, stored.stderr
    assert client.get("/healthz").get_json() == {"status": "ok", "articles": 36, "index_lag": 5}
    store = Store(demo_home / "archive.sqlite3")
    Takedowns(store).delete(["up-2025-08-27-isw-kremlin-guarantees"], reason="test")
    assert client.get("/healthz").get_json()["index_lag"] == 6  # a takedown is a change too
    Takedowns(store).delete(["a-1"], reason="test")  # not indexed yet: still one change
    assert client.get("/healthz").get_json()["index_lag"] == 6
    indexer.catch_up(store, demo_home / "index")
    assert client.get("/healthz").get_json() == {"status": "ok", "articles": 34, "index_lag": 0}


def test_healthz_answers_503_when_the_store_cannot_be_reached(demo_home, client):
    store_file = demo_home / "archive.sqlite3"
    assert client.get("/api/articles/up-2025-08-27-isw-kremlin-guarantees").status_code == 200
    moved = demo_home / "elsewhere.sqlite3"
    os.rename(store_file, moved)  # as a lost mount or a removed volume would
    try:
        unreachable = client.get("/healthz")
        assert unreachable.status_code == 503
        body = unreachable.get_json()
        assert body["status"] == "unavailable"
        assert "the store cannot be reached" in body["error"]
        assert not store_file.exists()  # the check did not create an empty store
    finally:
        os.rename(moved, store_file)
    assert client.get("/healthz").status_code == 200


def test_metrics_count_requests_and_time_them_per_endpoint(demo_home, client):
    for _ in range(3):
        assert client.get("/api/search?q=Kremlin").status_code == 200
    assert client.get("/api/articles/no-such-id").status_code == 404
    for n in range(5):  # paths that match no route make one series, not one each
        client.get(f"/scan/{n}/wp-login.php")
    found = samples(client)
    search = (("endpoint", "/api/search"), ("method", "GET"), ("status", "200"))
    assert found[("arkhiv_http_requests_total", search)] == 3
    missing = (
        ("endpoint", "/api/articles/<path:article_id>"),
        ("method", "GET"),
        ("status", "404"),
    )
    assert found[("arkhiv_http_requests_total", missing)] == 1
    scans = [labels for name, labels in found if name == "arkhiv_http_requests_total"]
    assert sum(dict(labels)["endpoint"] == "(no route)" for labels in scans) == 1
    timed = (("endpoint", "/api/search"),)
    assert found[("arkhiv_http_request_duration_seconds_count", timed)] == 3
    assert found[("arkhiv_http_request_duration_seconds_sum", timed)] > 0
    everything = (("endpoint", "/api/search"), ("le", "+Inf"))
    assert found[("arkhiv_http_request_duration_seconds_bucket", everything)] == 3
    assert found[("arkhiv_articles", ())] == 31
    assert found[("arkhiv_index_lag", ())] == 0
    assert found[("arkhiv_store_last_change", ())] == 31


def test_metrics_count_what_writes_took_in(demo_home, client):
    secret = run_arkhiv(demo_home, "token", "create", "desk").stdout.splitlines()[-1]
    body = [article(1), article(2), {"title": "no body"}]
    answer = client.post(
        "/api/articles", json=body, headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    assert (answer["added"], answer["rejected"]) == (2, 1)
    client.delete("/api/articles/a-1", headers={"Authorization": f"Bearer {secret}"})
    found = samples(client)
    assert found[("arkhiv_articles_written_total", (("outcome", "added"),))] == 2
    assert found[("arkhiv_articles_written_total", (("outcome", "rejected"),))] == 1
    assert found[("arkhiv_takedowns_total", ())] == 1
    assert found[("arkhiv_articles", ())] == 32
    # No follower in this app: a-2 added, a-1 added then taken down: two articles to apply.
    assert found[("arkhiv_index_lag", ())] == 2


def test_served_health_and_metrics_follow_the_follower(demo_home, tmp_path):
    secret = run_arkhiv(demo_home, "token", "create", "desk").stdout.splitlines()[-1]
    served = serve_archive(demo_home, tmp_path / "serve.log")
    try:
        posted = http(
            "POST",
            served.url + "/api/articles",
            json.dumps([article(i) for i in range(40)]).encode(),
            {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        assert posted.status == 200 and posted.json()["added"] == 40

        def health() -> dict:
            return http("GET", served.url + "/healthz").json()

        wait_until(lambda: health()["index_lag"] == 0, timeout=5)
        assert health() == {"status": "ok", "articles": 71, "index_lag": 0}
        text = http("GET", served.url + "/metrics").body.decode()
        applied = {
            sample.name: sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }
        assert applied["arkhiv_follower_applied"] == 40
        assert applied["arkhiv_articles"] == 71
    finally:
        served.stop()
