"""A program's calendar files from its store: a pair's invitation (``pairs show M3 --ics``)
and the program's weekly steps (``report --calendar``).

Opens the program and its store (read only) and hands plain values to the builders of
:mod:`mentorctl.calendars`; writing a file records an invitation among the files that
``forget`` looks in.
"""

from __future__ import annotations

from pathlib import Path

from mentorctl.calendars import program_calendar
from mentorctl.calendars.for_program import attendee, group_invitation
from mentorctl.errors import UsageError


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
