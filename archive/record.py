"""The article record: its canonical shape, the aliases it arrives under, and its validation.

A raw record is whatever JSON object an export gave us. :func:`validate_record` turns it into an
:class:`Article` or raises :class:`RecordError` naming the field and the reason. Unknown fields are
kept verbatim in ``extra``; nothing a source sent is dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from archive.dates import DateError, Published, parse_published, type_name
from archive.language import UNDETERMINED, detect_language

CANONICAL_FIELDS = (
    "id",
    "title",
    "body",
    "summary",
    "url",
    "language",
    "published",
    "authors",
    "tags",
    "source",
    "translation_key",
)

# Names other exports use for our fields. The canonical name wins when both are present; the alias
# is then kept as an unknown field.
ALIASES = {
    "text": "body",
    "content": "body",
    "date": "published",
    "published_at": "published",
    "pub_date": "published",
    "author": "authors",
    "lang": "language",
    "keywords": "tags",
    "outlet": "source",
    "description": "summary",
    "link": "url",
}

MAX_ID_LENGTH = 512
_BARE_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?(?:[/?#]|$)", re.I
)
# Fields the archive itself writes beside the canonical ones (see Article.to_record).
_OWN_META = ("language_detected", "language_confidence")
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid")


class RecordError(ValueError):
    """A record that cannot be stored. ``field`` is the offending field, if one is to blame."""

    def __init__(self, field_name: str | None, reason: str):
        self.field = field_name
        self.reason = reason
        super().__init__(f"{field_name}: {reason}" if field_name else reason)


def content_hash(canonical_json: str) -> str:
    """The hash of an article's :meth:`Article.canonical_json` text."""
    return hashlib.sha256(canonical_json.encode("utf-8")).hexdigest()


