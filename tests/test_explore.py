"""/explore and /api/outlets on a small archive whose coverage is known (tests.coverage_fixtures):
the page's table is /api/timeline's numbers, each of its links opens the search that counts
them, the SVG file is the chart, and the outlets' numbers are what /api/search counts."""

from __future__ import annotations

import re
import statistics
import xml.etree.ElementTree as ET
from collections import defaultdict
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.dates import parse_published
from tests.coverage_fixtures import import_coverage_archive
from webapp.app import create_app

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = tmp_path_factory.mktemp("explore") / "home"
    import_coverage_archive(home, tmp_path_factory.mktemp("explore-data"))
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()


def get_json(client, path: str, **args) -> dict:
    response = client.get(path, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def page(client, locale: str = "en", **args) -> str:
    response = client.get("/explore", query_string=args, headers={"Accept-Language": locale})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


CELL = re.compile(
    r'<td><a href="([^"]+)"(?: class="zero")? data-series="(\d+)" data-period="([^"]+)">'
    r"([^<]+)</a></td>"
)


def table_cells(html: str) -> list[tuple[str, int, str, str]]:
    return [(unescape(href), int(i), period, text) for href, i, period, text in CELL.findall(html)]


def as_number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


# -- /api/outlets -------------------------------------------------------------------------------

OUTLET_CASES = [
    {"q": ["grain", "зерно", ""]},
    {"q": ["grain"], "from": "2022-03-01", "to": "2022-04-30"},
    {"q": ["grain OR strike"], "language": "en"},
]


@pytest.mark.parametrize("args", OUTLET_CASES)
def test_outlets_count_what_the_search_counts(client, args):
    answer = get_json(client, "/api/outlets", size=100, **args)
    filters = {k: v for k, v in args.items() if k != "q"}
    assert [s["q"] for s in answer["series"]] == args["q"]
    for series in answer["series"]:
        q = series["q"]
        every = get_json(client, "/api/search", q=q, collapse="0", per_page=1, **filters)
        assert series["total"] == every["total"]
        assert series["stories"] == get_json(client, "/api/search", q=q, **filters)["stories"]
        assert series["outlets_total"] == len(series["outlets"]) > 0
        for outlet in series["outlets"]:
            narrowed = {**filters, "source": outlet["source"]}
            found = get_json(client, "/api/search", q=q, collapse="0", per_page=1, **narrowed)
            assert outlet["articles"] == found["total"], (q, outlet)
            collapsed = get_json(client, "/api/search", q=q, per_page=1, **narrowed)
            assert outlet["stories"] == collapsed["stories"], (q, outlet)
        assert sum(o["articles"] for o in series["outlets"]) == series["total"]


def _first_and_lags(client, q: str, filters: dict) -> tuple[dict, dict, int]:
    """Who published first, and each later copy's lag, worked out from the search's hits."""
    hits = get_json(client, "/api/search", q=q, collapse="0", per_page=100, **filters)["hits"]
    by_story = defaultdict(list)
    for hit in hits:
        if hit["published"]:
            when = parse_published(hit["published"]).start.timestamp()
            by_story[hit["cluster"]].append((when, hit["source"]))
    first, lags = defaultdict(int), defaultdict(list)
    shared = 0
    for copies in by_story.values():
        if len(copies) < 2:
            continue
        shared += 1
        copies.sort(key=lambda copy: copy[0])
        first[copies[0][1]] += 1
        for when, source in copies[1:]:
            lags[source].append(when - copies[0][0])
    return first, lags, shared


@pytest.mark.parametrize("q", ["grain", "corridor", "ships"])
def test_who_published_first_and_how_soon_the_others_followed(client, q):
    answer = get_json(client, "/api/outlets", q=q, size=100)["series"][0]
    first, lags, shared = _first_and_lags(client, q, {})
    assert shared >= 1  # the reprinted story: Wire, then Coast Times a day later, City Herald
    assert answer["stories_with_copies"] == shared
    for outlet in answer["outlets"]:
        source = outlet["source"]
        assert outlet["first"] == first.get(source, 0), outlet
        assert outlet["later"] == len(lags.get(source, [])), outlet
        expected = round(statistics.median(lags[source])) if lags.get(source) else None
        assert outlet["median_lag_seconds"] == expected, outlet
    wire = next(o for o in answer["outlets"] if o["source"] == "Wire")
    herald = next(o for o in answer["outlets"] if o["source"] == "City Herald")
    assert wire["first"] == 1
    assert herald["later"] == 1 and herald["median_lag_seconds"] == 3 * 86400


def test_outlets_refuse_bad_parameters(client):
    for args in ({"size": "0"}, {"size": "x"}, {"q": ["a"] * 6}, {"from": "tomorrow"}):
        response = client.get("/api/outlets", query_string=args)
        assert response.status_code == 400, args
        assert response.get_json()["error"]["param"] in ("size", "q", "from")


# -- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, heading, measure_label",
    [("en", "Coverage over time", "Articles by month"), ("uk", "Висвітлення в часі", "Статті")],
)
def test_the_page_without_javascript_in_both_languages(client, locale, heading, measure_label):
    html = page(client, locale, q=["grain", "зерно"], interval="month")
    assert f"<h1>{heading}</h1>" in html
    assert measure_label in html
    assert f'<html lang="{locale}">' in html
    # No inline script and no inline handler (the CSP forbids them): the page is HTML and SVG.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert html.count('class="coverage-chart chart-wide"') == 1
    assert "<title" in html.split('class="coverage-chart chart-wide"')[1]
    assert "timeline?q=grain&amp;q=%D0%B7%D0%B5%D1%80%D0%BD%D0%BE" in html  # CSV link
    assert "/explore/chart.svg?" in html


