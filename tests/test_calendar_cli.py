"""`pairs show M1 --ics` and `report --calendar`: the files they write, and those files put
into a real CalDAV server (Radicale, started by the test) and read back with a CalDAV client."""

from __future__ import annotations

import datetime as dt
import os
import stat
import uuid
from pathlib import Path

import pytest
from helpers import write_csv
from radicale_server import radicale_fixture  # noqa: F401  (fixture)

from mentorctl.calendars import program_calendar

icalendar = pytest.importorskip("icalendar", reason="icalendar is a runtime dependency")

START = "2026-03-02"
SIGNUPS = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company
meg@example.org,Meg Mentor,Mentor,50,,"Career change, Networking",English,America/New_York,2,Acme
ann@example.org,Ann Mentee,Mentee,30,"Career change, Networking",,English,Europe/Berlin,,Initech
"""


def _ok(result) -> None:
    assert result.exit_code == 0, result.output


@pytest.fixture
def introduced(cli, workspace: Path) -> Path:
    """One pair, M1 (Ann in Berlin, Meg in New York), introduced on 2 March 2026."""
    _ok(
        cli(
            "import-signups",
            write_csv(workspace / "s.csv", SIGNUPS),
            "-w",
            workspace,
            "--today",
            START,
        )
    )
    _ok(cli("pair", "--commit", "-w", workspace, "--today", START))
    _ok(cli("introduce", "-w", workspace, "--today", START))
    return workspace


def _event(ics: bytes):
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return event


def test_pairs_show_ics_writes_the_pairs_invitation(cli, introduced: Path) -> None:
    out = introduced / "m1.ics"
    result = cli("pairs", "show", "M1", "--ics", out, "-w", introduced, "--today", "2026-03-05")
    _ok(result)
    assert f"Wrote the invitation to {out}" in result.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    event = _event(out.read_bytes())
    # The pair's weeks count from its introduction, whatever the day it is written.
    assert event["dtstart"].dt == dt.datetime(2026, 3, 3, 18, 0, tzinfo=event["dtstart"].dt.tzinfo)
    assert event["rrule"]["COUNT"] == [8]
    assert {str(a) for a in event["attendee"]} == {
        "mailto:ann@example.org",
        "mailto:meg@example.org",
    }
    assert str(event["organizer"]) == "mailto:mentoring@example.org"
    assert "Ann Mentee: Tuesdays 18:00-18:45 (Europe/Berlin)" in str(event["description"])
    # To stdout, the same invitation: the same UID, so a calendar updates instead of adding.
    again = cli("pairs", "show", "M1", "--ics", "-", "-w", introduced, "--today", "2026-03-05")
    _ok(again)
    assert again.stdout.encode().replace(b"\r\n", b"\n") == out.read_bytes().replace(b"\r\n", b"\n")
    # Forget knows of the file: it holds names and addresses.
    manifest = (introduced / "test-program" / "data" / "written-files.json").read_text()
    assert str(out) in manifest


def test_ics_needs_a_pair_and_a_known_one(cli, introduced: Path) -> None:
    result = cli("pairs", "--ics", "-", "-w", introduced)
    assert result.exit_code == 2 and "--ics needs a pair" in result.output
    result = cli("pairs", "show", "M9", "--ics", "-", "-w", introduced)
    assert result.exit_code == 2 and "no pair M9" in result.output


def test_report_calendar_writes_each_week_of_the_round(cli, introduced: Path) -> None:
    out = introduced / "program.ics"
    dry = cli("report", "--calendar", out, "--dry-run", "-w", introduced, "--today", "2026-03-05")
    _ok(dry)
    assert "Would write the calendar" in dry.output and not out.exists()
    _ok(cli("report", "--calendar", out, "-w", introduced, "--today", "2026-03-05"))
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    assert str(cal["method"]) == "PUBLISH"
    events = sorted(cal.walk("VEVENT"), key=lambda e: e["dtstart"].dt)
    assert [e["dtstart"].dt for e in events] == [
        dt.date(2026, 3, 2) + dt.timedelta(weeks=k) for k in range(8)
    ]
    assert all(e["dtend"].dt - e["dtstart"].dt == dt.timedelta(days=7) for e in events)
    assert str(events[0]["summary"]) == "Test Program, week 1: Get to know each other"
    assert str(events[7]["summary"]) == "Test Program, week 8: Reflect and celebrate"


def test_report_calendar_without_a_round_says_what_to_do(cli, workspace: Path) -> None:
    result = cli("report", "--calendar", workspace / "x.ics", "-w", workspace)
    assert result.exit_code == 2 and "no round has begun" in result.output


def test_the_program_calendar_has_each_rounds_weeks_apart() -> None:
    guide = [{"week": w, "title": f"Step {w}", "together": "Talk."} for w in (1, 2, 3)]
    ics = program_calendar.build(
        {1: dt.date(2026, 3, 2), 2: dt.date(2026, 6, 1)},
        guide,
        program_slug="p",
        program_name="P",
        sender_email="team@example.org",
        stamp=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    by_summary = {str(e["summary"]): e["dtstart"].dt for e in events}
    assert by_summary["P, round 1, week 1: Step 1"] == dt.date(2026, 3, 2)
    assert by_summary["P, round 2, week 3: Step 3"] == dt.date(2026, 6, 15)
    assert len({str(e["uid"]) for e in events}) == 6


def test_the_calendars_load_into_a_caldav_server(cli, introduced: Path, radicale: str) -> None:
    import caldav

    pair = cli("pairs", "show", "M1", "--ics", "-", "-w", introduced, "--today", START)
    _ok(pair)
    steps = introduced / "program.ics"
    _ok(cli("report", "--calendar", steps, "-w", introduced, "--today", START))
    # The clients are closed: their HTTP sessions keep a watcher thread otherwise, and a
    # process with a second thread does not fork (the import reads in two processes).
    with (
        caldav.DAVClient(radicale, username="admin", password="any") as client,
        caldav.DAVClient(radicale, username="admin", password="any") as reader,
    ):
        _load_and_read_back(client, reader, pair.stdout, steps)


def _load_and_read_back(client, reader, invite: str, steps: Path) -> None:
    principal = client.principal()
    name = uuid.uuid4().hex[:8]
    meetings = principal.make_calendar(name=f"meetings-{name}", cal_id=f"meetings-{name}")
    program = principal.make_calendar(name=f"program-{name}", cal_id=f"program-{name}")

    meetings.save_event(invite)
    # Sent again (a re-send after a change), it replaces the meeting: one object, one UID.
    meetings.save_event(invite)
    for component in icalendar.Calendar.from_ical(steps.read_bytes()).walk("VEVENT"):
        single = icalendar.Calendar()
        single.add("prodid", "-//test//EN")
        single.add("version", "2.0")
        single.add_component(component)
        program.save_event(single.to_ical().decode())

    # Read back from the server, through a fresh client.
    fresh = reader.principal()
    stored = fresh.calendar(cal_id=f"meetings-{name}").events()
    assert len(stored) == 1
    event = stored[0].icalendar_component
    assert str(event["uid"]) == str(_event(invite.encode())["uid"])
    expanded = fresh.calendar(cal_id=f"meetings-{name}").search(
        start=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        event=True,
        expand=True,
    )
    starts = sorted(e.icalendar_component["dtstart"].dt.astimezone(dt.UTC) for e in expanded)
    assert len(starts) == 8
    # 18:00 in Berlin every week: 17:00 UTC before the clocks change on 29 March, 16:00 after.
    assert [s.hour for s in starts] == [17, 17, 17, 17, 16, 16, 16, 16]
    weeks = fresh.calendar(cal_id=f"program-{name}").events()
    assert sorted(e.icalendar_component["dtstart"].dt for e in weeks) == [
        dt.date(2026, 3, 2) + dt.timedelta(weeks=k) for k in range(8)
    ]


def test_the_pieces_for_the_introduction(workspace: Path) -> None:
    from mentorctl.calendars import for_program
    from mentorctl.programs.program import open_program

    prog, _ = open_program(workspace, None)
    ann = {"name": "Ann Mentee", "email": "ann@example.org", "timezone": "Europe/Berlin"}
    meg = {"name": "Meg Mentor", "email": "meg@example.org", "timezone": "America/New_York"}
    start = dt.date(2026, 3, 2)
    assert for_program.local_times(prog, [ann, meg], start) == [
        {
            "name": "Ann Mentee",
            "zone": "Europe/Berlin",
            "text": "Tuesdays 18:00-18:45 (Europe/Berlin)",
        },
        {
            "name": "Meg Mentor",
            "zone": "America/New_York",
            "text": "Tuesdays 12:00-12:45, from 10 March: 13:00-13:45, from 31 March: "
            "12:00-12:45 (America/New_York)",
        },
    ]
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    part = for_program.invitation_part(prog, "M1", [ann, meg], start, now=now)
    assert part is not None and part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    first = _event(part.get_payload(decode=True))
    later = for_program.invitation_part(
        prog, "M1", [ann, meg], start, now=now + dt.timedelta(days=3)
    )
    second = _event(later.get_payload(decode=True))
    # The same meeting made later: the same UID, a higher SEQUENCE (it replaces the first).
    assert str(first["uid"]) == str(second["uid"])
    assert int(second["sequence"]) > int(first["sequence"])
    # No time suits people who are free only in evenings eight hours apart: no invitation.
    ann["extra"] = {"availability": "weekday evenings"}
    kai = {
        "name": "Kai",
        "email": "kai@example.org",
        "timezone": "Asia/Tokyo",
        "extra": {"availability": "evenings"},
    }
    assert for_program.invitation_part(prog, "M2", [ann, kai], start, now=now) is None
    assert for_program.local_times(prog, [ann, kai], start) is None
