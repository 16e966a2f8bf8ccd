"""A weekly meeting time that suits every attendee (pure: no I/O beyond the time zone tables).

The rule, for a pair or any group:

- every meeting starts at or after 08:00 and ends by 21:00 in each attendee's own time zone
  (``WAKING_START``, ``WAKING_END``), on each week of the program, across daylight saving
  changes: a weekly time is checked on every one of its dates, not only the first;
- where an attendee said when they are free ("weekday evenings", "Tuesdays, Saturday
  mornings", "18:00-20:00"), the meeting falls inside those times too (``windows`` reads
  them; an answer it cannot read constrains nothing);
- the week's meeting is skipped where it falls on a public holiday of an attendee's country
  (from a sign-up field with the country, else from their time zone), and the weekly time with
  the fewest such holidays is preferred;
- among the times left, an early evening (near 18:00 for everyone), a weekday, and the
  earliest day after the first are preferred, in that order.

An attendee whose time zone is unknown constrains nothing; their times are shown in UTC.
The weekly time is kept in the first attendee's zone that has daylight-saving rules (an
IANA name such as Europe/Berlin), so a calendar keeps it there when the clocks change; the
others' local times may move by an hour for the weeks when their clocks and the anchor's
differ, and ``local_times`` says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mentorctl.availability import WEEKDAYS, Windows, windows
from mentorctl.errors import MentorctlError
from mentorctl.timezones import named_zone, utc_offset

WAKING_START = dt.time(8, 0)
WAKING_END = dt.time(21, 0)
MEETING_MINUTES = 45
STEP_MINUTES = 30
PREFERRED_HOUR = 18  # early evening: after a working day, before a late one

_DAY_MINUTES = 24 * 60
_WAKING = (WAKING_START.hour * 60 + WAKING_START.minute, WAKING_END.hour * 60 + WAKING_END.minute)


class NoCommonTime(MentorctlError):
    """No weekly time falls inside every attendee's waking hours (and given times)."""


@dataclass(frozen=True)
class Attendee:
    """One person invited: ``timezone`` as the form gave it, ``country`` an ISO 3166 code
    where the form asked for it, ``available`` the form's answer on when they are free."""

    name: str
    email: str
    timezone: str | None = None
    country: str | None = None
    available: str | None = None


@dataclass(frozen=True)
class Meeting:
    """A weekly meeting: ``start`` is the first date's start, aware, in the zone ``zone_name``
    (an IANA name, or "UTC"); ``skipped`` the starts that fall on a public holiday."""

    start: dt.datetime
    zone_name: str
    minutes: int
    weeks: int
    skipped: tuple[dt.datetime, ...] = field(default=())

    def starts(self) -> list[dt.datetime]:
        """Every week's start, the skipped ones included, each computed in the anchor zone
        (so it keeps its local time there when the clocks change)."""
        tz = self.start.tzinfo
        day, clock = self.start.date(), self.start.timetz().replace(tzinfo=None)
        return [
            dt.datetime.combine(day + dt.timedelta(weeks=k), clock, tzinfo=tz)
            for k in range(self.weeks)
        ]

    def held(self) -> list[dt.datetime]:
        """The starts of the meetings that take place (the holidays left out)."""
        skipped = set(self.skipped)
        return [s for s in self.starts() if s not in skipped]


# Time zones ------------------------------------------------------------------------------


def zone(text: str | None, on: dt.date) -> dt.tzinfo | None:
    """The zone a person gave: an IANA zone (with its daylight-saving rules) where they named
    one, else the fixed offset "UTC+2" or "CET" stands for on ``on``; None if unknown."""
    if not text:
        return None
    first = " ".join(text.split()).split(" ")[0]
    named = named_zone(first)
    if named is not None:
        return named
    hours = utc_offset(text, on)
    if hours is None:
        return None
    return dt.timezone(dt.timedelta(minutes=round(hours * 60)))


