"""Matching circles on small programs, against brute force over every way to form circles."""

from __future__ import annotations

import datetime as dt
import itertools
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorctl.matching.circle_match import optimise, solve
from mentorctl.matching.circles import (
    DAY,
    SLOTS,
    WINDOW_SLOTS,
    CircleSettings,
    build,
    common_window,
    daily,
    local_mask,
    objective,
    parse_hours,
)
from mentorctl.matching.circles_fixed import decompose

TODAY = dt.date(2026, 3, 2)
TOPICS = ["Leadership", "Networking", "Negotiation"]
ZONES = ["UTC", "UTC+3", "UTC+5:30", "UTC-5", "UTC+9", "UTC-8"]
CONFIG = {
    "min_score": 0.1,
    "criteria": [
        {"kind": "topics", "weight": 3},
        {"kind": "timezone", "weight": 1, "max_hours": 8},
        {"kind": "languages", "weight": 1},
    ],
    "rules": {"shared_language": True, "different_organisation": False},
}
SETTINGS = CircleSettings(min_size=2, max_size=3)


def _person(pid: str, role: str, draw: st.DrawFn) -> dict:
    return {
        "id": pid,
        "name": pid,
        "role": role,
        "status": "active",
        "goals": draw(st.lists(st.sampled_from(TOPICS), unique=True, min_size=1, max_size=2))
        if role == "mentee"
        else [],
        "expertise": draw(st.lists(st.sampled_from(TOPICS), unique=True, min_size=1, max_size=3)),
        "languages": draw(
            st.sampled_from([["English"], ["English"], ["English", "Spanish"], ["Spanish"]])
        ),
        "timezone": draw(st.sampled_from(ZONES)),
        "capacity": draw(st.integers(1, 3)),
    }


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[dict], set[frozenset[str]]]:
    mentees = draw(st.integers(3, 6))
    mentors = draw(st.integers(1, 2))
    people = [_person(f"P{k}", "mentor", draw) for k in range(mentors)]
    people += [_person(f"P{mentors + k}", "mentee", draw) for k in range(mentees)]
    ids = [p["id"] for p in people]
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda t: t[0] != t[1])
    blocked = {frozenset(t) for t in draw(st.lists(pairs, max_size=2))}
    return people, blocked


def _brute_force(problem) -> int:
    """The best objective over every assignment of mentees to circles (or none)."""
    nodes = list(range(len(problem.nodes)))
    best = 0
    for choice in itertools.product([None, *nodes], repeat=len(problem.mentees)):
        circles: dict[int, list[int]] = {}
        ok = True
        for i, c in enumerate(choice):
            if c is None:
                continue
            if (i, c) not in problem.feasible or problem.conflicts(i, circles.get(c, [])):
                ok = False
                break
            circles.setdefault(c, []).append(i)
        if not ok:
            continue
        for c, members in circles.items():
            if not SETTINGS.min_size <= len(members) <= SETTINGS.max_size:
                ok = False
                break
            if not frozenset.intersection(*(problem.goals[i] for i in members)):
                ok = False
                break
            mentor = problem.mentors[problem.nodes[c].mentor]
            masks = [
                problem.masks[mentor.id],
                *(problem.masks[problem.mentees[i].id] for i in members),
            ]
            if common_window(masks) is None:
                ok = False
                break
        if ok:
            best = max(best, objective(problem, circles))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_the_solver_is_optimal_and_the_bound_holds(program) -> None:
    people, blocked = program
    problem = build(people, CONFIG, SETTINGS, today=TODAY, blocked=blocked)
    best = _brute_force(problem)
    assignment, quality = optimise(problem)
    assert quality.optimal
    assert objective(problem, assignment) == quality.objective == best
    # The decomposition used on large programs: never better than the optimum, and its
    # bound is never below it.
    fixed, fixed_quality = decompose(problem, problem.big(), time.perf_counter())
    assert objective(problem, fixed) == fixed_quality.objective <= best
    assert fixed_quality.bound is not None and fixed_quality.bound >= best
    for answer in (assignment, fixed):
        assert _valid(problem, answer)


