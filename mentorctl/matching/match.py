"""Pairing mentees with mentors: scoring, assignment and explanations (pure: no I/O).

``match()`` takes the people as stored, the validated ``matching:`` section of program.yaml,
the pairs already in the store, blocks, a method and a seed, and returns proposed pairs (each
with its score, named parts and short reasons), the mentees left waiting with a reason, and a
recruitment gap. ``score_pair()`` scores and checks one pair an admin chose by hand.

Rules. Never: a person with themselves; two people either of whom blocked the other; two
people who were ever paired before (any status); a pair that breaks ``rules.shared_language``
(someone who listed no language is not held to it) or ``rules.different_organisation``
(answers such as "self-employed" or "student" name no organisation); a pair scoring below
``min_score``. Mentees in a proposed, active, quiet or paused pair keep it and are not matched
again; those pairs use up their mentor's capacity, and only the remaining slots are filled, so
newcomers mid-program are matched without disturbing anyone. People whose role is "both" are
candidates on each side, never in one pair with themselves. A mentor with capacity 0 is
paused; a missing capacity counts as 0 (with a note). People whose ``status`` is not "active"
take no part.

Methods.

- ``optimal`` (default): first as many mentees matched as the rules allow, then the greatest
  total score among those: an admin never has to choose between "most people matched" and
  "best scores". Scores are integers (1/10000), and the objective is one exact number,
  ``big * matched + total units``, with ``big`` above any possible total.

  Solver: SciPy's ``scipy.sparse.csgraph.min_weight_full_bipartite_matching`` (LAPJVsp,
  Jonker-Volgenant for sparse graphs). Why this one: SciPy is well kept, BSD-licensed, has
  wheels for every platform, and numpy/SciPy are needed for the vectorised scoring anyway;
  the solver is exact and sparse, so its cost follows the candidate pairs rather than
  mentees x slots (SciPy's dense ``linear_sum_assignment`` needs the whole matrix: 0.6 GB
  and 1.7 s at 5,000 x 1,000), and it handles rectangular problems. A min-cost-flow library
  (OR-Tools) would add a large native dependency for no gain here; networkx's network
  simplex is pure Python and far too slow. Capacities become one column per free slot; the
  smaller side gets one private "unmatched" dummy per node, so a full matching always
  exists even when not everyone can be matched; the smaller side goes in the rows, several
  times faster when mentees outnumber slots.

  Large programs (more than :data:`UNPRUNED_CELLS` mentee x mentor cells) are solved on
  candidates: each mentee's best ``candidates`` mentors (default
  :data:`DEFAULT_CANDIDATES`) and each mentor's best mentees. The result is then *proven*
  optimal over every pair by LP duality: slot prices are computed from the solution
  (shortest paths on its residual graph), and every pair left out must be worth no more than
  the mentee's share plus the mentor's price. Pairs on the mentors' deeper lists are checked
  one by one; the rest are bounded by both sides' thresholds (the best score left out), and
  only mentees those bounds cannot clear are scored again. Pairs that fail are added and the
  solve repeated. ``optimal_proven`` says the proof held; if the rounds run out,
  ``bound_gap`` is the distance to the dual upper bound, in score points.
- ``stable``: mentee-proposing deferred acceptance with mentor capacities (hospitals /
  residents), our own short implementation (the ``matching`` library fails or is slow at
  these sizes; the tests use it as an oracle). Preferences come from the scores, or from a
  mentee's explicit ``ranked_choices`` first and the rest by score; only acceptable pairs
  (rules and ``min_score``) are listed. On large programs the lists start with the best
  candidates and grow (that mentee is scored again) only for mentees who run out: mentors
  only get choosier, so the result is exactly that of the full lists.
- ``greedy``: the best pair first while both sides are free; a baseline for comparison.
  With one score per pair and one tie rule on both sides this is also the unique stable
  matching, which is how it is computed on large programs (same lazily grown lists).

Determinism and ties. Mentees and mentors are ordered by ``blake2b(f"{seed}:{id}")``, and
every tie goes to the one earlier in that order: a mentee's candidates and preferences (equal
score: the earlier mentor first), a mentor's preferences in ``stable`` (equal score: the
earlier mentee), ``greedy`` (equal score: the earlier mentee, then the earlier mentor).
``optimal`` returns the assignment SciPy finds on that order: among equally good ones, the
seed chooses. The same store, options and SciPy version give the same pairs, whatever the
order of the people; another seed may break ties differently.

A rare twist: two "both" people proposed as each other's mentor. That is not allowed: the
optimal method solves both ways (without the one pair, without the other) and keeps the
better, which stays optimal; stable and greedy leave out the lower-scoring pair and run again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from mentorctl.errors import UsageError
from mentorctl.gcpause import paused_gc
from mentorctl.matching.explain import (
    GapLine,
    Unmatched,
    against,
)
from mentorctl.matching.order import eligible, sides, taken
from mentorctl.matching.order import seeded_order as seeded_order
from mentorctl.matching.parity_rule import Placed
from mentorctl.matching.results import Issue, MatchResult, Pair, PairCheck, Totals
from mentorctl.matching.score import (
    UNITS,
    Part,
    Profile,
    explain,
    language_ok,
    organisation_ok,
    profile,
    read_criteria,
)

__all__ = [
    "ACTIVE_STATUSES",
    "METHODS",
    "GapLine",
    "Issue",
    "MatchResult",
    "Pair",
    "PairCheck",
    "Part",
    "Totals",
    "Unmatched",
    "match",
    "score_pair",
    "seeded_order",
]

METHODS = ("optimal", "stable", "greedy")
# Pairs in these states hold their mentee and use a slot of their mentor.
ACTIVE_STATUSES = frozenset({"proposed", "active", "quiet", "paused"})
DEFAULT_CANDIDATES = 30
# Up to this many mentee x open-mentor cells, every acceptable pair is a candidate.
UNPRUNED_CELLS = 400_000

ExistingPair = tuple[str, str, str]
Progress = Callable[[int, int], None]


# -- one pair by hand -----------------------------------------------------------------------


def score_pair(
    mentee: Mapping[str, Any],
    mentor: Mapping[str, Any],
    config: Mapping[str, Any],
    *,
    today: dt.date,
    existing: Iterable[ExistingPair] = (),
    blocked: Iterable[frozenset[str]] = (),
) -> PairCheck:
    """Score one pair and check it: hard-rule ``violations`` and soft ``warnings``.

    Violations: self, mentee_role, mentor_role, no_shared_language, same_organisation,
    blocked, already_paired, past_pair. Warnings: below_min_score, no_goals, no_shared_topic,
    time_zone_unknown, languages_unknown, mentor_paused, mentor_full, mentee_paired, inactive.
    """
    crit = read_criteria(config)
    a = profile(mentee, crit, today)
    b = profile(mentor, crit, today)
    units, parts, reasons = explain(crit, a, b)
    score = units / UNITS
    bad: list[Issue] = []
    warn: list[Issue] = []
    if a.id == b.id:
        bad.append(Issue("self", "a person cannot be paired with themselves"))
    if a.role == "mentor":
        bad.append(Issue("mentee_role", "the mentee signed up as a mentor only"))
    if b.role == "mentee":
        bad.append(Issue("mentor_role", "the mentor signed up as a mentee only"))
    if not language_ok(crit, a, b):
        bad.append(Issue("no_shared_language", "they share no language"))
    if not organisation_ok(crit, a, b):
        bad.append(Issue("same_organisation", "they work at the same organisation"))
    if frozenset((a.id, b.id)) in set(blocked):
        bad.append(Issue("blocked", "one of them has blocked the other"))
    pairs = list(existing)
    between = [s for x, y, s in pairs if {x, y} == {a.id, b.id}]
    if any(s in ACTIVE_STATUSES for s in between):
        state = next(s for s in between if s in ACTIVE_STATUSES)
        bad.append(Issue("already_paired", f"they are already paired ({state})"))
    elif between:
        bad.append(Issue("past_pair", f"they were paired before ({between[-1]})"))

    if units < crit.min_units:
        warn.append(
            Issue("below_min_score", f"score {score:.2f} is below the minimum {crit.min_score:g}")
        )
    if crit.has("topics"):
        if not a.goals:
            warn.append(Issue("no_goals", "the mentee listed no goals"))
        elif a.goals.keys().isdisjoint(b.expertise):
            warn.append(Issue("no_shared_topic", "no goal of the mentee is a topic of the mentor"))
    if crit.has("timezone") and (a.offset is None or b.offset is None):
        warn.append(Issue("time_zone_unknown", "a time zone is missing or not recognised"))
    if crit.shared_language and (not a.languages or not b.languages):
        warn.append(Issue("languages_unknown", "a language list is empty; the rule is not applied"))
    capacity = b.capacity or 0
    used = sum(1 for _, y, s in pairs if y == b.id and s in ACTIVE_STATUSES)
    if capacity <= 0:
        warn.append(Issue("mentor_paused", "the mentor's capacity is 0 (paused)"))
    elif used >= capacity:
        warn.append(Issue("mentor_full", f"the mentor already has {used} of {capacity} mentees"))
    if any(x == a.id and y != b.id and s in ACTIVE_STATUSES for x, y, s in pairs):
        warn.append(Issue("mentee_paired", "the mentee already has a mentor"))
    if not eligible(mentee) or not eligible(mentor):
        warn.append(Issue("inactive", "one of them is not active in the program"))
    return PairCheck(a.id, b.id, score, parts, reasons, bad, warn, against(crit, a, b, parts))


# -- a matching run -------------------------------------------------------------------------


def match(
    people: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    *,
    today: dt.date,
    existing: Iterable[ExistingPair] = (),
    blocked: Iterable[frozenset[str]] = (),
    method: str = "optimal",
    seed: int = 0,
    ranked_choices: Mapping[str, Sequence[str]] | None = None,
    progress: Progress | None = None,
    candidates: int | None = None,
    fairness: Mapping[str, Any] | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
    placed: Sequence[Placed] = (),
) -> MatchResult:
    """Propose pairs for every mentee not yet in a pair, into the mentors' free slots.

    ``existing``: (mentee_id, mentor_id, status) of every pair in the store. ``blocked``:
    frozensets of two person ids. ``candidates``: mentors kept per mentee on large programs
    (default: all when small, else :data:`DEFAULT_CANDIDATES`). ``progress(done, total)`` is
    called as mentees are scored. ``fairness``: program.yaml's ``fairness`` section; with
    ``by`` and ``min_ratio`` the parity rule applies (:mod:`.parity`). ``choices``: the
    mentors each mentee chose from their shortlist, placed first (:mod:`.choices`), then
    the others; ``placed``: the pairs so made, which the parity rule counts and keeps.
    """
    if choices:
        from mentorctl.matching.choices import honour

        again = dict(method=method, ranked_choices=ranked_choices, candidates=candidates,
                     fairness=fairness, progress=progress)  # fmt: skip
        return honour(people, config, choices, today=today, existing=existing, blocked=blocked,
                      seed=seed, run=lambda *a, **k: match(*a, **k, **again))  # fmt: skip
    # Many small objects (profiles, preference lists) and no cycles: collections would only
    # walk them again and again.
    with paused_gc():
        return _match(
            people,
            config,
            today,
            existing,
            blocked,
            method,
            seed,
            ranked_choices,
            progress,
            candidates,
            fairness,
            placed,
        )


def _match(
    people: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    today: dt.date,
    existing: Iterable[ExistingPair],
    blocked: Iterable[frozenset[str]],
    method: str,
    seed: int,
    ranked_choices: Mapping[str, Sequence[str]] | None,
    progress: Progress | None,
    candidates: int | None,
    fairness: Mapping[str, Any] | None = None,
    placed: Sequence[Placed] = (),
) -> MatchResult:
    import numpy as np

    from mentorctl.matching.blocks import BlockScorer
    from mentorctl.matching.candidates import PER_MENTOR, candidate_edges
    from mentorctl.matching.run_result import build as build_result
    from mentorctl.matching.solve import solve_optimal_exclusive
    from mentorctl.matching.stable import run_simple

    if candidates is not None and candidates < 1:
        raise UsageError(f"candidates must be at least 1, got {candidates}")
    if method not in METHODS:
        raise UsageError(
            f"unknown matching method '{method}'", hint="use optimal, stable or greedy"
        )
    crit = read_criteria(config)
    notes: list[str] = []
    pairs_in = list(existing)
    holding, used, never = taken(pairs_in, blocked)

    mentee_people, _, mentees, mentors = sides(people, holding, crit, today, seed)
    n = len(mentees)
    for p in mentors:
        if p.capacity is None:
            notes.append(f"{p.id} has no capacity; counted as 0 (paused)")
    remaining = np.array(
        [max(0, (p.capacity or 0) - used.get(p.id, 0)) for p in mentors], dtype=np.int64
    )
    open_mask = remaining > 0
    mentor_at = {p.id: j for j, p in enumerate(mentors)}
    exclude: dict[int, set[int]] = {}
    selves: dict[int, int] = {}
    for i, p in enumerate(mentees):
        js = {mentor_at[o] for o in never.get(p.id, ()) if o in mentor_at}
        if js:
            exclude[i] = js
        if p.id in mentor_at:
            selves[i] = mentor_at[p.id]

    scorer = BlockScorer(crit, mentees, mentors, exclude, selves)
    keep = candidates
    if keep is None and n * int(open_mask.sum()) > UNPRUNED_CELLS:
        keep = DEFAULT_CANDIDATES
    edges = candidate_edges(scorer, open_mask, crit.min_units, keep, progress)
    if edges.pruned:
        if method == "optimal":
            notes.append(
                f"solved on each mentee's best {keep} mentors and each mentor's best "
                f"{PER_MENTOR} mentees, then checked against every pair"
            )
        else:
            notes.append(
                f"lists began with each mentee's best {keep} mentors and grew where they ran out"
            )

    def conflicts(mate: Any) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return _mutual(mate, mentees, mentors, mentor_at)

    mentee_at = {p.id: i for i, p in enumerate(mentees)}
    edges.mentee_both = np.array([p.id in mentor_at for p in mentees], dtype=bool)
    edges.mentor_both = np.array([p.id in mentee_at for p in mentors], dtype=bool)
    proof = None
    if method == "optimal":
        mate, proof = solve_optimal_exclusive(
            edges, remaining, n, scorer, open_mask, crit.min_units, conflicts
        )
    else:
        avoided = 0
        while True:  # each round leaves out pairs for good, so this ends
            mate = run_simple(
                method,
                edges,
                remaining,
                n,
                scorer,
                open_mask,
                crit.min_units,
                ranked_choices,
                mentees,
                mentor_at,
            )
            found = conflicts(mate)
            if not found:
                break
            # Leave out the lower-scoring of the two pairs and run again.
            for (i1, j1), (i2, j2) in found:
                u1 = explain(crit, mentees[i1], mentors[j1])[0]
                u2 = explain(crit, mentees[i2], mentors[j2])[0]
                i, j = (i1, j1) if u1 < u2 else (i2, j2)
                edges = edges.without([(i, j)])
                scorer.exclude[i] = np.append(scorer.exclude.get(i, np.zeros(0, np.int64)), j)
                avoided += 1
        if avoided:
            notes.append(
                f"{avoided} pair(s) that made two people each other's mentor were left out"
            )
    if proof is not None and proof.added:
        notes.append(
            f"the optimality proof added {proof.added} pair(s) over {proof.rounds} solve(s)"
        )
    if proof is not None:
        notes.extend(proof.notes)
    parity = None
    if fairness and fairness.get("by") and fairness.get("min_ratio") is not None:
        from mentorctl.matching.parity_rule import apply_rule

        mate, parity = apply_rule(method, mate, edges, remaining, mentee_people, mentees,
                                  mentors, crit, fairness["by"], fairness["min_ratio"], today,
                                  placed)  # fmt: skip
        if parity["solved"].startswith("solved under") and edges.pruned:
            notes.append("under the parity rule: optimal among the candidate pairs")
    apart = ({frozenset((x, y)) for x, y, _ in pairs_in}, {frozenset(b) for b in blocked})
    ruled = parity is not None and parity["solved"].startswith("solved under")
    result = build_result(
        method, crit, mentees, mentors, mate, remaining, edges, scorer, open_mask, proof, notes,
        apart=apart, parity=ruled,
    )  # fmt: skip
    if parity is not None:
        result.parity = parity
        if parity["solved"].startswith("solved under"):
            result.optimal_proven = not edges.pruned
            result.bound_gap = None
    return result


def _mutual(
    mate: Any, mentees: list[Profile], mentors: list[Profile], mentor_at: dict[str, int]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Pairs of pairs in which two people would be each other's mentor."""
    mentee_at = {p.id: i for i, p in enumerate(mentees)}
    out = []
    for i, j in enumerate(mate.tolist()):
        if j < 0:
            continue
        back_i = mentee_at.get(mentors[j].id)
        back_j = mentor_at.get(mentees[i].id)
        if back_i is None or back_j is None or back_i < i or mate[back_i] != back_j:
            continue
        out.append(((i, j), (back_i, back_j)))
    return out
