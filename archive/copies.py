"""Copies of one story: near-duplicate detection over the store's tables.

An article's text (its body; its summary when it has no body; never the title, which reprints
change) is normalised (NFC, casefolded, apostrophes and stress marks dropped) and cut into words
(:mod:`archive.word_hashes`, hashed in one numpy pass); every run of
``SHINGLE`` consecutive words is a shingle. A MinHash signature (``datasketch``, ``NUM_PERM``
permutations, a fixed seed) estimates the Jaccard similarity of two articles' shingle sets.

The number of distinct shingles is kept beside the signature. Two articles are copies when most
of the shorter text is contained in the longer one, not only when the two are nearly equal: a
wire story reprinted as its first half, under an outlet's own intro, or with as much text of the
outlet's own added, is one story. From the estimated Jaccard J and the shingle counts a <= b, the
shingles shared are about s = J (a + b) / (1 + J) (as J = s / (a + b - s)); the pair is a copy
when s is at least ``CONTAINED`` of the shorter text and at least ``COVERED`` of the longer one.
The second bound keeps a quote out: an article that quotes one paragraph of another (at most a
quarter of it) shares at most a quarter of the longer text, however little text of its own it
has. (Two nearly equal texts of J >= 0.45, copies before, pass both bounds.) The estimate is as
good as J's: its standard error is sqrt(J (1 - J) / NUM_PERM), 0.04 at J = 0.3 with the 128
permutations (64 gave 0.06, and a short quote's estimated share of the longer text reached 0.33
where the exact one was 0.24).

Locality-sensitive hashing finds the candidates without comparing an article to the archive:
the first 64 values of the signature are cut into ``BANDS`` bands of ``ROWS`` values (32 x 2),
each band hashed to a 64-bit key; two articles sharing any band key are candidates. The chance
that a pair of Jaccard J is a candidate is 1 - (1 - J^2)^32: 0.93 at 0.28 (about the least a
copy can have), 0.97 at 0.33 (a cut reprint under an intro), 0.9997 at 0.5 (a half-length
reprint, or one expanded with as much text), and 0.28 at 0.1, 0.08 at 0.05: pairs that the
verification turns away. (20 bands of 3, the layout before, found a pair of 0.4 at 0.73 and of
0.33 at 0.54: on bench/copies.py's set with cut, prefaced and expanded reprints, it missed a
third of the pairs.) A band key that more than ``BOILERPLATE_BAND`` articles hold is boilerplate
(a standard disclaimer) and is not followed: what a new article costs is bounded, whatever the
size of the archive. Only ``BOILERPLATE_BAND + 1`` holders of a key are ever read (the store
counts the rest without reading them, :meth:`Change.band_holders`), and a key held by more is
not written again: its holders so far are a sample enough. Changing the layout changes every
stored band key: a store's migration then forgets the bands and the signatures, and ``arkhiv
copies --update`` finds them again.

A story has a key, the id of one of its members; the store keeps it per article (``cluster``:
NULL for an article with no copies, which is its own story). The key is stable as the story
grows: a newcomer that joins a story takes its key, and an article alone that a newcomer matches
takes the newcomer's story's key (or, two alone, the earlier one's id). A newcomer that bridges
several stories joins them under the largest one's key, and only the members of the smaller ones
change (union by size: an article changes story O(log n) times at most). So what a newcomer costs
is bounded by its matches, never by the size of the story it joins. (Before, a story was named
by its earliest member, and a copy published earlier renamed the whole story: on the benchmark's
1M, stories of 100,000 members were read for every newcomer and one article in five was indexed
twice.) Readers still see a story named by its earliest-published member: the store
(:meth:`Store.clusters`) and the index (:class:`index.segments.columns.Stories`) find it when asked.
An article whose story changes takes a new sequence number in the same transaction, so every
index catches up through the store's ordinary changes.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from archive.word_hashes import _mix, word_hashes

NUM_PERM = 128
BANDS, ROWS = 32, 2
SHINGLE = 4
# Texts shorter than this (in words) get no signature and never join a story: too little text to
# tell a copy from a shared phrase.
MIN_WORDS = 30
# Two articles are copies when the shingles they share are at least this share of the shorter
# text ("most of it")...
CONTAINED = 0.6
# ...and at least this share of the longer one (more than a quote of a quarter of it).
COVERED = 0.36
# A band key held by more articles than this is boilerplate (a standard disclaimer): not
# followed, unless it is all a newcomer shares, and then only this many of its holders.
BOILERPLATE_BAND = 50
# At most this many candidates of a newcomer are verified (those sharing the most band keys).
CHECKED = 64
SEED = 1

# Shingle hash = sum of word hashes times these (mod 2^64): order-sensitive, vectorised.
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)[:SHINGLE]


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The ``NUM_PERM`` affine permutations ``h -> a h + b`` (mod 2^32) of datasketch's MinHash
    with this ``SEED`` and its "affine32" scheme, as two columns: the ones every stored
    signature was made with. datasketch draws them; it is imported when first needed (it
    imports scipy, a second or more that a process which never compares articles should not
    pay)."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return a.astype(np.uint32).reshape(-1, 1), b.astype(np.uint32).reshape(-1, 1)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (datasketch mixes every input hash so, once)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def minhash(shingles: np.ndarray) -> np.ndarray:
    """The MinHash of a non-empty set of 32-bit shingle hashes: the smallest image of them under
    each permutation; the values datasketch's ``MinHash.update_batch`` gives (a repeated
    shingle changes no minimum). One matrix of permutations by shingles, in numpy: datasketch
    made the same matrix the other way round, a third slower."""
    a, b = _permutations()
    return (a * _fmix32(shingles.astype(np.uint32)) + b).min(axis=1)


def distinct_count(values: np.ndarray) -> int:
    """How many distinct values ``values`` holds (a sort: ``np.unique`` took five times as
    long on an article's few hundred shingles)."""
    if not len(values):
        return 0
    ordered = np.sort(values)
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1


def shingle_hashes(words: np.ndarray) -> np.ndarray:
    """A 32-bit hash of each run of ``SHINGLE`` consecutive words (given as word hashes)."""
    count = len(words) - SHINGLE + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for offset, multiplier in enumerate(_MULTIPLIERS):
        mixed += words[offset : offset + count] * multiplier  # wraps modulo 2**64
    return (mixed >> np.uint64(32)).astype(np.uint32)


def article_text(body: str | None, summary: str | None) -> str:
    """What is compared: the body, or the summary when there is no body (never the title)."""
    return body if body and body.strip() else (summary or "")


class Signature(NamedTuple):
    """What an article is compared by: its MinHash (``NUM_PERM`` unsigned 32-bit values) and
    how many distinct shingles its text has."""

    values: np.ndarray
    shingles: int


def signature(text: str) -> Signature | None:
    """The signature of ``text``; None when it is shorter than ``MIN_WORDS`` words."""
    found = word_hashes(text)
    if len(found) < MIN_WORDS:
        return None
    shingles = shingle_hashes(found)
    return Signature(minhash(shingles), distinct_count(shingles))


def to_bytes(values: np.ndarray) -> bytes:
    return values.astype("<u4").tobytes()


def stored(found: Signature | None) -> tuple[bytes, int | None]:
    """A signature as the store's ``signature`` and ``shingles`` columns hold it (empty and NULL:
    too short to have one)."""
    return (to_bytes(found.values), found.shingles) if found is not None else (b"", None)


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u4")


_BAND_MULTIPLIERS = np.array(
    [0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3],
    dtype=np.uint64,
)[:ROWS]
_BAND_NUMBERS = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def band_keys(values: np.ndarray) -> np.ndarray:
    """The 64-bit key of each band of a signature (or of each row of a matrix of them): its
    ``ROWS`` values and its number, mixed (signed, as the stores' INTEGER takes it)."""
    used = values[..., : BANDS * ROWS].astype(np.uint64)  # the first 64 of NUM_PERM
    bands = used.reshape(*values.shape[:-1], BANDS, ROWS)
    mixed = (bands * _BAND_MULTIPLIERS).sum(axis=-1, dtype=np.uint64) + _BAND_NUMBERS
    return _mix(mixed).view(np.int64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures' values."""
    return float(np.mean(a == b))


def shared_shingles(a: Signature, b: Signature) -> float:
    """About how many shingles two articles share: from the estimated Jaccard J and their
    counts, J (|A| + |B|) / (1 + J)."""
    jaccard = similarity(a.values, b.values)
    return jaccard * (a.shingles + b.shingles) / (1 + jaccard)


def are_copies(a: Signature, b: Signature) -> bool:
    """Whether two articles are copies of one story: what they share is most of the shorter
    (``CONTAINED``) and more than a quote of the longer (``COVERED``)."""
    return bool(copies_among(a, [b])[0])


def copies_among(mine: Signature, others: Sequence[Signature]) -> np.ndarray:
    """:func:`are_copies` of ``mine`` and each of ``others``, in one numpy pass (an article's
    candidates are verified together)."""
    values = np.stack([other.values for other in others])
    counts = np.array([other.shingles for other in others], dtype=np.float64)
    return pairs_are_copies(mine.values[np.newaxis, :], float(mine.shingles), values, counts)


def pairs_are_copies(
    values_a: np.ndarray, counts_a, values_b: np.ndarray, counts_b: np.ndarray
) -> np.ndarray:
    """Whether each pair (row i of ``values_a``/``counts_a`` with row i of ``values_b``/
    ``counts_b``; a single row broadcasts) are copies: see :func:`are_copies`."""
    jaccard = (values_a == values_b).mean(axis=1)
    shared = jaccard * (counts_a + counts_b) / (1 + jaccard)
    shorter = np.minimum(counts_a, counts_b)
    longer = np.maximum(counts_a, counts_b)
    return (shared >= CONTAINED * shorter) & (shared >= COVERED * longer)


@dataclass
class Newcomer:
    """An article of the batch being stored: its row number, id, publication and signature."""

    rowid: int
    id: str
    published_at: float | None
    signature: Signature | None


def _chunks(items: Sequence, size: int = 500) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in(db, sql: str, values: Sequence, size: int = 500) -> list[tuple]:
    """``sql`` with ``{marks}`` filled for each chunk of ``values``; all rows."""
    rows: list[tuple] = []
    for chunk in _chunks(list(values), size):
        marks = ",".join("?" * len(chunk))
        rows.extend(db.execute(sql.format(marks=marks), list(chunk)).fetchall())
    return rows


def _order_key(published_at: float | None, article_id: str) -> tuple:
    # The earliest-published member names the story; undated ones after every dated one.
    return (published_at is None, published_at or 0.0, article_id)


class Clusters:
    """The clustering of one write transaction (``change``, see :meth:`Store.writing`)."""

    def __init__(self, change):
        self.change = change
        self.db = change.db

    # -- adding ------------------------------------------------------------------------------

    def add(
        self,
        newcomers: list[Newcomer],
        fresh: bool = True,
        previous: dict[int, Signature] | None = None,
    ) -> None:
        """Find the copies of ``newcomers`` (already in ``articles``) in the archive and among
        themselves, store their bands and join the clusters.

        ``fresh``: the newcomers took a new sequence number in this change already, and their
        signatures were written with their rows (an import); ``previous`` then holds the
        signatures they had before (updates), whose bands go. Otherwise the signatures are
        written here, and the former ones read here."""
        if not newcomers:
            return
        rowids = [n.rowid for n in newcomers]
        if previous is None:
            previous = self._signatures(rowids)
        # An update: its former bands go, and it leaves its story, to join by its new text.
        self.retire(previous)
        if not fresh:
            self.db.executemany(
                "UPDATE articles SET signature = ?, shingles = ? WHERE rowid = ?",
                [(*stored(n.signature), n.rowid) for n in newcomers],
            )
        signed = {n.rowid: n.signature for n in newcomers if n.signature is not None}
        keys: dict[int, list[int]] = {}
        if signed:
            matrix = band_keys(np.stack([s.values for s in signed.values()])).tolist()
            keys = dict(zip(signed, matrix, strict=True))
        candidates, crowded = self._candidates(keys)
        # In key order: the inserts walk the table's B-tree once, not in random order. A key
        # already crowded gains nothing from one more holder.
        bands = sorted(
            (key, rowid) for rowid, ks in keys.items() for key in ks if key not in crowded
        )
        self.change.add_bands(bands)
        if not candidates:
            return
        matches = self._verified(signed, candidates)
        if matches:
            self._join(matches, set(rowids) if fresh else set())

    def _verified(
        self, signed: dict[int, Signature], candidates: dict[int, set[int]]
    ) -> dict[int, set[int]]:
        """The candidates that are copies of each newcomer: the signatures read into one
        matrix, every pair compared in a few numpy passes (not an array per candidate)."""
        wanted = sorted({o for others in candidates.values() for o in others} - signed.keys())
        rowids = list(signed)
        values = [np.stack([found.values for found in signed.values()])]
        counts = [np.array([found.shingles for found in signed.values()], dtype=np.float64)]
        rows = [
            row
            for row in _in(
                self.db,
                "SELECT rowid, signature, shingles FROM articles WHERE rowid IN ({marks})",
                wanted,
            )
            if row[1]
        ]
        if rows:
            rowids += [rowid for rowid, _, _ in rows]
            blob = b"".join(bytes(signature) for _, signature, _ in rows)
            values.append(np.frombuffer(blob, dtype="<u4").reshape(len(rows), NUM_PERM))
            counts.append(np.array([n for _, _, n in rows], dtype=np.float64))
        position = {rowid: at for at, rowid in enumerate(rowids)}
        left: list[int] = []
        right: list[int] = []
        for rowid, others in candidates.items():
            mine = position[rowid]
            for other in others:
                at = position.get(other)
                if at is not None:
                    left.append(mine)
                    right.append(at)
        matrix, count = np.concatenate(values), np.concatenate(counts)
        a, b = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        found = np.zeros(len(a), dtype=bool)
        for start in range(0, len(a), 20_000):
            part = slice(start, start + 20_000)
            found[part] = pairs_are_copies(
                matrix[a[part]], count[a[part]], matrix[b[part]], count[b[part]]
            )
        matches: dict[int, set[int]] = {}
        for at in np.flatnonzero(found).tolist():
            matches.setdefault(rowids[left[at]], set()).add(rowids[right[at]])
        return matches

    def retire(self, previous: dict[int, Signature]) -> None:
        """Articles whose text changed while detection is off: their former bands go and they
        leave their stories (their signature is NULL until found again)."""
        self._forget_bands(previous)
        if previous:
            self._detach(list(previous))

    def _signatures(self, rowids: Sequence[int]) -> dict[int, Signature]:
        """The stored signatures of ``rowids`` (those that have one)."""
        return {
            rowid: Signature(from_bytes(blob), shingles)
            for rowid, blob, shingles in _in(
                self.db,
                "SELECT rowid, signature, shingles FROM articles WHERE rowid IN ({marks})",
                rowids,
            )
            if blob
        }

    def _candidates(self, keys: dict[int, list[int]]) -> tuple[dict[int, set[int]], set[int]]:
        """For each newcomer, the articles sharing a band key with it, in the archive (asked
        before the newcomers' own bands are written: only real collisions come back) and in
        the batch; a key that more than ``BOILERPLATE_BAND`` hold is boilerplate (see there).
        Also the keys that the archive holds crowded already."""
        by_key: dict[int, list[int]] = {}
        for rowid, ks in keys.items():
            for key in ks:
                by_key.setdefault(key, []).append(rowid)
        if not by_key:
            return {}, set()
        holders = self.change.band_holders(sorted(by_key), BOILERPLATE_BAND + 1)
        crowded_keys = {key for key, held in holders.items() if len(held) > BOILERPLATE_BAND}
        shared: dict[int, Counter[int]] = {}  # newcomer -> candidate -> keys shared
        crowded: dict[int, list[int]] = {}  # newcomer -> keys too common to follow
        for key, batch in by_key.items():
            archived = holders.get(key, ())
            holding = len(batch) + len(archived)
            if holding < 2:
                continue
            for rowid in batch:
                if holding > BOILERPLATE_BAND:
                    crowded.setdefault(rowid, []).append(key)
                    continue
                others = shared.setdefault(rowid, Counter())
                others.update(archived)
                others.update(batch)
        # The candidates that share the most keys are verified, up to ``CHECKED``: a copy
        # shares about BANDS * J^2 of them (2.5 at J = 0.28, the least a copy has), a chance
        # collision one; in text that repeats a great deal, hundreds may share one.
        found: dict[int, set[int]] = {}
        for rowid, others in shared.items():
            others.pop(rowid, None)
            if len(others) > CHECKED:
                found[rowid] = {other for other, _ in others.most_common(CHECKED)}
            elif others:
                found[rowid] = set(others)
        # A newcomer whose every shared key is crowded may be one more copy of a story
        # reprinted everywhere: it is compared with a bounded sample of those keys' holders.
        for rowid, crowded_keys_of in crowded.items():
            if rowid in found:
                continue
            sample: set[int] = set()
            for key in crowded_keys_of:
                sample.update(holders.get(key, [])[:BOILERPLATE_BAND])
                sample.update(by_key[key][:BOILERPLATE_BAND])
            sample.discard(rowid)
            found[rowid] = set(sorted(sample)[:BOILERPLATE_BAND])
        return found, crowded_keys

    def _join(self, matches: dict[int, set[int]], fresh: set[int]) -> None:
        """Join the newcomers and their matches into stories (see the module's note): each
        group of what matched keeps the key of its largest story; the members of smaller
        stories and the articles alone in it take that key. Only the newcomers, their matches
        and the members of the smaller stories are read."""
        involved = sorted(set(matches) | {other for others in matches.values() for other in others})
        facts = {
            rowid: (article_id, published_at, cluster)
            for rowid, article_id, published_at, cluster in _in(
                self.db,
                "SELECT rowid, id, published_at, cluster FROM articles WHERE rowid IN ({marks})",
                involved,
            )
        }
        # Union-find over nodes: a story ("s", key), or an article alone ("a", rowid).
        parent: dict[tuple, tuple] = {}

        def find(x: tuple) -> tuple:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def node(rowid: int) -> tuple:
            cluster = facts[rowid][2]
            return ("s", cluster) if cluster is not None else ("a", rowid)

        for rowid, others in matches.items():
            if rowid not in facts:
                continue
            for other in others:
                if other in facts:
                    parent[find(node(other))] = find(node(rowid))
        groups: dict[tuple, list[tuple]] = {}
        for x in list(parent):
            groups.setdefault(find(x), []).append(x)
        keys = sorted({key for group in groups.values() for kind, key in group if kind == "s"})
        sizes = dict(
            _in(
                self.db,
                """SELECT cluster, count(*) FROM articles WHERE cluster IN ({marks})
                   GROUP BY cluster""",
                keys,
            )
        )
        changed: list[tuple[int, str]] = []
        for group in groups.values():
            stories = sorted(key for kind, key in group if kind == "s")
            alone = [rowid for kind, rowid in group if kind == "a"]
            if stories:
                target = max(stories, key=lambda key: (sizes.get(key, 0), key))
                for key in stories:
                    if key != target:
                        moved = self.db.execute(
                            "SELECT rowid FROM articles WHERE cluster = ?", (key,)
                        ).fetchall()
                        changed.extend((rowid, target) for (rowid,) in moved)
            else:
                earliest = min(alone, key=lambda r: _order_key(facts[r][1], facts[r][0]))
                target = facts[earliest][0]
            changed.extend((rowid, target) for rowid in alone)
        self._set(changed, fresh)

    def _assign(self, groups, facts, newcomers: set[int]) -> None:
        """Give each group its earliest member's id (NULL for one alone); members whose cluster
        changes take a new sequence number (newcomers have one already)."""
        changed: list[tuple] = []
        for group in groups:
            if len(group) == 1:
                cluster = None
            else:
                earliest = min(group, key=lambda r: _order_key(facts[r][1], facts[r][0]))
                cluster = facts[earliest][0]
            for rowid in group:
                if facts[rowid][2] != cluster:
                    changed.append((rowid, cluster))
        self._set(changed, newcomers)

    def _set(self, changed: list[tuple[int, str | None]], fresh: set[int]) -> None:
        rows = [
            (cluster, self.change.next_seq(), rowid)
            for rowid, cluster in changed
            if rowid not in fresh
        ]
        if rows:
            self.db.executemany("UPDATE articles SET cluster = ?, seq = ? WHERE rowid = ?", rows)
        rows = [(cluster, rowid) for rowid, cluster in changed if rowid in fresh]
        if rows:
            self.db.executemany("UPDATE articles SET cluster = ? WHERE rowid = ?", rows)

    def _detach(self, rowids: Sequence[int]) -> None:
        """Articles whose text changed leave their story; the rest of it is regrouped."""
        rows = _in(
            self.db,
            "SELECT rowid, cluster FROM articles WHERE rowid IN ({marks}) AND cluster IS NOT NULL",
            rowids,
        )
        for rowid, _ in rows:
            self.db.execute("UPDATE articles SET cluster = NULL WHERE rowid = ?", (rowid,))
        for cluster in dict.fromkeys(cluster for _, cluster in rows):
            self.regroup(cluster)

    # -- removing ----------------------------------------------------------------------------

    def _forget_bands(self, signatures: dict[int, Signature]) -> None:
        """Remove the band rows of these articles, found from their signatures (the table is
        keyed by band first; no second index by article is kept for this)."""
        stale = [
            (key, rowid)
            for rowid, found in signatures.items()
            for key in band_keys(found.values).tolist()
        ]
        self.change.forget_bands(stale)

    def remove(self, rowid: int, cluster: str | None) -> None:
        """Before an article leaves ``articles`` (a takedown): its bands go, and the rest of its
        cluster takes the next earliest member's id."""
        self._forget_bands(self._signatures([rowid]))
        if cluster is not None:
            self.db.execute("UPDATE articles SET cluster = NULL WHERE rowid = ?", (rowid,))
            self.regroup(cluster)

    def regroup(self, cluster: str) -> None:
        """After an article left story ``cluster`` (a takedown, a changed text): a member left
        alone is a story no more, and a story whose key was the id of the one that left takes
        its earliest member's id (a key is always the id of one of its story's members).
        Reads the whole story only then."""
        some = self.db.execute(
            "SELECT rowid FROM articles WHERE cluster = ? LIMIT 2", (cluster,)
        ).fetchall()
        keeps_key = self.db.execute(
            "SELECT 1 FROM articles WHERE id = ? AND cluster = ?", (cluster, cluster)
        ).fetchone()
        if len(some) == 2 and keeps_key:
            return
        members = self.db.execute(
            "SELECT rowid, id, published_at, cluster FROM articles WHERE cluster = ?", (cluster,)
        ).fetchall()
        if not members:
            return
        facts = {rowid: (article_id, at, c) for rowid, article_id, at, c in members}
        self._assign([list(facts)], facts, set())


def detect(
    change,
    rows: Iterable[tuple[int, str, float | None, str | None, str | None]],
) -> None:
    """Signatures, bands and clusters for ``rows`` (rowid, id, published_at, body, summary) in
    ``articles``, whose signatures are computed and written here (a fill, an undelete)."""
    newcomers = [
        Newcomer(rowid, article_id, published_at, signature(article_text(body, summary)))
        for rowid, article_id, published_at, body, summary in rows
    ]
    Clusters(change).add(newcomers, fresh=False)
