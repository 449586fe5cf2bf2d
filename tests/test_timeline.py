"""Attention over time (/api/timeline): each period's numbers are what /api/search counts for it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from index.searching.timeline import MAX_PERIODS, chosen_interval, periods
from tests.coverage_fixtures import import_coverage_archive
from webapp.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = tmp_path_factory.mktemp("timeline") / "home"
    import_coverage_archive(home, tmp_path_factory.mktemp("timeline-data"))
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()


def timeline(client, **args) -> dict:
    response = client.get("/api/timeline", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def search(client, **args) -> dict:
    response = client.get("/api/search", query_string={"per_page": 1, **args})
    assert response.status_code == 200
    return response.get_json()


def filters_of(args: dict) -> dict:
    return {k: v for k, v in args.items() if k not in ("q", "interval", "from", "to")}


CASES = [
    ({"q": ["grain", "зерно", "port"], "interval": "month"}),
    ({"q": ["grain", "budget"], "interval": "year"}),
    ({"q": ["grain", "strike"], "interval": "week", "from": "2022-01-01", "to": "2022-06-30"}),
    ({"q": ["grain", "port ships"], "interval": "day", "from": "2022-03-10", "to": "2022-04-20"}),
    ({"q": ["grain", "зерно"], "interval": "auto"}),
    ({"q": ["grain", ""], "interval": "month", "language": "en", "source": "Coast Times"}),
    ({"q": ["зерно OR бюджет"], "interval": "month", "from": "2021-05-17", "to": "2022-08-09"}),
    (
        {
            "q": ["grain"],
            "interval": "auto",
            "tag": "grain",
            "from": "2022-03-01",
            "to": "2022-04-30",
        }
    ),
]


@pytest.mark.parametrize("args", CASES)
def test_every_point_is_what_the_search_counts_for_its_period(client, args):
    answer = timeline(client, **args)
    filters = filters_of(args)
    assert answer["series"]
    for series in answer["series"]:
        assert [p["period"] for p in series["points"]] == [p["period"] for p in answer["all"]]
        for point, everything in zip(series["points"], answer["all"], strict=True):
            period = {"from": point["from"], "to": point["to"], **filters}
            found = search(client, q=series["q"], collapse="0", **period)
            assert point["articles"] == found["total"], (series["q"], point)
            collapsed = search(client, q=series["q"], collapse="1", **period)
            assert point["stories"] == collapsed["stories"], (series["q"], point)
            share = point["articles"] / everything["articles"] if everything["articles"] else 0
            assert point["share"] == pytest.approx(share, abs=1e-6)
        whole = {k: v for k, v in args.items() if k in ("from", "to")} | filters
        assert series["total"] == search(client, q=series["q"], collapse="0", **whole)["total"]
        assert series["stories"] == search(client, q=series["q"], **whole)["stories"]
    for point in answer["all"]:
        period = {"from": point["from"], "to": point["to"], **filters}
        assert point["articles"] == search(client, collapse="0", **period)["total"]


def test_the_interval_fits_the_span_and_periods_are_whole_unless_cut(client):
    answer = timeline(client, q="grain")
    assert answer["interval"] == "week"  # three years: 157 weeks, at most 200
    assert date.fromisoformat(answer["all"][0]["from"]).weekday() == 0  # a whole week
    weeks = [p["period"] for p in answer["all"]]
    assert weeks == sorted(weeks) and len(weeks) == len(set(weeks)) > 100
    monthly = timeline(client, q="grain", interval="month")
    starts = [date.fromisoformat(p["from"]) for p in monthly["all"]]
    assert all(day.day == 1 for day in starts)  # whole months, none skipped
    assert all(
        (b.year - a.year) * 12 + b.month - a.month == 1
        for a, b in zip(starts, starts[1:], strict=False)
    )
    cut = timeline(client, q="grain", **{"from": "2022-03-15", "to": "2022-05-10"})
    assert cut["interval"] == "day"
    weekly = timeline(client, q="grain", interval="week", **{"from": "2022-03-15"})
    assert weekly["all"][0] == {**weekly["all"][0], "period": "2022-W11", "from": "2022-03-15"}
    assert date.fromisoformat(weekly["all"][1]["from"]).weekday() == 0  # Monday


def test_periods_and_the_automatic_choice():
    assert chosen_interval("auto", date(2022, 1, 1), date(2022, 1, 20)) == "day"
    assert chosen_interval("auto", date(2022, 1, 1), date(2022, 12, 31)) == "week"
    assert chosen_interval("auto", date(2004, 1, 1), date(2020, 12, 31)) == "year"
    assert chosen_interval("auto", date(2010, 1, 1), date(2020, 12, 31)) == "month"
    found = periods("week", date(2021, 1, 1), date(2021, 1, 12))
    assert [p.label for p in found] == ["2020-W53", "2021-W01", "2021-W02"]
    assert found[0].start == date(2020, 12, 28)
    last = periods("week", date(9999, 12, 25), date(9999, 12, 31))
    assert last[-1].end == date(9999, 12, 31)
    assert len(periods("year", date(1, 1, 1), date(9999, 12, 31))) == 9999 <= MAX_PERIODS


def test_an_undated_article_counts_in_the_total_not_in_a_period(client):
    answer = timeline(client, q="grain", interval="year")
    series = answer["series"][0]
    assert series["undated"] == 1
    assert series["total"] == sum(p["articles"] for p in series["points"]) + 1
    dated = timeline(client, q="grain", interval="year", **{"from": "2021", "to": "2023"})
    assert dated["series"][0]["undated"] == 0


def test_copies_count_once_as_a_story_in_a_period(client):
    args = {"q": "harbour master", "interval": "month", "from": "2022-03", "to": "2022-04"}
    series = timeline(client, **args)["series"][0]
    assert [(p["articles"], p["stories"]) for p in series["points"]] == [(2, 1), (1, 1)]
    assert (series["total"], series["stories"]) == (3, 1)


def test_csv_holds_the_same_numbers_as_json(client):
    args = {"q": ["grain", "зерно"], "interval": "year", "language": ["en", "uk"]}
    answer = timeline(client, **args)
    response = client.get("/api/timeline", query_string={**args, "format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = [
        {
            "q": series["q"],
            "period": point["period"],
            "from": point["from"],
            "to": point["to"],
            "articles": str(point["articles"]),
            "stories": str(point["stories"]),
            "share": str(point["share"]),
            "all_articles": str(everything["articles"]),
            "all_stories": str(everything["stories"]),
        }
        for series in answer["series"]
        for point, everything in zip(series["points"], answer["all"], strict=True)
    ]
    assert rows == expected and len(rows) == 2 * len(answer["all"])


def test_nothing_found_is_a_timeline_of_zeros(client):
    answer = timeline(client, q=["grain", "nothingatallhere"], interval="year")
    empty = answer["series"][1]
    assert empty["total"] == 0 and all(p["articles"] == 0 for p in empty["points"])
    assert len(empty["points"]) == len(answer["all"]) == 3
    none = timeline(client, q="grain", source="No Such Outlet")
    assert none["all"] == [] and none["series"][0]["points"] == []


@pytest.mark.parametrize(
    "args, param, code",
    [
        ({"q": [f"w{i}" for i in range(6)]}, "q", "request.too_many_queries"),
        ({"q": "grain", "interval": "hour"}, "interval", "request.not_one_of"),
        ({"q": "grain", "interval": "day", "from": "0001", "to": "9999"}, "interval",
         "request.too_many_periods"),
        ({"q": "grain", "from": "2022-13"}, "from", "request.not_a_date"),
        ({"q": "grain", "from": "2023", "to": "2022"}, "from", "request.dates_reversed"),
        ({"q": ["grain", "x" * 1001]}, "q", "request.too_long"),
        ({"q": "grain", "format": "xml"}, "format", "request.not_one_of"),
        ({"q": "grain", "tag": [str(i) for i in range(101)]}, "tag", "request.too_many_values"),
    ],
)  # fmt: skip
def test_bad_parameters_are_refused_naming_them(client, args, param, code):
    response = client.get("/api/timeline", query_string=args)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["param"], error["code"]) == (param, code)


@pytest.mark.parametrize(
    "q",
    ['"grain', "(grain OR", "NOT", "*", "title:", "зерно AND NOT зерно", "\x00\x01", "🌾" * 50],
)
def test_hostile_queries_answer_a_timeline(client, q):
    for interval in ("auto", "day"):
        response = client.get("/api/timeline", query_string={"q": q, "interval": interval})
        assert response.status_code == 200


@pytest.mark.parametrize("interval", ["day", "week", "month", "year"])
def test_period_numbers_agree_with_the_periods(interval):
    """The arithmetic that numbers a day's period gives the period that holds the day, across
    month, year and leap-day edges and near the ends of the calendar."""
    import numpy as np

    from index.searching.timeline import period_numbers

    for first, last in (
        (date(2019, 12, 29), date(2021, 3, 2)),
        (date(1, 1, 1), date(1, 3, 1)),
        (date(9999, 10, 1), date(9999, 12, 31)),
    ):
        found = periods(interval, first, last)
        days = [first + (last - first) * i // 97 for i in range(98)]
        numbers = period_numbers(
            np.array([d.year * 10000 + d.month * 100 + d.day for d in days]), interval, first
        )
        for day, number in zip(days, numbers.tolist(), strict=True):
            assert found[number].start <= day <= found[number].end, (interval, day)
