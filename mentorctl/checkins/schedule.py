"""Program weeks: which message a pair is due on a given day (pure: no I/O, no clock).

A pair's week 1 starts on its ``start_date`` (set when it is introduced) and each week is
seven days: ``week = (today - start_date).days // 7 + 1``. On any day a pair gets at most one
new message, chosen in this order:

1. **wrap-up**: the program is over (``week > duration``), or an admin completed the pair
   early; sent once, and the pair is (or stays) completed;
2. **nudge**: the pair is quiet, i.e. ``quiet_after`` whole weeks have passed without a
   check-in answer from either person (counted from the last answered week, or from the
   start); one nudge per quiet spell. An answer ends the spell and the pair is active again;
3. **weekly**: the current week's guide step and check-in, once per week. Weeks in which the
   job did not run are not caught up one by one: only the current week's message is due.

The order means that a pair which turns quiet on the first day of a week gets its nudge
that day and the week's message on the next run, which is why the sample crontab runs the
check-in daily: a run on a day with nothing due sends nothing.
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
    weekly_weeks: Collection[int] = ()  # weeks that already have their weekly message
    nudge_weeks: Collection[int] = ()  # weeks in which a nudge was sent
    has_wrapup: bool = False
    wrapup_due: bool = False  # set when a pair was completed early (and wants a wrap-up)
    last_answer_week: int = 0  # the latest week either person answered for (0: none)
    quiet_since: int | None = None  # the week the current quiet spell began


@dataclass(frozen=True)
class Step:
    """What to do for one pair today: a message to send and the pair's status afterwards."""

    week: int  # the pair's current program week (clamped to 1..duration)
    message: str | None = None  # weekly | nudge | wrapup, or None
    status: str | None = None  # the new status, when it changes
    quiet_since: int | None = None  # with status "quiet": the week the spell began
    silent_weeks: int = 0  # whole weeks without an answer


def plan(state: PairState, today: dt.date, *, duration: int, quiet_after: int) -> Step | None:
    """The step due for a pair today, or None when it is not on the schedule today."""
    if state.start is None:
        return None
    week = week_of(state.start, today)
    current = min(max(week, 1), duration)
    if state.status == "completed":
        if state.wrapup_due and not state.has_wrapup:
            return Step(current, message="wrapup")
        return None
    if state.status not in SCHEDULED or week < 1:
        return None
    if week > duration:
        return Step(duration, message=None if state.has_wrapup else "wrapup", status="completed")
    silent = max(0, (week - 1) - state.last_answer_week)
    quiet_since = None
    if silent >= quiet_after:
        quiet_since = state.quiet_since if state.status == "quiet" and state.quiet_since else week
        changed = state.status != "quiet" or state.quiet_since != quiet_since
        status = "quiet" if changed else None
        if not any(w >= quiet_since for w in state.nudge_weeks):
            return Step(current, "nudge", status, quiet_since, silent)
    else:
        status = "active" if state.status == "quiet" else None
    if week in state.weekly_weeks:
        return Step(current, None, status, quiet_since, silent) if status else None
    return Step(current, "weekly", status, quiet_since, silent)
