"""The real corpus (../shared/corpus): import totals, morphology and facets against ground truth.

Skipped, with the reason, where the corpus is absent (a fresh clone has no ../shared).
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from index.searching.request import request_from_mapping
from tests.conftest import corpus_files, needs_corpus, run_arkhiv

pytestmark = [needs_corpus, pytest.mark.corpus]


@pytest.fixture(scope="module")
def corpus_records() -> list[dict]:
    return [json.loads(line) for path in corpus_files() for line in path.open(encoding="utf-8")]


@pytest.fixture(scope="module")
def corpus_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("corpus") / "home"
    result = run_arkhiv(home, "import", "--no-progress", *map(str, corpus_files()))
    assert result.returncode == 0, result.stderr
    assert "2973 added, 0 updated, 0 unchanged, 0 rejected" in result.stdout
    return home


@pytest.fixture(scope="module")
def corpus_index(corpus_home):
    from archive.store import Store
    from index.searching.search import SearchIndex

    return SearchIndex(corpus_home / "index", Store(corpus_home / "archive.sqlite3"))


def found(index, **params) -> set[str]:
    return {a.id for a in index.matching_articles(request_from_mapping(params))}


def test_totals_and_second_run_unchanged(corpus_home):
    figures = json.loads(run_arkhiv(corpus_home, "stats", "--json").stdout)
    assert figures["articles"] == 2973
    assert figures["languages"] == {"en": 2095, "uk": 878}
    # One change per article, and one more for each article a later copy of it joined (its
    # story changed): the corpus has a few real reprints.
    assert 2973 <= figures["last_seq"] < 2973 + 50
    again = run_arkhiv(corpus_home, "import", "--no-progress", *map(str, corpus_files()))
    assert again.returncode == 0
    assert "0 added, 0 updated, 2973 unchanged, 0 rejected" in again.stdout
    after = json.loads(run_arkhiv(corpus_home, "stats", "--json").stdout)["last_seq"]
    assert after == figures["last_seq"]
    assert run_arkhiv(corpus_home, "check").returncode == 0


def _listed(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def test_ukraina_finds_every_case_form(corpus_index, corpus_records):
    # Every case form of «Україна» (singular; the proper noun has no plural), as a whole word,
    # in the text or in the names a plain word also searches: the outlet («Голос України»),
    # the tags and the bylines.
    form = re.compile(r"(?<![\w'’ʼ])україн(?:а|и|і|у|ою|о)(?![\w'’ʼ])", re.IGNORECASE)

    def searched_text(record: dict) -> str:
        names = [
            record.get("source") or "",
            *_listed(record.get("tags")),
            *_listed(record.get("authors")),
        ]
        return "\n".join([record["title"], record["body"], *names])

    expected = {r["id"] for r in corpus_records if form.search(searched_text(r))}
    assert len(expected) > 400
    got = found(corpus_index, q="Україна")
    assert got == expected, (sorted(expected - got)[:5], sorted(got - expected)[:5])


def test_facet_counts_equal_the_corpus(corpus_index, corpus_records):
    result = corpus_index.search(request_from_mapping({"facet_size": 1000}))
    sources = {f["value"]: f["count"] for f in result["facets"]["source"]}
    languages = {f["value"]: f["count"] for f in result["facets"]["language"]}
    assert sources["BBC News"] == 2095
    assert sources["Наші гроші"] == 300
    assert languages == {"uk": 878, "en": 2095}
    assert sources == dict(Counter(r["source"] for r in corpus_records if r.get("source")))
    tags = {f["value"]: f["count"] for f in result["facets"]["tag"]}
    assert tags == dict(Counter(t for r in corpus_records for t in r["tags"]))
    authors = {f["value"]: f["count"] for f in result["facets"]["author"]}
    assert authors == dict(Counter(a for r in corpus_records for a in r["authors"]))


def test_filters_give_exactly_the_matching_articles(corpus_index, corpus_records):
    def where(predicate) -> set[str]:
        return {r["id"] for r in corpus_records if predicate(r)}

    assert found(corpus_index, source="Наші гроші") == where(lambda r: r["source"] == "Наші гроші")
    assert found(corpus_index, source="Є") == where(lambda r: r["source"] == "Є")
    assert found(corpus_index, tag="sport") == where(lambda r: "sport" in r["tags"])
    author = Counter(a for r in corpus_records for a in r["authors"]).most_common(1)[0][0]
    assert found(corpus_index, author=author) == where(lambda r: author in r["authors"])
    assert found(corpus_index, **{"from": "2013", "to": "2015"}) == where(
        lambda r: bool(r.get("published")) and "2013" <= r["published"][:4] <= "2015"
    )
    assert found(corpus_index, tag=["sport", "tech"], q="game") == where(
        lambda r: bool({"sport", "tech"} & set(r["tags"]))
    ) & found(corpus_index, q="game")
