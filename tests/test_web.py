"""The web app through Flask's test client, over a real archive (SQLite + Whoosh) in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from datetime import datetime

import feedparser
import pytest

from index.searching.request import request_from_mapping
from tests.conftest import run_arkhiv, write_jsonl
from tests.web_fixtures import XSS_PAGES, import_fixtures
from webapp.app import create_app
from webapp.reading_room import reading_room
from webapp.search_view import dropped
from webapp.security import CONTENT_SECURITY_POLICY

SEED_ID = "up-2025-08-27-isw-kremlin-guarantees"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    home = import_fixtures(
        tmp_path_factory.mktemp("web"), "seed.json", "articles.jsonl", "xss.jsonl"
    )
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def english(client, url):
    return client.get(url, headers={"Accept-Language": "en"})


# -- the JSON API ---------------------------------------------------------------------------------


def test_search_finds_the_seed_article(client):
    body = client.get("/api/search?q=Kremlin").get_json()
    assert SEED_ID in [hit["id"] for hit in body["hits"]]


def test_search_shape_is_the_contract(client):
    body = client.get("/api/search?q=Kremlin").get_json()
    assert {"total", "page", "per_page", "hits", "facets"} <= body.keys()
    assert set(body["facets"]) == {"source", "author", "tag", "language", "date"}
    for name, values in body["facets"].items():
        assert values, name
        for value in values:
            assert {"value", "count", "selected"} <= value.keys()
            assert isinstance(value["count"], int) and value["selected"] is False
    hit = body["hits"][0]
    for key in ("id", "title", "url", "published", "language", "authors", "tags", "source"):
        assert key in hit
    assert "<mark>" in hit["snippet"]


def test_language_facet_has_a_label_and_filters(client):
    body = client.get("/api/search?language=uk", headers={"Accept-Language": "en"}).get_json()
    language = {v["value"]: v for v in body["facets"]["language"]}
    assert language["uk"]["selected"] and language["uk"]["label"] == "Ukrainian"
    assert all(hit["language"] == "uk" for hit in body["hits"])


def test_empty_query_browses_newest_first(client):
    body = client.get("/api/search?per_page=100").get_json()
    assert body["total"] == 35
    dates = [hit["published"][:10] for hit in body["hits"] if hit["published"]]
    assert dates == sorted(dates, reverse=True)


def test_facets_combine_and_narrow(client):
    everything = client.get("/api/search").get_json()["total"]
    english_only = client.get("/api/search?language=en").get_json()["total"]
    both = client.get("/api/search?language=en&tag=budget").get_json()
    assert 0 < both["total"] < english_only < everything
    assert all("budget" in hit["tags"] for hit in both["hits"])


@pytest.mark.parametrize(
    "query, param",
    [
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("per_page=1000", "per_page"),
        ("from=2016-13-40", "from"),
        ("to=yesterday", "to"),
        ("sort=random", "sort"),
        ("from=2020&to=2010", "from"),
        ("q=" + "x" * 1001, "q"),
    ],
)
def test_bad_parameters_answer_400_json(client, query, param):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["param"] == param and error["message"]


def test_article_and_its_translation(client):
    article = client.get(f"/api/articles/{SEED_ID}").get_json()
    assert article["id"] == SEED_ID and article["language"] == "en"
    assert article["body"].startswith("Analysts at the Institute")
    [translation] = article["translations"]
    assert translation["language"] == "uk"


def test_unknown_article_is_a_json_404(client):
    response = client.get("/api/articles/no-such-article")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_analyze(client):
    body = client.get("/api/analyze?text=Україною").get_json()
    assert body["tokens"][0]["token"] == "Україною"
    assert "україна" in body["tokens"][0]["terms"]
    assert client.get("/api/analyze?text=x&language=fr").status_code == 400


# -- never a 500 -----------------------------------------------------------------------------------

ODD_QUERIES = [
    "q=" + "Україна " * 120,
    'q="unbalanced',
    "q=*",
    "q=**",
    "q=?",
    "q=(",
    "q=)",
    "q=AND",
    "q=OR NOT",
    "q=title:",
    "q=:",
    'q="',
    "q=-",
    "q=%00",
    "q=a%00b",
    "source=%00",
    "q=%EF%BF%BF",
    "q=%ED%A0%80",
    "q=%ff%fe",
    "page=-1",
    "page=0",
    "page=99999999999999999999",
    "page=10000",
    "per_page=0",
    "from=2016-13-40",
    "from=0",
    "from=-5",
    "from=99999",
    "to=2016-02-30",
    "from=2016-05-12T10:00",
    "sort=",
    "facet_size=0",
    "facet_size=100000",
    "language=" + "x" * 5000,
    "tag=" + "я" * 3000,
    "author=%3Cscript%3E",
    "q=" + "a" * 999,
    "q=" + "*" * 500,
]


@pytest.mark.parametrize("query", ODD_QUERIES)
@pytest.mark.parametrize("path", ["/", "/api/search", "/feed", "/export"])
def test_odd_inputs_never_give_a_500(client, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code in (200, 400), response.data[:500]
    if path.startswith("/api"):
        assert response.is_json
    if path == "/export":
        response.close()


def test_bad_page_parameter_shows_a_friendly_page(client):
    response = english(client, "/?from=2016-13-40")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "could not be used" in html and "from" in html
    assert "Traceback" not in html


# -- pages ------------------------------------------------------------------------------------


def test_search_page_marks_inflected_forms(client):
    html = client.get("/?q=Україна").get_data(as_text=True)
    for form in ("<mark>Україною</mark>", "<mark>України</mark>", "<mark>Україні</mark>"):
        assert form in html


def test_search_page_localised_dates_and_precision(client):
    uk = client.get("/?q=Kremlin", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert "27 серпня 2025, 04:46" in uk
    en = english(client, "/?q=Kremlin").get_data(as_text=True)
    assert "27 August 2025, 04:46" in en
    browse = english(client, "/?per_page=100").get_data(as_text=True)
    assert '<time datetime="2016">2016</time>' in browse
    assert '<time datetime="2019-03">March 2019</time>' in browse


def test_search_page_facets_toggle_and_chips_remove(client):
    html = english(client, "/?q=budget&language=en").get_data(as_text=True)
    # The chip and the chosen value are buttons of the form that holds the search once.
    assert html.count('form="drop-filter" name="drop" value="language:en"') == 2
    assert 'class="selected" aria-pressed="true"' in html
    assert "Remove filter Languages: English" in html
    form = re.search(r'<form id="drop-filter".*?</form>', html, re.S).group(0)
    assert re.findall(r'name="(\w+)" value="([^"]*)"', form) == [
        ("q", "budget"),
        ("language", "en"),
    ]
    lifted = client.get("/?q=budget&language=en&drop=language:en")
    assert lifted.status_code == 303 and lifted.headers["Location"] == "/?q=budget"


def test_remove_buttons_name_what_they_take_away():
    search = request_from_mapping(
        {"q": "x", "tag": ["a", "b:c", "d"], "source": ["BBC"], "from": "2020", "page": "3"}
    )
    after = dropped(search, ["tag:b:c", "tag:nope", "colour:red", "source", "dates"])
    assert after.tag == ("a", "d") and after.source == ("BBC",)
    assert after.date_from is None and after.page == 1 and after.q == "x"
    assert dropped(search, ["source:BBC", "tag:a", "tag:d"]).tag == ("b:c",)


def test_a_remove_button_works_without_javascript_by_redirect(client):
    response = client.get("/?tag=a&tag=b&from=2020&per_page=5&drop=tag:a&drop=dates")
    assert response.status_code == 303
    assert response.headers["Location"] == "/?tag=b&per_page=5"


def test_loosening_drops_a_whole_facet_and_counts_what_it_does_not_name(client):
    url = "/?q=budget&" + "&".join(f"tag=t{n}" for n in range(5)) + "&source=Kyiv+Post"
    html = english(client, url).get_data(as_text=True).replace("&amp;", "&")
    assert "without Tags: t0, t1, t2 (+2)" in html
    assert 'href="/?q=budget&source=Kyiv+Post"' in html
    assert "without Outlets: Kyiv Post" in html


def test_translation_link_on_results(client):
    uk = client.get("/?q=Kremlin", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert "також українською" in uk
    en = english(client, "/?q=Кремль").get_data(as_text=True)
    assert "also in English" in en


def test_empty_result_suggests_loosening(client):
    html = english(client, "/?q=budget&language=uk&source=Kyiv+Post").get_data(as_text=True)
    assert "Nothing matches this search." in html
    assert "without Outlets: Kyiv Post" in html


def test_article_page(client):
    html = english(client, f"/article/{SEED_ID}").get_data(as_text=True)
    assert "<h1" in html and "Kremlin likely to reject" in html
    assert html.count("<p>") >= 5  # the body in paragraphs
    assert 'href="/?author=Olha+Hlushchenko"' in html
    assert "also in Ukrainian" in html and "Related articles" in html


def test_original_url_opens_without_referrer(client):
    html = english(client, "/article/xss-body-link").get_data(as_text=True)
    assert 'rel="noopener noreferrer"' in html


def test_missing_article_is_a_friendly_404(client):
    response = english(client, "/article/no-such-article")
    assert response.status_code == 404
    assert "There is no such page or article" in response.get_data(as_text=True)


# -- languages --------------------------------------------------------------------------------


def test_first_visit_follows_accept_language(client):
    assert '<html lang="en">' in english(client, "/").get_data(as_text=True)
    uk = client.get("/", headers={"Accept-Language": "uk,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="uk">' in uk and "Шукати" in uk
    assert '<html lang="uk">' in client.get("/").get_data(as_text=True)  # default


def test_switcher_sets_a_cookie_and_returns(client):
    response = english(client, "/language/uk?next=/%3Fq%3DKremlin")
    assert response.status_code == 303 and response.headers["Location"] == "/?q=Kremlin"
    assert "arkhiv_locale=uk" in response.headers["Set-Cookie"]
    html = english(client, "/?q=Kremlin").get_data(as_text=True)
    assert '<html lang="uk">' in html and "Пошук в архіві" in html


def test_switcher_never_redirects_off_site(client):
    for target in ("https://evil.example", "//evil.example", "/\\evil.example"):
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == "/"
    assert client.get("/language/fr").status_code == 404


def test_language_labels_follow_the_interface(client):
    assert "українська" in client.get("/?language=uk").get_data(as_text=True)
    assert "Ukrainian" in english(client, "/?language=uk").get_data(as_text=True)


# -- security -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/?q=x", "/api/search", f"/article/{SEED_ID}", "/nope", "/feed", "/api/x"]
)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script(client):
    for path in ("/", "/?q=budget", f"/article/{SEED_ID}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html.replace("&lt;script&gt;", "")
        assert " on" + "click=" not in html


HOSTILE = ("<script>", "<img src=x", "<svg onload", "<b onmouseover", 'href="javascript:')


@pytest.mark.parametrize(
    "path",
    [*XSS_PAGES, "/?author=%3Cscript%3Ealert('author')%3C/script%3EIvan+Petrenko"],
)
def test_hostile_articles_are_escaped(client, path):
    html = client.get(path).get_data(as_text=True)
    for payload in HOSTILE:
        assert payload not in html, payload
    assert html.count("<script") == 1  # our own, from /static


def test_hostile_text_shows_as_text(client):
    html = client.get("/article/xss-title-script").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; City council" in html
    body = client.get("/api/articles/xss-body-img").get_json()["body"]
    assert "<img src=x onerror=alert(1)>" in body  # the API keeps the text; JSON is not HTML


# -- feeds and export ------------------------------------------------------------------------------


def test_atom_feed_is_valid_and_newest_first(client):
    response = client.get("/feed?q=budget")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) >= 4
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None
    published = [p for p in (e.findtext(f"{ATOM}published") for e in entries) if p]
    moments = [datetime.fromisoformat(p) for p in published]
    assert moments == sorted(moments, reverse=True)
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "<script>alert(1)</script> City council postpones budget hearing" in titles


def read_feed(client, url):
    """The feed as a feed reader reads it (feedparser), told the answer's content type."""
    response = client.get(url)
    return feedparser.parse(
        response.data, response_headers={"content-type": response.headers["Content-Type"]}
    )


