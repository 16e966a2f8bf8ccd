"""Assignment: exact cases known by hand, every rule and edge case, determinism, the reasons
of waiting mentees and the recruitment gap."""

from __future__ import annotations

import json
import random

import pytest
from matching_support import CONFIG, TODAY, config, pairs_of, person, value_of

from mentorctl.errors import UsageError
from mentorctl.matching import candidates as matching_candidates
from mentorctl.matching import solve as matching_solve
from mentorctl.matching import stable as matching_stable
from mentorctl.matching.match import METHODS, match

# Scores from one number per person: 1 - |a - b| / 10, so any score can be set by hand.
LEVELS = config(
    min_score=0.2,
    criteria=[{"kind": "extra", "field": "level", "mode": "distance", "scale": 10, "weight": 1}],
)


def at(pid: str, role: str, level: float, **kw) -> dict:
    return person(pid, role, extra={"level": level}, **kw)


def test_most_mentees_matched_first_then_the_best_total() -> None:
    # Y-A 1.0 is the best single pair, but taking it leaves X (French only) unmatched.
    people = [
        at("X", "mentee", -2, languages=["French"]),  # X-A 0.3
        at("Y", "mentee", 5),  # Y-A 1.0, Y-B 0.25
        at("A", "mentor", 5, languages=["French", "English"]),
        at("B", "mentor", 12.5),
    ]
    optimal = match(people, LEVELS, today=TODAY)
    assert pairs_of(optimal) == {("X", "A"), ("Y", "B")}
    assert optimal.totals.total_score == 0.55 and optimal.optimal_proven is True
    greedy = match(people, LEVELS, today=TODAY, method="greedy")
    assert pairs_of(greedy) == {("Y", "A")}
    assert [(u.mentee_id, u.code) for u in greedy.unmatched] == [("X", "mentors_full")]
    stable = match(people, LEVELS, today=TODAY, method="stable")
    assert pairs_of(stable) == {("Y", "A")}


def test_among_equally_many_pairs_the_greatest_total_score() -> None:
    # Greedy takes X-A 0.9 first and ends with 0.9 + 0.2; the optimum is 0.8 + 0.8.
    people = [
        at("X", "mentee", 1),
        at("Y", "mentee", 3),
        at("A", "mentor", 2),  # X-A 0.9, Y-A 0.9
        at("B", "mentor", -1),  # X-B 0.8, Y-B 0.6
    ]
    people[1]["extra"]["level"] = 4  # Y-A 0.8, Y-B 0.5
    people[2]["extra"]["level"] = 1.5  # X-A 0.95, Y-A 0.75
    optimal = match(people, LEVELS, today=TODAY)
    greedy = match(people, LEVELS, today=TODAY, method="greedy")
    assert pairs_of(optimal) == {("X", "B"), ("Y", "A")}
    assert optimal.totals.total_score == 1.55
    assert pairs_of(greedy) == {("X", "A"), ("Y", "B")}
    assert greedy.totals.total_score == 1.45


def test_mentor_capacity_takes_the_best_mentees() -> None:
    people = [
        at("M", "mentor", 0, capacity=2),
        at("P1", "mentee", 1),  # 0.9
        at("P2", "mentee", 3),  # 0.7
        at("P3", "mentee", 2),  # 0.8
    ]
    result = match(people, LEVELS, today=TODAY)
    assert pairs_of(result) == {("P1", "M"), ("P3", "M")}
    assert [(u.mentee_id, u.code, u.reason) for u in result.unmatched] == [
        ("P2", "mentors_full", "the one suitable mentor is full")
    ]
    assert result.totals.free_slots_before == 2 and result.totals.free_slots_after == 0


def test_pairs_carry_scores_parts_and_reasons() -> None:
    people = [
        person("P1", goals=["Networking"], timezone="UTC+1", extra={"industry": "Tech"}),
        person(
            "P2", "mentor", expertise=["networking"], timezone="UTC+1", extra={"industry": "tech"}
        ),
    ]
    (pair,) = match(people, CONFIG, today=TODAY).pairs
    assert pair.score == 1.0
    assert pair.reasons == (
        "both: Networking",
        "same industry",
        "same time zone",
        "mentor speaks English",
    )
    assert [p.kind for p in pair.parts] == ["topics", "extra", "timezone", "languages"]


