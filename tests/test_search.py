"""Search on the demo archive: morphology, query syntax, filters, facets, sorting, snippets."""

from __future__ import annotations

import functools
import json
import re
import threading
import time

import pytest

from index.searching.request import RequestError, request_from_mapping
from tests.conftest import DEMO_FILES
from tests.web_fixtures import wait_until

# Threads of one process hand over within milliseconds: looked at every 10 ms, 5 s at most.
_soon = functools.partial(wait_until, timeout=5.0, every=0.01)


def search(index, **params):
    return index.search(request_from_mapping(params))


def ids(result) -> set[str]:
    return {hit["id"] for hit in result["hits"]}


def all_ids(index, **params) -> set[str]:
    return ids(search(index, per_page=100, **params))


def demo_records() -> list[dict]:
    records = [json.loads(DEMO_FILES[0].read_text())]
    records += [json.loads(line) for line in DEMO_FILES[1].read_text().splitlines() if line]
    return records


def containing(pattern: str) -> set[str]:
    """Ids of demo articles whose title, summary or body matches ``pattern`` (case-insensitive)."""
    regex = re.compile(pattern, re.IGNORECASE)
    return {
        r["id"]
        for r in demo_records()
        if regex.search(" ".join([r["title"], r.get("summary") or "", r["body"]]))
    }


def test_ukrainian_case_forms_found_and_marked(demo_index):
    expected = containing(r"\bУкраїн(а|и|і|у|ою|о)\b")
    assert len(expected) >= 5
    result = search(demo_index, q="Україна", per_page=100)
    assert ids(result) == expected
    marked = " ".join(hit["snippet"] for hit in result["hits"])
    forms = set(re.findall(r"<mark>([^<]+)</mark>", marked))
    assert {"України", "Україні"} <= forms or len(forms) >= 3


def test_phrase_in_any_case(demo_index):
    found = all_ids(demo_index, q="гарантії безпеки")
    assert "up-2025-08-27-isw-kremlin-guarantees-uk" in found
    phrase = all_ids(demo_index, q='"гарантіями безпеки"')
    assert phrase and phrase <= found


def test_english_stemming(demo_index):
    assert all_ids(demo_index, q="guarantee") == containing(r"\bguarantee(s|d)?\b")


def test_apostrophe_forms_are_one_word(demo_index):
    straight = all_ids(demo_index, q="п'ять")
    assert straight
    assert all_ids(demo_index, q="п’ять") == straight == all_ids(demo_index, q="пʼять")


def test_latin_lookalike_letter_in_cyrillic_query(demo_index):
    assert all_ids(demo_index, q="Kиїв") == all_ids(demo_index, q="Київ")  # Latin K


def test_names_across_scripts(demo_index):
    latin = all_ids(demo_index, q="author:Hlushchenko")
    cyrillic = all_ids(demo_index, q="author:Глущенко")
    assert (
        latin
        == cyrillic
        == {
            "up-2025-08-27-isw-kremlin-guarantees",
            "up-2025-08-27-isw-kremlin-guarantees-uk",
        }
    )


def test_kremlin_finds_the_seed(demo_index):
    assert "up-2025-08-27-isw-kremlin-guarantees" in all_ids(demo_index, q="Kremlin")


def test_or_not_minus_field_prefix_parentheses(demo_index):
    football = all_ids(demo_index, q="football")
    futbol = all_ids(demo_index, q="футбол")
    assert football and futbol
    assert all_ids(demo_index, q="football OR футбол") == football | futbol
    kyiv = all_ids(demo_index, q="Kyiv")
    assert all_ids(demo_index, q="Kyiv -football") == kyiv - football
    assert all_ids(demo_index, q="Kyiv NOT football") == kyiv - football
    assert all_ids(demo_index, q="(football OR футбол) -Vyshhorod") < football | futbol
    assert all_ids(demo_index, q="title:Kremlin") <= all_ids(demo_index, q="Kremlin")
    assert all_ids(demo_index, q="tag:ISW") == {
        "up-2025-08-27-isw-kremlin-guarantees",
        "up-2025-08-27-isw-kremlin-guarantees-uk",
    }
    assert all_ids(demo_index, q="guarant*") >= all_ids(demo_index, q="guarantee")


def test_bad_syntax_falls_back_with_notice(demo_index):
    closed = search(demo_index, q='"security guarantees')
    assert [n.code for n in closed["notices"]] == ["query.closed"]
    assert "up-2025-08-27-isw-kremlin-guarantees" in ids(closed)
    flattened = search(demo_index, q="Kremlin ISW)")
    assert [n.code for n in flattened["notices"]] == ["query.plain_words"]
    assert "up-2025-08-27-isw-kremlin-guarantees" in ids(flattened)
    short = search(demo_index, q="Ky*")
    assert [n.code for n in short["notices"]] == ["query.prefix_too_short"]
    assert any("at least 3 letters" in notice.text for notice in short["notices"])


