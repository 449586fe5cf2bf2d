"""A news page to an article record (archive.extraction) on pages written for the project
(fixtures/pages/): the text without the page's furniture, the page's own metadata, the feed's
hints where the page says nothing, and the encodings sites really send."""

from __future__ import annotations

import pytest

from archive.extraction import NotAnArticle, extract_article
from archive.page_text import decode_page
from archive.record import validate_record
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pages"
# What a page shows around its article, which the body must not hold (one phrase from each).
FURNITURE = {
    "uk-jsonld.html": [
        "cookie",  # the banner
        "Політика",  # the menu
        "Читайте також",  # a related link inside the text
        "Міст через Ворсклу",
        "Затуринському парку встановили",  # related articles
        "Нарешті!",  # a comment
        "Усі права захищено",  # the footer
        "Поділитися",
        "Фото:",
    ],
    "en-opengraph.html": [
        "cookies",
        "Sign in",
        "Advertisement",
        "morning briefing",
        "Zamarstyniv",
        "worst route",
        "All rights reserved",
    ],
    "uk-windows-1251.html": [
        "Гостьова книга",
        "12.02.2009",
        "Газ для населення",
        "екологи",
        "Лічильник",
    ],
    "uk-koi8-u.html": ["Оголошення", "Ремонт дороги", "застережено"],
    "en-no-date.html": ["Donate", "fine arts museum", "volunteers"],
}


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def extract(name: str, **kwargs) -> dict:
    return extract_article(page(name), f"https://news.example.org/{name}", **kwargs)


@pytest.mark.parametrize("name", sorted(FURNITURE))
def test_body_is_the_article_without_the_page_around_it(name):
    record = extract(name)
    body = record["body"]
    for phrase in FURNITURE[name]:
        assert phrase not in body, (name, phrase)
    assert not body.startswith(record["title"]), "the headline is the title, not the text"
    paragraphs = body.split("\n\n")
    assert len(paragraphs) >= 4, paragraphs
    # Every record taken from a page is a valid record in the import shape.
    article = validate_record(record)
    assert article.body == body and article.title == record["title"]


def test_json_ld_news_article_gives_every_field_and_its_exact_body():
    record = extract("uk-jsonld.html")
    assert record["title"] == "У Полтаві відкрили оновлену набережну Ворскли"
    assert record["url"] == "https://visnyk.example.org/news/2024/05/naberezhna-vorskly"
    assert record["authors"] == ["Ірина Ткаченко", "Остап Мельник"]
    assert record["published"] == "2024-05-18T10:30:00+03:00"
    assert record["language"] == "uk"
    assert record["tags"] == ["Полтава", "благоустрій", "міська рада"]
    assert record["source"] == "Полтавський вісник"
    assert record["summary"].startswith("Міська рада відкрила першу чергу")
    paragraphs = record["body"].split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("У суботу в Полтаві відкрили першу чергу")
    assert paragraphs[-1].endswith("а на місці трьох аварійних висадили молоді.")


def test_open_graph_and_article_tags_and_a_relative_canonical_link():
    record = extract("en-opengraph.html")
    assert record["title"] == "Lviv tram depot gets its first electric buses"
    # <link rel=canonical href="/city/..."> is read against the page's address.
    assert record["url"] == "https://news.example.org/city/lviv-electric-buses"
    assert record["authors"] == ["Daniel Hughes"], "a profile URL is not an author's name"
    assert record["published"] == "2023-11-02T08:15:00+02:00"
    assert record["tags"] == ["Lviv", "public transport"]
    assert record["language"] == "en"
    assert record["source"] == "Western Courier"
    assert record["summary"].startswith("The city's transport company took delivery")
    assert record["body"].startswith("Lviv's municipal transport company took delivery")
    assert record["body"].endswith("Passengers will pay the same fare as on any other bus.")


def test_canonical_link_to_the_front_page_is_not_the_articles_address():
    html = page("en-no-date.html").replace(
        b"<head>", b'<head><link rel="canonical" href="https://harbour.example.com/">'
    )
    record = extract_article(html, "https://harbour.example.com/arts/opera-reopens")
    assert record["url"] == "https://harbour.example.com/arts/opera-reopens"


