"""The optimal assignment under a parity rule: a mixed-integer program (SciPy's ``milp``,
HiGHS), over the candidate pairs.

Variables: ``x_e`` in {0, 1} for each candidate pair ``e`` (mentee, mentor), and ``t`` in
[0, 1], a ceiling of every group's match rate. Constraints: each mentee in at most one pair;
each mentor in at most their free slots; for each group ``g`` of ``n_g`` mentees (the ones the
rule applies to): ``sum_{e in g} x_e <= n_g * t`` and ``sum_{e in g} x_e >= min_ratio * n_g
* t``, so no group's rate is below ``min_ratio`` times the best; for two "both" people, the
pair one way and the pair the other way not both. Objective, in two solves, like the
default's: first the most mentees matched; then, with that number fixed, the greatest total
score (integer units). Both solves ask HiGHS for a zero gap, so the result is optimal among
the candidate pairs, not approximately.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mentorctl.matching.score import UNITS

if TYPE_CHECKING:
    import numpy as np

    from mentorctl.matching.score import Profile


@dataclass
class ParitySolution:
    mate: np.ndarray  # mentor index of each mentee, -1 when unmatched
    feasible: bool  # HiGHS found the optimum (always, unless it failed or timed out)
    message: str = ""


def solve_parity(
    mentee: np.ndarray,
    mentor: np.ndarray,
    units: np.ndarray,
    remaining: np.ndarray,
    n: int,
    members: Sequence[Sequence[int]],
    min_ratio: float,
    exclusive: Sequence[tuple[int, int]] = (),
    time_limit: float | None = None,
) -> ParitySolution:
    """Most mentees matched, then the greatest total units, under the parity rule on the
    groups ``members`` (mentee indices), over the candidate pairs ``(mentee, mentor,
    units)``; ``exclusive``: pairs of candidate indices that may not both be chosen."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp

    e = len(mentee)
    mate = np.full(n, -1, dtype=np.int64)
    if e == 0:
        return ParitySolution(mate, True)
    m = len(remaining)
    cols = np.arange(e)
    blocks = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    # Each mentee at most once, each mentor within their free slots (t's column is e).
    blocks.append(sp.csr_array((np.ones(e), (mentee, cols)), shape=(n, e + 1)))
    lower.append(np.zeros(n))
    upper.append(np.ones(n))
    blocks.append(sp.csr_array((np.ones(e), (mentor, cols)), shape=(m, e + 1)))
    lower.append(np.zeros(m))
    upper.append(remaining.astype(np.float64))
    if members:
        rows, cs = [], []
        for g, group in enumerate(members):
            rows.append(np.full(len(group), g))
            cs.append(np.asarray(group, dtype=np.int64))
        g_count = len(members)
        member = sp.csr_array(
            (np.ones(sum(len(c) for c in cs)), (np.concatenate(rows), np.concatenate(cs))),
            shape=(g_count, n),
        )
        incidence = sp.csr_array((np.ones(e), (mentee, cols)), shape=(n, e))
        in_group = (member @ incidence).tocsr()
        sizes = np.array([len(g) for g in members], dtype=np.float64)
        ceiling = sp.hstack([in_group, sp.csr_array(-sizes.reshape(-1, 1))]).tocsr()
        floor = sp.hstack([in_group, sp.csr_array(-min_ratio * sizes.reshape(-1, 1))]).tocsr()
        blocks += [ceiling, floor]
        lower += [np.full(g_count, -np.inf), np.zeros(g_count)]
        upper += [np.zeros(g_count), np.full(g_count, np.inf)]
    if exclusive:
        pairs = np.asarray(exclusive, dtype=np.int64)
        k = len(pairs)
        r = np.repeat(np.arange(k), 2)
        blocks.append(sp.csr_array((np.ones(2 * k), (r, pairs.ravel())), shape=(k, e + 1)))
        lower.append(np.zeros(k))
        upper.append(np.ones(k))
    a = sp.vstack(blocks).tocsr()
    lo, hi = np.concatenate(lower), np.concatenate(upper)
    integrality = np.concatenate([np.ones(e), [0]])
    bounds = Bounds(np.zeros(e + 1), np.ones(e + 1))
    options: dict[str, float] = {"mip_rel_gap": 0.0}
    if time_limit is not None:
        options["time_limit"] = time_limit

    # First: the most mentees matched under the rule.
    c = np.concatenate([-np.ones(e), [0.0]])
    first = milp(c, constraints=LinearConstraint(a, lo, hi), integrality=integrality,
                 bounds=bounds, options=options)  # fmt: skip
    if first.x is None or first.status != 0:
        return ParitySolution(mate, False, str(first.message))
    count = round(-first.fun)
    # Then: the greatest total score among the assignments matching that many.
    top = sp.csr_array(np.concatenate([np.ones(e), [0.0]]).reshape(1, -1))
    a2 = sp.vstack([a, top]).tocsr()
    lo2, hi2 = np.concatenate([lo, [count]]), np.concatenate([hi, [count]])
    c2 = np.concatenate([-units.astype(np.float64), [0.0]])
    second = milp(c2, constraints=LinearConstraint(a2, lo2, hi2), integrality=integrality,
                  bounds=bounds, options=options)  # fmt: skip
    if second.x is None or second.status != 0:
        return ParitySolution(mate, False, str(second.message))
    chosen = np.nonzero(second.x[:e] > 0.5)[0]
    mate[mentee[chosen]] = mentor[chosen]
    return ParitySolution(mate, True)


