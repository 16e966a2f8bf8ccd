"""A program run in rounds: pairs saved together run their weeks together; a second round has
its own weeks, calendar and outcome tables; the report shows the latest round (or --round N)
beside the program overall."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from helpers import read_store, write_csv
from messages_fixtures import SMALL, same_day

from mentorctl.errors import UsageError
from mentorctl.history import program_rounds

AUTUMN = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company
dee@example.org,Dee Mentor,Mentor,52,,"Career change, Networking",English,UTC,2,Acme
eli@example.org,Eli Mentee,Mentee,29,Career change,,English,UTC,,Initech
fay@example.org,Fay Mentee,Mentee,31,Networking,,English,UTC,,Hooli
"""
SPRING = dt.date(2026, 3, 2)
FALL = dt.date(2026, 6, 1)  # round 1's eight weeks are over by then


def _pair(pid: str, created: str, start: str | None = None, number: int | None = None) -> dict:
    doc = {"id": pid, "created": f"{created}T09:00:00+00:00", "start_date": start}
    if number is not None:
        doc["round"] = number
    return doc


def test_pairs_saved_before_rounds_were_kept_are_numbered_by_their_days() -> None:
    pairs = [
        _pair("M1", "2026-03-02", "2026-03-02"),
        _pair("M2", "2026-03-16", "2026-03-17"),  # a late sign-up, inside round 1's weeks
        _pair("M3", "2026-04-27"),  # the first day after the eighth week: a new round
        _pair("M4", "2026-05-04", "2026-05-05"),
    ]
    assert program_rounds.numbered(pairs, 8) == {"M1": 1, "M2": 1, "M3": 2, "M4": 2}
    # A round kept on the pair is kept; the rule goes on from it.
    pairs[1]["round"] = 2
    assert program_rounds.numbered(pairs, 8)["M2"] == 2


def test_new_pairs_join_the_latest_round_until_its_weeks_are_over() -> None:
    pairs = [_pair("M1", "2026-03-02", "2026-03-02", 1)]
    assert program_rounds.for_new_pairs([], today=SPRING, duration_weeks=8) == 1
    on_day = dt.date(2026, 4, 26)  # the last day of week 8
    assert program_rounds.for_new_pairs(pairs, today=on_day, duration_weeks=8) == 1
    after = dt.date(2026, 4, 27)
    assert program_rounds.for_new_pairs(pairs, today=after, duration_weeks=8) == 2
    assert program_rounds.for_new_pairs(pairs, today=after, duration_weeks=8, requested=1) == 1
    with pytest.raises(UsageError, match="--round 3"):
        program_rounds.for_new_pairs(pairs, today=after, duration_weeks=8, requested=3)


def _ok(result) -> None:
    assert result.exit_code == 0, result.output


