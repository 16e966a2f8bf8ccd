"""Program weeks: which message a pair is due on a given day (pure: no I/O, no clock).

A pair's week 1 starts on its ``start_date`` (the day its introduction was delivered) and
each week is seven days: ``week = (today - start_date).days // 7 + 1``. A pair gets one
scheduled message per person per program week, whatever the cadence of the cron job:

- weeks ``1 .. duration - 1``: the week's guide step and check-in (``weekly``). A quiet pair's
  nudge is a paragraph inside that message, never a message of its own;
- the last week: the wrap-up (``wrapup``) in place of the week's message, or, for a pair from
  which nobody ever answered, a short kind ``lapsed`` message;
- after the last week, no message (unless the last week's was missed: then it is sent now)
  and the pair ends as ``completed``, or as ``lapsed`` when nobody ever answered.

Weeks in which the job did not run are not caught up one by one: only the current week's
message is due. **Silence** counts only weeks whose message reached the pair (written to the
outbox or accepted by the SMTP server for both people) and that are over: a pair is quiet
when ``quiet_after`` such weeks in a row had no answer, so missed runs and failed deliveries
are never silence. An answer ends the quiet spell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

# Pairs that follow the weekly schedule; paused pairs get nothing until they are resumed.
SCHEDULED = frozenset({"active", "quiet"})


def parse_day(value: Any) -> dt.date | None:
    """A date as the store keeps it (ISO, perhaps with a time), or None if there is none."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def week_of(start: dt.date, day: dt.date) -> int:
    """The program week ``day`` falls in (1 on the start date; 0 or less before it)."""
    return (day - start).days // 7 + 1


@dataclass(frozen=True)
class PairState:
    """What the schedule needs to know about one pair, read from the store."""

    status: str
    start: dt.date | None
    weekly_weeks: Collection[int] = ()  # weeks that already have their scheduled message
    reached_weeks: Collection[int] = ()  # weeks whose message reached both people
    has_final: bool = False  # the wrap-up (or the lapsed message) was made
    wrapup_due: bool = False  # set when a pair was completed early (and wants a wrap-up)
    last_answer_week: int = 0  # the latest week either person answered for (0: none)
    answered: bool = False  # anyone ever answered a check-in of this pair
    quiet_since: int | None = None  # the week the current quiet spell began
    on_hold: bool = False  # a person of the pair is paused (away) today


@dataclass(frozen=True)
class Step:
    """What to do for one pair today: a message to send and the pair's status afterwards."""

    week: int  # the pair's current program week (clamped to 1..duration)
    message: str | None = None  # weekly | wrapup | lapsed, or None
    status: str | None = None  # the new status, when it changes
    quiet_since: int | None = None  # with status "quiet": the week the spell began
    silent_weeks: int = 0  # weeks that reached the pair without an answer
    nudge: bool = False  # the week's message carries the quiet pair's nudge


def silent_weeks(reached: Collection[int], last_answer_week: int, week: int) -> int:
    """Weeks that reached the pair, are over, and came after the last answered week."""
    return sum(1 for w in reached if last_answer_week < w < week)


def final_kind(answered: bool) -> str:
    return "wrapup" if answered else "lapsed"


def plan(state: PairState, today: dt.date, *, duration: int, quiet_after: int) -> Step | None:
    """The step due for a pair today, or None when it is not on the schedule today."""
    if state.start is None:
        return None
    week = week_of(state.start, today)
    current = min(max(week, 1), duration)
    if state.status == "completed":
        if state.wrapup_due and not state.has_final:
            return Step(current, message="wrapup")
        return None
    if state.status not in SCHEDULED or week < 1 or state.on_hold:
        return None
    if week > duration:
        message = None if state.has_final else final_kind(state.answered)
        return Step(duration, message=message, status="completed" if state.answered else "lapsed")
    silent = silent_weeks(state.reached_weeks, state.last_answer_week, week)
    quiet_since = None
    status: str | None = None
    if silent >= quiet_after:
        quiet_since = state.quiet_since if state.status == "quiet" and state.quiet_since else week
        if state.status != "quiet" or state.quiet_since != quiet_since:
            status = "quiet"
    elif state.status == "quiet":
        status = "active"
    if week in state.weekly_weeks:
        return Step(current, None, status, quiet_since, silent) if status else None
    kind = final_kind(state.answered) if week == duration else "weekly"
    nudge = kind == "weekly" and quiet_since is not None
    return Step(current, kind, status, quiet_since, silent, nudge=nudge)
