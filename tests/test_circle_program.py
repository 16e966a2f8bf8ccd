"""A circles program run from its sign-ups to its last week through the CLI: 40 mentees and 10
mentors in circles of 3 to 5, introduced and sent every week over a real SMTP server
(aiosmtpd), the members' answers to their circle's invitation written into a real Maildir as
calendar programs send them, one member withdrawing in week 3, and the calendars PUT into a
real CalDAV server (Radicale) and read back.

The program runs once for the module (``program``); each test checks one part of it.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import mailbox
import re
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import icalendar
import pytest
import recurring_ical_events
from circles_support import signups
from helpers import PROGRAM, TODAY, read_store, write_csv
from messages_fixtures import Collector, EphemeralController, edit_program, use_smtp
from radicale_server import radicale_fixture  # noqa: F401  (fixture)
from test_circle_calendar import google, invitation_of, outlook, thunderbird
from typer.testing import CliRunner

from mentorctl.cli.app import app

START = dt.date(2026, 3, 2)
WEEKS = 8
WITHDRAWN_ON = START + dt.timedelta(days=16)  # the Wednesday of week 3
WAKING = (dt.time(8, 0), dt.time(21, 0))
# a person's one message of the week: the week's guide, or the last week's wrap-up (lapsed:
# the wrap-up of a member pair whose people never answered a check-in)
WEEKLY = frozenset({"weekly", "wrapup", "lapsed"})


@dataclass
class Program:
    """What the run left: the workspace, its circles and people, and what each checkin run
    delivered ({address: [kind of each message]}), by the day it ran."""

    workspace: Path
    circles: list[dict[str, Any]]
    people: dict[str, dict[str, Any]]
    intros: list[Any]
    runs: list[tuple[dt.date, dict[str, list[str]], list[Any]]] = field(default_factory=list)
    withdrawn: str = ""
    withdrawn_circle: str = ""
    meeting_replies: dict[str, Any] = field(default_factory=dict)

    def cli(self, *args: str | Path) -> Any:
        result = CliRunner().invoke(app, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result

    def store(self) -> dict[str, Any]:
        return read_store(self.workspace / PROGRAM / "data" / "store.json")

    def members(self, circle: dict[str, Any]) -> list[str]:
        return [*circle["mentors"], *circle["mentees"]]


def _kinds(store: dict[str, Any]) -> dict[str, str]:
    """Each recorded message's kind by its Message-ID."""
    return {
        str(m.get("message_id") or "").strip("<>"): m["kind"]
        for m in store.get("messages", {}).values()
    }


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory, _pristine_workspace: Path):
    root = tmp_path_factory.mktemp("circle-program")
    workspace = root / "ws"
    shutil.copytree(_pristine_workspace, workspace)
    handler = Collector()
    server = EphemeralController(handler, hostname="127.0.0.1", port=0)
    server.start()
    # as the per-test fixtures do (conftest): no outside workspace, clock or colours
    with pytest.MonkeyPatch.context() as env:
        for name in ("MENTORCTL_WORKSPACE", "MENTORCTL_NOW", "MENTORCTL_LOCK_TIMEOUT", "NO_COLOR"):
            env.delenv(name, raising=False)
        env.setenv("MENTORCTL_TODAY", TODAY)
        env.chdir(root)
        try:
            yield _run(workspace, root, handler, server.port)
        finally:
            server.stop()


