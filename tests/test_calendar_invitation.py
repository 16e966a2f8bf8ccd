"""The invitation to a pair's weekly meeting: read by two independent parsers (icalendar and
vobject), its weeks expanded by recurring-ical-events inside both people's waking hours across
the March clock changes, its UID stable; the MIME part for the introduction; the attendees'
answers (iMIP REPLY and COUNTER) read back from a mail."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.calendars import invitation, slots
from mentorctl.calendars.slots import Attendee, NoCommonTime

icalendar = pytest.importorskip("icalendar", reason="icalendar is a runtime dependency")
vobject = pytest.importorskip("vobject", reason="the second parser: pip install -e '.[test]'")
recurring_ical_events = pytest.importorskip(
    "recurring_ical_events", reason="the expander: pip install -e '.[test]'"
)

ANN = Attendee("Ann Weber", "ann@example.org", "Europe/Berlin")
BO = Attendee("Bo Smith", "bo@example.org", "America/New_York")
MARCH = dt.date(2026, 3, 2)
STAMP = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
UID = invitation.uid_for("test-program", "M1", "mentoring@example.org")


def _build(meeting: slots.Meeting, people=(ANN, BO), **changes) -> bytes:
    args = {
        "uid": UID,
        "organiser_name": "Career Mentoring Team",
        "organiser_email": "mentoring@example.org",
        "summary": "Test Program: Ann Weber and Bo Smith",
        "description": "Your weekly conversation. " + slots.describe(meeting, list(people)),
        "stamp": STAMP,
    }
    args.update(changes)
    return invitation.build(meeting, list(people), **args)


@pytest.fixture(scope="module")
def march() -> tuple[slots.Meeting, bytes]:
    meeting = slots.propose([ANN, BO], first_day=MARCH, weeks=8)
    return meeting, _build(meeting)


def test_the_invitation_is_a_request_with_organiser_and_attendees(march) -> None:
    _, ics = march
    cal = icalendar.Calendar.from_ical(ics)
    assert str(cal["method"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == UID
    assert str(event["organizer"]) == "mailto:mentoring@example.org"
    assert event["organizer"].params["CN"] == "Career Mentoring Team"
    attendees = {str(a): a.params for a in event["attendee"]}
    assert set(attendees) == {"mailto:ann@example.org", "mailto:bo@example.org"}
    for params in attendees.values():
        assert params["PARTSTAT"] == "NEEDS-ACTION" and params["RSVP"] == "TRUE"
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and event["rrule"]["COUNT"] == [8]
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    # Names only: no address, zone or sign-up answer in what the calendar shows.
    for text in (str(event["summary"]), str(event["description"])):
        assert "@" not in text


def _expanded(ics: bytes) -> list[dt.datetime]:
    cal = icalendar.Calendar.from_ical(ics)
    found = recurring_ical_events.of(cal).between(dt.date(2026, 1, 1), dt.date(2029, 1, 1))
    return sorted(e["dtstart"].dt for e in found)


def test_two_parsers_and_the_expander_agree_on_every_week(march) -> None:
    meeting, ics = march
    by_icalendar = _expanded(ics)
    card = vobject.readOne(ics.decode("utf-8"))
    assert card.method.value == "REQUEST"
    assert card.vevent.uid.value == UID
    assert {a.value for a in card.vevent.attendee_list} == {
        "mailto:ann@example.org",
        "mailto:bo@example.org",
    }
    by_vobject = sorted(card.vevent.getrruleset(addRDate=True))
    assert len(by_icalendar) == len(by_vobject) == 8
    assert [d.astimezone(dt.UTC) for d in by_icalendar] == [
        d.astimezone(dt.UTC) for d in by_vobject
    ]
    assert [d.astimezone(dt.UTC) for d in by_icalendar] == [
        d.astimezone(dt.UTC) for d in meeting.held()
    ]


def test_every_expanded_week_falls_in_both_waking_days_across_the_clock_changes(march) -> None:
    _, ics = march
    seen_in_new_york = set()
    for start in _expanded(ics):
        for person in (ANN, BO):
            local = start.astimezone(ZoneInfo(person.timezone or "UTC"))
            end = local + dt.timedelta(minutes=45)
            assert dt.time(8) <= local.time() and end.time() <= dt.time(21), (person.name, local)
            if person is BO:
                seen_in_new_york.add(local.strftime("%H:%M"))
    # The weeks span New York's change (8 March) and Berlin's (29 March).
    assert seen_in_new_york == {"12:00", "13:00"}


def test_holidays_are_left_out_with_exdate() -> None:
    ann = Attendee("Ann", "ann@example.org", "Europe/Berlin", available="Fridays")
    cat = Attendee("Cat", "cat@example.org", "Europe/London", available="Fridays")
    meeting = slots.propose([ann, cat], first_day=dt.date(2026, 12, 21), weeks=3)
    ics = _build(meeting, (ann, cat))
    assert b"EXDATE;TZID=Europe/Berlin:20261225T" in ics
    assert [d.date() for d in _expanded(ics)] == [dt.date(2027, 1, 8)]
    card = vobject.readOne(ics.decode("utf-8"))
    assert [d.date() for d in card.vevent.getrruleset(addRDate=True)] == [dt.date(2027, 1, 8)]


def test_a_fixed_offset_group_is_written_in_utc() -> None:
    people = [
        Attendee("Ola", "ola@example.org", "UTC+1"),
        Attendee("Raj", "raj@example.org", "+05:30"),
    ]
    meeting = slots.propose(people, first_day=MARCH, weeks=4)
    ics = _build(meeting, people)
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert event["dtstart"].dt.utcoffset() == dt.timedelta(0)
    assert b"\r\nDTSTART:20260303T" in ics and b"Z\r\nDTEND:" in ics
    assert b"VTIMEZONE" not in ics
    assert len(_expanded(ics)) == 4


def test_the_uid_is_the_same_for_the_pair_every_time_and_differs_between_pairs(march) -> None:
    meeting, ics = march
    later = _build(meeting, stamp=STAMP + dt.timedelta(days=20))
    assert _uid(later) == _uid(ics) == UID
    assert invitation.uid_for("test-program", "M1", "mentoring@example.org") == UID
    assert invitation.uid_for("test-program", "M2", "mentoring@example.org") != UID
    assert invitation.uid_for("other-program", "M1", "mentoring@example.org") != UID


def _uid(ics: bytes) -> str:
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return str(event["uid"])


def _introduction(ics: bytes) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Career Mentoring Team <mentoring@example.org>"
    mail["To"] = "ann@example.org, bo@example.org"
    mail["Subject"] = "Meet your match"
    mail.set_content("Hello both!")
    mail.make_mixed()
    mail.attach(invitation.mime_part(ics))
    return mail.as_bytes(policy=email.policy.SMTP)


def test_the_mime_part_carries_the_invitation_intact(march) -> None:
    _, ics = march
    raw = _introduction(ics)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert part.get_payload(decode=True).replace(b"\r\n", b"\n") == ics.replace(b"\r\n", b"\n")
    # An invitation is not an answer to one.
    assert invitation.parse_reply(raw) is None


def _answer(ics: bytes, who: str, partstat: str, method: str = "REPLY", start=None) -> bytes:
    """What a calendar client sends back: the event with only the answering attendee."""
    cal = icalendar.Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    reply = icalendar.Calendar()
    reply.add("prodid", "-//A calendar client//EN")
    reply.add("version", "2.0")
    reply.add("method", method)
    answered = icalendar.Event()
    answered.add("uid", event["uid"])
    answered.add("dtstamp", STAMP)
    answered.add("dtstart", start or event["dtstart"].dt)
    address = icalendar.vCalAddress(f"mailto:{who}")
    address.params["PARTSTAT"] = partstat
    answered.add("attendee", address)
    answered.add("organizer", event["organizer"])
    reply.add_component(answered)
    return reply.to_ical()


def _mailed(body: bytes, method: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Bo Smith <Bo@Example.org>"
    mail["To"] = "mentoring@example.org"
    mail["Subject"] = "Accepted: Test Program: Ann Weber and Bo Smith"
    mail.set_content("Bo Smith has accepted this invitation.")
    mail.add_alternative(body.decode(), subtype="calendar", params={"method": method})
    return mail.as_bytes(policy=email.policy.SMTP)


@pytest.mark.parametrize("partstat", ["ACCEPTED", "DECLINED", "TENTATIVE"])
def test_an_answer_mailed_back_is_read(march, partstat: str) -> None:
    _, ics = march
    body = _answer(ics, "Bo@Example.org", partstat)
    expected = invitation.Reply(UID, "bo@example.org", partstat)
    assert invitation.parse_reply(_mailed(body, "REPLY")) == expected
    assert invitation.parse_reply(body) == expected


def test_a_counter_proposal_carries_the_time_proposed(march) -> None:
    _, ics = march
    proposed = dt.datetime(2026, 3, 4, 19, 0, tzinfo=dt.UTC)
    body = _answer(ics, "ann@example.org", "NEEDS-ACTION", method="COUNTER", start=proposed)
    reply = invitation.parse_reply(_mailed(body, "COUNTER"))
    assert reply == invitation.Reply(UID, "ann@example.org", "COUNTER", proposed)


@pytest.mark.parametrize(
    "data",
    [
        b"Thanks, see you Tuesday!",
        b"BEGIN:VCALENDAR\r\nthis is not a calendar",
        b"From: a@example.org\r\nSubject: hi\r\n\r\nno calendar here\r\n",
    ],
)
def test_anything_else_is_no_answer(data: bytes) -> None:
    assert invitation.parse_reply(data) is None


def test_the_invitation_rides_along_as_an_alternative_of_the_introduction(march) -> None:
    _, ics = march
    intro = EmailMessage(policy=email.policy.SMTP)
    intro["From"] = "mentoring@example.org"
    intro["To"] = "ann@example.org, bo@example.org"
    intro["Subject"] = "Meet your match: Ann and Bo"
    intro.set_content("Hello both! Your first meeting: Tuesdays 18:00 (Ann), 12:00 (Bo).")
    intro.add_alternative("<p>Hello both!</p>", subtype="html")
    invitation.add_to(intro, ics)
    parsed = email.message_from_bytes(intro.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    types = [p.get_content_type() for p in parsed.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    calendar = list(parsed.iter_parts())[2]
    assert calendar.get_param("method") == "REQUEST"
    assert _uid(calendar.get_payload(decode=True)) == UID
    assert invitation.parse_reply(intro.as_bytes()) is None


ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Africa/Lagos",
    "Pacific/Auckland",
    "UTC+3",
]
ANSWERS = [None, "weekday evenings", "weekends", "Tuesdays, Thursdays", "mornings", "afternoons"]


@settings(max_examples=40, deadline=None)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(ZONES), st.sampled_from(ANSWERS)), min_size=2, max_size=4
    ),
    first=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
    weeks=st.integers(min_value=1, max_value=12),
)
def test_every_proposed_meeting_fits_every_attendee(people, first, weeks) -> None:
    group = [
        Attendee(f"P{i}", f"p{i}@example.org", z, available=a) for i, (z, a) in enumerate(people)
    ]
    try:
        meeting = slots.propose(group, first_day=first, weeks=weeks)
    except NoCommonTime:
        return
    assert len(meeting.starts()) == weeks and meeting.held()
    # The weeks as a calendar reads them from the file, not as the module computed them.
    expanded = _expanded(_build(meeting, group))
    assert len(expanded) == len(meeting.held())
    for start in expanded:
        for person in group:
            tz = slots.zone(person.timezone, first)
            local = start.astimezone(tz)
            end = local + dt.timedelta(minutes=45)
            assert local.date() == end.date()
            assert dt.time(8) <= local.time() and end.time() <= dt.time(21), (person, local)
            given_windows = slots.windows(person.available)
            if given_windows is not None:
                minute = local.hour * 60 + local.minute
                assert any(
                    d == local.weekday() and a <= minute and minute + 45 <= b
                    for d, a, b in given_windows
                )


def test_an_answers_uid_names_its_pair_in_its_program_only() -> None:
    assert invitation.group_of(UID, "test-program") == "M1"
    circle = invitation.uid_for("test-program", "C-12", "team@example.org")
    assert invitation.group_of(circle, "test-program") == "C-12"
    assert invitation.group_of(UID, "other-program") is None
    assert invitation.group_of(UID.replace("-M1-", "-M2-"), "test-program") is None
    assert (
        invitation.group_of("040000008200E00074C5B7101A82E008@outlook.com", "test-program") is None
    )


def test_an_answer_listing_both_people_is_the_senders() -> None:
    """A client may list both attendees, in the organiser's order: the answer is the one
    whose address sent it (else the only one who answered), never simply the first."""
    from icalendar import Calendar, Event, vCalAddress

    def ics(method: str, states: dict[str, str]) -> bytes:
        cal = Calendar()
        cal.add("prodid", "-//test//EN")
        cal.add("version", "2.0")
        cal.add("method", method)
        event = Event()
        event.add("uid", "prog-M1-abc@example.org")
        event.add("dtstart", dt.datetime(2026, 3, 10, 18, tzinfo=dt.UTC))
        for who, state in states.items():
            person = vCalAddress(f"mailto:{who}@example.org")
            person.params["PARTSTAT"] = state
            event.add("attendee", person)
        cal.add_component(event)
        return cal.to_ical()

    both = {"ann": "NEEDS-ACTION", "meg": "ACCEPTED"}
    reply = invitation.parse_reply(ics("REPLY", both))
    assert reply is not None and reply.attendee == "ann@example.org"  # listed first
    assert reply.of("meg@example.org")[1:3] == ("meg@example.org", "ACCEPTED")
    assert reply.of("someone@else.org")[1:3] == ("meg@example.org", "ACCEPTED")  # who answered
    counter = invitation.parse_reply(ics("COUNTER", {"ann": "NEEDS-ACTION", "meg": "NEEDS-ACTION"}))
    assert counter is not None
    assert counter.of("meg@example.org")[1:3] == ("meg@example.org", "COUNTER")
    alone = invitation.parse_reply(ics("REPLY", {"ann": "DECLINED"}))
    assert alone is not None and alone.of("meg@example.org")[1:3] == ("ann@example.org", "DECLINED")
