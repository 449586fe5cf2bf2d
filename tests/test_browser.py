"""The search page in a real Chromium (Debian's), against the app on waitress over HTTP.

Run with ``pytest -m browser``; skipped only when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.web_fixtures import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    XSS_PAGES,
    import_fixtures,
    start_server,
)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SEED_ID = "up-2025-08-27-isw-kremlin-guarantees"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = import_fixtures(
        tmp_path_factory.mktemp("browser"), "seed.json", "articles.jsonl", "xss.jsonl"
    )
    live = start_server(home)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def serious_violations(page) -> list[str]:
    """What axe finds serious or critical on ``page`` (opened in a context that bypasses the
    CSP, which forbids the injected script, as it should)."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_context(browser, locale="en", width=1280, height=900, **options):
    return browser.new_context(
        viewport={"width": width, "height": height},
        locale=locale,
        extra_http_headers={"Accept-Language": locale},
        **options,
    )


@pytest.fixture()
def page(browser):
    context = open_context(browser)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield opened
    context.close()
    assert not errors, errors


def total(page) -> int:
    text = page.locator(".total").inner_text()
    return int(re.sub(r"\D", "", text.split(" in ")[0].split(" за ")[0]))


def test_search_in_ukrainian_marks_inflected_forms(page, server):
    page.goto(server.url + "/")
    page.fill("#q", "Україна")
    page.press("#q", "Enter")
    page.wait_for_url("**q=*")
    marked = set(page.locator(".hits mark").all_inner_texts())
    assert {"Україною", "України", "Україні"} <= marked
    assert total(page) >= 5


def test_facet_click_narrows_the_total(page, server):
    page.goto(server.url + "/")
    everything = total(page)
    page.locator('[data-facet="source"] .facet-values a').first.click()
    page.wait_for_url("**source=*")
    assert 0 < total(page) < everything
    assert page.locator(".chip").count() == 1


def test_two_facets_combine_and_a_chip_clears(page, server):
    page.goto(server.url + "/")
    everything = total(page)
    page.locator('[data-facet="language"] a', has_text="English").click()
    page.wait_for_url("**language=en*")
    english = total(page)
    page.locator('[data-facet="tag"] a', has_text="budget").click()
    page.wait_for_url("**tag=budget*")
    both = total(page)
    assert 0 < both < english < everything
    assert page.locator(".chip").count() == 2
    page.locator(".chip", has_text="English").click()
    page.wait_for_url(re.compile(r"^(?!.*language=).*tag=budget"))
    assert page.locator(".chip").count() == 1
    assert total(page) >= both


def test_histogram_bar_narrows_to_its_period(page, server):
    page.goto(server.url + "/")
    everything = total(page)
    bar = page.locator(".histogram a").first
    bar.click()
    page.wait_for_url("**from=*")
    assert "to=" in page.url
    assert 0 < total(page) < everything
    assert page.locator(".chip").count() == 1


def test_date_form_narrows(page, server):
    page.goto(server.url + "/")
    everything = total(page)
    page.fill("#from", "2020")
    page.fill("#to", "2022")
    page.click(".date-range button")
    page.wait_for_url("**from=2020*")
    assert 0 < total(page) < everything


def test_switch_the_interface_language(page, server):
    page.goto(server.url + "/?q=Kremlin")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("text=Українська")
    page.wait_for_function("() => document.documentElement.lang === 'uk'")
    assert "q=Kremlin" in page.url
    assert page.locator(".searchbox button").inner_text() == "Шукати"
    assert "27 серпня 2025, 04:46" in page.content()
    page.click("text=English")
    page.wait_for_function("() => document.documentElement.lang === 'en'")


def test_open_an_article_and_its_translation(page, server):
    page.goto(server.url + "/?q=Kremlin")
    page.locator(f'.hit h3 a[href="/article/{SEED_ID}"]').click()
    page.wait_for_url(f"**/article/{SEED_ID}")
    assert "Kremlin likely to reject" in page.locator("h1").inner_text()
    page.locator("header .also-in").first.click()
    page.wait_for_function("() => document.querySelector('h1').lang === 'uk'")
    assert "Кремль" in page.locator("h1").inner_text()
    assert page.locator(".related li").count() >= 1


def test_page_forward_and_back(page, server):
    page.goto(server.url + "/?per_page=5")
    first_titles = page.locator(".hit h3").all_inner_texts()
    page.locator('a[rel="next"]').click()
    page.wait_for_url("**page=2*")
    second_titles = page.locator(".hit h3").all_inner_texts()
    assert second_titles and second_titles != first_titles
    page.locator('a[rel="next"]').click()
    page.wait_for_url("**page=3*")
    page.go_back()
    page.wait_for_url("**page=2*")
    page.wait_for_function(
        "() => document.querySelector('.pagination [aria-current]').textContent === '2'"
    )
    assert page.locator(".hit h3").all_inner_texts() == second_titles
    page.go_back()
    page.wait_for_url(re.compile(r"per_page=5$"))
    page.wait_for_function(
        "() => document.querySelector('.pagination [aria-current=page]').textContent === '1'"
    )
    assert page.locator(".hit h3").all_inner_texts() == first_titles
    page.go_forward()
    page.wait_for_url("**page=2*")


