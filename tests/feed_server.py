"""A small web site on 127.0.0.1 for the tests and the benchmark of following feeds: feeds and
news pages written here, in Ukrainian and English, and the ways real sites answer (304 to a
conditional request, redirects, 404, 500, a slow answer, a huge page, gzip, windows-1251).

Nothing here reaches outside the machine: the server listens on a loopback address only.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import html
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the site answers at one path."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # wait this long before answering (a slow site)
    gzip: bool = False
    validators: bool = True  # ETag and Last-Modified, and 304 to a request that has them
    # Statuses to answer first, one per request, before the route's own (a 500 that mends).
    first: list[int] = field(default_factory=list)
    _zipped: bytes | None = None

    def zipped(self) -> bytes:
        if self._zipped is None:
            self._zipped = gzip.compress(self.body)
        return self._zipped


class Site:
    """The routes of a site, the requests it was sent, and a server on ``host``."""

    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.agents: list[str] = []
        self.conditional: Counter[str] = Counter()  # requests that carried a validator
        self.statuses: Counter[int] = Counter()  # what the site answered
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.server = ThreadingHTTPServer((host, 0), _handler(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> Site:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __getitem__(self, path: str) -> Route:
        return self.routes[path]

    def __setitem__(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def requests(self) -> int:
        return sum(self.hits.values())


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            with site.lock:
                site.hits[self.path] += 1
                site.agents.append(self.headers.get("User-Agent", ""))
                site.in_flight += 1
                site.most_in_flight = max(site.most_in_flight, site.in_flight)
            try:
                self._answer()
            finally:
                with site.lock:
                    site.in_flight -= 1

        def _answer(self) -> None:
            route = site.routes.get(self.path)
            if route is None:
                self._send(404, b"not here", "text/plain", {})
                return
            if route.seconds:
                time.sleep(route.seconds)
            with site.lock:
                status = route.first.pop(0) if route.first else route.status
            headers = dict(route.headers)
            if status != 200:
                self._send(status, b"", "text/plain", headers)
                return
            if route.validators:
                etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                headers["ETag"] = etag
                headers["Last-Modified"] = format_datetime(datetime(2026, 12, 1, tzinfo=UTC), True)
                if self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"):
                    with site.lock:
                        site.conditional[self.path] += 1
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", None, headers)
                    return
            body = route.body
            if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = route.zipped()
                headers["Content-Encoding"] = "gzip"
            self._send(200, body, route.content_type, headers)

        def _send(self, status, body, content_type, headers) -> None:
            with site.lock:
                site.statuses[status] += 1
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The client may give up (a size limit, a timeout) before it has the whole body.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


# -- what the site publishes -----------------------------------------------------------------

UK_TEXT = (
    "Міська рада ухвалила бюджет на наступний рік після довгого обговорення. Депутати погодили "
    "видатки на школи, лікарні та ремонт доріг у кожному районі міста.",
    "Мер заявив, що найбільше коштів отримають освіта й охорона здоров'я. Опозиція критикувала "
    "рішення через скорочення програм для малого бізнесу та культури.",
    "Громадські організації обіцяють стежити за тим, як витрачатимуть гроші, і щомісяця "
    "публікуватимуть звіти про виконання бюджету.",
)
EN_TEXT = (
    "The city council approved next year's budget after a long debate. Councillors agreed on "
    "spending for schools, hospitals and road repairs in every district of the city.",
    "The mayor said that education and health care would receive the largest share. The "
    "opposition criticised cuts to programmes for small businesses and culture.",
    "Civic groups promise to watch how the money is spent and to publish monthly reports on "
    "how the budget is carried out.",
)


def news_page(
    title: str,
    *,
    language: str = "en",
    published: str | None = "2026-12-01T09:30:00+02:00",
    canonical: str | None = None,
    author: str | None = "Olena Petrenko",
    charset: str = "utf-8",
    declare_charset: bool = True,
    paragraphs: tuple[str, ...] | None = None,
) -> bytes:
    """A news page as outlets publish them: a menu, the article, related links, a footer."""
    text = paragraphs or (UK_TEXT if language == "uk" else EN_TEXT)
    meta = [f'<meta charset="{charset}">'] if declare_charset else []
    meta.append(f'<meta property="og:title" content="{html.escape(title)}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{html.escape(canonical)}">')
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if author:
        meta.append(f'<meta name="author" content="{html.escape(author)}">')
    menu = "Новини Політика Економіка" if language == "uk" else "News Politics Business"
    related = "Читайте також: інші новини" if language == "uk" else "Read also: other news"
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in text)
    page = f"""<!DOCTYPE html>
