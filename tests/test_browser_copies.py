"""Copies of one story in a real Chromium: a collapsed hit says how many more copies, which
outlets carry them and who published first; a control shows every copy and goes back; the
article page lists its copies. In both interface languages, with screenshots.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_browser import ARTIFACTS, AXE, CHROMIUM, open_context, total
from tests.test_browser import browser as browser  # the module's Chromium, shared
from tests.web_fixtures import import_fixtures, start_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]

SAID = {
    "en": {
        "more": "3 more copies",
        "first": "first published by Poltava Daily on",
        "every": "Show every copy",
        "one": "Show one hit per story",
        "facets": "Counts below count articles",
        "listed": "3 other copies of this story",
    },
    "uk": {
        "more": "ще 3 копії",
        "first": "першим опублікувало видання Poltava Daily",
        "every": "Показати всі копії",
        "one": "Показувати один результат на сюжет",
        "facets": "Числа нижче рахують статті",
        "listed": "Ще 3 копії цього сюжету",
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = import_fixtures(
        tmp_path_factory.mktemp("browser-copies"), "seed.json", "articles.jsonl", "copies.jsonl"
    )
    live = start_server(home)
    yield live
    live.stop()


@pytest.mark.parametrize("locale", ["en", "uk"])
def test_a_collapsed_story_says_more_copies(browser, server, locale):
    said = SAID[locale]
    context = open_context(browser, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/?q=embankment")
    copies = page.locator(".hit .copies")
    assert copies.count() == 1
    line = copies.inner_text()
    assert said["more"] in line and said["first"] in line
    for outlet in ("Regional Herald", "Central News", "Dnipro Wire"):
        assert outlet in line or outlet in page.locator(".hit .source").inner_text()
    assert said["facets"] in page.locator(".refine").inner_text()
    assert page.locator(".hits > li").count() == 1 and total(page) == 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"copies-collapsed-{locale}.png"), full_page=True)

    toggle = page.locator(".collapse-toggle")
    assert toggle.inner_text() == said["every"]
    toggle.click()
    page.wait_for_url("**collapse=0**")
    expect(page.locator(".hits > li")).to_have_count(4)  # search.js may swap the results in
    assert toggle.inner_text() == said["one"]
    toggle.click()
    expect(page.locator(".hits > li")).to_have_count(1)

    page.locator(".hit .copies-link").click()  # every copy of this story
    page.wait_for_url("**cluster=**")
    expect(page.locator(".hits > li")).to_have_count(4)
    expect(page.locator(".chip")).to_have_count(1)  # "copies of one story", removable
    page.screenshot(path=str(ARTIFACTS / f"copies-story-{locale}.png"), full_page=True)

    page.locator(".hit h3 a").first.click()
    listed = page.locator(".copies-list")
    expect(listed.locator("h2")).to_have_text(said["listed"])
    expect(listed.locator("li")).to_have_count(3)
    page.screenshot(path=str(ARTIFACTS / f"copies-article-{locale}.png"), full_page=True)
    context.close()
    assert not errors, errors


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm install`")
def test_the_collapsed_page_has_no_serious_violation(browser, server):
    context = open_context(browser, locale="uk", bypass_csp=True)
    page = context.new_page()
    page.goto(server.url + "/?q=embankment")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    serious = [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert not serious, serious
