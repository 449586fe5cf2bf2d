"""``arkhiv import`` of web archives (.warc, .warc.gz), written here with warcio as crawlers write
them: the pages of fixtures/pages/ as responses among requests, redirects, errors, images,
scripts, revisits and duplicate captures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import FIXTURES, home_store, run_arkhiv

PAGES = FIXTURES / "pages"
POLTAVA = "https://visnyk.example.org/news/2024/05/naberezhna-vorskly"  # uk-jsonld's canonical
LVIV = "https://courier.example.com/city/lviv-electric-buses"


class Crawl:
    """A web archive being written, record by record, as a crawler writes one."""

    def __init__(self, path: Path, gzip: bool = True):
        self.path = path
        self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.writer = WARCWriter(self._file, gzip=gzip)
        self.writer.write_record(
            self.writer.create_warcinfo_record(path.name, {"software": "tests/test_warc.py"})
        )

    def request(self, url: str) -> None:
        http = StatusAndHeaders(
            f"GET {url} HTTP/1.1", [("User-Agent", "crawler")], is_http_request=True
        )
        record = self.writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), http_headers=http
        )
        self.writer.write_record(record)

    def response(
        self,
        url: str,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        status: str = "200 OK",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.request(url)
        http = StatusAndHeaders(
            status, [("Content-Type", content_type), *headers], protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http
        )
        self.writer.write_record(record)

    def revisit(self, url: str, digest: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(
            url, digest, url, "2024-05-20T00:00:00Z", http_headers=http
        )
        self.writer.write_record(record)

    def close(self) -> Path:
        self._file.close()
        return self.path


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def write_crawl(path: Path, gzip: bool = True) -> Path:
    """Four article pages, one page that is no article, and everything else a crawl holds."""
    crawl = Crawl(path, gzip=gzip)
    crawl.response(
        "https://visnyk.example.org/",
        b"",
        status="301 Moved Permanently",
        headers=(("Location", "https://visnyk.example.org/news/"),),
    )
    crawl.response(
        "https://visnyk.example.org/news/2024/05/naberezhna-vorskly?utm_source=tg",
        page("uk-jsonld.html"),
    )
    crawl.response(
        "https://courier.example.com/city/lviv-electric-buses", page("en-opengraph.html")
    )
    # windows-1251 behind a header that says utf-8; KOI8-U behind one that names nothing.
    crawl.response("http://ck.example.org/news/2009/02/tec.html", page("uk-windows-1251.html"))
    crawl.response("http://zt.example.org/n/med", page("uk-koi8-u.html"), "text/html")
    crawl.response("https://visnyk.example.org/gone", page("not-article.html"))
    crawl.response("https://visnyk.example.org/missing", b"<h1>404</h1>", status="404 Not Found")
    crawl.response("https://visnyk.example.org/img/naberezhna.jpg", b"\xff\xd8\xff", "image/jpeg")
    crawl.response("https://visnyk.example.org/app.js", b"let a = 1;", "application/javascript")
    crawl.response("https://visnyk.example.org/feed.pdf", b"%PDF-1.4", "application/pdf")
    # The same page captured again a day later, and again under another address (same payload).
    crawl.response(
        "https://courier.example.com/city/lviv-electric-buses", page("en-opengraph.html")
    )
    crawl.response("https://courier.example.com/amp/lviv-electric-buses", page("en-opengraph.html"))
    crawl.revisit("https://visnyk.example.org/news/", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    return crawl.close()


PASSED_OVER = (
    "passed over, not articles: 1 redirect, 1 error response, 1 image, 1 script or style, "
    "1 other non-HTML response, 1 revisit record, 2 duplicate captures, "
    "13 requests, metadata and other records"  # a request before each response, the warcinfo
)


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_each_html_page_is_an_article_and_the_rest_is_passed_over_and_counted(home, tmp_path, gzip):
    crawl = write_crawl(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), gzip=gzip)
    rejects = tmp_path / "rejects.jsonl"
    result = run_arkhiv(home, "import", "--no-progress", "--rejects", str(rejects), str(crawl))
    assert result.returncode == 1, result.stderr  # one page held no article
    assert "4 added, 0 updated, 0 unchanged, 1 rejected" in result.stdout
    assert PASSED_OVER in result.stdout
    [rejected] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert rejected["url"] == "https://visnyk.example.org/gone"
    assert rejected["error"].startswith("no article: no article text on the page")
    assert rejected["file"] == str(crawl) and rejected["index"] == 4
    assert "no article" in result.stderr and "https://visnyk.example.org/gone" in result.stderr

    with home_store(home) as store:
        ids = sorted(article_id for article_id, _ in store.id_seqs())
        poltava = store.get(POLTAVA)
        lviv = store.get(LVIV)
        tec = store.get("http://ck.example.org/news/2009/02/tec.html")
        honey = store.get("http://zt.example.org/n/med")
    assert ids == sorted(
        [
            POLTAVA,
            LVIV,
            "http://ck.example.org/news/2009/02/tec.html",
            "http://zt.example.org/n/med",
        ]
    )
    # The canonical URL, not the address with its tracking parameter, names the article.
    assert poltava.url == POLTAVA
    assert poltava.authors == ["Ірина Ткаченко", "Остап Мельник"]
    assert poltava.published.text == "2024-05-18T10:30:00+03:00"
    assert (poltava.language, poltava.source) == ("uk", "Полтавський вісник")
    assert poltava.tags == ["Полтава", "благоустрій", "міська рада"]
    assert lviv.published.text == "2023-11-02T08:15:00+02:00" and lviv.language == "en"
    assert tec.title == "Черкаська ТЕЦ перейде на місцеву тріску"
    assert "Лісгоспи Черкащини готові постачати" in tec.body
    assert honey.language == "uk" and honey.language_detected, "detected when the page is silent"
    assert "Ґрунтовні дощі" in honey.body


def test_an_imported_web_archive_is_searchable_in_any_form(home, tmp_path):
    crawl = write_crawl(tmp_path / "crawl.warc.gz")
    assert run_arkhiv(home, "import", "--no-progress", str(crawl)).returncode == 1
    assert run_arkhiv(home, "check").returncode == 0
    for query, expected in (("набережної", POLTAVA), ("bus", LVIV), ("тріски", "ck.example.org")):
        found = run_arkhiv(home, "export", "-q", query, "--format", "jsonl")
        assert found.returncode == 0, found.stderr
        urls = [json.loads(line)["url"] for line in found.stdout.splitlines()]
        assert len(urls) == 1 and expected in urls[0], (query, urls)


def test_a_page_taken_down_is_not_stored_again_from_a_web_archive(home, tmp_path):
    crawl = write_crawl(tmp_path / "crawl.warc.gz")
    assert run_arkhiv(home, "import", "--no-progress", str(crawl)).returncode == 1
    deleted = run_arkhiv(home, "delete", POLTAVA, "--reason", "court order 12")
    assert deleted.returncode == 0, deleted.stderr

    rejects = tmp_path / "rejects.jsonl"
    again = run_arkhiv(home, "import", "--no-progress", "--rejects", str(rejects), str(crawl))
    assert again.returncode == 1
    assert "0 added, 0 updated, 3 unchanged, 2 rejected" in again.stdout
    assert f"{POLTAVA!r} was taken down on 20" in again.stderr
    assert "court order 12" in again.stderr
    refused = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert {r["url"] for r in refused} == {
        "https://visnyk.example.org/news/2024/05/naberezhna-vorskly?utm_source=tg",
        "https://visnyk.example.org/gone",
    }
    with home_store(home) as store:
        assert store.get(POLTAVA) is None
        assert store.count() == 3
    found = run_arkhiv(home, "export", "-q", "набережна", "--format", "jsonl")
    assert found.stdout.strip() == ""


def test_a_page_captured_in_two_web_archives_is_read_once(home, tmp_path):
    first = Crawl(tmp_path / "a.warc.gz")
    first.response(LVIV, page("en-opengraph.html"))
    second = Crawl(tmp_path / "b.warc")
    second.response(LVIV, page("en-opengraph.html"))
    second.response("https://zt.example.org/n/med", page("uk-koi8-u.html"), "text/html")
    result = run_arkhiv(home, "import", "--no-progress", str(first.close()), str(second.close()))
    assert result.returncode == 0, result.stderr
    assert "2 added, 0 updated, 0 unchanged, 0 rejected" in result.stdout
    assert "1 duplicate capture" in result.stdout


def test_json_and_web_archives_in_one_import_and_a_dry_run(home, tmp_path):
    crawl = write_crawl(tmp_path / "crawl.warc.gz")
    dry = run_arkhiv(home, "import", "--no-progress", "--dry-run", str(crawl))
    assert dry.returncode == 1
    assert "dry run: 4 added" in dry.stdout and PASSED_OVER in dry.stdout
    result = run_arkhiv(
        home, "import", "--no-progress", str(FIXTURES / "articles.jsonl"), str(crawl)
    )
    assert "34 added" in result.stdout, result.stdout + result.stderr


def test_what_is_not_a_web_archive_is_not_read(home, tmp_path):
    not_warc = tmp_path / "crawl.warc"
    not_warc.write_text('{"title": "x", "body": "y"}\n')
    result = run_arkhiv(home, "import", "--no-progress", str(not_warc))
    assert result.returncode == 2
    assert "is not a web archive (it begins with '{\"tit', not 'WARC/')" in result.stderr
    assert "nothing was imported" in result.stderr
    missing = run_arkhiv(home, "import", "--no-progress", str(tmp_path / "none.warc.gz"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    assert run_arkhiv(home, "import", "--no-progress", str(empty)).returncode == 2


def test_a_web_archive_cut_off_keeps_what_came_before_and_says_so(home, tmp_path):
    crawl = Crawl(tmp_path / "full.warc.gz")
    crawl.response(POLTAVA, page("uk-jsonld.html"))
    crawl.response(LVIV, page("en-opengraph.html"))
    data = crawl.close().read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 1500])  # the last page's record ends early
    result = run_arkhiv(home, "import", "--no-progress", str(cut))
    assert result.returncode == 1
    assert "1 added" in result.stdout and "1 rejected" in result.stdout
    assert "the web archive is damaged" in result.stderr
    with home_store(home) as store:
        assert store.get(POLTAVA) is not None
