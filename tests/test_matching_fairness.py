"""Fairness per group: the groups, the figures of a run, and the parity rule, checked against
brute force over every assignment of small programs (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_support import TODAY, acceptable_units, config, eligible, person, value_of

from mentorctl.matching import fairness
from mentorctl.matching import parity as parity_module
from mentorctl.matching.match import match

CONF = config(rules={"different_organisation": False})


def test_groups_of_each_kind_of_field() -> None:
    p = person("P1", languages=["Spanish", "english"], timezone="America/Lima",
               organisation="Acme", extra={"Gender": "Woman"})  # fmt: skip
    assert fairness.groups_of(p, "language", TODAY) == ("Spanish", "english")
    assert fairness.groups_of(p, "timezone", TODAY) == ("UTC-12 to -3",)
    assert fairness.groups_of(dict(p, timezone="Europe/Paris"), "timezone", TODAY) == (
        "UTC-2 to +3",
    )
    assert fairness.groups_of(dict(p, timezone="Asia/Tokyo"), "time zone", TODAY) == (
        "UTC+4 to +14",
    )
    assert fairness.groups_of(dict(p, timezone=None), "timezone", TODAY) == ("unknown",)
    assert fairness.groups_of(p, "organisation", TODAY) == ("Acme",)
    assert fairness.groups_of(p, "gender", TODAY) == ("Woman",)
    assert fairness.groups_of(p, "pronouns", TODAY) == (fairness.NO_ANSWER,)


def _signed(p: dict[str, Any], day: str) -> dict[str, Any]:
    return dict(p, history=[{"at": f"{day}T09:00:00", "event": "signed_up"}])


def test_run_table_counts_rates_scores_and_days() -> None:
    people = [
        _signed(person("P1", goals=["a"], extra={"gender": "woman"}), "2026-02-20"),
        _signed(person("P2", goals=["a"], extra={"gender": "Woman "}), "2026-02-25"),
        _signed(person("P3", goals=["a"], extra={"gender": "man"}), "2026-02-28"),
        person("M1", "mentor", expertise=["a"], capacity=1),
    ]
    result = match(people, CONF, today=TODAY)
    by_id = {p["id"]: p for p in people}
    waiting = [u.mentee_id for u in result.unmatched]
    rows = fairness.run_table(by_id, result.pairs, waiting, "gender", TODAY)
    table = {r["group"]: r for r in rows}
    assert set(table) == {"woman", "man", "all"}  # "Woman " is the same group
    assert table["woman"]["mentees"] == 2 and table["man"]["mentees"] == 1
    assert table["all"]["matched"] == 1 and table["all"]["waiting"] == 2
    # Days waited: from sign-up to today (TODAY is 2026-03-02).
    assert table["woman"]["days_waited"] == (10 + 5) / 2
    assert table["man"]["days_waited"] == 2.0
    pair = result.pairs[0]
    group = "man" if pair.mentee_id == "P3" else "woman"
    assert table[group]["avg_score"] == round(pair.score, 4)
    assert table[group]["rate"] == round(1 / table[group]["mentees"], 4)


def test_anonymous_report_rows_hide_small_groups() -> None:
    people = {f"P{k}": person(f"P{k}", extra={"g": "big" if k < 4 else f"x{k}"}) for k in range(6)}
    rows = fairness.report_table(people, [], list(people), "g", TODAY, anonymous=True)
    names = [r["group"] for r in rows]
    assert names == ["big", "2 group(s) of fewer than 3", "all"]
    assert rows[1]["mentees"] == "fewer than 3" and rows[1]["rate"] is None
    assert not any("x4" in str(r) or "x5" in str(r) for r in rows)
    # The all row less the groups shown would give the small groups away: its count only.
    everyone = rows[-1]
    assert everyone["mentees"] == 6
    assert [everyone[k] for k in ("matched", "waiting", "rate", "avg_score", "days_waited")] == [
        None
    ] * 5
    admins = fairness.report_table(people, [], list(people), "g", TODAY)
    assert {r["group"] for r in admins} == {"big", "x4", "x5", "all"}


# -- the parity rule against brute force ------------------------------------------------


def brute_force_parity(
    people: list[dict[str, Any]], conf: dict[str, Any], min_ratio: float
) -> tuple[int, int] | None:
    """The best (matched, total units) over every assignment whose group rates keep the rule,
    groups (from the ``group`` answer) with no acceptable pair left out of it."""
    mentees, free = eligible(people, [])
    units = acceptable_units(people, conf, [], set())
    # "g1,g2": in both groups.
    group = {m["id"]: m["extra"]["group"].split(",") for m in mentees}
    reachable = {g for i, _ in units for g in group[i]}
    members = {g: [m["id"] for m in mentees if g in group[m["id"]]] for g in reachable}
    options = [[None] + [j for (i, j) in units if i == m["id"]] for m in mentees]
    best = None
    for choice in itertools.product(*options):
        used: dict[str, int] = {}
        for j in choice:
            if j is not None:
                used[j] = used.get(j, 0) + 1
        if any(n > free[j] for j, n in used.items()):
            continue
        got = {m["id"]: j for m, j in zip(mentees, choice, strict=True)}
        if any(j is not None and got.get(j) == i for i, j in got.items()):
            continue  # two people each other's mentor
        rates = [sum(got[i] is not None for i in ids) / len(ids) for ids in members.values()]
        if rates and min(rates) < min_ratio * max(rates) - 1e-9:
            continue
        value = (
            sum(j is not None for j in choice),
            sum(units[(m["id"], j)] for m, j in zip(mentees, choice, strict=True) if j),
        )
        best = value if best is None or value > best else best
    return best


@st.composite
def programs(draw: Any) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 3))
    people = []
    for k in range(n):
        people.append(
            person(
                f"P{k}",
                goals=draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=2, unique=True)),
                languages=[draw(st.sampled_from(["English", "Spanish"]))],
                timezone=draw(st.sampled_from(["UTC", "UTC+5", "UTC-4"])),
                extra={"group": draw(st.sampled_from(["g1", "g2", "g3", "g1,g2"]))},
            )
        )
    for k in range(m):
        people.append(
            person(
                f"M{k}",
                draw(st.sampled_from(["mentor", "mentor", "both"])),
                goals=draw(st.lists(st.sampled_from("abc"), max_size=2, unique=True)),
                expertise=draw(
                    st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True)
                ),
                languages=draw(st.sampled_from([["English"], ["Spanish"], ["English", "Spanish"]])),
                timezone=draw(st.sampled_from(["UTC", "UTC+5", "UTC-4"])),
                capacity=draw(st.integers(1, 2)),
                extra={"group": draw(st.sampled_from(["g1", "g2"]))},
            )
        )
    return people


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.sampled_from([0.5, 0.8, 1.0]))
def test_parity_holds_and_is_optimal_against_brute_force(people, min_ratio) -> None:
    conf = config(min_score=0.3, rules={"different_organisation": False})
    # Each linear program starts from every mentee's best pair only, not from the pairs of
    # the plain optimum: the others must be priced in for the answer to be optimal.
    start, parity_module.START_COLUMNS = parity_module.START_COLUMNS, 1
    solve = parity_module.solve_parity
    parity_module.solve_parity = lambda *a, **k: solve(*a, **{**k, "prefer": None})
    try:
        result = match(people, conf, today=TODAY,
                       fairness={"by": "group", "min_ratio": min_ratio})  # fmt: skip
    finally:
        parity_module.START_COLUMNS = start
        parity_module.solve_parity = solve
    parity = result.parity
    assert parity is not None
    if parity["solved"].startswith("not met"):
        # Only an empty round keeps the rule: the proposals are those without it, and said so.
        assert brute_force_parity(people, conf, min_ratio) == (0, 0)
        assert not parity["held"] and result.totals.matched > 0
        assert value_of(result) == value_of(match(people, conf, today=TODAY))
        return
    assert parity["held"]
    # The rule holds on the pairs themselves, and the rates reported are theirs.
    by_group: dict[str, list[bool]] = {}
    matched = {p.mentee_id for p in result.pairs}
    for p in people:
        if p["role"] in ("mentee", "both"):
            for g in p["extra"]["group"].split(","):
                by_group.setdefault(g, []).append(p["id"] in matched)
    rates = [sum(by_group[g["group"]]) / len(by_group[g["group"]]) for g in parity["groups"]]
    assert not rates or min(rates) >= min_ratio * max(rates) - 1e-9
    for g, rate in zip(parity["groups"], rates, strict=True):
        assert g["rate_with"] == round(rate, 4)
    assert value_of(result) == brute_force_parity(people, conf, min_ratio)
    # What the rule cost is the difference to the run without it.
    plain = match(people, conf, today=TODAY)
    assert parity["matched_without"] == plain.totals.matched
    assert parity["score_without"] == pytest.approx(plain.totals.total_score)
    assert parity["score_with"] == pytest.approx(result.totals.total_score)


def test_parity_gives_up_score_and_says_what_it_cost() -> None:
    people = [person(f"P{k}", goals=["a"], extra={"group": "a", "industry": "x"}) for k in range(6)]
    people += [person(f"P{k}", goals=["a"], extra={"group": "b"}) for k in range(6, 9)]
    people += [
        person("M1", "mentor", expertise=["a"], capacity=3, extra={"industry": "x"}),
        person("M2", "mentor", expertise=["z"], capacity=1),
    ]
    plain = match(people, CONF, today=TODAY)
    ruled = match(people, CONF, today=TODAY, fairness={"by": "group", "min_ratio": 0.8})
    assert plain.totals.matched == 4
    # a: 3 of 6 and b: 1 of 3 breaks 80%; 2 of 6 and 1 of 3 is the best that keeps it.
    assert ruled.totals.matched == 3
    p = ruled.parity
    assert p["held"] and p["solved"].startswith("solved under the rule: branch and bound")
    assert p["matched_without"] == 4 and p["matched_with"] == 3
    assert p["cost"] == pytest.approx(plain.totals.total_score - ruled.totals.total_score)
    assert p["cost"] > 0
    # Those the rule left waiting are told so, not that their mentor is full.
    held = [u for u in ruled.unmatched if u.code == "parity"]
    assert held and all("parity rule" in u.reason for u in held)
    assert not any("full" in u.reason for u in held)
    # A rule already kept costs nothing and changes nothing.
    loose = match(people, CONF, today=TODAY, fairness={"by": "group", "min_ratio": 0.5})
    assert loose.parity["solved"] == "held without the rule" and loose.parity["cost"] == 0
    assert {(q.mentee_id, q.mentor_id) for q in loose.pairs} == {
        (q.mentee_id, q.mentor_id) for q in plain.pairs
    }


def test_a_group_with_no_compatible_mentor_is_named_not_everyone_held_back() -> None:
    people = [person(f"P{k}", goals=["a"], extra={"group": "en"}) for k in range(4)]
    people += [person("P9", goals=["a"], languages=["Finnish"], extra={"group": "fi"})]
    people += [person("M1", "mentor", expertise=["a"], capacity=4)]
    result = match(people, CONF, today=TODAY, fairness={"by": "group", "min_ratio": 0.8})
    assert result.totals.matched == 4
    assert result.parity["left_out"] == ["fi"]
    assert [g["group"] for g in result.parity["groups"]] == ["en"]


def test_other_methods_show_the_rule_but_do_not_apply_it() -> None:
    people = [person(f"P{k}", goals=["a"], extra={"group": "a", "industry": "x"}) for k in range(6)]
    people += [person(f"P{k}", goals=["a"], extra={"group": "b"}) for k in range(6, 9)]
    people += [person("M1", "mentor", expertise=["a"], capacity=4, extra={"industry": "x"})]
    result = match(people, CONF, today=TODAY, method="greedy",
                   fairness={"by": "group", "min_ratio": 1.0})  # fmt: skip
    assert result.parity["solved"].startswith("not applied")
    assert result.parity["held"] is False


def test_signed_up_on_takes_the_latest_sign_up_before_the_day() -> None:
    p = {"history": [
        {"at": "2026-01-01T00:00:00", "event": "signed_up"},
        {"at": "2026-02-01T00:00:00", "event": "returned"},
        {"at": "2026-04-01T00:00:00", "event": "signed_up"},
    ], "created": "2025-12-01T00:00:00"}  # fmt: skip
    assert fairness.signed_up_on(p, dt.date(2026, 3, 1)) == dt.date(2026, 2, 1)
    assert fairness.signed_up_on({"created": "2025-12-01T00:00:00"}, TODAY) == dt.date(2025, 12, 1)


def test_two_people_are_never_each_others_mentor_under_the_rule() -> None:
    # A and B ("both") suit each other best both ways; the rule must not pair them so.
    conf = config(min_score=0.3, rules={"different_organisation": False})
    people = [
        person("P0", goals=["x"], extra={"group": "g1"}),
        person("A", "both", goals=["x"], expertise=["y"], capacity=2, extra={"group": "g2"}),
        person("B", "both", goals=["y"], expertise=["x"], capacity=1, extra={"group": "g1"}),
    ]
    result = match(people, conf, today=TODAY, fairness={"by": "group", "min_ratio": 0.5})
    got = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    assert not {("A", "B"), ("B", "A")} <= got
    assert brute_force_parity(people, conf, 0.5) == (0, 0)
    assert result.parity["solved"].startswith("not met")


def test_parity_on_many_seeded_programs_against_brute_force() -> None:
    """Many small programs where the rule binds, each linear program started from each
    mentee's best pair alone, so that pricing the other pairs in is what makes it optimal."""
    import random

    conf = config(min_score=0.3, rules={"different_organisation": False})
    rng = random.Random(1)
    start, parity_module.START_COLUMNS = parity_module.START_COLUMNS, 1
    solve = parity_module.solve_parity
    parity_module.solve_parity = lambda *a, **k: solve(*a, **{**k, "prefer": None})
    solved = 0
    try:
        for _ in range(420):
            people = [
                person(f"P{k}", goals=rng.sample("abc", rng.randint(1, 2)),
                       timezone=rng.choice(["UTC", "UTC+5", "UTC-4"]),
                       languages=[rng.choice(["English", "Spanish"])],
                       extra={"group": rng.choice(["g1", "g2", "g3"])})
                for k in range(rng.randint(2, 6))
            ]  # fmt: skip
            for k in range(rng.randint(1, 3)):
                people.append(
                    person(f"M{k}", "mentor", expertise=rng.sample("abc", rng.randint(1, 3)),
                           capacity=rng.randint(1, 2),
                           timezone=rng.choice(["UTC", "UTC+5", "UTC-4"]),
                           languages=rng.choice([["English"], ["Spanish"], ["English", "Spanish"]]))
                )  # fmt: skip
            ratio = rng.choice([0.5, 0.8, 1.0])
            result = match(people, conf, today=TODAY, fairness={"by": "group", "min_ratio": ratio})
            if not result.parity["solved"].startswith("solved under"):
                continue
            solved += 1
            assert result.parity["held"]
            assert value_of(result) == brute_force_parity(people, conf, ratio), people
    finally:
        parity_module.START_COLUMNS = start
        parity_module.solve_parity = solve
    assert solved >= 15
