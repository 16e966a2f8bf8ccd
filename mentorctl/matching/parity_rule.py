"""The parity rule applied to a matching run (pure: no I/O): which groups it holds, the
pairs made before it (mentees' choices, :mod:`.choices`) counted and never undone, the
solve (:mod:`.parity`), and what it cost.

The rule holds on the whole result: each group's rate is (its pairs from choices + its pairs
placed now) / (all its mentees in the run). When the choices alone break it beyond what
placing the others can even out, that is said plainly, every choice is kept and the others are
placed as without the rule.
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


@dataclass(frozen=True)
class Placed:
    """A pair made before the rule applies (a mentee's choice, :mod:`.choices`): the rule
    counts it in its mentee's groups and never undoes it. ``units``: the pair's score."""

    mentee: Mapping[str, Any]  # the mentee as stored
    units: int


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
    placed: Sequence[Placed] = (),
) -> tuple[np.ndarray, dict[str, Any]]:
    """The run's assignment under the rule, and what it cost: ``mate`` is the assignment
    without it. ``placed``: the run's pairs made before (mentees' choices), kept whatever
    the rule says; the rule holds on the whole run, those pairs and their mentees counted in
    their groups, and the figures (rates, matched, score, cost) are the whole run's. Groups
    none of whose mentees has a pair placed or an acceptable mentor with a free slot are left
    out of the rule (it would otherwise hold every group at 0 %) and named."""
    import numpy as np

    from mentorctl.matching import fairness, parity
    from mentorctl.matching.score import explain

    n, k = len(mentees), len(placed)
    # Mentees placed before are indices n .. n + k - 1 of the groups.
    everyone = [*mentee_people, *(p.mentee for p in placed)]
    labels, members = fairness.parity_groups(everyone, by, today)
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
    reachable = np.zeros(n + k, dtype=bool)
    reachable[ei] = True
    reachable[n:] = True
    ruled = [g for g, ms in enumerate(members) if any(reachable[i] for i in ms)]
    left_out = [labels[g] for g, ms in enumerate(members) if g not in set(ruled)]
    ruled_members = [members[g] for g in ruled]
    fixed = np.array([sum(1 for i in ms if i >= n) for ms in ruled_members], dtype=np.float64)
    placed_units = sum(p.units for p in placed)

    def whole(assign: np.ndarray) -> list[int]:
        return [*assign.tolist(), *[0] * k]  # the placed pairs: matched

    def units_of(assign: np.ndarray) -> int:
        return placed_units + int(sum(explain(crit, mentees[i], mentors[int(assign[i])])[0]
                                      for i in np.nonzero(assign >= 0)[0]))  # fmt: skip

    before = fairness.rates(whole(mate), ruled_members)
    info: dict[str, Any] = {
        "by": fairness.field_label(by),
        "min_ratio": min_ratio,
        "left_out": left_out,
        "from_choices": k,
        "matched_without": int((mate >= 0).sum()) + k,
        "score_without": round(units_of(mate) / UNITS, 4),
    }
    new = mate
    if fairness.holds(before, min_ratio):
        info["solved"] = "held without the rule"
    elif method != "optimal":
        info["solved"] = f"not applied: the {method} method does not honour the rule"
    else:
        exclusive = _exclusive(ei, ej, mentees, mentors)
        found = parity.solve_parity(
            ei, ej, eu, remaining, n, [[i for i in ms if i < n] for ms in ruled_members],
            min_ratio, exclusive, prefer=mate[ei] == ej,
            sizes=np.array([len(ms) for ms in ruled_members], dtype=np.float64), fixed=fixed,
        )  # fmt: skip
        if found.feasible and not k and not (found.mate >= 0).any() and (mate >= 0).any():
            # Whole mentees cannot always make the rates close enough (1 of 3 against 1 of
            # 2); an empty round helps no one, so the proposals stay those without the rule.
            info["solved"] = (
                "not met: no pairing but none at all keeps it; the proposals are those without it"
            )
        elif found.feasible:
            new = found.mate
            info["solved"] = "solved under the rule: " + found.method
        elif found.infeasible:
            # Only pairs fixed before can make it so: the choices are never undone.
            info["solved"] = (
                f"not met: the {k} pair(s) mentees chose already break it, and no placing of "
                "the others evens it out; every choice is kept, and the others are placed as "
                "without the rule"
            )
        else:
            info["solved"] = f"not applied: the solver failed ({found.message})"
    after = fairness.rates(whole(new), ruled_members)
    info["held"] = fairness.holds(after, min_ratio)
    info["matched_with"] = int((new >= 0).sum()) + k
    info["score_with"] = (
        round(units_of(new) / UNITS, 4) if new is not mate else info["score_without"]
    )
    info["cost"] = round(info["score_without"] - info["score_with"], 4)
    info["groups"] = [
        {
            "group": labels[g],
            "mentees": len(members[g]),
            "from_choices": int(c),
            "rate_without": round(b, 4),
            "rate_with": round(a, 4),
        }
        for g, c, b, a in zip(ruled, fixed, before, after, strict=True)
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