def zone_label(text: str | None, on: dt.date) -> str:
    """How a person's zone is named beside their time: the IANA name, else "UTC+02:00"."""
    tz = zone(text, on)
    if tz is None:
        return "UTC"
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    offset = tz.utcoffset(None) or dt.timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset >= dt.timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _tz_table(name: str) -> list[list[str]]:
    """The rows of one of the tz database's tables (zone.tab, iso3166.tab): from the tzdata
    package where installed, else from the system's zoneinfo folder."""
    text = ""
    try:
        from importlib.resources import files

        text = files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError, OSError):
        path = Path("/usr/share/zoneinfo") / name
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone name -> ISO 3166 country code."""
    return {row[2]: row[0] for row in _tz_table("zone.tab") if len(row) >= 3}


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Country name, casefolded -> ISO 3166 code ("germany": "DE")."""
    return {row[1].casefold(): row[0] for row in _tz_table("iso3166.tab") if len(row) >= 2}


def country_of(person: Attendee) -> str | None:
    """The person's country as an ISO 3166 code: the form's answer where it is a code or a
    country's name, else the country of their IANA time zone (Europe/Berlin: DE); None
    where neither tells."""
    given = " ".join((person.country or "").split())
    if len(given) == 2 and given.isalpha():
        return given.upper()
    if given and given.casefold() in _country_names():
        return _country_names()[given.casefold()]
    first = " ".join((person.timezone or "").split()).split(" ")[0]
    return _zone_countries().get(first)


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[dt.date]:
    try:
        import holidays
    except ImportError:  # pragma: no cover - a runtime dependency
        return frozenset()
    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know
        return frozenset()
    return frozenset(found.keys())


def is_holiday(country: str | None, day: dt.date) -> bool:
    return country is not None and day in _holidays(country, day.year)


def _fits(given: Windows | None, weekday: int, start: int, end: int) -> bool:
    if given is None:
        return True
    return any(d == weekday and a <= start and end <= b for d, a, b in given)


# Proposing a time ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    tz: dt.tzinfo | None
    country: str | None
    given: Windows | None


def _anchor(attendees: Sequence[Attendee], on: dt.date) -> dt.tzinfo:
    for person in attendees:
        tz = zone(person.timezone, on)
        if tz is not None and getattr(tz, "key", None):
            return tz
    for person in attendees:
        tz = zone(person.timezone, on)
        if tz is not None:
            return tz
    return dt.UTC


def _check(
    people: Sequence[_Person], starts: Iterable[dt.datetime], minutes: int
) -> tuple[list[dt.datetime], float] | None:
    """The starts on a holiday and the distance from the preferred hour, summed over people
    and weeks; None when a meeting falls outside someone's waking or given hours."""
    skipped: list[dt.datetime] = []
    distance = 0.0
    for start in starts:
        holiday = False
        for person in people:
            if person.tz is None:
                continue
            local = start.astimezone(person.tz)
            begin = local.hour * 60 + local.minute
            end = begin + minutes
            if not (_WAKING[0] <= begin and end <= _WAKING[1]):
                return None
            if not _fits(person.given, local.weekday(), begin, end):
                return None
            holiday = holiday or is_holiday(person.country, local.date())
            distance += abs(begin - PREFERRED_HOUR * 60) / 60
        if holiday:
            skipped.append(start)
    return skipped, distance


