"""Decoding one record's JSON text within limits, into values that are written out again as
strict JSON (RFC 8259) exactly as they came in.

Python's ``json`` takes more than RFC 8259 allows and more than the archive can keep: ``NaN``,
``Infinity`` and ``1e400`` (read as infinity) would be stored and then written out as text no other
JSON reader accepts; ``"\\ud800"`` (a lone surrogate) cannot be encoded as UTF-8 at all; an integer
of 5,000 digits passes Python's conversion limit, a record nested 100,000 deep its recursion limit.
:func:`decode` refuses each of these with :class:`JsonRejected`, naming the field and the reason,
and never raises anything else for any text.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

# The limits of one record (a line of JSON Lines, an item of an array, a file holding one object).
MAX_RECORD_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64  # the record object itself is level 1
MAX_STRING_CHARS = 2_000_000
MAX_FIELDS = 1000  # in any one object
MAX_NUMBER_DIGITS = 100

_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# A whole string, a lone quote (the string never ends: the decoder says where), an opening or a
# closing bracket.
_NESTING = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")|(")|([\[{])|[\]}]', re.S)


class JsonRejected(ValueError):
    """A record's text that cannot be kept: ``path`` names the field (outermost first)."""

    def __init__(self, reason: str, reason_for_id: str | None = None):
        self.reason = reason
        self.reason_for_id = reason_for_id  # said instead when the field is the record's id
        self.path: list[str | int] = []
        super().__init__(reason)

    @property
    def field(self) -> str:
        """The path as a person writes it: ``extra.scores[2]``, ``meta["a b"]``."""
        text = ""
        for step in self.path:
            if isinstance(step, int):
                text += f"[{step}]"
            elif _SIMPLE_NAME.match(step):
                text += f".{step}" if text else step
            else:
                text += f"[{json.dumps(step, ensure_ascii=False)}]"
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.path else self.reason


@dataclass(frozen=True)
class _Refused:
    """What the decoder's hooks return for a value that cannot be kept; :func:`_check` finds it
    and raises with the field's path, which the hooks do not know."""

    reason: str
    reason_for_id: str | None = None


def _number_too_long(text: str) -> _Refused | None:
    digits = len(text) - text.startswith("-")
    if digits <= MAX_NUMBER_DIGITS:
        return None
    return _Refused(
        f"number of {digits} digits; at most {MAX_NUMBER_DIGITS} (give it as a string)",
        f"integer of {digits} digits; give ids as strings" if text.lstrip("-").isdigit() else None,
    )


def _integer(text: str) -> int | _Refused:
    return _number_too_long(text) or int(text)


def _float(text: str) -> float | _Refused:
    too_long = _number_too_long(text)
    if too_long:
        return too_long
    value = float(text)
    if not math.isfinite(value):
        return _Refused(f"{text} is beyond the range of a number (it would be read as infinity)")
    return value


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not JSON")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Refused:
    if len(pairs) > MAX_FIELDS:
        return _Refused(f"{len(pairs):,} fields in one object; at most {MAX_FIELDS:,}")
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                shown = json.dumps(name, ensure_ascii=False)
                return _Refused(f"field {shown} appears twice; a record holds each field once")
            seen.add(name)
    return value


_DECODER = json.JSONDecoder(
    parse_int=_integer,
    parse_float=_float,
    parse_constant=_constant,
    object_pairs_hook=_object,
)


def _deeper_than(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (a scan, not a parse: the
    decoder would recurse once per level)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _NESTING.finditer(text):
        if match.lastindex == 1:
            continue
        if match.lastindex == 2:
            return False  # a string that never ends: not JSON, as the decoder will say
        if match.lastindex == 3:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _check_text(text: str, what: str) -> None:
    if len(text) > MAX_STRING_CHARS:
        raise JsonRejected(f"{what} of {len(text):,} characters; at most {MAX_STRING_CHARS:,}")
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonRejected(
            f"lone surrogate \\u{ord(text[exc.start]):04x} at character {exc.start + 1}"
            + ("" if what == "string" else f" of a {what}")
            + "; it is not a character and cannot be written as UTF-8"
        ) from None


def _check(value: Any) -> None:
    """Raise :class:`JsonRejected` for the first value (depth first) that cannot be kept."""
    kind = type(value)
    if kind is str:
        _check_text(value, "string")
    elif kind is dict or kind is list:
        for step, item in value.items() if kind is dict else enumerate(value):
            if kind is dict:
                _check_text(step, "field name")
            try:
                _check(item)
            except JsonRejected as exc:
                exc.path.insert(0, step)  # the path is built only on the way out of a reject
                raise
    elif kind is _Refused:
        raise JsonRejected(value.reason, value.reason_for_id)


def decode(text: str) -> Any:
    """The value of one record's JSON text, or :class:`JsonRejected` saying why it cannot be
    kept: not JSON; nesting deeper than :data:`MAX_DEPTH`; ``NaN``, ``Infinity`` or a number
    beyond a float's range; a number of more than :data:`MAX_NUMBER_DIGITS` digits; a string of
    more than :data:`MAX_STRING_CHARS` characters or holding a lone surrogate; more than
    :data:`MAX_FIELDS` fields in an object, or a field given twice."""
    if _deeper_than(text, MAX_DEPTH):
        raise JsonRejected(f"nesting deeper than {MAX_DEPTH} levels")
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        where = f"column {exc.colno}"
        if exc.lineno > 1:
            where = f"line {exc.lineno} {where}"
        raise JsonRejected(f"not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:  # not reached within MAX_DEPTH; kept as the last word on nesting
        raise JsonRejected(f"nesting deeper than {MAX_DEPTH} levels") from None
    try:
        _check(value)
    except JsonRejected as exc:
        if exc.path == ["id"] and exc.reason_for_id:
            exc.reason = exc.reason_for_id
        raise
    return value


# Characters JSON lets a string hold as they are, but which some readers of lines take for line
# breaks (Python's str.splitlines, editors): a JSON Lines record holding one would be cut in two.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_LINE_BREAK = re.compile("[\x85\u2028\u2029]")


def json_line(value: Any) -> str:
    """``value`` as one line of JSON Lines, newline included: strict JSON (``ValueError`` for
    NaN or Infinity), UTF-8 text as it is, but line breaks of any kind escaped."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    # Outside strings JSON has no such characters, so escaping them changes no value.
    return _LINE_BREAK.sub(lambda found: _LINE_BREAKS[found.group()], text) + "\n"
