"""A weekly meeting leaves the calendars of people who no longer meet (RFC 5546).

Through the CLI over a program's weeks with --today: a pair ended in week 3 sends each of its
people an ``ended`` notice carrying the series' CANCEL (same UID, higher SEQUENCE,
STATUS:CANCELLED); a person who withdraws gets theirs too, once; a circle member who
withdraws gives the mentor's ``circle_left`` notice the series again without them and the
leaver's ``circle_farewell`` a CANCEL; a circle that closes sends each remaining member a CANCEL. Every calendar
part is read by two independent parsers (icalendar and vobject), and the updated series is
expanded with recurring-ical-events.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
import vobject
from helpers import PROGRAM
from messages_fixtures import IDS, messages, parse_eml, table
from messages_fixtures import introduced_fixture as introduced_fixture
from messages_fixtures import paired_fixture as paired_fixture
from messages_fixtures import smtp_ready_fixture as smtp_ready_fixture
from messages_fixtures import smtp_server_fixture as smtp_server_fixture
from radicale_server import radicale_fixture  # noqa: F401  (fixture)
from test_circle_lifecycle import _ids, _run
from test_circle_lifecycle import circle as circle

REMOVED = "The weekly meeting is removed from your calendar."


def _outbox(workspace: Path) -> list[Path]:
    return sorted((workspace / PROGRAM / "outbox").rglob("*.eml"))


def _mail(workspace: Path, doc: dict) -> EmailMessage:
    return parse_eml((workspace / PROGRAM / doc["file"]).read_bytes())


def _calendar(msg: EmailMessage) -> tuple[str, bytes] | None:
    """The message's text/calendar part: its method parameter and its bytes."""
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    if not parts:
        return None
    (part,) = parts
    return str(part.get_param("method")), part.get_payload(decode=True)


def _read(ics: bytes) -> dict:
    """The calendar as two independent parsers read it; they must agree."""
    cal = icalendar.Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    found = event.get("attendee")
    listed = found if isinstance(found, list) else [found] if found is not None else []
    first = {
        "method": str(cal["method"]),
        "uid": str(event["uid"]),
        "sequence": int(event["sequence"]),
        "status": str(event["status"]),
        "attendees": sorted(str(a).lower().removeprefix("mailto:") for a in listed),
        "start": event["dtstart"].dt,
    }
    other = vobject.readOne(ics.decode("utf-8"))
    (vevent,) = other.vevent_list
    second = {
        "method": other.method.value,
        "uid": vevent.uid.value,
        "sequence": int(vevent.sequence.value),
        "status": vevent.status.value,
        "attendees": sorted(
            a.value.lower().removeprefix("mailto:") for a in vevent.contents.get("attendee", [])
        ),
        "start": vevent.dtstart.value,
    }
    assert first == second
    return first


def _emails(workspace: Path) -> dict[str, str]:
    return {p["id"]: p["email"] for p in table(workspace, "people")}


