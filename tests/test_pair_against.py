"""What counts against a pair: criteria that scored nothing, far time zones, and the rules a
pair added by hand breaks; shown to the admin beside the reasons, never to the two people."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

from helpers import PROGRAM, read_store, write_csv
from matching_support import TODAY, config, person

from mentorctl.matching.explain import BY_HAND, against_parts, forced_against
from mentorctl.matching.match import score_pair
from mentorctl.matching.score import explain, profile, read_criteria

TOPICS_TZ_LANG = config(
    criteria=[
        {"kind": "topics", "weight": 5},
        {"kind": "timezone", "weight": 1, "max_hours": 6},
        {"kind": "languages", "weight": 1},
    ],
    min_score=0,
)


def test_a_pair_with_no_shared_topic_says_so_and_keeps_its_score() -> None:
    ivan = person("P1", goals=["Public speaking"], languages=["Spanish"], timezone="UTC+1")
    maria = person(
        "P2", "mentor", expertise=["Networking"], languages=["Spanish"], timezone="UTC+1"
    )
    check = score_pair(ivan, maria, TOPICS_TZ_LANG, today=TODAY)
    assert check.score == round(2 / 7, 4)  # (5 * 0 + 1 + 1) / 7, as before
    assert check.reasons == ["same time zone", "mentor speaks Spanish"]
    assert check.against == ["no shared topic"]
    crit = read_criteria(TOPICS_TZ_LANG)
    units, _, _ = explain(crit, profile(ivan, crit, TODAY), profile(maria, crit, TODAY))
    assert units / 10000 == check.score


def test_lines_against_come_heaviest_criterion_first() -> None:
    conf = config(
        criteria=[
            {"kind": "languages", "weight": 1},
            {"kind": "topics", "weight": 3},
            {"kind": "timezone", "weight": 1, "max_hours": 8},
            {"kind": "extra", "field": "industry", "mode": "same", "weight": 2},
        ],
        rules={"shared_language": False},
        min_score=0,
    )
    mentee = person(
        "P1", goals=["Public speaking"], languages=["Finnish"], timezone="UTC+9",
        extra={"industry": "Finance"},
    )  # fmt: skip
    mentor = person(
        "P2", "mentor", expertise=["Networking"], languages=["English"], timezone="UTC",
        extra={"industry": "Retail"},
    )  # fmt: skip
    check = score_pair(mentee, mentor, conf, today=TODAY)
    assert check.score == 0.0 and check.reasons == []
    assert check.against == [
        "no shared topic",
        "different industry",
        "no shared language",
        "time zones 9 h apart",
    ]
    # A near time zone counts for the pair, an unknown one neither for nor against it.
    near = score_pair(mentee, {**mentor, "timezone": "UTC+8"}, conf, today=TODAY)
    assert "time zones 1 h apart" in near.reasons
    assert not any("apart" in line for line in near.against)
    unknown = score_pair(mentee, {**mentor, "timezone": None}, conf, today=TODAY)
    assert not any("time zone" in line for line in unknown.against)


def test_a_forced_pair_with_no_shared_language_says_it_was_added_by_hand() -> None:
    cy = person("P1", goals=["Networking"], languages=["Finnish"])
    meg = person("P2", "mentor", expertise=["Networking"], languages=["English"])
    check = score_pair(cy, meg, TOPICS_TZ_LANG, today=TODAY)
    assert [v.code for v in check.violations] == ["no_shared_language"]
    assert check.against == ["no shared language"]
    assert forced_against(check.against, check.violations) == ["no shared language" + BY_HAND]
    # Without a languages criterion the rule alone still names it.
    rule_only = config(criteria=[{"kind": "topics", "weight": 1}], min_score=0)
    check = score_pair(cy, meg, rule_only, today=TODAY)
    assert check.against == []
    assert forced_against(check.against, check.violations) == ["no shared language: added by hand"]


def test_stored_pairs_without_lines_against_are_read_from_their_parts() -> None:
    parts = [
        {"kind": "topics", "name": "topics", "value": 0.0, "weight": 5.0},
        {"kind": "timezone", "name": "time zone", "value": 1.0, "weight": 1.0},
        {"kind": "languages", "name": "languages", "value": 0.0, "weight": 1.0},
    ]
    assert against_parts(parts) == ["no shared topic", "no shared language"]
    assert against_parts(parts[1:2]) == []


SIGNUPS = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Industry
maria@example.org,María García,Mentor,50,,Networking,English,UTC,2,Acme,Finance
ivan@example.org,Ivan Petrov,Mentee,30,Public speaking,,English,UTC,,Initech,Finance
cy@example.org,Cy Mentee,Mentee,33,Networking,,Finnish,UTC,,Hooli,Finance
"""


def test_proposals_show_what_counts_against_and_the_introduction_does_not(
    workspace: Path, cli
) -> None:
    assert (
        cli("import-signups", write_csv(workspace / "s.csv", SIGNUPS), "-w", workspace).exit_code
        == 0
    )
    result = cli("pair", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    (pair,) = json.loads(result.stdout)["pairs"]
    assert pair["against"] == ["no shared topic"]
    assert pair["reasons"] and "no shared topic" not in pair["reasons"]
    table = cli("pair", "-w", workspace)
    assert table.exit_code == 0, table.output
    assert "against: no shared topic" in " ".join(table.stdout.split())

    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    store = read_store(workspace / PROGRAM / "data" / "store.json")
    (doc,) = store["pairs"].values()
    assert doc["against"] == ["no shared topic"]
    shown = cli("pairs", "show", doc["id"], "-w", workspace)
    assert shown.exit_code == 0, shown.output
    assert "Against them: no shared topic" in shown.stdout
    as_json = cli("pairs", "show", doc["id"], "-w", workspace, "--json")
    assert json.loads(as_json.stdout)["against"] == ["no shared topic"]

    intro = cli("introduce", "-w", workspace)
    assert intro.exit_code == 0, intro.output
    (eml,) = (workspace / PROGRAM / "outbox").glob("*intro*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    assert "you can talk in English" in body  # the reasons for the pair, in their words
    assert "shared topic" not in body and "against" not in body


def test_a_pair_forced_by_hand_names_the_rule_it_breaks(workspace: Path, cli) -> None:
    assert (
        cli("import-signups", write_csv(workspace / "s.csv", SIGNUPS), "-w", workspace).exit_code
        == 0
    )
    forced = cli(
        "pair", "-w", workspace, "--add", "cy@example.org", "maria@example.org", "--force", "--json"
    )
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.stdout)["against"] == ["no shared language: added by hand"]
    store = read_store(workspace / PROGRAM / "data" / "store.json")
    (doc,) = store["pairs"].values()
    assert doc["against"] == ["no shared language: added by hand"]
    assert "no shared language" not in " ".join(doc["reasons"])
    # Forgetting one of them forgets what was said against the pair too.
    assert cli("forget", "cy@example.org", "--yes", "-w", workspace).exit_code == 0
    store = read_store(workspace / PROGRAM / "data" / "store.json")
    (doc,) = store["pairs"].values()
    assert doc["against"] == [] and doc["reasons"] == []