def apply_rule(
    method: str,
    mate: np.ndarray,
    edges: Any,
    remaining: np.ndarray,
    mentee_people: Sequence[Mapping[str, Any]],
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    crit: Any,
    by: str,
    min_ratio: float,
    today: dt.date,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The run's assignment under the rule, and what it cost: ``mate`` is the assignment
    without it. Groups none of whose mentees has an acceptable mentor with a free slot are
    left out of the rule (it would otherwise hold every group at 0 %) and named."""
    import numpy as np

    from mentorctl.matching import fairness
    from mentorctl.matching.score import explain

    labels, members = fairness.parity_groups(mentee_people, by, today)
    # Every candidate pair, and the pairs of the assignment without the rule (the proof of
    # optimality may have added some on its own copy of the candidates).
    ei, ej, eu = edges.mentee, edges.mentor, edges.units
    held = np.nonzero(mate >= 0)[0]
    have = set(zip(ei.tolist(), ej.tolist(), strict=True))
    extra = [(int(i), int(mate[i])) for i in held if (int(i), int(mate[i])) not in have]
    if extra:
        xi = np.array([i for i, _ in extra], dtype=np.int64)
        xj = np.array([j for _, j in extra], dtype=np.int64)
        xu = np.array([explain(crit, mentees[i], mentors[j])[0] for i, j in extra], np.int64)
        ei, ej, eu = np.concatenate([ei, xi]), np.concatenate([ej, xj]), np.concatenate([eu, xu])
    reachable = np.zeros(len(mentees), dtype=bool)
    reachable[ei] = True
    ruled = [k for k, g in enumerate(members) if any(reachable[i] for i in g)]
    left_out = [labels[k] for k, g in enumerate(members) if k not in set(ruled)]
    ruled_members = [members[k] for k in ruled]

    def units_of(assign: np.ndarray) -> int:
        return int(sum(explain(crit, mentees[i], mentors[int(assign[i])])[0]
                       for i in np.nonzero(assign >= 0)[0]))  # fmt: skip

    before = fairness.rates(mate.tolist(), ruled_members)
    info: dict[str, Any] = {
        "by": fairness.field_label(by),
        "min_ratio": min_ratio,
        "left_out": left_out,
        "matched_without": int((mate >= 0).sum()),
        "score_without": round(units_of(mate) / UNITS, 4),
    }
    new = mate
    if fairness.holds(before, min_ratio):
        info["solved"] = "held without the rule"
    elif method != "optimal":
        info["solved"] = f"not applied: the {method} method does not honour the rule"
    else:
        exclusive = _exclusive(ei, ej, mentees, mentors)
        found = solve_parity(ei, ej, eu, remaining, len(mentees), ruled_members, min_ratio,
                             exclusive)  # fmt: skip
        if found.feasible and not (found.mate >= 0).any() and (mate >= 0).any():
            # Whole mentees cannot always make the rates close enough (1 of 3 against 1 of
            # 2); an empty round helps no one, so the proposals stay those without the rule.
            info["solved"] = (
                "not met: no pairing but none at all keeps it; the proposals are those without it"
            )
        elif found.feasible:
            new = found.mate
            info["solved"] = "mixed-integer program (HiGHS)"
        else:
            info["solved"] = f"not applied: the solver failed ({found.message})"
    after = fairness.rates(new.tolist(), ruled_members)
    info["held"] = fairness.holds(after, min_ratio)
    info["matched_with"] = int((new >= 0).sum())
    info["score_with"] = (
        round(units_of(new) / UNITS, 4) if new is not mate else info["score_without"]
    )
    info["cost"] = round(info["score_without"] - info["score_with"], 4)
    info["groups"] = [
        {
            "group": labels[k],
            "mentees": len(members[k]),
            "rate_without": round(b, 4),
            "rate_with": round(a, 4),
        }
        for k, b, a in zip(ruled, before, after, strict=True)
    ]
    return new, info


def _exclusive(
    ei: np.ndarray, ej: np.ndarray, mentees: Sequence[Profile], mentors: Sequence[Profile]
) -> list[tuple[int, int]]:
    """Candidate pairs that would make two "both" people each other's mentor."""
    mentor_at = {p.id: j for j, p in enumerate(mentors)}
    mentee_at = {p.id: i for i, p in enumerate(mentees)}
    index = {}
    for e, (i, j) in enumerate(zip(ei.tolist(), ej.tolist(), strict=True)):
        if mentees[i].id in mentor_at and mentors[j].id in mentee_at:
            index[(i, j)] = e
    out = []
    for (i, j), e in index.items():
        back = index.get((mentee_at[mentors[j].id], mentor_at[mentees[i].id]))
        if back is not None and e < back:
            out.append((e, back))
    return out
