"""Copies of one story: found at import (the real store, SQLite and PostgreSQL), kept in the
index, collapsed in search, listed on the article page."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from archive import copies
from archive.takedowns import Takedowns
from archive.word_hashes import word_hashes, words
from index.segments import indexer
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


def test_signature_is_datasketchs_minhash_of_the_shingles():
    """The signatures stored by earlier code were datasketch's: the MinHash computed here must
    give the same values, and the distinct count ``np.unique``'s, or a new article would not
    match the copies stored before it."""
    from datasketch import MinHash

    rng = np.random.default_rng(7)
    vocabulary = [f"слово{i}" for i in range(300)] + ["Київ", "budget", "з'явився"]
    for length in (30, 31, 64, 400, 3000):
        text = " ".join(rng.choice(vocabulary, size=length))
        shingles = copies.shingle_hashes(word_hashes(text))
        reference = MinHash(
            num_perm=copies.NUM_PERM, seed=copies.SEED, hashfunc=int, scheme="affine32"
        )
        reference.update_batch(shingles.tolist())  # one shingle at a time
        found = copies.signature(text)
        assert found.values.dtype == np.uint32
        assert np.array_equal(found.values, reference.hashvalues.astype(np.uint32)), length
        assert found.shingles == len(np.unique(shingles))
    repeated = copies.signature(" ".join(["one two three four five"] * 20))
    assert repeated.shingles == 5  # 96 shingles, five distinct
    assert copies.distinct_count(np.zeros(0, dtype=np.uint32)) == 0
    assert copies.distinct_count(np.array([5, 5, 5], dtype=np.uint32)) == 1


def test_signature_ignores_case_and_apostrophes():
    text = " ".join(f"word{i}" for i in range(40))
    same = copies.signature(text.upper().replace("word1 ", "word'1 "))
    assert np.array_equal(copies.signature(text).values, same.values)
    values = copies.signature(text).values
    assert values.dtype == np.uint32 and len(values) == copies.NUM_PERM
    assert copies.signature(text).shingles == 37  # 40 words, runs of 4, all distinct
    assert copies.signature("too short to tell a copy from a shared phrase") is None


def _words(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"w{n}" for n in rng.integers(0, 1_000_000, count)]


def test_containment_tells_a_cut_or_expanded_copy_from_a_quote():
    story = _words(400, 1)
    own = _words(400, 2)

    def sign(words: list[str]) -> copies.Signature:
        return copies.signature(" ".join(words))

    original = sign(story)
    assert copies.are_copies(original, sign(story[:200]))  # its first half
    assert copies.are_copies(original, sign(own[:100] + story))  # an intro of its own
    assert copies.are_copies(original, sign(story[:200] + own[:200] + story[200:]))  # expanded
    # A quarter of it inside as much text of its own: most of the shorter, not a copy.
    assert not copies.are_copies(original, sign(own[:50] + story[100:200] + own[50:100]))
    assert not copies.are_copies(original, sign(own))
    # Jaccard alone could not tell: the first half and the expanded copy have about 0.5.
    assert copies.similarity(original.values, sign(story[:200]).values) < 0.6


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


# Text of an outlet's own (written for these tests), about other things than the story.
OWN = [
    "Our correspondent in Poltava has followed the city's budget debates since the winter, when"
    " the council first argued about which of the many repairs the town needs should come first.",
    "Readers have written to us about their flooded cellars, the broken lights on the bridge and"
    " the bus routes that were cut last year, and we have asked the mayor's office to answer them.",
    "The regional administration has also promised money for schools and clinics in the villages"
    " around the city, though the exact sums will only be known after the regional budget vote.",
    "Local businesses near the market told us that trade had fallen sharply during the floods and"
    " that several shops closed for weeks while their owners waited for insurance payments.",
    "A volunteer group that cleaned the riverbank after the water went down says it collected more"
    " than two tonnes of rubbish and plans another clean-up day for the first weekend of June.",
    "Historians at the local museum note that the stone wall was first built in the nineteenth"
    " century and rebuilt twice since, each time after a spring flood worse than the last one.",
]


def _reworked(new_id: str, paragraphs: list[str], published: str, source: str) -> dict:
    return {
        **RECORDS[ORIGINAL],
        "id": new_id,
        "title": f"{source}: the council votes on the river wall",
        "body": "\n\n".join(paragraphs),
        "published": published,
        "source": source,
    }


def _story_paragraphs() -> list[str]:
    return RECORDS[ORIGINAL]["body"].split("\n\n")


def test_a_cut_a_prefaced_and_an_expanded_reprint_join_and_a_quote_does_not(home, tmp_path):
    story = _story_paragraphs()
    cut = _reworked("cut", story[:3], "2025-05-13T11:00:00+03:00", "Cut Courier")  # first 60%
    prefaced = _reworked("prefaced", [*OWN[:2], *story], "2025-05-13T12:00:00+03:00", "Intro")
    expanded = _reworked(
        "expanded",
        [story[0], *OWN[:3], *story[1:], *OWN[3:]],  # as much text of its own as the story's
        "2025-05-14T09:00:00+03:00",
        "Expanded Post",
    )
    # One paragraph of the story (a quarter of it) inside two of its own: most of the shorter
    # text is the quote, still not a copy.
    quote = _reworked("short-quote", [OWN[4], story[2], OWN[5]], "2025-05-15", "Quoting Times")
    imported(home, tmp_path, records(ORIGINAL, QUOTE))
    imported(home, tmp_path, [cut, prefaced, expanded, quote])
    store = home_store(home)
    reprinted = ["cut", "prefaced", "expanded"]
    assert store.clusters([ORIGINAL, *reprinted]) == dict.fromkeys([ORIGINAL, *reprinted], ORIGINAL)
    assert store.clusters([QUOTE, "short-quote"]) == {QUOTE: QUOTE, "short-quote": "short-quote"}
    assert [c["id"] for c in store.copies_of(ORIGINAL)] == reprinted  # earliest first


def test_the_earliest_published_names_a_story_found_by_containment(home, tmp_path):
    story = _story_paragraphs()
    expanded = _reworked("expanded", [*story, *OWN], "2025-05-14T09:00:00+03:00", "Expanded Post")
    imported(home, tmp_path, [expanded])
    imported(home, tmp_path, records(ORIGINAL))  # published earlier, stored later
    store = home_store(home)
    assert store.clusters(["expanded", ORIGINAL]) == dict.fromkeys(["expanded", ORIGINAL], ORIGINAL)
    # A cut reprint dated before the original (a wire story's first half, out first): it names
    # the story, and every copy follows.
    early = _reworked("early-cut", story[:3], "2025-05-13T08:00:00+03:00", "Early Wire")
    imported(home, tmp_path, [early])
    ids = ["expanded", ORIGINAL, "early-cut"]
    assert store.clusters(ids) == dict.fromkeys(ids, "early-cut")
    hits = api(home, "/api/search", q="promenade", collapse="0")["hits"]
    assert {hit["id"]: hit["cluster"] for hit in hits} == dict.fromkeys(ids, "early-cut")


def test_an_archive_of_the_former_band_layout_finds_its_copies_again(tmp_path):
    """Schema 4 lays the bands out anew: an archive of schema 3 forgets its bands and
    signatures, keeps its stories, and `arkhiv copies --update` finds the copies again."""
    home = tmp_path / "home"
    home.mkdir()
    imported(home, tmp_path, records(ORIGINAL, REPRINTS[0], QUOTE))
    store = home_store(home)
    db = store.db
    # Back to schema 3: no shingle counts, and a band of the former layout.
    db.execute("ALTER TABLE articles DROP COLUMN shingles")
    db.execute("INSERT INTO copy_bands (band, article) VALUES (12345, 1)")
    for table in ("followed_feeds", "fetched_pages", "site_robots"):  # schema 5's
        db.execute(f"DROP TABLE {table}")
    db.execute("DROP INDEX articles_by_story")  # schema 6's
    db.execute("DROP TABLE copy_bands_recent")  # schema 7's
    db.execute("DELETE FROM store_state WHERE key IN ('recent_bands', 'settled_bands')")
    db.execute("CREATE INDEX articles_by_cluster ON articles (cluster) WHERE cluster IS NOT NULL")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    store.close()
    store = home_store(home)
    assert store.db.execute("SELECT count(*) FROM copy_bands").fetchone()[0] == 0
    assert store.unsigned_count() == 3
    assert set(store.clusters([ORIGINAL, REPRINTS[0]]).values()) == {ORIGINAL}  # kept
    done = run_arkhiv(home, "copies")
    assert "3 articles not yet compared for copies" in done.stdout
    imported(home, tmp_path, records(REPRINTS[1]))  # found by its text: not yet by the bands
    assert store.clusters([REPRINTS[1]]) == {REPRINTS[1]: REPRINTS[1]}
    done = run_arkhiv(home, "copies", "--update")
    assert done.returncode == 0, done.stderr
    assert "compared 3 articles" in done.stdout
    assert set(store.clusters([ORIGINAL, *REPRINTS]).values()) == {ORIGINAL}
    assert store.clusters([QUOTE]) == {QUOTE: QUOTE}
    assert (
        store.db.execute("SELECT count(*) FROM articles WHERE shingles IS NULL").fetchone()[0] == 0
    )


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
    # The story kept its key (no member took a new number); the index names it by its
    # earliest member too.
    hits = api(home, "/api/search", q="embankment", collapse="0")["hits"]
    assert {hit["id"]: hit["cluster"] for hit in hits} == dict.fromkeys(STORY, LATE_REPRINT)
    assert {hit["copies"] for hit in hits} == {3}
    assert indexer.compare(store, home / "index").agree


def _record(article_id: str, words: list[str], published: str) -> dict:
    return {
        "id": article_id,
        "title": f"Story {article_id}",
        "body": " ".join(words),
        "language": "en",
        "published": published,
        "url": f"https://example.org/{article_id}",
    }


def _seqs(store, ids: list[str]) -> dict[str, int]:
    return dict(store._rows_by_id("seq", ids))


def test_a_story_keeps_its_key_as_it_grows_and_the_smaller_joins_the_larger(home, tmp_path):
    """What a newcomer costs does not grow with its story: joining one changes no member, a
    copy published earlier renames nothing, and a newcomer that bridges two stories moves the
    smaller one's members only."""
    a, b = _words(300, 11), _words(300, 12)
    imported(home, tmp_path, [_record("a0", a, "2025-03-02T10:00:00+02:00")])
    imported(home, tmp_path, [_record("a1", a[:200], "2025-03-03T10:00:00+02:00")])
    store = home_store(home)
    key = store.db.execute("SELECT DISTINCT cluster FROM articles").fetchall()
    assert key == [("a0",)]
    before = _seqs(store, ["a0", "a1"])
    imported(home, tmp_path, [_record("a2", a[50:], "2025-03-01T10:00:00+02:00")])
    imported(home, tmp_path, [_record("a3", a[:250], "2025-03-04T10:00:00+02:00")])
    assert _seqs(store, ["a0", "a1"]) == before  # grown twice, by an earlier copy too
    assert set(store.clusters(["a0", "a1", "a2", "a3"]).values()) == {"a2"}
    imported(
        home,
        tmp_path,
        [_record("b0", b, "2025-02-01T10:00:00+02:00"), _record("b1", b[:220], "2025-02-02")],
    )
    assert set(store.clusters(["b0", "b1"]).values()) == {"b0"}
    a_seqs, b_seqs = _seqs(store, ["a0", "a1", "a2", "a3"]), _seqs(store, ["b0", "b1"])
    imported(home, tmp_path, [_record("ab", a + b, "2025-03-05T10:00:00+02:00")])
    assert _seqs(store, ["a0", "a1", "a2", "a3"]) == a_seqs  # the larger keeps its key
    moved = _seqs(store, ["b0", "b1"])
    assert all(moved[i] > b_seqs[i] for i in moved)  # the smaller took it: new numbers
    everyone = ["a0", "a1", "a2", "a3", "b0", "b1", "ab"]
    assert set(store.clusters(everyone).values()) == {"b0"}  # earliest of all: 1 February
    hits = api(home, "/api/search", q="story", collapse="0", per_page="50")["hits"]
    assert {hit["id"]: hit["cluster"] for hit in hits} == dict.fromkeys(everyone, "b0")
    story = api(home, "/api/search", cluster="b0", collapse="0", per_page="50")
    assert story["total"] == 7
    assert indexer.compare(store, home / "index").agree


