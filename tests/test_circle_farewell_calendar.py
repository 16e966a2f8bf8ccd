"""Every way a circle member's place ends tells them in the circle's words, with the right
change to the circle's weekly meeting (RFC 5546), through the CLI with --today.

A mentee who leaves (they withdraw, the admin ends their pair, a block, a concern ended, their
own "no") gets one ``circle_farewell`` ("Circle code: C1", never a pair's "ended" notice)
carrying the series' CANCEL naming only them; after a withdrawal it thanks them and says
nothing of the waiting list. A mentor who leaves gets a farewell with a CANCEL too. When a
co-mentor takes a circle over, the ``circle_handover`` notices carry the series again
(METHOD:REQUEST, the same UID, a higher SEQUENCE, the program's sender as organiser), its
attendees the new lead and the mentees, so calendars no longer list the old lead. Every
notice's body says so in the line of ``calendar_note``.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
from helpers import PROGRAM, write_csv
from messages_fixtures import messages, parse_eml, table
from test_circle_ends import _pair_of
from test_circle_ends import circle as circle
from test_circle_ends import co_led as co_led
from test_circle_lifecycle import ROWS, SECRET, _csv, _ids, _run
from test_meeting_cancel import _calendar, _read

SENDER = "mentoring@example.org"


def _docs(workspace: Path, kind: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for doc in messages(workspace):
        if doc["kind"] == kind:
            for pid in doc["to"]:
                out.setdefault(pid, []).append(doc)
    return out


def _mail(workspace: Path, doc: dict) -> EmailMessage:
    return parse_eml((workspace / PROGRAM / doc["file"]).read_bytes())


def _body(msg: EmailMessage) -> str:
    return " ".join(msg.get_body(("plain",)).get_content().split())


def _emails(workspace: Path) -> dict[str, str]:
    return {p["id"]: p["email"] for p in table(workspace, "people")}


def _invitation(workspace: Path) -> dict:
    (intro, *_) = [d for d in messages(workspace) if d["kind"] == "circle_intro"]
    found = _calendar(_mail(workspace, intro))
    assert found is not None and found[0] == "REQUEST"
    return _read(found[1])


def _organiser(ics: bytes) -> str:
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return str(event["organizer"]).lower().removeprefix("mailto:")


def _end(cli, workspace: Path, how: str, mentor: str, mentee: str) -> None:
    """End ``mentee``'s place in the circle on 2026-03-10 by ``how``."""
    pair = _pair_of(workspace, mentee)["id"]
    day = ("--today", "2026-03-10")
    if how == "withdraw":
        _run(cli, workspace, "withdraw", mentee, "--reason", SECRET, *day)
    elif how == "pair --end":
        _run(cli, workspace, "pair", "--end", pair, "--reason", SECRET, *day)
    elif how == "block":
        _run(cli, workspace, "block", mentor, mentee, "--reason", SECRET, *day)
    elif how == "concern":
        _run(cli, workspace, "concern", pair, "--reason", SECRET, "--from", mentee, *day)
        (concern,) = table(workspace, "concerns")
        _run(cli, workspace, "concern", "--resolve", concern["id"], "--outcome", "end", *day)
    else:  # their own "no" to the fit question
        _run(cli, workspace, "checkin", "--record", pair, "--person", mentee, "--week", "2",
             "-a", "fit=no", *day)  # fmt: skip


# Bea reads German: her farewell, after each way her place ends, in her language.
WORDS = {
    "withdraw": ("wie gewünscht hast du deinen Kreis bei Test Program verlassen", None),
    "pair --end": ("dein Platz in deinem Kreis bei Test Program ist zu Ende gegangen", None),
    "block": ("dein Platz in deinem Kreis", "Du stehst wieder auf unserer Warteliste"),
    "concern": ("dein Platz in deinem Kreis", "Du stehst wieder auf unserer Warteliste"),
    "fit no": ("dein Platz in deinem Kreis", "Du stehst wieder auf unserer Warteliste"),
}


