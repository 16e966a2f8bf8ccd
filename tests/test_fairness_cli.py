"""pair --fairness-by and report --fairness-by: tables, JSON, the parity rule from
program.yaml and what it cost, and an anonymous report that singles no one out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import PROGRAM, write_csv

# Meg has three places. The three women fit her best; the two men less well.
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Gender
meg@example.org,Meg Mentor,Mentor,50,,"Career change, Networking",English,UTC,3,Acme,woman
ann@example.org,Ann Mentee,Mentee,30,"Career change, Networking",,English,UTC,,Initech,woman
amy@example.org,Amy Mentee,Mentee,30,"Career change, Networking",,English,UTC,,Hooli,woman
ali@example.org,Ali Mentee,Mentee,30,"Career change, Networking",,English,UTC,,Globex,woman
bo@example.org,Bo Mentee,Mentee,28,Networking,,English,UTC+5,,Umbrella,man
ben@example.org,Ben Mentee,Mentee,28,Networking,,English,UTC+5,,Soylent,man
"""
DAY = "2026-03-02"


@pytest.fixture
def program(workspace: Path, cli) -> Path:
    result = cli("import-signups", write_csv(workspace / "g.csv", PEOPLE), "-w", workspace,
                 "--today", DAY)  # fmt: skip
    assert result.exit_code == 0, result.output
    return workspace


def _fairness(workspace: Path, section: dict) -> None:
    path = workspace / PROGRAM / "program.yaml"
    data = yaml.safe_load(path.read_text())
    data["fairness"] = section
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_pair_shows_each_group(program: Path, cli) -> None:
    result = cli("pair", "--fairness-by", "gender", "-w", program, "--today", "2026-03-12")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Fairness by Gender (this run)" in out or "Fairness by gender (this run)" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:5] in
            ("woman", "man  ", "all  ")}  # fmt: skip
    # The women take Meg's three places; the men wait. Ten days since sign-up.
    assert rows["woman"][1:5] == ["3", "3", "0", "100%"]
    assert rows["man"][1:5] == ["2", "0", "2", "0%"]
    assert rows["man"][5:] == ["-", "10.0"]
    result = cli(
        "pair", "--fairness-by", "gender", "--json", "-w", program, "--today", "2026-03-12"
    )
    data = json.loads(result.stdout)
    groups = {g["group"]: g for g in data["fairness"]["groups"]}
    assert groups["man"]["rate"] == 0.0 and groups["woman"]["rate"] == 1.0
    assert groups["all"]["mentees"] == 5 and data["parity"] is None


def test_program_parity_rule_is_honoured_and_its_cost_shown(program: Path, cli) -> None:
    _fairness(program, {"by": "gender", "min_ratio": 0.5})
    result = cli("pair", "--json", "-w", program, "--today", "2026-03-12")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    groups = {g["group"]: g for g in data["fairness"]["groups"]}
    # Two of three women and one of two men: 67% and 50%, within the rule.
    assert groups["woman"]["matched"] == 2 and groups["man"]["matched"] == 1
    parity = data["parity"]
    assert parity["held"] and parity["matched_without"] == parity["matched_with"] == 3
    assert parity["cost"] > 0
    assert parity["score_with"] == pytest.approx(data["totals"]["total_score"])
    result = cli("pair", "-w", program, "--today", "2026-03-12")
    assert "Parity by Gender" in result.stdout or "Parity by gender" in result.stdout
    assert "holds" in result.stdout and "(cost " in result.stdout


def test_a_rule_only_an_empty_round_keeps_is_said_plainly(program: Path, cli) -> None:
    _fairness(program, {"by": "gender", "min_ratio": 0.9})
    result = cli("pair", "-w", program, "--today", "2026-03-12")
    assert result.exit_code == 0, result.output
    assert "Matched 3 of 5" in result.stdout
    assert "not met: no pairing but none at all keeps it" in result.stderr


def test_report_table_and_anonymous_threshold(program: Path, cli) -> None:
    result = cli("pair", "--commit", "-w", program, "--today", "2026-03-12")
    assert result.exit_code == 0, result.output
    _fairness(program, {"by": "gender"})
    result = cli("report", "--json", "-w", program, "--today", "2026-03-20")
    assert result.exit_code == 0, result.output
    groups = {g["group"]: g for g in json.loads(result.stdout)["fairness"]["groups"]}
    assert groups["woman"]["matched"] == 3 and groups["woman"]["days_waited"] == 10.0
    # The men still wait: 18 days by the report's day.
    assert groups["man"]["waiting"] == 2 and groups["man"]["days_waited"] == 18.0
    result = cli("report", "--anonymous", "--json", "-w", program, "--today", "2026-03-20")
    groups = [g["group"] for g in json.loads(result.stdout)["fairness"]["groups"]]
    assert groups == ["woman", "1 group(s) of fewer than 3", "all"]
    result = cli("report", "--anonymous", "--format", "md", "-w", program, "--today", "2026-03-20")
    assert "Fairness by" in result.stdout and "fewer than 3" in result.stdout
    assert "| man" not in result.stdout
    result = cli("report", "--fairness-by", "language", "--json", "-w", program,
                 "--today", "2026-03-20")  # fmt: skip
    data = json.loads(result.stdout)["fairness"]
    assert data["by"] == "language" and data["groups"][0]["group"] == "English"


def test_min_ratio_needs_a_field(program: Path, cli) -> None:
    _fairness(program, {"min_ratio": 0.8})
    result = cli("pair", "-w", program)
    assert result.exit_code != 0
    assert "fairness.by" in result.output and "min_ratio needs the field" in result.output