@pytest.mark.parametrize(
    "q",
    [
        "*",
        "AND",
        "OR OR",
        "NOT",
        "(((",
        ")",
        '"',
        "title:",
        ":",
        "-",
        "a" * 900,
        "\x00",
        "😀",
        "author:(",
        'tag:"',
        "field:value",
        "[1 TO 2]",
        "^2",
        "Україна^",
        "~",
        "*?*",
    ],
)
def test_odd_queries_never_fail(demo_index, q):
    result = search(demo_index, q=q)
    assert result["total"] >= 0
    assert isinstance(result["hits"], list)


def test_facets_have_counts_and_exclude_their_own_selection(demo_index):
    everything = search(demo_index)
    sources = {f["value"]: f["count"] for f in everything["facets"]["source"]}
    assert sources["Є"] == 3
    assert sum(f["count"] for f in everything["facets"]["language"]) == everything["total"]
    narrowed = search(demo_index, source="Є")
    assert narrowed["total"] == 3
    narrowed_sources = {f["value"]: f for f in narrowed["facets"]["source"]}
    assert narrowed_sources["Є"]["selected"] is True
    assert narrowed_sources["Суспільне"]["count"] == sources["Суспільне"]  # others still shown
    languages = {f["value"]: f["count"] for f in narrowed["facets"]["language"]}
    assert languages == {"uk": 3}


def test_values_of_one_facet_or_different_facets_and(demo_index):
    ye = all_ids(demo_index, source="Є")
    suspilne = all_ids(demo_index, source="Суспільне")
    assert all_ids(demo_index, source=["Є", "Суспільне"]) == ye | suspilne
    education = all_ids(demo_index, tag="освіта")
    assert all_ids(demo_index, source=["Є", "Суспільне"], tag="освіта") == (
        (ye | suspilne) & education
    )


def test_author_and_language_filters(demo_index):
    found = all_ids(demo_index, author="Ірина Савчук")
    assert found == {  # her name in either script is one author (tests/test_bylines.py)
        "epravda-2021-06-03-poltava-honey-coop-uk",
        "epravda-2020-04-03-fop-tax-deferral",
        "epravda-2021-06-03-poltava-honey-coop-en",
        "epravda-2024-10-05-black-sea-grain-exports",
    }
    english = all_ids(demo_index, language="en")
    assert english and all(i in english for i in all_ids(demo_index, language="en", q="Kyiv"))


def test_date_range_inclusive_and_histogram(demo_index):
    in_2016 = all_ids(demo_index, **{"from": "2016", "to": "2016"})
    assert in_2016 == {"ye-2016-verbivka-library-computers"}
    day = all_ids(demo_index, **{"from": "2022-02-24", "to": "2022-02-24"})
    assert day == {"kyivindependent-2022-02-24-kyiv-morning"}
    histogram = search(demo_index)["facets"]["date"]
    assert histogram["granularity"] == "year"
    years = {b["value"]: b["count"] for b in histogram["buckets"]}
    assert set(years) >= {str(y) for y in range(2014, 2026)}
    assert histogram["undated"] == 1
    assert sum(years.values()) + histogram["undated"] == search(demo_index)["total"]
    zoomed = search(demo_index, **{"from": "2023-01-01", "to": "2023-12-31"})["facets"]["date"]
    assert zoomed["granularity"] == "month"


def test_sorting_and_paging(demo_index):
    newest = search(demo_index, sort="newest", per_page=5)
    dates = [hit["published"] for hit in newest["hits"]]
    assert dates[0].startswith("2025-08-27")
    oldest = search(demo_index, sort="oldest", per_page=100)["hits"]
    assert oldest[0]["published"].startswith("2014")
    assert oldest[-1]["published"] is None  # undated last
    pages = [ids(search(demo_index, page=p, per_page=10)) for p in (1, 2, 3, 4)]
    assert sum(len(p) for p in pages) == search(demo_index)["total"]
    assert not set.intersection(*pages[:3])
    assert search(demo_index, page=999)["hits"] == []


def test_browsing_lists_everything_newest_first(demo_index):
    result = search(demo_index, per_page=100)
    assert result["total"] == len(demo_records())
    assert result["sort"] == "newest"


def test_relevance_prefers_title_matches(demo_index):
    hits = search(demo_index, q="Kremlin")["hits"]
    assert "Kremlin" in hits[0]["title"]


def test_translations_listed_with_hits(demo_index):
    hit = next(
        h
        for h in search(demo_index, q="Kremlin")["hits"]
        if h["id"] == "up-2025-08-27-isw-kremlin-guarantees"
    )
    assert [t["id"] for t in hit["translations"]] == ["up-2025-08-27-isw-kremlin-guarantees-uk"]


def test_more_like_this(demo_index):
    article = demo_index.store.get("epravda-2021-06-03-poltava-honey-coop-en")
    related = demo_index.more_like_this(article)
    assert related and article.id not in {r["id"] for r in related}


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"sort": "best"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": "1000"}, "per_page"),
        ({"from": "2016-13"}, "from"),
        ({"from": "2020", "to": "2019"}, "from"),
    ],
)
def test_bad_parameters_are_named(params, param):
    with pytest.raises(RequestError) as caught:
        request_from_mapping(params)
    assert caught.value.param == param


