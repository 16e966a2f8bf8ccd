"""Reading the time zones people type into forms, and the hours between two of them.

People write "UTC+2", "GMT -5", "+05:30", "Europe/Berlin" or "CET". Offsets of named zones
depend on the date (daylight saving), so they are worked out for a given day, never stored.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_OFFSET = re.compile(r"^(?:utc|gmt|z)?\s*([+\-−])\s*(\d{1,2})(?:[:.h]?(\d{2}))?$", re.IGNORECASE)

# Abbreviations forms commonly get; their standard-time offsets (ambiguous ones left out).
_ABBREVIATIONS = {
    "utc": 0.0,
    "gmt": 0.0,
    "z": 0.0,
    "wet": 0.0,
    "bst": 1.0,
    "cet": 1.0,
    "cest": 2.0,
    "eet": 2.0,
    "eest": 3.0,
    "msk": 3.0,
    "gst": 4.0,
    "pkt": 5.0,
    "ist": 5.5,
    "ict": 7.0,
    "wib": 7.0,
    "sgt": 8.0,
    "hkt": 8.0,
    "awst": 8.0,
    "jst": 9.0,
    "kst": 9.0,
    "aest": 10.0,
    "aedt": 11.0,
    "nzst": 12.0,
    "nzdt": 13.0,
    "est": -5.0,
    "edt": -4.0,
    "cst": -6.0,
    "cdt": -5.0,
    "mst": -7.0,
    "mdt": -6.0,
    "pst": -8.0,
    "pdt": -7.0,
    "akst": -9.0,
    "hst": -10.0,
    "brt": -3.0,
    "art": -3.0,
}


@lru_cache(maxsize=4096)
def named_zone(name: str) -> dt.tzinfo | None:
    """The tz database's zone ``name`` ("Europe/Paris", "UTC"), or None."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if "/" not in name and name.upper() != "UTC":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=8192)
def utc_offset(text: str | None, on: dt.date) -> float | None:
    """The offset from UTC in hours of the zone ``text`` on the day ``on``, or None if unknown."""
    if not text:
        return None
    cleaned = " ".join(text.split())
    match = _OFFSET.match(cleaned.replace(" ", ""))
    if match:
        sign = -1 if match.group(1) in "-−" else 1
        hours = int(match.group(2)) + int(match.group(3) or 0) / 60
        return sign * hours if hours <= 14 else None
    lowered = cleaned.casefold()
    if lowered in _ABBREVIATIONS:
        return _ABBREVIATIONS[lowered]
    # "Europe/Berlin (CET)" and "(GMT+01:00) Amsterdam" are common form choices.
    inner = re.search(r"\((?:utc|gmt)\s*([+\-−]\s*\d{1,2}(?::?\d{2})?)\)", cleaned, re.IGNORECASE)
    if inner:
        return utc_offset("UTC" + inner.group(1).replace(" ", ""), on)
    zone = named_zone(cleaned.split(" ")[0])
    if zone is None:
        return None
    moment = dt.datetime(on.year, on.month, on.day, 12, tzinfo=zone)
    delta = moment.utcoffset()
    return delta.total_seconds() / 3600 if delta is not None else None


def recognised(text: str | None, on: dt.date) -> bool:
    return utc_offset(text, on) is not None


def hours_apart(a: float, b: float) -> float:
    """Hours between two offsets around the clock: UTC+12 and UTC-11 are one hour apart."""
    diff = abs(a - b) % 24
    return min(diff, 24 - diff)
