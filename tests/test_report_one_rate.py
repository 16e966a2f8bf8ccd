"""One answer rate for a week: the report's headline is the chart's row for the calendar's
current week, whatever weeks the pairs are in; an ended pair is due only in the weeks that
began before the day it ended. Folded from plain documents (pure)."""

from __future__ import annotations

import datetime as dt

from mentorctl.history.fold import fold
from mentorctl.report import figures, html, sections

START = dt.date(2026, 3, 2)
AT = "T09:00:00+00:00"


def on(week: int, offset: int = 0) -> dt.date:
    return START + dt.timedelta(days=7 * (week - 1) + offset)


PEOPLE = [
    {"id": pid, "name": pid, "role": role, "status": "active", "created": f"{START}{AT}"}
    for pid, role in (("P1", "mentor"), ("P2", "mentee"), ("P3", "mentor"), ("P4", "mentee"))
]


def _pair(pid: str, mentee: str, mentor: str, *changes: tuple[dt.date, str]) -> dict:
    history = [{"at": f"{at}{AT}", "status": status} for at, status in changes]
    return {"id": pid, "mentee": mentee, "mentor": mentor, "status": history[-1]["status"],
            "start_date": str(START), "history": history}  # fmt: skip


def _weekly(pair: str, person: str, weeks: range, late: int = 0) -> list[dict]:
    """Week ``w``'s message made in calendar week ``w + late``."""
    out = []
    for week in weeks:
        at = f"{on(week + late)}{AT}"
        out.append({"id": f"E-{pair}-{week}", "pair": pair, "kind": "weekly", "week": week,
                    "to": [person], "created": at,
                    "delivery": {person: {"status": "written", "at": at}}})  # fmt: skip
    return out


def _answer(pair: str, person: str, week: int, day: dt.date) -> dict:
    return {"pair": pair, "person": person, "week": week, "answers": {"met": "yes"},
            "at": f"{day}{AT}"}  # fmt: skip


def test_the_headline_is_the_chart_row_of_the_current_week_when_pairs_are_in_other_weeks():
    # M2's week 1 came a week late: on this day M1 is in its week 4, M2 in its week 3. Both
    # answered the week they are in; the calendar's current week is 4.
    pairs = [
        _pair("M1", "P2", "P1", (START, "proposed"), (START, "active")),
        _pair("M2", "P4", "P3", (START, "proposed"), (START, "active")),
    ]
    messages = _weekly("M1", "P2", range(1, 5)) + _weekly("M2", "P4", range(1, 4), late=1)
    answers = [_answer("M1", "P2", 4, on(4, 1)), _answer("M2", "P4", 3, on(4, 1))]
    state = fold(people=PEOPLE, pairs=pairs, messages=messages, answers=answers,
                 day=on(4, 3), duration_weeks=8)  # fmt: skip
    assert state.current_week(state.pairs["M2"]) == 3
    report = figures.from_state(state)
    assert report["calendar"]["current_week"] == 4
    row = next(r for r in report["answer_rate"] if r["week"] == 4)
    head = report["headline"]
    assert (head["week"], head["answered_this_week"], head["due_this_week"]) == (4, 1, 1)
    assert (row["answered"], row["pairs"], row["rate"]) == (1, 1, 1.0)
    assert head["answer_rate_this_week"] == row["rate"]
    assert ["Answer rate, week 4 (so far)", "100% (1 of 1 pairs)"] in sections.headline_rows(report)
    # and the week before, as its chart row says
    week3 = next(r for r in report["answer_rate"] if r["week"] == 3)
    assert (head["last_week"], head["answered_last_week"], head["due_last_week"]) == (
        3,
        week3["answered"],
        week3["pairs"],
    )
    assert head["answer_rate_last_week"] == week3["rate"]
    page = html.page(report)
    assert "Answer rate, week 4 (so far)" in page and ">week 4 (now)<" in page
    assert ">week 3 (now)<" not in page


def test_a_pair_ended_on_the_first_day_of_a_week_is_not_due_in_it():
    # Week 3's message was made on the morning M2 ended: it is due in weeks 1 and 2 only.
    # M3 ended a day later, inside week 3: due in it.
    people = [*PEOPLE, {"id": "P5", "name": "P5", "role": "mentee", "status": "active",
                        "created": f"{START}{AT}"}]  # fmt: skip
    pairs = [
        _pair("M2", "P4", "P3", (START, "proposed"), (START, "active"), (on(3), "ended")),
        _pair("M3", "P5", "P1", (START, "proposed"), (START, "active"), (on(3, 1), "ended")),
    ]
    messages = _weekly("M2", "P4", range(1, 4)) + _weekly("M3", "P5", range(1, 4))
    state = fold(people=people, pairs=pairs, messages=messages, day=on(5), duration_weeks=8)
    assert state.due == {1: {"M2", "M3"}, 2: {"M2", "M3"}, 3: {"M3"}}
    assert (state.pairs["M2"].week, state.pairs["M3"].week) == (3, 3)
