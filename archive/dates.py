"""Publication dates at the precision the source gave them.

A record may say ``2016``, ``2016-05``, ``2016-05-12`` or a datetime with or without an offset. The
archive keeps that precision (a year-only date is not the first of January) and the offset (a Kyiv
time stays a Kyiv time); a datetime without an offset is read in the archive's default zone.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

PRECISIONS = ("year", "month", "day", "minute", "second")
# The years a publication date may have: every date in them can be shown, converted between
# zones and bucketed by year, month or day without leaving what Python's dates hold (1 to 9999).
FIRST_YEAR, LAST_YEAR = 1000, 9998

_PATTERN = re.compile(
    r"""^\s*
    (?P<year>\d{4})
    (?:-(?P<month>\d{1,2})
      (?:-(?P<day>\d{1,2})
        (?:[T\s](?P<hour>\d{1,2}):(?P<minute>\d{2})
          (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
          \s*(?P<offset>Z|z|[+-]\d{2}(?::?\d{2})?)?
        )?
      )?
    )?\s*$""",
    re.VERBOSE,
)

_MONTHS = (
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
)


class DateError(ValueError):
    """A ``published`` value that is not a date; the message says why."""


@dataclass(frozen=True)
class Published:
    """A publication date with its precision.

    ``text`` is the canonical ISO 8601 form at the record's precision; ``start`` is the first
    instant of the period (aware); ``local_date`` is its calendar date where it was published.
    """

    text: str
    precision: str
    start: datetime

    @property
    def local_date(self) -> date:
        return self.start.date()

    @property
    def timestamp(self) -> float:
        return self.start.timestamp()

    @property
    def year(self) -> int:
        return self.start.year


def _offset(value: str) -> timezone:
    if value in ("Z", "z"):
        return UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise DateError(f"offset {value} is not a valid UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _format_offset(moment: datetime) -> str:
    delta = moment.utcoffset() or timedelta(0)
    if delta == timedelta(0):
        return "Z"
    total = int(delta.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def parse_published(value: object, default_zone: tzinfo = UTC) -> Published:
    """Parse a ``published`` value; raises :class:`DateError` with a reason a person can act on."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        kind = "a list" if isinstance(value, list) else type_name(value)
        raise DateError(f"expected an ISO 8601 date as a string, got {kind}")
    text = str(value)
    match = _PATTERN.match(text)
    if not match:
        raise DateError(
            f"{text[:40]!r} is not an ISO 8601 date "
            "(expected 2016, 2016-05, 2016-05-12 or 2016-05-12T10:30+03:00)"
        )
    parts = match.groupdict()
    year = int(parts["year"])
    if year < 1:
        raise DateError("year 0 does not exist")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError(
            f"year {year} is outside the years the archive keeps ({FIRST_YEAR} to {LAST_YEAR})"
        )
    month = int(parts["month"] or 1)
    if not 1 <= month <= 12:
        raise DateError(f"month {month} does not exist")
    day = int(parts["day"] or 1)
    last_day = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last_day:
        raise DateError(f"day {day} does not exist in {_MONTHS[month - 1]} {year}")
    hour, minute = int(parts["hour"] or 0), int(parts["minute"] or 0)
    second = int(parts["second"] or 0)
    if hour > 23:
        raise DateError(f"hour {hour} does not exist")
    if minute > 59:
        raise DateError(f"minute {minute} does not exist")
    if second > 59:
        raise DateError(f"second {second} does not exist")

    if parts["month"] is None:
        precision = "year"
    elif parts["day"] is None:
        precision = "month"
    elif parts["hour"] is None:
        precision = "day"
    elif parts["second"] is None:
        precision = "minute"
    else:
        precision = "second"

    if precision in ("year", "month", "day"):
        # A calendar period has no time zone of its own; its start is taken in the default zone
        # only to order it among datetimes.
        start = datetime(year, month, day, tzinfo=default_zone)
        canonical = {"year": f"{year:04d}", "month": f"{year:04d}-{month:02d}"}.get(
            precision, f"{year:04d}-{month:02d}-{day:02d}"
        )
        return Published(canonical, precision, start)

    zone: tzinfo = _offset(parts["offset"]) if parts["offset"] else default_zone
    start = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    clock = f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if precision == "second" else "")
    canonical = f"{year:04d}-{month:02d}-{day:02d}T{clock}{_format_offset(start)}"
    return Published(canonical, precision, start)


def type_name(value: object) -> str:
    """How a JSON value's type reads in an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
