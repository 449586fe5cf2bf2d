"""Where the search index lives: builds under ``$ARKHIV_HOME/index`` and a pointer to the current.

The index folder holds builds, each a complete Whoosh index with its own ``state.json``, and the
file ``CURRENT`` naming the build in use. ``arkhiv reindex`` writes a new build beside the current
one and swaps by rewriting ``CURRENT`` (a new file, flushed, renamed over the old): there is no
moment without an index, and a reader sees the old build or the new one, whole. Builds left by a
killed reindex are removed by the next writer.

An index written before builds existed (Whoosh's files directly in the folder) is read in place
until the first reindex replaces it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

from index.segments.storage import fsync_directory

POINTER = "CURRENT"
STATE_FILE = "state.json"
# Builds written before their state recorded the analyser's version were written by the first.
FIRST_ANALYSER = 1
_TOC_NAME = re.compile(r"_MAIN_\d+\.toc")
BUILD_PREFIX = "build-"


class IndexMissing(RuntimeError):
    """There is no search index where one is expected."""

    def __init__(self, root: Path):
        super().__init__(f"there is no search index at {root}; run `arkhiv reindex`")
        self.root = root


def analyser_version(build: Path) -> int:
    """The version of the analyser that wrote ``build`` (its state's ``analyser``); 0 when the
    state cannot be read (then the index itself says what is wrong)."""
    try:
        return int(json.loads((build / STATE_FILE).read_text()).get("analyser", FIRST_ANALYSER))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def has_index(folder: Path) -> bool:
    """Whether ``folder`` holds a committed Whoosh index (a table of contents); opens nothing."""
    try:
        return any(_TOC_NAME.fullmatch(name) for name in os.listdir(folder))
    except OSError:
        return False


def current_build(root: Path) -> Path | None:
    """The folder of the index in use under ``root``, or None when there is none."""
    try:
        name = json.loads((root / POINTER).read_text())["build"]
    except (FileNotFoundError, NotADirectoryError):
        return root if has_index(root) else None
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexMissing(root) from exc
    build = root / name
    return build if has_index(build) else None


def require_build(root: Path) -> Path:
    build = current_build(root)
    if build is None:
        raise IndexMissing(root)
    return build


def new_build(root: Path) -> Path:
    """A new, empty folder for a build under ``root`` (not yet current)."""
    root.mkdir(parents=True, exist_ok=True)
    build = root / f"{BUILD_PREFIX}{uuid.uuid4().hex[:12]}"
    build.mkdir()
    return build


def publish(root: Path, build: Path) -> None:
    """Make ``build`` the current index, atomically and durably, and retire the others."""
    temporary = root / f"{POINTER}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"build": build.name}))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, root / POINTER)
    fsync_directory(root)
    remove_stale(root)


def remove_stale(root: Path) -> list[Path]:
    """Remove what is not the current build: builds of killed reindexes, an index from before
    builds once a build is current, and folders left by the former swap (``index.new-*``,
    ``index.old-*``). Only writers call this, under the import lock."""
    removed: list[Path] = []
    current = current_build(root) if root.exists() else None
    for sibling in root.parent.glob(f"{root.name}.new-*"):
        shutil.rmtree(sibling, ignore_errors=True)
        removed.append(sibling)
    for sibling in root.parent.glob(f"{root.name}.old-*"):
        shutil.rmtree(sibling, ignore_errors=True)
        removed.append(sibling)
    if not root.exists():
        return removed
    if current is None:  # builds never published: each a reindex that did not finish
        for entry in root.glob(f"{BUILD_PREFIX}*"):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        return removed
    for entry in root.iterdir():
        if entry == current or entry.name in (POINTER, f"{POINTER}.tmp"):
            continue
        if current == root:  # an index from before builds: its files are the index
            if entry.is_dir() and entry.name.startswith(BUILD_PREFIX):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)  # a file of the index from before builds
        removed.append(entry)
    return removed