def _run(workspace: Path, root: Path, handler: Collector, port: int) -> Program:
    edit_program(workspace, lambda d: d.update(format="circles", circles={"size": [3, 5]}))
    use_smtp(workspace, port)
    p = Program(workspace, [], {}, [])
    p.cli("import-signups", write_csv(root / "signups.csv", signups(40, 10)), "-w", workspace)
    p.cli("pair", "--commit", "-w", workspace, "--today", START)
    store = p.store()
    p.circles = sorted(store["circles"].values(), key=lambda c: int(c["id"][1:]))
    p.people = {d["id"]: d for d in store["people"].values()}
    p.cli("introduce", "--send", "-w", workspace, "--today", START)
    p.intros = list(handler.received)

    # Every member accepts their circle's invitation from their calendar, by email.
    address = {pid: d["email"] for pid, d in p.people.items()}
    box = mailbox.Maildir(root / "Maildir", create=True)
    n = 0
    for intro in p.intros:
        msg = email.message_from_bytes(intro.data, policy=email.policy.default)
        event = invitation_of(msg)
        for to in intro.rcpt_tos:
            n += 1
            pid = next(k for k, a in address.items() if a == to)
            name = p.people[pid]["name"]
            if n % 3 == 0:
                box.add(outlook(event, to, name, "ACCEPTED", n % 60,
                                intro_id=str(msg["Message-ID"])))  # fmt: skip
            else:
                made = google if n % 3 == 1 else thunderbird
                raw = made(event, to, name, "ACCEPTED", n % 60)
                box.add(raw.replace(b"<imip-", f"<imip-{n}-".encode()))
    box.close()
    result = p.cli("checkin", "--replies", root / "Maildir", "-w", workspace,
                   "--today", START + dt.timedelta(days=1), "--json")  # fmt: skip
    data = json.loads(result.stdout)
    p.meeting_replies = data.get("replies", data)

    # One member of a circle of four or five mentees withdraws in week 3.
    circle = next(c for c in p.circles if len(c["mentees"]) >= 4)
    p.withdrawn, p.withdrawn_circle = circle["mentees"][-1], circle["id"]

    seen = len(handler.received)
    day = START
    for _ in range(WEEKS + 2):
        if day > WITHDRAWN_ON and not any(d == WITHDRAWN_ON for d, _, _ in p.runs):
            p.cli("withdraw", p.withdrawn, "--reason", "moved away", "-w", workspace,
                  "--today", WITHDRAWN_ON)  # fmt: skip
            p.runs.append((WITHDRAWN_ON, {}, []))
        p.cli("checkin", "--send", "-w", workspace, "--today", day)
        kinds = _kinds(p.store())
        got: dict[str, list[str]] = {}
        new = handler.received[seen:]
        for received in new:
            msg_id = str(received.message["Message-ID"]).strip("<>")
            for to in received.rcpt_tos:
                got.setdefault(to, []).append(kinds.get(msg_id, "?"))
        p.runs.append((day, got, new))
        seen = len(handler.received)
        day += dt.timedelta(days=7)
    return p


# The messages ------------------------------------------------------------------------------


def test_circles_of_three_to_five(program: Program) -> None:
    sizes = Counter(len(c["mentees"]) for c in program.circles)
    assert set(sizes) <= {3, 4, 5} and len(program.circles) >= 8, sizes
    assert sum(len(c["mentees"]) for c in program.circles) >= 36, sizes


def test_each_circle_is_introduced_once_to_its_members_only(program: Program) -> None:
    address = {pid: d["email"] for pid, d in program.people.items()}
    wanted = sorted(sorted(address[m] for m in program.members(c)) for c in program.circles)
    assert sorted(sorted(r.rcpt_tos) for r in program.intros) == wanted


def _circles_of(program: Program) -> dict[str, list[str]]:
    """Each address -> the ids of the circles its person is in."""
    address = {pid: d["email"] for pid, d in program.people.items()}
    out: dict[str, list[str]] = {}
    for circle in program.circles:
        for pid in program.members(circle):
            out.setdefault(address[pid], []).append(circle["id"])
    return out


