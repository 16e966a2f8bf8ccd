"""What a matching run and a pair checked by hand answer: proposals, checks and totals."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from mentorctl.matching.explain import GapLine, Unmatched
from mentorctl.matching.score import Part


@dataclass(frozen=True)
class Issue:
    """A broken hard rule or a soft warning about a pair: a code and a short sentence."""

    code: str
    text: str


@dataclass
class PairCheck:
    """``score_pair``'s answer for one mentee-mentor pair."""

    mentee_id: str
    mentor_id: str
    score: float
    parts: list[Part]
    reasons: list[str]
    violations: list[Issue]
    warnings: list[Issue]
    # What counts against the pair, in plain words, heaviest criterion first.
    against: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Pair:
    mentee_id: str
    mentor_id: str
    score: float
    parts: tuple[Part, ...]
    reasons: tuple[str, ...]
    against: tuple[str, ...] = ()


@dataclass
class Totals:
    method: str
    matched: int
    unmatched: int
    total_score: float
    mentees: int  # mentees considered (not already in a pair)
    mentors: int  # mentors with a free slot before the run
    free_slots_before: int
    free_slots_after: int


@dataclass
class MatchResult:
    pairs: list[Pair]
    unmatched: list[Unmatched]
    gap: list[GapLine]
    totals: Totals
    # optimal only: None for the other methods
    optimal_proven: bool | None = None
    bound_gap: float | None = None
    notes: list[str] = field(default_factory=list)
    # With a parity rule (program.yaml ``fairness.min_ratio``): what it did and cost.
    parity: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for ``--json``)."""
        return dataclasses.asdict(self)
