"""The words of a text as 64-bit hashes, in one numpy pass (what copies of one story compare).

A word is a run of letters and digits (``str.isalnum``), as ``\\w+`` finds them, after NFC and
casefolding; apostrophes and combining marks (a stress mark over a Ukrainian vowel) are dropped,
so «з'явився», «з’явився» and «зʼявився» are one word, and «вели́кий» is «великий».

Why not a regex and a hash per word: at ~380 words an article, finding the words with ``re`` and
hashing each (even through a per-process cache of word -> hash) cost 0.15-0.2 ms, two thirds of an
article's signature. Here the text becomes an array of code points; a table says which are word
characters; each word's hash is a polynomial in its code points, read from prefix sums:
``sum(c[j] * Q**j for j in word) * P**start`` with ``Q`` the inverse of the odd ``P`` modulo
2**64 (numpy's unsigned arithmetic wraps, which is that modulus), so it does not depend on where
the word stands. A finalising mix spreads the bits. Deterministic: the same in every process.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np

SEPARATOR, WORD, DROPPED = 0, 1, 2
APOSTROPHES = "'\u2019\u02bc`\u02b9\u2018"
_P = 0x100000001B3  # the FNV prime: odd, so it has an inverse modulo 2**64
_Q = pow(_P, -1, 1 << 64)
_BMP = 0x10000


@functools.cache
def _classes() -> np.ndarray:
    """What each character of the Basic Multilingual Plane is: separator, word or dropped."""
    classes = np.zeros(_BMP, dtype=np.uint8)
    for code in range(_BMP):
        char = chr(code)
        if char.isalnum():
            classes[code] = WORD
        elif unicodedata.category(char) == "Mn":
            classes[code] = DROPPED
    for apostrophe in APOSTROPHES:
        classes[ord(apostrophe)] = DROPPED
    return classes


class _Powers:
    """``P**i`` and ``Q**i`` modulo 2**64 for i up to the longest text seen (grown by doubling)."""

    def __init__(self) -> None:
        self.p = np.ones(1, dtype=np.uint64)
        self.q = np.ones(1, dtype=np.uint64)

    def upto(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.p) <= length:
            size = max(length + 1, 2 * len(self.p), 4096)
            self.p = _cumulative_powers(_P, size)
            self.q = _cumulative_powers(_Q, size)
        return self.p, self.q


def _cumulative_powers(base: int, size: int) -> np.ndarray:
    factors = np.full(size, base, dtype=np.uint64)
    factors[0] = 1
    return np.cumprod(factors, dtype=np.uint64)  # wraps modulo 2**64


_POWERS = _Powers()


def _mix(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every input bit reaches every output bit."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def word_hashes(text: str) -> np.ndarray:
    """The hash of each word of ``text``, in order (uint64)."""
    text = unicodedata.normalize("NFC", text).casefold()
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    kinds = _classes()[np.minimum(codes, _BMP - 1)]
    kinds[codes >= _BMP] = SEPARATOR  # beyond the BMP: emoji and rare scripts
    kept = kinds != DROPPED
    if not kept.all():
        codes, kinds = codes[kept], kinds[kept]
    inside = np.zeros(len(codes) + 2, dtype=np.int8)
    inside[1:-1] = kinds == WORD
    edges = np.flatnonzero(np.diff(inside))
    starts, ends = edges[::2], edges[1::2]
    if not len(starts):
        return np.zeros(0, dtype=np.uint64)
    p, q = _POWERS.upto(len(codes))
    prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(codes.astype(np.uint64) * q[: len(codes)], out=prefix[1:])
    return _mix((prefix[ends] - prefix[starts]) * p[starts])


def words(text: str) -> list[str]:
    """The words themselves, as :func:`word_hashes` finds them (for people and tests)."""
    text = unicodedata.normalize("NFC", text).casefold()
    classes = _classes()
    found, current = [], []
    for char in text:
        kind = classes[ord(char)] if ord(char) < _BMP else SEPARATOR
        if kind == WORD:
            current.append(char)
        elif kind == SEPARATOR and current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found
