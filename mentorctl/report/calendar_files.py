"""A program's calendar files from its store: a pair's or a circle's invitation (``pairs
show M3 --ics``, ``pairs show C1 --ics``) and the program's weekly steps (``report
--calendar``).

Opens the program and its store (read only) and hands plain values to the builders of
:mod:`mentorctl.calendars`; writing a file records an invitation among the files that
``forget`` looks in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mentorctl.calendars import program_calendar
from mentorctl.calendars.for_program import at_window, attendee, group_invitation
from mentorctl.errors import UsageError

CIRCLES = "circles"


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
    start, or from --today for a pair not introduced yet. A circle (``C1``), or a member pair
    of one, has the circle's one invitation: every member of it, at the circle's window."""
    from mentorctl.history.events import parse_day
    from mentorctl.report.directory import find_pair

    prog, paths, d, now = _open(workspace, slug, today)
    circles = _circles(paths.store_path)
    wanted = key.strip().upper()
    if wanted in circles and wanted not in d.pairs:
        return _circle_ics(prog, d, now, circles[wanted])
    doc = find_pair(d, key).doc
    if doc.get("circle") and str(doc["circle"]) in circles:
        return _circle_ics(prog, d, now, circles[str(doc["circle"])])
    people = [_attendee(d, doc, pid) for pid in (doc.get("mentee"), doc.get("mentor"))]
    start = parse_day(doc.get("start_date")) or d.today
    ics, _ = group_invitation(
        people, group_id=str(doc.get("id")), start=start, program=prog, now=now
    )
    return ics


def _attendee(d: Any, doc: dict[str, Any], pid: Any) -> Any:
    found = d.people.get(str(pid))
    if d.gone(pid) or found is None:
        raise UsageError(
            f"{'circle' if 'mentees' in doc else 'pair'} {doc.get('id')}: {d.shown(pid)} is "
            "no longer in the store",
            hint="a group with a forgotten person has no meeting to send",
        )
    return attendee(found.doc)


def _circles(store_path: Path) -> dict[str, dict[str, Any]]:
    """The ``circles`` table by circle id (none in a pairs program)."""
    from mentorctl.store.db import Store

    with Store.reading(store_path) as store:
        return {str(c["id"]): c for c in store.documents(CIRCLES).values() if "id" in c}


def _circle_ics(prog: Any, d: Any, now: Any, circle: dict[str, Any]) -> bytes:
    """The circle's invitation, as its introduction carries it: its mentors and the mentees
    still in it (all its members once none is), weeks from its start, at its window."""
    from mentorctl.checkins.meeting_replies import IN_CIRCLE
    from mentorctl.history.events import parse_day
    from mentorctl.history.fold import id_key

    circle_id = str(circle["id"])
    members = sorted(
        (p for p in d.pairs.values() if p.doc.get("circle") == circle_id),
        key=lambda p: id_key(p.doc.get("id")),
    )
    if not members:
        raise UsageError(f"circle {circle_id} has no member pairs", hint="'mentorctl pairs'")
    still = [p for p in members if p.status in IN_CIRCLE] or members
    mentors = list(circle.get("mentors") or ()) or [members[0].doc.get("mentor")]
    who = list(dict.fromkeys([*mentors, *(p.doc.get("mentee") for p in still)]))
    people = [_attendee(d, circle, pid) for pid in who if not _forgotten_mentor(d, pid, mentors)]
    start = parse_day(members[0].doc.get("start_date")) or d.today
    weeks = int(prog.duration_weeks)
    ics, _ = group_invitation(
        people, group_id=circle_id, start=start, program=prog, now=now,
        meeting=at_window(circle.get("window"), start, weeks),
    )  # fmt: skip
    return ics


def _forgotten_mentor(d: Any, pid: Any, mentors: list[Any]) -> bool:
    """A co-mentor forgotten since is left out of the circle's meeting; its main mentor or
    a mentee is not (the circle cannot meet without them: :func:`_attendee` says so)."""
    return pid in mentors[1:] and (d.gone(pid) or str(pid) not in d.people)


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
