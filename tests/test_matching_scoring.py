"""Scoring: the parts of a score, their reasons, the rules of ``score_pair``, and that the
vectorised scorer gives exactly what the one-pair path gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching_support import CONFIG, TODAY, config, person

from mentorctl.matching.blocks import BlockScorer
from mentorctl.matching.match import score_pair
from mentorctl.matching.score import explain, profile, read_criteria

TOPICS_TZ_LANG = config(
    criteria=[
        {"kind": "topics", "weight": 5},
        {"kind": "timezone", "weight": 1, "max_hours": 6},
        {"kind": "languages", "weight": 1},
    ]
)


def test_the_issue_example_scores_and_explains_itself() -> None:
    mentee = person(
        "P1",
        goals=["Data science", "Career change", "Public speaking"],
        languages=["Spanish"],
        timezone="UTC+1",
    )
    mentor = person(
        "P2",
        "mentor",
        expertise=["data science", "career change"],
        languages=["Spanish", "English"],
        timezone="Europe/Berlin",  # UTC+1 on 2026-03-02
    )
    check = score_pair(mentee, mentor, TOPICS_TZ_LANG, today=TODAY)
    assert check.score == 0.7619  # (5 * 2/3 + 1 + 1) / 7
    assert "; ".join(check.reasons) == (
        "both: Data science, Career change; same time zone; mentor speaks Spanish"
    )
    assert [(p.name, p.value, p.weight) for p in check.parts] == [
        ("topics", 0.6667, 5.0),
        ("time zone", 1.0, 1.0),
        ("languages", 1.0, 1.0),
    ]
    assert sum(p.contribution for p in check.parts) == pytest.approx(0.7619, abs=2e-4)
    assert check.violations == [] and check.allowed


def test_time_zone_part_is_linear_up_to_max_hours_and_wraps_around_the_clock() -> None:
    conf = config(criteria=[{"kind": "timezone", "weight": 1, "max_hours": 6}], min_score=0)
    mentee = person("P1", timezone="UTC+1")
    assert (
        score_pair(mentee, person("P2", "mentor", timezone="UTC+4"), conf, today=TODAY).score == 0.5
    )
    far = score_pair(mentee, person("P2", "mentor", timezone="UTC-9"), conf, today=TODAY)
    assert far.score == 0.0 and far.reasons == []
    assert far.against == ["time zones 10 h apart"]
    wrap = score_pair(
        person("P1", timezone="UTC+12"),
        person("P2", "mentor", timezone="UTC-11"),
        conf,
        today=TODAY,
    )
    assert wrap.score == round(1 - 1 / 6, 4)


@pytest.mark.parametrize("zone", [None, "Central European Time"])
def test_unknown_time_zone_scores_half_and_says_so(zone: str | None) -> None:
    conf = config(criteria=[{"kind": "timezone", "weight": 1}])
    check = score_pair(person("P1", timezone=zone), person("P2", "mentor"), conf, today=TODAY)
    assert check.score == 0.5
    assert check.reasons == ["time zone unknown"]
    assert [w.code for w in check.warnings] == ["time_zone_unknown"]


def test_topics_are_the_share_of_the_mentees_goals_case_insensitive() -> None:
    conf = config(criteria=[{"kind": "topics", "weight": 1}], min_score=0)
    mentee = person("P1", goals=["Networking", "  salary   AND negotiation", "CV"])
    mentor = person("P2", "mentor", expertise=["networking", "Salary and negotiation"])
    check = score_pair(mentee, mentor, conf, today=TODAY)
    assert check.score == 0.6667
    assert check.reasons == ["both: Networking, salary AND negotiation"]


def test_a_mentee_without_goals_scores_zero_on_topics_but_is_not_excluded() -> None:
    check = score_pair(person("P1"), person("P2", "mentor", expertise=["x"]), CONFIG, today=TODAY)
    assert check.parts[0].value == 0.0
    assert check.violations == []
    assert "no_goals" in [w.code for w in check.warnings]


def test_extra_answers_same_overlap_and_distance() -> None:
    conf = config(
        min_score=0,
        criteria=[
            {"kind": "extra", "field": "industry", "mode": "same", "weight": 1},
            {
                "kind": "extra",
                "field": "format",
                "name": "meeting format",
                "mode": "overlap",
                "weight": 1,
            },
            {"kind": "extra", "field": "years", "mode": "distance", "scale": 10, "weight": 2},
        ],
    )
    mentee = person(
        "P1", extra={"industry": " finance", "format": "Video, In person", "years": "3"}
    )
    mentor = person(
        "P2", "mentor", extra={"Industry": "Finance", "format": "video, phone", "years": "7 years"}
    )
    check = score_pair(mentee, mentor, conf, today=TODAY)
    assert [p.value for p in check.parts] == [1.0, 0.3333, 0.6]
    assert check.score == round((1 + 1 / 3 + 2 * 0.6) / 4, 4)
    assert check.reasons == ["same industry", "meeting format: both Video", "years: 3 and 7"]


def test_a_missing_extra_answer_scores_zero() -> None:
    conf = config(criteria=[{"kind": "extra", "field": "industry", "mode": "same", "weight": 1}])
    check = score_pair(
        person("P1"), person("P2", "mentor", extra={"industry": "x"}), conf, today=TODAY
    )
    assert check.score == 0.0


def test_hard_rules_are_violations() -> None:
    mentee = person("P1", languages=["French"], organisation="Acme")
    mentor = person("P2", "mentor", languages=["German"], organisation=" ACME ")
    check = score_pair(
        mentee,
        mentor,
        CONFIG,
        today=TODAY,
        blocked=[frozenset({"P2", "P1"})],
        existing=[("P1", "P2", "ended")],
    )
    codes = [v.code for v in check.violations]
    assert codes == ["no_shared_language", "same_organisation", "blocked", "past_pair"]
    assert not check.allowed


def test_self_pairs_and_wrong_roles_are_violations() -> None:
    both = person("P1", "both", goals=["a"], expertise=["a"])
    assert [v.code for v in score_pair(both, both, CONFIG, today=TODAY).violations] == ["self"]
    check = score_pair(person("P1", "mentor"), person("P2", "mentee"), CONFIG, today=TODAY)
    assert [v.code for v in check.violations] == ["mentee_role", "mentor_role"]


def test_an_active_pair_is_already_paired() -> None:
    check = score_pair(
        person("P1"), person("P2", "mentor"), CONFIG, today=TODAY, existing=[("P1", "P2", "quiet")]
    )
    assert [v.code for v in check.violations] == ["already_paired"]


def test_rules_can_be_switched_off() -> None:
    conf = config(rules={"shared_language": False, "different_organisation": False})
    mentee = person("P1", languages=["French"], organisation="Acme")
    mentor = person("P2", "mentor", languages=["German"], organisation="Acme")
    assert score_pair(mentee, mentor, conf, today=TODAY).violations == []


def test_no_organisation_answers_do_not_count_as_the_same_organisation() -> None:
    mentee = person("P1", organisation="Self-employed")
    mentor = person("P2", "mentor", organisation="self-employed")
    assert score_pair(mentee, mentor, CONFIG, today=TODAY).violations == []


def test_someone_who_listed_no_language_is_not_held_to_the_language_rule() -> None:
    check = score_pair(person("P1", languages=[]), person("P2", "mentor"), CONFIG, today=TODAY)
    assert check.violations == []
    assert "languages_unknown" in [w.code for w in check.warnings]


def test_soft_warnings() -> None:
    mentee = person("P1", goals=["a"])
    mentor = person("P2", "mentor", expertise=["b"], capacity=1)
    check = score_pair(
        mentee,
        mentor,
        config(min_score=0.5),  # scores 2/9: same time zone, shared language
        today=TODAY,
        existing=[("P3", "P2", "active"), ("P1", "P4", "active")],
    )
    codes = [w.code for w in check.warnings]
    assert codes == ["below_min_score", "no_shared_topic", "mentor_full", "mentee_paired"]
    assert check.violations == []
    paused = score_pair(mentee, person("P2", "mentor", capacity=0), CONFIG, today=TODAY)
    assert "mentor_paused" in [w.code for w in paused.warnings]


# -- the vectorised scorer agrees with the one-pair path, to the unit ------------------------

WORDS = ["Alpha", "beta", "GAMMA", "delta", "epsilon"]
ZONES = ["UTC", "UTC+1", "UTC+5:30", "GMT-5", "Asia/Tokyo", "America/New_York", None, "Moon"]
ANSWERS = [None, "a", "A, b", "b,c", "c", "3", "4.5", "x10", "  A "]


@st.composite
def someone(draw: st.DrawFn, pid: str) -> dict:
    extra = {
        key: value
        for key in ("s", "o", "d")
        if (value := draw(st.sampled_from(ANSWERS))) is not None
    }
    return person(
        pid,
        "both",
        goals=draw(st.lists(st.sampled_from(WORDS), max_size=4)),
        expertise=draw(st.lists(st.sampled_from(WORDS), max_size=4)),
        languages=draw(st.lists(st.sampled_from(["English", "french", "Hindi"]), max_size=2)),
        timezone=draw(st.sampled_from(ZONES)),
        organisation=draw(st.sampled_from([None, "Acme", "acme", "Globex", "student"])),
        extra=extra,
    )


MIXED = config(
    min_score=0.3,
    criteria=[
        {"kind": "topics", "weight": 3},
        {"kind": "languages", "weight": 1.5},
        {"kind": "timezone", "weight": 2, "max_hours": 5},
        {"kind": "extra", "field": "s", "mode": "same", "weight": 0.7},
        {"kind": "extra", "field": "o", "mode": "overlap", "weight": 1.3},
        {"kind": "extra", "field": "d", "mode": "distance", "scale": 3, "weight": 1},
    ],
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=6).flatmap(
        lambda ids: st.tuples(*[someone(f"A{k}") for k in range(len(ids))])
    ),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=6).flatmap(
        lambda ids: st.tuples(*[someone(f"B{k}") for k in range(len(ids))])
    ),
)
def test_block_scores_equal_one_pair_scores(mentees: tuple, mentors: tuple) -> None:
    crit = read_criteria(MIXED)
    a = [profile(p, crit, TODAY) for p in mentees]
    b = [profile(p, crit, TODAY) for p in mentors]
    units, lang_ok, allowed = BlockScorer(crit, a, b, {}, {}).score(np.arange(len(a)))
    for i, x in enumerate(mentees):
        for j, y in enumerate(mentors):
            check = score_pair(x, y, MIXED, today=TODAY)
            assert units[i, j] == explain(crit, a[i], b[j])[0] == round(check.score * 10000)
            rules = {v.code for v in check.violations}
            assert lang_ok[i, j] == ("no_shared_language" not in rules)
            assert allowed[i, j] == (not rules & {"no_shared_language", "same_organisation"})
