"""A circle's meeting: the members' answers to its one invitation, written into a real Maildir
as Google Calendar, Outlook and Thunderbird send them, are read by ``checkin --replies`` and
recorded for the member who gave them (never as check-in answers); the Circles table and
``pairs show`` say how many accepted; the invitation skips a member's public holidays; and
``pairs show C1 --ics`` (or a member pair's) writes the circle's own invitation."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import holidays
import icalendar
import recurring_ical_events
from helpers import PROGRAM, write_csv
from messages_fixtures import (  # noqa: F401  (fixtures)
    SENDER,
    edit_program,
    pairs,
    parse_eml,
    smtp_server_fixture,
    table,
    use_smtp,
)

from mentorctl.calendars import invitation

HEADER = "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company\n"
NAMES = ["Ann", "Bea", "Cid", "Dov", "Eli"]
DAY = "2026-03-02"


def circle_rows(prefix: str, topic: str, zones: list[str]) -> str:
    """A mentor (capacity 4) and four mentees who share ``topic``: the mentor in
    ``zones[0]``, the mentees in the others."""
    rows = f"{prefix}m@example.org,{NAMES[0]}{prefix} Mentor,Mentor,50,,{topic},English,"
    rows += f"{zones[0]},4,Acme\n"
    for k in range(4):
        rows += (
            f"{prefix}e{k}@example.org,{NAMES[k + 1]}{prefix} Mentee,Mentee,30,{topic},,"
            f"English,{zones[k + 1]},,Org{k}\n"
        )
    return rows


def make_circles(workspace: Path, cli, csv_text: str) -> list[dict[str, Any]]:
    edit_program(workspace, lambda d: d.update(format="circles", circles={"size": [4, 4]}))
    result = cli("import-signups", write_csv(workspace / "c.csv", csv_text), "-w", workspace)
    assert result.exit_code == 0, result.output
    result = cli("pair", "--commit", "-w", workspace)
    assert result.exit_code == 0, result.output
    return table(workspace, "circles")


def emails(workspace: Path) -> dict[str, str]:
    return {p["id"]: p["email"] for p in table(workspace, "people")}


def invitation_of(msg: EmailMessage) -> icalendar.Event:
    (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    (event,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return event


# iMIP answers as three calendar programs write them ------------------------------------


def _stamp(n: int) -> str:
    return f"20260302T20{n:02d}00Z"


def _ics(lines: list[str]) -> str:
    return "\r\n".join(line for line in lines if line) + "\r\n"


def _utc(event: icalendar.Event) -> str:
    return f"{event['dtstart'].dt.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


def _head(reply: EmailMessage, who: str, name: str, subject: str, n: int) -> None:
    reply["From"] = f"{name} <{who}>"
    reply["To"] = SENDER
    reply["Subject"] = subject
    reply["Message-ID"] = f"<imip-{n}@{who.split('@')[1]}>"
    reply["Date"] = email.utils.format_datetime(dt.datetime(2026, 3, 2, 20, n, tzinfo=dt.UTC))


def google(event: icalendar.Event, who: str, name: str, partstat: str, n: int) -> bytes:
    """Google Calendar: multipart/mixed of an alternative (text, HTML, text/calendar) and
    the same .ics attached as application/ics, base64; times in UTC."""
    ics = _ics([
        "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
        "CALSCALE:GREGORIAN", "METHOD:REPLY", "BEGIN:VEVENT",
        f"DTSTART:{_utc(event)}", f"DTSTAMP:{_stamp(n)}",
        f"RRULE:{event['rrule'].to_ical().decode()}",
        f"ORGANIZER;CN=Career Mentoring Team:mailto:{SENDER}", f"UID:{event['uid']}",
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={name};"
        f"X-NUM-GUESTS=0:mailto:{who}",
        f"CREATED:{_stamp(0)}", "LOCATION:", f"SEQUENCE:{event['sequence']}",
        "STATUS:CONFIRMED", f"SUMMARY:{event['summary']}", "TRANSP:OPAQUE",
        "END:VEVENT", "END:VCALENDAR",
    ])  # fmt: skip
    reply = EmailMessage()
    word = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentatively Accepted"}
    _head(reply, who, name, f"{word[partstat]}: {event['summary']} ({who})", n)
    reply.set_content(f"{name} has {word[partstat].lower()} this invitation.")
    reply.add_alternative(f"<p>{name} has {word[partstat].lower()} this invitation.</p>",
                          subtype="html")  # fmt: skip
    reply.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    reply.make_mixed()
    reply.add_attachment(ics.encode(), maintype="application", subtype="ics",
                         filename="invite.ics")  # fmt: skip
    return reply.as_bytes()


# Outlook writes its own Windows zone, with its VTIMEZONE.
_WINDOWS_ZONE = [
    "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
    "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
    "END:VTIMEZONE",
]  # fmt: skip


def outlook(
    event: icalendar.Event,
    who: str,
    name: str,
    partstat: str,
    n: int,
    *,
    intro_id: str,
    proposed: dt.datetime | None = None,
) -> bytes:
    """Outlook (Exchange): multipart/alternative of text, HTML and a base64 text/calendar,
    in the invitation's thread; a new time proposed is a COUNTER in its Windows zone."""
    berlin = proposed.astimezone(dt.timezone(dt.timedelta(hours=1))) if proposed else None
    start = (
        f"DTSTART;TZID=W. Europe Standard Time:{berlin:%Y%m%dT%H%M%S}"
        if berlin
        else f"DTSTART:{_utc(event)}"
    )
    method = "COUNTER" if proposed else "REPLY"
    ics = _ics([
        "BEGIN:VCALENDAR", f"METHOD:{method}", "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0", *(_WINDOWS_ZONE if proposed else []), "BEGIN:VEVENT",
        f"ORGANIZER;CN=Career Mentoring Team:mailto:{SENDER}",
        f"ATTENDEE;PARTSTAT={'TENTATIVE' if proposed else partstat};CN={name}:mailto:{who}",
        "COMMENT;LANGUAGE=en-US:\\n", f"RRULE:{event['rrule'].to_ical().decode()}",
        f"UID:{event['uid']}", f"SUMMARY;LANGUAGE=en-US:{partstat.title()}: {event['summary']}",
        start, f"DTSTAMP:{_stamp(n)}", "CLASS:PUBLIC", "PRIORITY:5", "TRANSP:OPAQUE",
        "STATUS:CONFIRMED", f"SEQUENCE:{event['sequence']}", "LOCATION;LANGUAGE=en-US:",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:0", "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
        "END:VEVENT", "END:VCALENDAR",
    ])  # fmt: skip
    reply = EmailMessage()
    word = "New Time Proposed" if proposed else partstat.title()
    _head(reply, who, name, f"{word}: {event['summary']}", n)
    reply["In-Reply-To"] = intro_id
    reply["Thread-Topic"] = str(event["summary"])
    reply.set_content("\n")
    reply.add_alternative("<html><body><p>&nbsp;</p></body></html>", subtype="html")
    reply.add_alternative(ics, subtype="calendar", cte="base64", params={"method": method})
    return reply.as_bytes()


