"""Writing the articles of a search as JSON Lines or CSV, streamed a row at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from archive.record import Article
from archive.strict_json import json_line

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


# A cell a spreadsheet reads as a formula when it starts with one of these (OWASP, "CSV
# Injection"): articles come from scrapers, so a title may be =HYPERLINK(...) or +cmd|...
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it: a single quote before a cell that
    would be read as a formula, as OWASP recommends."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def export_lines(articles: Iterable[Article], fmt: str) -> Iterator[str]:
    """Each line (with its newline) of the export of ``articles`` in ``fmt``."""
    if fmt == "jsonl":
        for article in articles:
            yield json_line(article.to_record())
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
                spreadsheet_cell(
                    "; ".join(record[c]) if c in ("authors", "tags") else (record.get(c) or "")
                )
                for c in CSV_COLUMNS
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
