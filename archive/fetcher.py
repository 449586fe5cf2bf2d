"""Fetching feeds and pages politely, from sites that are not ours to burden.

- A User-Agent naming Arkhiv and whom to contact (``ARKHIV_CONTACT``).
- robots.txt obeyed (its ``Crawl-delay`` too), read once per site and kept a day (RFC 9309: a
  robots.txt that is missing or answers 4xx allows everything; one that cannot be read, 5xx or
  a network error, disallows everything until it can).
- One request at a time per site, and a delay between two of them (the feed's ``--delay``).
- Conditional requests: the ETag and Last-Modified of the last reading go back as
  ``If-None-Match`` and ``If-Modified-Since``, so an unchanged feed costs one 304.
- A timeout for connecting and for each read, a deadline for the whole body, a size limit
  (``ARKHIV_FETCH_MAX_MB``), counted on the inflated body (gzip and deflate are taken).
- Redirects followed up to :data:`MAX_REDIRECTS` hops, each one checked again (robots.txt, and the
  address: see :mod:`archive.guard`, which checks every connection).
- Retries with back-off on 5xx, 429 and network errors; an answer's ``Retry-After`` is honoured
  (up to a minute).

The HTTP client is httpcore (httpx's own engine), whose network backend is
:class:`archive.guard.GuardedBackend`.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
import urllib.robotparser
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

import httpcore

from archive.config import Settings
from archive.guard import AddressRefused, GuardedBackend

MAX_REDIRECTS = 5
TRIES = 3
REDIRECTS = (301, 302, 303, 307, 308)
RETRIED = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 60.0
MAX_CRAWL_DELAY = 60.0
ROBOTS_SECONDS = 24 * 3600
ROBOTS_FAILED_SECONDS = 600  # a robots.txt that could not be read is asked for again this soon
MAX_ROBOTS_BYTES = 512 * 1024  # what a crawler must read of a robots.txt (RFC 9309: 500 KiB)
ROBOTS_AGENT = "Arkhiv"
FEED_TYPES = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_TYPES = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# What a request may meet on the way that trying again may mend: a timeout, a connection refused
# or dropped, an answer cut short.
NETWORK_ERRORS = (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError)


class KeptRobotsLike(Protocol):
    """Where robots.txt is kept between processes (:class:`archive.followed.KeptRobots`)."""

    def get(self, origin: str) -> tuple[int, str, datetime] | None: ...

    def put(self, origin: str, status: int, body: str) -> None: ...


class FetchError(Exception):
    """A feed or page that could not be fetched, said as a person can act on it."""


def user_agent(contact: str | None) -> str:
    """``Arkhiv/<version> (+<contact>)``: who fetches, and how to reach whoever runs it."""
    try:
        number = version("arkhiv")
    except PackageNotFoundError:
        number = "0"
    about = f"news archive; +{contact}" if contact else "news archive"
    return f"{ROBOTS_AGENT}/{number} ({about})"


@dataclass(frozen=True)
class Page:
    """What a fetch brought: the URL it ended at, the status (200, or 304 when unchanged), the
    headers (names in lower case) and the body, inflated."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Site:
    """One site's turn: one request at a time (``lock``), none before ``next_at``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0


@dataclass
class _Robots:
    rules: urllib.robotparser.RobotFileParser
    until: float
    failure: str | None = None  # why it could not be read (then nothing is fetched)


class Fetcher:
    """Fetches for one follower (thread-safe: each site's requests take turns)."""

    def __init__(
        self,
        settings: Settings,
        *,
        tries: int = TRIES,
        backoff: float = 1.0,
        max_redirects: int = MAX_REDIRECTS,
        kept_robots: KeptRobotsLike | None = None,
    ):
        self.kept_robots = kept_robots
        self.user_agent = user_agent(settings.contact)
        self.timeout = settings.fetch_timeout
        self.max_bytes = settings.fetch_max_bytes
        self.tries = tries
        self.backoff = backoff
        self.max_redirects = max_redirects
        self.pool = httpcore.ConnectionPool(
            network_backend=GuardedBackend(
                allow_private=settings.fetch_private, networks=settings.fetch_private_networks
            ),
            max_connections=32,
            keepalive_expiry=30.0,
        )
        self.counts: Counter[str] = Counter()  # requests, not_modified, retries, robots
        self._sites: dict[str, _Site] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_reading: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the public part ---------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        delay: float,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = PAGE_TYPES,
    ) -> Page:
        """GET ``url`` politely, following redirects; a :class:`Page` with status 200 or (when
        ``etag`` or ``last_modified`` say it has not changed) 304. Raises :class:`FetchError`
        for anything else, said with the URL."""
        headers = {"accept": accept}
        if etag:
            headers["if-none-match"] = etag
        if last_modified:
            headers["if-modified-since"] = last_modified
        current = as_uri(url)
        for _ in range(self.max_redirects + 1):
            robots = self._robots_of(current, delay)
            if robots.failure:
                raise FetchError(
                    f"{_origin(current)}/robots.txt cannot be read ({robots.failure}); "
                    "nothing is fetched from the site until it can be"
                )
            if not robots.rules.can_fetch(ROBOTS_AGENT, current):
                raise FetchError(f"{current}: refused by the site's robots.txt")
            status, answer, body = self._get_with_retries(current, headers, delay)
            if status in REDIRECTS and "location" in answer:
                current = as_uri(urllib.parse.urljoin(current, answer["location"].strip()))
                continue
            if status == 304 and (etag or last_modified):
                self._count("not_modified")
                return Page(current, 304, answer)
            if 200 <= status < 300:
                return Page(current, status, answer, body)
            raise FetchError(f"{current}: HTTP {status}{_after_tries(self.tries, status)}")
        raise FetchError(f"{url}: more than {self.max_redirects} redirects")

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] += 1

    # -- one site's turn ---------------------------------------------------------------------

    def _site(self, url: str) -> _Site:
        host = urllib.parse.urlsplit(url).netloc.lower()
        with self._lock:
            return self._sites.setdefault(host, _Site())

    def _get_with_retries(
        self, url: str, headers: dict[str, str], delay: float
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in range(self.tries):
            last = attempt == self.tries - 1
            try:
                status, answer, body = self._take_turn(url, headers, delay)
            except AddressRefused as exc:
                raise FetchError(str(exc)) from None
            except NETWORK_ERRORS as exc:
                if last:
                    raise FetchError(
                        f"{url}: {_network_error(exc, self.timeout)}"
                        f"{_after_tries(self.tries, None)}"
                    ) from None
                self._back_off(attempt, None)
                continue
            if status in RETRIED and not last:
                self._back_off(attempt, answer.get("retry-after"))
                continue
            return status, answer, body
        raise AssertionError("unreachable: the last try returns or raises")

    def _back_off(self, attempt: int, retry_after: str | None) -> None:
        self._count("retries")
        wait = self.backoff * 2**attempt
        if retry_after and retry_after.strip().isdigit():
            wait = max(wait, min(float(retry_after.strip()), MAX_RETRY_AFTER))
        time.sleep(wait)

    def _take_turn(
        self, url: str, headers: dict[str, str], delay: float
    ) -> tuple[int, dict[str, str], bytes]:
        """One request, when the site's turn comes: after the delay since its last request
        (and the robots.txt's Crawl-delay), none of its other requests under way."""
        site = self._site(url)
        with site.lock:
            wait = site.next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return self._exchange(url, headers)
            finally:
                crawl_delay = self._crawl_delay(url)
                site.next_at = time.monotonic() + max(delay, crawl_delay)

    def _exchange(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One GET: the status, the headers, and the body when it is a success (read to the
        size limit and the deadline, inflated)."""
        self._count("requests")
        sent = [
            ("User-Agent", self.user_agent),
            ("Accept-Encoding", "gzip, deflate"),
            *headers.items(),
        ]
        timeouts = {name: self.timeout for name in ("connect", "read", "write", "pool")}
        deadline = time.monotonic() + 4 * self.timeout
        with self.pool.stream(
            "GET", url.encode("ascii"), headers=sent, extensions={"timeout": timeouts}
        ) as response:
            answer = {
                name.decode("latin-1").lower(): value.decode("latin-1")
                for name, value in response.headers
            }
            if not 200 <= response.status < 300:
                return response.status, answer, b""
            declared = answer.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"{url}: {_too_large(self.max_bytes)} ({declared} bytes)")
            inflate = _inflater(answer.get("content-encoding", ""), url)
            body = bytearray()
            for chunk in response.iter_stream():
                room = self.max_bytes - len(body) + 1
                body += inflate.decompress(chunk, room) if inflate else chunk[:room]
                if len(body) > self.max_bytes or (inflate and inflate.unconsumed_tail):
                    raise FetchError(f"{url}: {_too_large(self.max_bytes)}")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: not read whole in {4 * self.timeout:g} s")
            if inflate:
                body += inflate.flush()
            return response.status, answer, bytes(body)

    # -- robots.txt --------------------------------------------------------------------------

    def _crawl_delay(self, url: str) -> float:
        known = self._robots.get(_origin(url))
        if known is None:
            return 0.0
        asked = known.rules.crawl_delay(ROBOTS_AGENT)
        return min(float(asked), MAX_CRAWL_DELAY) if asked else 0.0

    def _robots_of(self, url: str, delay: float) -> _Robots:
        origin = _origin(url)
        with self._lock:
            reading = self._robots_reading.setdefault(origin, threading.Lock())
        with reading:  # one thread reads a site's robots.txt; the others wait and use it
            known = self._robots.get(origin)
            if known is not None and known.until > time.monotonic():
                return known
            return self._read_robots(origin, delay)

    def _read_robots(self, origin: str, delay: float) -> _Robots:
        rules = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        seconds, failure = ROBOTS_SECONDS, None
        kept = self.kept_robots.get(origin) if self.kept_robots is not None else None
        age = (datetime.now(UTC) - kept[2]).total_seconds() if kept else ROBOTS_SECONDS
        if kept is not None and 0 <= age < ROBOTS_SECONDS:
            status, text = kept[0], kept[1]
            seconds = ROBOTS_SECONDS - age
        else:
            self._count("robots")
            try:
                status, body = self._robots_text(f"{origin}/robots.txt", delay)
            except AddressRefused as exc:
                raise FetchError(str(exc)) from None
            except FetchError as exc:
                status, failure = 0, str(exc)
            except NETWORK_ERRORS as exc:
                status, failure = 0, _network_error(exc, self.timeout)
            text = body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace") if 200 <= status < 300 else ""
            if self.kept_robots is not None and 200 <= status < 500:
                self.kept_robots.put(origin, status, text)  # a failure is asked again soon
        if 200 <= status < 300:
            rules.parse(text.splitlines())
        elif 400 <= status < 500:
            rules.allow_all = True
        else:  # unreachable (or 5xx): nothing may be fetched until it can be read
            rules.disallow_all = True
            seconds = ROBOTS_FAILED_SECONDS
            failure = failure or f"HTTP {status}"
        rules.modified()
        found = self._robots[origin] = _Robots(rules, time.monotonic() + seconds, failure)
        return found

    def _robots_text(self, url: str, delay: float) -> tuple[int, bytes]:
        """robots.txt, following its redirects (each connection checked as ever)."""
        for _ in range(self.max_redirects + 1):
            status, answer, body = self._take_turn(url, {"accept": "text/plain"}, delay)
            if status in REDIRECTS and "location" in answer:
                url = as_uri(urllib.parse.urljoin(url, answer["location"].strip()))
                continue
            return status, body
        return 404, b""  # RFC 9309: more than five redirects, as if there were none


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def as_uri(url: str) -> str:
    """``url`` as it is sent: an http(s) URL in ASCII (the host in IDNA, the path and query
    percent-escaped, as browsers send a Cyrillic address), without its fragment; a
    :class:`FetchError` when it is not one."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError as exc:  # a port that is not a number, a broken IPv6 address
        raise FetchError(f"{url[:200]}: not a URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise FetchError(f"{url[:200]}: only http and https URLs are fetched")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise FetchError(f"{url[:200]}: the host name is not valid") from None
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = urllib.parse.quote(parts.query, safe="=&%/:?@!$'()*+,;-._~")
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def _inflater(encoding: str, url: str):
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib, told by the header
    raise FetchError(f"{url}: the content encoding {encoding!r} is not one Arkhiv asked for")


def _too_large(limit: int) -> str:
    return f"larger than {limit / 1024 / 1024:.3g} MB (ARKHIV_FETCH_MAX_MB)"


def _after_tries(tries: int, status: int | None) -> str:
    if status is not None and status not in RETRIED:
        return ""
    return f" (tried {tries} times)" if tries > 1 else ""


def _network_error(exc: Exception, timeout: float) -> str:
    if isinstance(exc, httpcore.TimeoutException):
        return f"no answer within {timeout:g} s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