def thunderbird(event: icalendar.Event, who: str, name: str, partstat: str, n: int) -> bytes:
    """Thunderbird: multipart/mixed of an alternative (flowed text and an 8-bit
    text/calendar) and invite.ics attached (base64); the organiser listed as CHAIR."""
    ics = _ics([
        "BEGIN:VCALENDAR", "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
        "VERSION:2.0", "METHOD:REPLY", "BEGIN:VEVENT",
        f"CREATED:{_stamp(n)}", f"LAST-MODIFIED:{_stamp(n)}", f"DTSTAMP:{_stamp(n)}",
        f"UID:{event['uid']}", f"SUMMARY:{event['summary']}",
        f"ORGANIZER;RSVP=FALSE;CN=Career Mentoring Team;PARTSTAT=ACCEPTED;ROLE=CHAIR:"
        f"mailto:{SENDER}",
        f"ATTENDEE;RSVP=TRUE;CN={name};PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:mailto:{who}",
        f"RRULE:{event['rrule'].to_ical().decode()}", f"DTSTART:{_utc(event)}",
        f"SEQUENCE:{event['sequence']}", "X-MOZ-RECEIVED-SEQUENCE:0",
        f"X-MOZ-RECEIVED-DTSTAMP:{_stamp(0)}", "END:VEVENT", "END:VCALENDAR",
    ])  # fmt: skip
    body = f"{name} has {partstat.lower()} your event invitation."
    raw = (
        f"From: {name} <{who}>\r\nTo: {SENDER}\r\n"
        f"Subject: {partstat.title()}: {event['summary']}\r\n"
        f"Message-ID: <imip-{n}@{who.split('@')[1]}>\r\n"
        f"Date: {email.utils.format_datetime(dt.datetime(2026, 3, 2, 20, n, tzinfo=dt.UTC))}\r\n"
        "User-Agent: Mozilla Thunderbird\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="mixed"\r\n\r\n'
        '--mixed\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n'
        "--alt\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\r\n"
        "--alt\r\nContent-Type: text/calendar; method=REPLY; charset=UTF-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n{ics}\r\n--alt--\r\n\r\n"
        '--mixed\r\nContent-Type: application/ics; name="invite.ics"\r\n'
        'Content-Disposition: attachment; filename="invite.ics"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{base64.encodebytes(ics.encode()).decode()}\r\n--mixed--\r\n"
    )
    return raw.encode()


