"""Properties of every matching, on random small programs (hypothesis), and oracles:
brute force and a dense SciPy solve for ``optimal``, the ``matching`` library for ``stable``."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_support import (
    TODAY,
    acceptable_units,
    brute_force_optimum,
    config,
    eligible,
    pairs_of,
    person,
    value_of,
)
from scipy.optimize import linear_sum_assignment

from mentorctl.matching import candidates as matching_candidates
from mentorctl.matching import stable as matching_stable
from mentorctl.matching.explain import REASONS
from mentorctl.matching.match import (
    ACTIVE_STATUSES,
    METHODS,
    MatchResult,
    match,
    score_pair,
    seeded_order,
)

TOPICS = ["a", "b", "c", "d"]
LANGUAGES = ["English", "Spanish", "French"]
ZONES = ["UTC", "UTC+1", "UTC+3", "UTC-5", "UTC+9", None]
STATUSES = ["proposed", "active", "quiet", "paused", "completed", "ended", "not_fit"]
# The default criteria, and scores set by hand through one number per person (so trade-offs
# between matching more mentees and a higher total come up often).
CRITERIA = [
    config()["criteria"],
    [{"kind": "extra", "field": "level", "mode": "distance", "scale": 10, "weight": 1}],
    [
        {"kind": "topics", "weight": 1},
        {"kind": "extra", "field": "level", "mode": "distance", "scale": 6, "weight": 2},
    ],
]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def programs(
    draw: st.DrawFn, *, size: int = 9, roles: tuple[str, ...] = ("mentee", "mentor", "both")
):
    """(people, config, existing pairs, blocks, seed) of a small random program."""
    count = draw(st.integers(1, size))
    people = []
    for k in range(count):
        role = draw(st.sampled_from(roles))
        people.append(
            person(
                f"P{k + 1}",
                role,
                goals=draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True)),
                expertise=draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True)),
                languages=draw(st.lists(st.sampled_from(LANGUAGES), max_size=2, unique=True)),
                timezone=draw(st.sampled_from(ZONES)),
                capacity=draw(st.integers(0, 3)) if role != "mentee" else None,
                organisation=draw(st.sampled_from([None, "Acme", "Globex"])),
                extra={
                    "industry": draw(st.sampled_from(["x", "y"])),
                    "level": draw(st.integers(0, 12)),
                },
                status=draw(st.sampled_from(["active"] * 9 + ["withdrawn"])),
            )
        )
    ids = [p["id"] for p in people]
    existing = [
        (x, y, s)
        for x, y, s in draw(
            st.lists(
                st.tuples(st.sampled_from(ids), st.sampled_from(ids), st.sampled_from(STATUSES)),
                max_size=3,
            )
        )
        if x != y
    ]
    blocked = {
        frozenset(pair)
        for pair in draw(
            st.lists(st.lists(st.sampled_from(ids), min_size=2, max_size=2), max_size=2)
        )
        if pair[0] != pair[1]
    }
    conf = config(
        criteria=draw(st.sampled_from(CRITERIA)),
        min_score=draw(st.sampled_from([0.0, 0.2, 0.45])),
        rules={
            "shared_language": draw(st.booleans()),
            "different_organisation": draw(st.booleans()),
        },
    )
    return people, conf, existing, blocked, draw(st.integers(0, 5))


def check_invariants(
    result: MatchResult,
    people: list[dict[str, Any]],
    conf: dict[str, Any],
    existing: list[tuple[str, str, str]],
    blocked: set[frozenset[str]],
) -> None:
    mentees, free = eligible(people, existing)
    by_id = {p["id"]: p for p in people}
    matched = [p.mentee_id for p in result.pairs]
    assert len(matched) == len(set(matched)), "a mentee twice"
    assert set(matched) <= {m["id"] for m in mentees}
    load: dict[str, int] = {}
    for pair in result.pairs:
        load[pair.mentor_id] = load.get(pair.mentor_id, 0) + 1
        check = score_pair(
            by_id[pair.mentee_id],
            by_id[pair.mentor_id],
            conf,
            today=TODAY,
            existing=existing,
            blocked=blocked,
        )
        assert check.violations == [], (pair, check.violations)
        assert pair.score == check.score >= conf["min_score"] - 1e-12
        assert list(pair.reasons) == check.reasons
    for mentor_id, count in load.items():
        assert count <= free.get(mentor_id, 0), "capacity exceeded"
    assert not {(b, a) for a, b in pairs_of(result)} & pairs_of(result), "each other's mentor"
    waiting = {u.mentee_id for u in result.unmatched}
    assert waiting | set(matched) == {m["id"] for m in mentees}
    assert not waiting & set(matched)
    assert all(u.code in REASONS and u.reason for u in result.unmatched)
    assert result.totals.matched == len(result.pairs)
    assert result.totals.total_score == pytest.approx(sum(p.score for p in result.pairs), abs=1e-9)


@FAST
@given(programs())
def test_every_method_keeps_every_rule(program) -> None:
    people, conf, existing, blocked, seed = program
    for method in METHODS:
        result = match(
            people, conf, today=TODAY, existing=existing, blocked=blocked, method=method, seed=seed
        )
        check_invariants(result, people, conf, existing, blocked)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(size=8))
def test_optimal_equals_brute_force(program) -> None:
    people, conf, existing, blocked, seed = program
    result = match(people, conf, today=TODAY, existing=existing, blocked=blocked, seed=seed)
    assert result.optimal_proven is True
    assert value_of(result) == brute_force_optimum(people, conf, existing, blocked)


@FAST
@given(programs())
def test_optimal_is_never_worse_than_greedy_or_stable(program) -> None:
    people, conf, existing, blocked, seed = program
    best = value_of(match(people, conf, today=TODAY, existing=existing, blocked=blocked, seed=seed))
    for method in ("greedy", "stable"):
        other = match(
            people, conf, today=TODAY, existing=existing, blocked=blocked, method=method, seed=seed
        )
        assert best >= value_of(other)


def dense_optimum(people, conf, existing, blocked) -> tuple[int, int]:
    """Independent solve: SciPy's dense linear_sum_assignment on mentees x slots (+ one
    "unmatched" column per mentee), weights big * 1 + units."""
    mentees, free = eligible(people, existing)
    units = acceptable_units(people, conf, existing, blocked)
    slots = [j for j, count in free.items() for _ in range(count)]
    n = len(mentees)
    big = 10000 * (n + 1)
    gain = np.full((n, len(slots) + n), -1e18)
    for r, m in enumerate(mentees):
        gain[r, len(slots) + r] = 0
        for c, j in enumerate(slots):
            if (m["id"], j) in units:
                gain[r, c] = big + units[(m["id"], j)]
    rows, cols = linear_sum_assignment(gain, maximize=True)
    real = [(r, c) for r, c in zip(rows, cols, strict=True) if c < len(slots)]
    return len(real), sum(units[(mentees[r]["id"], slots[c])] for r, c in real)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(size=40, roles=("mentee", "mentee", "mentor")))
def test_optimal_equals_a_dense_scipy_solve(program) -> None:
    people, conf, existing, blocked, seed = program
    result = match(people, conf, today=TODAY, existing=existing, blocked=blocked, seed=seed)
    assert value_of(result) == dense_optimum(people, conf, existing, blocked)


@contextlib.contextmanager
def tiny_candidate_lists(table: bool):
    """Force the large-program path (cut lists and the optimality proof) on small programs."""
    saved = {
        k: getattr(matching_candidates, k) for k in ("PER_MENTOR", "MENTOR_DEPTH", "TABLE_CELLS")
    }
    matching_candidates.PER_MENTOR = 1
    matching_candidates.MENTOR_DEPTH = 2
    matching_candidates.TABLE_CELLS = 10**9 if table else 0
    grow, matching_stable.GROW_BY = matching_stable.GROW_BY, 1
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(matching_candidates, key, value)
        matching_stable.GROW_BY = grow


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(size=30), st.booleans())
def test_cut_candidate_lists_give_the_same_results(program, table: bool) -> None:
    people, conf, existing, blocked, seed = program
    kw = dict(today=TODAY, existing=existing, blocked=blocked, seed=seed)
    full = {method: match(people, conf, method=method, **kw) for method in METHODS}
    with tiny_candidate_lists(table):
        cut = {method: match(people, conf, method=method, candidates=1, **kw) for method in METHODS}
    assert cut["optimal"].optimal_proven is True
    assert value_of(cut["optimal"]) == value_of(full["optimal"])
    for method in ("stable", "greedy"):
        assert pairs_of(cut[method]) == pairs_of(full[method])
    for method in METHODS:
        check_invariants(cut[method], people, conf, existing, blocked)


def preferences(people, conf, existing, blocked, seed):
    """Both sides' preference lists as the documented rule defines them."""
    units = acceptable_units(people, conf, existing, blocked)
    rank = {p["id"]: seeded_order(seed, p["id"]) for p in people}
    mentee_prefs: dict[str, list[str]] = {}
    mentor_prefs: dict[str, list[str]] = {}
    for (i, j), _u in units.items():
        mentee_prefs.setdefault(i, []).append(j)
        mentor_prefs.setdefault(j, []).append(i)
    for i, js in mentee_prefs.items():
        js.sort(key=lambda j: (-units[(i, j)], rank[j]))
    for j, mentees in mentor_prefs.items():
        mentees.sort(key=lambda i: (-units[(i, j)], rank[i]))
    return units, mentee_prefs, mentor_prefs, rank


