"""Shared builders for the matching tests: people as stored, configs, and exact oracles.

Holds no tests itself; the other test_matching*.py modules import from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mentorctl.matching.match import ACTIVE_STATUSES, MatchResult, score_pair

TODAY = dt.date(2026, 3, 2)

CONFIG: dict[str, Any] = {
    "min_score": 0.2,
    "criteria": [
        {"kind": "topics", "weight": 5},
        {"kind": "extra", "field": "industry", "mode": "same", "weight": 2},
        {"kind": "timezone", "weight": 1, "max_hours": 6},
        {"kind": "languages", "weight": 1},
    ],
    "rules": {"shared_language": True, "different_organisation": True},
}


def config(**changes: Any) -> dict[str, Any]:
    """CONFIG with top-level keys replaced; ``rules`` entries are merged."""
    out = {**CONFIG, "rules": dict(CONFIG["rules"])}
    for key, value in changes.items():
        if key == "rules":
            out["rules"].update(value)
        else:
            out[key] = value
    return out


def person(
    pid: str,
    role: str = "mentee",
    *,
    goals: list[str] | None = None,
    expertise: list[str] | None = None,
    languages: list[str] | None = None,
    timezone: str | None = "UTC",
    capacity: int | None = None,
    organisation: str | None = None,
    extra: dict[str, Any] | None = None,
    status: str = "active",
) -> dict[str, Any]:
    if capacity is None and role in ("mentor", "both"):
        capacity = 1
    return {
        "id": pid,
        "email": f"{pid.lower()}@example.org",
        "name": f"Person {pid}",
        "role": role,
        "age": 30,
        "goals": goals or [],
        "expertise": expertise or [],
        "languages": ["English"] if languages is None else languages,
        "timezone": timezone,
        "capacity": capacity,
        "organisation": organisation,
        "bio": None,
        "extra": extra or {},
        "status": status,
    }


def pairs_of(result: MatchResult) -> set[tuple[str, str]]:
    return {(p.mentee_id, p.mentor_id) for p in result.pairs}


def value_of(result: MatchResult) -> tuple[int, int]:
    """(matched, total units): what the optimal method maximises, in that order."""
    return len(result.pairs), sum(round(p.score * 10000) for p in result.pairs)


def eligible(people: list[dict[str, Any]], existing: list[tuple[str, str, str]]):
    """(mentees to match, {mentor id: free slots}) as the rules define them."""
    holding = {x for x, _, s in existing if s in ACTIVE_STATUSES}
    used: dict[str, int] = {}
    for _, y, s in existing:
        if s in ACTIVE_STATUSES:
            used[y] = used.get(y, 0) + 1
    mentees = [
        p
        for p in people
        if p["status"] == "active" and p["role"] in ("mentee", "both") and p["id"] not in holding
    ]
    free = {
        p["id"]: max(0, (p["capacity"] or 0) - used.get(p["id"], 0))
        for p in people
        if p["status"] == "active" and p["role"] in ("mentor", "both")
    }
    return mentees, free


def acceptable_units(
    people: list[dict[str, Any]],
    conf: dict[str, Any],
    existing: list[tuple[str, str, str]],
    blocked: set[frozenset[str]],
) -> dict[tuple[str, str], int]:
    """Units of every acceptable (mentee, mentor) pair, from ``score_pair`` one pair at a time:
    an independent path through the rules (the engine uses vectorised masks)."""
    mentees, free = eligible(people, existing)
    by_id = {p["id"]: p for p in people}
    out = {}
    for mentee in mentees:
        for mentor_id, slots in free.items():
            if slots <= 0:
                continue
            check = score_pair(
                mentee, by_id[mentor_id], conf, today=TODAY, existing=existing, blocked=blocked
            )
            if not check.violations and check.score >= conf["min_score"] - 1e-12:
                out[(mentee["id"], mentor_id)] = round(check.score * 10000)
    return out


def brute_force_optimum(
    people: list[dict[str, Any]],
    conf: dict[str, Any],
    existing: list[tuple[str, str, str]],
    blocked: set[frozenset[str]],
) -> tuple[int, int]:
    """The best (matched, total units) over every assignment, never making two people each
    other's mentor. Exponential: tiny instances only."""
    mentees, free = eligible(people, existing)
    units = acceptable_units(people, conf, existing, blocked)
    options = [[j for (i, j) in units if i == m["id"]] for m in mentees]
    best = (0, 0)
    chosen: dict[str, str] = {}

    def walk(k: int, count: int, total: int) -> None:
        nonlocal best
        if k == len(mentees):
            best = max(best, (count, total))
            return
        # An upper bound: every remaining mentee matched at 1.0.
        left = len(mentees) - k
        if (count + left, total + 10000 * left) <= best:
            return
        me = mentees[k]["id"]
        for j in options[k]:
            if free[j] > 0 and chosen.get(j) != me:
                free[j] -= 1
                chosen[me] = j
                walk(k + 1, count + 1, total + units[(me, j)])
                del chosen[me]
                free[j] += 1
        walk(k + 1, count, total)

    walk(0, 0, 0)
    return best