def _docs(workspace: Path, kind: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for doc in messages(workspace):
        if doc["kind"] == kind:
            for pid in doc["to"]:
                out.setdefault(pid, []).append(doc)
    return out


def _body(msg: EmailMessage) -> str:
    return " ".join(msg.get_body(("plain",)).get_content().split())


# -- a pair --------------------------------------------------------------------------------


def test_a_pair_ended_in_week_3_cancels_its_meeting_for_both(cli, introduced: Path) -> None:
    workspace = introduced
    (intro,) = [d for d in messages(workspace) if d["kind"] == "intro" and d["pair"] == "M1"]
    found = _calendar(_mail(workspace, intro))
    assert found is not None and found[0] == "REQUEST"
    invited = _read(found[1])
    assert invited["method"] == "REQUEST" and invited["status"] == "CONFIRMED"
    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    _run(cli, workspace, "pair", "--end", "M1", "--reason", "moved abroad", "--today",
         "2026-03-17")  # fmt: skip

    store = workspace / PROGRAM / "data" / "store.json"
    before, files = store.read_bytes(), _outbox(workspace)
    dry = _run(cli, workspace, "checkin", "--dry-run", "--today", "2026-03-17")
    assert "ended" in dry.output
    assert store.read_bytes() == before and _outbox(workspace) == files  # nothing written
    _run(cli, workspace, "checkin", "--today", "2026-03-17")
    _run(cli, workspace, "checkin", "--today", "2026-03-17")  # cron again
    _run(cli, workspace, "checkin", "--today", "2026-03-23")

    ended = _docs(workspace, "ended")
    assert sorted(ended) == sorted([IDS["ann"], IDS["meg"]])
    emails = _emails(workspace)
    for docs in ended.values():
        (doc,) = docs  # once, whatever cron does
        msg = _mail(workspace, doc)
        found = _calendar(msg)
        assert found is not None and found[0] == "CANCEL"
        cancel = _read(found[1])
        assert cancel["method"] == "CANCEL" and cancel["status"] == "CANCELLED"
        assert cancel["uid"] == invited["uid"] and cancel["sequence"] > invited["sequence"]
        assert cancel["attendees"] == sorted([emails[IDS["ann"]], emails[IDS["meg"]]])
        assert cancel["start"] == invited["start"]  # the same series
        assert REMOVED in _body(msg)
    # The other pair's meeting is untouched: nothing cancels it.
    other = [d for d in messages(workspace) if d["pair"] == "M2" and d["kind"] != "intro"]
    assert all(_calendar(_mail(workspace, d)) is None for d in other)


def test_a_person_who_withdraws_and_their_partner_each_get_one_cancel(
    cli, introduced: Path
) -> None:
    workspace = introduced
    _run(cli, workspace, "withdraw", IDS["bo"], "--reason", "no time", "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    ended = _docs(workspace, "ended")
    assert sorted(ended) == sorted([IDS["bo"], IDS["raj"]])
    uids = set()
    for docs in ended.values():
        (doc,) = docs
        found = _calendar(_mail(workspace, doc))
        assert found is not None and found[0] == "CANCEL"
        uids.add(_read(found[1])["uid"])
    assert len(uids) == 1


def test_the_partner_of_someone_forgotten_gets_a_cancel_that_no_longer_names_them(
    cli, introduced: Path
) -> None:
    workspace = introduced
    (intro,) = [d for d in messages(workspace) if d["kind"] == "intro" and d["pair"] == "M1"]
    invited = _read(_calendar(_mail(workspace, intro))[1])
    emails = _emails(workspace)
    _run(cli, workspace, "forget", "ann@example.org", "--yes", "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    ended = _docs(workspace, "ended")
    assert list(ended) == [IDS["meg"]]
    (doc,) = ended[IDS["meg"]]
    method, ics = _calendar(_mail(workspace, doc)) or ("", b"")
    cancel = _read(ics)
    assert method == "CANCEL" and cancel["uid"] == invited["uid"]
    assert cancel["attendees"] == [emails[IDS["meg"]]]
    assert b"ann@example.org" not in ics and b"Ann" not in ics


def test_the_cancel_takes_the_meeting_out_of_a_caldav_calendar(
    cli, introduced: Path, radicale: str
) -> None:
    """The invitation saved into a real CalDAV server (Radicale), then the CANCEL as an
    attendee's calendar applies it: the same object (by UID) replaced by the cancelled
    version, which the calendar then drops; read back through a fresh client, nothing
    of the meeting is left in its weeks."""
    import uuid

    import caldav

    workspace = introduced
    (intro,) = [d for d in messages(workspace) if d["kind"] == "intro" and d["pair"] == "M1"]
    invite = _calendar(_mail(workspace, intro))[1]
    _run(cli, workspace, "pair", "--end", "M1", "--reason", "moved abroad", "--today",
         "2026-03-17")  # fmt: skip
    _run(cli, workspace, "checkin", "--today", "2026-03-17")
    (doc,) = _docs(workspace, "ended")[IDS["meg"]]
    cancel = _calendar(_mail(workspace, doc))[1]
    weeks = {"start": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
             "end": dt.datetime(2026, 6, 1, tzinfo=dt.UTC)}  # fmt: skip
    name = f"meg-{uuid.uuid4().hex[:8]}"
    with (
        caldav.DAVClient(radicale, username="meg", password="any") as client,
        caldav.DAVClient(radicale, username="meg", password="any") as reader,
    ):
        calendar = client.principal().make_calendar(name=name, cal_id=name)
        calendar.save_event(invite.decode())
        assert len(calendar.search(event=True, expand=True, **weeks)) == 8
        # The attendee's calendar takes the CANCEL: it outranks the copy it holds.
        (held,) = calendar.events()
        stored = held.icalendar_component
        taken = icalendar.Calendar.from_ical(cancel)
        (event,) = taken.walk("VEVENT")
        assert str(event["uid"]) == str(stored["uid"])
        assert int(event["sequence"]) > int(stored["sequence"])
        calendar.save_event(cancel.decode())  # the same UID: the same object, replaced
        fresh = reader.principal().calendar(cal_id=name)
        (kept,) = fresh.events()
        assert str(kept.icalendar_component["status"]) == "CANCELLED"
        kept.delete()  # what a calendar does with a cancelled meeting of its own
        assert reader.principal().calendar(cal_id=name).events() == []
        assert fresh.search(event=True, expand=True, **weeks) == []


def test_a_pair_released_after_a_refused_introduction_cancels_the_partners_meeting(
    smtp_ready, cli
) -> None:
    """The introduction reached Ann only (Meg's address refused); the pair never began and
    ends two weeks on: Ann's ``ended`` notice, over SMTP, cancels the meeting she was sent."""
    workspace, server = smtp_ready
    server.handler.refuse = {"meg@example.org"}
    assert cli("introduce", "--send", "-w", workspace, "--today", "2026-03-02").exit_code == 4
    for day in ("2026-03-09", "2026-03-16", "2026-03-16"):
        result = cli("checkin", "--send", "-w", workspace, "--today", day)
        assert result.exit_code in (0, 4), result.output
    intro, ended = (r.message for r in server.handler.to("ann@example.org"))
    invited = _read(_calendar(intro)[1])
    method, ics = _calendar(ended) or ("", b"")
    cancel = _read(ics)
    assert method == "CANCEL" and cancel["uid"] == invited["uid"]
    assert cancel["sequence"] > invited["sequence"] and cancel["start"] == invited["start"]
    assert REMOVED in _body(ended)


def test_a_pair_never_introduced_gets_no_notice_and_no_cancel(cli, paired: Path) -> None:
    _run(cli, paired, "withdraw", IDS["bo"], "--today", "2026-03-02")
    _run(cli, paired, "checkin", "--today", "2026-03-09")
    assert _docs(paired, "ended") == {}


# -- a circle -----------------------------------------------------------------------------


def test_a_circle_updates_its_meeting_when_a_member_leaves_and_cancels_it_when_it_closes(
    workspace: Path, cli, circle: dict
) -> None:
    ids, emails = _ids(workspace), _emails(workspace)
    mentor = circle["mentors"][0]
    intros = [d for d in messages(workspace) if d["kind"] == "circle_intro"]
    found = _calendar(_mail(workspace, intros[0]))
    assert found is not None
    invited = _read(found[1])
    everyone = sorted(emails[p] for p in [mentor, ids["ae0"], ids["ae1"], ids["ae2"], ids["ae3"]])
    assert invited["attendees"] == everyone

    _run(cli, workspace, "checkin", "--today", "2026-03-09")
    _run(cli, workspace, "withdraw", ids["ae1"], "--today", "2026-03-10")  # Cid, in French
    _run(cli, workspace, "checkin", "--today", "2026-03-16")
    _run(cli, workspace, "checkin", "--today", "2026-03-16")

    # The mentor: the same series again, without Cid, a higher SEQUENCE.
    (left,) = _docs(workspace, "circle_left")[mentor]
    method, ics = _calendar(_mail(workspace, left)) or ("", b"")
    update = _read(ics)
    assert method == "REQUEST" and update["method"] == "REQUEST"
    assert update["uid"] == invited["uid"] and update["sequence"] > invited["sequence"]
    assert update["status"] == "CONFIRMED" and update["start"] == invited["start"]
    assert update["attendees"] == sorted(set(everyone) - {emails[ids["ae1"]]})
    # Expanded, every week of the series goes on without Cid.
    weeks = recurring_ical_events.of(icalendar.Calendar.from_ical(ics)).between(
        dt.date(2026, 3, 1), dt.date(2026, 6, 1)
    )
    assert len(weeks) == len(recurring_ical_events.of(
        icalendar.Calendar.from_ical(found[1])).between(dt.date(2026, 3, 1), dt.date(2026, 6, 1))
    )  # fmt: skip
    assert weeks and all(emails[ids["ae1"]] not in str(w.get("attendee")).lower() for w in weeks)
    assert all(
        emails[ids["ae0"]] in " ".join(str(a) for a in w.get("attendee")).lower() for w in weeks
    )
    # Cid: the circle's farewell, worded for one who chose to leave, with the series'
    # CANCEL naming Cid only, once, and the line in French; no pair's "ended" notice.
    assert ids["ae1"] not in _docs(workspace, "ended")
    (gone,) = _docs(workspace, "circle_farewell")[ids["ae1"]]
    msg = _mail(workspace, gone)
    text = _body(msg)
    assert "Comme vous l'avez demandé, vous avez quitté votre cercle" in text
    assert "liste d'attente" not in text and text.endswith(f"Code du cercle : {circle['id']}")
    assert "binôme" not in text.lower()
    method, ics = _calendar(msg) or ("", b"")
    cancel = _read(ics)
    assert method == "CANCEL" and cancel["status"] == "CANCELLED"
    assert cancel["uid"] == invited["uid"] and cancel["sequence"] > invited["sequence"]
    assert cancel["attendees"] == [emails[ids["ae1"]]]
    assert "Le rendez-vous hebdomadaire est retiré de votre agenda." in _body(msg)
    # The other mentees are told nothing, and their calendars keep the meeting as it is.
    assert set(_docs(workspace, "circle_left")) == {mentor}

    # Eli is "not a fit": two mentees stay, the circle closes; everyone still in it gets a
    # CANCEL of the series, once, however often cron runs.
    eli = next(p for p in table(workspace, "pairs") if p["mentee"] == ids["ae3"])
    _run(cli, workspace, "checkin", "--record", eli["id"], "--person", ids["ae3"], "--week",
         "3", "-a", "fit=no", "--today", "2026-03-17")  # fmt: skip
    store = workspace / PROGRAM / "data" / "store.json"
    before, files = store.read_bytes(), _outbox(workspace)
    _run(cli, workspace, "checkin", "--dry-run", "--today", "2026-03-23")
    assert store.read_bytes() == before and _outbox(workspace) == files
    for _ in range(2):
        _run(cli, workspace, "checkin", "--today", "2026-03-23")
    _run(cli, workspace, "checkin", "--today", "2026-03-30")
    closed = _docs(workspace, "circle_closed")
    assert sorted(closed) == sorted([mentor, ids["ae0"], ids["ae2"]])
    staying = sorted(emails[p] for p in (mentor, ids["ae0"], ids["ae2"]))
    for docs in closed.values():
        (doc,) = docs
        method, ics = _calendar(_mail(workspace, doc)) or ("", b"")
        cancel = _read(ics)
        assert method == "CANCEL" and cancel["status"] == "CANCELLED"
        assert cancel["uid"] == invited["uid"] and cancel["sequence"] > update["sequence"]
        assert cancel["attendees"] == staying
    # Eli, who left as the circle closed, gets the circle's farewell with a CANCEL naming
    # only them; nobody of the circle gets a pair's "ended" notice.
    assert _docs(workspace, "ended") == {}
    (eli_doc,) = _docs(workspace, "circle_farewell")[ids["ae3"]]
    msg = _mail(workspace, eli_doc)
    method, ics = _calendar(msg) or ("", b"")
    assert method == "CANCEL" and _read(ics)["attendees"] == [emails[ids["ae3"]]]
    assert "O encontro semanal é retirado da sua agenda." in _body(msg)  # Eli reads Portuguese


@pytest.mark.parametrize("language", ["en", "fr", "es", "de", "pt"])
def test_the_line_about_the_calendar_is_said_in_each_shipped_language(language: str) -> None:
    from mentorctl.calendars import wording

    removed, updated = wording.removed(language), wording.updated("Cid", language)
    unnamed, renewed = wording.updated("", language), wording.renewed(language)
    assert removed.endswith(".") and "Cid" in updated
    assert all(line.endswith(".") and "{" not in line for line in (unnamed, renewed))
    if language != "en":
        assert removed != wording.removed("en") and updated != wording.updated("Cid", "en")
        assert unnamed != wording.updated("", "en") and renewed != wording.renewed("en")
