"""How fast the search index is built, and where the time goes.

Reads articles from an existing store (``--store``; e.g. one made by ``arkhiv import``) and builds
a fresh Whoosh index from them with Whoosh's own writer (``plain``) or the archive's write path
(``fast``, :mod:`index.segments.segment_writer` via ``index.segments.indexer.catch_up``), in a
temporary directory. Prints wall and CPU seconds and articles/s; ``--profile`` adds a cProfile
summary; ``--compare`` builds both and checks that their postings are the same (terms, frequencies,
positions, weights, field lengths). The end-to-end figure is the import command itself::

    rm -rf /tmp/speed && time ARKHIV_HOME=/tmp/speed .venv/bin/arkhiv import --no-progress \\
        $ARKHIV_BENCH_DATA/30k.jsonl

    .venv/bin/python -m bench.index_speed --store /tmp/speed/archive.sqlite3 --limit 3000 \\
        --mode fast --repeat 3 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index

from archive.store import Store
from index.segments import indexer
from index.segments.schema import build_schema


class LimitedStore:
    """The part of the store interface ``catch_up`` uses, over the first ``limit`` articles."""

    def __init__(self, store: Store, limit: int | None):
        self.rows = []
        for stored in store.changed_since(0):
            self.rows.append(stored)
            if limit and len(self.rows) >= limit:
                break

    def last_seq(self) -> int:
        return self.rows[-1].seq if self.rows else 0

    def pending_count(self, seq: int) -> int:
        return sum(1 for row in self.rows if row.seq > seq)

    def changed_since(self, seq: int):
        return (row for row in self.rows if row.seq > seq)

    def ids_changed(self, after: int, upto: int):
        return (row.article.id for row in self.rows if after < row.seq <= upto)

    def removed_since(self, seq: int) -> list[str]:
        return []  # the sample is of stored articles: none taken down


def build_plain(store: LimitedStore, directory: Path) -> None:
    """Whoosh's own writer, one commit: the reference the fast path is compared with."""
    directory.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(directory), build_schema())
    writer = ix.writer(limitmb=256)
    for stored in store.changed_since(0):
        writer.add_document(**indexer.article_document(stored.article))
    writer.commit()


def build_fast(store: LimitedStore, directory: Path) -> None:
    # In this process (a sample store cannot be read by worker processes): one segment, like
    # build_plain, so term statistics compare too. Worker speed: time ``arkhiv import``.
    directory.mkdir(parents=True, exist_ok=True)
    indexer.create_index(directory)
    indexer.catch_up_build(store, directory, workers=1)


BUILDERS = {"plain": build_plain, "fast": build_fast}


def postings_of(directory: Path) -> dict:
    """Everything searchable in an index, keyed by article id rather than document number."""
    ix = whoosh_index.open_dir(str(directory))
    found = {}
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for fieldname, btext in reader.all_terms():
            field = ix.schema[fieldname]
            info = reader.term_info(fieldname, btext)
            matcher = reader.postings(fieldname, btext)
            postings = []
            while matcher.is_active():
                docnum = matcher.id()
                value = matcher.value()
                positions = (
                    tuple(field.format.decode_positions(value))
                    if field.format.supports("positions")
                    else None
                )
                postings.append(
                    (
                        ids[docnum],
                        round(matcher.weight(), 4),
                        positions,
                        reader.doc_field_length(docnum, fieldname),
                    )
                )
                matcher.next()
            postings.sort()
            found[(fieldname, btext)] = (
                info.doc_frequency(),
                round(info.weight(), 3),
                info.min_length(),
                info.max_length(),
                round(info.max_weight(), 4),
                tuple(postings),
            )
    return found


def compare(store: LimitedStore, workdir: Path) -> int:
    build_plain(store, workdir / "plain")
    build_fast(store, workdir / "fast")
    plain, fast = postings_of(workdir / "plain"), postings_of(workdir / "fast")
    differ = [key for key in plain.keys() | fast.keys() if plain.get(key) != fast.get(key)]
    print(f"terms: plain {len(plain):,}, fast {len(fast):,}; differing: {len(differ):,}")
    for key in sorted(differ)[:10]:
        print(" ", key, "\n    plain:", plain.get(key), "\n    fast: ", fast.get(key))
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, type=Path, help="an archive.sqlite3")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--mode", choices=sorted(BUILDERS), default="fast")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the median is reported")
    parser.add_argument("--profile", action="store_true", help="cProfile the last run")
    parser.add_argument("--compare", action="store_true", help="check fast == plain postings")
    args = parser.parse_args()

    store = LimitedStore(Store(args.store), args.limit)
    count = len(store.rows)
    workdir = Path(tempfile.mkdtemp(prefix="index-speed-"))
    try:
        if args.compare:
            return compare(store, workdir)
        walls, cpus = [], []
        for run in range(args.repeat):
            target = workdir / f"run{run}"
            profiler = cProfile.Profile() if args.profile and run == args.repeat - 1 else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            BUILDERS[args.mode](store, target)
            if profiler:
                profiler.disable()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            print(
                f"run {run + 1}: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU (this process)",
                file=sys.stderr,
            )
            shutil.rmtree(target, ignore_errors=True)
        wall = statistics.median(walls)
        print(
            f"{args.mode}: {count:,} articles, median {wall:.2f} s wall "
            f"({count / wall:,.0f} articles/s), {statistics.median(cpus):.2f} s CPU"
        )
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(25)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
