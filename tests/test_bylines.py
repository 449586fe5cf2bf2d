"""Names typed as words find their articles; one person (or place) is one facet value.

Plain query words also search the bylines, tags and outlet through the name keys the text uses,
so a full name in either script or romanisation finds the person's articles, theirs first; an
author or tag written in two scripts is one facet value in the reader's script, chosen by any
of its spellings (search, export and feed alike).
"""

from __future__ import annotations

import json
import re

import pytest

from index.searching.request import request_from_mapping
from index.text.facet_groups import in_script, value_key
from tests.conftest import corpus_dir, needs_corpus, run_arkhiv, write_jsonl
from tests.web_fixtures import import_fixtures
from webapp.app import create_app

SEED_ID = "up-2025-08-27-isw-kremlin-guarantees"
MARTA = {
    "hromadske-2023-11-15-kyiv-school-shelters-en",
    "hromadske-2023-11-15-kyiv-school-shelters-uk",
    "hromadske-2023-03-10-security-guarantees-forum",
    "hromadske-2025-03-12-kharkiv-phone-repair",
    "hromadske-2022-09-12-kharkiv-region-return",
}
KYIV_TAGGED = 8  # 3 articles tagged "Kyiv", 5 tagged «Київ» (fixtures/)


def search(index, **params):
    return index.search(request_from_mapping({"per_page": 100, "collapse": "0", **params}))


def ids(result) -> list[str]:
    return [hit["id"] for hit in result["hits"]]


# -- names typed as words ------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["Olha Hlushchenko", "Ольга Глущенко", "olha hlushchenko"])
def test_a_byline_typed_finds_the_seed(demo_index, q):
    assert SEED_ID in ids(search(demo_index, q=q))


def test_each_word_may_be_found_in_another_field(demo_index):
    # "Kremlin" is in the seed's text, "Hlushchenko" only in its byline.
    assert SEED_ID in ids(search(demo_index, q="Hlushchenko Kremlin"))
    # Every word must still be found somewhere: she wrote nothing about phone repairs.
    assert SEED_ID not in ids(search(demo_index, q="Hlushchenko phone repair"))


def test_tags_and_outlet_are_searched_too(demo_index):
    found = set(ids(search(demo_index, q="Hromadske")))
    assert "hromadske-2025-03-12-kharkiv-phone-repair" in found  # the outlet, not in its text
    tagged = set(ids(search(demo_index, q="shelters")))
    assert "hromadske-2023-11-15-kyiv-school-shelters-en" in tagged


def test_a_name_in_the_text_still_ranks_above_one_in_the_byline(demo_index):
    # A single word is no full name: the text outranks the byline (scored flat, and low).
    result = search(demo_index, q="Kovalenko")
    assert {hit["id"] for hit in result["hits"]} == MARTA
    assert all(hit["score"] < 1 for hit in result["hits"])


def test_highlighting_marks_the_text_words_of_a_name_query(demo_index):
    result = search(demo_index, q="Olha Hlushchenko Kremlin")
    seed = next(hit for hit in result["hits"] if hit["id"] == SEED_ID)
    assert "<mark>" in seed["snippet"] or "<mark>" in seed["title_html"]


MILLER = [
    {
        "id": "by-her",
        "title": "Погода на вихідні",
        "body": "Синоптики обіцяють дощ у суботу і сонце в неділю.",
        "language": "uk",
        "authors": ["Галина Мельник"],
        "published": "2020-05-01",
    },
    {
        "id": "by-her-en",
        "title": "Weekend weather",
        "body": "Forecasters expect rain on Saturday and sun on Sunday.",
        "language": "en",
        "authors": ["Halyna Melnyk"],
        "published": "2020-05-02",
    },
    {
        "id": "about-a-miller",
        "title": "Мельник Галина знову запустила старий млин",
        "body": "Мельник із села Галина Воля: мельник Галина розповіла, як мельник мелe борошно. "
        "Галина Мельник, мельник у третьому поколінні, показала жорна.",
        "language": "uk",
        "authors": ["Петро Коваль"],
        "published": "2021-05-01",
    },
    {
        "id": "by-a-double-surname",
        "title": "Ярмарок у неділю",
        "body": "На площі продаватимуть мед і сир.",
        "language": "uk",
        "authors": ["Олена Петренко-Сидоренко"],
        "published": "2020-06-01",
    },
    {
        "id": "about-the-petrenkos",
        "title": "Олена Петренко і Сидоренко: родина Петренко-Сидоренко на ярмарку",
        "body": "Олена Петренко-Сидоренко, Петренко, Сидоренко, Олена: усі продавали мед.",
        "language": "uk",
        "authors": ["Петро Коваль"],
        "published": "2021-06-01",
    },
]