@pytest.mark.parametrize("method", METHODS)
def test_every_hard_rule_is_kept(method: str) -> None:
    people = [
        person("P1", goals=["a"], languages=["French"]),
        person("P2", goals=["a"], organisation="Acme"),
        person("P3", goals=["a"]),
        person("P4", goals=["a"]),
        person("P5", goals=["a"]),
        person("M1", "mentor", expertise=["a"], capacity=5, organisation="acme"),
    ]
    result = match(
        people,
        CONFIG,
        today=TODAY,
        method=method,
        blocked={frozenset({"P3", "M1"})},
        existing=[("P4", "M1", "ended")],
    )
    assert pairs_of(result) == {("P5", "M1")}
    reasons = {u.mentee_id: u.code for u in result.unmatched}
    assert reasons == {
        "P1": "no_shared_language",
        "P2": "ruled_out",
        "P3": "ruled_out",
        "P4": "ruled_out",
    }


@pytest.mark.parametrize("status", ["completed", "ended", "not_fit", "active", "paused"])
def test_a_past_pair_is_never_repeated(status: str) -> None:
    people = [person("P1", goals=["a"]), person("M1", "mentor", expertise=["a"], capacity=3)]
    result = match(people, CONFIG, today=TODAY, existing=[("P1", "M1", status)])
    assert result.pairs == []


def test_paired_mentees_keep_their_pair_and_use_mentor_capacity() -> None:
    people = [
        person("P1", goals=["a"]),
        person("P2", goals=["a"]),
        person("P3", goals=["a"]),
        person("M1", "mentor", expertise=["a"], capacity=2),
        person("M2", "mentor", expertise=["a"], capacity=1),
    ]
    existing = [("P1", "M1", "active"), ("P9", "M2", "completed")]
    result = match(people, CONFIG, today=TODAY, existing=existing)
    assert result.totals.mentees == 2  # P1 keeps its pair
    assert len(result.pairs) == 2
    assert {p.mentee_id for p in result.pairs} == {"P2", "P3"}
    assert result.totals.free_slots_before == 2


def test_a_new_sign_up_mid_program_disturbs_nobody() -> None:
    people = [
        person("P1", goals=["a"]),
        person("M1", "mentor", expertise=["a"], capacity=1),
        person("M2", "mentor", expertise=["b"], capacity=1),
        person("P2", goals=["a"]),  # signs up later; M1 would suit better, but is taken
    ]
    result = match(people, CONFIG, today=TODAY, existing=[("P1", "M1", "proposed")])
    assert pairs_of(result) == {("P2", "M2")}


def test_both_can_be_mentor_and_mentee_but_never_with_themselves() -> None:
    people = [
        person("B", "both", goals=["x"], expertise=["y"], capacity=1),
        person("P1", goals=["y"]),
        person("M1", "mentor", expertise=["x"]),
    ]
    result = match(people, CONFIG, today=TODAY)
    assert pairs_of(result) == {("B", "M1"), ("P1", "B")}
    alone = match([person("B", "both", goals=["x"], expertise=["x"])], CONFIG, today=TODAY)
    assert alone.pairs == []
    assert [u.code for u in alone.unmatched] == ["no_mentors"]


@pytest.mark.parametrize("method", METHODS)
def test_two_people_are_never_each_others_mentor(method: str) -> None:
    people = [
        person("A", "both", goals=["x"], expertise=["y"]),
        person("B", "both", goals=["y", "z"], expertise=["x"]),
    ]
    result = match(people, CONFIG, today=TODAY, method=method)
    # A-B scores 1.0 (A's goal x is B's expertise), B-A only 0.5: the better one is kept.
    assert pairs_of(result) == {("A", "B")}
    assert [u.mentee_id for u in result.unmatched] == ["B"]
    if method == "optimal":
        assert result.optimal_proven is True


