"""Following feeds, against a web site of the tests' own on 127.0.0.1 (tests/feed_server.py):
feeds and pages in Ukrainian and English, and every way a real site answers. No test reaches
outside the machine: the fetcher may reach 127.0.0.1 only (ARKHIV_FETCH_PRIVATE as a network),
so a redirect or an item pointing anywhere else is refused before any connection is made."""

from __future__ import annotations

import dataclasses
import gzip
import json
import time
from datetime import UTC, datetime

import pytest

from archive.config import load_settings
from archive.feed_formats import NotAFeed, read_feed
from archive.fetcher import Fetcher, FetchError
from archive.followed import FeedError, FollowedFeeds, KeptRobots
from archive.following import Following
from archive.takedowns import Takedowns
from tests.conftest import home_store, run_arkhiv
from tests.feed_server import (
    Route,
    Site,
    atom,
    json_feed,
    news_page,
    news_sitemap,
    rss,
    sitemap,
    sitemap_index,
)

LOCAL_ONLY = ("127.0.0.1/32",)
PUB_DATE = "Mon, 30 Nov 2026 10:00:00 +0000"


@pytest.fixture
def site():
    served = Site().start()
    served["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    yield served
    served.stop()


@pytest.fixture
def follow_settings(settings):
    return dataclasses.replace(
        settings,
        fetch_private_networks=LOCAL_ONLY,
        fetch_timeout=2.0,
        contact="desk@example.org",
    )


def following(store, settings, **fetcher_options) -> Following:
    """A follower as `follow run` makes one, trying again sooner after a 5xx."""
    fetcher_options.setdefault("backoff", 0.05)
    fetcher_options.setdefault("kept_robots", KeptRobots(store))
    return Following(store, settings, fetcher=Fetcher(settings, **fetcher_options))


def publish(site: Site, path: str, title: str, **page) -> dict:
    """A news page at ``path``, and the feed item that lists it."""
    site[path] = Route(news_page(title, canonical=site.url(path), **page))
    return {"link": site.url(path), "title": title, "pubDate": PUB_DATE}


def stored(store) -> dict:
    return {found.article.id: found.article for found in store.changed_since(0)}


# -- the store ---------------------------------------------------------------------------------


@pytest.mark.both_stores
def test_feeds_are_added_listed_changed_and_removed(store):
    feeds = FollowedFeeds(store)
    feeds.add("https://news.example.org/rss", source="Newsroom", language="UK", delay=2)
    feeds.add("https://other.example.org/atom.xml")
    assert [feed.url for feed in feeds.list()] == [
        "https://news.example.org/rss",
        "https://other.example.org/atom.xml",
    ]
    first = feeds.get("https://news.example.org/rss")
    assert (first.source, first.language, first.delay, first.articles) == ("Newsroom", "uk", 2, 0)
    assert first.as_dict().keys() == {
        "url",
        "source",
        "language",
        "delay",
        "added_at",
        "last_checked",
        "last_new",
        "articles",
        "error",
    }
    feeds.add("https://news.example.org/rss", source="News", delay=0.5)  # changed, not doubled
    assert len(feeds.list()) == 2 and feeds.get("https://news.example.org/rss").delay == 0.5
    feeds.checked("https://news.example.org/rss", error=None, new_articles=3, etag='"e1"')
    feeds.checked("https://news.example.org/rss", error="HTTP 500", keep_validators=True)
    again = feeds.get("https://news.example.org/rss")
    assert (again.articles, again.etag, again.last_error) == (3, '"e1"', "HTTP 500")
    assert again.last_new is not None and again.last_checked is not None
    feeds.page_done("https://news.example.org/a", again.url, "failed", error="timeout")
    feeds.page_done("https://news.example.org/a", again.url, "stored", article_id="x")
    assert feeds.pages_known(["https://news.example.org/a", "nope"]) == {
        "https://news.example.org/a": ("stored", 2)
    }
    feeds.remove("https://other.example.org/atom.xml")
    with pytest.raises(FeedError, match="not followed"):
        feeds.remove("https://other.example.org/atom.xml")
    for bad in ("ftp://example.org/feed", "not a url", "http:///nohost"):
        with pytest.raises(FeedError, match="http or https"):
            feeds.add(bad)
    with pytest.raises(FeedError, match="--delay"):
        feeds.add("https://news.example.org/rss", delay=-1)
    with pytest.raises(FeedError, match="--language"):
        feeds.add("https://news.example.org/rss", language="ukrainian")


# -- reading feeds -----------------------------------------------------------------------------


@pytest.mark.both_stores
def test_new_articles_in_both_languages_are_stored_and_an_unchanged_feed_costs_one_304(
    store, follow_settings, site
):
    items = [
        publish(site, "/en/budget", "Council approves the budget"),
        publish(site, "/uk/budget", "Рада ухвалила бюджет міста", language="uk"),
    ]
    site["/feed.xml"] = Route(rss(items), "application/rss+xml", gzip=True)
    FollowedFeeds(store).add(site.url("/feed.xml"), delay=0.01)
    reader = following(store, follow_settings)

    report = reader.run()
    assert report.exit_code == 0 and report.new_articles == 2
    assert report.requests == 4  # robots.txt, the feed, two pages
    articles = stored(store)
    english = articles[site.url("/en/budget")]
    ukrainian = articles[site.url("/uk/budget")]
    assert (english.title, english.language) == ("Council approves the budget", "en")
    assert (ukrainian.title, ukrainian.language) == ("Рада ухвалила бюджет міста", "uk")
    assert "Міська рада ухвалила бюджет" in ukrainian.body and "Читайте також" not in ukrainian.body
    assert "© 2026" not in english.body and "Politics" not in english.body
    # the page's own date of publication (not the feed's, not the time of fetching)
    assert english.published.text == "2026-12-01T09:30:00+02:00"
    assert english.authors == ["Olena Petrenko"]
    assert all("Arkhiv/" in agent and "desk@example.org" in agent for agent in site.agents)

    again = reader.run()
    assert (again.requests, again.not_modified, again.new_articles) == (1, 1, 0)
    assert site.conditional["/feed.xml"] == 1 and again.readings[0].not_modified
    feed = FollowedFeeds(store).list()[0]
    assert (feed.articles, feed.last_error) == (2, None) and feed.last_new is not None

    # A new item: the feed is read again, and only the new page is fetched.
    items.append(publish(site, "/en/schools", "Schools get new buses"))
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    third = reader.run()
    assert (third.requests, third.new_articles) == (2, 1)
    assert site.hits["/en/budget"] == 1 and site.hits["/uk/budget"] == 1
    # Another reader (a new process) fetches no stored page either, and reads robots.txt from
    # the store: the unchanged feed costs one 304, and nothing more.
    fresh = following(store, follow_settings)
    assert (fresh.run().requests, site.hits["/robots.txt"]) == (1, 1)


def test_robots_txt_is_obeyed_and_read_once_per_site(store, follow_settings, site):
    items = [
        publish(site, "/news/1", "Council approves the budget"),
        publish(site, "/private/2", "A page robots.txt keeps out"),
    ]
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    site["/other-feed.xml"] = Route(rss(items[:1]), "application/rss+xml")
    feeds = FollowedFeeds(store)
    feeds.add(site.url("/feed.xml"), delay=0.01)
    feeds.add(site.url("/other-feed.xml"), delay=0.01)
    report = following(store, follow_settings).run()
    assert set(stored(store)) == {site.url("/news/1")}
    assert site.hits["/private/2"] == 0 and site.hits["/robots.txt"] == 1
    assert any("robots.txt" in error for error in report.readings[0].page_errors)
    assert report.exit_code == 0  # a page kept out is no failure of the feed

    # A robots.txt that keeps Arkhiv out of the whole site: read once the kept copy is a day
    # old; then nothing is fetched, and that is said.
    site["/robots.txt"] = Route(b"User-agent: Arkhiv\nDisallow: /\n", "text/plain")
    site["/feed.xml"] = Route(rss(items + items[:1]), "application/rss+xml")
    following(store, follow_settings).run()
    assert site.hits["/robots.txt"] == 1 and site.hits["/feed.xml"] == 2  # the kept copy
    store.db.execute("UPDATE site_robots SET fetched_at = '2026-01-01T00:00:00+00:00'")
    kept_out = following(store, follow_settings).run()
    assert kept_out.exit_code == 1 and "robots.txt" in kept_out.readings[0].error
    assert site.hits["/robots.txt"] == 2 and site.hits["/feed.xml"] == 2


def test_one_request_at_a_time_per_site_with_its_delay(store, follow_settings, site):
    items = [publish(site, f"/news/{n}", f"Article number {n} on the budget") for n in range(4)]
    for n in range(3):
        site[f"/feed{n}.xml"] = Route(rss(items), "application/rss+xml")
        FollowedFeeds(store).add(site.url(f"/feed{n}.xml"), delay=0.2)
    started = time.monotonic()
    report = following(store, follow_settings).run()
    seconds = time.monotonic() - started
    assert report.new_articles == 4 and site.most_in_flight == 1
    # robots.txt, 3 feeds and 4 pages, one after another with 0.2 s between them
    assert report.requests == 8 and seconds >= 7 * 0.2


def test_redirects_are_followed_and_each_hop_is_checked(store, follow_settings, site):
    site["/moved.xml"] = Route(status=301, headers={"Location": "/feed.xml"})
    items = [publish(site, "/news/1", "Council approves the budget")]
    items.append({"link": site.url("/go/2"), "title": "Redirected page", "pubDate": PUB_DATE})
    site["/go/2"] = Route(status=302, headers={"Location": site.url("/news/2")})
    publish(site, "/news/2", "The page behind a redirect")
    # Items whose pages redirect to the machine's other addresses, a cloud's metadata service
    # and the intranet: refused before any connection (only 127.0.0.1 is allowed here).
    for n, target in enumerate(
        (
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.2:9/admin",
            "http://[::1]:9/admin",
            "http://10.0.0.1/",
            "http://[::ffff:127.0.0.2]:9/",
        )
    ):
        site[f"/evil/{n}"] = Route(status=302, headers={"Location": target})
        items.append({"link": site.url(f"/evil/{n}"), "title": "Evil", "pubDate": PUB_DATE})
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    site["/loop"] = Route(status=302, headers={"Location": "/loop"})
    site["/metadata.xml"] = Route(status=307, headers={"Location": "http://169.254.169.254/"})
    feeds = FollowedFeeds(store)
    for path in ("/moved.xml", "/loop", "/metadata.xml"):
        feeds.add(site.url(path), delay=0.01)

    report = following(store, follow_settings).run()
    by_url = {reading.url: reading for reading in report.readings}
    assert set(stored(store)) == {site.url("/news/1"), site.url("/news/2")}
    moved = by_url[site.url("/moved.xml")]
    assert moved.error is None and len(moved.page_errors) == 5
    for error in moved.page_errors:
        assert "loopback, private or link-local address: not fetched" in error
    assert "169.254.169.254" in moved.page_errors[0]
    assert "more than 5 redirects" in by_url[site.url("/loop")].error
    assert site.hits["/loop"] == 6
    assert "169.254.169.254" in by_url[site.url("/metadata.xml")].error
    assert report.exit_code == 1


def test_the_loopback_is_refused_without_the_setting(store, settings, site):
    items = [publish(site, "/news/1", "Council approves the budget")]
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    FollowedFeeds(store).add(site.url("/feed.xml"), delay=0.01)
    report = following(store, settings).run()  # ARKHIV_FETCH_PRIVATE unset
    assert report.exit_code == 1 and site.requests() == 0
    error = FollowedFeeds(store).list()[0].last_error
    assert "127.0.0.1 resolves to 127.0.0.1, a loopback" in error
    fetcher = Fetcher(settings)
    for url in ("http://localhost/", "http://[::1]/", "http://169.254.169.254/", "http://0.0.0.0/"):
        with pytest.raises(FetchError, match="not fetched"):
            fetcher.fetch(url, delay=0)


def test_404_and_500_are_retried_then_reported_and_never_stop_the_others(
    store, follow_settings, site
):
    site["/gone.xml"] = Route(status=404)
    site["/broken.xml"] = Route(status=500)
    items = [publish(site, "/news/1", "Council approves the budget")]
    site["/mends.xml"] = Route(rss(items), "application/rss+xml", first=[503])
    site["/news/2"] = Route(news_page("Down for now"), first=[500, 500, 500])
    site["/ok.xml"] = Route(
        rss([{"link": site.url("/news/2"), "title": "x", "pubDate": PUB_DATE}]),
        "application/rss+xml",
    )
    feeds = FollowedFeeds(store)
    for path in ("/gone.xml", "/broken.xml", "/mends.xml", "/ok.xml"):
        feeds.add(site.url(path), delay=0.01)
    report = following(store, follow_settings).run()
    errors = {reading.url: reading.error for reading in report.readings}
    assert errors[site.url("/gone.xml")].endswith("HTTP 404")
    assert errors[site.url("/broken.xml")].endswith("HTTP 500 (tried 3 times)")
    assert errors[site.url("/mends.xml")] is None and errors[site.url("/ok.xml")] is None
    assert site.hits["/gone.xml"] == 1 and site.hits["/broken.xml"] == 3
    assert site.hits["/mends.xml"] == 2 and site.url("/news/1") in stored(store)
    assert report.exit_code == 1 and len(report.failed) == 2
    listed = {feed.url: feed for feed in feeds.list()}
    assert listed[site.url("/gone.xml")].last_error.endswith("HTTP 404")
    # The page that failed three times is tried again at the next reading, and taken then.
    assert site.hits["/news/2"] == 3 and site.url("/news/2") not in stored(store)
    following(store, follow_settings).run()
    assert site.url("/news/2") in stored(store)


def test_a_slow_page_times_out_and_a_huge_one_is_refused(store, follow_settings, site):
    tight = dataclasses.replace(follow_settings, fetch_timeout=0.3, fetch_max_mb=0.05)
    items = [
        publish(site, "/news/1", "Council approves the budget"),
        {"link": site.url("/slow"), "title": "Slow", "pubDate": PUB_DATE},
        {"link": site.url("/huge"), "title": "Huge", "pubDate": PUB_DATE},
        {"link": site.url("/bomb"), "title": "Bomb", "pubDate": PUB_DATE},
        publish(site, "/news/zipped", "A page sent gzipped"),
    ]
    site["/news/zipped"].gzip = True
    site["/slow"] = Route(news_page("Slow page"), seconds=1.0)
    site["/huge"] = Route(news_page("Huge", paragraphs=("word " * 40_000,)))
    site["/bomb"] = Route(b"<html>" + b" " * 5_000_000 + b"</html>", gzip=True)
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    FollowedFeeds(store).add(site.url("/feed.xml"), delay=0.01)
    report = following(store, tight, tries=1).run()
    errors = "\n".join(report.readings[0].page_errors)
    assert "/slow: no answer within 0.3 s" in errors
    assert "/huge: larger than 0.05 MB" in errors and "/bomb: larger than 0.05 MB" in errors
    assert set(stored(store)) == {site.url("/news/1"), site.url("/news/zipped")}
    assert report.exit_code == 0


def test_a_broken_feed_is_reported_and_the_others_are_read(store, follow_settings, site):
    items = [publish(site, "/news/1", "Council approves the budget")]
    site["/good.xml"] = Route(rss(items), "application/rss+xml")
    site["/page.xml"] = Route(news_page("A page, not a feed"))
    site["/garbage.xml"] = Route(b"\x00\x01 not xml at all <<<", "application/rss+xml")
    site["/other.json"] = Route(b'{"items": []}', "application/json")
    site["/cut.xml"] = Route(b'<?xml version="1.0"?><urlset xmlns="x"><url><loc>', "text/xml")
    feeds = FollowedFeeds(store)
    for path in ("/good.xml", "/page.xml", "/garbage.xml", "/other.json", "/cut.xml"):
        feeds.add(site.url(path), delay=0.01)
    report = following(store, follow_settings).run()
    errors = {reading.url: reading.error for reading in report.readings}
    assert errors[site.url("/good.xml")] is None and site.url("/news/1") in stored(store)
    assert "not RSS, Atom, JSON Feed or a sitemap" in errors[site.url("/page.xml")]
    assert "not RSS, Atom, JSON Feed or a sitemap" in errors[site.url("/garbage.xml")]
    assert "JSON, but not JSON Feed" in errors[site.url("/other.json")]
    assert "not well-formed XML" in errors[site.url("/cut.xml")]
    # no validators kept for a feed that failed: the next reading asks for it whole again
    assert all(feed.etag is None for feed in feeds.list() if feed.last_error)


def test_windows_1251_feed_and_page_declared_only_inside(store, follow_settings, site):
    title = "Уряд оголосив нові правила для шкіл"
    site["/uk/news"] = Route(
        news_page(title, language="uk", charset="windows-1251"), content_type="text/html"
    )
    feed = rss(
        [{"link": site.url("/uk/news"), "title": title, "pubDate": PUB_DATE}],
        language="uk",
        encoding="windows-1251",
    )
    site["/feed.xml"] = Route(feed, "application/rss+xml")
    FollowedFeeds(store).add(site.url("/feed.xml"), delay=0.01)
    assert following(store, follow_settings).run().exit_code == 0
    (article,) = stored(store).values()
    assert article.title == title and "Міська рада ухвалила бюджет" in article.body


def test_a_taken_down_article_never_comes_back_through_a_feed(store, follow_settings, site):
    items = [publish(site, "/news/1", "Council approves the budget")]
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    FollowedFeeds(store).add(site.url("/feed.xml"), delay=0.01)
    reader = following(store, follow_settings)
    reader.run()
    (outcome,) = Takedowns(store).delete([site.url("/news/1")], reason="court order", by="desk")
    assert outcome.status == "deleted"
    # listed again, under its own URL and with a tracking parameter, in a changed feed
    items.append({**items[0], "link": site.url("/news/1?utm_source=rss")})
    items.append(publish(site, "/news/2", "Schools get new buses"))
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    report = reader.run()
    assert report.new_articles == 1 and set(stored(store)) == {site.url("/news/2")}
    assert site.hits["/news/1"] == 1  # not fetched again
    # Another address of the same page (its canonical link names the one taken down): fetched,
    # and refused by the intake, as `arkhiv import` refuses it.
    site["/amp/1"] = Route(news_page("Council approves the budget", canonical=site.url("/news/1")))
    items.append({"link": site.url("/amp/1"), "title": "AMP", "pubDate": PUB_DATE})
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    assert reader.run().new_articles == 0
    assert site.url("/news/1") not in stored(store)
    known = FollowedFeeds(store).pages_known([site.url("/amp/1")])
    assert known == {site.url("/amp/1"): ("taken_down", 1)}


def test_news_sitemaps_plain_sitemaps_and_an_index(store, follow_settings, site):
    publish(site, "/uk/1", "Рада ухвалила бюджет", language="uk", published=None)
    publish(site, "/en/2", "Council approves the budget")
    publish(site, "/en/3", "A page that sitemap lists without lastmod")
    site["/news-sitemap.xml"] = Route(
        news_sitemap(
            [
                {
                    "link": site.url("/uk/1"),
                    "title": "Рада ухвалила бюджет",
                    "published": "2026-11-30T12:00:00+02:00",
                    "tags": ["бюджет", "Київ"],
                }
            ]
        ),
        "application/xml",
    )
    publish(site, "/en/old", "A page from years ago")
    today = datetime.now(UTC).date().isoformat()
    site["/sitemap-pages.xml"] = Route(
        sitemap(
            [
                (site.url("/en/2"), today),
                (site.url("/en/3"), None),  # no lastmod: cannot be told new
                (site.url("/en/old"), "2019-05-01T10:00:00+03:00"),  # the site's past
            ]
        ),
        "text/xml",
    )
    site["/sitemap.xml"] = Route(
        sitemap_index(
            [
                (site.url("/news-sitemap.xml"), "2026-12-01T10:00:00+00:00"),
                (site.url("/sitemap-pages.xml"), "2026-12-01T09:00:00+00:00"),
            ]
        ),
        "application/xml",
    )
    FollowedFeeds(store).add(site.url("/sitemap.xml"), delay=0.01)
    report = following(store, follow_settings).run()
    assert report.exit_code == 0, report.failed
    articles = stored(store)
    assert set(articles) == {site.url("/uk/1"), site.url("/en/2")}
    ukrainian = articles[site.url("/uk/1")]
    # the page gave no date: the news sitemap's date of publication stands
    assert ukrainian.published.text == "2026-11-30T12:00:00+02:00"
    assert site.hits["/en/3"] == 0 and site.hits["/en/old"] == 0


def test_json_feed_and_atom(store, follow_settings, site):
    site["/feed.json"] = Route(
        json_feed(
            [
                {
                    **publish(site, "/en/1", "Council approves the budget", published=None),
                    "published": "2026-11-29T08:00:00+00:00",
                    "tags": ["budget"],
                }
            ]
        ),
        "application/feed+json",
    )
    site["/atom.xml"] = Route(
        atom([publish(site, "/uk/2", "Рада ухвалила бюджет", language="uk", author=None)]),
        "application/atom+xml",
    )
    feeds = FollowedFeeds(store)
    feeds.add(site.url("/feed.json"), delay=0.01, source="JSON Daily")
    feeds.add(site.url("/atom.xml"), delay=0.01)
    assert following(store, follow_settings).run().exit_code == 0
    articles = stored(store)
    english = articles[site.url("/en/1")]
    assert english.published.start == datetime(2026, 11, 29, 8, tzinfo=UTC)  # the feed's date
    assert english.source == "JSON Daily" and english.tags == ["budget"]
    assert articles[site.url("/uk/2")].authors == ["Desk"]  # from the Atom entry


def test_feed_formats_read_what_each_says():
    body = rss(
        [
            {
                "link": "/relative/1",
                "title": "  Spaced   title ",
                "pubDate": "Tue, 01 Dec 2026 10:00:00 +0200",
                "tags": ["a", "b", "a"],
            }
        ],
        language="uk-UA",
    )
    feed = read_feed(body, "https://news.example.org/rss")
    (item,) = feed.items
    assert item.url == "https://news.example.org/relative/1"
    assert (item.title, item.published, item.tags, item.language) == (
        "Spaced title",
        "2026-12-01T08:00:00+00:00",
        ("a", "b"),
        "uk",
    )
    assert item.hints("Newsroom")["source"] == "Newsroom"
    # KOI8-U declared in the document, a wrong charset in the header: the document's own wins
    koi8 = rss([{"link": "https://x.org/1", "title": "Ґрунт і правила"}], encoding="koi8-u")
    for header in ("text/xml; charset=windows-1251", "application/rss+xml; charset=utf-8", None):
        assert read_feed(koi8, "https://x.org/rss", header).items[0].title == "Ґрунт і правила"
    plain = rss([{"link": "https://x.org/1", "title": "Ґрунт"}], encoding="windows-1251")
    undeclared = plain.replace(b' encoding="windows-1251"', b"")
    assert read_feed(undeclared, "u", "text/xml; charset=windows-1251").items[0].title == "Ґрунт"
    assert read_feed(b"\xef\xbb\xbf" + json_feed([{"link": "https://x.org/1", "title": "t"}]), "u")
    with pytest.raises(NotAFeed):
        read_feed(b"/etc/passwd", "https://news.example.org/rss")  # never opened as a file
    with pytest.raises(NotAFeed):
        read_feed(json.dumps({"version": "1", "items": []}).encode(), "u")


# -- the command line --------------------------------------------------------------------------


def test_follow_commands(home, site, monkeypatch):
    monkeypatch.setenv("ARKHIV_FETCH_PRIVATE", "1")
    items = [
        publish(site, "/en/1", "Council approves the budget"),
        publish(site, "/uk/2", "Рада ухвалила бюджет", language="uk"),
    ]
    site["/feed.xml"] = Route(gzip.decompress(gzip.compress(rss(items))), "application/rss+xml")
    site["/gone.xml"] = Route(status=404)
    added = run_arkhiv(home, "follow", "add", site.url("/feed.xml"), "--delay", "0.01")
    assert added.returncode == 0 and "following" in added.stdout
    run_arkhiv(home, "follow", "add", site.url("/gone.xml"), "--delay", "0.01", "--source", "X")

    ran = run_arkhiv(home, "follow", "run", "--once")
    assert ran.returncode == 1, ran.stderr
    assert f"failed: {site.url('/gone.xml')}" in ran.stderr and "HTTP 404" in ran.stderr
    assert "read 2 feeds: 2 new articles" in ran.stdout
    listed = [
        json.loads(line)
        for line in run_arkhiv(home, "follow", "list", "--json").stdout.splitlines()
    ]
    by_url = {feed["url"]: feed for feed in listed}
    assert by_url[site.url("/feed.xml")]["articles"] == 2
    assert by_url[site.url("/feed.xml")]["error"] is None
    assert by_url[site.url("/gone.xml")]["error"].endswith("HTTP 404")
    assert by_url[site.url("/gone.xml")]["source"] == "X"
    assert all(feed["last_checked"] for feed in listed)
    # stored and searchable
    assert run_arkhiv(home, "check").returncode == 0
    assert json.loads(run_arkhiv(home, "stats", "--json").stdout)["articles"] == 2

    assert run_arkhiv(home, "follow", "remove", site.url("/gone.xml")).returncode == 0
    again = run_arkhiv(home, "follow", "run", "--once")
    assert again.returncode == 0 and "not modified" in again.stdout
    text = run_arkhiv(home, "follow", "list").stdout
    assert site.url("/feed.xml") in text and "2 articles" in text


def test_follow_run_refuses_the_loopback_without_the_setting(home, site, monkeypatch):
    monkeypatch.delenv("ARKHIV_FETCH_PRIVATE", raising=False)
    site["/feed.xml"] = Route(rss([]), "application/rss+xml")
    run_arkhiv(home, "follow", "add", site.url("/feed.xml"))
    ran = run_arkhiv(home, "follow", "run", "--once")
    assert ran.returncode == 1 and "loopback, private or link-local" in ran.stderr
    assert site.requests() == 0
    assert home_store(home).count() == 0


# -- while serving -----------------------------------------------------------------------------


def test_healthz_and_metrics_say_how_each_feed_does(tmp_path, site):
    from prometheus_client.parser import text_string_to_metric_families

    from archive.store import Store
    from tests.web_fixtures import import_fixtures
    from webapp.app import create_app

    home = import_fixtures(tmp_path / "home")
    client = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()
    assert "feeds" not in client.get("/healthz").get_json()  # none followed
    items = [publish(site, "/news/1", "Council approves the budget")]
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    site["/gone.xml"] = Route(status=404)
    store = Store(home / "archive.sqlite3")
    feeds = FollowedFeeds(store)
    feeds.add(site.url("/feed.xml"), delay=0.01)
    feeds.add(site.url("/gone.xml"), delay=0.01)
    settings = dataclasses.replace(load_settings(home), fetch_private_networks=LOCAL_ONLY)
    following(store, settings).run()

    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"
    reported = health.get_json()["feeds"]
    assert (reported["followed"], reported["failing"]) == (2, 1)
    (failure,) = reported["failures"]
    assert failure["url"] == site.url("/gone.xml") and failure["error"].endswith("HTTP 404")
    assert failure["last_checked"] and failure["articles"] == 0

    text = client.get("/metrics").get_data(as_text=True)
    found = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    good, gone = (("feed", site.url("/feed.xml")),), (("feed", site.url("/gone.xml")),)
    assert found[("arkhiv_feeds_followed", ())] == 2
    assert found[("arkhiv_feed_articles_total", good)] == 1
    assert found[("arkhiv_feed_failing", good)] == 0 and found[("arkhiv_feed_failing", gone)] == 1
    assert found[("arkhiv_feed_last_checked_timestamp_seconds", good)] > time.time() - 600
    assert found[("arkhiv_feed_last_new_article_timestamp_seconds", good)] > time.time() - 600
    assert found[("arkhiv_feed_last_new_article_timestamp_seconds", gone)] == 0
    errors = [labels for name, labels in found if name == "arkhiv_feed_error"]
    assert errors == [(("error", failure["error"]), ("feed", site.url("/gone.xml")))]


def test_serve_follows_the_feeds_in_a_process_of_its_own_unless_told_not_to(tmp_path, site):
    from tests.web_fixtures import http, import_fixtures, serve_archive, wait_until

    home = import_fixtures(tmp_path / "home")
    items = [publish(site, "/news/1", "Council approves the budget")]
    site["/feed.xml"] = Route(rss(items), "application/rss+xml")
    assert (
        run_arkhiv(home, "follow", "add", site.url("/feed.xml"), "--delay", "0.01").returncode == 0
    )
    private = {"ARKHIV_FETCH_PRIVATE": "127.0.0.1/32", "ARKHIV_FOLLOW_EVERY": "1"}

    quiet = serve_archive(home, tmp_path / "quiet.log", ARKHIV_FOLLOW="0", **private)
    try:
        time.sleep(2)
        assert site.requests() == 0
    finally:
        quiet.stop()

    served = serve_archive(home, tmp_path / "serve.log", **private)
    try:

        def searchable() -> bool:
            found = http("GET", served.url + "/api/search?q=budget+council&collapse=0").json()
            return any(hit["id"] == site.url("/news/1") for hit in found["hits"])

        wait_until(searchable, timeout=90, every=0.5)
        health = http("GET", served.url + "/healthz").json()
        assert health["feeds"] == {"followed": 1, "failing": 0, "failures": []}
        # read again as it falls due: one 304 each time
        wait_until(lambda: site.hits["/feed.xml"] >= 3, timeout=60, every=0.5)
        assert site.hits["/news/1"] == 1 and site.conditional["/feed.xml"] >= 2
    finally:
        served.stop()


def test_the_feed_process_starts_only_once_a_feed_is_followed(store, settings, site):
    from archive.feed_follower import FeedFollowerProcess
    from tests.web_fixtures import wait_until

    process = FeedFollowerProcess(settings).start_once_followed(store, every=0.1)
    try:
        time.sleep(0.5)
        assert process.pid is None  # nothing to follow: no process beside the server
        site["/feed.xml"] = Route(rss([]), "application/rss+xml")
        FollowedFeeds(store).add(site.url("/feed.xml"), delay=0.01)
        wait_until(lambda: process.pid is not None and process.alive(), timeout=10)
    finally:
        process.stop()
    assert not process.alive()


def test_only_public_addresses_are_public():
    import ipaddress

    from archive.guard import GuardedBackend, is_public

    refused = [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "ff02::1",
    ]
    for text in refused:
        assert not is_public(ipaddress.ip_address(text)), text
    for text in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"):
        assert is_public(ipaddress.ip_address(text)), text
    backend = GuardedBackend(networks=["127.0.0.1/32"])
    assert backend.refused(["127.0.0.1", "127.0.0.2", "::1"]) == ["127.0.0.2", "::1"]
    assert GuardedBackend(allow_private=True).refused(["169.254.169.254"]) == []
