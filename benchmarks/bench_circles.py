"""Benchmark matching circles (``mentorctl.matching.circles.solve``) on a generated program.

The program: ``--mentees`` mentees and ``--mentors`` mentors from ``gen_pairing.generate``
(career topics, languages, time zones from Europe, the Americas and Asia, capacities 1-5, so
one circle per mentor), in circles of ``--size`` (default 3-5). Printed: the time, mentees
placed, the objective (its score part in points, and whole in units), the proven bound and
the gap to it.

Then a small case is checked against brute force over every way to form its circles: the
solver's answer must be the optimum. With ``--cpsat SECONDS`` (when OR-Tools is installed)
the whole large program is also given, as one model, to OR-Tools CP-SAT on one worker, and
its objective and bound are printed beside ours; ``--whole SECONDS`` does the same with HiGHS:
the measurements behind the choice of solver and of the decomposition.

Targets (exit 1 when one is missed): the large program solved within 60 s; the small case
optimal and equal to brute force. Run it on one core::

    taskset -c 1 python benchmarks/bench_circles.py
    taskset -c 1 python benchmarks/bench_circles.py --cpsat 60 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_pairing import generate

from mentorctl.matching.circle_match import optimise, solve
from mentorctl.matching.circles import CircleSettings, build, common_window, objective
from mentorctl.matching.circles_milp import SCALE, _model, solve_whole
from mentorctl.matching.score import UNITS

TARGET_SECONDS = 60.0


def large(mentees: int, mentors: int, size: tuple[int, int], seed: int) -> dict[str, Any]:
    people, config, today = generate(mentees, mentors, seed=seed)
    settings = CircleSettings(min_size=size[0], max_size=size[1])
    started = time.perf_counter()
    result = solve(people, config, settings, today=today, seed=seed)
    seconds = time.perf_counter() - started
    q = result.quality
    return {
        "mentees": result.mentees,
        "mentors": mentors,
        "circles": len(result.circles),
        "placed": result.placed,
        "seconds": round(seconds, 2),
        "objective_units": q.objective,
        "score": round(q.score, 4),
        "bound_units": q.bound,
        "placed_bound": q.bound // q.big if q.bound is not None and q.big else None,
        "gap": q.gap,
        "relative_gap": None if not q.bound else round((q.bound - q.objective) / q.bound, 6),
        "optimal": q.optimal,
        "note": q.note,
    }


def _brute_force(problem: Any) -> int:
    nodes = list(range(len(problem.nodes)))
    st = problem.settings
    best = 0
    for choice in itertools.product([None, *nodes], repeat=len(problem.mentees)):
        circles: dict[int, list[int]] = {}
        if any(c is not None and (i, c) not in problem.feasible for i, c in enumerate(choice)):
            continue
        for i, c in enumerate(choice):
            if c is not None:
                circles.setdefault(c, []).append(i)
        ok = all(
            st.min_size <= len(ms) <= st.max_size
            and frozenset.intersection(*(problem.goals[i] for i in ms))
            and common_window(
                [
                    problem.masks[problem.mentors[problem.nodes[c].mentor].id],
                    *(problem.masks[problem.mentees[i].id] for i in ms),
                ]
            )
            is not None
            for c, ms in circles.items()
        )
        if ok:
            best = max(best, objective(problem, circles))
    return best


def small(seed: int) -> dict[str, Any]:
    people, config, today = generate(9, 3, seed=seed)
    for p in people:  # one circle each, of 2-3 mentees: many ways to form them
        if p["role"] in ("mentor", "both"):
            p["capacity"] = 3
    settings = CircleSettings(min_size=2, max_size=3)
    problem = build(people, config, settings, today=today, seed=seed)
    started = time.perf_counter()
    _, quality = optimise(problem)
    seconds = time.perf_counter() - started
    best = _brute_force(problem)
    return {
        "mentees": len(problem.mentees),
        "circles_possible": len(problem.nodes),
        "acceptable_pairs": len(problem.feasible),
        "objective_units": quality.objective,
        "brute_force_units": best,
        "optimal": quality.optimal,
        "seconds": round(seconds, 3),
    }


def cpsat(mentees: int, mentors: int, size: tuple[int, int], seed: int, limit: float) -> Any:
    """The whole program as one CP-SAT model (one worker), for comparison."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return "OR-Tools is not installed"
    people, config, today = generate(mentees, mentors, seed=seed)
    settings = CircleSettings(min_size=size[0], max_size=size[1])
    problem = build(people, config, settings, today=today, seed=seed)
    big = problem.big()
    started = time.perf_counter()
    model = _model(problem, sorted(problem.feasible), big)
    cm = cp_model.CpModel()
    v = [cm.NewBoolVar(f"v{k}") for k in range(len(model.c))]
    for a, b, eq in ((model.a_ub, model.b_ub, False), (model.a_eq, model.b_eq, True)):
        for r in range(a.shape[0]):
            lo, hi = a.indptr[r], a.indptr[r + 1]
            expr = sum(int(a.data[k]) * v[a.indices[k]] for k in range(lo, hi))
            cm.Add(expr == int(b[r])) if eq else cm.Add(expr <= int(b[r]))
    cm.Maximize(sum(round(-model.c[k] * SCALE) * v[k] for k in range(len(v)) if model.c[k]))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = limit
    status = solver.Solve(cm)
    value, bound = int(solver.ObjectiveValue()), int(solver.BestObjectiveBound())
    return {
        "status": solver.StatusName(status),
        "seconds": round(time.perf_counter() - started, 2),
        "placed": value // big if value > 0 else 0,
        "score": round((value % big) / UNITS, 4) if value > 0 else None,
        "objective_units": value,
        "bound_units": bound,
        "gap": round((bound - value) / UNITS, 4),
    }


