"""Copies of one story: found at import (the real store, SQLite and PostgreSQL), kept in the
index, collapsed in search, listed on the article page."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from archive import copies
from archive.takedowns import Takedowns
from archive.word_hashes import word_hashes, words
from index import indexer
from tests.conftest import home_store, run_arkhiv, write_jsonl
from webapp.app import create_app

pytestmark = pytest.mark.both_stores

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "copies.jsonl"
RECORDS = {r["id"]: r for r in map(json.loads, FIXTURE.read_text().splitlines())}
ORIGINAL = "poltava-embankment-original"
REPRINTS = ["poltava-embankment-reprint-1", "poltava-embankment-reprint-2"]
LATE_REPRINT = "poltava-embankment-reprint-3"
QUOTE = "vorskla-floods-review"  # quotes one paragraph of the original, nothing else
STORY = [ORIGINAL, *REPRINTS, LATE_REPRINT]


def records(*ids: str, **changes) -> list[dict]:
    return [{**RECORDS[i], **changes.get(i, {})} for i in ids]


def imported(home: Path, tmp_path: Path, items: list[dict], *flags: str) -> None:
    path = write_jsonl(tmp_path / f"batch-{len(list(tmp_path.iterdir()))}.jsonl", items)
    done = run_arkhiv(home, "import", "--no-progress", *flags, str(path))
    assert done.returncode == 0, done.stderr


def api(home: Path, path: str, **params) -> dict:
    client = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()
    query = urllib.parse.urlencode(params, doseq=True)
    response = client.get(f"{path}?{query}" if query else path)
    assert response.status_code == 200, response.data
    return response.get_json()


# -- detection ------------------------------------------------------------------------------


def test_words_drop_apostrophes_and_stress_marks():
    text = "Вели́кий З'ЯВИВСЯ з’явився, зʼявився: Kyiv-KYIV_2"
    assert words(text) == ["великий", "зявився", "зявився", "зявився", "kyiv", "kyiv", "2"]
    hashes = word_hashes(text).tolist()
    assert hashes[1] == hashes[2] == hashes[3] and hashes[4] == hashes[5]
    assert len(set(hashes)) == 4


def test_signature_ignores_case_and_apostrophes():
    text = " ".join(f"word{i}" for i in range(40))
    same = copies.signature(text.upper().replace("word1 ", "word'1 "))
    assert np.array_equal(copies.signature(text), same)
    assert copies.signature(text).dtype == np.uint32 and len(copies.signature(text)) == 64
    assert copies.signature("too short to tell a copy from a shared phrase") is None


def test_a_reprint_joins_and_a_quote_does_not(home, tmp_path):
    imported(home, tmp_path, records(ORIGINAL, QUOTE))
    imported(home, tmp_path, records(*REPRINTS))
    store = home_store(home)
    clusters = store.clusters([*STORY, QUOTE])
    assert clusters == {ORIGINAL: ORIGINAL, **dict.fromkeys(REPRINTS, ORIGINAL), QUOTE: QUOTE}
    found = store.copies_of(REPRINTS[1])
    assert [c["id"] for c in found] == [ORIGINAL, REPRINTS[0]]  # earliest first
    assert found[0]["source"] == "Poltava Daily" and found[0]["title"] == RECORDS[ORIGINAL]["title"]
    assert store.copies_of(QUOTE) == []


def test_an_earlier_newcomer_names_the_story_and_the_index_follows(home, tmp_path):
    late = "2025-05-16T10:00:00+03:00"
    imported(
        home,
        tmp_path,
        records(ORIGINAL, *REPRINTS, **{ORIGINAL: {"published": late}}),
    )
    assert set(home_store(home).clusters(STORY[:3]).values()) == {REPRINTS[0]}
    earliest = {"published": "2025-05-12T09:00:00+03:00"}
    imported(home, tmp_path, records(LATE_REPRINT, **{LATE_REPRINT: earliest}))
    store = home_store(home)
    assert set(store.clusters(STORY).values()) == {LATE_REPRINT}
    # The members took new sequence numbers, so the index (updated by the import) follows.
    hits = api(home, "/api/search", q="embankment", collapse="0")["hits"]
    assert {hit["id"]: hit["cluster"] for hit in hits} == dict.fromkeys(STORY, LATE_REPRINT)
    assert {hit["copies"] for hit in hits} == {3}
    assert indexer.compare(store, home / "index").agree


def test_taking_down_the_earliest_renames_the_story(home, tmp_path):
    imported(home, tmp_path, records(*STORY, QUOTE))
    store = home_store(home)
    Takedowns(store).delete([ORIGINAL])
    after = store.clusters([*REPRINTS, LATE_REPRINT])
    assert set(after.values()) == {REPRINTS[0]}  # 12:30 on the 13th: the next earliest
    indexer.catch_up(store, home / "index")
    result = api(home, "/api/search", q="embankment")
    assert (result["total"], result["stories"]) == (3, 1)
    assert result["hits"][0]["cluster"] == REPRINTS[0] and result["hits"][0]["copies"] == 2
    # Back again: it rejoins and names the story once more.
    Takedowns(store).undelete(ORIGINAL)
    assert set(store.clusters(STORY).values()) == {ORIGINAL}


def test_changed_text_leaves_the_story(home, tmp_path):
    imported(home, tmp_path, records(*STORY))
    other = " ".join(f"different words number {i} about something else" for i in range(12))
    imported(home, tmp_path, records(LATE_REPRINT, **{LATE_REPRINT: {"body": other}}))
    store = home_store(home)
    assert store.clusters([LATE_REPRINT]) == {LATE_REPRINT: LATE_REPRINT}
    assert set(store.clusters([ORIGINAL, *REPRINTS]).values()) == {ORIGINAL}


def test_import_without_detection_then_copies_update(home, tmp_path):
    imported(home, tmp_path, records(*STORY, QUOTE), "--no-copies")
    store = home_store(home)
    assert store.unsigned_count() == 5
    assert set(store.clusters(STORY).values()) == set(STORY)  # each its own story, for now
    done = run_arkhiv(home, "copies", "--update")
    assert done.returncode == 0, done.stderr
    assert "compared 5 articles" in done.stdout
    assert store.unsigned_count() == 0
    assert set(store.clusters(STORY).values()) == {ORIGINAL}
    assert store.clusters([QUOTE]) == {QUOTE: QUOTE}
    result = api(home, "/api/search", q="embankment")  # the index followed
    assert (result["total"], result["stories"]) == (4, 1)


def test_reindex_reads_clusters_and_computes_no_signature(home, tmp_path, monkeypatch):
    imported(home, tmp_path, records(*STORY, QUOTE))
    store = home_store(home)
    before = dict(store.db.execute("SELECT id, signature FROM articles").fetchall())
    computed = []
    real = copies.signature
    monkeypatch.setattr(copies, "signature", lambda text: computed.append(text) or real(text))
    monkeypatch.setenv("ARKHIV_INDEX_PROCS", "1")  # in this process, where the count is kept
    indexer.rebuild(store, home / "index")
    assert computed == []
    assert dict(store.db.execute("SELECT id, signature FROM articles").fetchall()) == before
    hits = api(home, "/api/search", q="embankment", collapse="0")["hits"]
    assert {hit["cluster"] for hit in hits} == {ORIGINAL}


# -- search -----------------------------------------------------------------------------------


def test_collapse_counts_stories_and_pages_by_story(home, tmp_path):
    # The story, the quote (not about the embankment), and 6 short notes that mention it.
    small = [
        {
            "id": f"small-{i}",
            "title": f"Embankment note {i}",
            "body": f"A short note {i} on the embankment.",
            "language": "en",
            "published": f"2025-06-0{i + 1}",
        }
        for i in range(6)
    ]
    imported(home, tmp_path, [*records(*STORY, QUOTE), *small])
    both = api(home, "/api/search", q="embankment", per_page=3)
    assert (both["total"], both["stories"], both["pages"]) == (10, 7, 3)
    every = api(home, "/api/search", q="embankment", per_page=3, collapse="0")
    assert (every["total"], every["stories"], every["pages"]) == (10, 10, 4)
    seen = []
    for page in (1, 2, 3):
        hits = api(home, "/api/search", q="embankment", per_page=3, page=page)["hits"]
        seen += hits
    assert len(seen) == 7 and len({hit["id"] for hit in seen}) == 7
    story_hits = [hit for hit in seen if hit["cluster"] == ORIGINAL]
    assert len(story_hits) == 1
    hit = story_hits[0]
    assert hit["copies"] == 3
    outlets = {"Poltava Daily", "Regional Herald", "Central News", "Dnipro Wire"}
    assert set(hit["copy_sources"]) == outlets - {hit["source"]}
    assert hit["first_published"] == {"source": "Poltava Daily", "date": "2025-05-13"}
    # The best-ranked copy stands for the story: the first of them when not collapsed.
    every_hit = api(home, "/api/search", q="embankment", per_page=100, collapse="0")["hits"]
    first = next(h for h in every_hit if h["cluster"] == ORIGINAL)
    assert hit["id"] == first["id"]
    # Facets count articles either way.
    facet = {v["value"]: v["count"] for v in both["facets"]["source"]}
    assert sum(facet[outlet] for outlet in outlets) == 4
    # The copies of one story, found by its id.
    story = api(home, "/api/search", cluster=ORIGINAL, collapse="0")
    assert sorted(hit["id"] for hit in story["hits"]) == sorted(STORY)
    article = api(home, f"/api/articles/{REPRINTS[0]}")
    assert (article["cluster"], article["copies"]) == (ORIGINAL, 3)
    assert [c["id"] for c in article["other_copies"]] == [ORIGINAL, LATE_REPRINT, REPRINTS[1]]


def test_collapse_refuses_other_values(home, tmp_path):
    imported(home, tmp_path, records(ORIGINAL))
    client = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()
    answer = client.get("/api/search?collapse=2")
    assert answer.status_code == 400 and answer.get_json()["error"]["param"] == "collapse"
    assert client.get("/?collapse=yes").status_code == 400
    assert client.get("/?cluster=" + "x" * 5000).status_code == 400


@pytest.mark.parametrize(
    "locale, more, every",
    [("en", "3 more copies", "Show every copy"), ("uk", "ще 3 копії", "Показати всі копії")],
)
def test_the_page_says_more_copies(home, tmp_path, locale, more, every):
    imported(home, tmp_path, records(*STORY, QUOTE))
    client = create_app({"ARKHIV_HOME": str(home), "TESTING": True}).test_client()
    client.set_cookie("arkhiv_locale", locale)
    html = client.get("/?q=embankment").data.decode()
    assert more in html and every in html
    assert "cluster=poltava-embankment-original" in html
    article = client.get(f"/article/{REPRINTS[0]}").data.decode()
    assert 'class="copies-list"' in article and RECORDS[ORIGINAL]["title"] in article


def test_a_shared_disclaimer_joins_nothing_and_a_story_reprinted_everywhere_does(home, tmp_path):
    disclaimer = " ".join(f"disclaimer{i % 10} clause{i}" for i in range(20))  # 40 words
    own = [
        {
            "id": f"own-{n}",
            "title": f"Own report {n}",
            "body": " ".join(f"report{n}x{i} word{(n * 7 + i) % 300}" for i in range(70))
            + "\n\n"
            + disclaimer,
            "language": "en",
            "published": "2024-02-02",
        }
        for n in range(copies.BOILERPLATE_BAND + 10)
    ]
    wire = [
        {**RECORDS[ORIGINAL], "id": f"wire-{n}", "published": f"2025-05-{14 + n % 10}"}
        for n in range(copies.BOILERPLATE_BAND + 10)
    ]
    imported(home, tmp_path, own[:30])
    imported(home, tmp_path, [*own[30:], *records(ORIGINAL)])
    imported(home, tmp_path, wire[:30])
    imported(home, tmp_path, wire[30:])
    store = home_store(home)
    assert set(store.clusters(r["id"] for r in own).values()) == {r["id"] for r in own}
    assert set(store.clusters(r["id"] for r in wire).values()) == {ORIGINAL}
