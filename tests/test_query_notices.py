"""What the page and the API say about a query: each notice and refusal has an id (``code``), an
English text (the API's ``message``) and a translation in both catalogs (the page)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from index.searching.messages import TEXTS, Message
from index.searching.query import closing, parse_query
from index.segments.schema import build_schema
from tests.web_fixtures import ROOT, import_fixtures
from webapp.app import create_app

CATALOGS = ROOT / "webapp" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    home = import_fixtures(tmp_path_factory.mktemp("notices"), "seed.json", "articles.jsonl")
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def page(client, url: str, locale: str) -> str:
    response = client.get(url, headers={"Accept-Language": locale})
    return response.get_data(as_text=True)


def catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as po_file:
        return read_po(po_file, locale=locale)


def extracted() -> set[str]:
    """Every text the interface shows: templates and Python of ``webapp``, and the messages."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    texts = set()
    for _, _, message, _, _ in extract_from_dir(ROOT / "webapp", method_map, keywords=KEYWORDS):
        texts.add(message if isinstance(message, str) else message[0])
    for _, message, _, _ in extract_from_file(
        "python", ROOT / "index" / "searching" / "messages.py", keywords=KEYWORDS
    ):
        texts.add(message)
    return texts


# -- the catalogs ---------------------------------------------------------------------------------


def test_every_message_is_extracted_for_the_catalogs():
    assert set(TEXTS.values()) <= extracted()


@pytest.mark.parametrize("locale", ["uk", "en"])
def test_every_text_is_translated_in_both_catalogs(locale):
    found = catalog(locale)
    for text in extracted():
        entry = found.get(text)
        assert entry is not None and entry.string, f"{locale} lacks {text!r}"
        translation = entry.string if isinstance(entry.string, str) else entry.string[0]
        assert set(PLACEHOLDER.findall(translation)) == set(PLACEHOLDER.findall(text)), text


def test_ukrainian_says_each_message_in_ukrainian():
    found = catalog("uk")
    for code, text in TEXTS.items():
        translation = found.get(text).string
        assert translation != text and re.search("[а-яіїєґ]", translation), code


def test_a_message_needs_a_known_id():
    with pytest.raises(KeyError):
        Message.of("query.no_such_notice")
    assert Message.of("request.too_long", limit=1000).text == "is longer than 1,000 characters"


# -- what was left open is closed at the end ------------------------------------------------------

UNCLOSED = '"гарантії безпеки" OR (title:Київ'


@pytest.mark.parametrize(
    ("text", "added"),
    [
        ("plain words", ""),
        ('"a phrase" (a OR b)', ""),
        ("(title:Київ", ")"),
        ('"гарантії безпеки', '"'),
        ('a "b (c', '"'),  # inside quotes a parenthesis is punctuation
        ('((a OR "b c', '"))'),
        ("(a (b) c", ")"),
        ("a ) b", None),  # a parenthesis closed that was never opened
        ("(a)) (b", None),
    ],
)
def test_what_closes_a_query(text, added):
    assert closing(text) == added


def test_closed_query_is_searched_as_closed():
    schema = build_schema()
    closed = parse_query(UNCLOSED, schema)
    assert closed.query == parse_query(UNCLOSED + ")", schema).query
    [notice] = closed.notices
    assert notice.code == "query.closed"
    assert notice.params == {"added": ")", "query": UNCLOSED + ")"}


def test_only_what_closing_cannot_mend_is_flattened():
    schema = build_schema()
    stray = parse_query("безпеки ) гарантії", schema)
    assert [n.code for n in stray.notices] == ["query.plain_words"]
    assert stray.notices[0].params == {"words": "безпеки гарантії"}
    # Closing would make a phrase longer than a phrase may be: the words are searched instead.
    long_open = parse_query('"' + " ".join(["слово"] * 13), schema)
    assert [n.code for n in long_open.notices] == ["query.plain_words"]


def test_the_issue_query_finds_the_phrase_or_the_title_word(client):
    def total(q):
        return client.get("/api/search", query_string={"q": q}).get_json()

    unclosed, closed = total(UNCLOSED), total(UNCLOSED + ")")
    phrase, title = total('"гарантії безпеки"'), total("title:Київ")
    assert unclosed["total"] == closed["total"] > max(phrase["total"], title["total"]) > 0
    assert {h["id"] for h in unclosed["hits"]} == {h["id"] for h in closed["hits"]}
    assert [n["code"] for n in unclosed["notices"]] == ["query.closed"]
    assert not closed["notices"]
    assert unclosed["notices"][0]["message"] == (
        "The query left a quote or a parenthesis open, so “)” was added at the end: "
        'searched for “"гарантії безпеки" OR (title:Київ)”.'
    )


def test_the_page_says_what_was_searched_in_the_reader_language(client):
    uk = page(client, "/?" + urlencode({"q": UNCLOSED}), "uk")
    en = page(client, "/?" + urlencode({"q": UNCLOSED}), "en")
    searched = escape(UNCLOSED + ")")  # set as code: the query's own quotes stand alone
    assert f"тож у кінці додано <code>)</code>: шукали <code>{searched}</code>." in uk
    assert f"so <code>)</code> was added at the end: searched for <code>{searched}</code>." in en
    assert re.search(r'class="total"[^>]*>\s*9 ', en)
    assert f'value="{escape(UNCLOSED)}"' in en  # the box keeps what was typed


