"""The dictionaries the analysis reads words with: pymorphy3's Ukrainian and Russian analysers, one
of each per process, loaded on first use (the command line should not pay for them when it does
not analyse)."""

from __future__ import annotations

from functools import cache

import pymorphy3


@cache
def ukrainian_morph() -> pymorphy3.MorphAnalyzer:
    """The Ukrainian analyser the index uses."""
    return pymorphy3.MorphAnalyzer(lang="uk")


@cache
def russian_morph() -> pymorphy3.MorphAnalyzer:
    """The Russian one: loaded on the first Russian-looking capitalised word, not before."""
    return pymorphy3.MorphAnalyzer(lang="ru")
