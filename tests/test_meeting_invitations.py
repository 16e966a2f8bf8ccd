"""Meetings in calendars, end to end: an introduction sent to a real SMTP server carries the
pair's invitation (in the pair's language), a pair with no common hour gets neither the
invitation nor its paragraph, and the attendees' answers written into a Maildir as calendar
programs send them are read by ``checkin --replies``: recorded in the pair's history, shown
by ``pairs show``, counted by the report, never taken for check-in answers, once."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import PROGRAM, read_store, write_csv
from icalendar import Calendar, Event, vCalAddress
from messages_fixtures import IDS, SENDER, edit_program, parse_eml, use_smtp
from messages_fixtures import introduced_fixture as introduced_fixture
from messages_fixtures import paired_fixture as paired_fixture
from messages_fixtures import smtp_server_fixture as smtp_server_fixture
from test_all_programs_mail import FIRST, SECOND
from test_all_programs_mail import both as both
from test_all_programs_mail import run as run_all

from mentorctl.calendars import invitation
from mentorctl.checkins import meeting_replies

# Inès and Marc read French and live six hours apart; Ann is free on weekday evenings in
# Berlin and Kai on evenings in Tokyo, eight hours ahead: no weekly time suits them both.
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Preferred language,Availability
marc@example.org,Marc Dubois,Mentor,50,,Networking,French,Europe/Paris,1,Acme,Français,
kai@example.org,Kai Tanaka,Mentor,45,,Career change,English,Asia/Tokyo,1,Globex,English,evenings
ines@example.org,Inès Moreau,Mentee,30,Networking,,French,America/Montreal,,Initech,Français,
ann@example.org,Ann Berg,Mentee,28,Career change,,English,Europe/Berlin,,Umbrella,English,weekday evenings
"""
DAY = "2026-03-02"


def store(workspace: Path) -> dict:
    return read_store(workspace / PROGRAM / "data" / "store.json")


def pair_history(workspace: Path, pair_id: str) -> list[dict]:
    return next(p for p in store(workspace)["pairs"].values() if p["id"] == pair_id)["history"]


def calendar_parts(msg: EmailMessage) -> list[EmailMessage]:
    return [p for p in msg.walk() if p.get_content_type() == "text/calendar"]


@pytest.fixture
def sent(workspace: Path, cli, smtp_server):
    """The four people paired and introduced over SMTP on 2 March 2026: {pair id: (the
    pair's people by first name, the intro as received)}."""
    edit_program(workspace, lambda d: d["signup"]["fields"].update(availability=["Availability"]))
    result = cli("import-signups", write_csv(workspace / "people.csv", PEOPLE), "-w", workspace)
    assert result.exit_code == 0, result.output
    assert cli("pair", "--commit", "-w", workspace).exit_code == 0
    use_smtp(workspace, smtp_server.port)
    result = cli("introduce", "--send", "-w", workspace, "--today", DAY)
    assert result.exit_code == 0, result.output
    data = store(workspace)
    names = {p["id"]: p["name"].split()[0] for p in data["people"].values()}
    emails = {p["id"]: p["email"] for p in data["people"].values()}
    pairs = {}
    for pair in data["pairs"].values():
        who = {names[pair["mentee"]]: pair["mentee"], names[pair["mentor"]]: pair["mentor"]}
        (got,) = [r for r in smtp_server.handler.received if emails[pair["mentee"]] in r.rcpt_tos]
        pairs[pair["id"]] = (who, parse_eml(got.data))
    return workspace, pairs


def _pair(pairs: dict, first_name: str) -> tuple[str, dict, EmailMessage]:
    (found,) = [(k, who, msg) for k, (who, msg) in pairs.items() if first_name in who]
    return found


