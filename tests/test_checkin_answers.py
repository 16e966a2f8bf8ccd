"""Check-in answers: form exports and hand entry, validation, idempotence, the fit check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write_csv
from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    introduced_fixture,
    paired_fixture,
    pairs,
    program_dir,
    table,
)

HEADER = (
    "Timestamp,Email Address,Did you meet or talk this week?,"
    "How much progress did you make towards the career goal this week?,"
    "Anything you would like the organisers to know?,Is this match working for you so far?\n"
)


def _import(cli, workspace: Path, text: str, *args: str, today: str = "2026-03-12"):
    path = write_csv(workspace / "answers.csv", text)
    result = cli("checkin", "-w", workspace, "--import", path, "--json", "--today", today, *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_google_forms_export_is_read_by_question_text(introduced: Path, cli) -> None:
    data = _import(
        cli,
        introduced,
        HEADER
        + '2026/03/05 9:03:12 AM GMT+1,ann@example.org,Yes,4,"All good, thanks",Yes\n'
        + "2026/03/10 8:00:00 AM GMT+1,Meg@Example.org ,no,3 - some,,yes\n",
    )
    assert (data["rows"], data["imported"], data["rejected"]) == (2, 2, 0)
    assert [m["field"] for m in data["mapping"]] == [
        "date",
        "email",
        "met",
        "progress",
        "note",
        "fit",
    ]
    answers = {(a["person"], a["week"]): a for a in table(introduced, "answers")}
    assert answers[(IDS["ann"], 1)]["answers"] == {
        "met": "yes",
        "progress": 4,
        "note": "All good, thanks",
        "fit": "yes",
    }
    assert answers[(IDS["meg"], 2)]["answers"] == {"met": "no", "progress": 3, "fit": "yes"}
    assert (
        answers[(IDS["ann"], 1)]["pair"] == "M1" and answers[(IDS["ann"], 1)]["source"] == "import"
    )


def test_importing_the_same_export_twice_changes_nothing(introduced: Path, cli) -> None:
    text = HEADER + "2026/03/05 9:03:12 AM GMT+1,ann@example.org,Yes,4,,\n"
    _import(cli, introduced, text)
    before = table(introduced, "answers")
    again = _import(cli, introduced, text)
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert table(introduced, "answers") == before
    changed = _import(cli, introduced, text.replace(",4,", ",5,"))
    assert (changed["imported"], changed["updated"]) == (0, 1)
    assert table(introduced, "answers")[0]["answers"]["progress"] == 5


def test_rejected_rows_name_row_field_and_reason_but_no_data(introduced: Path, cli) -> None:
    data = _import(
        cli,
        introduced,
        HEADER
        + "2026/03/05,zed@example.org,Yes,4,,\n"  # row 2: not in the program
        + "2026/03/05,cy@example.org,Yes,4,,\n"  # row 3: never paired
        + "2026/03/05,ann@example.org,Maybe,4,,\n"  # row 4: not yes/no
        + "2026/03/05,bo@example.org,Yes,9,,\n"  # row 5: scale 1-5
        + "2026/03/05,not-an-email,Yes,4,,\n"  # row 6
        + "2026/04/30,raj@example.org,Yes,4,,\n"  # row 7: week 9 is past the program
        + "2026/03/05,raj@example.org,,,,\n",  # row 8: nothing answered
        today="2026-06-01",
    )
    got = [(r["row"], r["field"], r["reason"]) for r in data["rejects"]]
    assert got == [
        (2, "email", "not a participant of this program"),
        (3, "email", "not in a pair that has started"),
        (4, "met", "not a yes or no answer"),
        (5, "progress", "not a number from 1 to 5"),
        (6, "email", "not a valid email address"),
        (7, "week", "outside the program's weeks 1-8"),
        (8, "answers", "no answer to any check-in question"),
    ]
    assert data["imported"] == 0
    assert "@" not in json.dumps(data["rejects"])


def test_answers_for_a_week_not_yet_started_are_rejected(introduced: Path, cli) -> None:
    data = _import(cli, introduced, "Email,Week,Met\nann@example.org,3,yes\n", today="2026-03-10")
    assert [(r["field"], r["reason"]) for r in data["rejects"]] == [
        ("week", "that week has not started yet for this pair")
    ]


def test_week_column_week_option_and_map(introduced: Path, cli) -> None:
    data = _import(cli, introduced, "Email,Week,met\nann@example.org,Week 2,yes\n")
    assert table(introduced, "answers")[0]["week"] == 2 and data["imported"] == 1
    data = _import(cli, introduced, "Who,Did we meet\nbo@example.org,yes\n", "--week", "1",
                   "--map", "email=Who", "--map", "met=Did we meet")  # fmt: skip
    assert data["imported"] == 1
    assert {(a["person"], a["week"]) for a in table(introduced, "answers")} == {
        (IDS["ann"], 2),
        (IDS["bo"], 1),
    }


@pytest.mark.parametrize(
    "text, args, message",
    [
        ("Name,met\nAnn,yes\n", (), "no email column found"),
        ("Email,Colour\nann@example.org,blue\n", (), "no column answers a check-in question"),
        ("Email,met\nann@example.org,yes\n", (), "no week or date column"),
        ("Email,Week,met\n", (), "header row but no answers"),
        ("Email,Week,met\nann@example.org,1,yes\n", ("--map", "colour=X"), "--map 'colour=X'"),
    ],
)
def test_file_level_problems(
    introduced: Path, cli, text: str, args: tuple[str, ...], message: str
) -> None:
    path = write_csv(introduced / "bad.csv", text)
    result = cli("checkin", "-w", introduced, "--import", path, *args)
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert table(introduced, "answers") == []


def test_a_no_to_the_fit_question_ends_the_pair_as_not_a_fit(introduced: Path, cli) -> None:
    data = _import(cli, introduced, HEADER + "2026/03/05,bo@example.org,Yes,2,,No\n")
    assert data["not_fit"] == ["M2"]
    pair = pairs(introduced)["M2"]
    assert pair["status"] == "not_fit"
    assert pair["end_reason"] == "not a fit: P4 answered no in week 1"
    # Both go back to the pool, never to be paired with each other again.
    proposal = cli("pair", "-w", introduced, "--add", IDS["bo"], IDS["raj"], "--force")
    assert proposal.exit_code == 2 and "paired before" in proposal.stderr
    # No more check-ins for the pair.
    run = json.loads(cli("checkin", "-w", introduced, "--json", "--today", "2026-03-09").stdout)
    assert [m["pair"] for m in run["messages"] if m["kind"] == "weekly"] == ["M1", "M1"]
    # ...but each of the two is told, kindly and without who or why, that the pair ended.
    ended = [(m["pair"], m["to"]) for m in run["messages"] if m["kind"] == "ended"]
    assert ended == [("M2", [IDS["bo"]]), ("M2", [IDS["raj"]])]
    text = (program_dir(introduced) / "outbox" / "M2-ended-P4.eml").read_text()
    assert "Hello Bo," in text and "Raj" in text and "fit" not in text.lower()
    # Re-importing the same export reads the answer as already known.
    again = _import(cli, introduced, HEADER + "2026/03/05,bo@example.org,Yes,2,,No\n")
    assert (again["unchanged"], again["rejected"], again["not_fit"]) == (1, 0, [])


def test_record_by_hand(introduced: Path, cli) -> None:
    result = cli(
        "checkin", "-w", introduced, "--record", "M1", "--person", "ann@example.org",
        "--answer", "met=Yes", "--answer", "progress=5", "--answer", "fit=yes",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Recorded answers: 1 new" in result.stdout
    (answer,) = table(introduced, "answers")
    assert answer["week"] == 1 and answer["source"] == "record"
    assert answer["answers"] == {"met": "yes", "progress": 5, "fit": "yes"}


@pytest.mark.parametrize(
    "args, message",
    [
        (("--answer", "colour=blue"), "--answer 'colour': expected KEY=VALUE"),
        (("--answer", "progress=7"), "--answer progress: not a number from 1 to 5"),
        (("--answer", "met=yes", "--week", "4"), "that week has not started yet"),
        ((), "give at least one --answer"),
    ],
)
def test_record_refuses_bad_input(
    introduced: Path, cli, args: tuple[str, ...], message: str
) -> None:
    result = cli("checkin", "-w", introduced, "--record", "M1", "--person", IDS["ann"], *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert table(introduced, "answers") == []


def test_record_for_someone_outside_the_pair(introduced: Path, cli) -> None:
    result = cli(
        "checkin", "-w", introduced, "--record", "M1", "--person", IDS["bo"], "--answer", "met=yes"
    )
    assert result.exit_code == 2
    assert "not in this pair" in result.stderr


def test_record_needs_a_person(introduced: Path, cli) -> None:
    result = cli("checkin", "-w", introduced, "--record", "M1", "--answer", "met=yes")
    assert result.exit_code == 2 and "--person" in result.stderr
