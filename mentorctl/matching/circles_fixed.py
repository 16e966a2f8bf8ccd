"""Circles on large programs: fix each circle's topic and window, then place mentees exactly.

1. Each circle a mentor may lead gets a topic and a one-hour window, in the seeded order of
   the mentors: the pair (topic, window) whose mentees not yet reserved by an earlier circle
   are the most (up to the largest size, then the most in all, then the best scores; earlier
   topic and window on ties); its best mentees are reserved for it.
2. With topics and windows fixed, a mixed-integer program places the mentees (HiGHS): each in
   at most one circle whose topic they list and whose window they can make, ``min * y <= sum
   x <= max * y``, maximising ``(BIG + units + W * shared) * x`` where ``shared`` is how many
   of the circle's most listed topics (besides its own) the mentee lists. Its answer is then
   valued by the exact objective of :mod:`.circles`.

The bound reported is proven over every circle plan, not only those with these topics and
windows (:func:`upper_bound`). The gap is the distance to it, in score points.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from typing import Any

from mentorctl.matching.circles import Assignment, Problem, Quality, objective
from mentorctl.matching.circles_milp import SCALE

# HiGHS stops after this many branch-and-bound nodes (a work limit, so the answer does not
# depend on the machine's speed); the time limit is a safety net only.
NODE_LIMIT = 2000
# Topics besides its own that a circle's mentees are rewarded for sharing in step 2.
SIDE_TOPICS = 3
ATTEMPTS = 4


def _pools(problem: Problem) -> dict[int, tuple[dict[int, int], dict[int, int]]]:
    """Per circle: topic -> bits of its acceptable mentees listing it, start -> bits of those
    who can make it."""
    out: dict[int, tuple[dict[int, int], dict[int, int]]] = {}
    for i, c in sorted(problem.feasible):
        by_topic, by_start = out.setdefault(c, ({}, {}))
        bit = 1 << i
        for t in problem.goals[i]:
            by_topic[t] = by_topic.get(t, 0) | bit
        starts = problem.starts[problem.mentees[i].id]
        s = 0
        while starts:
            if starts & 1:
                by_start[s] = by_start.get(s, 0) | bit
            starts >>= 1
            s += 1
    return out


def choose(problem: Problem, priority: int = 0) -> dict[int, tuple[int, int]]:
    """Step 1: circle -> (topic, window start). ``priority``: bits of mentees to place first
    (those a previous attempt left out)."""
    st = problem.settings
    pools = _pools(problem)
    pool: dict[int, list[int]] = defaultdict(list)
    for i, c in sorted(problem.feasible):
        pool[c].append(i)
    reserved = 0
    chosen: dict[int, tuple[int, int]] = {}
    for c in range(len(problem.nodes)):
        mentees = pool.get(c)
        if not mentees:
            continue
        by_topic, by_start = pools[c]
        mentor_starts = problem.starts[problem.mentors[problem.nodes[c].mentor].id]
        best: tuple[Any, ...] | None = None
        for t in sorted(by_topic):
            free_t = by_topic[t] & ~reserved
            if free_t.bit_count() < st.min_size:
                continue
            for s in sorted(by_start):
                if not mentor_starts >> s & 1:
                    continue
                both = free_t & by_start[s]
                count = both.bit_count()
                if count < st.min_size:
                    continue
                first = min((both & priority).bit_count(), st.max_size)
                key = (min(count, st.max_size), first, count, -t, -s)
                if best is None or key > best[0]:
                    best = (key, t, s)
        if best is None:
            continue
        _, t, s = best
        members = by_topic[t] & by_start[s] & ~reserved
        ranked = sorted(
            (i for i in mentees if members >> i & 1),
            key=lambda i: (not priority >> i & 1, -problem.feasible[(i, c)], i),
        )
        for i in ranked[: st.max_size]:
            reserved |= 1 << i
        chosen[c] = (t, s)
    return chosen


def place(
    problem: Problem, chosen: dict[int, tuple[int, int]], big: int, limit: float
) -> tuple[Assignment, Any]:
    """Step 2: the best placement with the topics and windows fixed."""
    import numpy as np
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import coo_matrix

    st = problem.settings
    w = problem.weight_units()
    edges = [
        (i, c)
        for (i, c) in sorted(problem.feasible)
        if c in chosen
        and chosen[c][0] in problem.goals[i]
        and problem.starts[problem.mentees[i].id] >> chosen[c][1] & 1
    ]
    side: dict[int, set[int]] = {}
    for c in chosen:
        tally = Counter(t for i, d in edges if d == c for t in problem.goals[i])
        tally.pop(chosen[c][0], None)
        side[c] = {
            t for t, _ in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:SIDE_TOPICS]
        }
    if not edges:
        return {}, None
    nodes = sorted({c for _, c in edges})
    n_x = len(edges)
    y_at = {c: n_x + k for k, c in enumerate(nodes)}
    cost = np.zeros(n_x + len(nodes))
    for k, (i, c) in enumerate(edges):
        shared = len(problem.goals[i] & side[c])
        cost[k] = -(big + problem.feasible[(i, c)] + w * shared) / SCALE
    rows, cols, vals, upper = [], [], [], []
    row = 0
    on_mentee: dict[int, list[int]] = defaultdict(list)
    on_node: dict[int, list[int]] = defaultdict(list)
    for k, (i, c) in enumerate(edges):
        on_mentee[i].append(k)
        on_node[c].append(k)
    for ks in on_mentee.values():
        rows += [row] * len(ks)
        cols += ks
        vals += [1.0] * len(ks)
        upper.append(1.0)
        row += 1
    for c in nodes:
        ks = on_node[c]
        rows += [row] * (len(ks) + 1)
        cols += [*ks, y_at[c]]
        vals += [1.0] * len(ks) + [-float(st.max_size)]
        upper.append(0.0)
        row += 1
        rows += [row] * (len(ks) + 1)
        cols += [*ks, y_at[c]]
        vals += [-1.0] * len(ks) + [float(st.min_size)]
        upper.append(0.0)
        row += 1
    a = coo_matrix((vals, (rows, cols)), shape=(row, len(cost))).tocsr()
    res = milp(
        cost,
        constraints=[LinearConstraint(a, -np.inf, np.array(upper))],
        integrality=np.ones(len(cost)),
        bounds=(0, 1),
        options={"time_limit": limit, "node_limit": NODE_LIMIT, "mip_rel_gap": 0.0},
    )
    assignment: Assignment = defaultdict(list)
    if res.x is not None:
        for k, (i, c) in enumerate(edges):
            if res.x[k] > 0.5:
                assignment[c].append(i)
    return dict(assignment), res


def upper_bound(problem: Problem, big: int) -> int:
    """A bound on the objective of every circle plan, however topics and windows are chosen.

    Each mentee placed adds ``BIG``, at most their best pair's units, and at most
    ``W * (max - 1) / 2`` per goal (a co-member pair sharing a topic adds ``W`` once, and is
    counted half by each of its two mentees; a mentee has at most ``max - 1`` co-members).
    Only mentees who have, in some circle, a topic and a window shared by at least the
    smallest size of its acceptable mentees can be placed at all, with their best pair among
    such circles; at most as many as the circles' largest sizes add up to. The bound takes
    that many of them, those with the highest values."""
    st = problem.settings
    w = problem.weight_units()
    # Who can be in a circle at all: some circle, topic and window with enough mentees.
    good: dict[int, int] = {}
    for c, (by_topic, by_start) in _pools(problem).items():
        mentor_starts = problem.starts[problem.mentors[problem.nodes[c].mentor].id]
        bits = 0
        for topic_bits in by_topic.values():
            for s, start_bits in by_start.items():
                if mentor_starts >> s & 1:
                    both = topic_bits & start_bits
                    if both.bit_count() >= st.min_size:
                        bits |= both
        good[c] = bits
    best: dict[int, int] = {}
    for (i, c), units in problem.feasible.items():
        if good.get(c, 0) >> i & 1:
            best[i] = max(best.get(i, 0), units)
    values = sorted(
        (u + w * (st.max_size - 1) * len(problem.goals[i]) / 2 for i, u in best.items()),
        reverse=True,
    )
    mentors = {node.mentor for node in problem.nodes}
    capacity = st.max_size * sum(
        1 for c in range(len(problem.nodes)) if problem.nodes[c].mentor in mentors
    )
    room = min(len(values), capacity)
    return big * room + math.floor(sum(values[:room]))


def decompose(problem: Problem, big: int, started: float) -> tuple[Assignment, Quality]:
    """Steps 1 and 2, again with the mentees left out first while that places more (at most
    :data:`ATTEMPTS` times); the best answer is kept."""
    bound_value = upper_bound(problem, big)
    best: tuple[int, Assignment, Any] | None = None
    priority = 0
    for _ in range(ATTEMPTS):
        chosen = choose(problem, priority)
        limit = max(1.0, problem.settings.time_limit - (time.perf_counter() - started))
        assignment, res = place(problem, chosen, big, limit / 2)
        value = objective(problem, assignment, big)
        if best is not None and value <= best[0]:
            break
        best = (value, assignment, res)
        if value >= bound_value:
            break
        placed_bits = sum(1 << i for ms in assignment.values() for i in ms)
        priority = sum(1 << i for i, _ in problem.feasible) & ~placed_bits
    assert best is not None
    value, assignment, res = best
    bound = max(value, bound_value)
    how = "nothing to place" if res is None else "optimal" if res.status == 0 else res.message
    note = (
        "topics and windows fixed per circle, then placed by HiGHS "
        f"({how.rstrip('.').lower()} for those); "
        "bound: each mentee's best pair and shared-topic share"
    )
    seconds = time.perf_counter() - started
    return assignment, Quality(value, bound, value == bound, "HiGHS", seconds, note, big=big)
