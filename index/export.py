"""Writing the articles of a search as JSON Lines or CSV, streamed a row at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from archive.record import Article

FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "id",
    "title",
    "published",
    "language",
    "source",
    "authors",
    "tags",
    "url",
    "summary",
    "translation_key",
    "body",
)


def export_lines(articles: Iterable[Article], fmt: str) -> Iterator[str]:
    """Each line (with its newline) of the export of ``articles`` in ``fmt``."""
    if fmt == "jsonl":
        for article in articles:
            yield json.dumps(article.to_record(), ensure_ascii=False) + "\n"
        return
    if fmt != "csv":
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for article in articles:
        record = article.to_record()
        writer.writerow(
            [
                "; ".join(record[c]) if c in ("authors", "tags") else (record.get(c) or "")
                for c in CSV_COLUMNS
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