def test_no_query_answers_500(client):
    for q in ['"', "(", ")", '")(', "((((", '"(" ")', "NOT (", "title:(", '-"', "OR (", "(*"]:
        for path in ("/", "/api/search", "/feed"):
            assert client.get(path, query_string={"q": q}).status_code == 200, (path, q)


PIECES = ['"', "(", ")", " ", "OR", "AND", "NOT", "-", "+", "*", ":", "title:", "tag:", "мова:"]
WORDS = ["Київ", "гарантії", "budget", "Ky", "a", "’", "published", "x:y"]


@settings(max_examples=60)
@given(st.lists(st.sampled_from(PIECES + WORDS), max_size=24).map("".join))
@example('budget"Ky')  # read in the Ukrainian layout: the lone quote is Є, nothing left open
def test_whatever_is_typed_the_search_answers_and_says_it_in_both_languages(app, q):
    client = app.test_client()
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code in (200, 400), (q, api.status_code)
    if api.status_code == 400:  # only a phrase longer than a phrase may be
        assert api.get_json()["error"]["code"] == "query.phrase_too_long", q
        return
    codes = [notice["code"] for notice in api.get_json()["notices"]]
    assert set(codes) <= set(TEXTS), codes
    assert not {"query.closed", "query.plain_words"} <= set(codes), q  # closed, or flattened
    # What was searched: the query as typed, or as read in the other keyboard layout (where a
    # lone `"` is the letter Є), which then says so.
    searched = api.get_json()["searched"]
    assert searched == q.strip() or "query.layout" in codes, q
    if closing(searched.strip()) != "":  # something left open, or closed that was never opened
        assert "query.closed" in codes or "query.plain_words" in codes, q
    for locale in ("uk", "en"):
        response = client.get("/", query_string={"q": q}, headers={"Accept-Language": locale})
        assert response.status_code == 200, (q, locale)
        assert response.get_data(as_text=True).count('class="notice"') == len(codes)


# -- notices on the page and in the API -----------------------------------------------------------


def test_api_notice_has_its_id_english_and_values(client):
    body = client.get("/api/search", query_string={"q": "Ky*"}).get_json()
    [notice] = body["notices"]
    assert notice["code"] == "query.prefix_too_short"
    assert (
        notice["message"]
        == "A prefix search needs at least 3 letters: “ky*” was searched as a word."
    )
    assert notice["params"] == {"letters": 3, "prefix": "ky"}


def test_api_notices_are_english_whatever_the_reader_language(client):
    body = client.get("/api/search?q=Ky*", headers={"Accept-Language": "uk"}).get_json()
    assert body["notices"][0]["message"].startswith("A prefix search needs")


@pytest.mark.parametrize(
    ("q", "code", "english", "ukrainian"),
    [
        (
            "Ky*",
            "query.prefix_too_short",
            "A prefix search needs at least 3 letters",
            "Пошук за початком слова",
        ),
        (
            "published:2016",
            "query.not_a_field",
            "is not a field to search by",
            "не поле, за яким можна шукати",
        ),
        ("budget )", "query.plain_words", "could not be read as written", "не вдалося прочитати"),
    ],
)
def test_page_notice_in_the_reader_language(client, q, code, english, ukrainian):
    uk = page(client, f"/?q={q}", "uk")
    en = page(client, f"/?q={q}", "en")
    assert f'data-code="{code}"' in uk and f'data-code="{code}"' in en
    assert ukrainian in uk and english not in uk
    assert english in en and ukrainian not in en


# -- refusals ---------------------------------------------------------------------------------


def test_api_refusal_has_its_id(client):
    response = client.get("/api/search?from=2016-13", headers={"Accept-Language": "uk"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "request.not_a_date" and error["param"] == "from"
    assert (
        error["message"] == "from: '2016-13' is not a date (expected 2016, 2016-05 or 2016-05-12)"
    )
    assert error["params"] == {"value": "'2016-13'"}


@pytest.mark.parametrize(
    ("query", "english", "ukrainian"),
    [
        ("from=2016-13", "is not a date", "— не дата"),
        ("page=0", "must be between 1 and 10,000", "має бути від 1 до 10\u00a0000"),
        ("sort=best", "is not one of relevance, newest, oldest", "не одне з можливих значень"),
        ("from=2020&to=2019", "is after to", "пізніше за дату «to»"),
        ("q=" + "%22" + "+".join(["the"] * 13) + "%22", "at most 12 words", "щонайбільше 12 слів"),
    ],
)
def test_page_refusal_in_the_reader_language(client, query, english, ukrainian):
    uk = client.get(f"/?{query}", headers={"Accept-Language": "uk"})
    en = client.get(f"/?{query}", headers={"Accept-Language": "en"})
    assert uk.status_code == en.status_code == 400
    assert ukrainian in uk.get_data(as_text=True)
    assert english not in uk.get_data(as_text=True)
    assert english in en.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/articles/no-such-article", 404, "http.not_found"),
        ("/api/search?per_page=x", 400, "request.not_a_number"),
        ("/api/analyze?text=x&language=fr", 400, "request.not_one_of"),
        ("/export?format=xml", 400, "request.not_one_of"),
        ("/feed?to=2016-02-30", 400, "request.not_a_date"),
    ],
)
def test_every_api_error_has_a_code(client, path, status, code):
    response = client.get(path)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