@pytest.fixture(scope="module")
def miller_index(tmp_path_factory):
    from archive.store import Store
    from index.searching.search import SearchIndex

    home = tmp_path_factory.mktemp("miller") / "home"
    home.mkdir()
    source = write_jsonl(home.parent / "miller.jsonl", MILLER)
    done = run_arkhiv(home, "import", "--no-progress", str(source))
    assert done.returncode == 0, done.stderr
    index = SearchIndex(home / "index", Store(home / "archive.sqlite3"))
    yield index
    index.close()


@pytest.mark.parametrize("q", ["Галина Мельник", "Halyna Melnyk", "галина мельник"])
def test_the_whole_name_ranks_her_articles_above_one_about_a_miller(miller_index, q):
    found = ids(search(miller_index, q=q))
    assert set(found[:2]) == {"by-her", "by-her-en"}
    assert "about-a-miller" in found[2:]  # still found, below


def test_a_name_matched_as_words_says_nothing_and_still_ranks(miller_index, monkeypatch):
    # Past the limit of positional work a phrase is matched as its words: for a quoted phrase
    # the reader is told; the byline's own phrase was never asked for, so it says nothing.
    monkeypatch.setattr("index.searching.matching.PHRASE_WORK_LIMIT", 0)
    named = search(miller_index, q="Галина Мельник")
    assert set(ids(named)[:2]) == {"by-her", "by-her-en"}
    assert not [n for n in named["notices"] if n.code == "query.phrase_as_words"]
    quoted = search(miller_index, q='"мельник галина"')
    assert [n for n in quoted["notices"] if n.code == "query.phrase_as_words"]


def test_a_double_surname_is_a_name_too(miller_index):
    found = ids(search(miller_index, q="Олена Петренко-Сидоренко"))
    assert found[0] == "by-a-double-surname" and "about-the-petrenkos" in found


def test_one_word_of_the_name_ranks_by_the_text(miller_index):
    assert ids(search(miller_index, q="Мельник"))[0] == "about-a-miller"


def test_a_quoted_or_fielded_query_gets_no_byline_bonus(miller_index):
    # Operators mean the reader writes a query, not a name: matched and ranked as written.
    assert set(ids(search(miller_index, q="author:Мельник"))) == {"by-her", "by-her-en"}
    quoted = ids(search(miller_index, q='"Галина Мельник"'))
    assert quoted[0] == "about-a-miller" and set(quoted[1:]) == {"by-her", "by-her-en"}


# -- one person, one facet value ----------------------------------------------------------------


def test_value_keys_group_scripts_not_words():
    assert value_key("Марта Коваленко") == value_key("Marta Kovalenko")
    assert value_key("Київ") == value_key("Kyiv") == value_key("Kiev")
    assert value_key("Ольга Глущенко") == value_key("Olha Hlushchenko")
    assert value_key("спорт") != value_key("sport")  # lowercase tags are words, not names
    assert value_key("Марта Коваленко") != value_key("Марта Ковальчук")
    assert in_script(["Marta Kovalenko", "Марта Коваленко"], "Cyrl") == "Марта Коваленко"
    assert in_script(["Марта Коваленко"], "Latn") == "Марта Коваленко"  # none in that script


@pytest.mark.parametrize(
    ("script", "label"), [("Cyrl", "Марта Коваленко"), ("Latn", "Marta Kovalenko")]
)
def test_one_author_one_facet_value(demo_index, script, label):
    result = demo_index.search(request_from_mapping({"q": "Kovalenko"}), script)
    authors = [a for a in result["facets"]["author"] if "Kovalenko" in str(a.get("spellings"))]
    assert len(authors) == 1
    (marta,) = authors
    assert marta["label"] == marta["value"] == label
    assert marta["count"] == 5
    assert set(marta["spellings"]) == {"Марта Коваленко", "Marta Kovalenko"}
    values = [a["label"] for a in result["facets"]["author"]]
    assert "Marta Kovalenko" not in values or "Марта Коваленко" not in values


@pytest.mark.parametrize("spelling", ["Marta Kovalenko", "Марта Коваленко"])
def test_any_spelling_selects_all(demo_index, spelling):
    result = search(demo_index, author=spelling)
    assert set(ids(result)) == MARTA
    (chosen,) = [a for a in result["facets"]["author"] if a["selected"]]
    assert chosen["value"] == spelling and chosen["count"] == 5


def test_a_tag_that_is_a_place_is_one_value(demo_index):
    kyiv = set(ids(search(demo_index, tag="Kyiv")))
    assert kyiv == set(ids(search(demo_index, tag="Київ")))
    assert set(ids(search(demo_index, tag="Kiev"))) == kyiv  # an older spelling, not stored
    assert len(kyiv) == KYIV_TAGGED
    tags = demo_index.search(request_from_mapping({}), "Latn")["facets"]["tag"]
    (entry,) = [t for t in tags if "Kyiv" in t.get("spellings", [t["value"]])]
    assert entry["label"] == "Kyiv" and entry["count"] == KYIV_TAGGED
    assert not [t for t in tags if t["value"] == "Київ"]


