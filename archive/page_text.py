"""A web page's bytes as text, decoded as browsers and sites really do it.

Sites declare their encoding in the HTTP header, in the page (``<meta charset>``, the
``http-equiv`` Content-Type, an XML declaration), in both, in neither, and sometimes wrongly: a
server set up for UTF-8 sends ``charset=utf-8`` on old windows-1251 pages. So a declaration is
believed only when the bytes bear it out: bytes that are valid UTF-8 are UTF-8 (text in a legacy
Cyrillic code page is practically never valid UTF-8, while UTF-8 read as windows-1251 or KOI8-U
always "decodes", as mojibake); otherwise the declared single-byte encodings are weighed by how
plausible their text is, and a page that declares nothing usable is detected.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

# Where a page's own declaration is looked for: browsers look at the first 1024 bytes, but real
# pages put the meta tag after long scripts and styles.
_HEAD_BYTES = 16 * 1024
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE | re.DOTALL
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The WHATWG Encoding Standard reads these labels as windows-1252, as every browser does.
_AS_WINDOWS_1252 = {"ascii", "latin_1", "iso8859_1"}


def codec_name(label: str | None) -> str | None:
    """Python's name for an encoding label (``windows-1251`` → ``cp1251``), or None when it is
    not one Python knows or not one a web page can be in."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name in _AS_WINDOWS_1252:
        return "cp1252"
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return None  # a page cannot declare these in itself; only a byte order mark says so
    return name


def header_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header names (``text/html; charset=windows-1251``)."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return codec_name(match.group(1)) if match else None


def page_charset(page: bytes) -> str | None:
    """The encoding a page declares in itself: ``<meta charset>``, the http-equiv Content-Type,
    or its XML declaration."""
    head = page[:_HEAD_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return codec_name(match.group(1).decode("ascii", "replace")) if match else None


def _is_utf8(page: bytes) -> bool:
    try:
        page.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _most_plausible(page: bytes, candidates: list[str]) -> str | None:
    """Of ``candidates``, the encoding whose text reads most like language (the least "mess"
    as charset_normalizer measures it), or None when none decodes."""
    best = charset_normalizer.from_bytes(page, cp_isolation=candidates).best()
    return codec_name(best.encoding) if best else None


def decode_page(page: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """The page as text, and the encoding it was read in."""
    if isinstance(page, str):
        return page, "str"
    for mark, encoding in _BOMS:
        if page.startswith(mark):
            return page[len(mark) :].decode(encoding, "replace"), encoding
    in_header, in_page = header_charset(content_type), page_charset(page)
    if _is_utf8(page):
        # Valid UTF-8 is UTF-8, whatever a header claims (pure ASCII reads the same in all).
        return page.decode("utf-8"), "utf-8"
    candidates = [name for name in (in_header, in_page) if name not in (None, "utf-8")]
    if in_page in (None, "utf-8"):
        # Nothing the page's author wrote to go by: a header alone is often a server's default.
        detected = charset_normalizer.from_bytes(page).best()
        if detected is not None and codec_name(detected.encoding):
            candidates.append(codec_name(detected.encoding))
    candidates = list(dict.fromkeys(candidates))
    if len(candidates) > 1:
        encoding = _most_plausible(page, candidates) or candidates[0]
    else:
        encoding = candidates[0] if candidates else "cp1252"
    return page.decode(encoding, "replace"), encoding