def _valid(problem, assignment) -> bool:
    """Sizes, a topic all mentees list, a window all members can make, acceptable pairs."""
    placed = [i for members in assignment.values() for i in members]
    if len(placed) != len(set(placed)):
        return False
    for members in assignment.values():
        if any(problem.conflicts(i, members[:n]) for n, i in enumerate(members)):
            return False
    for c, members in assignment.items():
        if not members:
            continue
        mentor = problem.mentors[problem.nodes[c].mentor]
        masks = [problem.masks[mentor.id], *(problem.masks[problem.mentees[i].id] for i in members)]
        if not (
            SETTINGS.min_size <= len(members) <= SETTINGS.max_size
            and all((i, c) in problem.feasible for i in members)
            and frozenset.intersection(*(problem.goals[i] for i in members))
            and common_window(masks) is not None
        ):
            return False
    return True


@settings(max_examples=40, deadline=None)
@given(programs())
def test_every_circle_is_valid(program) -> None:
    people, blocked = program
    result = solve(people, CONFIG, SETTINGS, today=TODAY, blocked=blocked)
    by_id = {p["id"]: p for p in people}
    for circle in result.circles:
        assert SETTINGS.min_size <= len(circle.members) <= SETTINGS.max_size
        first, size = circle.window_slots
        assert size >= WINDOW_SLOTS
        ids = [circle.mentor_id, *(m.mentee_id for m in circle.members)]
        for pid in ids:
            from mentorctl.timezones import utc_offset

            mask = local_mask([SETTINGS.hours], utc_offset(by_id[pid]["timezone"], TODAY))
            assert all(mask >> ((first + k) % SLOTS) & 1 for k in range(size)), pid
        for topic in circle.topics:
            assert all(topic in by_id[m.mentee_id]["goals"] for m in circle.members)
        assert circle.topics
        for a, b in itertools.combinations(ids, 2):
            assert frozenset((a, b)) not in blocked, (a, b)


def test_a_window_across_midnight_utc() -> None:
    # 08:00-21:00 in UTC-8 is 16:00-05:00 UTC; in UTC+9, 23:00-12:00 UTC.
    west, east = local_mask([(8, 21)], -8), local_mask([(8, 21)], 9)
    # Common: 23:00-05:00 UTC; the two hours in its middle are reported.
    assert common_window([west, east]) == (1 * 4, 8)
    assert common_window([west, local_mask([(8, 21)], 0)]) is not None
    assert common_window([local_mask([(8, 12)], 0), local_mask([(8, 12)], 5)]) is None


def _each_day(spans: list) -> set[tuple[int, float, float]]:
    return {(day, start, end) for days, start, end in spans for day in days}


def test_hours_people_gave_are_read() -> None:
    every = range(7)
    assert _each_day(parse_hours("18-21")) == {(d, 18.0, 21.0) for d in every}
    assert _each_day(parse_hours("7:30 to 9:00, evenings")) == {
        *((d, 7.5, 9.0) for d in every),
        *((d, 17.0, 21.0) for d in every),
    }
    assert _each_day(parse_hours(["Mornings", "Weekday evenings"])) == {
        *((d, 8.0, 12.0) for d in every),
        *((d, 17.0, 21.0) for d in range(5)),
    }
    assert _each_day(parse_hours("Tuesdays and Saturday mornings")) == {
        (1, 8.0, 21.0),
        (5, 8.0, 12.0),
    }
    assert parse_hours("whenever suits") == []
    # Read as the calendars read them: am and pm, and "to" between times.
    assert _each_day(parse_hours("7-9pm")) == {(d, 19.0, 21.0) for d in every}
    assert _each_day(parse_hours("6pm-9pm")) == {(d, 18.0, 21.0) for d in every}
    assert _each_day(parse_hours("Tuesdays 6:30pm to 8:30pm")) == {(1, 18.5, 20.5)}
    # 22:00-02:00 local in UTC+1 is 21:00-01:00 UTC, across midnight (Sunday's into Monday).
    mask = local_mask([(22, 2)], 1)
    assert [q for q in range(DAY) if mask >> q & 1] == [*range(0, 4), *range(84, 96)]
    assert daily(mask) and not daily(local_mask(parse_hours("Tuesdays 18-21"), 0))


