"""mentorctl pair: proposals in a table and JSON, commit, scripted review, and overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import PROGRAM, read_store, write_csv

SAMPLE = (
    Path(__file__).resolve().parent.parent / "sample_programs" / "career-circle" / "signups.csv"
)

# Two mentors and three mentees whose best pairs are known by hand: Ann wants what Meg
# offers, Bo what Raj offers; Cy shares no language with anyone; Raj has one slot.
SMALL = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company
meg@example.org,Meg Mentor,Mentor,50,,"Career change, Networking",English,UTC,2,Acme
raj@example.org,Raj Mentor,Mentor,45,,Interview preparation,English,UTC+1,1,Globex
ann@example.org,Ann Mentee,Mentee,30,"Career change, Networking",,English,UTC,,Initech
bo@example.org,Bo Mentee,Mentee,28,Interview preparation,,English,UTC+1,,Umbrella
cy@example.org,Cy Mentee,Mentee,33,Networking,,Finnish,UTC+2,,Hooli
"""


@pytest.fixture
def small(workspace: Path, cli) -> Path:
    csv_file = write_csv(workspace / "small.csv", SMALL)
    result = cli("import-signups", csv_file, "-w", workspace)
    assert result.exit_code == 0, result.output
    return workspace


def _ids(workspace: Path) -> dict[str, str]:
    people = read_store(workspace / PROGRAM / "data" / "store.json")["people"].values()
    return {p["email"].split("@")[0]: p["id"] for p in people}


def _pairs(workspace: Path) -> list[dict]:
    return list(read_store(workspace / PROGRAM / "data" / "store.json").get("pairs", {}).values())


def test_proposals_table_is_a_dry_run(small: Path, cli) -> None:
    store = small / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    result = cli("pair", "-w", small)
    assert result.exit_code == 0, result.output
    assert "Ann Mentee" in result.stdout and "Meg Mentor" in result.stdout
    assert "Waiting mentees" in result.stdout and "Cy Mentee" in result.stdout
    assert "Matched 2 of 3 waiting mentees" in result.stdout
    assert "Nothing saved" in result.stderr
    assert store.read_bytes() == before


