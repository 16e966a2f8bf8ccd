"""Each waiting mentee's shortlist: their K best mentors with room (pure: no I/O).

The same people, rules and scores as ``pair`` (:mod:`.match`): mentees not in a pair, mentors
with a free place, never a blocked or earlier pair, never a pair that breaks a rule of the
program or scores below ``min_score``. A mentee's mentors are listed best score first (equal
scores: the seed's order, as ``pair`` breaks ties). :class:`Field` is that set-up, shared with
:mod:`.choices`, which honours what mentees chose from their shortlists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mentorctl.matching.about_line import ORG_FORMS, about_line
from mentorctl.matching.order import sides, taken
from mentorctl.matching.score import UNITS, Criteria, Profile, explain, read_criteria


@dataclass(frozen=True)
class Offer:
    """One mentor on a mentee's shortlist, with the pair's score and reasons."""

    mentor_id: str
    score: float
    reasons: tuple[str, ...]


class Field:
    """Who a run considers and what each pair may be: ``pair``'s set-up, for shortlists and
    choices. Mentees and mentors are in the seed's order; ``remaining`` is each mentor's free
    places; ``scorer`` scores rows of mentees against every mentor with the hard rules."""

    def __init__(
        self,
        people: Sequence[Mapping[str, Any]],
        config: Mapping[str, Any],
        *,
        today: dt.date,
        existing: Iterable[tuple[str, str, str]] = (),
        blocked: Iterable[frozenset[str]] = (),
        seed: int = 0,
    ) -> None:
        import numpy as np

        from mentorctl.matching.blocks import BlockScorer

        self.crit: Criteria = read_criteria(config)
        holding, used, never = taken(existing, blocked)
        _, _, self.mentees, self.mentors = sides(people, holding, self.crit, today, seed)
        self.mentor_at = {p.id: j for j, p in enumerate(self.mentors)}
        self.mentee_at = {p.id: i for i, p in enumerate(self.mentees)}
        self.remaining = np.array(
            [max(0, (p.capacity or 0) - used.get(p.id, 0)) for p in self.mentors], dtype=np.int64
        )
        exclude: dict[int, set[int]] = {}
        selves: dict[int, int] = {}
        for i, p in enumerate(self.mentees):
            js = {self.mentor_at[o] for o in never.get(p.id, ()) if o in self.mentor_at}
            if js:
                exclude[i] = js
            if p.id in self.mentor_at:
                selves[i] = self.mentor_at[p.id]
        self.scorer = BlockScorer(self.crit, self.mentees, self.mentors, exclude, selves)

    def acceptable(self, rows: Any) -> tuple[Any, Any]:
        """(units, acceptable) for ``rows`` x mentors: the rules pass, the score reaches
        ``min_score`` and the mentor has a free place."""
        units, _, allowed = self.scorer.score(rows)
        ok = allowed & (units >= self.crit.min_units) & (self.remaining > 0)[None, :]
        return units, ok

    def explained(self, mentee: Profile, mentor: Profile) -> tuple[int, list[str]]:
        units, _, reasons = explain(self.crit, mentee, mentor)
        return units, list(reasons)


def best_mentors(field: Field, k: int) -> dict[str, list[Offer]]:
    """Each mentee's ``k`` best acceptable mentors with a free place, best first (mentees
    with none are left out)."""
    import numpy as np

    out: dict[str, list[Offer]] = {}
    n = len(field.mentees)
    if n == 0 or not field.mentors or k < 1:
        return out
    step = field.scorer.block_rows()
    m = len(field.mentors)
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        units, ok = field.acceptable(rows)
        # best score first, then the seed's order (the lower mentor index)
        key = np.where(ok, units.astype(np.int64) * m + (m - 1 - np.arange(m))[None, :], -1)
        for r, i in enumerate(rows.tolist()):
            top = np.argsort(-key[r], kind="stable")[:k]
            top = [j for j in top.tolist() if key[r, j] >= 0]
            if not top:
                continue
            mentee = field.mentees[i]
            offers = []
            for j in top:
                got, reasons = field.explained(mentee, field.mentors[j])
                shown = tuple(x for x in reasons if not x.endswith("(counts against)"))
                offers.append(Offer(field.mentors[j].id, got / UNITS, shown))
            out[mentee.id] = offers
    return out


__all__ = ["ORG_FORMS", "Field", "Offer", "about_line", "best_mentors"]