@dataclass
class Article:
    """One article in its canonical shape."""

    id: str
    title: str
    body: str
    summary: str | None = None
    url: str | None = None
    language: str = UNDETERMINED
    language_detected: bool = False
    language_confidence: float | None = None
    published: Published | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str | None = None
    translation_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The canonical JSON object: what the store keeps, the API returns and export writes."""
        record: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "summary": self.summary,
            "url": self.url,
            "language": self.language,
            "published": self.published.text if self.published else None,
            "authors": self.authors,
            "tags": self.tags,
            "source": self.source,
            "translation_key": self.translation_key,
        }
        if self.language_detected:
            record["language_detected"] = True
            record["language_confidence"] = self.language_confidence
        if self.extra:
            record["extra"] = self.extra
        return record

    def canonical_json(self) -> str:
        """:meth:`to_record` as JSON text with sorted keys: what the store keeps and hashes."""
        return json.dumps(self.to_record(), ensure_ascii=False, allow_nan=False, sort_keys=True)

    def content_hash(self) -> str:
        """Equal for equal content: how an import tells ``unchanged`` from ``updated``."""
        return content_hash(self.canonical_json())

    @classmethod
    def from_record(cls, record: dict[str, Any], default_zone: tzinfo = UTC) -> Article:
        """Rebuild an article from :meth:`to_record`'s output (as read back from the store)."""
        published = record.get("published")
        return cls(
            id=record["id"],
            title=record["title"],
            body=record["body"],
            summary=record.get("summary"),
            url=record.get("url"),
            language=record.get("language") or UNDETERMINED,
            language_detected=bool(record.get("language_detected")),
            language_confidence=record.get("language_confidence"),
            published=parse_published(published, default_zone) if published else None,
            authors=list(record.get("authors") or []),
            tags=list(record.get("tags") or []),
            source=record.get("source"),
            translation_key=record.get("translation_key"),
            extra=dict(record.get("extra") or {}),
        )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _optional_text(raw: dict[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(name, f"expected a string, got {type_name(value)}")
    value = _nfc(value).strip()
    return value or None


def _name_list(raw: dict[str, Any], name: str) -> list[str]:
    """Authors or tags: a string or a list of strings; trimmed, NFC, de-duplicated in order."""
    value = raw.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, list):
        for position, item in enumerate(value):
            if not isinstance(item, str):
                raise RecordError(
                    name, f"item {position} is {type_name(item)}; expected a list of strings"
                )
        items = value
    else:
        raise RecordError(name, f"expected a string or a list of strings, got {type_name(value)}")
    names: list[str] = []
    seen: set[str] = set()
    for item in items:
        cleaned = " ".join(_nfc(item).split())
        key = cleaned.casefold()
        if cleaned and key not in seen:
            seen.add(key)
            names.append(cleaned)
    return names


def normalize_url(url: str) -> str:
    """A URL in the form used for identity: lower-case scheme and host, no fragment or tracking."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80)
        or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING_PARAMS)
        ]
    )
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def _url(raw: dict[str, Any]) -> str | None:
    value = _optional_text(raw, "url")
    if value is None:
        return None
    if _BARE_HOST.match(value):
        # Exports often drop the scheme ("tyzhden.ua/Politics/91695"); the web's default is http.
        value = f"http://{value}"
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "no scheme"
        raise RecordError("url", f"only http and https URLs are accepted, got {shown}")
    if not parts.hostname:
        raise RecordError("url", f"{value[:80]!r} has no host")
    return value


def _identity(
    raw: dict[str, Any], title: str, body: str, published: Published | None, url: str | None
) -> str:
    value = raw.get("id")
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise RecordError("id", f"expected a string or an integer, got {type_name(value)}")
        text = _nfc(str(value)).strip()
        if not text:
            raise RecordError("id", "is empty")
        if len(text) > MAX_ID_LENGTH:
            raise RecordError("id", f"is {len(text)} characters long; at most {MAX_ID_LENGTH}")
        return text
    if url:
        return normalize_url(url)
    digest = hashlib.sha256(
        "\x1f".join((title, body, published.text if published else "")).encode("utf-8")
    ).hexdigest()
    return f"sha256:{digest[:24]}"


def canonical_names(raw: dict[str, Any]) -> dict[str, Any]:
    """The record with aliases renamed to canonical names (canonical names win)."""
    named = dict(raw)
    for alias, canonical in ALIASES.items():
        if alias in named and canonical not in named:
            named[canonical] = named.pop(alias)
    return named


def validate_record(
    raw: object,
    *,
    default_zone: tzinfo = UTC,
    languages: tuple[str, ...] = ("uk", "en", "ru"),
) -> Article:
    """Turn one raw JSON value into an :class:`Article`, or raise :class:`RecordError`."""
    if not isinstance(raw, dict):
        raise RecordError(None, f"expected a JSON object, got {type_name(raw)}")
    record = canonical_names(raw)

    title = record.get("title")
    if title is None:
        raise RecordError("title", "is missing")
    if not isinstance(title, str):
        raise RecordError("title", f"expected a string, got {type_name(title)}")
    title = " ".join(_nfc(title).split())
    if not title:
        raise RecordError("title", "is empty")

    body = record.get("body")
    if body is None:
        raise RecordError("body", "is missing")
    if not isinstance(body, str):
        raise RecordError("body", f"expected a string, got {type_name(body)}")
    body = _nfc(body).replace("\r\n", "\n").strip()

    summary = _optional_text(record, "summary")
    url = _url(record)

    published = None
    if record.get("published") not in (None, ""):
        try:
            published = parse_published(record["published"], default_zone)
        except DateError as exc:
            raise RecordError("published", str(exc)) from None

    authors = _name_list(record, "authors")
    tags = _name_list(record, "tags")
    source = _optional_text(record, "source")
    if source is not None:
        source = " ".join(source.split())
    translation_key = record.get("translation_key")
    if translation_key is not None:
        if isinstance(translation_key, bool) or not isinstance(translation_key, (str, int)):
            raise RecordError(
                "translation_key", f"expected a string, got {type_name(translation_key)}"
            )
        translation_key = _nfc(str(translation_key)).strip() or None

    language = record.get("language")
    detected = False
    confidence = None
    if language is None or language == "":
        detection = detect_language(f"{title}\n{summary or ''}\n{body}", languages)
        language, detected, confidence = detection.language, True, detection.confidence
    else:
        if not isinstance(language, str):
            raise RecordError("language", f"expected an ISO 639-1 code, got {type_name(language)}")
        language = language.strip().lower().replace("_", "-").split("-")[0]
        well_formed = len(language) == 2 and language.isascii() and language.isalpha()
        if not well_formed and language != UNDETERMINED:
            raise RecordError(
                "language", f"{record['language']!r} is not an ISO 639-1 code such as uk or en"
            )

    article_id = _identity(record, title, body, published, url)
    extra = {k: v for k, v in record.items() if k not in CANONICAL_FIELDS and k not in _OWN_META}
    # Our own export carries unknown fields under "extra": importing it again must round-trip.
    if isinstance(record.get("extra"), dict):
        extra.pop("extra")
        extra = {**record["extra"], **extra}
    if not detected and record.get("language_detected") is True:
        detected = True
        confidence = record.get("language_confidence")
    return Article(
        id=article_id,
        title=title,
        body=body,
        summary=summary,
        url=url,
        language=language,
        language_detected=detected,
        language_confidence=confidence,
        published=published,
        authors=authors,
        tags=tags,
        source=source,
        translation_key=translation_key,
        extra=extra,
    )