@pytest.mark.parametrize(
    "args",
    [
        {"q": ["grain", "зерно", "strike"], "interval": "month"},
        {"q": ["grain", "port"], "interval": "week", "from": "2022-03-01", "to": "2022-05-31"},
        {"q": ["grain", "budget"], "interval": "year", "measure": "stories"},
        {"q": ["grain", "зерно"], "measure": "share", "language": "en"},
    ],
)
def test_table_is_the_timeline_and_each_cell_opens_the_search_of_its_period(client, args):
    html = page(client, **args)
    timeline_args = {k: v for k, v in args.items() if k != "measure"}
    timeline = get_json(client, "/api/timeline", **timeline_args)
    measure = args.get("measure", "articles")
    cells = table_cells(html)
    periods = len(timeline["all"])
    assert len(cells) == periods * len(args["q"])
    for href, i, period, text in cells:
        series = timeline["series"][i]
        point = next(p for p in series["points"] if p["period"] == period)
        if measure == "share":
            assert float(re.sub(r"[^\d.]", "", text)) == pytest.approx(
                point["share"] * 100, abs=0.05 if point["share"] >= 0.01 else 0.005
            )
        else:
            assert as_number(text) == point[measure], (period, text)
        target = urlsplit(href)
        assert target.path == "/"
        asked = parse_qs(target.query)
        assert asked["q"] == [args["q"][i]]
        assert asked["from"] == [point["from"]] and asked["to"] == [point["to"]]
        assert asked.get("collapse") == (None if measure == "stories" else ["0"])
        if "language" in args:
            assert asked["language"] == [args["language"]]
        if not re.search(r"[1-9]", text):
            continue  # a sample of the non-empty cells is enough for the searches below
        found = get_json(client, "/api/search", **{k: v[0] for k, v in asked.items()})
        counted = found["stories"] if measure == "stories" else found["total"]
        assert counted == point[measure if measure != "share" else "articles"]


def test_chart_points_link_the_same_searches_as_the_table(client):
    html = page(client, q=["grain", "зерно"], interval="year")
    chart = html.split('class="coverage-chart chart-wide"')[1].split("</svg>")[0]
    point_links = [unescape(h) for h in re.findall(r'<a href="([^"]+)" tabindex="-1"', chart)]
    assert sorted(point_links) == sorted(href for href, *_ in table_cells(html))


def test_svg_download_is_the_chart_with_one_series_per_search(client):
    args = {"q": ["grain", "зерно", "strike"], "interval": "month"}
    response = client.get("/explore/chart.svg", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SVG}svg"
    series = root.findall(f"{SVG}g[@class='series']")
    assert len(series) == 3
    periods = len(get_json(client, "/api/timeline", **args)["all"])
    for each in series:
        links = each.findall(f"{SVG}a")
        assert len(links) == periods
        assert all(a.get("href").startswith("http://localhost/?q=") for a in links)
        assert all(a.find(f"{SVG}title").text for a in links)
    legend = "".join(root.itertext())
    assert "grain" in legend and "зерно" in legend and "strike" in legend