@FAST
@given(programs(size=12, roles=("mentee", "mentor")))
def test_stable_has_no_blocking_pair(program) -> None:
    people, conf, existing, blocked, seed = program
    result = match(
        people, conf, today=TODAY, existing=existing, blocked=blocked, method="stable", seed=seed
    )
    _units, mentee_prefs, mentor_prefs, _ = preferences(people, conf, existing, blocked, seed)
    _, free = eligible(people, existing)
    partner = {p.mentee_id: p.mentor_id for p in result.pairs}
    held: dict[str, list[str]] = {}
    for i, j in partner.items():
        held.setdefault(j, []).append(i)
    for i, js in mentee_prefs.items():
        for j in js:
            if i in partner and js.index(partner[i]) <= js.index(j):
                break  # i prefers its own mentor to j and to everyone after
            order = mentor_prefs[j]
            mine = held.get(j, [])
            assert len(mine) >= free[j] and all(order.index(k) < order.index(i) for k in mine), (
                f"{i} and {j} block"
            )


@FAST
@given(programs(size=12, roles=("mentee", "mentor")))
def test_stable_equals_the_matching_library(program) -> None:
    from matching.games import HospitalResident

    people, conf, existing, blocked, seed = program
    result = match(
        people, conf, today=TODAY, existing=existing, blocked=blocked, method="stable", seed=seed
    )
    _, mentee_prefs, mentor_prefs, _ = preferences(people, conf, existing, blocked, seed)
    _, free = eligible(people, existing)
    if not mentee_prefs:
        assert result.pairs == []
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(
            mentee_prefs, mentor_prefs, {j: free[j] for j in mentor_prefs}
        )
        solved = game.solve(optimal="resident")
    expected = {(r.name, h.name) for h, rs in solved.items() for r in rs}
    assert pairs_of(result) == expected


