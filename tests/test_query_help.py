"""Forgiving input: a query typed in the wrong keyboard layout, and "Did you mean", through the
API and the page, on the demo archive imported into a temporary home."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.searching.keyboard import converted
from index.searching.query_help import FEW_RESULTS
from tests.web_fixtures import ARKHIV, import_fixtures
from webapp.app import create_app

# -- the layouts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Erhf]yf", "Україна"),
        ("Erhfsyf", "Украіна"),
        ("руддщ", "hello"),
        ("Rb]d", "Київ"),
        ('"dhjgf', "Європа"),  # a lone quote is the key of Є
        ('title:"Erhf]yf"', 'title:"Україна"'),  # a field and paired quotes stay
        ("(ujdjhbnm OR rb]d) -gjlfnrb*", "(говорить OR київ) -податки*"),
        ("ешедуЖруддщ", "title:hello"),  # «Ж» is the key of ":"
        ("заголовок:руддщ", "заголовок:hello"),
        ("Ljyfkml NOT Nhfvg", "Дональд NOT Трамп"),
    ],
)
def test_a_query_reads_in_the_other_layout(typed, meant):
    assert converted(typed) == meant


@pytest.mark.parametrize("typed", ["2024", "Kyiv Київ", "title:", "AND", "", "Укрвїна"])
def test_what_is_a_word_in_no_other_layout_is_not_converted(typed):
    # No letters, both scripts, only syntax; «Укрвїна» would fall apart into two words.
    assert converted(typed) is None


def test_a_word_the_index_knows_stays_as_typed():
    assert converted("Kyiv Ljyfkmlf", lambda word: word == "Kyiv") == "Kyiv Дональда"


# -- the API and the page ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return import_fixtures(tmp_path_factory.mktemp("query-help"), "seed.json", "articles.jsonl")


@pytest.fixture(scope="module")
def client(home):
    app = create_app({"ARKHIV_HOME": str(home), "TESTING": True})
    client = app.test_client()
    # No search waits for "Did you mean": the first opens the index, which starts building
    # its vocabulary; these tests look at suggestions once it is built.
    search(client, q="Україна")
    views = app.extensions["arkhiv"].index.views
    deadline = time.monotonic() + 30
    while not views.vocabulary_ready() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert views.vocabulary_ready()
    return client


def search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_wrong_layout_query_is_searched_converted_with_a_notice(client):
    typed = search(client, q="Erhf]yf")
    meant = search(client, q="Україна")
    assert typed["query"] == "Erhf]yf" and typed["searched"] == "Україна"
    assert typed["total"] == meant["total"] > 0
    notice = next(n for n in typed["notices"] if n["code"] == "query.layout")
    assert notice["params"] == {"typed": "Erhf]yf", "query": "Україна"}
    # і typed for ї, as the issue's own example: found through the name's transliteration.
    assert search(client, q="Erhfsyf")["total"] == meant["total"]


def test_the_literal_search_is_not_converted_and_keeps_literal_through_pages(client):
    literal = search(client, q="Erhf]yf", literal=1)
    assert literal["total"] == 0 and literal["searched"] == "Erhf]yf"
    assert not [n for n in literal["notices"] if n["code"] == "query.layout"]
    page = client.get("/", query_string={"q": "Erhf]yf"}).get_data(as_text=True)
    assert "literal=1" in page and 'data-code="query.layout"' in page


def test_exports_and_feeds_read_the_layout_as_the_page_does(client):
    meant = search(client, q="Україна", per_page=100)["total"]
    exported = client.get("/export", query_string={"q": "Erhf]yf", "format": "jsonl"})
    assert len(exported.get_data(as_text=True).splitlines()) == meant > 0
    literal = client.get("/export", query_string={"q": "Erhf]yf", "format": "jsonl", "literal": 1})
    assert literal.get_data(as_text=True).strip() == ""
    assert client.get("/feed", query_string={"q": "Erhf]yf"}).status_code == 200


def test_a_query_that_finds_something_is_not_converted(client):
    found = search(client, q="budget")
    assert found["searched"] == "budget" and found["total"] > 0
    assert found["suggestion"] is None or found["total"] < FEW_RESULTS


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("Ukrane", "Ukraine"), ("sheltres", "shelters"), ("гарантиї", "гарантії"), ("Kyvi", "Kyiv")],
)
def test_a_misspelling_gets_a_suggestion_that_finds_more(client, typed, meant):
    found = search(client, q=typed)
    assert found["suggestion"] == meant
    assert search(client, q=meant, literal=1)["total"] > found["total"]


def test_i_typed_for_yi_finds_what_the_word_meant_finds(client):
    # The Ukrainian layout's ї key is out on the right; «гарантіі» is «гарантії» typed so, and
    # finds what it finds, with nothing to suggest.
    meant = search(client, q="гарантії", literal=1)
    typed = search(client, q="гарантіі", literal=1)
    assert typed["total"] == meant["total"] > 0
    assert search(client, q="гарантіі")["suggestion"] is None


def test_a_suggestion_keeps_field_prefixes_and_quotes(client):
    assert search(client, q='title:"Ukrane"')["suggestion"] == 'title:"Ukraine"'


def test_a_correct_query_gets_no_suggestion(client):
    for q in ("Ukraine", "Україна", "Kyiv", "hello", "zzzzqqq"):
        found = search(client, q=q)
        assert found["suggestion"] is None, q
        assert found["searched"] == q


@pytest.mark.parametrize(
    "q", ['"', "title:", "-Erhf]yf", "*", "ешедуЖ", "(((", "NOT", 'Erhf]yf"', "ъъъ ыыы", "a" * 900]
)
def test_odd_queries_never_fail(client, q):
    assert client.get("/api/search", query_string={"q": q}).status_code in (200, 400)
    assert client.get("/", query_string={"q": q}).status_code in (200, 400)


@pytest.mark.parametrize(
    ("locale", "notice", "literal", "did_you_mean"),
    [
        ("en", "in the other keyboard layout", "as typed", "Did you mean:"),
        (
            "uk",
            "в іншій розкладці клавіатури",
            "саме так, як набрано",
            "Можливо, ви мали на увазі:",
        ),
    ],
)
def test_the_page_says_it_in_both_languages(client, locale, notice, literal, did_you_mean):
    headers = {"Accept-Language": locale}
    converted_page = client.get("/?q=Erhf%5Dyf", headers=headers).get_data(as_text=True)
    assert notice in converted_page and literal in converted_page
    suggested = client.get("/?q=Ukrane", headers=headers).get_data(as_text=True)
    assert did_you_mean in suggested and "q=Ukraine" in suggested


def test_a_word_imported_a_minute_ago_can_be_suggested(home, client, tmp_path):
    assert search(client, q="Zaporihzstal")["suggestion"] is None
    fresh = tmp_path / "fresh.jsonl"
    with fresh.open("w", encoding="utf-8") as out:
        for n in range(2):
            record = {
                "id": f"fresh-{n}",
                "title": f"Zaporizhstal report {n}",
                "body": "Zaporizhstal said output grew.",
                "language": "en",
            }
            out.write(json.dumps(record) + "\n")
    env = {"ARKHIV_HOME": str(home), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([str(ARKHIV), "import", "--no-progress", str(fresh)], env=env)
    assert done.returncode == 0
    # The next search needing a suggestion builds the new generation's vocabulary meanwhile.
    deadline = time.monotonic() + 30
    while search(client, q="Zaporihzstal")["suggestion"] is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert search(client, q="Zaporihzstal")["suggestion"] == "Zaporizhstal"


# -- the vocabulary ------------------------------------------------------------------------------


def test_the_vocabulary_is_bounded_per_script(monkeypatch):
    from index.segments import vocabulary

    monkeypatch.setattr(vocabulary, "WORDS_PER_SCRIPT", 3)
    counts = [
        {"україна": 9, "київ": 5, "гроші": 4, "закон": 2, "один": 1},
        {"budget": 7, "kyiv": 3},
    ]
    built = vocabulary.Vocabulary(counts)
    assert built.words == {"cyrillic": 3, "latin": 2}
    assert [c.term for c in built.candidates("укрвїна")] == ["україна"]
    assert built.candidates("закно") == []  # not among the 3 most frequent
    assert built.candidates("однн") == []  # in one article only


def test_a_new_generation_of_the_vocabulary_reads_no_segment_again_and_waits_its_time(
    home, monkeypatch
):
    from index.searching.views import IndexViews
    from index.segments import vocabulary
    from index.segments.posting_arrays import PostingArrays

    # Segments written before each kept its words: their term tables are walked once.
    monkeypatch.setattr(PostingArrays, "words", lambda self: None)
    read = []
    original = vocabulary.term_table_words
    monkeypatch.setattr(
        vocabulary, "term_table_words", lambda leaf: read.append(1) or original(leaf)
    )
    vocabularies = vocabulary.Vocabularies()
    views = IndexViews(home / "index", warm_segments=False)
    try:
        with views.acquire() as view:
            assert vocabularies.get(view) is None or vocabularies.ready()  # never waits
            first = vocabularies.get(view, wait=30)
            segments = len(read)
            assert first is not None and segments >= 1
            view.key = (view.key[0], view.key[1] + 1)  # a later generation of the same segments
            # Built moments ago: the newer generation's waits (an import commits every few
            # seconds), and the older one serves.
            assert vocabularies.get(view) is first
            assert vocabularies._building is None
            monkeypatch.setattr(vocabulary, "REBUILD_SECONDS", 0.0)
            vocabularies.get(view)  # the older one serves while the new one is built
            deadline = time.monotonic() + 10
            while vocabularies.get(view) is first and time.monotonic() < deadline:
                time.sleep(0.05)
            assert vocabularies.get(view) is not first
            assert len(read) == segments
    finally:
        views.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(list("qwerty[];',./\"ЙцукЕНгшщзхїєґ'Ж:()*-+ ") + ["AND ", "OR ", "title:"]),
        max_size=30,
    ).map("".join)
)
def test_any_query_is_helped_without_failing(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        body = response.get_json()
        assert body["suggestion"] is None or body["suggestion"].casefold() != q.strip().casefold()
