"""The interface in Ukrainian and English: locale choice, catalogs, dates and language names.

The catalogs (``translations/<locale>/LC_MESSAGES/messages.po``) are compiled to ``.mo`` when the
app starts, if the ``.mo`` is missing or older than its ``.po``; ``.mo`` files are not committed.
Where the package folder is read-only they are compiled into a cache folder instead.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import Flask, Response, request
from flask_babel import Babel, get_locale, gettext
from markupsafe import Markup, escape

from archive.dates import Published, parse_published
from index.searching.messages import TEXTS, Message, render

LOCALES = ("uk", "en")
DEFAULT_LOCALE = "uk"
COOKIE = "arkhiv_locale"
# The switcher names each language in itself, so a reader finds their own.
LOCALE_NAMES = {"uk": "Українська", "en": "English"}
PACKAGE_TRANSLATIONS = Path(__file__).resolve().parent / "translations"

# A date at the precision the record has: a year-only date shows the year.
_PATTERNS = {
    "year": "y",
    "month": "LLLL y",
    "day": "d MMMM y",
    "minute": "d MMMM y, HH:mm",
    "second": "d MMMM y, HH:mm",
}


def compile_catalogs(source: Path = PACKAGE_TRANSLATIONS) -> Path:
    """Compile each stale ``.po`` to ``.mo``; returns the folder holding the compiled catalogs."""
    try:
        _compile_into(source, source)
        return source
    except OSError:
        cache = Path(tempfile.gettempdir()) / f"arkhiv-translations-{os.getuid()}"
        _compile_into(source, cache)
        return cache


def _compile_into(source: Path, target: Path) -> None:
    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with open(partial, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(partial, mo_path)  # atomic: two processes starting at once both succeed


def select_locale() -> str:
    """The reader's choice (cookie), else the browser's Accept-Language, else Ukrainian."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def current_locale() -> str:
    locale = get_locale()
    return str(locale) if locale else DEFAULT_LOCALE


# The script a reader of each interface reads names in (facet values that are names).
LOCALE_SCRIPTS = {"uk": "Cyrl", "en": "Latn"}


def reader_script() -> str | None:
    """``Cyrl`` for the Ukrainian interface, ``Latn`` for the English one."""
    return LOCALE_SCRIPTS.get(current_locale())


def format_published(published: Published | str | None, precision: str | None = None) -> str:
    """«27 серпня 2025, 04:46» / "27 August 2025, 04:46", at the record's precision and offset.

    Takes a :class:`Published` or its canonical text (as a search hit carries it)."""
    if not published:
        return gettext("undated")
    if isinstance(published, str):
        return _format_published_text(published, precision, current_locale())
    return format_moment(published.start, precision or published.precision)


@lru_cache(maxsize=4096)
def _format_published_text(text: str, precision: str | None, locale: str) -> str:
    published = parse_published(text)
    moment = published.start
    pattern = _PATTERNS.get(precision or published.precision, _PATTERNS["day"])
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=locale)


def format_moment(moment: datetime, precision: str) -> str:
    pattern = _PATTERNS.get(precision, _PATTERNS["day"])
    # The time as the outlet printed it: in the record's own offset, not converted.
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=current_locale())


def format_count(number: float) -> str:
    """A count or a figure in the locale's digits («1 234,5» / "1,234.5")."""
    if isinstance(number, int) and 0 <= number < 1000:
        return str(number)  # the same in both locales; this is most facet counts
    return _format_number(number, current_locale())


@lru_cache(maxsize=4096)
def _format_number(number: float, locale: str) -> str:
    return format_decimal(number, locale=locale)


@lru_cache(maxsize=256)
def _language_name(code: str, locale: str) -> str:
    name = Locale.parse(locale).languages.get(code)
    return name or code


def language_label(code: str | None) -> str:
    """``uk`` → «українська» / "Ukrainian"; ``und`` → undetermined."""
    if not code or code == "und":
        return gettext("undetermined language")
    return _language_name(code, current_locale())


# A value quoted in a message («%(query)s», “%(prefix)s*”): on the page it is set as code, what
# the reader typed, instead of in quotes that would stand beside the query's own.
_QUOTED_VALUE = re.compile(r"[“«]([^“”«»]*%\(\w+\)s[^“”«»]*)[”»]")


def translated(message: Message) -> Markup:
    """A notice or a refusal of the search in the reader's language, as HTML: its English text
    is the msgid, its numbers are written as the locale writes them, its values are escaped."""
    template = _QUOTED_VALUE.sub(r"<code>\1</code>", str(escape(gettext(TEXTS[message.code]))))
    return render(Markup(template), message.params, format_count)


def text_lang(code: str | None) -> Markup:
    """A ``lang`` attribute for text in an article's language (none when undetermined)."""
    if not code or code == "und" or not code.isalpha():
        return Markup("")
    return Markup('lang="%s"') % code


def _vary_by_language(response: Response) -> Response:
    """Answers differ by the reader's language (pages, feed titles, the API's labels and
    messages): caches must keep them apart. Static files do not."""
    if not request.path.startswith("/static/"):
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    directory = compile_catalogs()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(directory)
    Babel(app, locale_selector=select_locale)
    app.after_request(_vary_by_language)
    app.jinja_env.globals.update(
        LOCALES=LOCALES,
        LOCALE_NAMES=LOCALE_NAMES,
        current_locale=current_locale,
        language_label=language_label,
        format_count=format_count,
        format_published=format_published,
        text_lang=text_lang,
        translated=translated,
    )
