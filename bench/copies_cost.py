"""What looking for copies costs an import, and whether it grows with the archive.

The issue's yardstick: importing 1,000 articles into an archive of 100k should cost about what it
costs into an empty one. For each archive given (a folder holding an Arkhiv home, e.g. one that
``arkhiv import`` filled with 30k or 100k articles; none for an empty one), the same new articles
are stored into a fresh copy of it, with detection and without (``--no-copies``), ``--runs``
times, alternating; store only (``--no-index``), since that is where detection happens.

    python -m bench.copies_cost NEW.jsonl [--archive HOME ...] [--runs 3]

Makes ``NEW.jsonl`` (1,000 articles, a seed of its own) when it does not exist. Prints seconds per
1,000 articles, medians. For an archive of a million (whose copy per run would cost more than what
is measured), ``--in-place N`` copies each archive's store once and stores N new articles a run
into it, a new set each pair of runs, and adds what merging the copy bands' two tables costs
per 1,000 articles at that size (:func:`merge_cost`):

    python -m bench.copies_cost X --archive H100K --archive H1M --in-place 5000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from bench.corpus import generate, write_jsonl

ARKHIV = Path(sys.executable).parent / "arkhiv"


def _store(new: Path, home: Path, detect: bool) -> float:
    command = [str(ARKHIV), "import", "--no-progress", "--no-index", str(new)]
    if not detect:
        command.insert(2, "--no-copies")
    env = dict(os.environ, ARKHIV_HOME=str(home))
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _count(path: Path) -> int:
    with path.open(encoding="utf-8") as lines:
        return sum(1 for _ in lines)


def measure(new: Path, archive: Path | None, runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(runs):
        for mode in ("with", "without"):
            with tempfile.TemporaryDirectory(prefix="arkhiv-copies-cost-") as scratch:
                home = Path(scratch) / "home"
                if archive:
                    shutil.copytree(archive, home)
                else:
                    home.mkdir()
                times[mode].append(_store(new, home, mode == "with"))
    per_thousand = 1000 / _count(new)
    return {mode: statistics.median(found) * per_thousand for mode, found in times.items()}


def measure_in_place(archive: Path, count: int, runs: int, seed: int) -> dict[str, float]:
    """Detection's cost per 1,000 new articles into ``archive`` (a home of any size), measured
    on one copy of its store (not of its index: ``--no-index``), without copying it per run.
    Each pair of runs stores a new set of ``count`` articles twice under different ids, first
    without detection (those get no signature and are never candidates), then with."""
    times: dict[str, list[float]] = {"with": [], "without": []}
    with tempfile.TemporaryDirectory(prefix="arkhiv-copies-cost-", dir=archive.parent) as scratch:
        home = Path(scratch) / "home"
        home.mkdir()
        for name in ("archive.sqlite3", "archive.sqlite3-wal"):  # the log too, if one is left
            if (archive / name).exists():
                shutil.copy2(archive / name, home / name)
        for run in range(runs):
            articles = list(generate(count, seed=seed + run))
            for mode in ("without", "with"):
                new = Path(scratch) / f"new-{run}-{mode}.jsonl"
                with new.open("w", encoding="utf-8") as out:
                    write_jsonl(({**a, "id": f"cost-{mode}-{a['id']}"} for a in articles), out)
                times[mode].append(_store(new, home, mode == "with"))
        figures = {mode: statistics.median(found) * 1000 / count for mode, found in times.items()}
        figures["merge"], figures["merged_rows"] = merge_cost(home / "archive.sqlite3")
    return figures


def merge_cost(store_path: Path) -> tuple[float, int]:
    """What merging the copy bands' recent table into the settled one (see
    :mod:`archive.copy_bands`) adds per 1,000 new articles, at this store's size: the recent
    table is filled up to where a merge is due (random keys, as band keys are hashes), the merge
    is timed, and its time spread over the articles whose 32 rows fill it. Returns seconds per
    1,000 and how many rows the merge moved."""
    import random

    from archive import copies, copy_bands

    with closing(sqlite3.connect(store_path, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        state = dict(db.execute("SELECT key, value FROM store_state").fetchall())
        due = max(copy_bands.SETTLE_FROM, copy_bands.RECENT_SHARE * state["settled_bands"])
        missing = int(due) - int(state["recent_bands"])
        first = db.execute("SELECT max(rowid) FROM articles").fetchone()[0] + 1_000_000
        rng = random.Random(1)
        rows = sorted(
            (rng.getrandbits(64) - 2**63, first + n // copies.BANDS) for n in range(max(0, missing))
        )
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO {copy_bands.RECENT} VALUES (?, ?)", rows)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        moved = copy_bands.settle(db)
        db.execute("COMMIT")
        seconds = time.perf_counter() - started
    return seconds * 1000 / (moved / copies.BANDS), moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("new", type=Path, help="the articles to store (made when missing)")
    parser.add_argument("--archive", type=Path, action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument(
        "--in-place",
        type=int,
        metavar="N",
        help="for large archives: N new articles a run into one copy of each archive's store",
    )
    args = parser.parse_args()
    if args.in_place:
        print(
            "archive\tarticles\twith detection s/1k\twithout s/1k\tdetection's own s/1k"
            "\tband merges s/1k (rows merged)\tdetection's own with merges s/1k"
        )
        for archive in args.archive:
            with closing(sqlite3.connect(archive / "archive.sqlite3")) as db:
                size = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            figures = measure_in_place(archive, args.in_place, args.runs, args.seed)
            own = figures["with"] - figures["without"]
            print(
                f"{archive}\t{size}\t{figures['with']:.2f}\t{figures['without']:.2f}\t{own:.2f}"
                f"\t{figures['merge']:.2f} ({figures['merged_rows']:,})"
                f"\t{own + figures['merge']:.2f}",
                flush=True,
            )
        return
    if not args.new.exists():
        with args.new.open("w", encoding="utf-8") as out:
            write_jsonl(generate(1000, seed=args.seed), out)
    print("archive\tarticles\twith detection s/1k\twithout s/1k\tratio")
    for archive in [None, *args.archive]:
        figures = measure(args.new, archive, args.runs)
        size = 0
        if archive:
            with closing(sqlite3.connect(archive / "archive.sqlite3")) as db:
                size = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        ratio = figures["with"] / figures["without"]
        print(
            f"{archive or '-'}\t{size}\t{figures['with']:.2f}\t{figures['without']:.2f}\t"
            f"{ratio:.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
