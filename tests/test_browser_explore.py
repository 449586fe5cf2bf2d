"""/explore in a real Chromium (Debian's), against the app on waitress: axe-clean in both
interface languages, the chart and its table on screen, the numbers on hover, a period's click
landing on the search that counts them, the CSV and SVG downloads; the phone's chart."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.coverage_fixtures import import_coverage_archive
from tests.test_browser import AXE, CHROMIUM, open_context, serious_violations, total
from tests.test_browser import browser as browser  # the module's Chromium, shared
from tests.web_fixtures import start_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]

COMPARED = "/explore?" + urlencode([("q", "grain"), ("q", "зерно"), ("interval", "month")])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("browser-explore") / "home"
    import_coverage_archive(home, tmp_path_factory.mktemp("browser-explore-data"))
    live = start_server(home)
    yield live
    live.stop()


@pytest.fixture()
def opened(browser):
    """A page in each test's own context; no script error or console error allowed."""
    contexts, errors = [], []

    def open_page(locale="en", width=1366, height=900, **options):
        context = open_context(browser, locale=locale, width=width, height=height, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm install`")
@pytest.mark.parametrize("locale", ["uk", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_axe_finds_no_serious_violation(browser, server, locale, width):
    # The CSP forbids injected script (as it should); let the test inject axe anyway.
    context = open_context(browser, locale=locale, width=width, height=844, bypass_csp=True)
    page = context.new_page()
    page.goto(server.url + COMPARED + "&q=strike")
    serious = serious_violations(page)
    context.close()
    assert not serious, serious


@pytest.mark.parametrize("locale, heading", [("en", "Coverage over time"), ("uk", "Висвітлення")])
def test_chart_and_table_are_seen_and_a_point_shows_its_number(opened, server, locale, heading):
    page = opened(locale)
    page.goto(server.url + COMPARED)
    expect(page.locator("h1")).to_contain_text(heading)
    chart = page.locator("svg.chart-wide")
    expect(chart).to_be_visible()
    expect(page.locator("svg.chart-narrow")).to_be_hidden()
    expect(page.locator(".coverage-table")).to_be_visible()
    assert chart.locator("g.series").count() == 2
    # The table's first non-empty cell of "grain", and the chart's point of the same period.
    cell = page.locator('.coverage-table a[data-series="0"]').filter(has_text=re.compile(r"[1-9]"))
    cell = cell.first
    period = cell.get_attribute("data-period")
    number = cell.inner_text()
    index = page.locator('.coverage-table a[data-series="0"]').evaluate_all(
        "(cells, period) => cells.findIndex(c => c.dataset.period === period)", period
    )
    point = chart.locator("g.series").first.locator("a").nth(index)
    point.locator("circle.hit").hover()
    hovered = page.evaluate(
        "() => [...document.querySelectorAll('svg.chart-wide a:hover title')]"
        ".map(t => t.textContent)"
    )
    assert hovered and hovered[-1].endswith(f": {number}"), (hovered, number)
    assert hovered[-1].startswith("grain — ")


@pytest.mark.parametrize("locale", ["en", "uk"])
def test_a_table_cell_opens_the_search_of_its_period(opened, server, locale):
    page = opened(locale)
    page.goto(server.url + COMPARED)
    cells = page.locator('.coverage-table a[data-series="1"]').filter(has_text=re.compile("[1-9]"))
    cell = cells.nth(0)
    number = int(cell.inner_text())
    cell.click()
    page.wait_for_url(re.compile(r"/\?q=%D0%B7%D0%B5%D1%80%D0%BD%D0%BE&from="))
    assert "collapse=0" in page.url
    assert total(page) == number


def test_a_point_of_the_chart_opens_the_search_of_its_period(opened, server):
    page = opened()
    page.goto(server.url + COMPARED + "&measure=stories")
    cell = page.locator('.coverage-table a[data-series="0"]').filter(has_text=re.compile("[1-9]"))
    cell = cell.first
    stories = int(cell.inner_text())
    period = cell.get_attribute("data-period")
    index = page.locator('.coverage-table a[data-series="0"]').evaluate_all(
        "(cells, period) => cells.findIndex(c => c.dataset.period === period)", period
    )
    page.locator("svg.chart-wide g.series").first.locator("a").nth(index).locator(
        "circle.hit"
    ).click()
    page.wait_for_url(re.compile(r"/\?q=grain&from="))
    assert "collapse" not in page.url  # stories: one hit per story
    said = page.locator(".stories").inner_text()
    assert int(re.search(r"\d+", said).group()) == stories


def test_the_csv_and_svg_downloads(opened, server):
    page = opened()
    page.goto(server.url + COMPARED)
    rows = page.locator(".coverage-table tbody tr").count()
    with page.expect_download() as waiting:
        page.locator(".take-away a", has_text="CSV").click()
    written = waiting.value.path().read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(written)))
    assert {row["q"] for row in table} == {"grain", "зерно"}
    assert len(table) == 2 * rows
    first = page.locator('.coverage-table a[data-series="0"]').first
    assert table[0]["articles"] == first.inner_text()
    with page.expect_download() as waiting:
        page.locator(".take-away a", has_text="SVG").click()
    assert waiting.value.suggested_filename.endswith(".svg")
    root = ET.fromstring(waiting.value.path().read_bytes())
    series = root.findall("{http://www.w3.org/2000/svg}g[@class='series']")
    assert len(series) == 2


@pytest.mark.parametrize("locale", ["uk", "en"])
def test_on_a_phone_the_narrow_chart_and_no_sideways_scroll(opened, server, locale):
    page = opened(locale, width=390, height=844)
    page.goto(server.url + COMPARED + "&q=strike")
    expect(page.locator("svg.chart-narrow")).to_be_visible()
    expect(page.locator("svg.chart-wide")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    width = page.locator("svg.chart-narrow").bounding_box()["width"]
    assert 300 <= width <= 390


def test_from_the_search_page_to_explore(opened, server):
    page = opened()
    page.goto(server.url + "/?q=grain&language=en")
    page.locator("a.explore-link").click()
    page.wait_for_url("**/explore?q=grain&language=en")
    expect(page.locator("#q0")).to_have_value("grain")
    expect(page.locator("svg.chart-wide")).to_be_visible()
