"""Web archives (``.warc``, ``.warc.gz``) as a stream of article records for ``arkhiv import``.

A crawl holds far more than articles: requests, redirects, error pages, images, scripts, the same
page captured twice, revisit records that only point at an earlier capture. Each HTML response
(status 200, ``text/html`` or ``application/xhtml+xml``) is one page, read by
:func:`archive.extraction.extract_article`; everything else is passed over and counted under a
reason a person can read. A page that holds no article is a rejected record, with the reason.

Read record by record through warcio's ``ArchiveIterator``: memory is what one page costs, however
large the file. Captures already seen (the same URL, or the same payload digest) are remembered in
a temporary SQLite table on disk, not in memory, so that too stays flat.
"""

from __future__ import annotations

import gzip
import hashlib
import sqlite3
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader

from archive.extraction import NotAnArticle, extract_article
from archive.reader import InputFile, RawRecord, ReadError
from archive.record import normalize_url
from archive.strict_json import MAX_RECORD_BYTES

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
_MAGIC = b"WARC/"

# Why a record is not an article, in the words the import's summary uses (singular, plural).
REDIRECT = "redirect"
ERROR = "error response"
IMAGE = "image"
SCRIPT = "script or style"
NOT_HTML = "other non-HTML response"
REVISIT = "revisit record"
DUPLICATE = "duplicate capture"
OTHER = "request, metadata or other record"
PLURALS = {
    REDIRECT: "redirects",
    ERROR: "error responses",
    IMAGE: "images",
    SCRIPT: "scripts and styles",
    NOT_HTML: "other non-HTML responses",
    REVISIT: "revisit records",
    DUPLICATE: "duplicate captures",
    OTHER: "requests, metadata and other records",
}
_SCRIPT_TYPES = ("javascript", "ecmascript", "text/css", "json", "wasm")


def is_web_archive(path: str | Path) -> bool:
    return str(path).lower().endswith(WARC_SUFFIXES)


def describe_passed_over(counts: dict[str, int]) -> str:
    """``3 redirects, 1 image`` for the import's summary, always in the same order."""
    return ", ".join(
        f"{counts[reason]:,} {reason if counts[reason] == 1 else plural}"
        for reason, plural in PLURALS.items()
        if counts.get(reason)
    )


class SeenCaptures:
    """The URLs and payload digests of the pages read so far in one import, on disk: a crawl of
    millions of pages does not make the import grow."""

    def __init__(self) -> None:
        self._file = tempfile.NamedTemporaryFile(prefix="arkhiv-seen-", suffix=".sqlite3")  # noqa: SIM115
        self._db = sqlite3.connect(self._file.name)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE seen (key INTEGER PRIMARY KEY) WITHOUT ROWID")

    @staticmethod
    def _key(kind: str, value: str) -> int:
        digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    def known(self, kind: str, value: str) -> bool:
        """Whether ``value`` (of ``kind``: url or payload) was remembered before."""
        row = self._db.execute("SELECT 1 FROM seen WHERE key = ?", (self._key(kind, value),))
        return row.fetchone() is not None

    def remember(self, kind: str, value: str) -> None:
        self._db.execute("INSERT OR IGNORE INTO seen (key) VALUES (?)", (self._key(kind, value),))

    def close(self) -> None:
        self._db.close()
        self._file.close()


def _target(record: Any) -> str:
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    return uri.strip().strip("<>")  # WARC 1.0 drafts wrote the URI in angle brackets


