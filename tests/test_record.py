"""The record: canonical shape, aliases, validation messages, identity, dates, language."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from archive.dates import DateError, parse_published
from archive.language import detect_language
from archive.record import RecordError, normalize_url, validate_record


def valid(**fields):
    return {"title": "A title", "body": "A body of some words.", "language": "en", **fields}


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"body": "x"}, "title: is missing"),
        (valid(title="   "), "title: is empty"),
        (valid(title=7), "title: expected a string, got a number"),
        ({"title": "t"}, "body: is missing"),
        (valid(body=42), "body: expected a string, got a number"),
        (valid(body=["a"]), "body: expected a string, got a list"),
        (valid(published="2016-13-01"), "published: month 13 does not exist"),
        (valid(published="2023-02-29"), "published: day 29 does not exist in February 2023"),
        (valid(published="2016-05-12T24:00"), "published: hour 24 does not exist"),
        (valid(published="yesterday"), "published: 'yesterday' is not an ISO 8601 date"),
        (valid(published=True), "published: expected an ISO 8601 date as a string, got a boolean"),
        (valid(authors=5), "authors: expected a string or a list of strings, got a number"),
        (valid(authors=["a", None]), "authors: item 1 is null; expected a list of strings"),
        (valid(tags={"a": 1}), "tags: expected a string or a list of strings, got an object"),
        (valid(url="javascript:alert(1)"), "url: only http and https URLs are accepted"),
        (valid(url="ftp://example.org/x"), "url: only http and https URLs are accepted, got ftp:"),
        (valid(url="http://"), "url: 'http://' has no host"),
        (valid(language="Ukrainian"), "language: 'Ukrainian' is not an ISO 639-1 code"),
        (valid(id=[1]), "id: expected a string or an integer, got a list"),
        (valid(id=""), "id: is empty"),
        ([1, 2], "expected a JSON object, got a list"),
        ("just a string", "expected a JSON object, got a string"),
    ],
)
def test_invalid_records_name_field_and_reason(record, message):
    with pytest.raises(RecordError) as caught:
        validate_record(record)
    assert str(caught.value).startswith(message)


def test_aliases_are_read_and_unknown_fields_kept():
    article = validate_record(
        {
            "title": "Заголовок",
            "text": "Текст статті.",
            "lang": "uk",
            "date": "2016",
            "author": "Ольга Глущенко",
            "keywords": ["війна"],
            "outlet": "Є",
            "place": "Київ",
            "nested": {"a": [1, 2]},
        }
    )
    assert article.body == "Текст статті."
    assert article.language == "uk"
    assert article.published.text == "2016" and article.published.precision == "year"
    assert article.authors == ["Ольга Глущенко"]
    assert article.tags == ["війна"]
    assert article.source == "Є"
    assert article.extra == {"place": "Київ", "nested": {"a": [1, 2]}}


def test_canonical_name_wins_over_alias_and_alias_is_kept():
    article = validate_record(valid(body="canonical", text="alias"))
    assert article.body == "canonical"
    assert article.extra == {"text": "alias"}


def test_authors_and_tags_trimmed_deduplicated_nfc():
    decomposed = "Гнатю\u0301к"  # not composed; NFC keeps the stress mark composed form
    article = validate_record(
        valid(
            authors=["  Olha  Hlushchenko ", "Olha Hlushchenko", "olha hlushchenko", decomposed],
            tags="ISW",
        )
    )
    assert article.authors[0] == "Olha Hlushchenko"
    assert len(article.authors) == 2
    assert article.tags == ["ISW"]


def test_identity_id_then_url_then_hash():
    assert validate_record(valid(id=12)).id == "12"
    by_url = validate_record(valid(url="HTTPS://Example.org:443/a/b?utm_source=x&q=1#top"))
    assert by_url.id == "https://example.org/a/b?q=1"
    first = validate_record(valid(published="2016"))
    again = validate_record(valid(published="2016"))
    other = validate_record(valid(published="2017"))
    assert first.id == again.id != other.id
    assert first.id.startswith("sha256:")


def test_url_without_scheme_is_taken_as_http():
    assert validate_record(valid(url="tyzhden.ua/Politics/91695")).url == (
        "http://tyzhden.ua/Politics/91695"
    )
    assert normalize_url("http://tyzhden.ua/Politics/91695") == "http://tyzhden.ua/Politics/91695"


def test_published_keeps_precision_and_offset():
    assert parse_published("2016").precision == "year"
    assert parse_published("2016-05").text == "2016-05"
    assert parse_published("2016-05-12").precision == "day"
    kyiv = parse_published("2025-08-27T04:46:00+03:00")
    assert kyiv.text == "2025-08-27T04:46:00+03:00" and kyiv.precision == "second"
    assert parse_published("2025-08-27T04:46+03:00").text == "2025-08-27T04:46+03:00"
    assert parse_published("2025-08-27T01:46Z").timestamp == kyiv.timestamp
    assert parse_published("2025-08-27 04:46").text == "2025-08-27T04:46Z"


def test_published_without_offset_read_in_default_zone():
    zone = ZoneInfo("Europe/Kyiv")
    assert parse_published("2025-08-27T04:46", zone).text == "2025-08-27T04:46+03:00"
    assert parse_published("2025-01-27T04:46", zone).text == "2025-01-27T04:46+02:00"


@pytest.mark.parametrize("value", ["2016-00", "2016-1-32", "0000", "2016-05-12T10:61", "+03:00"])
def test_impossible_dates_rejected(value):
    with pytest.raises(DateError):
        parse_published(value)


def test_same_content_same_hash_and_round_trip():
    article = validate_record(valid(authors=["A"], published="2016-05", place="x"))
    again = validate_record(article.to_record())
    assert again.content_hash() == article.content_hash()
    assert again.extra == {"place": "x"}


def test_language_detected_when_absent_and_recorded():
    article = validate_record(
        {
            "title": "Кремль відкине пропозиції щодо гарантій безпеки",
            "body": "Аналітики вважають, що Кремль не погодиться на присутність військ країн НАТО.",
        }
    )
    assert article.language == "uk"
    assert article.language_detected is True
    assert article.language_confidence > 0.9
    given = validate_record(valid(language="uk"))
    assert given.language == "uk" and given.language_detected is False


def test_language_too_short_is_undetermined():
    assert detect_language("OK").language == "und"
    article = validate_record({"title": "Ок", "body": ""})
    assert article.language == "und" and article.language_detected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Security guarantees for Ukraine are discussed in Washington", "en"),
        ("Уряд ухвалив рішення про підвищення пенсій з першого січня", "uk"),
        ("Правительство приняло решение о повышении пенсий с первого января", "ru"),
    ],
)
def test_language_detection_restricted_and_deterministic(text, expected):
    results = {detect_language(text).language for _ in range(5)}
    assert results == {expected}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Каліфорнія", "uk"),  # short, but і is Ukrainian only
        ("Перелопатити гору роботи", "uk"),  # no telling letters; the dictionary knows the words
        ("Лебедина дружба", "uk"),
        ("Съезд партии", "ru"),
        ("Clyde 0-5 Celtic", "und"),  # too short to tell, and no letters that tell
    ],
)
def test_short_titles_decided_by_letters_or_dictionary(title, expected):
    assert detect_language(title).language == expected