def whole_highs(mentees: int, mentors: int, size: tuple[int, int], seed: int, limit: float) -> Any:
    """The whole program as one HiGHS model (no decomposition), for comparison."""
    people, config, today = generate(mentees, mentors, seed=seed)
    settings = CircleSettings(min_size=size[0], max_size=size[1], time_limit=limit)
    problem = build(people, config, settings, today=today, seed=seed)
    big = problem.big()
    started = time.perf_counter()
    assignment, q = solve_whole(problem, big, started)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "placed": sum(len(m) for m in assignment.values()),
        "score": round(q.score, 4),
        "objective_units": q.objective,
        "bound_units": q.bound,
        "gap": q.gap,
        "note": q.note,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentees", type=int, default=1000)
    parser.add_argument("--mentors", type=int, default=250)
    parser.add_argument("--size", default="3-5", help="smallest-largest circle (3-5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpsat", type=float, metavar="SECONDS", help="also run CP-SAT")
    parser.add_argument(
        "--whole", type=float, metavar="SECONDS", help="also run HiGHS on the whole program"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    low, high = (int(x) for x in args.size.split("-"))
    out: dict[str, Any] = {"date": dt.date.today().isoformat()}
    out["large"] = large(args.mentees, args.mentors, (low, high), args.seed)
    out["small"] = small(args.seed)
    if args.cpsat:
        out["cpsat"] = cpsat(args.mentees, args.mentors, (low, high), args.seed, args.cpsat)
    if args.whole:
        out["whole"] = whole_highs(args.mentees, args.mentors, (low, high), args.seed, args.whole)
    failures = []
    if out["large"]["seconds"] > TARGET_SECONDS:
        failures.append(f"large program took {out['large']['seconds']} s (> {TARGET_SECONDS})")
    s = out["small"]
    if not s["optimal"] or s["objective_units"] != s["brute_force_units"]:
        failures.append("small case: not the brute-force optimum")
    out["failures"] = failures
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        g = out["large"]
        print(
            f"circles {g['mentees']} mentees x {g['mentors']} mentors: {g['seconds']} s, "
            f"placed {g['placed']} (at most {g['placed_bound']}) in {g['circles']} circles, "
            f"score {g['score']} points; objective {g['objective_units']} units, bound "
            f"{g['bound_units']}, gap {g['gap']} points ({g['relative_gap']:.4%} of the bound)"
            + (", optimal" if g["optimal"] else "")
        )
        print(
            f"small case ({s['mentees']} mentees, {s['circles_possible']} circles): objective "
            f"{s['objective_units']}, brute force {s['brute_force_units']}, "
            f"optimal={s['optimal']}, {s['seconds']} s"
        )
        if "cpsat" in out:
            print(f"CP-SAT, whole program, one worker: {out['cpsat']}")
        if "whole" in out:
            print(f"HiGHS, whole program: {out['whole']}")
        for line in failures:
            print(f"MISSED: {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
