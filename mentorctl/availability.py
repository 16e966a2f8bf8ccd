"""The times a person says they are free, read from a sign-up answer (pure): "weekday
evenings", "Tuesdays 6pm-8pm", "weekends 10am-2pm", "18:00-20:00". Shared by the meetings
proposed in calendars (:mod:`mentorctl.calendars.slots`) and the circles' common windows
(:mod:`mentorctl.matching.circles`), so that one answer means the same to both."""

from __future__ import annotations

import re

DAY_MINUTES = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = {
    **{name: {i} for i, name in enumerate(WEEKDAYS)},
    **{name[:3]: {i} for i, name in enumerate(WEEKDAYS)},
    "tues": {1},
    "weds": {2},
    "thur": {3},
    "thurs": {3},
    "weekday": set(range(5)),
    "weekdays": set(range(5)),
    "week": set(range(5)),
    "workday": set(range(5)),
    "workdays": set(range(5)),
    "weekend": {5, 6},
    "weekends": {5, 6},
}
# Parts of a day, in minutes of the local day; clipped to the waking hours anyway.
_PARTS = {
    "morning": (8 * 60, 12 * 60),
    "lunch": (12 * 60, 14 * 60),
    "lunchtime": (12 * 60, 14 * 60),
    "midday": (11 * 60, 14 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 21 * 60),
    "night": (19 * 60, 21 * 60),
    "daytime": (9 * 60, 17 * 60),
}
_ANY = ("any", "anytime", "flexible", "whenever")
_RANGE = re.compile(
    r"(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*(?:-|–|to|until)\s*(\d{1,2})(?:[:.h](\d{2}))?"
    r"\s*(am|pm)?"
)


Windows = frozenset[tuple[int, int, int]]  # (weekday, from minute, to minute) of a local day


def _minute(hour: str, minute: str | None, half: str | None) -> int | None:
    h, m = int(hour), int(minute or 0)
    if half == "pm" and h < 12:
        h += 12
    elif half == "am" and h == 12:
        h = 0
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return h * 60 + m


def windows(text: str | None) -> Windows | None:
    """The local times a person said they are free, as windows per weekday; None when the
    answer says nothing this can read (then it constrains nothing).

    Each comma, semicolon, "or", "and" or slash-separated item is days and parts of a day:
    "weekday evenings", "Tuesdays", "Saturday mornings", "weekends 10am-2pm", "18:00-20:00".
    Days: Monday..Sunday (and Mon, Tue...), weekday(s), weekend(s); parts: morning (08-12),
    lunchtime (12-14), afternoon (12-17), evening (17-21), night (19-21), daytime (09-17), or a
    range of hours. An item without days means every day; without a part, the whole day."""
    if not text:
        return None
    lowered = text.casefold()
    if lowered.strip().rstrip(".") in _ANY or lowered.strip().startswith("any time"):
        return None
    found: set[tuple[int, int, int]] = set()
    for item in re.split(r"[,;/\n]|\band\b|\bor\b|&|\+", lowered):
        spans: list[tuple[int, int]] = []
        for match in _RANGE.finditer(item):
            a = _minute(match.group(1), match.group(2), match.group(3) or match.group(6))
            b = _minute(match.group(4), match.group(5), match.group(6))
            if a is not None and b is not None and a < b:
                spans.append((a, b))
        words = re.findall(r"[a-z]+", _RANGE.sub(" ", item))
        days: set[int] = set()
        for word in words:
            singular = word[:-1] if word.endswith("s") else word
            days |= _DAY_NAMES.get(word, _DAY_NAMES.get(singular, set()))
            if word in _PARTS or singular in _PARTS:
                spans.append(_PARTS.get(word) or _PARTS[singular])
        if not days and not spans:
            continue
        for day in days or set(range(7)):
            for a, b in spans or [(0, DAY_MINUTES)]:
                found.add((day, a, b))
    return frozenset(found) if found else None
