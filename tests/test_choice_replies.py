"""Mentees' choices: what a reply names (read_choice), and how ``pair`` honours choices,
checked against a brute force over every assignment on small programs."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching_support import TODAY, config, person

from mentorctl.checkins.choice_replies import read_choice
from mentorctl.matching.choices import chosen_reason, from_people
from mentorctl.matching.match import match, score_pair
from mentorctl.matching.order import seeded_order

NAMES = ["Ann", "Bo", "Lucía"]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("2", [1]),
        ("#2", [1]),
        ("Number 2 please", [1]),
        ("No. 3", [2]),
        ("the 2nd one", [1]),
        ("Ann", [0]),
        ("ann!", [0]),
        ("I'd like Ann, or else Bo", [0, 1]),
        ("1 then 3", [0, 2]),
        ("Lucia, then 1", [2, 0]),
        ("LUCÍA", [2]),
        ("Bo or Bo, maybe 2", [1]),
        ("Anne", []),
        ("Can we talk first?", []),
        ("7", []),
        ("1,3", [0, 2]),
        ("Option 2.", [1]),
        ("free after 2pm, or at 10:30 on 2026-03-03", []),
        ("about 1.5 hours a week", []),
        ("Bob", []),
    ],
)
def test_what_a_reply_names(text: str, places: list[int]) -> None:
    assert read_choice(text, NAMES) == places


def test_a_first_name_two_mentors_share_is_not_guessed() -> None:
    assert read_choice("Ann please", ["Ann", "Bo", "Ann"]) is None
    assert read_choice("3 please", ["Ann", "Bo", "Ann"]) == [2]


def test_the_latest_choice_counts() -> None:
    history = [
        {"at": "2026-03-03T09:00:00+00:00", "event": "chose", "mentors": ["P2"],
         "written": "2026-03-03T08:00:00+00:00"},
        {"at": "2026-03-03T09:00:00+00:00", "event": "chose", "mentors": ["P3", "P2"],
         "written": "2026-03-03T08:30:00+00:00"},
    ]  # fmt: skip
    assert from_people([{"id": "P1", "history": history}]) == {"P1": ["P3", "P2"]}


# -- honouring choices, against a brute force ------------------------------------------------

MENTEES = [f"P{i}" for i in range(1, 6)]
MENTORS = [f"P{i}" for i in range(10, 13)]


@st.composite
def programs(draw):
    topics = st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True)
    languages = st.sampled_from([["English"], ["Spanish"], ["English", "Spanish"]])
    n = draw(st.integers(1, len(MENTEES)))
    people = [person(pid, goals=draw(topics), languages=draw(languages)) for pid in MENTEES[:n]]
    for pid in MENTORS:
        people.append(
            person(
                pid,
                "mentor",
                expertise=draw(topics),
                languages=draw(languages),
                capacity=draw(st.integers(0, 2)),
            )
        )
    existing = []
    for mentee in MENTEES[n:]:  # mentees already paired use a place
        existing.append((mentee, draw(st.sampled_from(MENTORS)), "active"))
    blocked = draw(st.sets(st.sampled_from([frozenset(p) for p in itertools.product(
        MENTEES[:n], MENTORS)]), max_size=2))  # fmt: skip
    choices = {
        m: draw(st.lists(st.sampled_from([*MENTORS, "P99"]), max_size=3, unique=True))
        for m in MENTEES[:n]
    }
    return people, existing, blocked, {m: c for m, c in choices.items() if c}


def brute_force(people, existing, blocked, choices, seed):
    """Every assignment of the choosing mentees to one of their choices (or none) within the
    mentors' free places; among those with no blocking pair (a mentee who prefers a mentor
    who has room or holds a mentee they match less), the rank each mentee gets at best."""
    by_id = {p["id"]: p for p in people}
    conf = config()
    used = Counter(y for _, y, _ in existing)
    free = {m: max(0, by_id[m]["capacity"] - used[m]) for m in MENTORS}
    options, units = {}, {}
    for mentee, wanted in choices.items():
        options[mentee] = []
        for mentor in wanted:
            if mentor not in by_id or mentor in options[mentee] or free[mentor] <= 0:
                continue
            check = score_pair(by_id[mentee], by_id[mentor], conf, today=TODAY,
                               existing=existing, blocked=blocked)  # fmt: skip
            codes = {w.code for w in check.warnings}
            if check.violations or "below_min_score" in codes:
                continue
            options[mentee].append(mentor)
            units[mentee, mentor] = round(check.score * 10000)
    mentees = sorted(options)

    def key(mentee, mentor):  # the mentor's preference: score, then the seed's order
        return (units[mentee, mentor], [-b for b in seeded_order(seed, mentee)])

    best: dict[str, int] = {}
    stable_found = []
    for pick in itertools.product(*[[None, *options[m]] for m in mentees]):
        got = dict(zip(mentees, pick, strict=True))
        load = Counter(j for j in got.values() if j)
        if any(load[j] > free[j] for j in load):
            continue
        blocking = False
        for mentee in mentees:
            mine = got[mentee]
            better = options[mentee][: options[mentee].index(mine)] if mine else options[mentee]
            for j in better:
                held = [x for x, y in got.items() if y == j]
                if load[j] < free[j] or any(key(x, j) < key(mentee, j) for x in held):
                    blocking = True
        if not blocking:
            stable_found.append(got)
    for got in stable_found:
        for mentee in mentees:
            rank = options[mentee].index(got[mentee]) if got[mentee] else 99
            best[mentee] = min(best.get(mentee, 99), rank)
    return options, best, free


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), st.integers(0, 3), st.sampled_from(["optimal", "stable", "greedy"]))
def test_choices_are_honoured_as_a_brute_force_says(program, seed, method) -> None:
    people, existing, blocked, choices = program
    result = match(people, config(), today=TODAY, existing=existing, blocked=blocked,
                   method=method, seed=seed, choices=choices)  # fmt: skip
    options, best, free = brute_force(people, existing, blocked, choices, seed)
    by_choice = {
        p.mentee_id: p.mentor_id for p in result.pairs if p.reasons[0].startswith("chosen")
    }
    # Capacity is never exceeded, choices and the rest together.
    load = Counter(p.mentor_id for p in result.pairs)
    assert all(load[m] <= free[m] for m in MENTORS)
    assert len({p.mentee_id for p in result.pairs}) == len(result.pairs)
    for mentee, wanted in options.items():
        got = by_choice.get(mentee)
        # Each choosing mentee gets the best choice any stable assignment gives them.
        assert (wanted.index(got) if got else 99) == best[mentee], (mentee, got, best)
        if got:
            pair = next(p for p in result.pairs if p.mentee_id == mentee)
            assert pair.reasons[0] == chosen_reason(choices[mentee].index(got) + 1)
        else:
            # No choice of theirs had a free place left: every one was taken by mentees it
            # matched better, and the reason says so for each.
            for mentor in wanted:
                assert load[mentor] == free[mentor]
            said = next((u.reason for u in result.unmatched if u.mentee_id == mentee), None)
            said = said or next(p.reasons[0] for p in result.pairs if p.mentee_id == mentee)
            for mentor in wanted:
                assert f"chose Person ({mentor}): Person's places went to mentees" in said
            assert not any(re.search(rf"\b{m}\b", said) for m in MENTEES if m != mentee)


def test_two_people_who_chose_each_other_are_not_each_others_mentor() -> None:
    a = person("P1", "both", goals=["a"], expertise=["a"], capacity=1)
    b = person("P2", "both", goals=["a", "b"], expertise=["a", "b"], capacity=1)
    result = match([a, b], config(), today=TODAY, choices={"P1": ["P2"], "P2": ["P1"]})
    got = {(p.mentee_id, p.mentor_id) for p in result.pairs}
    assert len(got) == 1 and got <= {("P1", "P2"), ("P2", "P1")}


def test_a_choice_made_before_a_return_no_longer_counts() -> None:
    chose = {"at": "2026-03-03T09:00:00+00:00", "event": "chose", "mentors": ["P2"]}
    back = {"at": "2026-06-01T09:00:00+00:00", "event": "returned"}
    assert from_people([{"id": "P1", "history": [chose, back]}]) == {}
    later = {**chose, "at": "2026-06-02T09:00:00+00:00"}
    assert from_people([{"id": "P1", "history": [chose, back, later]}]) == {"P1": ["P2"]}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=4),
    st.lists(
        st.sampled_from([", ", " then ", " or else ", ", maybe ", " > ", "\n", " / "]),
        min_size=4,
        max_size=4,
    ),
    st.sampled_from(["", "I'd like ", "Number ", "Hi! "]),
)
def test_a_reply_of_numbers_and_names_reads_in_its_order(picks, joins, lead) -> None:
    names = ["Ann", "Bo", "Lucía"]
    words = [str(i + 1) if as_number else names[i] for i, as_number in picks]
    text = lead + "".join(w + j for w, j in zip(words, joins, strict=False)).rstrip()
    assert read_choice(text, names) == list(dict.fromkeys(i for i, _ in picks))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_names_each_place_at_most_once(text: str) -> None:
    found = read_choice(text, NAMES)
    assert found is None or (len(set(found)) == len(found) and all(0 <= i < 3 for i in found))
