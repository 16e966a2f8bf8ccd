"""A program's calendars from its files: a pair's invitation and the program's weekly steps.

Opens the program and its store (read only) and hands plain values to the pure builders in
``slots``, ``invitation`` and ``program_calendar``. Where the sign-up form has them, a
person's ``availability`` and ``country`` fields (names under ``signup.fields``) are read
from their sign-up; without them, the waking hours and the time zone's country serve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from mentorctl.calendars import invitation, program_calendar, slots
from mentorctl.errors import UsageError

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
) -> tuple[bytes, slots.Meeting]:
    """The invitation of a pair or a circle (``attendees``) whose weeks begin on ``start``,
    and the meeting it proposes. Raises NoCommonTime when no time suits everyone."""
    weeks = int(program.duration_weeks)
    meeting = slots.propose(attendees, first_day=start, weeks=weeks)
    sender = program.data["sender"]
    names = [a.name for a in attendees]
    together = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    description = (
        f"Your weekly {program.name} conversation, {together}: one a week for the "
        f"{weeks} weeks of the program. The weekly emails suggest what to talk about.\n\n"
        f"The time on each of your clocks: {slots.describe(meeting, attendees)}.\n\n"
        "Accept if it suits you, or propose another time: the organisers see your answer. "
        "Change it between yourselves whenever you like."
    )
    ics = invitation.build(
        meeting,
        attendees,
        uid=invitation.uid_for(program.slug, group_id, str(sender["email"])),
        organiser_name=str(sender["name"]),
        organiser_email=str(sender["email"]),
        summary=f"{program.name}: {together}",
        description=description,
        stamp=now,
        sequence=_sequence(start, now),
    )
    return ics, meeting


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
    try:
        return slots.propose(
            [attendee(p) for p in people], first_day=start, weeks=int(program.duration_weeks)
        )
    except slots.NoCommonTime:
        return None


def local_times(
    program: Any, people: Sequence[Mapping[str, Any]], start: dt.date
) -> list[dict[str, str]] | None:
    """For an introduction to say: each person's name, zone and the meeting on their own
    clock ({"name", "zone", "text"}), in the order of ``people``; None when no time suits."""
    meeting = meeting_for(program, people, start)
    if meeting is None:
        return None
    return [
        {"name": t.name, "zone": t.zone, "text": t.text}
        for t in slots.local_times(meeting, [attendee(p) for p in people])
    ]


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


def _open(workspace: Path | None, slug: str | None, today: str | None):
    from mentorctl import clock
    from mentorctl.programs import program as programs
    from mentorctl.report import directory

    prog, paths = programs.open_program(workspace, slug)
    day = clock.today(today)
    d = directory.load(paths.store_path, today=day, duration_weeks=prog.duration_weeks)
    return prog, paths, d, clock.now(today=today)


def pair_ics(workspace: Path | None, slug: str | None, today: str | None, key: str) -> bytes:
    """The invitation of the pair ``key`` (``pairs show M3 --ics``): weeks counted from its
    start, or from --today for a pair not introduced yet."""
    from mentorctl.history.events import parse_day
    from mentorctl.report.directory import find_pair

    prog, _, d, now = _open(workspace, slug, today)
    doc = find_pair(d, key).doc
    people = []
    for pid in (doc.get("mentee"), doc.get("mentor")):
        found = d.people.get(str(pid))
        if d.gone(pid) or found is None:
            raise UsageError(
                f"pair {doc.get('id')}: {d.shown(pid)} is no longer in the store",
                hint="a pair with a forgotten person has no meeting to send",
            )
        people.append(attendee(found.doc))
    start = parse_day(doc.get("start_date")) or d.today
    ics, _ = group_invitation(
        people, group_id=str(doc.get("id")), start=start, program=prog, now=now
    )
    return ics


def program_ics(workspace: Path | None, slug: str | None, today: str | None) -> bytes:
    """The program's calendar (``report --calendar``): every round's weekly steps."""
    from mentorctl.history import program_rounds
    from mentorctl.history.events import parse_day

    prog, _, d, now = _open(workspace, slug, today)
    docs = [p.doc for p in d.pairs.values()]
    rounds = program_rounds.starts(docs, d.rounds)
    if not rounds:
        planned = parse_day(prog.data.get("start_date"))
        if planned is None:
            raise UsageError(
                "no round has begun: the calendar has no weeks to show",
                hint="pair and introduce people first, or set start_date in program.yaml",
            )
        rounds = {1: planned}
    return program_calendar.build(
        rounds,
        prog.data["guide"],
        program_slug=prog.slug,
        program_name=prog.name,
        sender_email=str(prog.data["sender"]["email"]),
        stamp=now,
    )


def write(workspace: Path | None, slug: str | None, out: Path, data: bytes, kind: str) -> str:
    """Write ``data`` to ``out`` (mode 0600) and say so. An invitation, which holds names
    and addresses, is listed among the written files that forget looks in."""
    from mentorctl.fileio import atomic_write_bytes
    from mentorctl.programs import program as programs
    from mentorctl.store import manifest

    _, paths = programs.open_program(workspace, slug)
    paths.check_output(out)
    try:
        atomic_write_bytes(out, data)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}") from exc
    if kind == "invitation":
        manifest.record(paths.data_dir, out, kind)
    return f"Wrote the {kind} to {out}."