def test_json_has_pairs_unmatched_and_totals(small: Path, cli) -> None:
    ids = _ids(small)
    result = cli("pair", "-w", small, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    got = {(p["mentee"], p["mentor"]) for p in data["pairs"]}
    assert got == {(ids["ann"], ids["meg"]), (ids["bo"], ids["raj"])}
    assert [u["mentee"] for u in data["unmatched"]] == [ids["cy"]]
    assert "language" in data["unmatched"][0]["reason"]
    assert data["totals"]["matched"] == 2 and data["totals"]["unmatched"] == 1
    assert data["totals"]["total_score"] == pytest.approx(sum(p["score"] for p in data["pairs"]))
    assert data["committed"] is None
    for pair in data["pairs"]:
        assert pair["reasons"], pair


def test_commit_saves_proposed_pairs_once(small: Path, cli) -> None:
    result = cli("pair", "-w", small, "--commit", "--json")
    assert result.exit_code == 0, result.output
    saved = _pairs(small)
    assert len(saved) == 2
    assert {p["status"] for p in saved} == {"proposed"}
    assert all(p["id"].startswith("M") and p["reasons"] for p in saved)
    again = json.loads(cli("pair", "-w", small, "--commit", "--json").stdout)
    assert again["pairs"] == []  # everyone who can be matched already is
    assert len(_pairs(small)) == 2


def test_commit_dry_run_writes_nothing(small: Path, cli) -> None:
    store = small / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    result = cli("pair", "-w", small, "--commit", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would save 2 pair(s)" in result.stdout
    assert store.read_bytes() == before


def test_review_accepts_and_skips_from_input(small: Path, cli) -> None:
    result = cli("pair", "-w", small, "--review", "--json", input="a\ns\n")
    assert result.exit_code == 0, result.output
    assert "accept, skip or quit?" in result.stderr
    assert len(_pairs(small)) == 1
    data = json.loads(result.stdout)
    assert len(data["committed"]["pairs"]) == 1


def test_review_quit_keeps_what_was_accepted(small: Path, cli) -> None:
    result = cli("pair", "-w", small, "--review", input="q\n")
    assert result.exit_code == 0, result.output
    assert _pairs(small) == []
    result = cli("pair", "-w", small, "--review", input="x\na\nq\n")
    assert "please answer a, s or q" in result.stderr
    assert len(_pairs(small)) == 1


def test_add_by_hand_warns_on_a_soft_rule(small: Path, cli) -> None:
    ids = _ids(small)
    result = cli("pair", "-w", small, "--add", "bo@example.org", ids["meg"], "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["action"] == "added" and data["status"] == "proposed"
    assert any("no goal" in w for w in data["warnings"])
    assert len(_pairs(small)) == 1


def test_add_refuses_a_hard_rule_unless_forced(small: Path, cli) -> None:
    result = cli("pair", "-w", small, "--add", "cy@example.org", "meg@example.org")
    assert result.exit_code == 2
    assert "share no language" in result.stderr and "--force" in result.stderr
    assert _pairs(small) == []
    forced = cli("pair", "-w", small, "--add", "cy@example.org", "meg@example.org", "--force")
    assert forced.exit_code == 0, forced.output
    assert "rule broken (forced)" in forced.stderr
    assert len(_pairs(small)) == 1


def test_add_never_pairs_someone_with_themselves(small: Path, cli) -> None:
    result = cli("pair", "-w", small, "--add", "meg@example.org", "meg@example.org", "--force")
    assert result.exit_code == 2
    assert "themselves" in result.stderr


def test_end_with_reason_and_never_again(small: Path, cli) -> None:
    ids = _ids(small)
    assert cli("pair", "-w", small, "--commit").exit_code == 0
    missing = cli("pair", "-w", small, "--end", ids["ann"])
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    result = cli("pair", "-w", small, "--end", ids["ann"], "--reason", "moved abroad")
    assert result.exit_code == 0, result.output
    ended = next(p for p in _pairs(small) if p["mentee"] == ids["ann"])
    assert ended["status"] == "ended" and ended["end_reason"] == "moved abroad"
    data = json.loads(cli("pair", "-w", small, "--json").stdout)
    assert (ids["ann"], ids["meg"]) not in {(p["mentee"], p["mentor"]) for p in data["pairs"]}
    again = cli("pair", "-w", small, "--add", ids["ann"], ids["meg"], "--force")
    assert again.exit_code == 2 and "paired before" in again.stderr


def test_locked_pair_survives_redo_and_resists_end(small: Path, cli) -> None:
    assert cli("pair", "-w", small, "--commit").exit_code == 0
    first, second = sorted(p["id"] for p in _pairs(small))
    assert cli("pair", "-w", small, "--lock", first).exit_code == 0
    redo = json.loads(cli("pair", "-w", small, "--redo", "--commit", "--json").stdout)
    assert redo["committed"]["removed"] == [second]
    ids_now = {p["id"] for p in _pairs(small)}
    assert first in ids_now and second not in ids_now
    refused = cli("pair", "-w", small, "--end", first, "--reason", "test")
    assert refused.exit_code == 2 and "locked" in refused.stderr
    assert cli("pair", "-w", small, "--end", first, "--reason", "test", "--force").exit_code == 0


def test_actions_do_not_mix(small: Path, cli) -> None:
    result = cli("pair", "-w", small, "--commit", "--lock", "M1")
    assert result.exit_code == 2
    assert "choose one action" in result.stderr


@pytest.mark.parametrize("method", ["optimal", "stable", "greedy"])
def test_every_method_runs_on_the_sample_program(workspace: Path, cli, method: str) -> None:
    assert cli("import-signups", SAMPLE, "-w", workspace).exit_code == 0
    result = cli("pair", "-w", workspace, "--method", method, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == method
    assert data["totals"]["matched"] > 20
    mentees = [p["mentee"] for p in data["pairs"]]
    assert len(mentees) == len(set(mentees))


def test_same_store_and_seed_give_the_same_pairs(workspace: Path, cli) -> None:
    assert cli("import-signups", SAMPLE, "-w", workspace).exit_code == 0
    runs = [
        json.loads(cli("pair", "-w", workspace, "--json", "--seed", "7").stdout)["pairs"]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_unknown_method_is_a_usage_error(small: Path, cli) -> None:
    result = cli("pair", "-w", small, "--method", "random")
    assert result.exit_code == 2
    assert "expected optimal, stable or greedy" in result.stderr