def test_a_date_the_page_does_not_give_stays_absent_and_the_feeds_fills_it():
    record = extract("en-no-date.html")
    assert "published" not in record, "never the time of fetching, never a guess"
    hinted = extract("en-no-date.html", hints={"published": "2022-09-30T19:00:00+03:00"})
    assert hinted["published"] == "2022-09-30T19:00:00+03:00"


def test_the_pages_own_metadata_wins_over_the_feeds_hints():
    hints = {
        "title": "Feed title",
        "published": "2024-05-19",
        "authors": ["Feed Author"],
        "tags": ["feed tag"],
        "language": "en",
    }
    record = extract("uk-jsonld.html", hints=hints)
    assert record["title"] == "У Полтаві відкрили оновлену набережну Ворскли"
    assert record["published"] == "2024-05-18T10:30:00+03:00"
    assert record["authors"] == ["Ірина Ткаченко", "Остап Мельник"]
    assert record["tags"] == ["Полтава", "благоустрій", "міська рада"]
    assert record["language"] == "uk"


def test_hints_fill_what_the_page_does_not_say_and_source_names_the_outlet():
    hints = {
        "authors": ["Олена Бондар"],
        "tags": ["бджільництво", "Житомирщина"],
        "language": "uk",
        "published": "2007-08-14",
        "source": "Житомирський тиждень",
    }
    record = extract("uk-koi8-u.html", hints=hints)
    assert record["authors"] == ["Олена Бондар"]
    assert record["tags"] == ["бджільництво", "Житомирщина"]
    assert record["language"] == "uk"
    assert record["published"] == "2007-08-14"
    assert record["source"] == "Житомирський тиждень"
    # A page with its own site name still takes the name the outlet is followed under.
    assert extract("uk-jsonld.html", hints={"source": "ПВ"})["source"] == "ПВ"
    assert extract("uk-koi8-u.html")["source"] == "news.example.org", "else the site's host"


HEADERS = [
    None,
    "text/html",
    "text/html; charset=utf-8",  # a server's default, wrong for this page
    "text/html; charset=ISO-8859-1",  # Apache's old default, wrong too
]


@pytest.mark.parametrize("content_type", HEADERS)
@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("uk-windows-1251.html", "Черкаська теплоелектроцентраль до кінця року переведе"),
        ("uk-koi8-u.html", "Ґрунтовні дощі в травні та довге цвітіння липи"),
    ],
)
def test_charset_declared_only_in_the_page_wins_over_a_wrong_header(name, phrase, content_type):
    record = extract(name, content_type=content_type)
    assert phrase in record["body"]
    assert "Ð" not in record["body"] and "Ã" not in record["body"]


def test_a_wrong_header_and_no_declaration_in_the_page_are_detected():
    html = page("uk-windows-1251.html").replace(
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">', b""
    )
    assert b"charset" not in html
    for content_type in HEADERS:
        record = extract_article(html, "https://ck.example.org/a", content_type=content_type)
        assert record["title"] == "Черкаська ТЕЦ перейде на місцеву тріску", content_type
        assert "Лісгоспи Черкащини готові постачати" in record["body"]


def test_koi8_page_behind_a_header_that_says_windows_1251():
    record = extract("uk-koi8-u.html", content_type="text/html; charset=windows-1251")
    assert record["title"] == "Житомирські пасічники зібрали рекордний урожай меду"


def test_utf8_page_behind_a_header_that_says_windows_1251():
    text, encoding = decode_page(page("uk-jsonld.html"), "text/html; charset=windows-1251")
    assert encoding == "utf-8"
    assert "набережну Ворскли" in text


def test_text_given_as_str_is_taken_as_it_is():
    text = page("uk-jsonld.html").decode("utf-8")
    assert extract_article(text, "https://visnyk.example.org/x")["title"].startswith("У Полтаві")


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (page("not-article.html"), "no article text"),
        (b"", "empty or not HTML"),
        (b"   \n", "empty or not HTML"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
    ],
)
def test_a_page_without_an_article_says_why(html, reason):
    with pytest.raises(NotAnArticle) as caught:
        extract_article(html, "https://news.example.org/missing")
    assert reason in caught.value.reason


