"""Solving circles as a mixed-integer program with HiGHS (SciPy), and proving how good it is.

Variables, for each circle ``c`` a mentor may lead: ``x[i,c]`` (mentee ``i`` joins ``c``, one
per acceptable pair), ``y[c]`` (the circle meets), ``t[c,k]`` (its topic is ``k``), ``w[c,s]``
(its one-hour window starts at ``s``), ``s[c,k,n]`` (at least ``n`` of its mentees list topic
``k``). Constraints: each mentee in at most one circle; ``min * y <= sum x <= max * y``; one
topic and one window per circle that meets; ``x[i,c] + x[j,c] <= 1`` when ``i`` or ``j``
blocked the other; ``x[i,c] <= sum of t[c,k] over i's goals`` and
``<= sum of w[c,s] over i's window starts`` (so every mentee shares the topic and the window;
windows are only those the mentor can make); ``s[c,k,n] <= s[c,k,n-1]`` and ``sum over n of
s[c,k,n] <= number of c's mentees listing k``. Objective: ``(BIG + units) * x`` plus
``W * (n - 1) * s[c,k,n]``, which adds up to ``W * C(n, 2)`` per circle and topic.

Programs of up to :data:`EXACT_PAIRS` acceptable pairs are solved whole: HiGHS proves the
optimum (or, past ``circles.time_limit``, gives its bound). Larger ones go to
:mod:`.circles_fixed` (topics and windows fixed first, then this program without them).
Windows whose mentees are a subset of another window's (on the same circle) are left out:
they can never do better.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from mentorctl.matching.circles import Assignment, Problem, Quality, objective

# Up to this many acceptable pairs the whole program is solved at once.
EXACT_PAIRS = 120
# Objective coefficients are divided by this, to keep the numbers the solver sees moderate.
SCALE = 10_000.0


@dataclass
class _Model:
    c: Any  # objective to minimise (scaled, negated)
    a_ub: Any
    b_ub: Any
    a_eq: Any
    b_eq: Any
    integrality: Any
    edges: list[tuple[int, int]]
    mentee_row: dict[int, int]
    max_row: dict[int, int]
    min_row: dict[int, int]
    bonus_row: dict[tuple[int, int], int]


def _model(problem: Problem, edges: list[tuple[int, int]], big: int) -> _Model:
    """The program on ``edges`` (the rows and columns they can use)."""
    import numpy as np
    from scipy.sparse import coo_matrix

    st = problem.settings
    w_units = problem.weight_units()
    cost: list[float] = []
    integral: list[int] = []
    ub_rows: list[int] = []
    ub_cols: list[int] = []
    ub_vals: list[float] = []
    b_ub: list[float] = []
    eq_rows: list[int] = []
    eq_cols: list[int] = []
    eq_vals: list[float] = []
    b_eq: list[float] = []

    def var(value: float) -> int:
        cost.append(-value / SCALE)
        integral.append(1)
        return len(cost) - 1

    def ub(entries: list[tuple[int, float]], bound: float) -> int:
        row = len(b_ub)
        for col, val in entries:
            ub_rows.append(row)
            ub_cols.append(col)
            ub_vals.append(val)
        b_ub.append(bound)
        return row

    def eq(entries: list[tuple[int, float]], bound: float) -> None:
        row = len(b_eq)
        for col, val in entries:
            eq_rows.append(row)
            eq_cols.append(col)
            eq_vals.append(val)
        b_eq.append(bound)

    x = [var(big + problem.feasible[e]) for e in edges]
    on_node: dict[int, list[int]] = defaultdict(list)
    on_mentee: dict[int, list[int]] = defaultdict(list)
    for k, (i, c) in enumerate(edges):
        on_node[c].append(k)
        on_mentee[i].append(k)
    mentee_row = {i: ub([(x[k], 1.0) for k in ks], 1.0) for i, ks in on_mentee.items()}
    # Two mentees one of whom blocked the other never share a circle.
    at = {e: k for k, e in enumerate(edges)}
    for i, j in sorted(problem.apart):
        for k in on_mentee.get(i, []):
            other = at.get((j, edges[k][1]))
            if other is not None:
                ub([(x[k], 1.0), (x[other], 1.0)], 1.0)
    max_row, min_row, bonus_row = {}, {}, {}
    nodes = sorted(on_node)
    for c in nodes:
        ks = on_node.get(c, [])
        y = var(0)
        max_row[c] = ub([*((x[k], 1.0) for k in ks), (y, -float(st.max_size))], 0.0)
        min_row[c] = ub([*((x[k], -1.0) for k in ks), (y, float(st.min_size))], 0.0)
        linked: dict[int, list[int]] = defaultdict(list)
        for k in ks:
            for t in problem.goals[edges[k][0]]:
                linked[t].append(k)
        # One topic per circle that meets, shared by all its mentees.
        zt = {t: var(0) for t in sorted(linked)}
        eq([*((v, 1.0) for v in zt.values()), (y, -1.0)], 0.0)
        for k in ks:
            i = edges[k][0]
            ub([(x[k], 1.0), *((zt[t], -1.0) for t in problem.goals[i])], 0.0)
        # One window, that the mentor can make; dominated windows left out.
        mentor_id = problem.mentors[problem.nodes[c].mentor].id
        starts = problem.starts[mentor_id]
        sets: dict[int, int] = {}
        for s in range(starts.bit_length()):
            if starts >> s & 1:
                members = 0
                for k in ks:
                    if problem.starts[problem.mentees[edges[k][0]].id] >> s & 1:
                        members |= 1 << k
                sets[s] = members
        kept = _undominated(sets)
        zw = {s: var(0) for s in kept}
        eq([*((v, 1.0) for v in zw.values()), (y, -1.0)], 0.0)
        for k in ks:
            i_starts = problem.starts[problem.mentees[edges[k][0]].id]
            ub([(x[k], 1.0), *((v, -1.0) for s, v in zw.items() if i_starts >> s & 1)], 0.0)
        if w_units <= 0:
            continue
        for t in sorted(linked):
            s_vars = [var(w_units * n) for n in range(st.max_size)]  # n + 1 mentees
            for n in range(1, st.max_size):
                ub([(s_vars[n], 1.0), (s_vars[n - 1], -1.0)], 0.0)
            bonus_row[(c, t)] = ub(
                [*((v, 1.0) for v in s_vars), *((x[k], -1.0) for k in linked.get(t, []))], 0.0
            )
    n_cols = len(cost)
    a_ub = coo_matrix((ub_vals, (ub_rows, ub_cols)), shape=(len(b_ub), n_cols)).tocsr()
    a_eq = coo_matrix((eq_vals, (eq_rows, eq_cols)), shape=(len(b_eq), n_cols)).tocsr()
    return _Model(
        np.array(cost),
        a_ub,
        np.array(b_ub),
        a_eq,
        np.array(b_eq),
        np.array(integral),
        edges,
        mentee_row,
        max_row,
        min_row,
        bonus_row,
    )


def _undominated(sets: dict[int, int]) -> list[int]:
    """Window starts whose member sets no other start's set contains (first of equals)."""
    order = sorted(sets, key=lambda s: (-bin(sets[s]).count("1"), s))
    kept: list[int] = []
    for s in order:
        if not any(sets[s] & ~sets[k] == 0 for k in kept):
            kept.append(s)
    return sorted(kept) or sorted(sets)[:1]