def test_words_link_adds_the_word_to_its_search(client):
    html = page(client, q=["grain", "зерно"])
    section = html.split('id="words-heading"')[1].split("</section>")[0]
    links = [unescape(h) for h in re.findall(r'<li><a href="([^"]+)"', section)]
    assert links
    for href in links:
        queries = parse_qs(urlsplit(href).query)["q"]
        assert len(queries) == 2
        assert queries[0].startswith("grain ") or queries[1].startswith("зерно ")
        assert queries[0] == "grain" or queries[1] == "зерно"


def test_a_word_added_to_alternatives_narrows_them_all(client):
    html = page(client, q=["grain OR зерно"])
    section = html.split('id="words-heading"')[1].split("</section>")[0]
    links = [unescape(h) for h in re.findall(r'<li><a href="([^"]+)"', section)]
    assert links
    for href in links:
        (q,) = parse_qs(urlsplit(href).query)["q"]
        assert q.startswith("(grain OR зерно) ")


HOSTILE = ["(", '"', "*", "-", "OR", "title:", "a" * 1000, "<script>x</script>", "ufhjl"]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_answer_500(client, q):
    for path in ("/explore", "/explore/chart.svg", "/api/outlets"):
        response = client.get(path, query_string={"q": [q, "grain"]})
        assert response.status_code in (200, 400), (path, q, response.status_code)
        if path != "/api/outlets":  # markup: what was typed is escaped
            assert b"<script>x" not in response.get_data()
    if q == "(":  # how the query was read is said beside its search
        assert 'class="notice-inline"' in page(client, q=[q, "grain"])


def test_the_outlets_of_each_search_on_the_page(client):
    html = page(client, q=["grain"])
    answer = get_json(client, "/api/outlets", q="grain", size=10)["series"][0]
    section = html.split('id="outlets-heading"')[1].split("</section>")[0]
    for outlet in answer["outlets"]:
        assert f">{outlet['source']}</a></th>" in section
    assert "Wire" in section


@pytest.mark.parametrize("locale", ["en", "uk"])
def test_bad_parameters_answer_400_with_the_reason(client, locale):
    for args in ({"measure": "tons"}, {"interval": "hour"}, {"q": ["a"] * 6}, {"to": "soon"}):
        response = client.get("/explore", query_string=args, headers={"Accept-Language": locale})
        assert response.status_code == 400, args
        assert 'role="alert"' in response.get_data(as_text=True)
    response = client.get("/explore/chart.svg", query_string={"measure": "tons"})
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == "measure"


def test_a_span_of_centuries_asks_for_a_shorter_one_and_keeps_the_form(client, monkeypatch):
    from webapp import explore

    monkeypatch.setattr(explore, "MAX_PAGE_PERIODS", 10)  # the archive spans 3 years: 36 months
    response = client.get(
        "/explore",
        query_string={"q": ["grain"], "interval": "month"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "more than 10: choose a longer interval" in html
    assert 'id="q0"' in html and 'value="grain"' in html
    assert "coverage-chart" not in html
    yearly = client.get("/explore", query_string={"q": "grain", "interval": "year"})
    assert yearly.status_code == 200
    svg = client.get("/explore/chart.svg", query_string={"q": "grain", "interval": "month"})
    assert svg.status_code == 400 and svg.get_json()["error"]["code"] == "request.too_many_periods"


def test_the_search_page_links_to_explore_with_its_query_and_filters(client):
    html = client.get("/?q=grain&language=en&from=2022&sort=newest").get_data(as_text=True)
    href = unescape(re.search(r'class="explore-link" href="([^"]+)"', html).group(1))
    target = urlsplit(href)
    assert target.path == "/explore"
    assert parse_qs(target.query) == {"q": ["grain"], "language": ["en"], "from": ["2022-01-01"]}
    assert client.get(href).status_code == 200


def test_blank_boxes_are_left_out_and_none_is_everything(client):
    html = page(client, q=["", "grain", ""])
    assert len({i for _, i, _, _ in table_cells(html)}) == 1
    everything = page(client)
    total = get_json(client, "/api/search", collapse="0", per_page=1)["total"]
    assert "every article" in everything
    assert f"{total} articles" in everything