def test_the_introduction_carries_the_invitation_in_the_pairs_language(sent) -> None:
    _, pairs = sent
    pair_id, who, msg = _pair(pairs, "Inès")
    assert set(who) == {"Inès", "Marc"}
    (part,) = calendar_parts(msg)
    assert part.get_param("method") == "REQUEST"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["method"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    attendees = {str(a).lower() for a in event["attendee"]}
    assert attendees == {"mailto:ines@example.org", "mailto:marc@example.org"}
    assert str(event["organizer"]).lower() == f"mailto:{SENDER}"
    assert invitation.group_of(str(event["uid"]), PROGRAM) == pair_id
    # the invitation's words in French, as the introduction's
    assert str(event["summary"]) == "Test Program : Inès Moreau et Marc Dubois"
    assert str(event["description"]).startswith("Votre rendez-vous de la semaine")
    body = " ".join(msg.get_body(("plain",)).get_content().split())
    assert body.startswith("Bonjour Inès et Marc,")
    assert "Nous vous proposons un créneau hebdomadaire qui tombe dans la journée de chacun" in body
    assert "pour Inès (America/Montreal" in body and "pour Marc (Europe/Paris" in body
    assert "L'invitation est jointe à cet e-mail" in body
    html = msg.get_body(("html",)).get_content()
    assert "Nous vous proposons un créneau hebdomadaire" in html
    # The time the paragraph gives each person is the invitation's, on their own clock
    assert event["dtstart"].dt.isoformat() == "2026-03-03T13:00:00-05:00"
    assert "le mardi de 13:00 à 13:45 pour Inès (America/Montreal)" in body
    assert (
        "de 19:00 à 19:45 pour Marc (Europe/Paris ; à partir du 10 mars, de 18:00 à 18:45" in body
    )


def test_no_common_hour_no_invitation_and_no_paragraph(sent) -> None:
    _, pairs = sent
    _, who, msg = _pair(pairs, "Ann")
    assert set(who) == {"Ann", "Kai"}
    assert calendar_parts(msg) == []
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Hello Ann and Kai,")
    assert "weekly time" not in body and "invitation" not in body.lower()


def test_an_introduction_sent_again_keeps_the_meetings_uid(sent, cli, smtp_server) -> None:
    workspace, pairs = sent
    pair_id, _, first = _pair(pairs, "Inès")
    before = len(smtp_server.handler.received)
    result = cli("introduce", "--send", "--resend", "--pair", pair_id, "-w", workspace,
                 "--today", "2026-03-05")  # fmt: skip
    assert result.exit_code == 0, result.output
    (again,) = smtp_server.handler.received[before:]
    (one,), (two,) = (
        Calendar.from_ical(calendar_parts(m)[0].get_payload(decode=True)).walk("VEVENT")
        for m in (first, parse_eml(again.data))
    )
    assert str(one["uid"]) == str(two["uid"])
    assert int(two["sequence"]) > int(one["sequence"])
    assert one["dtstart"].dt == two["dtstart"].dt  # weeks still counted from the pair's start


def answer(msg: EmailMessage, who: str, partstat: str, n: int, *, outlook: bool,
           proposed: dt.datetime | None = None) -> EmailMessage:  # fmt: skip
    """The answer a calendar program sends to the introduction's invitation: Outlook's a
    multipart/alternative of text, HTML and text/calendar; Gmail's the same alternative in a
    multipart/mixed with the .ics attached again. A COUNTER proposes ``proposed``."""
    (sent_event,) = Calendar.from_ical(calendar_parts(msg)[0].get_payload(decode=True)).walk(
        "VEVENT"
    )
    cal = Calendar()
    cal.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN" if outlook
            else "-//Google Inc//Google Calendar 70.9054//EN")  # fmt: skip
    cal.add("version", "2.0")
    method = "COUNTER" if proposed else "REPLY"
    cal.add("method", method)
    event = Event()
    event.add("uid", str(sent_event["uid"]))
    event.add("dtstamp", dt.datetime(2026, 3, 2, 20, n, tzinfo=dt.UTC))
    event.add("sequence", int(sent_event["sequence"]))
    start = proposed or sent_event["dtstart"].dt
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=45))
    event.add("summary", str(sent_event["summary"]))
    event.add("organizer", vCalAddress(f"mailto:{SENDER}"))
    attendee = vCalAddress(f"mailto:{who}@example.org")
    attendee.params["PARTSTAT"] = "NEEDS-ACTION" if proposed else partstat
    event.add("attendee", attendee)
    cal.add_component(event)
    ics = cal.to_ical().decode()

    reply = EmailMessage()
    reply["From"] = f"{who.title()} <{who}@example.org>"
    reply["To"] = SENDER
    reply["Subject"] = f"{partstat.title()}: {sent_event['summary']}"
    reply["Message-ID"] = f"<meeting-{n}@mail.example.net>"
    reply["Date"] = email.utils.format_datetime(dt.datetime(2026, 3, 2, 20, n, tzinfo=dt.UTC))
    if outlook:  # Outlook answers in the thread of the invitation
        reply["In-Reply-To"] = str(msg["Message-ID"])
    reply.set_content(f"{who.title()} has {partstat.lower()} this invitation.")
    reply.add_alternative(f"<p>{who.title()} has {partstat.lower()} this invitation.</p>",
                          subtype="html")  # fmt: skip
    reply.add_alternative(ics, subtype="calendar", params={"method": method})
    if not outlook:
        reply.add_attachment(ics.encode(), maintype="application", subtype="ics",
                             filename="invite.ics")  # fmt: skip
    return reply


