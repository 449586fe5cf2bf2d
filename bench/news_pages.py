# ruff: noqa: E501 - page templates: a line of markup reads better whole than cut
"""Articles rendered into news pages, as real sites wrap them, for the pages benchmarks.

Five page templates written for this benchmark, each with what surrounds an article on a real news
site: a cookie banner, menus, breadcrumbs, "Read also" links between paragraphs, photo captions,
ads, share buttons, tags, related and popular news, a newsletter box, readers' comments and a
footer. The furniture that holds prose (teasers of other news with their first sentences,
comments) takes its text from *other* articles of the same language, so it reads like news and an
extractor cannot tell it apart by its words alone.

- ``jsonld``: HTML5 with JSON-LD ``NewsArticle`` whose ``articleBody`` is the text (as many CMSs
  write it);
- ``opengraph``: HTML5 with JSON-LD metadata but no ``articleBody``, OpenGraph and ``article:``
  tags, figures and ads inside the text;
- ``table``: an old site laid out in tables, in windows-1251 (Ukrainian) declared only in the page;
- ``portal``: a portal of ``<div>``s with meaningless class names, the text in ``<br><br>``-separated
  runs, a column of teasers before and after it;
- ``blog``: a blog post with a sidebar archive and long threaded comments.

The article's own text (its label) is what :func:`render` was given as ``body``.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass

TEMPLATES = ("jsonld", "opengraph", "table", "portal", "blog")

WORDS = {
    "uk": {
        "site": ["Вечірній Київ", "Поділля сьогодні", "Слобідський край", "Волинські новини"],
        "menu": [
            "Головна",
            "Новини",
            "Політика",
            "Економіка",
            "Суспільство",
            "Культура",
            "Спорт",
            "Здоров'я",
            "Погода",
            "Контакти",
        ],
        "cookie": "Ми використовуємо файли cookie, щоб покращити роботу сайту. Залишаючись на "
        "сайті, ви погоджуєтеся з політикою конфіденційності.",
        "accept": "Погоджуюсь",
        "read_also": "Читайте також",
        "related": "Схожі новини",
        "popular": "Популярне",
        "latest": "Останні новини",
        "comments": "Коментарі",
        "share": "Поділитися",
        "tags": "Теги",
        "photo": "Фото",
        "ad": "Реклама",
        "newsletter": "Підпишіться на нашу розсилку: головні новини дня щоранку у вашій пошті.",
        "subscribe": "Підписатися",
        "footer": "Усі права захищено. Використання матеріалів дозволено лише за умови "
        "посилання на сайт. Редакція може не поділяти думку авторів.",
        "archive": "Архів",
        "home": "Головна",
        "more": "Детальніше",
        "reply": "Відповісти",
        "users": ["Петро", "Оксана_К", "гість", "Іван Іванович", "Марічка", "читач"],
        "months": [
            "січня",
            "лютого",
            "березня",
            "квітня",
            "травня",
            "червня",
            "липня",
            "серпня",
            "вересня",
            "жовтня",
            "листопада",
            "грудня",
        ],
    },
    "en": {
        "site": [
            "The Evening Standard-Bearer",
            "Northern Chronicle",
            "Capital Daily",
            "Valley Post",
        ],
        "menu": [
            "Home",
            "News",
            "Politics",
            "Business",
            "World",
            "Culture",
            "Sport",
            "Health",
            "Weather",
            "Contact",
        ],
        "cookie": "We use cookies to improve your experience on our site. By continuing to "
        "browse you agree to our privacy policy.",
        "accept": "Accept",
        "read_also": "Read more",
        "related": "Related stories",
        "popular": "Most read",
        "latest": "Latest news",
        "comments": "Comments",
        "share": "Share",
        "tags": "Topics",
        "photo": "Photo",
        "ad": "Advertisement",
        "newsletter": "Sign up for our newsletter: the day's top stories in your inbox every "
        "morning.",
        "subscribe": "Subscribe",
        "footer": "All rights reserved. No part of this site may be reproduced without "
        "permission. Opinions of contributors are their own.",
        "archive": "Archive",
        "home": "Home",
        "more": "More",
        "reply": "Reply",
        "users": ["john_d", "Mary", "guest", "Old Reader", "kate88", "observer"],
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    },
}


@dataclass
class Other:
    """Another article of the same language, whose title and sentences fill the furniture."""

    title: str
    body: str

    def sentences(self, count: int, rng: random.Random) -> str:
        parts = [s.strip() for s in self.body.replace("\n", " ").split(". ") if s.strip()]
        if not parts:
            return self.title
        start = rng.randrange(len(parts))
        picked = parts[start : start + count] or parts[:count]
        return ". ".join(picked).rstrip(".") + "."


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _paragraphs(body: str) -> list[str]:
    return [" ".join(p.split()) for p in body.split("\n") if p.strip()]


def render(
    article: dict,
    others: list[Other],
    template: str,
    rng: random.Random,
    url: str,
) -> tuple[bytes, str]:
    """The page for ``article`` (``title``, ``body``, ``language``, optional ``authors``,
    ``published``, ``tags``, ``source``) in ``template``, as bytes and its Content-Type header."""
    language = article.get("language") if article.get("language") in WORDS else "en"
    w = WORDS[language]
    site = article.get("source") or rng.choice(w["site"])
    page = _Page(article, others, w, rng, url, site, language)
    return getattr(page, template)()


class _Page:
    def __init__(self, article, others, words, rng, url, site, language):
        self.a = article
        self.others = others
        self.w = words
        self.rng = rng
        self.url = url
        self.site = site
        self.language = language
        self.paragraphs = _paragraphs(article["body"])
        self.title = " ".join(article["title"].split())
        self.authors = article.get("authors") or []
        self.tags = article.get("tags") or []
        self.published = article.get("published")

    # -- pieces every template draws on
    def other(self) -> Other:
        return self.rng.choice(self.others)

    def links(self, count: int) -> str:
        return "".join(
            f'<li><a href="/news/{self.rng.randrange(10**6)}.html">{_e(self.other().title)}</a></li>'
            for _ in range(count)
        )

    def menu(self) -> str:
        items = "".join(
            f'<li><a href="/{i}/">{_e(m)}</a></li>' for i, m in enumerate(self.w["menu"])
        )
        return f'<nav class="main-nav"><ul>{items}</ul></nav>'

    def cookie(self) -> str:
        return (
            f'<div class="cookie-consent" id="cookie-bar"><p>{_e(self.w["cookie"])}</p>'
            f"<button>{_e(self.w['accept'])}</button></div>"
        )

    def comments(self, count: int) -> str:
        items = "".join(
            f'<div class="comment"><span class="author">{_e(self.rng.choice(self.w["users"]))}'
            f"</span><p>{_e(self.other().sentences(self.rng.randint(1, 2), self.rng))}</p>"
            f'<a class="reply" href="#">{_e(self.w["reply"])}</a></div>'
            for _ in range(count)
        )
        return f'<section class="comments" id="comments"><h3>{_e(self.w["comments"])} ({count})</h3>{items}</section>'

    def teasers(self, count: int) -> str:
        items = "".join(
            f'<div class="teaser"><h4><a href="/n/{self.rng.randrange(10**6)}">'
            f"{_e(o.title)}</a></h4><p>{_e(o.sentences(1, self.rng))}</p></div>"
            for o in (self.other() for _ in range(count))
        )
        return f'<div class="news-list"><h3>{_e(self.w["latest"])}</h3>{items}</div>'

    def footer(self) -> str:
        return (
            f'<footer class="site-footer"><p>© 2004–2024 {_e(self.site)}. {_e(self.w["footer"])}</p>'
            f'<ul><li><a href="/about">{_e(self.w["menu"][-1])}</a></li>'
            f'<li><a href="/ads">{_e(self.w["ad"])}</a></li></ul></footer>'
        )

    def read_also(self) -> str:
        return (
            f'<p class="read-also"><strong>{_e(self.w["read_also"])}:</strong> '
            f'<a href="/news/{self.rng.randrange(10**6)}">{_e(self.other().title)}</a></p>'
        )

    def byline(self) -> str:
        shown = ", ".join(self.authors)
        date = _e(self.published or "")
        return (
            f'<div class="byline"><span class="author">{_e(shown)}</span> <time>{date}</time></div>'
        )

    def text_with_inserts(self, inserts: list[str]) -> str:
        """The paragraphs, with the furniture a CMS puts between them."""
        out = []
        slots = sorted(
            self.rng.sample(
                range(1, max(2, len(self.paragraphs))),
                k=min(len(inserts), max(1, len(self.paragraphs) - 1)),
            )
        )
        queue = list(zip(slots, inserts, strict=False))
        for i, p in enumerate(self.paragraphs):
            while queue and queue[0][0] == i:
                out.append(queue.pop(0)[1])
            out.append(f"<p>{_e(p)}</p>")
        return "\n".join(out)

    def head(self, charset: str, extra: str = "") -> str:
        return (
            f'<head><meta charset="{charset}"><title>{_e(self.title)} | {_e(self.site)}</title>'
            f'<meta name="viewport" content="width=device-width">{extra}'
            '<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script></head>'
        )

    def json_ld(self, with_body: bool) -> str:
        data: dict = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.title,
            "inLanguage": self.language,
            "publisher": {"@type": "Organization", "name": self.site},
            "mainEntityOfPage": self.url,
        }
        if self.published:
            data["datePublished"] = self.published
        if self.authors:
            data["author"] = [{"@type": "Person", "name": n} for n in self.authors]
        if self.tags:
            data["keywords"] = ", ".join(self.tags)
        if with_body:
            data["articleBody"] = "\n".join(self.paragraphs)
        text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return f'<script type="application/ld+json">{text}</script>'

    # -- the templates
    def jsonld(self) -> tuple[bytes, str]:
        page = (
            f'<!DOCTYPE html><html lang="{self.language}">'
            + self.head(
                "utf-8",
                self.json_ld(with_body=True) + f'<link rel="canonical" href="{_e(self.url)}">',
            )
            + "<body>"
            + self.cookie()
            + f'<header><a class="logo" href="/">{_e(self.site)}</a>{self.menu()}</header>'
            + f'<div class="breadcrumbs"><a href="/">{_e(self.w["home"])}</a> › <a href="/news/">{_e(self.w["menu"][1])}</a></div>'
            + f"<main><article><h1>{_e(self.title)}</h1>{self.byline()}"
            + f'<div class="entry-content">{self.text_with_inserts([self.read_also()])}</div>'
            + f'<div class="tags">{_e(self.w["tags"])}: '
            + " ".join(f'<a href="/tag/{i}">{_e(t)}</a>' for i, t in enumerate(self.tags))
            + "</div>"
            + f'<div class="share">{_e(self.w["share"])}: <a href="#">Facebook</a> <a href="#">Telegram</a> <a href="#">X</a></div>'
            + f'</article><aside class="related"><h2>{_e(self.w["related"])}</h2><ul>{self.links(4)}</ul></aside>'
            + self.comments(self.rng.randint(2, 5))
            + "</main>"
            + self.footer()
            + "</body></html>"
        )
        return page.encode("utf-8"), "text/html; charset=utf-8"

    def opengraph(self) -> tuple[bytes, str]:
        og = (
            f'<meta property="og:type" content="article"><meta property="og:title" content="{_e(self.title)}">'
            f'<meta property="og:site_name" content="{_e(self.site)}"><meta property="og:url" content="{_e(self.url)}">'
            + (
                f'<meta property="article:published_time" content="{_e(self.published)}">'
                if self.published
                else ""
            )
            + "".join(f'<meta property="article:tag" content="{_e(t)}">' for t in self.tags)
            + self.json_ld(with_body=False)
        )
        other = self.other()
        inserts = [
            f'<figure><img src="/img/{self.rng.randrange(10**6)}.jpg" alt=""><figcaption>{_e(other.title)}. {_e(self.w["photo"])}: {_e(self.site)}</figcaption></figure>',
            f'<div class="ad-slot"><span>{_e(self.w["ad"])}</span><ins class="adsbygoogle"></ins></div>',
            self.read_also(),
        ]
        page = (
            f'<!DOCTYPE html><html lang="{self.language}">'
            + self.head("utf-8", og)
            + "<body>"
            + self.cookie()
            + f'<div class="top"><a href="/">{_e(self.site)}</a></div>{self.menu()}'
            + '<div class="layout"><div class="col-main">'
            + f'<h1 class="article-title">{_e(self.title)}</h1>{self.byline()}'
            + f'<div class="article-text">{self.text_with_inserts(inserts)}</div>'
            + f'<div class="newsletter"><p>{_e(self.w["newsletter"])}</p><button>{_e(self.w["subscribe"])}</button></div>'
            + f'<div class="related-news"><h3>{_e(self.w["related"])}</h3><ul>{self.links(5)}</ul></div>'
            + self.comments(self.rng.randint(1, 4))
            + f'</div><div class="col-side"><h3>{_e(self.w["popular"])}</h3><ol>{self.links(6)}</ol></div></div>'
            + self.footer()
            + "</body></html>"
        )
        return page.encode("utf-8"), "text/html; charset=utf-8"

    def table(self) -> tuple[bytes, str]:
        charset = "windows-1251" if self.language == "uk" else "iso-8859-1"
        menu = "<br>".join(f'<a href="/{i}.html">{_e(m)}</a>' for i, m in enumerate(self.w["menu"]))
        body = "".join(f"<p>{_e(p)}</p>" for p in self.paragraphs)
        comments = "".join(
            f'<tr><td class="c"><b>{_e(self.rng.choice(self.w["users"]))}</b>: {_e(self.other().sentences(1, self.rng))}</td></tr>'
            for _ in range(self.rng.randint(1, 3))
        )
        page = (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{_e(self.title)} - {_e(self.site)}</title></head>"
            '<body bgcolor="#ffffff"><table width="100%" border="0"><tr><td colspan="2">'
            f'<h2>{_e(self.site)}</h2></td></tr><tr><td width="160" valign="top" class="menu">{menu}</td>'
            f'<td valign="top"><h1>{_e(self.title)}</h1><p class="date">{_e(self.published or "")}</p>{body}'
            f"<p>{_e(self.w['read_also'])}: <a href='/x.html'>{_e(self.other().title)}</a></p>"
            f'<table class="comments" width="100%"><tr><td><b>{_e(self.w["comments"])}</b></td></tr>{comments}</table>'
            "</td></tr></table>"
            f'<div align="center" class="footer">© {_e(self.site)}. {_e(self.w["footer"])}</div></body></html>'
        )
        encoding = "cp1251" if self.language == "uk" else "cp1252"
        # Served as a misconfigured server does: a header that names no charset.
        return page.encode(encoding, "replace"), "text/html"

    def portal(self) -> tuple[bytes, str]:
        text = "<br><br>\n".join(_e(p) for p in self.paragraphs)
        page = (
            f'<!DOCTYPE html><html lang="{self.language}">'
            + self.head("utf-8")
            + f'<body><div class="c0">{self.menu()}</div>'
            + f'<div class="c1"><div class="c2">{self.teasers(3)}</div>'
            + f'<div class="c3"><div class="c4"><h1>{_e(self.title)}</h1>'
            + f'<div class="c5">{_e(", ".join(self.authors))}</div>'
            + f'<div class="c6">{text}</div></div>'
            + f'<div class="c7">{_e(self.w["share"])}: <a href="#">FB</a> <a href="#">TG</a></div></div>'
            + f'<div class="c8">{self.teasers(4)}</div></div>'
            + self.footer()
            + "</body></html>"
        )
        return page.encode("utf-8"), "text/html; charset=utf-8"

    def blog(self) -> tuple[bytes, str]:
        months = "".join(
            f'<li><a href="/archive/{i}">{_e(m)}</a></li>' for i, m in enumerate(self.w["months"])
        )
        page = (
            f'<!DOCTYPE html><html lang="{self.language}">'
            + self.head("utf-8")
            + f'<body class="blog"><div id="header"><h1 class="blog-title"><a href="/">{_e(self.site)}</a></h1></div>'
            + '<div id="wrapper"><div id="content"><div class="post">'
            + f'<h2 class="post-title">{_e(self.title)}</h2><div class="post-meta">{self.byline()}</div>'
            + f'<div class="post-body">{self.text_with_inserts([])}</div>'
            + f'<div class="post-footer">{_e(self.w["tags"])}: '
            + ", ".join(_e(t) for t in self.tags)
            + "</div></div>"
            + self.comments(self.rng.randint(3, 8))
            + f'</div><div id="sidebar"><h3>{_e(self.w["archive"])}</h3><ul>{months}</ul>'
            + f"<h3>{_e(self.w['popular'])}</h3><ul>{self.links(5)}</ul></div></div>"
            + self.footer()
            + "</body></html>"
        )
        return page.encode("utf-8"), "text/html; charset=utf-8"