def test_snippets_escape_markup(tmp_path):
    from archive.record import validate_record
    from archive.store import Store
    from index.searching.search import SearchIndex
    from index.segments import indexer

    store = Store(tmp_path / "a.sqlite3")
    store.upsert(
        [
            validate_record(
                {
                    "id": "x",
                    "title": "<script>alert(1)</script> budget",
                    "language": "en",
                    "body": "The budget <img src=x onerror=alert(1)> and "
                    '<a href="javascript:alert(1)">x</a>',
                }
            )
        ]
    )
    indexer.catch_up(store, tmp_path / "index")
    hit = SearchIndex(tmp_path / "index", store).search(request_from_mapping({"q": "budget"}))[
        "hits"
    ][0]
    for html in (hit["snippet"], hit["title_html"]):
        assert "<script" not in html and "<img" not in html and "<a " not in html
        assert "<mark>budget</mark>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in hit["snippet"]


def test_readers_see_a_new_import_without_restart(tmp_path):
    from archive.record import validate_record
    from archive.store import Store
    from index.searching.search import SearchIndex
    from index.searching.views import IndexUnavailable
    from index.segments import indexer

    store = Store(tmp_path / "a.sqlite3")
    index = SearchIndex(tmp_path / "index", store)
    with pytest.raises(IndexUnavailable, match="there is no search index"):
        index.search(request_from_mapping({"q": "budget"}))
    assert not (tmp_path / "index").exists()  # a reader does not create an empty index
    indexer.catch_up(store, tmp_path / "index")
    assert index.search(request_from_mapping({"q": "budget"}))["total"] == 0
    store.upsert([validate_record({"id": "1", "title": "Budget", "body": "", "language": "en"})])
    indexer.catch_up(store, tmp_path / "index")
    assert index.search(request_from_mapping({"q": "budget"}))["total"] == 1
    indexer.rebuild(store, tmp_path / "index")
    assert index.search(request_from_mapping({"q": "budget"}))["total"] == 1
    opened: list[int] = []
    index.views.opened = lambda: opened.append(1)
    store.upsert([validate_record({"id": "2", "title": "Budget", "body": "", "language": "en"})])
    indexer.catch_up(store, tmp_path / "index")
    assert index.search(request_from_mapping({"q": "budget"}))["total"] == 2
    assert index.search(request_from_mapping({"q": "budget"}))["total"] == 2
    assert opened == [1]  # once per generation opened, not per search


def test_searches_beyond_the_cores_wait_their_turn(demo_archive, monkeypatch):
    from archive.store import Store
    from index.searching import search as searching

    monkeypatch.setattr(searching, "SEARCHES_AT_ONCE", 2)
    index = searching.SearchIndex(demo_archive / "index", Store(demo_archive / "archive.sqlite3"))
    inside, most, lock = [0], [0], threading.Lock()
    release = threading.Event()
    evaluating = index._search

    def held(*args):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        release.wait(5)
        try:
            return evaluating(*args)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(index, "_search", held)
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                index.search(request_from_mapping({"q": "Kyiv"}))["total"]
            )
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    _soon(lambda: inside[0] == 2)
    time.sleep(0.3)
    assert inside[0] == 2  # two evaluate, four wait
    release.set()
    for thread in threads:
        thread.join(10)
    assert most[0] == 2 and len(results) == 6 and len(set(results)) == 1 and results[0] > 0


def test_turns_are_taken_in_the_order_searches_came():
    from index.searching.search import Turns

    turns = Turns(1)
    order: list[int] = []

    def search(number: int, hold: threading.Event | None = None) -> None:
        with turns:
            order.append(number)
            if hold is not None:
                hold.wait(5)

    first_hold = threading.Event()
    first = threading.Thread(target=search, args=(0, first_hold))
    first.start()
    _soon(lambda: order == [0])
    waiting = []
    for number in range(1, 6):  # each queued before the next comes
        waiting.append(threading.Thread(target=search, args=(number,)))
        waiting[-1].start()
        _soon(lambda n=number: len(turns._waiting) == n)
    first_hold.set()
    for thread in [first, *waiting]:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4, 5]
    # A slot that ends goes to the one waiting, not to one that arrives just then.
    order.clear()
    held, second_hold = threading.Event(), threading.Event()
    holder = threading.Thread(target=search, args=(1, held))
    holder.start()
    _soon(lambda: order == [1])
    queued = threading.Thread(target=search, args=(2, second_hold))
    queued.start()
    _soon(lambda: len(turns._waiting) == 1)
    held.set()
    _soon(lambda: order == [1, 2])  # handed over: 2 holds the slot now
    late = threading.Thread(target=search, args=(3,))
    late.start()
    time.sleep(0.2)
    assert order == [1, 2]  # 3 waits for 2, though it came as 1 left
    second_hold.set()
    for thread in (holder, queued, late):
        thread.join(5)
    assert order == [1, 2, 3]