def test_an_article_holding_two_spellings_counts_once(tmp_path):
    from archive.store import Store
    from index.searching.search import SearchIndex

    home = tmp_path / "home"
    home.mkdir()
    records = [
        {"id": "both", "title": "Двомовний допис", "body": "Текст.", "language": "uk",
         "authors": ["Марта Коваленко", "Marta Kovalenko"]},
        {"id": "one", "title": "A post", "body": "Text.", "language": "en",
         "authors": ["Marta Kovalenko"]},
    ]  # fmt: skip
    done = run_arkhiv(
        home, "import", "--no-progress", str(write_jsonl(tmp_path / "a.jsonl", records))
    )
    assert done.returncode == 0, done.stderr
    index = SearchIndex(home / "index", Store(home / "archive.sqlite3"))
    try:
        (entry,) = index.search(request_from_mapping({}), "Cyrl")["facets"]["author"]
        assert entry["count"] == 2 and entry["label"] == "Марта Коваленко"
    finally:
        index.close()


# -- the same through the web: API labels by interface, page, export, feed, article page ----------


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = import_fixtures(tmp_path_factory.mktemp("bylines-web"), "seed.json", "articles.jsonl")
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()


@pytest.mark.parametrize(
    ("language", "label"), [("uk", "Марта Коваленко"), ("en", "Marta Kovalenko")]
)
def test_api_facet_in_the_readers_script(client, language, label):
    body = client.get("/api/search?q=Kovalenko", headers={"Accept-Language": language}).get_json()
    marta = [a for a in body["facets"]["author"] if a["label"] == label]
    assert len(marta) == 1 and marta[0]["count"] == 5
    assert {a["label"] for a in body["facets"]["author"]}.isdisjoint(
        {"Марта Коваленко", "Marta Kovalenko"} - {label}
    )
    chosen = client.get(
        f"/api/search?author={marta[0]['value']}&collapse=0", headers={"Accept-Language": language}
    ).get_json()
    assert chosen["total"] == 5


@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("uk", "Марта Коваленко", "Marta Kovalenko"),
    ("en", "Marta Kovalenko", "Марта Коваленко"),
])  # fmt: skip
def test_page_facet_shows_one_value(client, language, shown, hidden):
    page = client.get("/?q=Kovalenko", headers={"Accept-Language": language}).get_data(as_text=True)
    facet = page[page.index('data-facet="author"') :]
    facet = facet[: facet.index("</section>")]
    assert shown in facet and hidden not in facet
    assert '<span class="count">5</span>' in facet


def test_a_name_chosen_in_the_other_script_is_shown_in_the_readers(client):
    page = client.get("/?author=Marta+Kovalenko", headers={"Accept-Language": "uk"}).get_data(
        as_text=True
    )
    chips = page[page.index('<ul class="chips"') :]
    shown = re.sub(
        r"<[^>]+>", "", chips[: chips.index("</ul>")]
    )  # the text, not the button's value
    assert "Марта Коваленко" in shown and "Marta Kovalenko" not in shown


def test_export_and_feed_agree_with_the_search(client):
    exported = client.get("/export?author=Marta+Kovalenko&format=jsonl&collapse=0")
    assert exported.status_code == 200
    rows = [json.loads(line) for line in exported.get_data(as_text=True).splitlines() if line]
    assert {row["id"] for row in rows} == MARTA
    feed = client.get("/feed?author=Марта+Коваленко").get_data(as_text=True)
    assert feed.count("<entry>") == len(MARTA)


def test_the_article_page_shows_the_byline_as_written(client):
    page = client.get(
        "/article/hromadske-2025-03-12-kharkiv-phone-repair", headers={"Accept-Language": "uk"}
    ).get_data(as_text=True)
    assert "Marta Kovalenko" in page


# -- the real corpus ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("bylines-corpus") / "home"
    files = sorted(str(p) for p in corpus_dir().glob("*.jsonl"))
    done = run_arkhiv(home, "import", "--no-progress", *files)
    assert done.returncode == 0, done.stderr
    return home


@needs_corpus
@pytest.mark.corpus
def test_the_ten_most_frequent_authors_are_found_in_both_scripts(corpus_home):
    from bench.bylines import measure

    rows = measure(corpus_home, corpus_dir() / "uk-bruk-press.jsonl", 10)
    assert len(rows) == 20
    missed = [(r["q"], r["found"], r["first"], r["wrote"]) for r in rows if r["first"] < r["wrote"]]
    assert not missed  # every article of theirs found, and ranked first
    assert {"Галина Мельник", "Halyna Melnyk"} <= {r["q"] for r in rows}
