"""Memory of a command and every process it starts, sampled from ``/proc`` as it runs.

Anonymous resident memory (``RssAnon``: the heap, numpy arrays, Python objects) is what a
process costs the machine; the index's memory-mapped files (``RssFile``) are page cache the
kernel can drop, so they are reported apart. Samples every ``--every`` seconds; prints the peak of
each process, the peak of all of them together, and how the total grew over the run.

    python -m bench.memory -- arkhiv import --no-progress $ARKHIV_BENCH_DATA/1000k.jsonl
    python -m bench.memory --pid 1234 --seconds 60      # a process already running
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def _status(pid: int) -> dict[str, int]:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile", "VmRSS"):
                fields[name] = int(value.split()[0]) // 1024  # MB
    return fields


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


class Sampler:
    def __init__(self, root: int):
        self.root = root
        self.peaks: dict[int, dict] = {}
        self.timeline: list[tuple[float, int]] = []  # (seconds, total RssAnon MB)
        self.started = time.monotonic()

    def sample(self) -> None:
        total = 0
        for pid in _tree(self.root):
            try:
                fields = _status(pid)
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            anon = fields.get("RssAnon", 0)
            total += anon
            peak = self.peaks.setdefault(
                pid, {"command": command.decode(errors="replace")[:80], "anon_mb": 0, "file_mb": 0}
            )
            peak["anon_mb"] = max(peak["anon_mb"], anon)
            peak["file_mb"] = max(peak["file_mb"], fields.get("RssFile", 0))
        self.timeline.append((round(time.monotonic() - self.started, 1), total))

    def report(self) -> dict:
        totals = [total for _, total in self.timeline] or [0]
        step = max(1, len(self.timeline) // 10)
        return {
            "peak_total_anon_mb": max(totals),
            "processes": sorted(self.peaks.values(), key=lambda p: -p["anon_mb"]),
            "total_anon_mb_over_time": self.timeline[::step],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=float, default=0.5)
    parser.add_argument("--pid", type=int, help="watch this running process instead")
    parser.add_argument("--seconds", type=float, default=60, help="with --pid: how long")
    parser.add_argument("--out", type=Path, help="also write the report here (JSON)")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.pid:
        sampler = Sampler(args.pid)
        while time.monotonic() - started < args.seconds:
            sampler.sample()
            time.sleep(args.every)
        code = 0
    else:
        process = subprocess.Popen(args.command)
        sampler = Sampler(process.pid)
        while process.poll() is None:
            sampler.sample()
            time.sleep(args.every)
        code = process.returncode
    report = {"seconds": round(time.monotonic() - started, 1), "exit": code, **sampler.report()}
    text = json.dumps(report, indent=2)
    print(text, file=sys.stderr)
    if args.out:
        args.out.write_text(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