def test_slash_focuses_the_search_box(page, server):
    page.goto(server.url + "/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_a_chosen_value_is_taken_away_in_place_and_back_returns_it(page, server):
    page.goto(server.url + "/?language=en&sort=oldest")
    english = total(page)
    page.locator('[data-facet="language"] button[aria-pressed="true"]').click()
    page.wait_for_url(re.compile(r"/\?sort=oldest$"))
    assert total(page) > english
    assert page.locator(".chip").count() == 0
    assert page.evaluate("document.activeElement.id") == "facet-language"
    page.go_back()
    page.wait_for_url("**language=en*")
    page.wait_for_function("() => document.querySelectorAll('.chip').length === 1")


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("uk", 'тож у кінці додано ): шукали "гарантії безпеки" OR (title:Київ).'),
        ("en", 'so ) was added at the end: searched for "гарантії безпеки" OR (title:Київ).'),
    ],
)
def test_an_unclosed_query_says_what_was_searched(browser, server, locale, said):
    context = open_context(browser, locale=locale)
    page = context.new_page()
    page.goto(server.url + "/")
    page.fill("#q", UNCLOSED)
    page.press("#q", "Enter")
    page.wait_for_url("**q=*")
    assert said in page.locator(".notice").inner_text()
    assert page.locator(".notice code").all_inner_texts() == [")", UNCLOSED + ")"]
    assert total(page) == 9
    assert page.input_value("#q") == UNCLOSED
    context.close()


def test_works_without_javascript(browser, server):
    context = open_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    everything = total(page)
    page.locator('[data-facet="language"] a', has_text="Ukrainian").click()
    page.wait_for_url("**language=uk*")
    assert 0 < total(page) < everything
    page.locator(".histogram a").first.click()
    page.wait_for_url("**from=*")
    page.locator(".chip", has_text="Ukrainian").click()  # a button: a redirect without it
    page.wait_for_url(re.compile(r"^(?!.*language=).*from="))
    assert page.locator(".chip").count() == 1
    context.close()


def test_hostile_articles_run_nothing(browser, server):
    context = open_context(browser)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in XSS_PAGES:
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        page.mouse.move(300, 300)
        injected = page.evaluate(
            """() => document.querySelectorAll(
                'main script, main img, main svg[onload], [onerror], [onload], [onmouseover],'
                + ' a[href^="javascript:"], b').length"""
        )
        assert injected == 0, path
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    page.goto(server.url + "/article/xss-title-script")
    assert page.locator("h1").inner_text().startswith("<script>alert(1)</script>")
    assert dialogs == []
    context.close()


UNCLOSED = '"гарантії безпеки" OR (title:Київ'
# The pages of what a query or a request says (closed, notices, the cap on filter values).
TOLD_PAGES = {
    "closed": "/?" + urlencode({"q": UNCLOSED}),
    "notices": "/?" + urlencode({"q": "Ky* published:2016"}),
    "too-many": "/?" + urlencode([("tag", f"tag {n:03d}") for n in range(101)]),
}
AXE_PAGES = {
    "search": "/",
    "results": "/?q=Україна&source=Українська+правда",
    "empty": "/?q=nothing-matches-this",
    "article": f"/article/{SEED_ID}",
    "api-docs": "/api/docs",
    **TOLD_PAGES,
}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm install`")
@pytest.mark.parametrize("locale", ["uk", "en"])
@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_axe_finds_no_serious_violation(browser, server, name, locale):
    # Our CSP forbids injected script (as it should); let the test inject axe anyway.
    context = open_context(browser, locale=locale, bypass_csp=True)
    page = context.new_page()
    page.goto(server.url + AXE_PAGES[name])
    serious = serious_violations(page)
    context.close()
    assert not serious, serious


def test_the_api_docs_lead_from_an_operation_to_the_shape_it_answers(browser, server):
    from playwright.sync_api import expect

    context = open_context(browser)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("link", name="JSON API").click()
    page.get_by_role("link", name="GET /api/search").click()
    operation = page.locator("#search")
    expect(operation).to_be_in_viewport()
    operation.get_by_role("link", name="SearchResult").first.click()
    expect(page.locator("#schema-SearchResult")).to_be_in_viewport()
    context.close()


SCREENSHOT_PAGES = {
    "search": "/",
    "results": "/?q=Україна",
    "article": f"/article/{SEED_ID}",
    **TOLD_PAGES,
}


@pytest.mark.parametrize("locale", ["uk", "en"])
@pytest.mark.parametrize("device, width, height", [("desktop", 1280, 900), ("phone", 375, 812)])
def test_screenshots_and_no_horizontal_scroll(browser, server, locale, device, width, height):
    ARTIFACTS.mkdir(exist_ok=True)
    context = open_context(browser, locale=locale, width=width, height=height)
    page = context.new_page()
    for name, path in SCREENSHOT_PAGES.items():
        page.goto(server.url + path)
        # What the reader sees first, and the whole page.
        page.screenshot(path=str(ARTIFACTS / f"{name}-{locale}-{device}.png"))
        page.screenshot(path=str(ARTIFACTS / f"{name}-{locale}-{device}-full.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
    context.close()


@pytest.mark.parametrize(
    ("locale", "as_typed", "did_you_mean"),
    [
        ("en", "as typed", "Did you mean"),
        ("uk", "саме так, як набрано", "Можливо, ви мали на увазі"),
    ],
)
def test_query_help_shows_the_layout_notice_and_did_you_mean(
    browser, server, locale, as_typed, did_you_mean
):
    context = open_context(browser, locale=locale)
    page = context.new_page()
    page.goto(server.url + "/?" + urlencode({"q": "Erhf]yf"}))
    notice = page.locator('.notice[data-code="query.layout"]')
    assert notice.is_visible() and "Україна" in notice.inner_text()
    assert total(page) > 0
    notice.locator("a", has_text=as_typed).click()
    page.wait_for_url("**literal=1*")
    assert total(page) == 0
    page.goto(server.url + "/?" + urlencode({"q": "Ukrane"}))
    suggestion = page.locator(".suggestion")
    assert did_you_mean in suggestion.inner_text()
    suggestion.locator("a", has_text="Ukraine").click()
    page.wait_for_url("**q=Ukraine*")
    assert total(page) > 0
    context.close()