def test_a_paused_mentor_and_a_mentor_without_capacity_take_nobody() -> None:
    people = [
        person("P1", goals=["a"]),
        person("M1", "mentor", expertise=["a"], capacity=0),
        person("M2", "mentor", expertise=["a"]),
    ]
    people[2]["capacity"] = None
    result = match(people, CONFIG, today=TODAY)
    assert result.pairs == []
    assert result.totals.mentors == 0
    assert result.notes == ["M2 has no capacity; counted as 0 (paused)"]
    (waiting,) = result.unmatched
    assert waiting.code == "mentors_full"
    assert waiting.reason == (
        "all 2 suitable mentors are full or paused; no free mentor slot offers 'a'"
    )


def test_a_mentor_with_no_topics_is_matched_on_other_criteria() -> None:
    people = [
        person("P1", goals=["a"], extra={"industry": "Tech"}),
        person("M1", "mentor", expertise=[], extra={"industry": "Tech"}),
    ]
    (pair,) = match(people, CONFIG, today=TODAY).pairs
    assert pair.score == round(4 / 9, 4)


def test_inactive_people_take_no_part() -> None:
    people = [
        person("P1", goals=["a"], status="withdrawn"),
        person("M1", "mentor", expertise=["a"], status="paused"),
        person("P2", goals=["a"]),
    ]
    result = match(people, CONFIG, today=TODAY)
    assert result.totals.mentees == 1
    assert [u.code for u in result.unmatched] == ["no_mentors"]


def test_below_the_minimum_no_pair_is_proposed() -> None:
    people = [person("P1", goals=["a"]), person("M1", "mentor", expertise=["b"])]
    result = match(people, config(min_score=0.5), today=TODAY)
    assert result.pairs == []
    (waiting,) = result.unmatched
    assert waiting.code == "below_min_score"
    assert waiting.best_score == 0.2222
    assert waiting.reason == "best possible score 0.22 is below the minimum 0.5"


def test_unmatched_reasons_name_no_one() -> None:
    people = [
        person("P1", goals=["a"], languages=["Portuguese", "Basque"]),
        person("M1", "mentor", expertise=["a"]),
    ]
    (waiting,) = match(people, CONFIG, today=TODAY).unmatched
    assert waiting.code == "no_shared_language"
    assert waiting.reason == "no mentor shares a language (speaks Portuguese or Basque)"
    assert "M1" not in waiting.reason


def test_recruitment_gap_counts_demand_against_mentor_slots() -> None:
    people = [person(f"P{k}", goals=["Public speaking"], timezone="UTC+9") for k in range(8)]
    people += [person("P8", goals=["CV"], languages=["Portuguese"])]
    people += [person("M1", "mentor", expertise=["public speaking"], capacity=1, timezone="UTC+9")]
    result = match(people, CONFIG, today=TODAY)
    assert len(result.pairs) == 1
    lines = {(g.kind, g.key): g for g in result.gap}
    assert (
        lines[("summary", "all")].text == "8 mentees are waiting; no mentor slot is free (1 in all)"
    )
    topic = lines[("topic", "Public speaking")]
    assert (topic.waiting, topic.slots, topic.free) == (7, 1, 0)
    assert topic.text == (
        "7 waiting mentees want 'Public speaking'; mentors who offer it have 1 slot, all taken"
    )
    assert lines[("topic", "CV")].text == "1 waiting mentee wants 'CV'; no mentor offers it"
    assert lines[("language", "Portuguese")].text == (
        "1 waiting mentee speaks Portuguese; no mentor speaks it"
    )
    assert lines[("timezone", "UTC+9")].waiting == 7
    profile = lines[
        ("profile", "offering 'Public speaking', speaking English, within 3 h of UTC+9")
    ]
    assert profile.waiting == 7


def test_no_gap_when_nobody_waits() -> None:
    people = [person("P1", goals=["a"]), person("M1", "mentor", expertise=["a"])]
    result = match(people, CONFIG, today=TODAY)
    assert result.gap == [] and result.unmatched == []


def test_totals_and_json() -> None:
    people = [person("P1", goals=["a"]), person("P2"), person("M1", "mentor", expertise=["a"])]
    result = match(people, CONFIG, today=TODAY)
    totals = result.totals
    assert (totals.matched, totals.unmatched, totals.total_score) == (1, 1, 0.7778)
    assert totals.method == "optimal"
    data = json.loads(json.dumps(result.to_dict()))
    assert data["pairs"][0]["mentee_id"] == "P1"
    assert data["pairs"][0]["parts"][0]["name"] == "topics"


