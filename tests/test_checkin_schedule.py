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
    # the cron job did not run in weeks 1-3: nothing reached the pair, so it is not quiet;
    # week 1 comes first, late, and takes the place of week 4's message
    missed = PairState("active", START)
    assert plan(missed, day(4)) == Step(1, "weekly")
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


def test_the_last_step_comes_in_the_last_week_and_the_wrap_up_once_it_is_over() -> None:
    weeks = set(range(1, 8))
    state = PairState(
        "active", START, weekly_weeks=weeks, reached_weeks=weeks, last_answer_week=7, answered=True
    )
    # the last week brings the last step, with its check-in: no message speaks of the end yet
    assert plan(state, day(8)) == Step(8, "weekly")
    finished = PairState(
        "active", START, weekly_weeks=weeks | {8}, reached_weeks=weeks | {8},
        last_answer_week=8, answered=True, last_step_day=day(8),
    )  # fmt: skip
    assert plan(finished, day(8, 6)) is None
    assert plan(finished, day(9)) == Step(8, "wrapup", "completed")
    # an older store, whose wrap-up came in the last week: the pair completes, nothing more
    older = PairState(
        "active", START, weekly_weeks=weeks, reached_weeks=weeks, last_answer_week=8,
        answered=True, has_final=True,
    )  # fmt: skip
    assert plan(older, day(9)) == Step(8, None, "completed")


def test_a_missed_last_week_still_brings_the_last_step_then_the_end_a_week_later() -> None:
    late = PairState("quiet", START, weekly_weeks={1, 2}, quiet_since=3, answered=True,
                     last_answer_week=2)  # fmt: skip
    assert plan(late, day(20)) == Step(8, "weekly")
    sent = PairState("quiet", START, weekly_weeks={1, 2, 8}, quiet_since=3, answered=True,
                     last_answer_week=2, last_step_day=day(20))  # fmt: skip
    assert plan(sent, day(20, 6)) is None
    assert plan(sent, day(21)) == Step(8, "lapsed", "lapsed")


def test_an_outcome_is_about_the_last_weeks_not_the_first() -> None:
    weeks = set(range(1, 9))

    def end(**kw: object) -> Step | None:
        state = PairState("active", START, weekly_weeks=weeks, reached_weeks=weeks,
                          last_step_day=day(8), **kw)  # type: ignore[arg-type]  # fmt: skip
        return plan(state, day(9))

    # answered in week 1, then silent for seven weeks: lapsed
    assert end(last_answer_week=1, answered=True) == Step(8, "lapsed", "lapsed")
    # answered in one of the last quiet_after (2) weeks, or the wrap-up: completed
    assert end(last_answer_week=7, answered=True) == Step(8, "wrapup", "completed")
    # a late answer for week 3 that arrived in week 8 counts by when it came
    assert end(last_answer_week=3, answered=True, last_answer_at_week=8) == Step(
        8, "wrapup", "completed"
    )
    assert end() == Step(8, "lapsed", "lapsed")


def test_a_pair_that_never_answered_gets_the_last_step_then_lapses() -> None:
    weeks = set(range(1, 8))
    state = PairState("quiet", START, weekly_weeks=weeks, reached_weeks=weeks, quiet_since=3)
    assert plan(state, day(8)) == Step(8, "weekly", None, 3, 7, nudge=True)
    over = PairState(
        "quiet", START, weekly_weeks=weeks | {8}, reached_weeks=weeks | {8}, quiet_since=3,
        last_step_day=day(8),
    )  # fmt: skip
    assert plan(over, day(9)) == Step(8, "lapsed", "lapsed")


def test_week_one_is_not_on_the_day_of_the_introduction_unless_asked() -> None:
    fresh = PairState("active", START, introduced=START)
    assert plan(fresh, START) is None
    assert schedule.plan(fresh, START, duration=8, quiet_after=2, with_introduction=True) == Step(
        1, "weekly"
    )
    assert plan(fresh, day(1, 1)) == Step(1, "weekly")


def test_week_one_is_never_skipped_under_a_weekly_cron() -> None:
    # introduced on day 3, after week 1's run: the next weekly run, in week 2, brings week 1
    late = PairState("active", START, introduced=day(1, 3))
    assert plan(late, day(2)) == Step(1, "weekly")
    made = PairState("active", START, weekly_weeks={1}, reached_weeks={1}, sent_this_week=True)
    assert plan(made, day(2, 3)) is None  # one message a week: week 2's is not sent beside it
    # the pair's weeks count on from its late week 1: week 2 in calendar week 3, and the end
    # a week later than the calendar's
    later = PairState("active", START, weekly_weeks={1}, reached_weeks={1}, offset=1)
    assert plan(later, day(3)) == Step(2, "weekly", silent_weeks=1)
    weeks = set(range(1, 9))
    last = PairState("active", START, weekly_weeks=weeks, reached_weeks=weeks, offset=1,
                     last_step_day=day(9), last_answer_week=8, answered=True)  # fmt: skip
    assert plan(last, day(9, 6)) is None
    assert plan(last, day(10)) == Step(8, "wrapup", "completed")


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
    """Run the schedule on arbitrary days (cron may skip any) and apply what it says; then
    weekly runs long after the end, until the program is over however late it came."""
    status, made, finals, quiet_since, outcome_days = "active", {}, [], None, []
    for offset in [*sorted(run_days), *range(200, 200 + 7 * (duration + 3), 7)]:
        today = START + dt.timedelta(days=offset)
        week = schedule.week_of(START, today)
        last = max((w for w in answered if w in made), default=0)
        late = schedule.week_of(START, made[1]) - 1 if 1 in made else 0
        state = PairState(
            status, START, set(made), set(made), bool(finals), False, last, last > 0,
            quiet_since, introduced=START,
            sent_this_week=any(schedule.week_of(START, d) == week for d in made.values()),
            last_step_day=made.get(duration), offset=late,
        )  # fmt: skip
        step = plan(state, today, duration, quiet_after)
        if step is None:
            continue
        if step.status:
            status = step.status
            quiet_since = step.quiet_since if step.status == "quiet" else None
        if step.message == "weekly":
            assert offset > 0  # never on the day of the introduction
            # week 1 first, then the pair's current week (counted on from its week 1), or a
            # late last step after the end
            assert step.week == (1 if not made else min(week - late, duration))
            assert step.week not in made
            made[step.week] = today
        elif step.message in ("wrapup", "lapsed"):
            completed = last > 0 and last >= duration - quiet_after + 1
            assert step.message == ("wrapup" if completed else "lapsed")
            assert today >= made[duration] + dt.timedelta(days=7)
            finals.append(today)
            outcome_days.append(status)
    weeks_made = [schedule.week_of(START, d) for d in made.values()]
    assert len(weeks_made) == len(set(weeks_made))  # at most one a program week
    assert 1 in made and duration in made  # week 1 and the last step reached the pair
    assert len(finals) == 1 and status in ("completed", "lapsed")
