"""The optimal assignment (SciPy's LAPJVsp) and its proof of optimality by LP duality.

Mentees and mentors are indices in their seeded order (see :mod:`mentorctl.matching.match`);
scores are integer units (1/10000); mentors have ``remaining`` free slots. The objective is
``big * matched + total units``: the most mentees matched, then the best total.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mentorctl.matching.blocks import BlockScorer
from mentorctl.matching.candidates import Edges
from mentorctl.matching.score import UNITS

if TYPE_CHECKING:
    import numpy as np

# Solves at most, while the proof keeps finding pairs to add; then the gap is reported.
MAX_PROOF_ROUNDS = 12
# Pairs added per mentee and round when the proof finds some left out wrongly.
ADD_PER_ROW = 8
# Solves at most to keep two people from being each other's mentor, exactly: at least
# this many, and more on small programs (candidate pairs x solves within the edge budget).
MAX_BRANCH_SOLVES = 12
BRANCH_EDGE_BUDGET = 5_000_000


# -- optimal --------------------------------------------------------------------------------


@dataclass
class Proof:
    proven: bool
    rounds: int
    added: int = 0
    rescored: int = 0
    # The units of each mentee's pair (0 when unmatched), and big * matched + total units.
    units: Any = None
    value: int = 0
    # Upper bound minus the value found, in score units, when not proven.
    gap_units: int | None = None
    notes: list[str] = field(default_factory=list)


def _assign(edges: Edges, remaining: np.ndarray, n: int, big: int) -> np.ndarray:
    """The mentor of each mentee (-1: none) maximising ``big * matched + total units``.

    Each mentor's free slots become columns; the smaller side gets one private dummy partner
    per node (cost ``big + UNITS + 1``, "unmatched"), so a full matching always exists and
    scipy's LAPJVsp minimises ``sum(UNITS + 1 - units) + dummies * (big + UNITS + 1)``.
    """
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    rem = remaining.astype(np.int64)
    start = np.concatenate([[0], np.cumsum(rem)[:-1]])
    slots = int(rem.sum())
    owner = np.repeat(np.arange(len(rem)), rem)
    per = rem[edges.mentor]
    ei = np.repeat(edges.mentee, per)
    first = np.repeat(start[edges.mentor], per)
    offset = np.arange(len(ei)) - np.repeat(np.cumsum(per) - per, per)
    es = first + offset
    # Among equally good assignments, prefer fewer pairs of two "both" people, which are
    # the ones that can end up as each other's mentor: a third objective, one cost unit per
    # such pair under costs scaled by more than their number (only while sums stay exact).
    scale, tie = 1, np.zeros(len(edges.mentee), dtype=np.int64)
    if edges.mentee_both is not None and edges.mentor_both is not None:
        tie = (edges.mentee_both[edges.mentee] & edges.mentor_both[edges.mentor]).astype(np.int64)
        bound = (big + UNITS + 1) * (int(edges.mentee_both.sum()) + 1) * (min(n, slots) + 1)
        if tie.any() and bound < 2**52:
            scale = int(edges.mentee_both.sum()) + 1
    cost = np.repeat(((UNITS + 1 - edges.units) * scale + tie).astype(np.float64), per)
    dummy_cost = float((big + UNITS + 1) * scale)
    result = np.full(n, -1, dtype=np.int64)
    if len(ei) == 0:
        return result
    if slots < n:
        rows_, cols_ = es, ei
        nrows, ncols = slots, n
    else:
        rows_, cols_ = ei, es
        nrows, ncols = n, slots
    # rows_ are the smaller side; each gets a private dummy column.
    r = np.concatenate([rows_, np.arange(nrows)])
    c = np.concatenate([cols_, ncols + np.arange(nrows)])
    w = np.concatenate([cost, np.full(nrows, dummy_cost)])
    graph = sp.csr_array((w, (r, c)), shape=(nrows, ncols + nrows))
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    real = col_ind < ncols
    row_ind, col_ind = row_ind[real], col_ind[real]
    if slots < n:
        result[col_ind] = owner[row_ind]
    else:
        result[row_ind] = owner[col_ind]
    return result


def _mentor_potentials(
    edges: Edges, mate: np.ndarray, mate_units: np.ndarray, remaining: np.ndarray, big: int
) -> np.ndarray | None:
    """Dual prices of the mentors' slots that prove ``mate`` optimal on ``edges``.

    The LP dual of the assignment: u_i + v_j >= big + units_ij, u >= 0, v >= 0. With the
    primal fixed, complementary slackness (a matched pair is tight, an unmatched mentee has
    u = 0, a mentor with a free slot has v = 0) leaves difference constraints on v, solved as
    shortest paths from a zero node (Bellman-Ford in rounds: arcs may be negative). These are
    the highest prices that fit: about a mentor's worst held score, which is what clears the
    pairs of waiting mentees. None when a negative cycle shows ``mate`` is not optimal.
    """
    import numpy as np

    m = len(remaining)
    z = m
    i, j, u = edges.mentee, edges.mentor, edges.units.astype(np.float64)
    a = mate[i]
    matched = a >= 0
    other = matched & (j != a)
    src = [j[other]]
    dst = [a[other]]
    length = [mate_units[i[other]] - u[other]]
    unmatched = ~matched
    src.append(j[unmatched])
    dst.append(np.full(int(unmatched.sum()), z))
    length.append(-(big + u[unmatched]))
    paired = np.nonzero(mate >= 0)[0]
    src.append(np.full(len(paired), z))
    dst.append(mate[paired])
    length.append(big + mate_units[paired])
    used = np.bincount(mate[paired], minlength=m)
    open_ = np.nonzero(remaining > 0)[0]
    src.append(open_)
    dst.append(np.full(len(open_), z))
    length.append(np.zeros(len(open_)))
    free = np.nonzero(used < remaining)[0]
    src.append(np.full(len(free), z))
    dst.append(free)
    length.append(np.zeros(len(free)))
    s = np.concatenate(src)
    d = np.concatenate(dst)
    w = np.concatenate(length)
    # Distances from the zero node are distances to it on the reversed arcs.
    highest = _distances_to(d, s, w, z, m + 1)
    if highest is None:
        return None
    return np.maximum(highest[:m], 0.0)


def _distances_to(
    src: np.ndarray, dst: np.ndarray, w: np.ndarray, target: int, size: int
) -> np.ndarray | None:
    """Shortest distances from every node to ``target`` (Bellman-Ford in rounds, numpy);
    None on a negative cycle. Nodes that cannot reach the target get 0."""
    import numpy as np

    order = np.argsort(src, kind="stable")
    s, d, w = src[order], dst[order], w[order]
    heads = np.concatenate([[0], np.nonzero(np.diff(s))[0] + 1])
    nodes = s[heads]
    dist = np.full(size, np.inf)
    dist[target] = 0.0
    for _ in range(size + 1):
        best = np.minimum.reduceat(w + dist[d], heads)
        better = best < dist[nodes]
        if not better.any():
            dist[~np.isfinite(dist)] = 0.0
            return dist
        dist[nodes[better]] = best[better]
    return None


def solve_optimal(
    edges: Edges,
    remaining: np.ndarray,
    n: int,
    scorer: BlockScorer,
    open_mask: np.ndarray,
    min_units: int,
    forbidden: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[np.ndarray, Proof]:
    """Most mentees matched, then the greatest total score; proven optimal over every pair
    (but ``forbidden`` ones, which ``edges`` must not hold either).

    With pruned candidates, LP duality proves the result: every pair left out must have a
    non-negative reduced cost under the duals of the pruned solve. Pairs that fail are added
    and the solve repeated; if rounds run out, the gap to the dual bound is reported.
    """
    import numpy as np

    big = UNITS * (min(n, int(remaining.sum())) + 1)
    proof = Proof(proven=True, rounds=0)
    while True:
        proof.rounds += 1
        mate = _assign(edges, remaining, n, big)
        mate_units = _units_of(edges, mate)
        proof.units = mate_units
        proof.value = int(big * (mate >= 0).sum() + mate_units[mate >= 0].sum())
        if not edges.pruned:
            return mate, proof
        price = _mentor_potentials(edges, mate, mate_units, remaining, big)
        if price is None:
            proof.proven = False
            proof.notes.append("the dual check found a negative cycle; result not proven")
            return mate, proof
        util = np.where(mate >= 0, big + mate_units - price[np.maximum(mate, 0)], 0.0)
        # First the cheap check (the mentors' deep lists, already scored); only once those
        # hold is it worth scoring again the mentees the thresholds cannot clear.
        add_i, add_j, add_u, gain = _deep_violations(edges, util, price, big, forbidden)
        if len(add_i) and proof.rounds < MAX_PROOF_ROUNDS:
            proof.added += len(add_i)
            edges.add(add_i, add_j, add_u)
            continue
        suspect = _suspects(edges, util, price, open_mask, big)
        more_i, more_j, more_u, excess = _reduced_costs(
            scorer, suspect, util, price, open_mask, min_units, big, edges.table, forbidden
        )
        proof.rescored += len(suspect)
        outside = ~np.isin(add_i, suspect)
        excess += float(_row_max(add_i[outside], gain[outside], len(util)).sum())
        add_i = np.concatenate([add_i[outside], more_i])
        add_j = np.concatenate([add_j[outside], more_j])
        add_u = np.concatenate([add_u[outside], more_u])
        if len(add_i) == 0:
            return mate, proof
        if proof.rounds >= MAX_PROOF_ROUNDS:
            value = float(np.sum(util)) + float(np.sum(price * remaining))
            upper = value + excess
            found = float(big * (mate >= 0).sum() + mate_units[mate >= 0].sum())
            proof.proven = False
            proof.gap_units = round(upper - found)
            return mate, proof
        proof.added += len(add_i)
        edges.add(add_i, add_j, add_u)


def solve_optimal_exclusive(
    edges: Edges,
    remaining: np.ndarray,
    n: int,
    scorer: BlockScorer,
    open_mask: np.ndarray,
    min_units: int,
    conflicts: Callable[[np.ndarray], list[tuple[tuple[int, int], tuple[int, int]]]],
) -> tuple[np.ndarray, Proof]:
    """:func:`solve_optimal` where the two pairs of a conflict (two "both" people as each
    other's mentor) may not both be chosen.

    Best-first branch and bound: a solution with a conflict splits into "without the one
    pair" and "without the other", each solve being an upper bound for its branch; the
    branch with the highest bound is opened first, so the first conflict-free solution
    opened is the optimum. Past a budget of solves (more for small programs), the lower-
    scoring pair of each conflict is left out instead: the result is then not proven, and
    ``gap_units`` says how far from the best bound still open it may be.
    """
    budget = max(MAX_BRANCH_SOLVES, min(200, BRANCH_EDGE_BUDGET // max(1, len(edges.mentee))))
    totals = {"solves": 0, "rounds": 0, "added": 0}

    def solve(forbidden: frozenset[tuple[int, int]]) -> tuple[np.ndarray, Proof]:
        totals["solves"] += 1
        mate, proof = solve_optimal(
            edges.without(forbidden), remaining, n, scorer, open_mask, min_units, forbidden
        )
        totals["rounds"] += proof.rounds
        totals["added"] += proof.added
        return mate, proof

    root = solve(frozenset())
    proven = root[1].proven
    best: tuple[np.ndarray, Proof] | None = None
    count = 0
    queue: list[tuple[int, int, frozenset[tuple[int, int]], tuple[np.ndarray, Proof]]] = [
        (-root[1].value, count, frozenset(), root)
    ]
    while queue:
        bound, _, forbidden, node = queue[0]
        if best is not None and best[1].value >= -bound:
            break  # nothing still open can beat it
        found = conflicts(node[0])
        if not found:
            best = node  # the highest bound still open, and conflict-free: the optimum
            break
        if totals["solves"] + 2 > budget:
            break
        heapq.heappop(queue)
        for pair in found[0]:
            child = solve(forbidden | {pair})
            proven = proven and child[1].proven
            count += 1
            heapq.heappush(queue, (-child[1].value, count, forbidden | {pair}, child))
    open_bound = -queue[0][0] if queue else 0
    if best is None or best[1].value < open_bound:
        fallback = _leave_out_lower(queue[0][3], queue[0][2], conflicts, solve)
        if best is None or fallback[1].value > best[1].value:
            best = fallback
        proven = proven and best[1].value >= open_bound
        if not proven:
            best[1].gap_units = max(0, open_bound - best[1].value)
            best[1].notes.append(
                "two people were kept from being each other's mentor without a full search"
            )
    mate, proof = best
    proof.proven = proven
    proof.rounds, proof.added = totals["rounds"], totals["added"]
    return mate, proof


def _leave_out_lower(
    node: tuple[np.ndarray, Proof],
    forbidden: frozenset[tuple[int, int]],
    conflicts: Callable[[np.ndarray], list[tuple[tuple[int, int], tuple[int, int]]]],
    solve: Callable[[frozenset[tuple[int, int]]], tuple[np.ndarray, Proof]],
) -> tuple[np.ndarray, Proof]:
    """Leave out the lower-scoring pair of every conflict until none is left."""
    while found := conflicts(node[0]):
        units = node[1].units
        forbidden |= {a if units[a[0]] <= units[b[0]] else b for a, b in found}
        node = solve(forbidden)
    return node


def _suspects(
    edges: Edges, util: np.ndarray, price: np.ndarray, open_mask: np.ndarray, big: int
) -> np.ndarray:
    """Mentees whose left-out pairs the duals may not cover, from the thresholds alone.

    A pair left out of both lists has ``units <= min(t_i, s_j)`` (the mentee's and the
    mentor's thresholds), so its dual constraint holds when ``util_i >= big + max_j
    (min(t_i, s_j) - price_j)``. That maximum depends on t_i
    only: split the mentors at ``s_j >= t_i`` and take a suffix / prefix maximum.
    """
    import numpy as np

    s = edges.mentor_threshold
    assert s is not None
    has = open_mask & (s >= 0)
    t = edges.threshold
    rows = np.nonzero(t >= 0)[0]
    if not has.any():
        # Every mentor's usable mentees are all in its list: nothing is left out.
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(s[has], kind="stable")
    s_sorted = s[has][order].astype(np.float64)
    p = (price[has][order] - big).astype(np.float64)
    suffix = np.maximum.accumulate((-p)[::-1])[::-1]  # max over s_j >= t of -price'
    prefix = np.maximum.accumulate(s_sorted - p)  # max over s_j < t of s_j - price'
    pos = np.searchsorted(s_sorted, t[rows], side="left")
    upper = np.full(len(rows), -np.inf)
    high = pos < len(s_sorted)
    upper[high] = t[rows][high] + suffix[pos[high]]
    low = pos > 0
    upper[low] = np.maximum(upper[low], prefix[pos[low] - 1])
    return rows[upper > util[rows] + 0.5]


def _deep_violations(
    edges: Edges,
    util: np.ndarray,
    price: np.ndarray,
    big: int,
    forbidden: frozenset[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of the mentors' deep lists whose dual constraint fails, and by how much."""
    import numpy as np

    if edges.deep is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0)
    di, dj, du = edges.deep
    gain = big + du - price[dj] - util[di]
    bad = gain > 0.5
    for i, j in forbidden:
        bad &= ~((di == i) & (dj == j))
    return di[bad], dj[bad], du[bad], gain[bad]


def _row_max(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    import numpy as np

    out = np.zeros(n)
    np.maximum.at(out, rows, values)
    return out


def _units_of(edges: Edges, mate: np.ndarray) -> np.ndarray:
    """Units of each mentee's assigned pair (0 for the unmatched)."""
    import numpy as np

    out = np.zeros(len(mate), dtype=np.float64)
    hit = mate[edges.mentee] == edges.mentor
    out[edges.mentee[hit]] = edges.units[hit]
    return out


def _reduced_costs(
    scorer: BlockScorer,
    rows: np.ndarray,
    util: np.ndarray,
    price: np.ndarray,
    open_mask: np.ndarray,
    min_units: int,
    big: int,
    table: np.ndarray | None,
    forbidden: frozenset[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Pairs of ``rows`` whose dual constraint fails (the best few per row), and the sum of
    the per-row excesses (how much the duals must rise to cover every pair)."""
    import numpy as np

    add_i, add_j, add_u = [], [], []
    excess = 0.0
    step = scorer.block_rows()
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        if table is not None:
            units = table[block].astype(np.int64)
            ok = units >= 0
        else:
            units, _, allowed = scorer.score(block)
            ok = allowed & (units >= min_units) & open_mask[None, :]
        for i, j in forbidden:
            ok[block == i, j] = False
        gain = np.where(ok, big + units - price[None, :] - util[block][:, None], -np.inf)
        worst = gain.max(axis=1)
        excess += float(np.maximum(worst, 0).sum())
        bad = worst > 0.5
        if not bad.any():
            continue
        block, gain, units = block[bad], gain[bad], units[bad]
        take = min(ADD_PER_ROW, gain.shape[1])
        idx = np.argpartition(-gain, take - 1, axis=1)[:, :take]
        g = np.take_along_axis(gain, idx, axis=1)
        r, c = np.nonzero(g > 0.5)
        add_i.append(block[r])
        add_j.append(idx[r, c])
        add_u.append(units[r, idx[r, c]].astype(np.int64))
    if not add_i:
        return (np.zeros(0, np.int64),) * 3 + (excess,)  # type: ignore[return-value]
    return np.concatenate(add_i), np.concatenate(add_j), np.concatenate(add_u), excess