@FAST
@given(programs(size=12, roles=("mentee", "mentor")))
def test_greedy_equals_stable_when_preferences_come_from_scores(program) -> None:
    # With one score per pair and one tie rule on both sides, the stable matching is unique
    # and is what the greedy pass finds.
    people, conf, existing, blocked, seed = program
    kw = dict(today=TODAY, existing=existing, blocked=blocked, seed=seed)
    assert pairs_of(match(people, conf, method="greedy", **kw)) == pairs_of(
        match(people, conf, method="stable", **kw)
    )


@FAST
@given(programs(size=10, roles=("mentee", "mentor")), st.randoms(use_true_random=False))
def test_stable_with_ranked_choices_equals_the_matching_library(program, rng) -> None:
    from matching.games import HospitalResident

    people, conf, existing, blocked, seed = program
    units, mentee_prefs, mentor_prefs, _ = preferences(people, conf, existing, blocked, seed)
    mentors = [p["id"] for p in people if p["role"] == "mentor"]
    ranked = {
        i: rng.sample(mentors, min(len(mentors), 2)) for i in mentee_prefs if rng.random() < 0.6
    }
    for i, choices in ranked.items():
        first = [j for j in choices if (i, j) in units]
        mentee_prefs[i] = first + [j for j in mentee_prefs[i] if j not in first]
    result = match(
        people,
        conf,
        today=TODAY,
        existing=existing,
        blocked=blocked,
        method="stable",
        seed=seed,
        ranked_choices=ranked,
    )
    _, free = eligible(people, existing)
    if not mentee_prefs:
        assert result.pairs == []
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(
            mentee_prefs, mentor_prefs, {j: free[j] for j in mentor_prefs}
        )
        solved = game.solve(optimal="resident")
    assert pairs_of(result) == {(r.name, h.name) for h, rs in solved.items() for r in rs}


@FAST
@given(programs())
def test_the_same_program_and_seed_give_the_same_result(program) -> None:
    people, conf, existing, blocked, seed = program
    for method in METHODS:
        kw = dict(today=TODAY, existing=existing, blocked=blocked, method=method, seed=seed)
        first = match(people, conf, **kw)
        again = match(list(reversed(people)), conf, **kw)
        assert first.pairs == again.pairs and first.unmatched == again.unmatched


def test_active_statuses_are_the_documented_ones() -> None:
    assert frozenset({"proposed", "active", "quiet", "paused"}) == ACTIVE_STATUSES