def test_article_body_that_is_only_a_teaser_gives_way_to_the_pages_text():
    html = page("uk-jsonld.html").replace(
        '"articleBody": "У суботу'.encode(), '"articleBody": "Коротко. У суботу'.encode()
    )
    teaser = html.split(b'"articleBody": "')[1].split(b'"\n')[0]
    html = html.replace(teaser, "Коротко про відкриття набережної.".encode())
    record = extract_article(html, "https://visnyk.example.org/x")
    assert record["body"].startswith("У суботу в Полтаві відкрили першу чергу")
    assert "Коротко" not in record["body"]


def test_markup_escaped_into_article_body_is_read_as_text():
    body = (
        "&lt;p&gt;Перший абзац &lt;strong&gt;новини&lt;/strong&gt; про відкриття набережної у "
        "Полтаві після двох років ремонту.&lt;/p&gt;&lt;p&gt;Другий абзац: депутати обласної ради "
        "розглянуть заявку міста на другу чергу в червні, а мешканці чекають на парк.&lt;/p&gt;"
    )
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"Набережна &#8212; відкрита", "articleBody": "' + body + '"}</script></head>'
        "<body><h1>Набережна</h1><p>Інший текст сторінки.</p></body></html>"
    )
    record = extract_article(html, "https://visnyk.example.org/n")
    assert record["title"] == "Набережна — відкрита"
    assert record["body"].split("\n\n") == [
        "Перший абзац новини про відкриття набережної у Полтаві після двох років ремонту.",
        "Другий абзац: депутати обласної ради розглянуть заявку міста на другу чергу в червні, "
        "а мешканці чекають на парк.",
    ]


WORDS = b"word " * 100
HOSTILE = {
    "random bytes": bytes(range(256)) * 200,
    "only angle brackets": b"<" * 100_000,
    "divs nested 50,000 deep": b"<div>" * 50_000 + WORDS + b"</div>" * 50_000,
    "NUL bytes": b"<html>\x00\x00<body><p>" + WORDS + b"</p></body></html>",
    "JSON-LD of the wrong types": (
        b'<html><head><script type="application/ld+json">{"@type": ["NewsArticle"], "author": 5,'
        b' "keywords": 7, "datePublished": 2020, "headline": ["x"], "publisher": "P",'
        b' "inLanguage": {"a": 1}, "articleBody": 5}</script></head><body><h1>T</h1><p>'
        + WORDS
        + b"</p></body></html>"
    ),
    "JSON-LD nested 2,000 deep": (
        b'<html><head><script type="application/ld+json">'
        + b'{"@graph":[' * 2000
        + b"]}" * 2000
        + b"</script><title>T</title></head><body><p>"
        + WORDS
        + b"</p></body></html>"
    ),
    "a date that is no date": (
        b'<html><head><meta property="article:published_time" content="2024-13-45T99:00">'
        b"<title>T</title></head><body><p>" + WORDS + b"</p></body></html>"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_page_gives_an_article_or_says_why_never_an_error(name):
    try:
        record = extract_article(HOSTILE[name], "https://news.example.org/x")
    except NotAnArticle as refused:
        assert refused.reason
    else:
        validate_record(record)  # whatever it took is a valid record
        assert "published" not in record or record["published"][:4].isdigit()


def test_a_feeds_date_that_is_no_date_is_left_out_not_a_reason_to_refuse():
    record = extract("en-no-date.html", hints={"published": "last Tuesday"})
    assert "published" not in record
    validate_record(record)


def test_only_lines_that_lead_elsewhere_are_taken_for_related_links():
    paragraphs = [
        "Related to this, the minister said the depot would open a second line of chargers.",
        "Read more: Lviv orders forty electric buses",
        "ЧИТАЙТЕ ТАКОЖ Ціни на проїзд зростуть з березня",
        "See also: The city's transport budget for next year",
    ]
    text = " ".join(["The depot opened on Thursday with twelve buses and eight chargers."] * 3)
    html = (
        "<html><head><title>Depot</title></head><body><article><h1>Depot</h1>"
        + f"<p>{text}</p>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + f"<p>{text}</p></article></body></html>"
    )
    body = extract_article(html, "https://courier.example.com/depot")["body"]
    assert paragraphs[0] in body
    for link in paragraphs[1:]:
        assert link not in body
