"""The words that set results apart (/api/words), on an archive whose answer is known."""

from __future__ import annotations

import pytest

from index.searching import significant_words
from index.searching.significant_words import jlh
from tests.coverage_fixtures import NEUTRAL_EN, import_coverage_archive
from webapp.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = tmp_path_factory.mktemp("words") / "home"
    import_coverage_archive(home, tmp_path_factory.mktemp("words-data"))
    return create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()


def words(client, **args) -> dict:
    response = client.get("/api/words", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def total(client, **args) -> int:
    query = {"per_page": 1, "collapse": "0", **args}
    return client.get("/api/search", query_string=query).get_json()["total"]


def test_the_topic_word_comes_first_and_the_counts_are_exact(client):
    answer = words(client, q="grain")
    assert answer["results"] == total(client, q="grain")
    assert answer["sampled"] is None
    first = answer["words"][0]
    assert first["word"] == "grain"
    assert first["in_results"] == answer["results"]
    assert first["in_all"] == total(client, q="grain")
    found = [w["word"] for w in answer["words"]]
    assert "corridor" in found[:4]  # in every grain article, in no other
    assert not {"the", "port"} & set(found[:2])  # port is as common in the strikes
    scores = [w["score"] for w in answer["words"]]
    assert scores == sorted(scores, reverse=True)
    # An English word is compared within the English articles of each side.
    english = {
        "results": total(client, q="grain", language="en"),
        "all": total(client, language="en"),
    }
    for word in answer["words"]:
        assert word["in_results"] >= significant_words.MIN_SUPPORT
        if word["term"].isascii():
            expected = jlh(word["in_results"], english["results"], word["in_all"], english["all"])
            assert word["score"] == pytest.approx(expected, rel=1e-3)


def test_a_ukrainian_search_gives_dictionary_words(client):
    found = [w["word"] for w in words(client, q="зерном")["words"]]
    assert found[0] == "зерно"  # the lemma, whatever form was searched
    assert {"корабель", "коридор", "експорт"} <= set(found)
    assert "з" not in found and "із" not in found  # stop words


def test_an_english_stem_is_written_as_the_texts_write_it(client):
    found = {w["term"]: w["word"] for w in words(client, q="grain", size=50)["words"]}
    assert found.get("export") == "exports"
    assert found.get("carri") == "carrying"


def test_against_another_search_sets_the_strikes_apart_from_the_grain(client):
    plain = [w["word"] for w in words(client, q="port")["words"]]
    against = words(client, q="port", against="grain")
    found = [w["word"] for w in against["words"]]
    assert {"dockers", "strike"} <= {word.lower() for word in found[:3]}
    assert "grain" not in found and "corridor" not in found
    assert against["background"] == total(client, q="grain")
    assert plain != found


def test_filters_apply_to_the_results_and_the_background(client):
    answer = words(client, q="grain", language="en")
    assert answer["background"] == total(client, language="en")
    uk = words(client, q="зерно", language="uk", tag="зерно")
    assert uk["results"] == uk["background"] and uk["words"] == []


def test_the_results_read_are_sampled_and_say_so(client, monkeypatch):
    monkeypatch.setattr(significant_words, "SAMPLE_SIZE", 5)
    answer = words(client, q="grain")
    assert answer["sampled"] == 5
    # What is read only finds the candidates: the counts are still those of every result.
    first = answer["words"][0]
    assert first["word"] == "grain" and first["in_results"] == answer["results"]


def test_copies_are_read_once(client, monkeypatch):
    answer = words(client, q="harbour master")
    assert answer["results"] == 3 and answer["sampled"] is None
    # One story: its words are in fewer than MIN_SUPPORT stories read, so none stands out.
    assert answer["words"] == []


def test_size_bounds_the_answer(client):
    assert len(words(client, q="grain", size=3)["words"]) == 3


def test_nothing_found_or_nothing_apart(client):
    assert words(client, q="nothingatallhere")["words"] == []
    assert words(client)["words"] == []  # everything against everything
    assert words(client, q="grain", against="nothingatallhere")["words"] == []


@pytest.mark.parametrize(
    "args, param, code",
    [
        ({"q": "grain", "size": "0"}, "size", "request.out_of_range"),
        ({"q": "grain", "size": "1000"}, "size", "request.out_of_range"),
        ({"q": "grain", "size": "many"}, "size", "request.not_a_number"),
        ({"q": "grain", "against": "x" * 1001}, "against", "request.too_long"),
        ({"q": "x" * 1001}, "q", "request.too_long"),
        ({"q": "grain", "from": "yesterday"}, "from", "request.not_a_date"),
        ({"q": "grain", "sort": "random"}, "sort", "request.not_one_of"),
    ],
)
def test_bad_parameters_are_refused_naming_them(client, args, param, code):
    response = client.get("/api/words", query_string=args)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["param"], error["code"]) == (param, code)


@pytest.mark.parametrize(
    "q",
    ['"grain', "(grain OR", "NOT", "*", "title:", "grain AND NOT grain", "\x00\x01", "🌾" * 50],
)
def test_hostile_queries_answer_words(client, q):
    for args in ({"q": q}, {"q": "grain", "against": q}):
        assert client.get("/api/words", query_string=args).status_code == 200


def test_the_words_of_the_language_itself_do_not_stand_out(client):
    """The grain articles are English, a third of the archive is not: English words found in
    every English article (the filler) must not rank with the words of the topic."""
    answer = words(client, q="grain", size=60)["words"]
    found = [w["word"].lower() for w in answer]
    # Compared with the whole archive, "evening" (17 of 18 results, 30 of 56 articles) would
    # score a third of "grain"; among the English articles (30 of 38), a sixth.
    best = answer[0]["score"]
    assert all(w["score"] < best / 4 for w in answer if w["word"].lower() in NEUTRAL_EN)
    topical = {"grain", "corridor", "cargo", "ships", "exports", "carrying", "insurers"}
    neutral = [i for i, word in enumerate(found) if word in NEUTRAL_EN]
    assert topical <= set(found)
    assert not neutral or max(found.index(word) for word in topical) < min(neutral)
