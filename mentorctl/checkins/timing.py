"""When things happened to a pair, as the schedule needs it (pure: reads documents only).

The day each pair's latest answer arrived, whether a person is on pause on a day (read
through :func:`mentorctl.history.events.pause_on`, so a pause ended early with ``pause
--end`` ends here too), and a pair's introduction day, whether a scheduled message was made
in its current program week, and the day its last step was made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mentorctl.checkins import schedule
from mentorctl.history import events

if TYPE_CHECKING:
    from mentorctl.store.db import Store

ANSWERS = "answers"
# A pair's one message per person per program week, and the two that end the program.
SCHEDULED_KINDS = frozenset({"weekly", "wrapup", "lapsed"})
FINAL_KINDS = frozenset({"wrapup", "lapsed"})


def last_answer_days(store: Store) -> dict[str, dt.date]:
    """The day each pair's latest answer arrived (``at``; else when it was last updated)."""
    last: dict[str, dt.date] = {}
    shared = circle_mentors(store)
    for doc in store.documents(ANSWERS).values():
        day = schedule.parse_day(doc.get("at") or doc.get("updated"))
        for pair in shared.get((doc.get("pair"), doc.get("person")), [doc.get("pair")]):
            if pair is not None and day is not None and day > last.get(pair, dt.date.min):
                last[pair] = day
    return last


def circle_mentors(store: Store) -> dict[tuple[str, str], list[str]]:
    """(pair, a mentor of its circle) -> every member pair of the circle: a circle's mentor
    (or co-mentor) gets one message a week for the circle, so their answer counts for each
    member pair (see :mod:`mentorctl.checkins.circle_weekly`)."""
    circles: dict[str, list[str]] = {}
    mentors: dict[str, set[str]] = {}
    for doc in store.documents("pairs").values():
        if doc.get("circle") and doc.get("id"):
            circles.setdefault(doc["circle"], []).append(doc["id"])
            mentors.setdefault(doc["circle"], set()).add(doc["mentor"])
    for doc in store.documents("circles").values():  # a co-mentor answers for it too
        if doc.get("id") in mentors:
            mentors[doc["id"]].update(doc.get("mentors") or ())
    return {
        (pid, mentor): pids
        for cid, pids in circles.items()
        for pid in pids
        for mentor in mentors[cid]
    }


def on_hold(person: dict[str, Any] | None, today: dt.date) -> bool:
    """A person on pause today (``mentorctl pause``, not ended early) gets nothing."""
    return person is not None and events.pause_on(person, today) is not None


def timing(
    pair: dict[str, Any],
    docs: Iterable[dict[str, Any]],
    start: dt.date | None,
    today: dt.date,
    *,
    duration: int,
    answered: dt.date | None,
) -> dict[str, Any]:
    """The :class:`~mentorctl.checkins.schedule.PairState` fields about when things happened:
    the introduction's day, whether a weekly message was made in the current program week,
    the day the last step was made, the weeks week 1 came late (``offset``), and the pair's
    program week the latest answer arrived in."""
    if start is None:
        return {}
    week = schedule.week_of(start, today)
    this_week, last_step, offset = False, None, 0
    for doc in docs:
        if doc["kind"] != "weekly":
            continue
        made = schedule.parse_day(doc.get("created"))
        if made is None:
            continue
        if schedule.week_of(start, made) == week and made <= today:
            this_week = True
        if doc["week"] == duration:
            last_step = made if last_step is None else min(last_step, made)
        if doc["week"] == 1:
            offset = max(0, schedule.week_of(start, made) - 1)
    return {
        "introduced": schedule.parse_day(pair.get("introduced")),
        "sent_this_week": this_week,
        "last_step_day": last_step,
        "last_answer_at_week": schedule.week_of(start, answered) - offset if answered else 0,
        "offset": offset,
    }


def last_answer_weeks(store: Store) -> dict[str, int]:
    last: dict[str, int] = {}
    shared = circle_mentors(store)
    for doc in store.documents(ANSWERS).values():
        week = doc.get("week")
        for pair in shared.get((doc.get("pair"), doc.get("person")), [doc.get("pair")]):
            if pair is not None and isinstance(week, int) and week > last.get(pair, 0):
                last[pair] = week
    return last


def still_current(
    doc: dict[str, Any], status: str, week: int, duration: int, start: dt.date | None = None
) -> bool:
    """Whether an undelivered message is still worth delivering: the week's message during its
    own week (a stale one is never sent late), the final message once the program is over."""
    kind = doc["kind"]
    if kind in FINAL_KINDS and (status in ("completed", "lapsed") or week > duration):
        return True
    if kind in SCHEDULED_KINDS or kind == "nudge":
        # The week's message, or one made late (week 1, the last step) in this week.
        made = schedule.parse_day(doc.get("created"))
        late = start is not None and made is not None and schedule.week_of(start, made) == week
        return status in schedule.SCHEDULED and (doc["week"] == week or late)
    return False
