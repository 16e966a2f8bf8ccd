"""Matching circles from start to end: the problem, the solver, the explanations (pure)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mentorctl.matching.circles import (
    Assignment,
    CircleResult,
    CircleSettings,
    Problem,
    Quality,
    build,
)
from mentorctl.matching.circles_co import co_mentors
from mentorctl.matching.circles_explain import describe
from mentorctl.matching.circles_fixed import decompose
from mentorctl.matching.circles_milp import EXACT_PAIRS, solve_whole
from mentorctl.matching.score import explain, read_criteria


def solve(
    people: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    settings: CircleSettings,
    *,
    today: dt.date,
    existing: Iterable[tuple[str, str, str, str | None]] = (),
    blocked: Iterable[frozenset[str]] = (),
    seed: int = 0,
    names: Mapping[str, str] | None = None,
    co_led: Iterable[tuple[str, Sequence[str], bool]] = (),
) -> CircleResult:
    """Propose circles for the mentees waiting (see the module's docstring)."""
    problem = build(
        people, config, settings, today=today, existing=existing, blocked=blocked, seed=seed,
        co_led=co_led,
    )  # fmt: skip
    assignment, quality = optimise(problem)
    crit = read_criteria(config)
    co = co_mentors(problem, assignment)
    return describe(problem, crit, assignment, quality, names or {}, explain, co)


def optimise(problem: Problem) -> tuple[Assignment, Quality]:
    """Circles and how good they are: the whole program solved by HiGHS when small (up to
    :data:`.circles_milp.EXACT_PAIRS` acceptable pairs), else the decomposition of
    :mod:`.circles_fixed`."""
    started = time.perf_counter()
    if not problem.feasible:
        return {}, Quality(0, 0, True, "none", 0.0, "no acceptable pair")
    big = problem.big()
    if len(problem.feasible) > EXACT_PAIRS:
        return decompose(problem, big, started)
    return solve_whole(problem, big, started)