def test_unknown_method_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown matching method 'best'"):
        match([], CONFIG, today=TODAY, method="best")


def test_nobody_at_all() -> None:
    result = match([], CONFIG, today=TODAY)
    assert result.pairs == [] and result.unmatched == [] and result.totals.matched == 0


def test_progress_is_reported_up_to_the_total() -> None:
    people = [person(f"P{k}", goals=["a"]) for k in range(30)] + [person("M", "mentor")]
    seen: list[tuple[int, int]] = []
    match(people, CONFIG, today=TODAY, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (30, 30)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_stable_follows_ranked_choices_first() -> None:
    people = [
        at("X", "mentee", 0),
        at("A", "mentor", 0),  # X-A 1.0
        at("B", "mentor", 5),  # X-B 0.5
    ]
    by_score = match(people, LEVELS, today=TODAY, method="stable")
    assert pairs_of(by_score) == {("X", "A")}
    ranked = match(people, LEVELS, today=TODAY, method="stable", ranked_choices={"X": ["B", "A"]})
    assert pairs_of(ranked) == {("X", "B")}


def _crowd(seed: int, mentees: int, mentors: int) -> list[dict]:
    rng = random.Random(seed)
    topics = ["a", "b", "c", "d", "e", "f"]
    zones = ["UTC", "UTC+1", "UTC+2", "UTC-5", "UTC+5:30", None]
    people = [
        person(
            f"P{k}",
            goals=rng.sample(topics, rng.randint(0, 3)),
            timezone=rng.choice(zones),
            languages=rng.choice([["English"], ["English", "Spanish"], ["Spanish"]]),
            organisation=rng.choice([None, "Acme", "Globex"]),
            extra={"industry": rng.choice("xyz")},
        )
        for k in range(mentees)
    ]
    people += [
        person(
            f"M{k}",
            rng.choice(["mentor", "mentor", "both"]),
            goals=rng.sample(topics, 1),
            expertise=rng.sample(topics, rng.randint(0, 3)),
            timezone=rng.choice(zones),
            languages=rng.choice([["English"], ["English", "Spanish"], ["Spanish"]]),
            organisation=rng.choice([None, "Acme", "Globex"]),
            capacity=rng.randint(0, 4),
            extra={"industry": rng.choice("xyz")},
        )
        for k in range(mentors)
    ]
    return people


@pytest.mark.parametrize("seed", range(4))
def test_the_same_input_gives_the_same_pairs_whatever_the_order(seed: int) -> None:
    people = _crowd(seed, 40, 12)
    for method in METHODS:
        first = match(people, CONFIG, today=TODAY, method=method, seed=7)
        shuffled = people[:]
        random.Random(seed).shuffle(shuffled)
        again = match(shuffled, CONFIG, today=TODAY, method=method, seed=7)
        assert first.pairs == again.pairs
        assert first.unmatched == again.unmatched


def test_the_seed_only_breaks_ties() -> None:
    # Four identical mentees for two identical slots: which two is the seed's choice.
    people = [person(f"P{k}", goals=["a"]) for k in range(4)]
    people += [person("M1", "mentor", expertise=["a"], capacity=2)]
    chosen = set()
    for seed in range(12):
        for method in METHODS:
            result = match(people, CONFIG, today=TODAY, method=method, seed=seed)
            assert result.totals.total_score == 2 * 0.7778
            chosen.add(frozenset(pairs_of(result)))
    assert len(chosen) > 1


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("table", [True, False], ids=["score-table", "scored-again"])
def test_pruned_candidates_still_give_a_proven_optimum(
    seed: int, table: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _crowd(seed, 60, 15)
    full = match(people, CONFIG, today=TODAY)
    assert full.notes == []
    monkeypatch.setattr(matching_candidates, "PER_MENTOR", 2)
    monkeypatch.setattr(matching_candidates, "MENTOR_DEPTH", 4)
    if not table:  # as on large programs: the proof scores suspects again
        monkeypatch.setattr(matching_candidates, "TABLE_CELLS", 0)
    pruned = match(people, CONFIG, today=TODAY, candidates=2)
    assert pruned.notes[0] == (
        "solved on each mentee's best 2 mentors and each mentor's best 2 mentees, "
        "then checked against every pair"
    )
    assert pruned.optimal_proven is True and pruned.bound_gap is None
    assert value_of(pruned) == value_of(full)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("method", ["stable", "greedy"])
def test_cut_lists_grow_so_stable_and_greedy_equal_their_full_list_results(
    seed: int, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = _crowd(seed, 60, 15)
    ranked = {"P1": ["M3", "M2"], "P7": ["M0"]} if method == "stable" else None
    full = match(people, CONFIG, today=TODAY, method=method, ranked_choices=ranked)
    monkeypatch.setattr(matching_candidates, "PER_MENTOR", 1)
    monkeypatch.setattr(matching_stable, "GROW_BY", 1 + seed % 2)
    cut = match(people, CONFIG, today=TODAY, method=method, candidates=1, ranked_choices=ranked)
    assert (
        cut.notes[0] == "lists began with each mentee's best 1 mentors and grew where they ran out"
    )
    assert cut.pairs == full.pairs
    assert cut.unmatched == full.unmatched


def test_when_the_proof_runs_out_of_rounds_the_gap_to_the_bound_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = _crowd(5, 80, 20)
    best = value_of(match(people, CONFIG, today=TODAY))
    monkeypatch.setattr(matching_candidates, "PER_MENTOR", 1)
    monkeypatch.setattr(matching_candidates, "MENTOR_DEPTH", 1)
    monkeypatch.setattr(matching_solve, "MAX_PROOF_ROUNDS", 1)
    pruned = match(people, CONFIG, today=TODAY, candidates=1)
    if pruned.optimal_proven:
        assert value_of(pruned) == best
    else:
        assert pruned.bound_gap is not None and pruned.bound_gap >= 0
        found = value_of(pruned)
        # The bound holds: the true optimum is within bound_gap of what was found.
        assert best[0] >= found[0]
        if best[0] == found[0]:
            assert (best[1] - found[1]) / 10000 <= pruned.bound_gap + 1e-9


def _six_both_people() -> tuple[list[dict], dict]:
    """Six "both" people who would rather mentor each other than the fourteen mentees."""
    levels = {"P5": 1, "P8": 3, "P13": 3, "P17": 1}
    people = []
    for k in range(1, 21):
        pid = f"P{k}"
        role = "both" if pid in ("P4", "P5", "P8", "P11", "P13", "P17") else "mentee"
        people.append(
            person(
                pid,
                role,
                goals=["a", "b"] if pid == "P4" else [],
                expertise=["a"] if pid == "P11" else [],
                languages=[],
                extra={"level": levels.get(pid, 0)},
            )
        )
    conf = config(
        min_score=0.0,
        criteria=[
            {"kind": "topics", "weight": 1},
            {"kind": "extra", "field": "level", "mode": "distance", "scale": 6, "weight": 2},
        ],
        rules={"shared_language": False, "different_organisation": False},
    )
    return people, conf


def test_keeping_people_from_mentoring_each_other_stays_optimal() -> None:
    people, conf = _six_both_people()
    result = match(people, conf, today=TODAY)
    assert result.optimal_proven is True
    assert value_of(result) == (6, 38334)
    assert not {(b, a) for a, b in pairs_of(result)} & pairs_of(result)


def test_when_that_search_is_cut_short_the_gap_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people, conf = _six_both_people()
    monkeypatch.setattr(matching_solve, "MAX_BRANCH_SOLVES", 1)
    monkeypatch.setattr(matching_solve, "BRANCH_EDGE_BUDGET", 0)
    result = match(people, conf, today=TODAY)
    assert not {(b, a) for a, b in pairs_of(result)} & pairs_of(result)
    found = value_of(result)
    assert found <= (6, 38334)
    if not result.optimal_proven:
        assert result.bound_gap is not None
        assert found[0] == 6 and (38334 - found[1]) / 10000 <= result.bound_gap
        assert result.notes[-1] == (
            "two people were kept from being each other's mentor without a full search"
        )
