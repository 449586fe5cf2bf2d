"""The curve of each cost: archives of several sizes (default 100k, 1M and 3M articles) imported
from empty with every feature on and then served, so that how each cost grows is measured, not
guessed.

For each size it builds the articles (``bench/corpus.py``, cached in ``--data``), imports them
into ``--homes/<size>`` with ``arkhiv import`` under :mod:`bench.memory` (wall time, articles/s,
peak anonymous memory over all processes), reads the disk the store and the index take and the
index's segments, and serves the archive with :mod:`bench.serving` (ready, p50/p95/p99 of 1,000
distinct searches right after start, anonymous memory with 8 threads and with 1). The homes are
kept: ``--reuse`` measures an archive already built again without importing it (its import's
figures are read from what :mod:`bench.memory` wrote when it was built).

    python -m bench.scale --data $BENCH_DATA --homes $BENCH_DATA/scale  # 100k, 1M and 3M

A 3M import takes two hours or more on 2 cores and 27 GB of disk (the articles' file 9 GB).
Nothing is asserted; the table is printed and the figures go to ``bench/results/scale-*.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.run import ROOT, dataset, save_results

PYTHON = sys.executable
ARKHIV = Path(sys.executable).parent / "arkhiv"


def disk_mb(path: Path) -> int:
    """What ``path`` takes on disk, in MB (``du``: blocks, not apparent sizes)."""
    done = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0])


def index_segments(home: Path) -> int:
    """Segments the index's current build has committed (each one ``.seg`` file, checksummed in
    its state; a merge still being written is not one of them)."""
    current = json.loads((home / "index" / "CURRENT").read_text())["build"]
    state = json.loads((home / "index" / current / "state.json").read_text())
    return sum(1 for name in state["checksums"] if name.endswith(".seg"))


def import_archive(articles: Path, home: Path, size: int) -> dict:
    """``arkhiv import`` from empty, watched by :mod:`bench.memory`."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    report = home.parent / f"{home.name}-import-memory.json"
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    command = [PYTHON, "-m", "bench.memory", "--out", str(report), "--",
               str(ARKHIV), "import", "--no-progress", str(articles)]  # fmt: skip
    subprocess.run(command, env=env, cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    return import_figures(report, size)


def import_figures(report: Path, size: int) -> dict:
    """The import's figures from what :mod:`bench.memory` wrote of it."""
    memory = json.loads(report.read_text())
    return {
        "seconds": memory["seconds"],
        "articles_per_s": round(size / memory["seconds"]),
        "peak_anon_mb": memory["peak_total_anon_mb"],
    }


def serve(home: Path, queries: int) -> dict:
    """:mod:`bench.serving` on ``home``: 8 threads, then 1."""
    with tempfile.TemporaryDirectory() as out:
        command = [PYTHON, "-m", "bench.serving", "--home", str(home), "--threads", "8,1",
                   "--queries", str(queries), "--warm", str(queries), "--out", out]  # fmt: skip
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        (result,) = Path(out).glob("serving-*.json")
        figures = json.loads(result.read_text())
    eight, one = (next(s for s in figures["servers"] if s["threads"] == n) for n in (8, 1))
    stream = eight["stream"]["arkhiv"]
    return {
        "ready_s": eight["ready_s"],
        "p50_ms": stream["p50_ms"],
        "p95_ms": stream["p95_ms"],
        "p99_ms": stream["p99_ms"],
        "max_ms": stream["max_ms"],
        "errors": eight["stream"]["error_count"] + eight["warm_failures"],
        "anon_8_threads_mb": eight["memory_after_mb"]["RssAnon"],
        "anon_1_thread_mb": one["memory_after_mb"]["RssAnon"],
    }


ROWS = [
    ("import, articles/s", ("import", "articles_per_s")),
    ("import, minutes", ("import", "minutes")),
    ("peak memory of the import, MB", ("import", "peak_anon_mb")),
    ("store on disk, MB", ("disk", "store_mb")),
    ("index on disk, MB", ("disk", "index_mb")),
    ("index segments", ("disk", "segments")),
    ("ready, s", ("serving", "ready_s")),
    ("p50 / p95 / p99, ms", ("serving", "percentiles")),
    ("slowest search, ms", ("serving", "max_ms")),
    ("RssAnon after 2,000 searches, 8 threads / 1, MB", ("serving", "anon")),
]


def table(results: dict[int, dict]) -> str:
    sizes = sorted(results)
    lines = ["| | " + " | ".join(f"{size:,}" for size in sizes) + " |"]
    lines.append("|---|" + "---|" * len(sizes))
    for label, (part, key) in ROWS:
        cells = []
        for size in sizes:
            found = results[size].get(part, {})
            if key == "minutes" and "seconds" in found:
                cells.append(f"{found['seconds'] / 60:.1f}")
            elif key == "percentiles" and "p95_ms" in found:
                cells.append(f"{found['p50_ms']} / {found['p95_ms']} / {found['p99_ms']}")
            elif key == "anon" and "anon_8_threads_mb" in found:
                cells.append(f"{found['anon_8_threads_mb']} / {found['anon_1_thread_mb']}")
            else:
                cells.append(str(found.get(key, "")))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,3000000")
    parser.add_argument("--data", type=Path, required=True, help="where the articles are cached")
    parser.add_argument("--homes", type=Path, required=True, help="where the archives are kept")
    parser.add_argument("--reuse", action="store_true", help="serve archives already built")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    results: dict[int, dict] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        home = args.homes / f"{size // 1000}k"
        entry: dict = {}
        report = home.parent / f"{home.name}-import-memory.json"
        if not (args.reuse and (home / "index").exists()):
            entry["import"] = import_archive(dataset(size, args.data), home, size)
        elif report.exists():  # the figures of the import that built it
            entry["import"] = import_figures(report, size)
        entry["disk"] = {
            "store_mb": disk_mb(home / "archive.sqlite3"),
            "index_mb": disk_mb(home / "index"),
            "segments": index_segments(home),
        }
        entry["serving"] = serve(home, args.queries)
        results[size] = entry
        print(json.dumps({size: entry}, indent=2), file=sys.stderr)
    print(table(results))
    save_results(args.out, "scale", {"sizes": results, "table": table(results)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
