"""Circles in words: each member's reasons, what they share, when all can meet, what counts
against, and why a mentee is still waiting (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mentorctl.matching.circles import (
    Assignment,
    Circle,
    CircleResult,
    Member,
    Problem,
    Quality,
    common_window,
    daily,
    placed,
    slot_day,
    slot_time,
)
from mentorctl.matching.explain import against
from mentorctl.matching.order import natural
from mentorctl.matching.score import UNITS, Criteria, Profile

_NUMBERS = {2: "both", 3: "all three", 4: "all four", 5: "all five", 6: "all six"}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def window_text(first: int, size: int) -> str:
    return f"{slot_time(first)}-{slot_time(first + size)}"


def when(first: int, every_day: bool) -> str:
    return "every day" if every_day else f"{slot_day(first)}s"


def local_window(first: int, size: int, prof: Profile, every_day: bool = True) -> str:
    """The window in the person's own zone, or a note that their zone is unknown."""
    if prof.offset is None:
        return "time zone unknown"
    local = first + round(prof.offset * 4)
    day = "" if every_day else f"{slot_day(local)}s "
    return f"{day}{window_text(local, size)} {prof.zone}"


def describe(
    problem: Problem,
    crit: Criteria,
    assignment: Assignment,
    quality: Quality,
    names: Mapping[str, str],
    explain: Callable[..., tuple[int, list[Any], list[str]]],
    co: Mapping[int, int] | None = None,
) -> CircleResult:
    """The answer in words; ``co``: circle -> mentor index of its co-mentor."""
    w = problem.weight_units()

    def name(pid: str) -> str:
        return str(names.get(pid) or pid)

    order = sorted(
        assignment.items(),
        key=lambda kv: (natural(problem.mentors[problem.nodes[kv[0]].mentor].id), kv[0]),
    )
    circles: list[Circle] = []
    for number, (c, members) in enumerate(order, start=1):
        mentor = problem.mentors[problem.nodes[c].mentor]
        people = sorted((problem.mentees[i] for i in members), key=lambda p: natural(p.id))
        second = problem.mentors[co[c]] if co and c in co else None
        masks = [problem.masks[p.id] for p in (mentor, *people)]
        if second is not None:
            masks.append(problem.masks[second.id])
        found = common_window(masks)
        first, size = found if found is not None else (0, 0)
        common = masks[0]
        for m in masks[1:]:
            common &= m
        every_day = daily(common)
        window = f"{window_text(first, size)} UTC" if found else "no common hour"
        at = f"{when(first, every_day)} {window}"
        shared_all = [
            label
            for key, label in people[0].goals.items()
            if all(key in p.goals for p in people[1:])
        ]
        size_all = len(people) + (2 if second is not None else 1)
        everyone = _NUMBERS.get(size_all, f"all {size_all}")
        units_total = 0
        out_members = []
        for p in people:
            units, parts, reasons = explain(crit, p, mentor)
            units_total += units
            shares = []
            # The circle's own topics first: they are what brings it together.
            common = [k for k in p.goals if p.goals[k] in shared_all]
            for key in [*common, *(k for k in p.goals if k not in common)]:
                label = p.goals[key]
                with_ = [name(o.id) for o in people if o is not p and key in o.goals]
                if with_:
                    shares.append(f"shares {label} with {_and(with_)}")
            own = local_window(first, size, p, every_day) if found else ""
            meet = f"{everyone} can meet {at}"
            if p.offset is not None and own:
                meet += f" ({own} for {name(p.id)})"
            counts = list(against(crit, p, mentor, parts))
            if p.offset is None:
                counts.append("their time zone is unknown: the window could not be checked")
            if size <= 4 and found:
                counts.append("the common window is only an hour long")
            out_members.append(
                Member(
                    mentee_id=p.id,
                    score=units / UNITS,
                    reasons=[
                        *reasons,
                        *shares[:1],
                        *([f"co-mentor: {name(second.id)}"] if second is not None else []),
                        meet,
                    ],
                    against=counts,
                    shares=shares,
                    local_window=own,
                )
            )
        counts: dict[str, int] = {}
        for p in people:
            for key in p.goals:
                counts[key] = counts.get(key, 0) + 1
        bonus = w * sum(n * (n - 1) // 2 for n in counts.values())
        lead = out_members[0].shares[0] if out_members and out_members[0].shares else ""
        circles.append(
            Circle(
                label=f"C{number}",
                mentor_id=mentor.id,
                members=out_members,
                topics=shared_all,
                window=at if found else window,
                window_slots=(first, size),
                mentor_window=local_window(first, size, mentor, every_day) if found else "",
                every_day=every_day,
                score=round((units_total + bonus) / UNITS, 4),
                co_mentor_id=second.id if second is not None else None,
                explanation=f"{name(people[0].id)} {lead}; {everyone} can meet {at}"
                if lead
                else f"{everyone} can meet {at}",
            )
        )
    placed_ids = {problem.mentees[i].id for ms in assignment.values() for i in ms}
    acceptable = {i for i, _ in problem.feasible}
    waiting = []
    for i, p in enumerate(problem.mentees):
        if p.id in placed_ids:
            continue
        if not problem.goals[i]:
            why = "listed no goals: a circle is built on a shared topic"
        elif not problem.nodes:
            why = "no mentor can lead a circle"
        elif i not in acceptable:
            why = (
                "no mentor with a free circle passes the rules, the minimum score and a common hour"
            )
        else:
            why = "no circle could take them within its size, shared topic and common window"
        waiting.append((p.id, why))
    waiting.sort(key=lambda item: natural(item[0]))
    return CircleResult(
        circles=circles,
        waiting=waiting,
        placed=placed(assignment),
        mentees=len(problem.mentees),
        quality=quality,
        notes=list(problem.notes) + ([quality.note] if quality.note else []),
    )