def _milp(model: _Model, limit: float, nodes: int | None) -> Any:
    import numpy as np
    from scipy.optimize import LinearConstraint, milp

    constraints = [LinearConstraint(model.a_ub, -np.inf, model.b_ub)]
    if model.a_eq.shape[0]:
        constraints.append(LinearConstraint(model.a_eq, model.b_eq, model.b_eq))
    options: dict[str, Any] = {"time_limit": limit, "mip_rel_gap": 0.0, "disp": False}
    if nodes is not None:
        options["node_limit"] = nodes
    return milp(
        model.c,
        constraints=constraints,
        integrality=model.integrality,
        bounds=(0, 1),
        options=options,
    )


def solve_whole(problem: Problem, big: int, started: float) -> tuple[Assignment, Quality]:
    """The whole program solved by HiGHS: optimal, or HiGHS's bound past the time limit."""
    edges = sorted(problem.feasible)
    model = _model(problem, edges, big)
    res = _milp(model, problem.settings.time_limit, None)
    seconds = time.perf_counter() - started
    if res.x is None:
        return {}, Quality(0, None, False, "HiGHS", seconds, f"no solution: {res.message}", big=big)
    assignment: Assignment = defaultdict(list)
    for k, (i, c) in enumerate(model.edges):
        if res.x[k] > 0.5:
            assignment[c].append(i)
    value = objective(problem, assignment, big)
    optimal = res.status == 0
    bound: int | None = value
    if not optimal:
        raw = getattr(res, "mip_dual_bound", None)
        bound = None if raw is None else max(value, math.floor(-raw * SCALE * (1 + 1e-9) + 1e-6))
    note = "all acceptable pairs solved as one program" + ("" if optimal else f": {res.message}")
    return dict(assignment), Quality(value, bound, optimal, "HiGHS", seconds, note, big=big)
