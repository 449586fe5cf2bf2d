"""Peak memory (RSS) of ``arkhiv import`` on a generated JSON array of at least 1 GB.

The array is written to ``--data`` (outside the repo) from the bench corpus, one article after
another, then imported into an empty home with ``--no-progress``; a sampler reads the importer's
RSS (with its children) every 50 ms. Usage::

    python -m bench.import_memory [--gigabytes 1.0] [--data /tmp/arkhiv-bench] [--no-index]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench.corpus import generate


def write_array(path: Path, gigabytes: float) -> int:
    target = int(gigabytes * 1024**3)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        while out.tell() < target:
            for article in generate(20_000, seed=count):
                article["id"] = f"mem-{count}"
                out.write(("," if count else "") + json.dumps(article, ensure_ascii=False) + "\n")
                count += 1
                if out.tell() >= target:
                    break
        out.write("]\n")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--data", type=Path, default=Path("/tmp/arkhiv-bench"))
    parser.add_argument("--no-index", action="store_true", help="measure the store import alone")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    path = args.data / f"array-{args.gigabytes:g}GB.json"
    if not path.exists():
        count = write_array(path, args.gigabytes)
        print(f"wrote {count:,} articles, {path.stat().st_size / 1024**3:.2f} GB to {path}")
    home = args.data / "memory-home"
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "ARKHIV_HOME": str(home)}
    arkhiv = Path(sys.executable).parent / "arkhiv"
    started = time.perf_counter()
    command = [str(arkhiv), "import", "--no-progress", str(path)]
    if args.no_index:
        command.append("--no-index")
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watched = psutil.Process(process.pid)
    peak = 0
    samples = []
    while process.poll() is None:
        try:
            rss = watched.memory_info().rss + sum(
                child.memory_info().rss for child in watched.children(recursive=True)
            )
        except psutil.Error:
            break
        peak = max(peak, rss)
        samples.append((time.perf_counter() - started, rss))
        time.sleep(0.05)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    print(out.strip())
    if process.returncode:
        print(err[-2000:], file=sys.stderr)
    quarter = [rss for t, rss in samples if t > seconds / 4]
    print(
        f"file {path.stat().st_size / 1024**3:.2f} GB; peak RSS {peak / 1024**2:.0f} MB; "
        f"RSS after the first quarter: min {min(quarter) / 1024**2:.0f} MB, "
        f"max {max(quarter) / 1024**2:.0f} MB; {seconds:.0f} s"
    )
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
