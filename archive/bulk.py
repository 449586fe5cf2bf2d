"""Taking a batch of articles sent over HTTP, with an answer per item (Elasticsearch's ``_bulk``).

The body, spooled to a file (:mod:`archive.upload`), is read by the importer exactly as
``arkhiv import`` reads a file: the same formats, the same validation, the same idempotence, the
same refusal of taken-down ids. Each item's outcome is written to a temporary file as it is
known, so that neither the body nor the answer for a million records is held in memory; the
answer is then read back a chunk at a time, in the order of the body. (The importer tells the
records it rejects on reading at once and the others when their batch is committed: two streams,
each in order, merged by position.)
"""

from __future__ import annotations

import heapq
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from archive.config import Settings
from archive.importer import REJECTED, Importer, ImportReport
from archive.reader import JsonFile, ReadError
from archive.store import TAKEN_DOWN, Store

ANSWER_CHUNK = 1 << 16


class BulkAnswer:
    """The counts of one bulk write, and its items in two files of JSON lines: those rejected on
    reading and those told when their batch was committed."""

    def __init__(self, report: ImportReport, rejected: IO[str], committed: IO[str]):
        self.report = report
        self._streams = (rejected, committed)

    def items(self) -> Iterator[str]:
        """Each item's JSON, in the order of the body."""
        for stream in self._streams:
            stream.seek(0)
        return heapq.merge(*self._streams, key=_position)

    def chunks(self) -> Iterator[bytes]:
        """The answer as JSON: ``{"added", "updated", "unchanged", "rejected", "items": [...]}``,
        a piece at a time; closes the item files at the end."""
        try:
            counts = {
                "added": self.report.added,
                "updated": self.report.updated,
                "unchanged": self.report.unchanged,
                "rejected": self.report.rejected,
            }
            piece = json.dumps(counts)[:-1] + ', "items": ['
            separator = ""
            for line in self.items():
                piece += separator + line.rstrip("\n")
                separator = ","
                if len(piece) >= ANSWER_CHUNK:
                    yield piece.encode("utf-8")
                    piece = ""
            yield (piece + "]}").encode("utf-8")
        finally:
            self.close()

    def close(self) -> None:
        for stream in self._streams:
            stream.close()


def _position(line: str) -> int:
    item = json.loads(line)
    return item["line"] if "line" in item else item["index"]


def take_bulk(store: Store, settings: Settings, body: Path) -> BulkAnswer:
    """Import the records of ``body`` (a spooled request body, named ``.jsonl`` for JSON Lines).

    Raises :class:`archive.reader.ReadError` when the body is not JSON at all (nothing stored):
    empty, an array or an object broken or unfinished anywhere in it, JSON Lines of which no line
    is JSON. The message names "the body", not the file."""
    _refuse_unless_json(body)
    rejected, committed = (_spool(), _spool())

    def record(where: dict[str, Any], article_id: str | None, status: str, error: str | None):
        item = {k: v for k, v in where.items() if k != "file"}
        item["id"] = article_id
        item["status"] = REJECTED if status == TAKEN_DOWN else status
        if error is not None:
            item["error"] = error
        # ASCII: a hostile id or error (a lone surrogate) is escaped, never an encoding error.
        (rejected if status == REJECTED else committed).write(json.dumps(item) + "\n")

    answer = BulkAnswer(ImportReport(), rejected, committed)
    try:
        answer.report = Importer(store, settings, on_item=record).run([body])
    except ReadError as exc:
        answer.close()
        raise ReadError(str(exc).replace(f"{body}: ", "the body ")) from None
    except BaseException:
        answer.close()
        raise
    return answer


def _refuse_unless_json(body: Path) -> None:
    try:
        whole = JsonFile(body)
    except ReadError as exc:
        raise ReadError(str(exc).replace(f"{body}: ", "the body ")) from None
    try:
        why = whole.why_not_json()
    finally:
        whole.close()
    if why is not None:
        raise ReadError(f"the body is not JSON: {why}".replace("the file", "the body"))


def _spool() -> IO[str]:
    return tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - the answer closes it
