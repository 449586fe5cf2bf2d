"""What looking for copies costs an import, and whether it grows with the archive.

The issue's yardstick: importing 1,000 articles into an archive of 100k should cost about what it
costs into an empty one. For each archive given (a folder holding an Arkhiv home, e.g. one that
``arkhiv import`` filled with 30k or 100k articles; none for an empty one), the same new articles
are stored into a fresh copy of it, with detection and without (``--no-copies``), ``--runs``
times, alternating; store only (``--no-index``), since that is where detection happens.

    python -m bench.copies_cost NEW.jsonl [--archive HOME ...] [--runs 3]

Makes ``NEW.jsonl`` (1,000 articles, a seed of its own) when it does not exist. Prints seconds per
1,000 articles, medians.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("new", type=Path, help="the articles to store (made when missing)")
    parser.add_argument("--archive", type=Path, action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=99)
    args = parser.parse_args()
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
