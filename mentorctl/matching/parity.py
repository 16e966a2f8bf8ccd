"""The optimal assignment under a parity rule (program.yaml ``fairness.min_ratio``), over the
candidate pairs, with SciPy's HiGHS.

Variables: ``x_e`` in [0, 1] for each candidate pair ``e`` (mentee, mentor); ``y_g``, the
pairs of group ``g`` (whole numbers); ``t`` in [0, 1], a ceiling of every group's match rate.
Constraints: each mentee in at most one pair; each mentor in at most their free slots;
``y_g = sum_{e in g} x_e``, ``y_g <= n_g t`` and ``y_g >= min_ratio n_g t`` (so no group's
rate is below ``min_ratio`` times the best). Objective, in two solves like the default's:
first the most mentees matched; then, with that number fixed, the greatest total score
(integer units).

Why it is exact and quick: with the counts ``y`` fixed to whole numbers, what is left is a
flow (source, group, mentee, mentor, sink) whose linear program has whole-number corners.
So only the handful of counts are branched on (best first, each node a linear program
solved by the dual simplex), and at a node with whole counts, the counts are fixed and a
corner found: whole pairs, the node's value. Two "both" people as each other's mentor are
branched away the same way. Where groups overlap (a person in two language groups) the flow
argument fails, and every pair is an integer variable of one mixed-integer program
(``scipy.optimize.milp``, zero gap, given up after :data:`WHOLE_PAIRS_SECONDS`).

:func:`mentorctl.matching.parity_rule.apply_rule` runs it for a matching run and says what
the rule cost. Pairs made before it (mentees' choices) are constants of the program: each
group's count is ``c_g + y_g``, ``c_g`` its pairs fixed already, and ``n_g`` counts every
mentee of the group in the run, so the rule holds on the whole result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


# Pairs per mentee each linear program starts from; the others join when priced in.
START_COLUMNS = 6
# With overlapping groups every pair is an integer variable; past this, the rule is given up
# (and said so) rather than keep an admin waiting.
WHOLE_PAIRS_SECONDS = 60.0


# What the solvers say when no assignment keeps the rule (only pairs made before it, from
# mentees' choices, can make it so: matching no one else keeps it otherwise).
NO_ASSIGNMENT = "no assignment keeps the rule"


@dataclass
class ParitySolution:
    mate: np.ndarray  # mentor index of each mentee, -1 when unmatched
    feasible: bool  # HiGHS found the optimum (always, unless it failed or timed out)
    message: str = ""
    method: str = "branch and bound on the group counts (HiGHS dual simplex)"

    @property
    def infeasible(self) -> bool:
        """No assignment keeps the rule (as opposed to a solver that failed)."""
        return not self.feasible and self.message == NO_ASSIGNMENT


def solve_parity(
    mentee: np.ndarray,
    mentor: np.ndarray,
    units: np.ndarray,
    remaining: np.ndarray,
    n: int,
    members: Sequence[Sequence[int]],
    min_ratio: float,
    exclusive: Sequence[tuple[int, int]] = (),
    time_limit: float = WHOLE_PAIRS_SECONDS,
    prefer: np.ndarray | None = None,
    sizes: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
) -> ParitySolution:
    """Most mentees matched, then the greatest total units, under the parity rule on the
    groups ``members`` (mentee indices), over the candidate pairs ``(mentee, mentor,
    units)``; ``exclusive``: pairs of candidate indices that may not both be chosen.

    ``fixed``: pairs each group has already (made before the rule, never undone), and
    ``sizes``: each group's mentees, those pairs' mentees included (default: ``members``'
    sizes, nothing fixed). The rule bounds the rates of the whole: ``(fixed_g + y_g) /
    sizes_g``. With pairs fixed, no assignment may keep it: the answer then says
    :data:`NO_ASSIGNMENT`.

    When no mentee is in two groups and nothing is exclusive, only the groups' counts are
    integer variables: with them fixed, what is left is a flow (source, group, mentee,
    mentor, sink), whose linear program has whole-number corners; a last solve by the dual
    simplex with the counts fixed finds one. Otherwise every pair is an integer variable.
    """
    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    e = len(mentee)
    mate = np.full(n, -1, dtype=np.int64)
    m, g_count = len(remaining), len(members)
    if e == 0:
        # Nothing to place: the pairs fixed already keep the rule or nothing does.
        if fixed is None or sizes is None or not g_count:
            return ParitySolution(mate, True)
        rate = np.asarray(fixed, dtype=np.float64) / np.maximum(np.asarray(sizes), 1)
        if rate.min() >= min_ratio * rate.max() - 1e-9:
            return ParitySolution(mate, True)
        return ParitySolution(mate, False, NO_ASSIGNMENT)
    if sizes is None:
        sizes = np.array([len(g) for g in members], dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.float64)
    fixed = np.zeros(g_count) if fixed is None else np.asarray(fixed, dtype=np.float64)
    seen = np.zeros(n, dtype=np.int64)
    for group in members:
        seen[np.asarray(group, dtype=np.int64)] += 1
    whole_pairs = bool((seen > 1).any())
    # Columns: x (e pairs), y (one count per group), t (the ceiling of the rates).
    width = e + g_count + 1
    cols = np.arange(e)
    blocks = [
        sp.csr_array((np.ones(e), (mentee, cols)), shape=(n, width)),
        sp.csr_array((np.ones(e), (mentor, cols)), shape=(m, width)),
    ]
    lower = [np.zeros(n), np.zeros(m)]
    upper = [np.ones(n), remaining.astype(np.float64)]
    if g_count:
        group_of = np.full(n, -1, dtype=np.int64)
        rows, cs = [], []
        for g, group in enumerate(members):
            idx = np.asarray(group, dtype=np.int64)
            group_of[idx] = g
            rows.append(np.full(len(idx), g))
            cs.append(idx)
        member = sp.csr_array(
            (np.ones(sum(len(c) for c in cs)), (np.concatenate(rows), np.concatenate(cs))),
            shape=(g_count, n),
        )
        in_group = (member @ sp.csr_array((np.ones(e), (mentee, cols)), shape=(n, e))).tocoo()
        ys = e + np.arange(g_count)
        gr = np.arange(g_count)
        # y_g = the pairs of group g placed now; with c_g those it has already (fixed):
        # c_g + y_g <= n_g t; c_g + y_g >= min_ratio n_g t.
        count = sp.csr_array(
            (np.concatenate([in_group.data, -np.ones(g_count)]),
             (np.concatenate([in_group.row, gr]), np.concatenate([in_group.col, ys]))),
            shape=(g_count, width),
        )  # fmt: skip
        ceiling = sp.csr_array(
            (np.concatenate([np.ones(g_count), -sizes]),
             (np.concatenate([gr, gr]), np.concatenate([ys, np.full(g_count, width - 1)]))),
            shape=(g_count, width),
        )  # fmt: skip
        floor = sp.csr_array(
            (np.concatenate([np.ones(g_count), -min_ratio * sizes]),
             (np.concatenate([gr, gr]), np.concatenate([ys, np.full(g_count, width - 1)]))),
            shape=(g_count, width),
        )  # fmt: skip
        blocks += [count, ceiling, floor]
        lower += [np.zeros(g_count), np.full(g_count, -np.inf), -fixed]
        upper += [np.zeros(g_count), -fixed, np.full(g_count, np.inf)]
    if exclusive and whole_pairs:
        pairs = np.asarray(exclusive, dtype=np.int64)
        k = len(pairs)
        r = np.repeat(np.arange(k), 2)
        blocks.append(sp.csr_array((np.ones(2 * k), (r, pairs.ravel())), shape=(k, width)))
        lower.append(np.zeros(k))
        upper.append(np.ones(k))
    a = sp.vstack(blocks).tocsr()
    lo, hi = np.concatenate(lower), np.concatenate(upper)
    integrality = np.zeros(width)
    integrality[: e if whole_pairs else 0] = 1
    integrality[e : e + g_count] = 1
    high = np.concatenate([np.ones(e), np.array([len(g) for g in members], float), [1.0]])
    bounds = Bounds(np.zeros(width), high)
    options: dict[str, float] = {"mip_rel_gap": 0.0, "time_limit": time_limit}
    all_pairs = sp.csr_array(np.concatenate([np.ones(e), np.zeros(width - e)]).reshape(1, -1))
    gain = np.concatenate([units.astype(np.float64), np.zeros(width - e)])

    rows = _as_rows(a, lo, hi)
    # Each linear program starts from each mentee's best few pairs and those of ``prefer``.
    order = np.lexsort((-units, mentee))
    rank = np.empty(e, dtype=np.int64)
    rank[order] = np.arange(e) - np.searchsorted(mentee[order], mentee[order], side="left")
    start = np.full(width, -1, dtype=np.int64)
    start[:e] = rank
    if prefer is not None:
        start[:e][prefer] = -1
    count_cols = np.arange(e, e + g_count)

    def solve(
        cost: np.ndarray, extra: dict[str, Any], incumbent: np.ndarray | None = None
    ) -> tuple[Any, str]:
        if whole_pairs:
            cons = LinearConstraint(sp.vstack([a, *extra.get("rows", [])]).tocsr(),
                                    np.concatenate([lo, extra.get("lo", [])]),
                                    np.concatenate([hi, extra.get("hi", [])]))  # fmt: skip
            found = milp(cost, constraints=cons, integrality=integrality, bounds=bounds,
                         options=options)  # fmt: skip
            message = NO_ASSIGNMENT if found.status == 2 else str(found.message)
            return (found.x if found.status == 0 else None), message
        eq = {"A_eq": sp.vstack([rows["A_eq"], *extra.get("rows", [])]).tocsr(),
              "b_eq": np.concatenate([rows["b_eq"], extra.get("lo", [])])}  # fmt: skip
        return _count_branches(cost, rows["A_ub"], rows["b_ub"], eq, bounds, count_cols,
                               exclusive, incumbent, (sizes, min_ratio, fixed), start)  # fmt: skip

    # First: the most mentees matched under the rule.
    x, message = solve(-np.concatenate([np.ones(e), np.zeros(width - e)]), {})
    if x is None:
        return ParitySolution(mate, False, message)
    matched = float(round(x[:e].sum()))
    # Then: the greatest total score among the assignments matching that many.
    # The first answer matches that many: where it keeps every rule, a bound to start from.
    x, message = solve(-gain, {"rows": [all_pairs], "lo": [matched], "hi": [matched]}, x)
    if x is None:
        return ParitySolution(mate, False, message)
    picked = x[:e]
    if np.any(np.abs(picked - np.round(picked)) > 1e-6):
        return ParitySolution(mate, False, "the solver returned a fractional assignment")
    chosen = np.nonzero(picked > 0.5)[0]
    mate[mentee[chosen]] = mentor[chosen]
    if whole_pairs:
        return ParitySolution(mate, True, method="mixed-integer program (HiGHS), groups overlap")
    return ParitySolution(mate, True)


def _count_branches(
    cost: np.ndarray,
    a_ub: Any,
    b_ub: np.ndarray,
    eq: dict[str, Any],
    bounds: Any,
    count_cols: np.ndarray,
    exclusive: Sequence[tuple[int, int]] = (),
    incumbent: np.ndarray | None = None,
    ceiling: tuple[np.ndarray, float, np.ndarray] | None = None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray | None, str]:
    """Minimise ``cost`` with whole-number group counts: best-first branch and bound on the
    counts alone (a handful of variables), each node a linear program (dual simplex); at a
    node whose counts are whole, the counts are fixed and the flow solved again for a corner
    with whole pairs (its value is the node's: the node's point lies on that face). A corner
    that makes two people each other's mentor branches once more: without the one pair,
    without the other. Each linear program starts from the columns whose rank in ``start``
    (each pair's among its mentee's, best first; -1: always) is below :data:`START_COLUMNS`,
    and prices the others in (column generation), so it is the program over every column."""
    import heapq

    import numpy as np
    from scipy.optimize import linprog

    # A column's rank among its mentee's pairs (-1: always in): those below START_COLUMNS
    # are in from the start, the others join when priced in.
    ranks = np.full(len(cost), -1, dtype=np.int64) if start is None else start
    active = ranks < START_COLUMNS
    a_eq, b_eq = eq["A_eq"].tocsc(), eq["b_eq"]
    a_up = a_ub.tocsc()

    def lp(low: np.ndarray, high: np.ndarray) -> Any:
        """The linear program over every column, solved on the active ones and priced: a
        column left out whose reduced cost is negative joins, and the solve is repeated."""
        while True:
            cols = np.nonzero(active)[0]
            found = linprog(cost[cols], A_ub=a_up[:, cols], b_ub=b_ub, A_eq=a_eq[:, cols],
                            b_eq=b_eq, bounds=np.column_stack([low[cols], high[cols]]),
                            method="highs-ds")  # fmt: skip
            if found.status == 2 and not active.all():
                # Infeasible on a part: decide on every column, once; if feasible after all,
                # the pairs that answer used join.
                whole = linprog(cost, A_ub=a_up, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                                bounds=np.column_stack([low, high]), method="highs-ds")  # fmt: skip
                if whole.status != 0:
                    return whole
                active[whole.x > 1e-9] = True
                continue
            if found.status != 0:
                return found
            reduced = cost - a_up.T @ found.ineqlin.marginals - a_eq.T @ found.eqlin.marginals
            join = ~active & (high > 0) & (reduced < -1e-7)
            if not join.any():
                x = np.zeros(len(cost))
                x[cols] = found.x
                found.x = x
                return found
            active[join] = True

    best: tuple[float, np.ndarray] | None = None
    if incumbent is not None:
        best = (float(cost @ incumbent), incumbent)
    # Children wait with their parent's bound and are solved only when their turn comes.
    # The objectives are whole numbers: a node's bound is its value rounded up; among equal
    # bounds the deepest node goes first, which reaches whole counts soonest.
    heap: list[tuple[float, int, int, np.ndarray, np.ndarray, Any]] = [
        (-np.inf, 0, 0, bounds.lb.copy(), bounds.ub.copy(), None)
    ]
    tick = 0
    trouble = ""  # a linear program that failed other than by being infeasible
    while heap:
        value, depth, _, low, high, node = heapq.heappop(heap)
        if best is not None and value >= best[0] - 0.5:
            break
        if node is None:
            node = lp(low, high)
            if node.status != 0:
                if node.status != 2:
                    trouble = str(node.message)
                continue
            tick += 1
            bound = float(np.ceil(node.fun - 1e-6))
            heapq.heappush(heap, (bound, depth, tick, low, high, node))
            if best is None and ceiling is not None:
                best = _rounded(lp, node, low, high, count_cols, ceiling, exclusive) or best
            continue
        counts = node.x[count_cols]
        frac = np.abs(counts - np.round(counts))
        if not len(frac) or frac.max() <= 1e-6:
            low2, high2 = low.copy(), high.copy()
            low2[count_cols] = high2[count_cols] = np.round(counts)
            corner = lp(low2, high2)
            if corner.status != 0:
                continue
            clash = next(((a, b) for a, b in exclusive
                          if corner.x[a] > 0.5 and corner.x[b] > 0.5), None)  # fmt: skip
            if clash is None:
                if best is None or corner.fun < best[0]:
                    best = (corner.fun, corner.x)
                continue
            for left_out in clash:
                low3, high3 = low.copy(), high.copy()
                high3[left_out] = 0.0
                tick += 1
                heapq.heappush(heap, (value, depth - 1, tick, low3, high3, None))
            continue
        k = count_cols[int(np.argmax(frac))]
        for side in ("down", "up"):
            low2, high2 = low.copy(), high.copy()
            if side == "down":
                high2[k] = np.floor(node.x[k])
            else:
                low2[k] = np.ceil(node.x[k])
            tick += 1
            heapq.heappush(heap, (value, depth - 1, tick, low2, high2, None))
    if best is None:
        return None, trouble or NO_ASSIGNMENT
    return best[1], ""


def _rounded(
    lp: Any,
    node: Any,
    low: np.ndarray,
    high: np.ndarray,
    count_cols: np.ndarray,
    ceiling: tuple[np.ndarray, float, np.ndarray],
    exclusive: Sequence[tuple[int, int]],
) -> tuple[float, np.ndarray] | None:
    """A first whole answer: the rates' ceiling ``t`` of the node kept, each group's count
    held between ``ceil(min_ratio n_g t - c_g)`` and ``floor(n_g t - c_g)`` (``c_g``: its
    pairs fixed already; whole bounds: a flow again)."""
    import numpy as np

    sizes, min_ratio, fixed = ceiling
    if not len(count_cols):
        return None
    t = float(node.x[-1])
    low2, high2 = low.copy(), high.copy()
    low2[-1] = high2[-1] = t
    low2[count_cols] = np.maximum(low2[count_cols], np.ceil(min_ratio * sizes * t - fixed - 1e-9))
    high2[count_cols] = np.minimum(high2[count_cols], np.floor(sizes * t - fixed + 1e-9))
    if np.any(low2 > high2):
        return None
    found = lp(low2, high2)
    if found.status != 0:
        return None
    x = found.x
    if np.any(np.abs(x[: count_cols[0]] - np.round(x[: count_cols[0]])) > 1e-6):
        return None
    if any(x[a] > 0.5 and x[b] > 0.5 for a, b in exclusive):
        return None
    return float(found.fun), x


def _as_rows(a: Any, lo: np.ndarray, hi: np.ndarray) -> dict[str, Any]:
    """``lo <= a x <= hi`` as linprog's ``A_ub x <= b_ub`` and ``A_eq x = b_eq``."""
    import numpy as np
    import scipy.sparse as sp

    eq = lo == hi
    up = ~eq & np.isfinite(hi)
    down = ~eq & np.isfinite(lo)
    return {
        "A_eq": a[np.nonzero(eq)[0]],
        "b_eq": hi[eq],
        "A_ub": sp.vstack([a[np.nonzero(up)[0]], -a[np.nonzero(down)[0]]]).tocsr(),
        "b_ub": np.concatenate([hi[up], -lo[down]]),
    }
