"""Taking a weekly meeting back out of calendars when people stop meeting (RFC 5546).

The invitation of a pair or a circle (:mod:`.invitation`) stays in its attendees' calendars
until its organiser says otherwise. When a pair ends early, or a circle closes, each person
is sent the series' ``METHOD:CANCEL``: the same UID, a higher SEQUENCE, ``STATUS:CANCELLED``,
every attendee listed; mail clients then remove the meeting. When a member leaves a circle
that goes on, the leaver gets a CANCEL naming only them, and the others an updated
``METHOD:REQUEST`` of the same series without the leaver (RFC 5546, 2.1.5 and 3.2.2).

A version outranks the ones before it by its SEQUENCE: the minutes from the group's first
day to when it is made (as the invitation counts them), and always above every version sent
earlier, whatever the clock says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from mentorctl.calendars import for_program, invitation, slots, wording

CANCEL = "CANCEL"
REQUEST = "REQUEST"


def sequence_after(start: dt.date, now: dt.datetime, earlier: Iterable[dt.datetime]) -> int:
    """The SEQUENCE of a version made at ``now`` of a meeting whose weeks begin on
    ``start``: the invitation's count of minutes, and one above each earlier version's."""
    done = [for_program._sequence(start, when) for when in earlier]
    return max([for_program._sequence(start, now), *(n + 1 for n in done)])


def cancelled(
    meeting: slots.Meeting,
    attendees: Sequence[slots.Attendee],
    *,
    group_id: str,
    names: Sequence[str],
    program: Any,
    language: str,
    now: dt.datetime,
    sequence: int,
) -> bytes:
    """The series' ``METHOD:CANCEL`` naming ``attendees`` (everyone when the whole group
    stops; only the leaver when one member leaves); its summary names the group as the
    invitation did (``names``), its description says the meeting is removed."""
    sender = program.data["sender"]
    return invitation.build(
        meeting,
        attendees,
        uid=invitation.uid_for(program.slug, group_id, str(sender["email"])),
        organiser_name=str(sender["name"]),
        organiser_email=str(sender["email"]),
        summary=wording.summary(program.name, list(names), language),
        description=wording.removed(language),
        stamp=now,
        sequence=sequence,
        method=CANCEL,
    )


def updated(
    meeting: slots.Meeting,
    attendees: list[slots.Attendee],
    *,
    group_id: str,
    start: dt.date,
    program: Any,
    language: str,
    now: dt.datetime,
    sequence: int,
) -> bytes:
    """The series' ``METHOD:REQUEST`` again, at the same time, to ``attendees`` (those who
    go on meeting), with ``sequence``: calendars replace the version they hold."""
    ics, _ = for_program.group_invitation(
        attendees,
        group_id=group_id,
        start=start,
        program=program,
        now=now,
        language=language,
        meeting=meeting,
        sequence=sequence,
    )
    return ics


__all__ = ["CANCEL", "REQUEST", "cancelled", "sequence_after", "updated"]
