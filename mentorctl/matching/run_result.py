"""A matching run's result from its assignment (pure: no I/O): the pairs with their scores,
parts and reasons, why each mentee left waiting waits, the recruitment gap and the totals.
:func:`build` serves :func:`mentorctl.matching.match.match`.
"""

from __future__ import annotations

from typing import Any

from mentorctl.matching.explain import (
    Unmatched,
    against,
    recruitment_gap,
    ruled_out_by_rules,
    topic_supply,
    unmatched_reason,
)
from mentorctl.matching.order import natural as _natural
from mentorctl.matching.results import MatchResult, Pair, Totals
from mentorctl.matching.score import UNITS, Profile, explain

PARITY_WAIT = (
    "left waiting by the parity rule (fairness.min_ratio in program.yaml): a suitable mentor "
    "has a free slot, but pairing them would leave another group too far behind in this run"
)


def build(
    method: str,
    crit: Any,
    mentees: list[Profile],
    mentors: list[Profile],
    mate: Any,
    remaining: Any,
    edges: Any,
    scorer: Any,
    open_mask: Any,
    proof: Any,
    notes: list[str],
    *,
    apart: tuple[set[frozenset[Any]], set[frozenset[Any]]] = (set(), set()),
    parity: bool = False,
) -> MatchResult:
    import numpy as np

    pairs: list[Pair] = []
    total = 0
    taken = np.bincount(mate[mate >= 0], minlength=len(mentors)) if len(mentors) else np.zeros(0)
    for i, j in enumerate(mate.tolist()):
        if j < 0:
            continue
        units, parts, reasons = explain(crit, mentees[i], mentors[j])
        total += units
        pairs.append(
            Pair(
                mentees[i].id,
                mentors[j].id,
                units / UNITS,
                tuple(parts),
                tuple(reasons),
                tuple(against(crit, mentees[i], mentors[j], parts)),
            )
        )
    pairs.sort(key=lambda p: _natural(p.mentee_id))
    free_after = (remaining - taken).astype(np.int64) if len(mentors) else remaining
    exact = method != "optimal" or not edges.pruned or (proof is not None and proof.proven)
    waiting = [i for i in range(len(mentees)) if mate[i] < 0]
    free_acceptable = np.zeros(len(mentees), dtype=bool)
    if (not exact or parity) and waiting:
        rows = np.array(waiting)
        step = scorer.block_rows()
        for start in range(0, len(rows), step):
            block = rows[start : start + step]
            units, _, allowed = scorer.score(block)
            ok = allowed & (units >= crit.min_units) & (free_after > 0)[None, :]
            free_acceptable[block] = ok.any(axis=1)
    supply = topic_supply(mentors, free_after.tolist())
    ruled = ruled_out_by_rules(
        scorer, crit, mentees, mentors, [i for i in waiting if edges.acceptable[i] == 0],
        past=apart[0],
        blocked=apart[1],
    )  # fmt: skip
    unmatched = []
    for i in waiting:
        if parity and free_acceptable[i]:
            # A suitable mentor is free: the parity rule, not a full mentor, left them waiting.
            unmatched.append(Unmatched(mentees[i].id, "parity", PARITY_WAIT, None))
            continue
        unmatched.append(
            unmatched_reason(
                crit,
                mentees[i],
                has_mentors=any(p.id != mentees[i].id for p in mentors),
                language_any=bool(edges.language_any[i]),
                allowed_any=bool(edges.allowed_any[i]),
                best_allowed=int(edges.best_allowed[i]),
                acceptable=int(edges.acceptable[i]),
                acceptable_open=int(edges.acceptable_open[i]),
                free_acceptable=bool(free_acceptable[i]),
                supply=supply,
                ruled_out=ruled.get(i),
            )
        )
    unmatched.sort(key=lambda u: _natural(u.mentee_id))
    gap = recruitment_gap(crit, [mentees[i] for i in waiting], mentors, free_after.tolist())
    totals = Totals(
        method=method,
        matched=len(pairs),
        unmatched=len(unmatched),
        total_score=round(total / UNITS, 4),
        mentees=len(mentees),
        mentors=int(open_mask.sum()),
        free_slots_before=int(remaining.sum()),
        free_slots_after=int(free_after.sum()),
    )
    result = MatchResult(pairs=pairs, unmatched=unmatched, gap=gap, totals=totals, notes=notes)
    if method == "optimal":
        result.optimal_proven = bool(proof.proven) if proof is not None else True
        if proof is not None and proof.gap_units is not None:
            result.bound_gap = round(proof.gap_units / UNITS, 4)
    return result