@pytest.mark.parametrize("how", sorted(WORDS))
def test_a_mentee_who_leaves_gets_the_circles_farewell_with_a_cancel(
    workspace: Path, cli, circle: dict, how: str
) -> None:
    ids, emails = _ids(workspace), _emails(workspace)
    mentor, bea = circle["mentors"][0], ids["ae0"]
    invited = _invitation(workspace)
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    _end(cli, workspace, how, mentor, bea)
    for _ in range(2):  # cron again: nothing twice
        _run(cli, workspace, "checkin", "--today", "2026-03-16")
    assert bea not in _docs(workspace, "ended") and mentor not in _docs(workspace, "ended")
    (doc,) = _docs(workspace, "circle_farewell")[bea]
    msg = _mail(workspace, doc)
    text = _body(msg)
    opening, waiting = WORDS[how]
    assert opening in text and text.endswith(f"Kreis-Code: {circle['id']}"), text
    assert (waiting in text) if waiting else ("Warteliste" not in text), text
    assert "Tandem" not in text and SECRET not in text
    if how == "withdraw":
        assert "Danke für die Zeit" in text and "jederzeit wieder willkommen" in text
    assert "Der wöchentliche Termin wird aus deinem Kalender entfernt." in text
    method, ics = _calendar(msg) or ("", b"")
    cancel = _read(ics)
    assert method == "CANCEL" and cancel["method"] == "CANCEL" and cancel["status"] == "CANCELLED"
    assert cancel["uid"] == invited["uid"] and cancel["sequence"] > invited["sequence"]
    assert cancel["attendees"] == [emails[bea]] and _organiser(ics) == SENDER
    # The mentor: the circle goes on without Bea, and their calendar's meeting with it.
    (left,) = _docs(workspace, "circle_left")[mentor]
    msg = _mail(workspace, left)
    method, ics = _calendar(msg) or ("", b"")
    update = _read(ics)
    assert method == "REQUEST" and update["uid"] == invited["uid"]
    assert update["attendees"] == sorted(set(invited["attendees"]) - {emails[bea]})
    assert "The weekly meeting in your calendar is updated: Bea is no longer invited." in _body(msg)