def test_each_member_gets_one_message_a_week_and_the_withdrawn_none_after(
    program: Program,
) -> None:
    circles_of = _circles_of(program)
    gone = program.people[program.withdrawn]["email"]
    busy = [(day, got) for day, got, _ in program.runs if got]
    assert len(busy) == WEEKS + 1, [(d, len(g)) for d, g, _ in program.runs]  # and the wrap-up
    for day, got in busy:
        # nobody outside a circle ever gets a message
        assert set(got) <= set(circles_of), set(got) - set(circles_of)
        after = day > WITHDRAWN_ON
        for address, circles in circles_of.items():
            weekly = [k for k in got.get(address, []) if k in WEEKLY]
            if address == gone and after:
                # only the circle's farewell, which takes the meeting out of their calendar
                assert set(got.get(address, [])) <= {"circle_farewell"}, (day, got.get(address))
            else:
                assert len(weekly) == len(circles), (day, address, got.get(address))
        # any other message (a notice that a member left) goes to that circle's people only
        withdrawn_circle = next(c for c in program.circles if c["id"] == program.withdrawn_circle)
        theirs = {program.people[m]["email"] for m in program.members(withdrawn_circle)}
        others = {a for a, kinds in got.items() if set(kinds) - WEEKLY}
        assert others <= theirs, (day, others)
        assert not others or after, (day, others)
    told = [k for _, got in busy for k in got.get(gone, []) if k not in WEEKLY]
    assert told == ["circle_farewell"]
    # the withdrawn member got their weeks before leaving
    before = [got for day, got in busy if day < WITHDRAWN_ON]
    assert all(got.get(gone) for got in before) and len(before) >= 2


def test_no_message_names_someone_of_another_circle(program: Program) -> None:
    circles_of = _circles_of(program)
    address = {pid: d["email"] for pid, d in program.people.items()}
    name_of = {address[pid]: d["name"] for pid, d in program.people.items()}
    for _, _, received in program.runs:
        for r in received:
            (to,) = r.rcpt_tos
            body = r.message.get_body(("plain",)).get_content()
            mine = set(circles_of[to])
            for other, circles in circles_of.items():
                if mine & set(circles):
                    continue
                assert not re.search(rf"\b{re.escape(name_of[other])}\b", body), (to, other)


def test_the_circle_goes_on_without_the_member_who_withdrew(program: Program) -> None:
    store = program.store()
    member_pairs = [p for p in store["pairs"].values() if p["circle"] == program.withdrawn_circle]
    statuses = {p["mentee"]: p["status"] for p in member_pairs}
    assert statuses.pop(program.withdrawn) not in ("active", "quiet", "completed")
    assert len(statuses) >= 3 and set(statuses.values()) <= {"completed", "active", "lapsed"}


# The invitations' answers ------------------------------------------------------------------


def test_invitations_accepted_by_email_are_recorded_and_shown(program: Program) -> None:
    everyone = sum(len(program.members(c)) for c in program.circles)
    assert program.meeting_replies["meeting_answers"] == everyone
    assert program.meeting_replies["recorded"] == 0  # none taken for a check-in answer
    store = program.store()
    assert not [a for a in store.get("answers", {}).values() if a.get("week") == 0]
    day = (START + dt.timedelta(weeks=WEEKS - 1)).isoformat()
    result = program.cli("report", "--json", "-w", program.workspace, "--today", day)
    rows = {c["circle"]: c for c in json.loads(result.stdout)["circles"]}
    assert set(rows) == {c["id"] for c in program.circles}
    for circle in program.circles:
        row = rows[circle["id"]]
        people = len(program.members(circle)) - (circle["id"] == program.withdrawn_circle)
        assert (row["meeting_accepted"], row["meeting_people"]) == (people, people), row
    pair = next(p["id"] for p in store["pairs"].values()
                if p["circle"] == program.withdrawn_circle and p["mentee"] != program.withdrawn)  # fmt: skip
    shown = program.cli("pairs", "show", pair, "-w", program.workspace, "--today", day)
    people = len(program.members(next(c for c in program.circles
                                      if c["id"] == program.withdrawn_circle))) - 1  # fmt: skip
    assert f"Circle {program.withdrawn_circle}'s meeting: accepted by all {people}" in shown.output


# The calendars -----------------------------------------------------------------------------


# the countries of the sign-ups' zones (circles_support.ZONES)
COUNTRY = {"Europe/Berlin": "DE", "Europe/London": "GB", "Europe/Madrid": "ES",
           "America/New_York": "US", "America/Chicago": "US", "Asia/Kolkata": "IN",
           "Australia/Sydney": "AU"}  # fmt: skip