def test_the_hours_field_restricts_the_window() -> None:
    base = {"status": "active", "languages": ["English"], "timezone": "UTC"}
    people = [
        {**base, "id": "P1", "role": "mentor", "expertise": TOPICS, "capacity": 3, "goals": []},
        *(
            {**base, "id": f"P{k}", "role": "mentee", "goals": ["Leadership"], "expertise": []}
            for k in range(2, 5)
        ),
    ]
    people[1]["extra"] = {"availability": "evenings"}
    with_field = CircleSettings(min_size=2, max_size=3, hours_field="availability")
    result = solve(people, CONFIG, with_field, today=TODAY)
    (circle,) = result.circles
    first, size = circle.window_slots
    assert first >= 17 * 4 and first + size <= 21 * 4
    # Someone free only in the morning cannot meet the evening people: the circle is smaller.
    people[2]["extra"] = {"availability": "mornings"}
    result = solve(people, CONFIG, with_field, today=TODAY)
    assert [len(c.members) for c in result.circles] == [2]
    assert {m.mentee_id for m in result.circles[0].members} == {"P3", "P4"}


def test_days_people_gave_are_kept() -> None:
    base = {"status": "active", "languages": ["English"], "timezone": "UTC"}
    people = [
        {**base, "id": "P1", "role": "mentor", "expertise": TOPICS, "capacity": 3, "goals": []},
        *(
            {**base, "id": f"P{k}", "role": "mentee", "goals": ["Leadership"], "expertise": []}
            for k in range(2, 5)
        ),
    ]
    people[1]["extra"] = {"availability": "Tuesday evenings"}
    people[2]["extra"] = {"availability": "weekday evenings"}
    people[3]["extra"] = {"availability": "Wednesday evenings"}
    with_field = CircleSettings(min_size=2, max_size=3, hours_field="availability")
    result = solve(people, CONFIG, with_field, today=TODAY)
    (circle,) = result.circles
    # Tuesday's and Wednesday's people never meet; either meets the weekday one.
    members = {m.mentee_id for m in circle.members}
    assert members in ({"P2", "P3"}, {"P3", "P4"})
    day = 1 if "P2" in members else 2
    assert circle.window.startswith(("Tuesdays ", "Wednesdays ")[day - 1])
    assert not circle.every_day
    first, size = circle.window_slots
    assert first >= day * DAY + 17 * 4 and first + size <= day * DAY + 21 * 4
    assert f"can meet {('Tuesdays', 'Wednesdays')[day - 1]}" in circle.members[0].reasons[-1]


def test_a_window_holds_in_every_week_across_the_clock_changes() -> None:
    """London 19-21 and New York 14-16 meet 19:00-21:00 UTC on 2 March; New York's clocks go
    forward on 8 March and London's on 29 March: only 19:00-20:00 UTC holds all eight weeks."""
    from mentorctl.matching.circles import person_mask, slot_time
    from mentorctl.matching.score import profile, read_criteria

    crit = read_criteria(CONFIG)
    field = CircleSettings(min_size=2, max_size=3, hours_field="availability", weeks=8)
    london = {"id": "P1", "timezone": "Europe/London", "extra": {"availability": "19-21"}}
    new_york = {"id": "P2", "timezone": "America/New_York", "extra": {"availability": "14-16"}}
    masks = [person_mask(p, profile(p, crit, TODAY), field, TODAY) for p in (london, new_york)]
    start, length = common_window(masks) or (None, None)
    assert start is not None and length == 4  # one hour, in quarter hours
    assert slot_time(start) == "19:00"
    # With the offsets of 2 March alone, the two hours would have been offered.
    today_only = [local_mask(parse_hours("19-21"), 0), local_mask(parse_hours("14-16"), -5)]
    assert (common_window(today_only) or (0, 0))[1] == 8