def replies(cli, workspace: Path, day: str = "2026-03-03") -> dict:
    result = cli("checkin", "--replies", workspace / "Maildir", "-w", workspace,
                 "--today", day, "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data.get("replies", data)


def headline(cli, workspace: Path, *extra: str) -> dict:
    result = cli("report", "--json", "-w", workspace, "--today", "2026-03-03", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["headline"]


def test_answers_to_the_invitation_are_recorded_once_never_as_answers(sent, cli) -> None:
    workspace, pairs = sent
    pair_id, who, msg = _pair(pairs, "Inès")
    box = mailbox.Maildir(workspace / "Maildir", create=True)
    box.add(answer(msg, "ines", "ACCEPTED", 1, outlook=False).as_bytes())
    box.add(answer(msg, "marc", "ACCEPTED", 2, outlook=True).as_bytes())
    box.close()
    assert headline(cli, workspace)["meeting_accepted"] == 0

    got = replies(cli, workspace)
    assert got["meeting_answers"] == 2
    assert got["recorded"] == 0 and got["answers"]["new"] == 0
    assert store(workspace).get("answers", {}) == {}
    history = pair_history(workspace, pair_id)
    meetings = [h for h in history if "meeting" in h]
    assert [(h["meeting"], h["by"], h["proposed"]) for h in meetings] == [
        ("ACCEPTED", who["Inès"], None),
        ("ACCEPTED", who["Marc"], None),
    ]
    assert headline(cli, workspace)["meeting_accepted"] == 1
    assert headline(cli, workspace, "--anonymous")["meeting_accepted"] == 1
    text = cli("report", "-w", workspace, "--today", "2026-03-03")
    assert "Meeting accepted by both" in text.output
    shown = cli("pairs", "show", pair_id, "-w", workspace, "--today", "2026-03-03")
    assert shown.exit_code == 0, shown.output
    assert "Meeting answers" in shown.output and shown.output.count("accepted") >= 2

    # A second run over the same mailbox records nothing again
    again = replies(cli, workspace)
    assert again["meeting_answers"] == 0 and again["already"] == 2
    history = pair_history(workspace, pair_id)
    assert len([h for h in history if "meeting" in h]) == 2

    # Marc proposes another time: recorded with it, and the pair no longer counts
    later = dt.datetime(2026, 3, 4, 17, 0, tzinfo=dt.UTC)
    box = mailbox.Maildir(workspace / "Maildir")
    box.add(answer(msg, "marc", "COUNTER", 3, outlook=True, proposed=later).as_bytes())
    box.close()
    third = replies(cli, workspace)
    assert third["meeting_answers"] == 1
    history = pair_history(workspace, pair_id)
    assert history[-1] == {
        "at": history[-1]["at"],
        "meeting": "COUNTER",
        "by": who["Marc"],
        "proposed": "2026-03-04T17:00:00+00:00",
    }
    assert headline(cli, workspace)["meeting_accepted"] == 0
    shown = cli("pairs", "show", pair_id, "-w", workspace, "--today", "2026-03-03")
    assert "2026-03-04T17:00:00+00:00" in shown.output


def test_a_summary_counts_the_meeting_answers(sent, cli) -> None:
    workspace, pairs = sent
    _, _, msg = _pair(pairs, "Inès")
    box = mailbox.Maildir(workspace / "Maildir", create=True)
    box.add(answer(msg, "ines", "ACCEPTED", 1, outlook=False).as_bytes())
    box.add(answer(msg, "marc", "DECLINED", 2, outlook=True).as_bytes())
    box.close()
    result = cli("checkin", "--replies", workspace / "Maildir", "-w", workspace,
                 "--today", "2026-03-03")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 meeting answers" in result.output


def test_another_programs_invitation_is_left_to_it() -> None:
    uid = invitation.uid_for("other-program", "M1", SENDER)
    theirs = invitation.Reply(uid, "ann@example.org", "ACCEPTED")
    assert not meeting_replies.ours(theirs, PROGRAM, takes_unnamed=True)
    mine = invitation.Reply(invitation.uid_for(PROGRAM, "M1", SENDER), "a@b.c", "ACCEPTED")
    assert meeting_replies.ours(mine, PROGRAM, takes_unnamed=False)
    nobodys = invitation.Reply("made-up@example.org", "ann@example.org", "ACCEPTED")
    assert meeting_replies.ours(nobodys, PROGRAM, takes_unnamed=True)
    assert not meeting_replies.ours(nobodys, PROGRAM, takes_unnamed=False)


def test_one_mailbox_for_all_programs_each_takes_its_own_meeting_answers(both: Path, cli) -> None:
    """Two programs, the same pairs in both: an answer to one program's invitation is
    recorded by that program only, and left alone by the other."""
    ann, meg = IDS["ann"], IDS["meg"]
    intro = {slug: parse_eml((both / slug / "outbox" / "M1-intro.eml").read_bytes())
             for slug in (FIRST, SECOND)}  # fmt: skip
    box = mailbox.Maildir(both / "Maildir", create=True)
    box.add(answer(intro[SECOND], "ann", "ACCEPTED", 1, outlook=False).as_bytes())
    box.add(answer(intro[FIRST], "meg", "TENTATIVE", 2, outlook=True).as_bytes())
    box.close()
    got = run_all(cli, both, "--replies", both / "Maildir")
    one, two = got[FIRST]["replies"], got[SECOND]["replies"]
    assert (one["meeting_answers"], one["other_programs"], one["unknown"]) == (1, 1, 0)
    assert (two["meeting_answers"], two["other_programs"], two["unknown"]) == (1, 1, 0)
    for slug, wanted in ((FIRST, [("TENTATIVE", meg)]), (SECOND, [("ACCEPTED", ann)])):
        (m1,) = [p for p in read_store(both / slug / "data" / "store.json")["pairs"].values()
                 if p["id"] == "M1"]  # fmt: skip
        assert [(h["meeting"], h["by"]) for h in m1["history"] if "meeting" in h] == wanted
