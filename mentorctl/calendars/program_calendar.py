"""The program's calendar for an admin to subscribe to (pure: no I/O).

One all-day event per week of each round: the week's guide step on the seven days of that
week, counted from the day the round began (mentorctl.history.program_rounds). Published
(``METHOD:PUBLISH``) rather than sent: it invites no one. Each event's UID names the program,
the round and the week, so a calendar written again replaces its events instead of adding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from mentorctl.calendars.invitation import PRODID, uid_for


def build(
    rounds: Mapping[int, dt.date],
    guide: Sequence[Mapping[str, Any]],
    *,
    program_slug: str,
    program_name: str,
    sender_email: str,
    stamp: dt.datetime,
) -> bytes:
    """The calendar of ``rounds`` ({round: the day it began}) through the ``guide`` steps."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{program_name}: weekly steps")
    several = len(rounds) > 1
    for number, began in sorted(rounds.items()):
        for step in guide:
            week = int(step["week"])
            first = began + dt.timedelta(weeks=week - 1)
            event = Event()
            event.add("uid", uid_for(program_slug, f"round{number}-week{week}", sender_email))
            event.add("dtstamp", stamp.astimezone(dt.UTC))
            event.add("dtstart", first)
            event.add("dtend", first + dt.timedelta(days=7))
            where = f"round {number}, week {week}" if several else f"week {week}"
            event.add("summary", f"{program_name}, {where}: {step['title']}")
            event.add("description", " ".join(str(step.get("together") or "").split()))
            event.add("transp", "TRANSPARENT")  # a step to follow, not a busy week
            event.add("categories", [program_name])
            cal.add_component(event)
    return cal.to_ical()
