"""A circles program's report: a Circles table counts each circle's member pairs (how many
are on, paused or over, and the check-ins answered of those due); the admins' names the
mentor, the anonymous one names no circle and no one; pairs lists show the circle."""

from __future__ import annotations

import datetime as dt

from mentorctl.history.fold import fold
from mentorctl.report import by_round
from mentorctl.report.formats import render
from mentorctl.report.sections import sections

DAY = dt.date(2026, 3, 17)


def _state():
    people = [
        {"id": f"P{i}", "name": f"Name{i}", "role": "mentor" if i in (1, 9) else "mentee",
         "created": "2026-02-01T00:00:00+00:00"}
        for i in range(1, 10)
    ]  # fmt: skip

    def pair(pid: str, mentee: str, mentor: str, circle: str | None, status: str = "active"):
        history = [{"at": "2026-03-02T09:00:00+00:00", "status": "active"}]
        if status != "active":
            history.append({"at": "2026-03-10T09:00:00+00:00", "status": status})
        return {"id": pid, "mentee": mentee, "mentor": mentor, "status": status, "circle": circle,
                "start_date": "2026-03-02", "created": "2026-03-01T09:00:00+00:00",
                "history": history, "round": 1}  # fmt: skip

    pairs = [
        pair("M1", "P2", "P1", "C1"),
        pair("M2", "P3", "P1", "C1"),
        pair("M3", "P4", "P1", "C1", "ended"),
        pair("M4", "P5", "P9", "C2"),
        pair("M5", "P6", "P9", "C2"),
        pair("M6", "P7", "P9", None),
    ]
    messages = [
        {"pair": p["id"], "kind": "weekly", "week": 1, "created": "2026-03-02T09:00:00+00:00",
         "to": [p["mentee"], p["mentor"]],
         "delivery": {p["mentee"]: {"status": "written", "at": "2026-03-02T09:00:00+00:00"},
                      p["mentor"]: {"status": "written", "at": "2026-03-02T09:00:00+00:00"}}}
        for p in pairs
    ]  # fmt: skip
    answers = [
        {"pair": "M1", "person": "P2", "week": 1, "answers": {"met": "yes"},
         "at": "2026-03-03T09:00:00+00:00"},
    ]  # fmt: skip
    return fold(people=people, pairs=pairs, messages=messages, answers=answers, day=DAY,
                duration_weeks=8)  # fmt: skip


def test_each_circle_counts_its_member_pairs() -> None:
    report = by_round.from_state(_state())
    rows = {r["circle"]: r for r in report["circles"]}
    assert set(rows) == {"C1", "C2"}  # the plain pair M6 is in no circle
    assert (rows["C1"]["members"], rows["C1"]["running"], rows["C1"]["ended"]) == (3, 2, 1)
    assert rows["C1"]["mentor"] == "Name1 (P1)"
    assert (rows["C2"]["members"], rows["C2"]["running"]) == (2, 2)
    assert rows["C1"]["answered"] == 1 and rows["C2"]["answered"] == 0
    titles = [title for title, _, _ in sections(report)]
    assert "Circles" in titles


def test_the_anonymous_circles_table_names_no_circle_and_no_one() -> None:
    report = by_round.from_state(_state(), anonymous=True)
    assert all("circle" not in r and "mentor" not in r for r in report["circles"])
    page = render(report, "md")
    assert "## Circles" in page and "Name1" not in page and "C1" not in page
    assert "## Cercles" in render(report, "md", "fr")


def test_a_program_without_circles_has_no_circles_table() -> None:
    state = _state()
    for pair in state.pairs.values():
        pair.doc["circle"] = None
    report = by_round.from_state(state)
    assert report["circles"] == []
    assert "Circles" not in [title for title, _, _ in sections(report)]