def _holiday(start: dt.datetime, zone: str) -> bool:
    day = start.astimezone(ZoneInfo(zone)).date()
    return day in holidays.country_holidays(COUNTRY[zone], years=day.year)


def _inside_hours(start: dt.datetime, end: dt.datetime, zone: str) -> bool:
    local_start, local_end = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    return (
        local_start.date() == local_end.date()
        and WAKING[0] <= local_start.time()
        and local_end.time() <= WAKING[1]
    )


def test_the_calendars_load_into_radicale_and_fall_inside_everyones_hours(
    program: Program, radicale: str, tmp_path: Path
) -> None:
    import caldav

    last = START + dt.timedelta(weeks=WEEKS)
    steps = tmp_path / "program.ics"
    program.cli("report", "--calendar", steps, "-w", program.workspace, "--today", last)
    invites = {
        c["id"]: program.cli("pairs", "show", c["id"], "--ics", "-", "-w", program.workspace,
                             "--today", last).stdout
        for c in program.circles
    }  # fmt: skip
    name = uuid.uuid4().hex[:8]
    with (
        caldav.DAVClient(radicale, username="admin", password="any") as client,
        caldav.DAVClient(radicale, username="admin", password="any") as reader,
    ):
        principal = client.principal()
        meetings = principal.make_calendar(name=f"circles-{name}", cal_id=f"circles-{name}")
        weeks = principal.make_calendar(name=f"steps-{name}", cal_id=f"steps-{name}")
        for ics in invites.values():
            meetings.save_event(ics)
        for component in icalendar.Calendar.from_ical(steps.read_bytes()).walk("VEVENT"):
            single = icalendar.Calendar()
            single.add("prodid", "-//test//EN")
            single.add("version", "2.0")
            single.add_component(component)
            weeks.save_event(single.to_ical().decode())
        fresh = reader.principal()
        stored = [e.data for e in fresh.calendar(cal_id=f"circles-{name}").events()]
        read_steps = [
            e.icalendar_component for e in fresh.calendar(cal_id=f"steps-{name}").events()
        ]

    # every circle's meeting, read back, with its members and inside every member's hours
    assert len(stored) == len(program.circles)
    zone_of = {d["email"].lower(): d["timezone"] for d in program.people.values()}
    by_uid = {}
    for data in stored:
        cal = icalendar.Calendar.from_ical(data)
        (event,) = cal.walk("VEVENT")
        by_uid[str(event["uid"])] = event
        attendees = [str(a).lower().removeprefix("mailto:") for a in event["attendee"]]
        held = recurring_ical_events.of(cal).between(START, last + dt.timedelta(days=7))
        # every week but those on a public holiday of a member's country, on their clock
        first = event["dtstart"].dt
        weekly = [first + dt.timedelta(weeks=k) for k in range(WEEKS)]
        wanted = [s for s in weekly if not any(_holiday(s, zone_of[who]) for who in attendees)]
        assert sorted(o["dtstart"].dt for o in held) == wanted, event["uid"]
        for occurrence in held:
            begin, end = occurrence["dtstart"].dt, occurrence["dtend"].dt
            for who in attendees:
                assert _inside_hours(begin, end, zone_of[who]), (who, zone_of[who], begin)
    assert len(by_uid) == len(program.circles)
    gone = program.people[program.withdrawn]["email"].lower()
    for circle in program.circles:
        (event,) = icalendar.Calendar.from_ical(invites[circle["id"]]).walk("VEVENT")
        attendees = {str(a).lower().removeprefix("mailto:") for a in event["attendee"]}
        wanted = {program.people[m]["email"].lower() for m in program.members(circle)}
        if circle["id"] == program.withdrawn_circle:
            wanted.discard(gone)
        assert attendees == wanted
    # the program's calendar: each week's step on its week
    assert sorted(e["dtstart"].dt for e in read_steps) == [
        START + dt.timedelta(weeks=k) for k in range(WEEKS)
    ]