def propose(
    attendees: Sequence[Attendee],
    *,
    first_day: dt.date,
    weeks: int,
    minutes: int = MEETING_MINUTES,
) -> Meeting:
    """The weekly meeting for ``attendees`` over ``weeks`` weeks from ``first_day`` (the
    first week is ``first_day`` and the six days after it), by the rule of the module's
    docstring. Raises NoCommonTime when no time fits everyone."""
    if not attendees:
        raise NoCommonTime("no attendees to find a time for")
    tz = _anchor(attendees, first_day)
    people = [
        _Person(zone(a.timezone, first_day), country_of(a), windows(a.available)) for a in attendees
    ]
    best: tuple[tuple[float, ...], Meeting] | None = None
    for offset in range(7):
        day = first_day + dt.timedelta(days=offset)
        for step in range(0, _DAY_MINUTES, STEP_MINUTES):
            clock = dt.time(step // 60, step % 60)
            first = dt.datetime.combine(day, clock, tzinfo=tz)
            if first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != first.replace(
                tzinfo=None
            ):
                continue  # a local time the clocks skip that day
            meeting = Meeting(first, _zone_name(tz), minutes, weeks)
            checked = _check(people, meeting.starts(), minutes)
            if checked is None:
                continue
            skipped, distance = checked
            if len(skipped) == weeks:
                continue
            key = (
                float(len(skipped)),
                float(day.weekday() >= 5),
                round(distance / max(1, weeks * len(people)), 3),
                float((offset - 1) % 7),  # the day after the first, then on; the first last
                float(step),
            )
            if best is None or key < best[0]:
                best = (key, Meeting(first, meeting.zone_name, minutes, weeks, tuple(skipped)))
    if best is None:
        zones = ", ".join(zone_label(a.timezone, first_day) for a in attendees)
        raise NoCommonTime(
            f"no weekly time of {minutes} minutes falls between "
            f"{WAKING_START:%H:%M} and {WAKING_END:%H:%M} for everyone ({zones})"
            + (" within the times they gave" if any(p.given for p in people) else ""),
            hint="agree a time with them by email instead",
        )
    return best[1]


def skipping_holidays(meeting: Meeting, attendees: Sequence[Attendee]) -> Meeting:
    """``meeting`` (a time chosen elsewhere: a circle's saved window) with each week left
    out that falls on a public holiday of an attendee's country on their own clock, as
    :func:`propose` leaves them out; the weeks it already leaves out stay out. A meeting
    whose every week would fall on a holiday is returned as it was."""
    first = meeting.start.date()
    people = [(zone(a.timezone, first), country_of(a)) for a in attendees]
    skipped = set(meeting.skipped)
    for start in meeting.starts():
        if any(
            tz is not None and is_holiday(country, start.astimezone(tz).date())
            for tz, country in people
        ):
            skipped.add(start)
    if skipped == set(meeting.skipped) or len(skipped) >= meeting.weeks:
        return meeting
    kept = tuple(s for s in meeting.starts() if s in skipped)
    return Meeting(meeting.start, meeting.zone_name, meeting.minutes, meeting.weeks, kept)


def _zone_name(tz: dt.tzinfo) -> str:
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    offset = tz.utcoffset(None) or dt.timedelta(0)
    return "UTC" if not offset else f"UTC{offset}"


# The time in each person's own zone ------------------------------------------------------


@dataclass(frozen=True)
class LocalTime:
    """When the meeting is for one person: ``text`` such as "Tuesdays 18:00-18:45
    (Europe/Berlin)", with "from 30 March: 19:00-19:45" where their clock moves."""

    name: str
    zone: str
    text: str


def _span(start: dt.datetime, minutes: int) -> str:
    return f"{start:%H:%M}-{start + dt.timedelta(minutes=minutes):%H:%M}"


def local_times(meeting: Meeting, attendees: Sequence[Attendee]) -> list[LocalTime]:
    """The meeting as each attendee reads it on their own clock, one per attendee."""
    first = meeting.start.date()
    out = []
    held = meeting.held() or meeting.starts()
    for person in attendees:
        tz = zone(person.timezone, first) or dt.UTC
        label = zone_label(person.timezone, first)
        local = [s.astimezone(tz) for s in held]
        days = sorted({s.weekday() for s in local})
        day_text = " and ".join(f"{WEEKDAYS[d].capitalize()}s" for d in days)
        changes = []
        previous = None
        for s in local:
            shown = (s.weekday(), _span(s, meeting.minutes))
            if shown != previous:
                changes.append((s, shown[1]))
                previous = shown
        text = f"{day_text} {changes[0][1]}"
        for when, span in changes[1:]:
            text += f", from {when.day} {when:%B}: {span}"
        if len(days) > 1:
            text = ", then ".join(
                f"{WEEKDAYS[s.weekday()].capitalize()}s {span}" for s, span in changes
            )
        out.append(LocalTime(person.name, label, f"{text} ({label})"))
    return out


def describe(meeting: Meeting, attendees: Sequence[Attendee]) -> str:
    """One line for an introduction: "Ann: Tuesdays 18:00-18:45 (Europe/Berlin); Bo: ..."."""
    return "; ".join(f"{t.name}: {t.text}" for t in local_times(meeting, attendees))