def _band_rows(store, where: str, *params) -> int:
    """Band rows matching ``where``, in every table that holds them (SQLite keeps two levels,
    PostgreSQL one)."""
    sqlite = isinstance(store.db, sqlite3.Connection)
    tables = ["copy_bands", "copy_bands_recent"] if sqlite else ["copy_bands"]
    return sum(
        store.db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
        for table in tables
    )


def test_a_crowded_band_key_is_counted_not_read_nor_grown(home, tmp_path):
    """A band key that more than BOILERPLATE_BAND articles hold: at most one more than that
    is read, and a newcomer holding it is not written under it."""
    text = _words(300, 21)
    signature = copies.signature(" ".join(text))
    crowded = int(copies.band_keys(signature.values)[0])
    store = home_store(home)
    holders = 3 * copies.BOILERPLATE_BAND
    with store.writing() as change:
        change.add_bands([(crowded, 10_000_000 + n) for n in range(holders)])
        held = change.band_holders([crowded, 12345], copies.BOILERPLATE_BAND + 1)
    assert len(held[crowded]) == copies.BOILERPLATE_BAND + 1 and 12345 not in held
    imported(home, tmp_path, [_record("newcomer", text, "2025-03-01T10:00:00+02:00")])
    assert _band_rows(store, "band = ?", crowded) == holders
    assert _band_rows(store, "article < 10000000") == copies.BANDS - 1  # its other keys
    assert store.clusters(["newcomer"]) == {"newcomer": "newcomer"}


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
