"""A pair's (or circle's) meeting from its program and people: the proposed weekly time on
each person's clock, and the invitation for it, in the language of the program (or of the
translation) it is given.

Hands plain values to the pure builders in ``slots`` and ``invitation``; the files made from
a program's store are :mod:`mentorctl.report.calendar_files`. Where the sign-up form has them, a
person's ``availability`` and ``country`` fields (names under ``signup.fields``) are read
from their sign-up; without them, the waking hours and the time zone's country serve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

from mentorctl.calendars import invitation, slots, wording

AVAILABILITY_FIELD = "availability"
COUNTRY_FIELD = "country"


def attendee(person: Mapping[str, Any]) -> slots.Attendee:
    """A stored person as an attendee: name, address, time zone, and the form's answers on
    country and availability where it asked."""
    extra = person.get("extra") or {}
    return slots.Attendee(
        name=str(person.get("name") or ""),
        email=str(person.get("email") or ""),
        timezone=person.get("timezone") or None,
        country=extra.get(COUNTRY_FIELD) or None,
        available=extra.get(AVAILABILITY_FIELD) or None,
    )


def group_invitation(
    attendees: list[slots.Attendee],
    *,
    group_id: str,
    start: dt.date,
    program: Any,
    now: dt.datetime,
    language: str | None = None,
    meeting: slots.Meeting | None = None,
    method: str = "REQUEST",
    sequence: int | None = None,
) -> tuple[bytes, slots.Meeting]:
    """The invitation of a pair or a circle (``attendees``) whose weeks begin on ``start``,
    and the meeting it proposes; its summary and description in ``language`` (else the
    program's). Its UID is the group's: sent again, it updates the same meeting. Raises
    NoCommonTime when no time suits everyone. ``meeting``: the time already chosen (a
    circle's window; the weeks on an attendee's public holiday left out), else the one
    proposed here. ``method`` CANCEL takes the series back; ``sequence``: the version's
    number, else one above any made before ``now``."""
    weeks = int(program.duration_weeks)
    if meeting is not None:  # a time chosen elsewhere still skips the attendees' holidays
        meeting = slots.skipping_holidays(meeting, attendees)
    meeting = meeting or _proposed(tuple(attendees), start, weeks)
    if meeting is None:
        meeting = slots.propose(attendees, first_day=start, weeks=weeks)  # raises, saying why
    sender = program.data["sender"]
    lang = language or str(program.data.get("language") or "en")
    names = [a.name for a in attendees]
    times = [
        wording.named(c["name"], f"{c['when']} ({c['aside']})", lang)
        for c in (_clock(meeting, a, lang) for a in attendees)
    ]
    ics = invitation.build(
        meeting,
        attendees,
        uid=invitation.uid_for(program.slug, group_id, str(sender["email"])),
        organiser_name=str(sender["name"]),
        organiser_email=str(sender["email"]),
        summary=wording.summary(program.name, names, lang),
        description=wording.description(program.name, names, weeks, times, lang),
        stamp=now,
        sequence=_sequence(start, now) if sequence is None else sequence,
        method=method,
    )
    return ics, meeting


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def at_window(window: Mapping[str, Any] | None, start: dt.date, weeks: int) -> slots.Meeting | None:
    """A circle's weekly meeting at the start of its saved window ({utc, start, minutes,
    day}, in UTC): on the window's day on or after ``start``, or (a window of every day) the
    day after ``start``; None without a window."""
    if not window or not window.get("start"):
        return None
    hour, minute = (int(x) for x in str(window["start"]).split(":"))
    day = start + dt.timedelta(days=1)  # every day: from the day after the first, as pairs
    if window.get("day") in DAYS:
        day = start + dt.timedelta(days=(DAYS.index(window["day"]) - start.weekday()) % 7)
    first = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)
    minutes = min(slots.MEETING_MINUTES, int(window.get("minutes") or slots.MEETING_MINUTES))
    return slots.Meeting(first, "UTC", minutes, weeks)


def _sequence(start: dt.date, now: dt.datetime) -> int:
    """The invitation's SEQUENCE: the minutes from the group's first day to when it is made,
    so that a version made later (a changed time sent again) outranks the one before."""
    first = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    return max(0, int((now.astimezone(dt.UTC) - first).total_seconds() // 60))


def meeting_for(
    program: Any, people: Sequence[Mapping[str, Any]], start: dt.date
) -> slots.Meeting | None:
    """The weekly meeting proposed to ``people`` (stored person documents, or the persons of
    a message's context) whose weeks begin on ``start``; None when no time suits them all."""
    return _proposed(tuple(attendee(p) for p in people), start, int(program.duration_weeks))


@lru_cache(maxsize=4096)
def _proposed(
    attendees: tuple[slots.Attendee, ...], start: dt.date, weeks: int
) -> slots.Meeting | None:
    """:func:`slots.propose`, once per group and start: an introduction's text and its
    invitation (and each person's copy of it) ask for the same meeting."""
    try:
        return slots.propose(attendees, first_day=start, weeks=weeks)
    except slots.NoCommonTime:
        return None


def local_times(
    program: Any,
    people: Sequence[Mapping[str, Any]],
    start: dt.date,
    *,
    language: str | None = None,
    meeting: slots.Meeting | None = None,
) -> list[dict[str, Any]] | None:
    """For an introduction to say: each person's name, zone and the meeting on their own
    clock ({"name", "zone", "text"}), in the order of ``people``; None when no time suits.

    Each also has what a template needs to say it in ``language`` (else the program's):
    ``id``, ``weekday`` (0 Monday), ``start`` and ``end`` ("18:00"), ``day`` ("le mardi"),
    ``span`` ("de 18:00 à 18:45"), ``when`` (both), ``aside`` (the zone, then the weeks from
    which their clock shows another time: "Europe/Paris ; à partir du 30 mars, de 19:00 à
    19:45") and those weeks as ``changes`` ([{"on", "weekday", "start", "end"}])."""
    if meeting is not None:
        meeting = slots.skipping_holidays(meeting, [attendee(p) for p in people])
    meeting = meeting or meeting_for(program, people, start)
    if meeting is None:
        return None
    lang = language or str(program.data.get("language") or "en")
    out = []
    for person, told in zip(
        people, slots.local_times(meeting, [attendee(p) for p in people]), strict=True
    ):
        clock = _clock(meeting, attendee(person), lang)
        out.append({"name": told.name, "zone": told.zone, "text": told.text,
                    "id": person.get("id"), **clock})  # fmt: skip
    return out


def _clock(meeting: slots.Meeting, person: slots.Attendee, language: str) -> dict[str, Any]:
    """The meeting on ``person``'s clock, with the words of ``language``."""
    first = meeting.start.date()
    tz = slots.zone(person.timezone, first) or dt.UTC
    end = dt.timedelta(minutes=meeting.minutes)
    changes: list[dict[str, Any]] = []
    for held in meeting.held() or meeting.starts():
        local = held.astimezone(tz)
        shown = {
            "on": local.date(),
            "weekday": local.weekday(),
            "start": f"{local:%H:%M}",
            "end": f"{local + end:%H:%M}",
        }
        last = changes[-1] if changes else None
        if last is None or (last["weekday"], last["start"]) != (shown["weekday"], shown["start"]):
            changes.append(shown)
    head = changes[0]
    moves = []
    for c in changes[1:]:
        text = wording.span(c["start"], c["end"], language)
        if c["weekday"] != head["weekday"]:
            text = f"{wording.on_days(c['weekday'], language)} {text}"
        moves.append(wording.from_day(c["on"], text, language))
    zone = slots.zone_label(person.timezone, first)
    day = wording.on_days(head["weekday"], language)
    span = wording.span(head["start"], head["end"], language)
    return {
        "name": person.name,
        "zone": zone,
        "weekday": head["weekday"],
        "start": head["start"],
        "end": head["end"],
        "day": day,
        "span": span,
        "when": f"{day} {span}",
        "aside": wording.aside(zone, moves, language),
        "changes": changes[1:],
    }


def invitation_part(
    program: Any,
    group_id: str,
    people: Sequence[Mapping[str, Any]],
    start: dt.date,
    *,
    now: dt.datetime,
) -> EmailMessage | None:
    """The ``text/calendar; method=REQUEST`` part of a pair's (or circle's) invitation, to
    attach to its introduction (or ``invitation.add_to`` the introduction as an alternative);
    None when no time suits them all."""
    try:
        ics, _ = group_invitation(
            [attendee(p) for p in people], group_id=group_id, start=start, program=program, now=now
        )
    except slots.NoCommonTime:
        return None
    return invitation.mime_part(ics)
