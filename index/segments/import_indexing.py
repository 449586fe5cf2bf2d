"""An import that indexes while it stores: the second core is not left idle.

``arkhiv import`` stores the files (one core: reading, validating, looking for copies) and then
brings the index up to date. For a large import the index follows the store meanwhile, in a
process of its own (:class:`index.segments.follower.FollowerProcess`, started ``for_import``): every
second it indexes what the import has committed since (in that process: the import stores on the
other core), and once the import has stored everything it catches up the rest with every worker
and finishes its merges. The import holds the import lock throughout, for both. Then the import
catches up itself, which finds nothing left unless the follower failed: its error is then the
import's, reported as any indexing error is.

A small import (under ``ALONGSIDE_FROM_BYTES`` of input) is not worth a process: it stores,
then indexes, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archive.config import Settings
from archive.importer import Importer, ImportReport
from archive.store import Store
from index.segments import indexer
from index.segments.follower import FollowerProcess

ALONGSIDE_FROM_BYTES = 64 * 1024 * 1024


def import_and_index(
    importer: Importer,
    paths: Sequence[str | Path],
    store: Store,
    settings: Settings,
    progress: indexer.Progress | None = None,
    alongside_from: int = ALONGSIDE_FROM_BYTES,
) -> ImportReport:
    """Import ``paths`` and bring the index up to date; the caller holds the import lock."""
    size = sum(Path(path).stat().st_size for path in paths if Path(path).is_file())
    follower = None
    if size >= alongside_from:
        follower = FollowerProcess(settings, for_import=True).start()
    try:
        report = importer.run(paths)
    finally:
        if follower is not None:
            follower.stop(timeout=None)
    indexer.catch_up(store, settings.index_dir, progress)
    return report
