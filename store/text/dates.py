"""Dates from any common written form to one stored form: ISO-8601 UTC to the second.

Feeds, CSV exports and JSON APIs write dates every which way: ISO-8601, RFC 822
(``Mon, 17 Feb 2025 10:00:00 +0100``), ``17 Feb 2025``, ``2025-02-17 10:00``,
unix timestamps in seconds or milliseconds. ``parse_date`` reads them all into
``YYYY-MM-DDTHH:MM:SSZ``, which sorts as text. A time without a zone is taken
as UTC; a day-month order that cannot be told apart (``03/04/2025``) is refused
rather than guessed.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_FORMATS = (
    "%d %b %Y", "%d %B %Y", "%d %b %Y %H:%M", "%d %B %Y %H:%M", "%d %b %Y %H:%M:%S",
    "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y", "%b %d, %Y %H:%M", "%B %d, %Y %H:%M",
    "%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%a %b %d %H:%M:%S %Y",
    "%a, %d %b %Y", "%A, %d %B %Y", "%A %d %B %Y", "%A, %B %d, %Y",
    "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y%m%d", "%Y%m%dT%H%M%SZ",
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def format_utc(moment: datetime) -> str:
    """``moment`` as stored: UTC, to the second (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


def _from_timestamp(number: float) -> str | None:
    if abs(number) >= 1e11:  # milliseconds (2001-09-09 onwards in seconds is < 1e10)
        number /= 1000
    try:
        return format_utc(datetime.fromtimestamp(number, UTC))
    except (OverflowError, OSError, ValueError):
        return None


def _from_slashes(text: str) -> str | None:
    m = _SLASHED.fullmatch(text)
    if not m:
        return None
    a, b, year = int(m[1]), int(m[2]), int(m[3])
    if a > 12 and b <= 12:
        day, month = a, b
    elif b > 12 and a <= 12:
        month, day = a, b
    elif a == b:
        day = month = a
    else:
        return None  # 03/04/2025: March 4th or 3 April? Refuse to guess.
    hour, minute, second = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    try:
        return format_utc(datetime(year, month, day, hour, minute, second))
    except ValueError:
        return None


def _from_text(text: str) -> str | None:
    if _NUMBER.fullmatch(text):
        if len(text) == 8 and text.isdigit():  # 20250217
            try:
                return format_utc(datetime.strptime(text, "%Y%m%d"))
            except ValueError:
                pass
        return _from_timestamp(float(text))
    iso = text[:-1] + "+00:00" if text[-1:] in "zZ" else text
    try:
        return format_utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        return format_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    slashed = _from_slashes(text)
    if slashed:
        return slashed
    words = " ".join(text.replace(" ,", ",").split())
    for fmt in _FORMATS:
        try:
            return format_utc(datetime.strptime(words, fmt))
        except ValueError:
            continue
    return None


def parse_date(value: object) -> str | None:
    """``value`` (text, a number, a ``struct_time`` or a datetime) as
    ``YYYY-MM-DDTHH:MM:SSZ``, or None when it is not a date we can read."""
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, time.struct_time):
            return format_utc(datetime(*value[:6], tzinfo=UTC))
        if isinstance(value, datetime):
            return format_utc(value)
        if isinstance(value, date):
            return format_utc(datetime(value.year, value.month, value.day))
        if isinstance(value, int | float):
            return _from_timestamp(float(value))
        if isinstance(value, str):
            text = value.strip()
            return _from_text(text) if text and len(text) < 100 else None
    except (OverflowError, ValueError, TypeError):
        return None
    return None
