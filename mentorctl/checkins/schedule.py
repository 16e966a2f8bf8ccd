"""Program weeks: which message a pair is due on a given day (pure: no I/O, no clock).

A pair's week 1 starts on its ``start_date`` (the day its introduction was delivered) and
each week is seven days: ``week = (today - start_date).days // 7 + 1``. A pair gets one
scheduled message per person per program week, whatever the cadence of the cron job:

- weeks ``1 .. duration``: the week's guide step and check-in (``weekly``); the last week's
  is the last step ("Reflect and celebrate") with its check-in questions. A quiet pair's
  nudge is a paragraph inside that message, never a message of its own;
- **week 1 is never skipped**: its step and fit question stay due until they are made, even
  when the calendar is in a later week (a pair introduced after that week's run of a weekly
  cron job gets week 1 with the next run). The pair's weeks then count on from there: a
  pair whose week 1 came ``n`` weeks late is in its week ``k`` in calendar week ``k + n``
  (``offset``), and its program ends ``n`` weeks later. Week 1 is not made on the day of the
  introduction unless the program asks for it (``checkin.first_week_with_introduction``);
- **the last step reaches every pair still on**: when the runs missed the last week, it is
  made after the end instead;
- **the end**: once the last week is over and the last step has had a week of its own, the
  pair ends as ``completed`` (it answered in the last ``quiet_after`` weeks of the program,
  or gave wrap-up feedback) and gets the ``wrapup`` message, or as ``lapsed`` and gets a
  short kind ``lapsed`` message. No message speaks of the end before it has come. A pair
  whose two addresses were both refused for good ends the same way, judged on the same
  weeks, once its last week is over, and is sent nothing.

At most one scheduled message is made per pair in any program week: a week 1 made late takes
the place of that week's message. Weeks in which the job did not run are not caught up one by
one: only the current week's message is due. **Silence** counts only weeks whose message
reached the pair (written to the outbox or accepted by the SMTP server for both people) and
that are over: a pair is quiet when ``quiet_after`` such weeks in a row had no answer, so
missed runs and failed deliveries are never silence. An answer ends the quiet spell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

# The calendar arithmetic is the fold's, so the schedule and every display count alike.
from mentorctl.history.fold import parse_day as parse_day
from mentorctl.history.fold import week_of as week_of

# Pairs that follow the weekly schedule; paused pairs get nothing until they are resumed.
SCHEDULED = frozenset({"active", "quiet"})


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
    introduced: dt.date | None = None  # the day the introduction was delivered
    sent_this_week: bool = False  # a scheduled message was made in the current program week
    last_step_day: dt.date | None = None  # the day the last week's message was made
    last_answer_at_week: int = 0  # the pair's program week in which the latest answer arrived
    offset: int = 0  # weeks week 1 came late: the pair's weeks count on from there
    unreachable: bool = False  # both people's addresses refused for good: nothing can go


@dataclass(frozen=True)
class Step:
    """What to do for one pair today: a message to send and the pair's status afterwards."""

    week: int  # the pair's current program week (clamped to 1..duration)
    message: str | None = None  # weekly | wrapup | lapsed, or None
    status: str | None = None  # the new status, when it changes
    quiet_since: int | None = None  # with status "quiet": the week the spell began
    silent_weeks: int = 0  # weeks that reached the pair without an answer
    nudge: bool = False  # the week's message carries the quiet pair's nudge


def pair_week(state: PairState, today: dt.date) -> int:
    """The pair's own program week: its calendar week less the weeks its week 1 came late."""
    assert state.start is not None
    return week_of(state.start, today) - state.offset


def silent_weeks(reached: Collection[int], last_answer_week: int, week: int) -> int:
    """Weeks that reached the pair, are over, and came after the last answered week."""
    return sum(1 for w in reached if last_answer_week < w < week)


def outcome(state: PairState, *, duration: int, quiet_after: int) -> str:
    """``completed`` when the pair answered for, or in, one of the last ``quiet_after`` weeks
    (wrap-up feedback is an answer for the last week), else ``lapsed``."""
    since = duration - quiet_after + 1
    latest = max(state.last_answer_week, state.last_answer_at_week)
    return "completed" if state.answered and latest >= since else "lapsed"


def final_kind(status: str) -> str:
    return "wrapup" if status == "completed" else "lapsed"


def over(state: PairState, today: dt.date, *, duration: int) -> bool:
    """Whether the program is over for the pair: its last week is past, and its last step
    (made late when the runs missed the last week) has had a week of its own."""
    assert state.start is not None
    if pair_week(state, today) <= duration:
        return False
    if state.has_final or state.unreachable:
        # An older store: the wrap-up came in the last week. A pair nothing can reach ends
        # when its last week is over, without the last step it cannot get.
        return True
    if duration not in state.weekly_weeks:
        return False
    return state.last_step_day is None or today >= state.last_step_day + dt.timedelta(days=7)


def due_week(
    state: PairState, today: dt.date, *, duration: int, with_introduction: bool = False
) -> int | None:
    """The week whose ``weekly`` message is due today, if any."""
    assert state.start is not None
    if state.sent_this_week or state.has_final:
        return None
    week = pair_week(state, today)
    if 1 not in state.weekly_weeks:
        if state.introduced == today and not with_introduction:
            return None
        return 1
    if week <= duration:
        return None if week in state.weekly_weeks else week
    return None if duration in state.weekly_weeks else duration


def _quiet(state: PairState, week: int, quiet_after: int) -> tuple[str | None, int | None, int]:
    """The pair's new status (quiet, active again, or None), its spell's start, silent weeks."""
    silent = silent_weeks(state.reached_weeks, state.last_answer_week, week)
    if silent >= quiet_after:
        since = state.quiet_since if state.status == "quiet" and state.quiet_since else week
        if state.status != "quiet" or state.quiet_since != since:
            return "quiet", since, silent
        return None, since, silent
    if state.status == "quiet":
        return "active", None, silent
    return None, None, silent


def plan(
    state: PairState,
    today: dt.date,
    *,
    duration: int,
    quiet_after: int,
    with_introduction: bool = False,
) -> Step | None:
    """The step due for a pair today, or None when it is not on the schedule today."""
    if state.start is None:
        return None
    week = pair_week(state, today)
    current = min(max(week, 1), duration)
    if state.status == "completed":
        if state.wrapup_due and not state.has_final:
            return Step(current, message="wrapup")
        return None
    if state.status not in SCHEDULED or week < 1 or state.on_hold:
        return None
    if over(state, today, duration=duration):
        status = outcome(state, duration=duration, quiet_after=quiet_after)
        message = None if state.has_final or state.unreachable else final_kind(status)
        return Step(duration, message=message, status=status)
    status, quiet_since, silent = (
        _quiet(state, week, quiet_after) if week <= duration else (None, None, 0)
    )
    due = due_week(state, today, duration=duration, with_introduction=with_introduction)
    if due is None:
        return Step(current, None, status, quiet_since, silent) if status else None
    return Step(due, "weekly", status, quiet_since, silent, nudge=quiet_since is not None)
