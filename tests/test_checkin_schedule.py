"""The schedule: program weeks, what is due on a day, never twice, no burst after a gap."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorctl.checkins import schedule
from mentorctl.checkins.schedule import PairState, Step

START = dt.date(2026, 3, 2)


def day(week: int, offset: int = 0) -> dt.date:
    return START + dt.timedelta(days=7 * (week - 1) + offset)


def plan(state: PairState, on: dt.date, duration: int = 8, quiet_after: int = 2) -> Step | None:
    return schedule.plan(state, on, duration=duration, quiet_after=quiet_after)


@pytest.mark.parametrize(
    "on, week",
    [
        (day(1), 1),
        (day(1, 6), 1),
        (day(2), 2),
        (day(8, 6), 8),
        (day(9), 9),
        (START - dt.timedelta(days=1), 0),
    ],
)
def test_week_of(on: dt.date, week: int) -> None:
    assert schedule.week_of(START, on) == week


def test_first_day_is_week_one() -> None:
    assert plan(PairState("active", START), START) == Step(1, "weekly")


def test_nothing_before_the_start_or_without_one() -> None:
    assert plan(PairState("active", START), START - dt.timedelta(days=3)) is None
    assert plan(PairState("active", None), START) is None


@pytest.mark.parametrize("status", ["proposed", "paused", "ended", "not_fit"])
def test_pairs_off_the_schedule_get_nothing(status: str) -> None:
    assert plan(PairState(status, START, last_answer_week=5), day(3)) is None


def test_once_per_week() -> None:
    state = PairState("active", START, weekly_weeks={1}, reached_weeks={1})
    assert plan(state, day(1, 3)) is None
    assert plan(state, day(2)) == Step(2, "weekly", silent_weeks=1)


def test_a_missed_week_is_caught_up_with_the_current_one_only() -> None:
    state = PairState("active", START, weekly_weeks={1}, reached_weeks={1}, last_answer_week=4)
    assert plan(state, day(5, 2)) == Step(5, "weekly")


def test_quiet_after_two_reached_weeks_without_answers_nudge_inside_the_weekly() -> None:
    # weeks 1 and 2 reached the pair without an answer: at the start of week 3 it is quiet,
    # and week 3's message (the guide and check-in) carries the nudge: one message, not two
    state = PairState("active", START, weekly_weeks={1, 2}, reached_weeks={1, 2})
    assert plan(state, day(3)) == Step(3, "weekly", "quiet", 3, 2, nudge=True)
    done = PairState("quiet", START, weekly_weeks={1, 2, 3}, reached_weeks={1, 2, 3}, quiet_since=3)
    assert plan(done, day(3, 1)) is None
    assert plan(done, day(4)) == Step(4, "weekly", None, 3, 3, nudge=True)


def test_missed_runs_and_failed_deliveries_are_not_silence() -> None:
    # the cron job did not run in weeks 1-3: nothing reached the pair, so it is not quiet
    missed = PairState("active", START)
    assert plan(missed, day(4)) == Step(4, "weekly")
    # weeks 1-2 were made but their delivery failed
    failed = PairState("active", START, weekly_weeks={1, 2}, reached_weeks=())
    assert plan(failed, day(3)) == Step(3, "weekly")
    # only one of the two weeks reached it
    one = PairState("active", START, weekly_weeks={1, 2}, reached_weeks={2})
    assert plan(one, day(3)) == Step(3, "weekly", silent_weeks=1)


def test_an_answer_ends_the_quiet_spell() -> None:
    back = PairState(
        "quiet",
        START,
        weekly_weeks={1, 2, 3},
        reached_weeks={1, 2, 3},
        quiet_since=3,
        last_answer_week=3,
        answered=True,
    )
    assert plan(back, day(4)) == Step(4, "weekly", "active", None, 0)
    again = PairState(
        "active", START, weekly_weeks={1, 2, 3, 4, 5}, reached_weeks={1, 2, 3, 4, 5},
        last_answer_week=3, answered=True,
    )  # fmt: skip
    assert plan(again, day(6)) == Step(6, "weekly", "quiet", 6, 2, nudge=True)


def test_the_wrap_up_replaces_the_last_weeks_message_then_completed() -> None:
    weeks = set(range(1, 8))
    state = PairState(
        "active", START, weekly_weeks=weeks, reached_weeks=weeks, last_answer_week=7, answered=True
    )
    assert plan(state, day(8)) == Step(8, "wrapup")
    finished = PairState(
        "active", START, weekly_weeks=weeks | {8}, reached_weeks=weeks | {8},
        last_answer_week=8, answered=True, has_final=True,
    )  # fmt: skip
    assert plan(finished, day(9)) == Step(8, None, "completed")
    # the last week was missed altogether: the wrap-up goes with the completion
    late = PairState("quiet", START, weekly_weeks={1, 2}, quiet_since=3, answered=True)
    assert plan(late, day(20)) == Step(8, "wrapup", "completed")


def test_a_pair_that_never_answered_lapses_with_its_own_message() -> None:
    weeks = set(range(1, 8))
    state = PairState("quiet", START, weekly_weeks=weeks, reached_weeks=weeks, quiet_since=3)
    assert plan(state, day(8)) == Step(8, "lapsed", None, 3, 7)
    over = PairState(
        "quiet", START, weekly_weeks=weeks | {8}, reached_weeks=weeks | {8}, quiet_since=3,
        has_final=True,
    )  # fmt: skip
    assert plan(over, day(9)) == Step(8, None, "lapsed")


def test_a_person_on_hold_gets_nothing() -> None:
    state = PairState("active", START, weekly_weeks={1}, reached_weeks={1}, on_hold=True)
    assert plan(state, day(2)) is None


def test_early_completion_gets_a_wrap_up_once_when_wanted() -> None:
    wanted = PairState("completed", START, wrapup_due=True)
    assert plan(wanted, day(4)) == Step(4, "wrapup")
    assert plan(PairState("completed", START, wrapup_due=True, has_final=True), day(4)) is None
    assert plan(PairState("completed", START, wrapup_due=False), day(4)) is None


@settings(max_examples=300, deadline=None)
@given(
    duration=st.integers(1, 12),
    quiet_after=st.integers(1, 4),
    run_days=st.lists(st.integers(0, 120), min_size=1, max_size=60, unique=True),
    answered=st.sets(st.integers(1, 12)),
)
def test_simulated_cron_sends_one_message_a_week_and_always_ends(
    duration: int, quiet_after: int, run_days: list[int], answered: set[int]
) -> None:
    """Run the schedule on arbitrary days (cron may skip any) and apply what it says."""
    status, weeks, finals, quiet_since = "active", [], 0, None
    for offset in sorted(run_days):
        today = START + dt.timedelta(days=offset)
        week = schedule.week_of(START, today)
        last = max((w for w in answered if w <= min(week, duration)), default=0)
        state = PairState(
            status, START, set(weeks), set(weeks), finals > 0, False, last, last > 0, quiet_since
        )
        step = plan(state, today, duration, quiet_after)
        if step is None:
            continue
        if step.status:
            status = step.status
            quiet_since = step.quiet_since if step.status == "quiet" else None
        if step.message == "weekly":
            assert step.week == week < duration  # only ever the current week
            assert step.nudge == (status == "quiet")
            weeks.append(step.week)
        elif step.message in ("wrapup", "lapsed"):
            assert step.message == ("wrapup" if last else "lapsed")
            finals += 1
            weeks.append(step.week)
    assert len(weeks) == len(set(weeks)) and all(1 <= w <= duration for w in weeks)
    assert finals <= 1
    if max(run_days) >= 7 * duration:
        assert finals == 1 and status in ("completed", "lapsed")
    elif max(run_days) < 7 * (duration - 1):
        assert finals == 0