def _kind_of_response(record: Any) -> tuple[str | None, str]:
    """Why a response record is not a page to read (None when it is one), and its type."""
    http = record.http_headers
    if http is None:
        return NOT_HTML, ""
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        status = 0
    content_type = http.get_header("Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    if 300 <= status < 400:
        return REDIRECT, content_type
    if status != 200:
        return ERROR, content_type
    if mime.startswith("image/"):
        return IMAGE, content_type
    if any(kind in mime for kind in _SCRIPT_TYPES):
        return SCRIPT, content_type
    if mime not in HTML_TYPES:
        return NOT_HTML, content_type
    return None, content_type


class WarcFile(InputFile):
    """An open web archive, read as article records (see :class:`archive.reader.JsonFile`, whose
    interface it shares: ``name``, ``size``, ``position``, ``records()``, ``close()``).

    ``passed_over`` counts the records that were not pages, by reason; ``seen`` is shared by the
    files of one import, so a page captured in two of them is read once."""

    def __init__(self, path: str | Path, seen: SeenCaptures | None = None):
        super().__init__(path)
        try:
            self._check_magic()
        except ReadError:
            self.close()
            raise
        self._own_seen = seen is None
        self.seen = seen or SeenCaptures()
        self.passed_over: Counter[str] = Counter()

    def _check_magic(self) -> None:
        head = self._raw.read(2)
        self._raw.seek(0)
        try:
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=self._raw) as unzipped:
                    start = unzipped.read(len(_MAGIC))
            else:
                start = self._raw.read(len(_MAGIC))
        except (OSError, EOFError, zlib.error) as exc:
            raise ReadError(f"{self.name}: cannot be read ({exc})") from None
        finally:
            self._raw.seek(0)
        if not start:
            raise ReadError(f"{self.name}: is empty")
        if start != _MAGIC:
            shown = start.decode("utf-8", "replace")
            raise ReadError(
                f"{self.name}: is not a web archive (it begins with {shown!r}, not 'WARC/')"
            )

    def close(self) -> None:
        super().close()
        if getattr(self, "_own_seen", False):
            self.seen.close()
            self._own_seen = False

    def records(self) -> Iterator[RawRecord]:
        index = 0
        try:
            for record in ArchiveIterator(self._raw):
                page = self._page(record, index)
                if page is not None:
                    yield page
                    index += 1
        except (ArchiveLoadFailed, OSError, EOFError, zlib.error) as exc:
            yield RawRecord(
                self.name,
                index=index,
                error=f"the web archive is damaged ({exc}); from this record on nothing was read",
            )

    def _page(self, record: Any, index: int) -> RawRecord | None:
        """The article record of an HTML response, a rejected one when the page holds no
        article, or None (counted) when the record is not a page."""
        if record.rec_type == "revisit":
            self.passed_over[REVISIT] += 1
            return None
        if record.rec_type != "response":
            self.passed_over[OTHER] += 1
            return None
        reason, content_type = _kind_of_response(record)
        if reason is not None:
            self.passed_over[reason] += 1
            return None
        url = _target(record)
        identity = _identity_url(url) if url else ""
        if identity and self.seen.known("url", identity):
            self.passed_over[DUPLICATE] += 1
            return None
        page = record.content_stream().read(MAX_RECORD_BYTES + 1)
        raw = {"url": url, "warc_record_id": record.rec_headers.get_header("WARC-Record-ID")}
        missing = _missing_bytes(record) if len(page) <= MAX_RECORD_BYTES else 0
        if missing:
            # warcio reads a record cut off inside its gzip member as if it were whole.
            error = (
                f"the web archive is damaged: this record ends {missing:,} bytes early (the "
                "file is cut off?); its page was not read"
            )
            return RawRecord(self.name, index=index, url=url, raw=raw, error=error)
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if not digest:
            digest = "sha1:" + hashlib.sha1(page).hexdigest()
        # Remembered only now: a capture cut off above does not hide a whole one further on.
        if identity:
            self.seen.remember("url", identity)
        if self.seen.known("payload", digest):
            self.passed_over[DUPLICATE] += 1
            return None
        self.seen.remember("payload", digest)
        if len(page) > MAX_RECORD_BYTES:
            return RawRecord(
                self.name,
                index=index,
                url=url,
                raw=raw,
                error=f"page of more than {MAX_RECORD_BYTES:,} bytes (8 MiB); not read",
            )
        try:
            article = extract_article(page, url, content_type=content_type)
        except NotAnArticle as exc:
            error = f"no article: {exc.reason}"
            return RawRecord(self.name, index=index, url=url, raw=raw, error=error)
        except Exception as exc:  # a parser's failure on one page must not end a crawl's import
            error = f"the page could not be read ({type(exc).__name__}: {exc})"
            return RawRecord(self.name, index=index, url=url, raw=raw, error=error[:500])
        return RawRecord(self.name, index=index, url=url, value=article, raw=raw)


def _missing_bytes(record: Any) -> int:
    """How many bytes of a record's block its Content-Length promised and the file did not
    hold, once its payload was read to the end."""
    stream = record.raw_stream
    if not isinstance(stream, LimitReader) or stream.limit <= 0:
        return 0
    while stream.read(1 << 16):  # what the payload's own decoding left unread
        pass
    return max(stream.limit, 0)


def _identity_url(url: str) -> str:
    try:
        return normalize_url(url)
    except ValueError:
        return url