def test_atom_feed_reads_without_a_warning_and_dates_only_dated_articles(client, app):
    feed = read_feed(client, "/feed?per_page=100")
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    hits = client.get("/api/search?per_page=100").get_json()["hits"]
    undated = {hit["id"] for hit in hits if not hit["published"]}
    assert undated and len(feed.entries) == len(hits)
    with app.app_context():
        stored = reading_room().store.updated_times(hit["id"] for hit in hits)
    for entry in feed.entries:
        article_id = entry.link.rsplit("/article/", 1)[1]
        assert entry.updated_parsed.tm_year >= 2025, entry.updated  # stored, never 1970
        assert datetime.fromisoformat(entry.updated) == stored[article_id]
        assert ("published" in entry) == (article_id not in undated), article_id
    assert "1970" not in client.get("/feed?per_page=100").get_data(as_text=True)
    assert datetime.fromisoformat(feed.feed.updated) == max(stored.values())


def test_feed_entry_updated_is_when_the_archive_last_changed_it(tmp_path):
    home = tmp_path / "home"
    first = {"id": "undated-1", "title": "A note without a date", "body": "Budget talks."}
    dated = {**first, "id": "dated-1", "published": "2016-05-12", "title": "Dated budget"}
    run_arkhiv(
        home, "import", "--no-progress", str(write_jsonl(tmp_path / "a.jsonl", [first, dated]))
    )
    client = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()

    def entries():
        feed = read_feed(client, "/feed?q=budget")
        assert not feed.bozo, feed.get("bozo_exception")
        return {e.link.rsplit("/", 1)[1]: e for e in feed.entries}, feed.feed.updated

    before, feed_before = entries()
    assert "published" not in before["undated-1"] and "published" in before["dated-1"]
    time.sleep(1.1)  # the store keeps times to the second
    again = [first, dated]  # the same content: unchanged, and its entries with it
    run_arkhiv(home, "import", "--no-progress", str(write_jsonl(tmp_path / "b.jsonl", again)))
    assert entries()[0]["undated-1"].updated == before["undated-1"].updated
    changed = {**first, "body": "Budget talks resumed."}
    run_arkhiv(home, "import", "--no-progress", str(write_jsonl(tmp_path / "c.jsonl", [changed])))
    after, feed_after = entries()
    assert after["undated-1"].updated > before["undated-1"].updated
    assert after["dated-1"].updated == before["dated-1"].updated
    assert feed_after == after["undated-1"].updated > feed_before


def test_export_csv_streams_every_match(client):
    response = client.get("/export?q=budget&format=csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    total = client.get("/api/search?q=budget").get_json()["total"]
    assert len(rows) == total and {"id", "title", "body"} <= rows[0].keys()


def test_export_jsonl(client):
    response = client.get("/export?language=uk&format=jsonl")
    records = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert records and all(record["language"] == "uk" for record in records)
    assert client.get("/export?format=xml").status_code == 400
