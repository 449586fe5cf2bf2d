"""The fixtures cover what real data does; these tests keep them honest."""

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?)?)?$")


def read_jsonl(name: str) -> list[dict]:
    with open(FIXTURES / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def seed() -> dict:
    return json.loads((FIXTURES / "seed.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    return read_jsonl("articles.jsonl")


@pytest.fixture(scope="module")
def demo(seed: dict, articles: list[dict]) -> list[dict]:
    """The demo archive: the seed plus the written articles."""
    return [seed, *articles]


def all_text(article: dict) -> str:
    return " ".join(str(article.get(k, "")) for k in ("title", "summary", "body"))


def test_seed_is_the_model_record(seed: dict) -> None:
    assert seed["id"] == "up-2025-08-27-isw-kremlin-guarantees"
    assert seed["language"] == "en"
    assert seed["published"] == "2025-08-27T04:46:00+03:00"
    assert seed["authors"] == ["Olha Hlushchenko"]
    assert seed["tags"] == ["Russo-Ukrainian war", "security guarantees", "ISW"]
    assert seed["source"] == "Ukrainska Pravda"
    assert "url" not in seed, "the seed has no URL; none may be invented"
    assert "Kremlin" in seed["title"] and "Kremlin" in seed["body"]
    paragraphs = seed["body"].split("\n\n")
    assert len(paragraphs) >= 10
    assert any(p.startswith("Quote:") for p in paragraphs)
    assert sum(p.startswith("\u2022") for p in paragraphs) == 2


def test_demo_records_are_well_formed(demo: list[dict]) -> None:
    assert 26 <= len(demo) <= 36
    for article in demo:
        where = article.get("id")
        assert isinstance(article["id"], str) and article["id"], where
        assert isinstance(article["title"], str) and article["title"].strip(), where
        assert isinstance(article["body"], str), where
        assert 80 <= len(article["body"].split()) <= 300, where
        assert article["language"] in {"uk", "en"}, where
        assert isinstance(article["source"], str) and article["source"], where
        for field in ("authors", "tags"):
            assert isinstance(article.get(field, []), list), where
            assert all(isinstance(v, str) and v for v in article.get(field, [])), where
        if "published" in article:
            assert ISO_DATE.match(article["published"]), where
        if "url" in article:
            assert article["url"].startswith(("http://", "https://")), where


def test_ids_are_unique_across_all_fixtures(demo: list[dict]) -> None:
    ids = [a["id"] for a in demo]
    ids += [a["id"] for a in read_jsonl("xss.jsonl")]
    counts = Counter(ids)
    assert [i for i, n in counts.items() if n > 1] == []


def test_translation_pairs_share_a_key_across_languages(demo: list[dict]) -> None:
    languages = defaultdict(set)
    for article in demo:
        if "translation_key" in article:
            languages[article["translation_key"]].add(article["language"])
    pairs = [key for key, langs in languages.items() if langs == {"uk", "en"}]
    assert len(pairs) >= 2
    assert "isw-kremlin-guarantees-2025-08-27" in pairs


def test_seed_translation_names_the_author_in_cyrillic(seed: dict, demo: list[dict]) -> None:
    [translation] = [
        a
        for a in demo
        if a.get("translation_key") == seed["translation_key"] and a["language"] == "uk"
    ]
    assert translation["authors"] == ["Ольга Глущенко"]
    assert translation["source"] == "Українська правда"
    assert translation["published"] == seed["published"]


def test_dates_at_every_precision(demo: list[dict]) -> None:
    dates = [a.get("published") for a in demo]
    assert None in dates, "one article has no date"
    present = [d for d in dates if d]
    assert any(re.fullmatch(r"\d{4}", d) for d in present)
    assert any(re.fullmatch(r"\d{4}-\d{2}", d) for d in present)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in present)
    assert any(d.endswith("+02:00") for d in present)
    assert any(d.endswith("+03:00") for d in present)
    assert any(d.endswith("Z") for d in present)
    years = {int(d[:4]) for d in present}
    assert set(range(2014, 2026)) <= years, "a histogram needs a bar for every year 2014-2025"


def test_authors_many_one_and_none(demo: list[dict]) -> None:
    counts = Counter(len(a.get("authors", [])) for a in demo)
    assert counts[0] >= 2
    assert counts[1] >= 2
    assert sum(n for size, n in counts.items() if size >= 2) >= 3


@pytest.mark.parametrize(
    "apostrophe", ["'", "\u2019", "\u02bc"], ids=["ascii", "right-quote", "modifier"]
)
def test_ukrainian_apostrophe_inside_a_word(demo: list[dict], apostrophe: str) -> None:
    inside = re.compile(rf"[а-яіїєґ]{apostrophe}[яюєї]", re.IGNORECASE)
    uk = [a for a in demo if a["language"] == "uk"]
    assert any(inside.search(all_text(a)) for a in uk)


def test_stress_mark_in_a_ukrainian_word(demo: list[dict]) -> None:
    assert any(re.search(r"[а-яі]\u0301[а-яі]", all_text(a)) for a in demo)


def test_sources_in_both_scripts_and_the_one_letter_outlet(demo: list[dict]) -> None:
    sources = {a["source"] for a in demo}
    assert "Є" in sources
    assert len({s for s in sources if CYRILLIC.search(s)}) >= 3
    assert len({s for s in sources if LATIN.search(s) and not CYRILLIC.search(s)}) >= 3


def test_same_people_in_cyrillic_and_latin(demo: list[dict]) -> None:
    authors = {name for a in demo for name in a.get("authors", [])}
    for latin, cyrillic in [
        ("Olha Hlushchenko", "Ольга Глущенко"),
        ("Marta Kovalenko", "Марта Коваленко"),
    ]:
        assert latin in authors and cyrillic in authors


def test_inflected_forms_appear_across_articles(demo: list[dict]) -> None:
    words = Counter()
    for article in demo:
        words.update(set(re.findall(r"\w+", all_text(article).lower())))
    for form in [
        "україна", "україни", "україні", "україною", "україну",
        "гарантії", "гарантій", "гарантіями",
        "київ", "києва", "києві",
        "guarantee", "guarantees", "guaranteed",
    ]:  # fmt: skip
        assert words[form] >= 1, form
    assert words["гарантій"] >= 2 and words["києві"] >= 2


def test_tags_repeat_in_both_languages(demo: list[dict]) -> None:
    tags = Counter(t for a in demo for t in a.get("tags", []))
    repeated = [t for t, n in tags.items() if n > 1]
    assert any(CYRILLIC.search(t) for t in repeated)
    assert any(not CYRILLIC.search(t) for t in repeated)
    assert tags["security guarantees"] >= 2 and tags["гарантії безпеки"] >= 2


def test_xss_records_are_valid_but_hostile() -> None:
    records = read_jsonl("xss.jsonl")
    assert 3 <= len(records) <= 5
    assert all(r["id"].startswith("xss-") for r in records)
    assert all(r["language"] in {"uk", "en"} and r["title"].strip() for r in records)
    text = " ".join(str(v) for r in records for v in r.values())
    for payload in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        '"><svg onload=alert(1)>',
    ]:
        assert payload in text, payload
    assert any("<" in t for r in records for t in r.get("tags", []))
    assert any("<" in name for r in records for name in r.get("authors", []))
    assert "<script>" in records[0]["title"]


def test_invalid_file_has_five_valid_records_among_the_bad() -> None:
    raw = (FIXTURES / "invalid.jsonl").read_bytes()
    assert b"\r\n" in raw, "one line ends with CRLF"
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == "", "the file ends with a newline"
    lines = lines[:-1]
    assert "" in lines, "a blank line"

    parsed, broken = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            broken.append(number)
    assert len(broken) == 1, "exactly one deliberately broken line"

    objects = [p for p in parsed if isinstance(p, dict)]
    assert [1, 2] in parsed and "just a string" in parsed
    valid = sorted(o["id"] for o in objects if o["id"].startswith("valid-"))
    assert valid == [f"valid-{n}" for n in range(1, 6)]
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))

    bad = {o["id"]: o for o in objects if not o["id"].startswith("valid-")}
    assert "title" not in bad["bad-missing-title"]
    assert isinstance(bad["bad-body-number"]["body"], int)
    assert bad["bad-impossible-date"]["published"] == "2016-13-01"
    assert isinstance(bad["bad-authors-number"]["authors"], int)
    assert bad["bad-blank-title"]["title"].strip() == ""
    assert bad["bad-javascript-url"]["url"].startswith("javascript:")
