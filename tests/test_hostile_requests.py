"""One request must not take the archive down: the hostile requests of the hardening issue, each
as a visitor would send it (Flask's test client, or raw sockets against ``arkhiv serve``)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest

from index.searching import matching
from index.searching import request as request_module
from index.searching.request import MAX_FILTER_VALUES
from tests.conftest import DEMO_FILES, arkhiv_command, run_arkhiv
from tests.web_fixtures import free_port
from webapp.app import create_app

LONG_PHRASE = '"' + " ".join(["the"] * 40) + '"'


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("hostile") / "home"
    extra = tmp_path_factory.mktemp("hostile-extra") / "extra.jsonl"
    records = [
        {
            "id": "control-title",
            "title": "War \x01 report \x1f with controls",
            "body": "The war of the \x0b words.",
            "language": "en",
            "published": "2020-05-01",
        },
        {
            "id": "late",
            "title": "A report from the far end of the calendar",
            "body": "Dated in the last year the archive keeps.",
            "language": "en",
            "published": "9998-12-31",
        },
    ]
    extra.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run_arkhiv(home, "import", "--no-progress", *map(str, DEMO_FILES), str(extra))
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture(scope="module")
def client(home):
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()


def test_a_phrase_longer_than_the_limit_is_refused_naming_q(client):
    for path in ("/api/search", "/", "/feed", "/export"):
        response = client.get(path, query_string={"q": LONG_PHRASE})
        assert response.status_code == 400, path
    error = client.get("/api/search", query_string={"q": LONG_PHRASE}).get_json()["error"]
    assert error["param"] == "q" and "at most 12 words" in error["message"]


def test_a_phrase_too_common_to_match_exactly_is_searched_as_words(client, monkeypatch):
    monkeypatch.setattr(matching, "PHRASE_WORK_LIMIT", 1)
    body = client.get("/api/search", query_string={"q": '"the war"'}).get_json()
    assert body["total"] >= 1
    assert any(notice["code"] == "query.phrase_as_words" for notice in body["notices"])
    assert any("cannot be matched exactly" in notice["message"] for notice in body["notices"])
    monkeypatch.setattr(matching, "PHRASE_WORK_LIMIT", 10**9)
    exact = client.get("/api/search", query_string={"q": '"the war"'}).get_json()
    assert not any("cannot be matched exactly" in notice["message"] for notice in exact["notices"])


# -- many filter values: capped per facet, and the page grows with their number, not its square --


def tags(count: int) -> list[tuple[str, str]]:
    return [("tag", f"tag {number:05d}") for number in range(count)]


def test_filter_values_are_capped_per_facet_on_the_page_and_the_api(client):
    assert MAX_FILTER_VALUES == 100
    at_cap = "/?" + urlencode(tags(100) + [("author", f"a{n}") for n in range(100)])
    assert client.get(at_cap).status_code == 200
    assert client.get(at_cap.replace("/?", "/api/search?")).status_code == 200
    assert client.get("/?" + urlencode([("tag", "budget")] * 500)).status_code == 200  # one value
    past = urlencode(tags(101))
    for path in ("/api/search", "/feed", "/export"):
        response = client.get(f"{path}?{past}")
        assert response.status_code == 400, path
        error = response.get_json()["error"]
        assert error["code"] == "request.too_many_values" and error["param"] == "tag"
        assert error["params"] == {"limit": 100, "count": 101}
        assert error["message"] == (
            "tag: at most 100 values of one filter may be chosen; this search chose 101"
        )
    assert client.get(f"/?{urlencode(tags(2000))}").status_code == 400


@pytest.mark.parametrize(
    ("locale", "said", "link"),
    [
        (
            "en",
            "at most 100 values of one filter may be chosen; this search chose 1,000",
            "Search with the first 100 values of each filter",
        ),
        (
            "uk",
            "в одному фільтрі можна вибрати щонайбільше 100 значень; "
            "у цьому пошуку вибрано 1\u00a0000",
            "Шукати з першими 100 значеннями кожного фільтра",
        ),
    ],
)
def test_the_page_past_the_cap_says_so_in_the_reader_language(client, locale, said, link):
    response = client.get(f"/?{urlencode(tags(1000))}", headers={"Accept-Language": locale})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert said in html and link in html
    [href] = re.findall(r'<a href="([^"]+)">' + re.escape(link), html)
    kept = client.get(href.replace("&amp;", "&"))
    assert kept.status_code == 200
    assert kept.get_data(as_text=True).count('name="drop" value="tag:tag ') == 2 * 100


def test_the_page_grows_linearly_with_chosen_values(client, monkeypatch):
    """Each chosen value once in a remove button, once in its chip, and once in each link that
    adds something (a fixed number of them): never once per other chosen value."""
    monkeypatch.setattr(request_module, "MAX_FILTER_VALUES", 10_000)
    pages = {n: client.get(f"/?{urlencode(tags(n))}").get_data(as_text=True) for n in (250, 1000)}
    told = {n: html.count("tag+00007") + html.count("tag 00007") for n, html in pages.items()}
    assert told[250] == told[1000] < 100  # was 2 * n + 45: once per other chosen value
    assert len(pages[1000]) < 4.5 * len(pages[250])  # the square would be 16 times


@pytest.mark.parametrize(
    "target", ["/%09/evil.example/x", "/%0A/x", "%20//evil.example", "/\\evil.example", "\t//x"]
)
def test_the_language_switch_never_leaves_the_site(client, target):
    response = client.get(f"/language/en?next={target}")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "evil.example" not in location.split("/")[2:3]


def test_the_language_switch_keeps_a_local_path(client):
    response = client.get("/language/uk?next=/%3Fq%3DKremlin")
    assert response.headers["Location"] == "/?q=Kremlin"


def test_dates_at_the_ends_of_the_range(client, home, tmp_path):
    assert client.get("/").status_code == 200
    assert client.get("/api/search?q=calendar").get_json()["total"] == 1
    for query in ("from=9999-01&to=9999", "from=9998-12&to=9998-12", "from=1000&to=9999-12"):
        assert client.get(f"/api/search?{query}").status_code == 200, query
        assert client.get(f"/?{query}").status_code == 200, query
    late = tmp_path / "late.jsonl"
    late.write_text(json.dumps({"id": "x", "title": "t", "body": "", "published": "9999-12-31"}))
    result = run_arkhiv(home, "import", "--no-progress", "--dry-run", str(late))
    assert result.returncode == 1
    assert "year 9999 is outside the years the archive keeps (1000 to 9998)" in result.stderr


def test_coverage_over_the_whole_calendar(client):
    """An article dated 9998 stretches the archive's span to eight thousand years: the timeline
    counts it by year, refuses days and weeks over that span by name, and words still answer."""
    answer = client.get("/api/timeline?q=report&q=war").get_json()
    assert answer["interval"] == "year" and answer["all"][-1]["period"] == "9998"
    assert sum(p["articles"] for p in answer["series"][0]["points"]) >= 1
    for interval in ("day", "week"):
        refused = client.get(f"/api/timeline?q=report&interval={interval}")
        assert refused.status_code == 400
        assert refused.get_json()["error"]["code"] == "request.too_many_periods"
    for query in ("from=9998-12&to=9998-12&interval=day", "from=1000&to=9998&interval=year"):
        assert client.get(f"/api/timeline?q=report&{query}").status_code == 200, query
    assert client.get("/api/timeline?q=report&from=1000&to=9998&interval=month").status_code == 400
    assert client.get("/api/words?q=report&from=9998").status_code == 200


@pytest.mark.parametrize("q", ["published:abc", 'day:"1 2"', "id:late", "body_value:x"])
def test_internal_field_names_are_searched_as_words(client, q):
    for path in ("/api/search", "/", "/feed"):
        assert client.get(path, query_string={"q": q}).status_code == 200, path
    body = client.get("/api/search", query_string={"q": q}).get_json()
    assert any("is not a field to search by" in notice["message"] for notice in body["notices"])
    assert {notice["code"] for notice in body["notices"]} == {"query.not_a_field"}


def test_public_field_names_still_work(client):
    body = client.get("/api/search", query_string={"q": "title:report"}).get_json()
    assert body["total"] >= 1 and not body["notices"]


def test_the_feed_is_well_formed_whatever_the_text(client):
    for url in ("/feed?q=war", "/feed?q=%01", "/feed", "/feed?q=%EF%BF%BE"):
        response = client.get(url)
        assert response.status_code == 200
        ET.fromstring(response.get_data())  # raises on a character XML forbids
    feed = client.get("/feed?q=controls").get_data(as_text=True)
    assert "<title>War " in feed and " with controls</title>" in feed and "\x01" not in feed


def test_hosts_outside_the_trusted_list_are_refused(client):
    assert client.get("/feed", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/feed", headers={"Host": "localhost"}).status_code == 200


def test_links_follow_a_configured_host(home, monkeypatch):
    monkeypatch.setenv("ARKHIV_TRUSTED_HOSTS", "archive.example.org")
    configured = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()
    assert configured.get("/feed", headers={"Host": "localhost"}).status_code == 400
    feed = configured.get("/feed?q=war", headers={"Host": "archive.example.org"})
    assert feed.status_code == 200
    assert "http://archive.example.org/article/" in feed.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/api/search?q=war", "/feed?q=war", "/?q=war"])
def test_answers_that_depend_on_the_language_say_so(client, url):
    vary = client.get(url).headers.get("Vary", "")
    assert "Accept-Language" in vary and "Cookie" in vary


def test_method_not_allowed_says_what_is(client):
    for path in ("/api/search", "/", "/feed"):
        response = client.post(path)
        assert response.status_code == 405
        assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_a_body_is_refused_before_it_is_read(client):
    response = client.post("/api/search", data=b"x" * 100_000)
    assert response.status_code in (405, 413)


def test_export_writes_every_article_once_in_order(client):
    lines = client.get("/export?format=jsonl&sort=oldest").get_data(as_text=True).splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) == client.get("/api/search").get_json()["total"]


# -- against the real server --------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_home(tmp_path_factory) -> Path:
    """Enough text that one export is far larger than socket buffers and waitress's own."""
    home = tmp_path_factory.mktemp("big") / "home"
    path = tmp_path_factory.mktemp("big-data") / "big.jsonl"
    paragraph = "The council discussed the war budget and the schools of the city. " * 60
    with path.open("w") as out:
        for i in range(6000):
            record = {
                "id": f"b{i}",
                "title": f"War budget {i}",
                "body": paragraph,
                "language": "en",
            }
            out.write(json.dumps(record) + "\n")
    result = run_arkhiv(home, "import", "--no-progress", str(path))
    assert result.returncode == 0, result.stderr
    return home