<html lang="{language}"><head>{"".join(meta)}<title>{html.escape(title)}</title></head>
<body><nav><a href="/">{menu}</a></nav>
<article><h1>{html.escape(title)}</h1>{body}</article>
<aside><a href="/other">{related}</a></aside>
<footer>© 2026 Newsroom</footer></body></html>"""
    return page.encode(charset)


def rss(items: list[dict], *, title: str = "Newsroom", language: str = "en", encoding="utf-8"):
    """An RSS 2.0 feed of ``items`` (each: link, title, and optionally pubDate, author, tags)."""
    entries = []
    for item in items:
        parts = [
            f"<title>{html.escape(item['title'])}</title>",
            f"<link>{html.escape(item['link'])}</link>",
            f"<guid>{html.escape(item['link'])}</guid>",
        ]
        if item.get("pubDate"):
            parts.append(f"<pubDate>{item['pubDate']}</pubDate>")
        for tag in item.get("tags", ()):
            parts.append(f"<category>{html.escape(tag)}</category>")
        entries.append(f"<item>{''.join(parts)}</item>")
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>http://example.org/</link>"
        f"<language>{language}</language><description>News</description>"
        f"{''.join(entries)}</channel></rss>"
    )
    return text.encode(encoding)


def atom(items: list[dict], *, title: str = "Newsroom") -> bytes:
    entries = "".join(
        f"<entry><title>{html.escape(item['title'])}</title>"
        f'<link rel="alternate" href="{html.escape(item["link"])}"/>'
        f"<id>{html.escape(item['link'])}</id>"
        f"<published>{item.get('published', '2026-12-01T08:00:00Z')}</published>"
        f"<updated>{item.get('published', '2026-12-01T08:00:00Z')}</updated>"
        f"<author><name>{html.escape(item.get('author', 'Desk'))}</name></author></entry>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(title)}</title><id>urn:newsroom</id>"
        f"<updated>2026-12-01T08:00:00Z</updated>{entries}</feed>"
    ).encode()


def json_feed(items: list[dict], *, title: str = "Newsroom", language: str = "en") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "language": language,
            "items": [
                {
                    "id": item["link"],
                    "url": item["link"],
                    "title": item["title"],
                    "date_published": item.get("published", "2026-12-01T08:00:00+00:00"),
                    "authors": [{"name": item.get("author", "Desk")}],
                    "tags": item.get("tags", []),
                }
                for item in items
            ],
        },
        ensure_ascii=False,
    ).encode()


def sitemap(urls: list[tuple[str, str | None]]) -> bytes:
    """A plain sitemap: (loc, lastmod) pairs."""
    entries = "".join(
        f"<url><loc>{html.escape(loc)}</loc>"
        + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
        + "</url>"
        for loc, lastmod in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def news_sitemap(items: list[dict], *, name: str = "Newsroom", language: str = "uk") -> bytes:
    entries = "".join(
        f"<url><loc>{html.escape(item['link'])}</loc><news:news><news:publication>"
        f"<news:name>{html.escape(name)}</news:name><news:language>{language}</news:language>"
        f"</news:publication><news:publication_date>{item['published']}</news:publication_date>"
        f"<news:title>{html.escape(item['title'])}</news:title>"
        f"<news:keywords>{html.escape(', '.join(item.get('tags', [])))}</news:keywords>"
        "</news:news></url>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{entries}</urlset>"
    ).encode()


def sitemap_index(sitemaps: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{html.escape(loc)}</loc><lastmod>{lastmod}</lastmod></sitemap>"
        for loc, lastmod in sitemaps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()