def _week(cli, workspace: Path, day: dt.date, answers: dict[str, str]) -> None:
    """One weekly cron run on ``day``, then the answers of the pairs named in ``answers``
    ({pair: person}) recorded for the week that run sent."""
    _ok(cli("checkin", "-w", workspace, "--today", day.isoformat()))
    store = read_store(workspace / "test-program" / "data" / "store.json")
    for pair_id, person in answers.items():
        pair = next(p for p in store["pairs"].values() if p["id"] == pair_id)
        start = dt.date.fromisoformat(pair["start_date"])
        week = (day - start).days // 7 + 1
        if week > 8:
            continue
        _ok(
            cli("checkin", "-w", workspace, "--today", day.isoformat(), "--record", pair_id,
                "--person", person, "--week", str(week), "-a", "met=yes", "-a", "progress=4")
        )  # fmt: skip


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Round 1 (M1, M2) run over its eight weeks from 2026-03-02, M1 answering every week and
    M2 never; round 2 (M3, M4) saved on 2026-06-01 and run for two weeks, M3 answering."""
    from typer.testing import CliRunner

    from mentorctl.cli.app import app

    runner = CliRunner()

    def cli(*args):
        return runner.invoke(app, [str(a) for a in args])

    root = tmp_path_factory.mktemp("rounds") / "ws"
    _ok(cli("init-program", "Test Program", "--template", "career", "--dir", root,
            "--today", SPRING.isoformat()))  # fmt: skip
    same_day(root)
    spring = SPRING.isoformat()
    _ok(cli("import-signups", write_csv(root / "spring.csv", SMALL), "-w", root, "--today", spring))
    _ok(cli("pair", "--commit", "-w", root, "--today", spring))
    _ok(cli("introduce", "-w", root, "--today", spring))
    _ok(cli("checkin", "-w", root, "--today", spring))
    for n in range(10):
        _week(cli, root, SPRING + dt.timedelta(days=7 * n + 1), {"M1": "P3"})
    fall = FALL.isoformat()
    _ok(cli("import-signups", write_csv(root / "autumn.csv", AUTUMN), "-w", root, "--today", fall))
    _ok(cli("pair", "--commit", "-w", root, "--today", fall))
    _ok(cli("introduce", "-w", root, "--today", fall))
    for n in range(2):
        _week(cli, root, FALL + dt.timedelta(days=7 * n + 1), {"M3": "P7"})
    return root


def _report(cli, workspace: Path, *args: str) -> dict:
    result = cli("report", "-w", workspace, "--json", "--today", "2026-06-09", *args)
    _ok(result)
    return json.loads(result.stdout)


def test_pairs_saved_after_the_first_rounds_weeks_start_round_two(two_rounds: Path) -> None:
    store = read_store(two_rounds / "test-program" / "data" / "store.json")
    rounds = {p["id"]: p["round"] for p in store["pairs"].values()}
    assert rounds == {"M1": 1, "M2": 1, "M3": 2, "M4": 2}


def test_the_report_shows_the_latest_round_and_every_round_beside_it(two_rounds, cli) -> None:
    data = _report(cli, two_rounds)
    assert data["round"] == {"number": 2, "of": 2, "latest": True}
    # The second round's calendar: its own week 2, not the first round's week 8 of 8.
    assert data["calendar"]["current_week"] == 2
    assert data["calendar"]["start"] == "2026-06-01"
    assert data["calendar"]["weeks_left"] == 6
    # Its week tables count its own pairs only.
    assert {r["week"]: (r["answered"], r["pairs"]) for r in data["answer_rate"]} == {
        1: (1, 2),
        2: (1, 2),
    }
    assert [r["pairs"] for r in data["outcomes"]["by_week"]] == [2, 2]
    assert {p["pair"] for p in data["pairs"]} == {"M3", "M4"}
    assert data["headline"]["active_pairs"] == 2
    assert data["outcomes"]["endings"]["completed"] == 0
    # The people are the program's, whatever the round.
    assert data["headline"]["people"] == 8
    rows = {r["round"]: r for r in data["rounds"]}
    assert set(rows) == {"1", "2", "all"}
    assert (rows["1"]["pairs"], rows["1"]["completed"], rows["1"]["lapsed"]) == (2, 1, 1)
    assert rows["1"]["current_week"] == 8
    assert rows["2"]["current_week"] == 2
    assert rows["all"]["pairs"] == 4
    assert rows["all"]["due"] == rows["1"]["due"] + rows["2"]["due"]
    assert rows["all"]["answered"] == rows["1"]["answered"] + rows["2"]["answered"]


def test_report_round_one_is_the_first_rounds_alone(two_rounds: Path, cli) -> None:
    data = _report(cli, two_rounds, "--round", "1")
    assert data["round"] == {"number": 1, "of": 2, "latest": False}
    assert data["calendar"]["current_week"] == 8
    assert data["calendar"]["weeks_left"] == 0
    assert {p["pair"] for p in data["pairs"]} == {"M1", "M2"}
    assert max(r["week"] for r in data["answer_rate"]) == 8
    assert all(r["pairs"] <= 2 for r in data["answer_rate"])
    assert data["outcomes"]["endings"]["completed"] == 1
    assert data["outcomes"]["endings"]["lapsed"] == 1
    # A past day shows what was true then: on 2026-04-01 there was one round.
    then = _report(cli, two_rounds, "--today", "2026-04-01")
    assert then["round"] == {"number": 1, "of": 1, "latest": True}
    assert "Rounds" not in cli("report", "-w", two_rounds, "--today", "2026-04-01").stdout


def test_report_names_a_round_that_does_not_exist(two_rounds: Path, cli) -> None:
    result = cli("report", "-w", two_rounds, "--round", "3", "--today", "2026-06-09")
    assert result.exit_code == 2
    assert "no round 3" in result.output and "1, 2" in result.output


def test_the_text_report_and_the_pairs_list_show_the_rounds(two_rounds: Path, cli) -> None:
    text = cli("report", "-w", two_rounds, "--today", "2026-06-09")
    _ok(text)
    assert "round 2 of 2" in text.stdout
    assert "Rounds" in text.stdout and "All rounds" in text.stdout
    md = cli("report", "-w", two_rounds, "--format", "md", "--today", "2026-06-09")
    assert "## Rounds" in md.stdout
    listed = cli("pairs", "-w", two_rounds, "--round", "2", "--json", "--today", "2026-06-09")
    _ok(listed)
    rows = json.loads(listed.stdout)["pairs"]
    assert [(r["id"], r["round"]) for r in rows] == [("M3", 2), ("M4", 2)]
    table = cli("pairs", "-w", two_rounds, "--today", "2026-06-09")
    assert "Round" in table.stdout
    missing = cli("pairs", "-w", two_rounds, "--round", "9", "--today", "2026-06-09")
    assert missing.exit_code == 2 and "no round 9" in missing.output and "1, 2" in missing.output


def test_pair_round_names_the_round(workspace: Path, cli) -> None:
    _ok(cli("import-signups", write_csv(workspace / "s.csv", SMALL), "-w", workspace))
    refused = cli("pair", "--commit", "--round", "3", "-w", workspace)
    assert refused.exit_code == 2 and "--round 3" in refused.output
    assert not read_store(workspace / "test-program" / "data" / "store.json").get("pairs")
    _ok(cli("pair", "--commit", "--round", "1", "-w", workspace))
    alone = cli("pair", "--round", "2", "-w", workspace)
    assert alone.exit_code == 2 and "--round goes with" in alone.output


def test_start_date_counts_only_for_a_round_none_of_whose_pairs_began(
    two_rounds: Path, cli
) -> None:
    """An admin who sets start_date for the next round: the rounds whose pairs began count
    from their pairs, on every day, so a past day's report does not change."""
    path = two_rounds / "test-program" / "program.yaml"
    text = path.read_text(encoding="utf-8")
    try:
        path.write_text(text + "\nstart_date: 2026-06-15\n", encoding="utf-8")
        spring = _report(cli, two_rounds, "--round", "1")
        autumn = _report(cli, two_rounds)
        then = cli("report", "-w", two_rounds, "--json", "--today", "2026-03-10")
    finally:
        path.write_text(text, encoding="utf-8")
    assert (spring["calendar"]["start"], spring["calendar"]["current_week"]) == ("2026-03-02", 8)
    assert (autumn["calendar"]["start"], autumn["calendar"]["current_week"]) == ("2026-06-01", 2)
    assert json.loads(then.stdout)["calendar"]["start"] == "2026-03-02"
