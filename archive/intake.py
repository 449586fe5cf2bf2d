"""Taking records in: each record read from a stream becomes an article to store, or a rejection
that says where it was and why, which a person can act on.

The one way in for every writer of the archive: ``arkhiv import`` reads files with
:class:`archive.reader.JsonFile`; the HTTP write path reads a request body with
:func:`archive.reader.read_records` (after :func:`archive.reader.inflate` when it is gzipped). Both
pass the records through :func:`take_in`, so a record refused by one is refused by the other, with
the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any

from archive.reader import RawRecord
from archive.record import Article, RecordError, validate_record


@dataclass
class Rejection:
    """A record that was not stored, as written to the rejects file."""

    where: dict[str, Any]
    error: str
    raw: Any

    def as_dict(self) -> dict[str, Any]:
        return {**self.where, "error": self.error, "raw": self.raw}


def take_in(
    records: Iterable[RawRecord],
    *,
    default_zone: tzinfo = UTC,
    languages: tuple[str, ...] = ("uk", "en", "ru"),
) -> Iterator[Article | Rejection]:
    """For each record, in order, its article or why it cannot be stored. The reader has already
    refused what cannot be kept exactly and written out again as strict JSON (see
    :mod:`archive.strict_json`); this adds the article's own rules (:func:`validate_record`)."""
    for _, taken in take_in_placed(records, default_zone=default_zone, languages=languages):
        yield taken


def take_in_placed(
    records: Iterable[RawRecord],
    *,
    default_zone: tzinfo = UTC,
    languages: tuple[str, ...] = ("uk", "en", "ru"),
) -> Iterator[tuple[RawRecord, Article | Rejection]]:
    """:func:`take_in`, each article or rejection beside the record it came from (where it was,
    and what it held: an answer per item needs both)."""
    for record in records:
        if record.error is not None:
            yield record, Rejection(record.where, record.error, record.raw)
            continue
        try:
            article = validate_record(record.value, default_zone=default_zone, languages=languages)
        except RecordError as exc:
            yield record, Rejection(record.where, str(exc), record.raw)
        else:
            yield record, article
