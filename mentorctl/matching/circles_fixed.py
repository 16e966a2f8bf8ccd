"""Circles on large programs: fix each circle's topic and window, then place mentees exactly.

1. Each circle a mentor may lead gets a topic and a one-hour window, in the seeded order of
   the mentors: the pair (topic, window) whose mentees not yet reserved by an earlier circle
   fill it best (up to the largest size), then, one way, with the most mentees to choose from
   or, the other way, whose best mentees score highest (earlier topic and window on ties);
   its best mentees are reserved for it. Each way runs again with the mentees left out
   first while that does better (at most :data:`ATTEMPTS` times); the best answer is kept.
2. With topics and windows fixed, a mixed-integer program places the mentees (HiGHS): each in
   at most one circle whose topic they list and whose window they can make, ``min * y <= sum
   x <= max * y``, two mentees one of whom blocked the other never together, maximising
   ``(BIG + units + W * shared) * x`` where ``shared`` is how many of the circle's most
   listed topics (besides its own) the mentee lists. Its answer is then valued by the exact
   objective of :mod:`.circles`.
3. A mentee still left out joins a circle with room whose members (and mentor) still share a
   topic and a window with them (:func:`insert_left_out`).

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
    """Per circle: topic -> bits of its acceptable mentees listing it, and window start ->
    bits of those who can make it, for the starts its mentor can make; of starts with the
    same mentees only the earliest is kept (every day alike: seven times fewer)."""
    out: dict[int, tuple[dict[int, int], dict[int, int]]] = {}
    groups: dict[int, dict[int, int]] = {}  # circle -> {mentee starts: bits of mentees}
    for i, c in sorted(problem.feasible):
        by_topic, _ = out.setdefault(c, ({}, {}))
        bit = 1 << i
        for t in problem.goals[i]:
            by_topic[t] = by_topic.get(t, 0) | bit
        starts = problem.starts[problem.mentees[i].id]
        group = groups.setdefault(c, {})
        group[starts] = group.get(starts, 0) | bit
    for c, group in groups.items():
        mentor_starts = problem.starts[problem.mentors[problem.nodes[c].mentor].id]
        raw: dict[int, int] = {}
        for starts, bits in group.items():
            common = starts & mentor_starts
            s = 0
            while common:
                if common & 1:
                    raw[s] = raw.get(s, 0) | bits
                common >>= 1
                s += 1
        seen: set[int] = set()
        by_start = out[c][1]
        for s in sorted(raw):
            if raw[s] not in seen:
                seen.add(raw[s])
                by_start[s] = raw[s]
    return out


def choose(
    problem: Problem, priority: int = 0, by_score: bool = False
) -> dict[int, tuple[int, int]]:
    """Step 1: circle -> (topic, window start). ``priority``: bits of mentees to place first
    (those a previous attempt left out). Among choices that fill a circle as well, the one
    with the most mentees left for later, or with ``by_score`` the best scores."""
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
        by_units = sorted(mentees, key=lambda i: (-problem.feasible[(i, c)], i))
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
                fill = min(count, st.max_size)
                if by_score:
                    key = (fill, first, _top_units(problem, c, by_units, both), count, -t, -s)
                else:
                    key = (fill, first, count, 0, -t, -s)
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


def _top_units(problem: Problem, c: int, by_units: list[int], members: int) -> int:
    """The units of the best ``max size`` of ``members`` in circle ``c``."""
    total, taken, room = 0, 0, problem.settings.max_size
    for i in by_units:
        if members >> i & 1:
            total += problem.feasible[(i, c)]
            taken += 1
            if taken == room:
                break
    return total


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
    at = {e: k for k, e in enumerate(edges)}
    for i, j in sorted(problem.apart):
        for k in on_mentee.get(i, []):
            other = at.get((j, edges[k][1]))
            if other is not None:
                rows += [row, row]
                cols += [k, other]
                vals += [1.0, 1.0]
                upper.append(1.0)
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

    Only mentees who have, in some circle, a topic and a window shared by at least the
    smallest size of its acceptable mentees can be placed at all, and only in such circles.
    Dropping the topics and windows then leaves an assignment with capacities (each circle
    takes at most the largest size): its optimum for ``BIG + units``, solved exactly (SciPy's
    sparse assignment), bounds the first two terms of the objective. The third is at most
    ``W * (max - 1) / 2`` per goal of each mentee placed (a co-member pair sharing a topic
    adds ``W`` once, counted half by each of its two mentees; a mentee has at most ``max - 1``
    co-members), summed over as many mentees, those with the most goals, as that assignment
    places."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    st = problem.settings
    w = problem.weight_units()
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
    edges = [(i, c, u) for (i, c), u in problem.feasible.items() if good.get(c, 0) >> i & 1]
    if not edges:
        return 0
    rows = sorted({i for i, _, _ in edges})
    row_at = {i: r for r, i in enumerate(rows)}
    nodes = sorted({c for _, c, _ in edges})
    node_at = {c: k for k, c in enumerate(nodes)}
    slots = st.max_size
    top = big + max(u for _, _, u in edges) + 1
    r_idx, c_idx, cost = [], [], []
    for i, c, u in edges:
        for k in range(slots):
            r_idx.append(row_at[i])
            c_idx.append(node_at[c] * slots + k)
            cost.append(top - (big + u))  # minimising top - value; always positive
    dummies = len(nodes) * slots
    for r in range(len(rows)):  # each mentee may stay out: value 0
        r_idx.append(r)
        c_idx.append(dummies + r)
        cost.append(top)
    matrix = csr_matrix(
        (np.array(cost, dtype=np.float64), (r_idx, c_idx)),
        shape=(len(rows), dummies + len(rows)),
    )
    _, cols = min_weight_full_bipartite_matching(matrix)
    best = {(row_at[i], node_at[c]): u for i, c, u in edges}
    total = 0
    placed_rows = []
    for r, col in enumerate(cols.tolist()):
        if col < dummies:
            total += big + max(best[(r, col // slots)], 0)
            placed_rows.append(r)
    shares = sorted((len(problem.goals[i]) for i in rows), reverse=True)
    bonus = w * (st.max_size - 1) * sum(shares[: len(placed_rows)]) / 2
    return total + math.floor(bonus)


def insert_left_out(problem: Problem, assignment: Assignment) -> Assignment:
    """Put mentees left out into circles with room whose members (and mentor) still share a
    topic and a window with them: their topic and window may change. Best pair first."""
    st = problem.settings
    out = {c: list(ms) for c, ms in assignment.items()}
    placed_ids = {i for ms in out.values() for i in ms}
    options = sorted(
        (-units, i, c)
        for (i, c), units in problem.feasible.items()
        if i not in placed_ids and c in out
    )
    for _, i, c in options:
        members = out[c]
        if i in placed_ids or len(members) >= st.max_size or problem.conflicts(i, members):
            continue
        topics = frozenset.intersection(problem.goals[i], *(problem.goals[k] for k in members))
        starts = problem.starts[problem.mentees[i].id]
        starts &= problem.starts[problem.mentors[problem.nodes[c].mentor].id]
        for k in members:
            starts &= problem.starts[problem.mentees[k].id]
        if topics and starts:
            members.append(i)
            placed_ids.add(i)
    return out


def decompose(problem: Problem, big: int, started: float) -> tuple[Assignment, Quality]:
    """Steps 1 and 2, each way of step 1 (most mentees left, best scores), again with the
    mentees left out first while that does better (at most :data:`ATTEMPTS` times each); the
    best answer is kept."""
    bound_value = upper_bound(problem, big)
    best: tuple[int, Assignment, Any] | None = None
    for by_score in (False, True):
        priority = 0
        last = -1
        for _ in range(ATTEMPTS):
            chosen = choose(problem, priority, by_score)
            limit = max(1.0, problem.settings.time_limit - (time.perf_counter() - started))
            assignment, res = place(problem, chosen, big, limit)
            value = objective(problem, assignment, big)
            if best is None or value > best[0]:
                best = (value, assignment, res)
            if value <= last or best[0] >= bound_value:
                break
            last = value
            placed_bits = sum(1 << i for ms in assignment.values() for i in ms)
            priority = sum(1 << i for i, _ in problem.feasible) & ~placed_bits
    assert best is not None
    value, assignment, res = best
    more = insert_left_out(problem, assignment)
    if objective(problem, more, big) > value:
        assignment, value = more, objective(problem, more, big)
    bound = max(value, bound_value)
    how = "nothing to place" if res is None else "optimal" if res.status == 0 else res.message
    note = (
        "topics and windows fixed per circle, then placed by HiGHS "
        f"({how.rstrip('.').lower()} for those); "
        "bound: each mentee's best pair and shared-topic share"
    )
    seconds = time.perf_counter() - started
    return assignment, Quality(value, bound, value == bound, "HiGHS", seconds, note, big=big)
