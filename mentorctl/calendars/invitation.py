"""The iCalendar invitation to a weekly meeting (RFC 5545, sent per RFC 5546/6047 iMIP), the
MIME part that carries it, and reading an attendee's answer to it.

The invitation is one VEVENT with a weekly RRULE over the program's weeks, its times in the
anchor zone with a VTIMEZONE (or in UTC for a fixed offset), holidays left out with EXDATE.
Its UID is stable per pair (``uid_for``), so sending it again updates the meeting in the
attendees' calendars instead of adding a second one; a changed time goes out with a higher
SEQUENCE. SUMMARY and DESCRIPTION hold the program's name and the attendees' names, nothing
else about them.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage, Message
from typing import Any, NamedTuple

from mentorctl.calendars.slots import Attendee, Meeting

PRODID = "-//mentorctl//Meetings//EN"
PARTSTATS = ("ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED", "NEEDS-ACTION")


def uid_for(program_slug: str, group_id: str, sender_email: str) -> str:
    """The meeting's UID: the same for a pair (or circle) every time it is built, unique
    across programs and senders, with no personal data in it."""
    domain = (sender_email.rpartition("@")[2] or "mentorctl.invalid").lower()
    return f"{program_slug}-{group_id}-{_digest(program_slug, group_id)}@{domain}"


def _digest(program_slug: str, group_id: str) -> str:
    return hashlib.sha256(f"{program_slug}\0{group_id}".encode()).hexdigest()[:16]


def group_of(uid: str, program_slug: str) -> str | None:
    """The pair (or circle) id a meeting's UID was made for by ``uid_for`` in this program;
    None for any other UID (another program's, another organiser's, or a made-up one)."""
    local = uid.rpartition("@")[0]
    if not local.startswith(f"{program_slug}-"):
        return None
    group_id, _, digest = local[len(program_slug) + 1 :].rpartition("-")
    return group_id if group_id and digest == _digest(program_slug, group_id) else None


def _address(email_address: str, name: str | None = None, **params: str):
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{email_address}")
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.upper().replace("_", "-")] = value
    return address


def build(
    meeting: Meeting,
    attendees: Sequence[Attendee],
    *,
    uid: str,
    organiser_name: str,
    organiser_email: str,
    summary: str,
    description: str,
    stamp: dt.datetime,
    sequence: int = 0,
    method: str = "REQUEST",
) -> bytes:
    """The invitation (``METHOD:REQUEST``) as the bytes of a .ics file; with ``method``
    CANCEL, the same series taken back (``STATUS:CANCELLED``, see :mod:`.cancel`)."""
    from icalendar import Calendar, Event, vRecur

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cancelled = method == "CANCEL"
    key = getattr(meeting.start.tzinfo, "key", None)
    if key:
        cal.add_component(_vtimezone(str(key), meeting))
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("description", description)
    start = _as_written(meeting.start)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=meeting.minutes))
    event.add("rrule", vRecur({"FREQ": "WEEKLY", "COUNT": meeting.weeks}))
    if meeting.skipped:
        event.add("exdate", [_as_written(s) for s in meeting.skipped])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organiser_email, organiser_name))
    answer = {} if cancelled else {"partstat": "NEEDS-ACTION", "rsvp": "TRUE"}
    for person in attendees:
        event.add(
            "attendee",
            _address(
                person.email, person.name, cutype="INDIVIDUAL", role="REQ-PARTICIPANT", **answer
            ),
        )
    cal.add_component(event)
    return cal.to_ical()


def _vtimezone(key: str, meeting: Meeting):
    """The VTIMEZONE of the anchor zone over the meeting's years only: one transition per
    change of the clocks, which every reader takes the same way (the same zone's rules since
    1970, as lists of dates, are read wrongly by some)."""
    from icalendar import Timezone

    first = dt.date(meeting.start.year, 1, 1)
    last = dt.date((meeting.start + dt.timedelta(weeks=meeting.weeks)).year + 1, 1, 1)
    return Timezone.from_tzid(key, first_date=first, last_date=last)


def _as_written(moment: dt.datetime) -> dt.datetime:
    """A start as the file holds it: in its IANA zone (TZID and VTIMEZONE), else in UTC."""
    if getattr(moment.tzinfo, "key", None):
        return moment
    return moment.astimezone(dt.UTC)


def mime_part(ics: bytes, *, method: str = "REQUEST", filename: str = "invite.ics") -> EmailMessage:
    """The ``text/calendar; method=REQUEST`` part to attach to an introduction (RFC 6047):
    mail clients show it as an invitation with accept and decline buttons."""
    part = EmailMessage(policy=email.policy.SMTP)
    part.set_content(
        ics.decode("utf-8"),
        subtype="calendar",
        charset="utf-8",
        cte="quoted-printable",
        params={"method": method, "name": filename},
    )
    return part


def add_to(message: EmailMessage, ics: bytes, *, method: str = "REQUEST") -> EmailMessage:
    """``message`` (an introduction: text, or text and HTML) with the invitation as one more
    alternative, ``multipart/alternative`` of text, HTML and ``text/calendar``, the shape that
    Outlook, Gmail, Apple Mail and Thunderbird show as an invitation to answer."""
    message.add_alternative(
        ics.decode("utf-8"), subtype="calendar", charset="utf-8", params={"method": method}
    )
    return message


class Reply(NamedTuple):
    """An attendee's answer to an invitation: ``partstat`` is ACCEPTED, DECLINED, TENTATIVE...
    for a REPLY, or COUNTER for a counter-proposal, with the time they proposed."""

    uid: str
    attendee: str
    partstat: str
    proposed: dt.datetime | None = None
    # Every attendee the answer lists, (address, PARTSTAT): a client may list both people
    # of the pair, in the organiser's order, the one answering not first.
    attendees: tuple[tuple[str, str], ...] = ()

    def of(self, sender: str) -> Reply:
        """The answer as the person who sent it gave it: the attendee with the sender's
        address; else the only one who answered; else the one listed."""
        listed = dict(self.attendees)
        if len(listed) < 2:
            return self
        answered = [a for a, p in self.attendees if p not in ("NEEDS-ACTION", "")]
        who = sender if sender in listed else (answered[0] if len(answered) == 1 else None)
        if who is None:
            return self
        partstat = "COUNTER" if self.partstat == "COUNTER" else listed[who]
        return self._replace(attendee=who, partstat=partstat)


def _calendar_bytes(data: bytes) -> bytes | None:
    """The iCalendar text in ``data``: the data itself, or a mail's text/calendar part."""
    if data.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        return data
    message: Message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload
    for part in message.walk():
        if part.get_content_type() == "application/ics" or (
            part.get_filename() or ""
        ).lower().endswith(".ics"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload
    return None


def _mailto(attendee: Any) -> str:
    text = str(attendee)
    return (text[7:] if text.lower().startswith("mailto:") else text).lower()


def _partstat(attendee: Any) -> str:
    params = getattr(attendee, "params", {})
    found = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    return found if found in PARTSTATS else "NEEDS-ACTION"


def parse_reply(data: bytes) -> Reply | None:
    """The answer in ``data`` (a .ics body, or a whole mail carrying one): None when it holds
    no iMIP REPLY or COUNTER (an invitation, a published calendar, or no calendar at all)."""
    from icalendar import Calendar

    body = _calendar_bytes(data)
    if body is None:
        return None
    try:
        cal = Calendar.from_ical(body)
    except ValueError:
        return None
    method = str(cal.get("method") or "").upper()
    if method not in ("REPLY", "COUNTER"):
        return None
    for event in cal.walk("VEVENT"):
        uid = str(event.get("uid") or "")
        found = event.get("attendee")
        if not uid or found is None:
            continue
        listed = found if isinstance(found, list) else [found]
        everyone = tuple((_mailto(a), _partstat(a)) for a in listed)
        address, partstat = everyone[0]
        everyone = everyone if len(everyone) > 1 else ()  # one attendee: nothing to choose
        if method == "COUNTER":
            start = event.get("dtstart")
            proposed = start.dt if start is not None else None
            if isinstance(proposed, dt.date) and not isinstance(proposed, dt.datetime):
                proposed = dt.datetime.combine(proposed, dt.time(), tzinfo=dt.UTC)
            return Reply(uid, address, "COUNTER", proposed, everyone)
        return Reply(uid, address, partstat, None, everyone)
    return None