def read_replies(cli, workspace: Path, box: Path, day: str = "2026-03-03") -> dict[str, Any]:
    result = cli("checkin", "--replies", box, "-w", workspace, "--today", day, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data.get("replies", data)


def circles_report(cli, workspace: Path, day: str = "2026-03-03") -> dict[str, dict]:
    result = cli("report", "--json", "-w", workspace, "--today", day)
    assert result.exit_code == 0, result.output
    return {c["circle"]: c for c in json.loads(result.stdout)["circles"]}


def meeting_entries(workspace: Path) -> dict[str, list[tuple[str, str]]]:
    return {
        pid: [(h["meeting"], h["by"]) for h in p.get("history", []) if "meeting" in h]
        for pid, p in pairs(workspace).items()
    }


def test_answers_to_a_circles_invitation_are_recorded_for_each_member(
    workspace: Path, cli, smtp_server, tmp_path: Path
) -> None:
    london = ["Europe/London"] * 5
    circles = make_circles(
        workspace,
        cli,
        HEADER + circle_rows("a", "Networking", london) + circle_rows("b", "Career change", london),
    )
    assert len(circles) == 2
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", DAY)
    assert result.exit_code == 0, result.output
    address = emails(workspace)
    name = {p["id"]: p["name"] for p in table(workspace, "people")}
    (one, two) = sorted(circles, key=lambda c: c["id"])
    intros = {}
    for circle in (one, two):
        mentor = address[circle["mentors"][0]]
        (got,) = [r for r in smtp_server.handler.received if mentor in r.rcpt_tos]
        intros[circle["id"]] = parse_eml(got.data)
    event = invitation_of(intros[one["id"]])
    assert invitation.group_of(str(event["uid"]), PROGRAM) == one["id"]
    intro_id = str(intros[one["id"]]["Message-ID"])

    mentor, m0, m1, m2, m3 = one["mentors"][0], *one["mentees"]
    box_path = tmp_path / "Maildir"
    box = mailbox.Maildir(box_path, create=True)

    def who(pid: str) -> tuple[str, str]:
        return address[pid], name[pid]

    box.add(outlook(event, *who(mentor), "ACCEPTED", 1, intro_id=intro_id))
    box.add(google(event, *who(m0), "ACCEPTED", 2))
    box.add(thunderbird(event, *who(m1), "ACCEPTED", 3))
    box.add(google(event, *who(m2), "TENTATIVE", 4))
    box.add(thunderbird(event, *who(m3), "DECLINED", 5))
    # someone of the other circle answering this circle's invitation: not theirs
    stranger = two["mentees"][0]
    box.add(google(event, *who(stranger), "ACCEPTED", 6))
    box.close()

    got = read_replies(cli, workspace, box_path)
    assert got["meeting_answers"] == 5 and got["strangers"] == 1
    assert got["recorded"] == 0 and table(workspace, "answers") == []  # never a check-in
    entries = meeting_entries(workspace)
    member_of = {p["mentee"]: p["id"] for p in pairs(workspace).values()}
    for pid, found in entries.items():
        doc = pairs(workspace)[pid]
        if doc["circle"] != one["id"]:
            assert found == [], (pid, found)  # nothing on the other circle's pairs
            continue
        mentee_answer = {m0: "ACCEPTED", m1: "ACCEPTED", m2: "TENTATIVE", m3: "DECLINED"}
        # the mentor's answer on every member pair, the mentee's on their own only
        assert sorted(found) == sorted(
            [("ACCEPTED", mentor), (mentee_answer[doc["mentee"]], doc["mentee"])]
        ), (pid, found)
    row = circles_report(cli, workspace)[one["id"]]
    assert (row["meeting_accepted"], row["meeting_people"]) == (3, 5)
    assert circles_report(cli, workspace)[two["id"]]["meeting_accepted"] == 0

    # A second run over the same mailbox records nothing again
    again = read_replies(cli, workspace, box_path)
    assert again["meeting_answers"] == 0 and again["already"] == 5
    assert meeting_entries(workspace) == entries

    # Later the two others accept: accepted by all five
    box = mailbox.Maildir(box_path)
    box.add(outlook(event, *who(m2), "ACCEPTED", 7, intro_id=intro_id))
    box.add(google(event, *who(m3), "ACCEPTED", 8))
    box.close()
    assert read_replies(cli, workspace, box_path)["meeting_answers"] == 2
    row = circles_report(cli, workspace)[one["id"]]
    assert (row["meeting_accepted"], row["meeting_people"]) == (5, 5)
    text = cli("report", "-w", workspace, "--today", "2026-03-03").output
    assert "Meeting accepted" in text and "5 of 5" in text
    shown = cli("pairs", "show", member_of[m1], "-w", workspace, "--today", "2026-03-03")
    assert shown.exit_code == 0, shown.output
    assert f"Circle {one['id']}'s meeting: accepted by all 5" in shown.output
    # each member pair is "accepted by both" too
    result = cli("report", "--json", "-w", workspace, "--today", "2026-03-03")
    assert json.loads(result.stdout)["headline"]["meeting_accepted"] == 4

    # A mentee proposes another time from Outlook: recorded with it, in UTC
    later = dt.datetime(2026, 3, 4, 17, 30, tzinfo=dt.UTC)
    box = mailbox.Maildir(box_path)
    box.add(outlook(event, *who(m1), "ACCEPTED", 9, intro_id=intro_id, proposed=later))
    box.close()
    assert read_replies(cli, workspace, box_path)["meeting_answers"] == 1
    last = pairs(workspace)[member_of[m1]]["history"][-1]
    assert (last["meeting"], last["by"], last["proposed"]) == (
        "COUNTER",
        m1,
        "2026-03-04T17:30:00+00:00",
    )
    row = circles_report(cli, workspace)[one["id"]]
    assert (row["meeting_accepted"], row["meeting_people"]) == (4, 5)
    shown = cli("pairs", "show", member_of[m0], "-w", workspace, "--today", "2026-03-03")
    assert f"Circle {one['id']}'s meeting: accepted by 4 of 5" in shown.output


def _gb_only_holiday(weekday: int) -> dt.date:
    """A day of the given weekday that is a public holiday in the United Kingdom and not in
    Germany."""
    for year in range(2026, 2040):
        gb, de = (
            holidays.country_holidays("GB", years=year),
            holidays.country_holidays("DE", years=year),
        )
        for day in sorted(gb):
            if day.weekday() == weekday and day not in de:
                return day
    raise AssertionError(f"no British holiday on weekday {weekday}")


def test_a_circles_invitation_skips_a_members_public_holidays(workspace: Path, cli) -> None:
    """The mentor lives in Berlin, one mentee in London: the circle's meeting on a British
    bank holiday is left out of its invitation (EXDATE), and from nobody else's weeks."""
    zones = ["Europe/Berlin", "Europe/Berlin", "Europe/London", "Europe/Berlin", "Europe/Berlin"]
    (circle,) = make_circles(workspace, cli, HEADER + circle_rows("a", "Networking", zones))
    window = circle["window"]
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    # every day: the meeting is the day after the first; else on the window's day
    weekday = days.index(window["day"]) if window.get("day") else 1
    holiday = _gb_only_holiday(weekday)
    # the holiday falls in the circle's second week
    start = holiday - dt.timedelta(days=8 if not window.get("day") else 7)
    result = cli("introduce", "-w", workspace, "--today", start.isoformat())
    assert result.exit_code == 0, result.output
    (file,) = sorted((workspace / PROGRAM / "outbox").glob("*.eml"))
    intro = parse_eml(file.read_bytes())
    event = invitation_of(intro)
    exdates = [d.dt for e in [event.get("exdate")] if e for d in e.dts]
    assert [d.astimezone(dt.UTC).date() for d in exdates] == [holiday], (exdates, holiday)
    (part,) = [p for p in intro.walk() if p.get_content_type() == "text/calendar"]
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    held = recurring_ical_events.of(cal).between(start, start + dt.timedelta(weeks=9))
    days_held = [e["dtstart"].dt.date() for e in held]
    assert len(days_held) == 7 and holiday not in days_held
    # the introduction's text does not give the holiday as a meeting day either
    body = intro.get_body(("plain",)).get_content()
    assert f"{holiday.day} {holiday:%B}" not in body

    # The same circle written by pairs show C1 --ics skips it too
    shown = cli("pairs", "show", circle["id"], "--ics", "-", "-w", workspace,
                "--today", start.isoformat())  # fmt: skip
    assert shown.exit_code == 0, shown.output
    (again,) = icalendar.Calendar.from_ical(shown.stdout).walk("VEVENT")
    assert [d.dt for d in again["exdate"].dts] == exdates


def test_pairs_show_ics_of_a_circle_or_a_member_pair_is_the_circles_meeting(
    workspace: Path, cli, smtp_server
) -> None:
    london = ["Europe/London"] * 5
    (circle,) = make_circles(workspace, cli, HEADER + circle_rows("a", "Networking", london))
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", DAY)
    assert result.exit_code == 0, result.output
    (got,) = smtp_server.handler.received
    sent = invitation_of(parse_eml(got.data))
    address = emails(workspace)
    members = {f"mailto:{address[p]}" for p in circle["mentors"] + circle["mentees"]}
    later = "2026-03-20"  # written later, the weeks still count from the circle's start
    for key in (circle["id"], circle["id"].lower(), circle["pairs"][2]):
        shown = cli("pairs", "show", key, "--ics", "-", "-w", workspace, "--today", later)
        assert shown.exit_code == 0, shown.output
        (event,) = icalendar.Calendar.from_ical(shown.stdout).walk("VEVENT")
        assert str(event["uid"]) == str(sent["uid"])
        assert {str(a).lower() for a in event["attendee"]} == members
        assert event["dtstart"].dt == sent["dtstart"].dt
        assert event["rrule"] == sent["rrule"]
    # to a file: listed among the files forget looks in
    out = workspace / "circle.ics"
    shown = cli("pairs", "show", circle["id"], "--ics", out, "-w", workspace, "--today", later)
    assert shown.exit_code == 0, shown.output
    assert icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    missing = cli("pairs", "show", "C9", "--ics", "-", "-w", workspace)
    assert missing.exit_code != 0 and "no pair C9" in missing.output


def test_a_co_mentors_answer_counts_for_the_whole_circle(
    workspace: Path, cli, smtp_server, tmp_path: Path
) -> None:
    rows = circle_rows("a", "Networking", ["Europe/London"] * 5)
    rows += "co@example.org,Kim Mentor,Mentor,50,,Networking,English,Europe/London,4,Hooli\n"
    edit_program(
        workspace,
        lambda d: d.update(format="circles", circles={"size": [4, 4], "co_mentors": True}),
    )
    result = cli("import-signups", write_csv(workspace / "c.csv", HEADER + rows), "-w", workspace)
    assert result.exit_code == 0, result.output
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    (circle,) = table(workspace, "circles")
    mentor, co = circle["mentors"]
    use_smtp(workspace, smtp_server.port)
    assert cli("introduce", "--send", "-w", workspace, "--today", DAY).exit_code == 0
    (got,) = smtp_server.handler.received
    event = invitation_of(parse_eml(got.data))
    address = emails(workspace)
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(thunderbird(event, address[co], "Kim Mentor", "ACCEPTED", 1))
    box.close()
    assert read_replies(cli, workspace, tmp_path / "Maildir")["meeting_answers"] == 1
    entries = meeting_entries(workspace)
    assert set(entries) == set(circle["pairs"])
    assert all(found == [("ACCEPTED", co)] for found in entries.values()), entries
    row = circles_report(cli, workspace)[circle["id"]]
    assert (row["meeting_accepted"], row["meeting_people"]) == (1, 6)
    # the circle's invitation names the co-mentor too
    shown = cli("pairs", "show", circle["id"], "--ics", "-", "-w", workspace, "--today", DAY)
    (again,) = icalendar.Calendar.from_ical(shown.stdout).walk("VEVENT")
    assert f"mailto:{address[co]}" in {str(a).lower() for a in again["attendee"]}
    assert mentor != co
