"""Names in a real Chromium: a byline typed in the search box finds its articles, and an author
who writes in both scripts is one facet value in the reader's script, which narrows to all of
their articles. In both interface languages, with screenshots of the author facet.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_browser import ARTIFACTS, CHROMIUM, SEED_ID, open_context, total
from tests.test_browser import browser as browser  # the module's Chromium, shared
from tests.web_fixtures import import_fixtures, start_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]

SHOWN = {"uk": ("Марта Коваленко", "Marta Kovalenko"), "en": ("Marta Kovalenko", "Марта Коваленко")}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = import_fixtures(
        tmp_path_factory.mktemp("browser-bylines"), "seed.json", "articles.jsonl"
    )
    live = start_server(home)
    yield live
    live.stop()


@pytest.mark.parametrize("locale", ["uk", "en"])
def test_a_name_typed_finds_the_seed(browser, server, locale):
    context = open_context(browser, locale=locale)
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#q", "Olha Hlushchenko")
    page.press("#q", "Enter")
    page.wait_for_url("**q=*")
    expect(page.locator(f'.hits a[href*="{SEED_ID}"]').first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bylines-olha-hlushchenko-{locale}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("locale", ["uk", "en"])
def test_one_author_one_facet_value_narrows_to_all_of_them(browser, server, locale):
    shown, hidden = SHOWN[locale]
    context = open_context(browser, locale=locale)
    page = context.new_page()
    page.goto(server.url + "/?q=Kovalenko")
    facet = page.locator('[data-facet="author"]')
    value = facet.locator(".facet-values a", has_text=shown)
    expect(value).to_have_count(1)
    expect(value.locator(".count")).to_have_text("5")
    expect(facet.locator(".facet-label", has_text=hidden)).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    facet.screenshot(path=str(ARTIFACTS / f"bylines-author-facet-{locale}.png"))
    value.click()
    page.wait_for_url("**author=*")
    assert total(page) == 5
    chosen = page.locator('[data-facet="author"] button[aria-pressed="true"]')
    expect(chosen).to_contain_text(shown)
    context.close()