@pytest.fixture
def server(big_home):
    port = free_port()
    process = subprocess.Popen(
        [*arkhiv_command(), "serve", "--port", str(port), "--threads", "8"],
        env={**os.environ, "ARKHIV_HOME": str(big_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/search?per_page=1", timeout=5).read()
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.2)
    yield port, url
    process.terminate()
    process.wait(timeout=30)


def _raw_request(port: int, text: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(text)
    return sock


@pytest.mark.slow
def test_silent_export_readers_do_not_hold_the_server(server):
    port, url = server
    silent = [
        _raw_request(port, b"GET /export?format=jsonl HTTP/1.1\r\nHost: localhost\r\n\r\n")
        for _ in range(8)
    ]
    try:
        time.sleep(3)  # the exports are written; none of them is read
        for word in ("war", "budget", "schools"):
            started = time.monotonic()
            with urllib.request.urlopen(f"{url}/api/search?q={word}", timeout=30) as response:
                assert response.status == 200
            assert time.monotonic() - started < 10
        answers = []
        for sock in silent:  # each got its export, or 503 with Retry-After past the limit
            head = sock.recv(4096).split(b"\r\n\r\n")[0].decode()
            answers.append(head.split()[1])
            if head.split()[1] == "503":
                assert "Retry-After: 30" in head
        assert set(answers) <= {"200", "503"} and "200" in answers
    finally:
        for sock in silent:
            sock.close()


def test_a_big_body_is_refused_without_being_read(server):
    port, _ = server
    sock = _raw_request(
        port,
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 400000000\r\n\r\n" + b"x" * 1000,
    )
    try:
        started = time.monotonic()
        head = sock.recv(4096).decode(errors="replace")
        assert head.split()[1] == "413", head[:200]
        assert time.monotonic() - started < 5
    finally:
        sock.close()
