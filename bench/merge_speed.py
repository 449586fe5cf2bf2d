"""What a merge costs: segments of an existing index merged into a new one, in a folder apart.

The segments' files are linked (not copied) into a temporary folder beside the index, the merge
(:func:`index.segments.merging.merge_segments`) writes its segment there, and the folder is
removed: the index is only read. Picks the ``--segments`` largest segments without deletions
(a merge of full segments, or one segment rewritten alone), or the smallest (``--smallest``).
Prints CPU and wall seconds per run and their medians, the articles merged and the bytes
written; ``--profile`` adds a cProfile summary of the last run.

    python -m bench.merge_speed --home $ARKHIV_BENCH_DATA/scale/1000k --segments 1 --runs 3
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec

from index.segments import layout, merging
from index.segments.indexer import open_index
from index.segments.schema import build_schema
from index.segments.storage import INDEX_NAME, ArchiveStorage


def chosen_segments(build: Path, count: int, smallest: bool) -> list:
    segments = sorted(open_index(build, readonly=True)._segments(), key=lambda s: s.doc_count())
    if smallest:
        return segments[:count]
    return [s for s in segments if not s.deleted_count()][-count:]


def merge_once(build: Path, segments: list, profile: cProfile.Profile | None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="merge-", dir=build.parent))
    try:
        for path in build.iterdir():
            if any(segment.segid in path.name for segment in segments):
                os.symlink(path, folder / path.name)
        storage = ArchiveStorage(folder)
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        merged = merging.merge_segments(storage, build_schema(), W3Codec(), INDEX_NAME, segments)
        if profile:
            profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        written = sum(p.stat().st_size for p in folder.iterdir() if not p.is_symlink())
        return {"cpu_s": cpu, "wall_s": wall, "articles": merged.doc_count(), "bytes": written}
    finally:
        shutil.rmtree(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="an archive's home (its index)")
    parser.add_argument("--segments", type=int, default=1)
    parser.add_argument("--smallest", action="store_true", help="the smallest segments instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    build = layout.current_build(args.home / "index")
    segments = chosen_segments(build, args.segments, args.smallest)
    print(
        "segments:",
        ", ".join(f"{s.doc_count_all()} ({s.deleted_count()} deleted)" for s in segments),
    )
    profile = cProfile.Profile() if args.profile else None
    runs = []
    for number in range(args.runs):
        last = number == args.runs - 1
        figures = merge_once(build, segments, profile if last else None)
        runs.append(figures)
        print(
            f"run {number + 1}: {figures['cpu_s']:.2f} CPU-s, {figures['wall_s']:.2f} s, "
            f"{figures['articles']:,} articles, {figures['bytes'] / 1e6:.1f} MB written"
        )
    cpu = statistics.median(r["cpu_s"] for r in runs)
    print(f"median: {cpu:.2f} CPU-s ({cpu / runs[0]['articles'] * 1e3:.3f} ms an article)")
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