def test_the_mentees_of_a_forgotten_mentor_get_the_circles_close_with_a_cancel(
    workspace: Path, cli, circle: dict
) -> None:
    ids, emails = _ids(workspace), _emails(workspace)
    invited = _invitation(workspace)
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    _run(cli, workspace, "forget", "am@example.org", "--yes", "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    mentees = [ids[k] for k in ("ae0", "ae1", "ae2", "ae3")]
    closed = _docs(workspace, "circle_closed")
    assert sorted(closed) == sorted(mentees) and not _docs(workspace, "ended")
    (to_bea,) = closed[ids["ae0"]]
    msg = _mail(workspace, to_bea)
    text = _body(msg)
    assert "dein Kreis bei Test Program ist zu Ende gegangen" in text
    assert "Der wöchentliche Termin wird aus deinem Kalender entfernt." in text
    method, ics = _calendar(msg) or ("", b"")
    cancel = _read(ics)
    assert method == "CANCEL" and cancel["uid"] == invited["uid"]
    assert cancel["attendees"] == sorted(emails[p] for p in mentees)  # the mentor is gone


def test_a_takeover_updates_the_meeting_and_the_lead_who_left_gets_a_cancel(
    workspace: Path, cli, co_led: dict
) -> None:
    ids, emails = _ids(workspace), _emails(workspace)
    lead, co = co_led["mentors"]
    mentees = [ids[k] for k in ("ae0", "ae1", "ae2", "ae3")]
    invited = _invitation(workspace)
    assert invited["attendees"] == sorted(emails[p] for p in [lead, co, *mentees])
    _run(cli, workspace, "withdraw", lead, "--today", "2026-03-10")
    for _ in range(2):
        _run(cli, workspace, "checkin", "--today", "2026-03-16")
    told = _docs(workspace, "circle_handover")
    assert sorted(told) == sorted([co, *mentees])
    going_on = sorted(emails[p] for p in [co, *mentees])
    for pid, (doc,) in told.items():
        msg = _mail(workspace, doc)
        method, ics = _calendar(msg) or ("", b"")
        update = _read(ics)
        assert method == "REQUEST" and update["method"] == "REQUEST", pid
        assert update["status"] == "CONFIRMED" and update["start"] == invited["start"], pid
        assert update["uid"] == invited["uid"] and update["sequence"] > invited["sequence"], pid
        assert update["attendees"] == going_on and _organiser(ics) == SENDER, pid
    text = _body(_mail(workspace, told[ids["ae0"]][0]))  # Bea, in German
    assert "Der wöchentliche Termin in deinem Kalender wird aktualisiert" in text
    names = {ids["am"]: "Ann", ids["zm"]: "Zoe"}
    assert names[lead] not in text and f"{names[co]}, bisher Co-Mentor/in" in text
    text = _body(_mail(workspace, told[co][0]))
    assert "The weekly meeting in your calendar is updated with its new lead." in text
    # The lead who withdrew: thanked, and the meeting out of their calendar.
    (doc,) = _docs(workspace, "circle_farewell")[lead]
    msg = _mail(workspace, doc)
    text = _body(msg)
    assert "As you asked, you have left your circle in Test Program" in text
    assert "waiting list" not in text and "The weekly meeting is removed" in text
    method, ics = _calendar(msg) or ("", b"")
    cancel = _read(ics)
    assert method == "CANCEL" and cancel["attendees"] == [emails[lead]]
    assert cancel["uid"] == invited["uid"] and cancel["sequence"] > invited["sequence"]
    assert lead not in _docs(workspace, "ended")


def test_a_co_mentor_who_withdraws_gets_a_farewell_with_a_cancel(
    workspace: Path, cli, co_led: dict
) -> None:
    ids, emails = _ids(workspace), _emails(workspace)
    lead, co = co_led["mentors"]
    invited = _invitation(workspace)
    _run(cli, workspace, "withdraw", co, "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    (doc,) = _docs(workspace, "circle_farewell")[co]
    msg = _mail(workspace, doc)
    assert "As you asked, you have left your circle" in _body(msg)
    method, ics = _calendar(msg) or ("", b"")
    cancel = _read(ics)
    assert method == "CANCEL" and cancel["attendees"] == [emails[co]]
    assert cancel["uid"] == invited["uid"]
    assert set(_docs(workspace, "circle_farewell")) == {co}  # nobody else is told
    # A mentee leaving later: the lead's update no longer invites the co-mentor either.
    bea = ids["ae0"]
    bea_pair = _pair_of(workspace, bea)["id"]
    _run(cli, workspace, "pair", "--end", bea_pair, "--reason", "x", "--today", "2026-03-17")
    _run(cli, workspace, "checkin", "--today", "2026-03-23")
    (left,) = _docs(workspace, "circle_left")[lead]
    method, ics = _calendar(_mail(workspace, left)) or ("", b"")
    stay = [lead, *(ids[k] for k in ("ae1", "ae2", "ae3"))]
    assert method == "REQUEST" and _read(ics)["attendees"] == sorted(emails[p] for p in stay)


def test_a_circle_never_introduced_sends_no_farewell(workspace: Path, cli) -> None:
    program = workspace / PROGRAM / "program.yaml"
    program.write_text(
        program.read_text(encoding="utf-8") + "format: circles\ncircles:\n  size: [3, 5]\n",
        encoding="utf-8",
    )
    _run(cli, workspace, "import-signups", write_csv(workspace / "c.csv", _csv(ROWS)))
    _run(cli, workspace, "pair", "--commit", "--today", "2026-03-02")
    _run(cli, workspace, "withdraw", _ids(workspace)["ae0"], "--today", "2026-03-03")
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    assert not _docs(workspace, "circle_farewell") and not _docs(workspace, "ended")


def test_a_forgotten_mentees_mentor_gets_the_update_naming_nobody(
    workspace: Path, cli, circle: dict
) -> None:
    ids, emails = _ids(workspace), _emails(workspace)
    mentor = circle["mentors"][0]
    invited = _invitation(workspace)
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    _run(cli, workspace, "forget", "ae1@example.org", "--yes", "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    (left,) = _docs(workspace, "circle_left")[mentor]
    msg = _mail(workspace, left)
    text = _body(msg)
    method, ics = _calendar(msg) or ("", b"")
    update = _read(ics)
    stay = [mentor, *(ids[k] for k in ("ae0", "ae2", "ae3"))]
    assert method == "REQUEST" and update["uid"] == invited["uid"]
    assert update["attendees"] == sorted(emails[p] for p in stay)
    assert "One of the mentees has left your circle" in text
    assert "updated without the mentee who left" in text and "your partner" not in text
    assert "ae1" not in ics.decode() and "Cid" not in text and "forgotten" not in text
