"""mentorctl report: the figures, every format, anonymity, CSV safety and the --out file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import stat
from pathlib import Path

import pytest
from helpers import PROGRAM, read_store, write_csv

from mentorctl.report import figures as reports
from mentorctl.report import formats as report_formats

# Mentors take one mentee each, so one of the three mentees waits.
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Bio
meg@example.org,Meg Okafor,Mentor,50,,"Career change, Networking",English,UTC,1,Acme,Twenty years in HR
raj@example.org,Raj Lindqvist,Mentor,45,,"Career change, Interview preparation",English,UTC+1,1,Globex,
ann@example.org,Ann Brenner,Mentee,30,"Career change, Networking",,English,UTC,,Initech,Nurse
bo@example.org,Bo Castell,Mentee,28,Interview preparation,,English,UTC+1,,Umbrella,
cy@example.org,Cy Dunmore,Mentee,33,Networking,,English,UTC,,Hooli,
"""
FORMATS = ("table", "json", "csv", "md", "html")


def _store(workspace: Path) -> dict:
    return read_store(workspace / PROGRAM / "data" / "store.json")


@pytest.fixture
def running(workspace: Path, cli) -> Path:
    """Two introduced pairs, one check-in answer in week 1, one open concern."""
    csv_file = write_csv(workspace / "people.csv", PEOPLE)
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    assert cli("introduce", "-w", workspace).exit_code == 0
    pairs = sorted(_store(workspace)["pairs"].values(), key=lambda p: p["id"])
    assert [p["id"] for p in pairs] == ["M1", "M2"]
    answered = cli(
        "checkin", "-w", workspace, "--record", "M1", "--person", pairs[0]["mentee"],
        "--week", "1", "--answer", "met=yes",
    )  # fmt: skip
    assert answered.exit_code == 0, answered.output
    raised = cli("concern", "M2", "--reason", "missed meetings with Bo", "-w", workspace)
    assert raised.exit_code == 0, raised.output
    return workspace


def _report(cli, workspace: Path, *args: str) -> dict:
    result = cli("report", "-w", workspace, "--json", "--today", "2026-03-10", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_figures_of_a_small_program(running: Path, cli) -> None:
    data = _report(cli, running)
    weeks = data["calendar"]["weeks"]
    assert data["calendar"] == {
        "weeks": weeks,
        "start": "2026-03-02",
        "current_week": 2,
        "weeks_left": weeks - 2,
        "today": "2026-03-10",
    }
    assert data["signups"] == {"mentee": {"active": 3}, "mentor": {"active": 2}}
    assert data["waiting_mentees"] == 1
    counts = {k: v for k, v in data["pairs_by_status"].items() if v}
    assert counts == {"active": 1, "paused": 1}
    assert data["capacity"] == {"mentors": 2, "used": 2, "total": 2, "rate": 1.0}
    assert sum(b["pairs"] for b in data["score_distribution"]) == 2
    assert [b["bucket"] for b in data["score_distribution"]] == [
        "0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0",
    ]  # fmt: skip
    # Due in week 1: M1 (introduced, answered); M2 is paused by its concern, and no week-2
    # message has gone out yet.
    assert data["answer_rate"] == [{"week": 1, "answered": 1, "pairs": 1, "rate": 1.0}]
    assert data["quiet_pairs"] == []
    assert data["concerns"]["open"] == 1 and data["concerns"]["resolved"] == 0
    assert [c["pairs"] for c in data["concerns"]["details"]] == [["M2"]]
    names = {p["mentee"] for p in data["pairs"]} | {p["mentor"] for p in data["pairs"]}
    assert {"Meg Okafor", "Raj Lindqvist"} <= names


def test_quiet_pairs_and_buckets_from_documents() -> None:
    people = [
        {"id": "P1", "name": "Meg", "role": "mentor", "status": "active", "capacity": 3},
        {"id": "P2", "name": "Ann", "role": "mentee", "status": "active"},
        {"id": "P3", "name": "Bo", "role": "both", "status": "active"},
    ]
    pairs = [
        {"id": "M1", "mentee": "P2", "mentor": "P1", "status": "quiet", "score": 0.1,
         "start_date": "2026-01-05", "quiet_since": "2026-02-02"},
        {"id": "M2", "mentee": "P3", "mentor": "P1", "status": "completed", "score": 1.0,
         "start_date": "2026-01-12"},
    ]  # fmt: skip
    data = reports.compute(people=people, pairs=pairs, today=dt.date(2026, 3, 2), duration_weeks=12)
    assert data["quiet_pairs"] == [
        {
            "pair": "M1",
            "since": "2026-02-02",
            "mentee": "Ann",
            "mentor": "Meg",
            "mentee_id": "P2",
            "mentor_id": "P1",
        }
    ]
    assert [b["pairs"] for b in data["score_distribution"]] == [1, 0, 0, 0, 1]
    assert data["waiting_mentees"] == 1  # Bo's pair is completed
    assert data["capacity"] == {"mentors": 2, "used": 1, "total": 5, "rate": 0.2}
    assert data["calendar"]["current_week"] == 9 and data["calendar"]["weeks_left"] == 3
    anonymous = reports.compute(
        people=people, pairs=pairs, today=dt.date(2026, 3, 2), duration_weeks=12, anonymous=True
    )
    assert anonymous["quiet_pairs"] == [{"since": "2026-02-02"}]  # no pair id either
    assert anonymous["pairs"] == [] and "notes" not in anonymous


@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymous_output_names_no_one(running: Path, cli, fmt: str) -> None:
    result = cli("report", "-w", running, "--format", fmt, "--anonymous", "--today", "2026-03-10")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.strip()
    store = _store(running)
    for person in store["people"].values():
        assert person["email"] not in text
        assert person["name"] not in text
        for part in person["name"].split():
            assert part not in text, part
        assert not re.search(rf"\b{person['id']}\b", text)
    assert "missed meetings" not in text
    # Pair ids name no one, yet let whoever knows the pairs tell whose figures they are.
    assert not re.search(r"\bM[12]\b", text)
    # CSS has at-rules (@page, @media); no other '@' may appear, such as an email's.
    assert "@" not in re.sub(r"<style>.*?</style>", "", text, flags=re.S)


def test_anonymous_out_file_of_every_format(running: Path, cli, tmp_path: Path) -> None:
    store = _store(running)
    for fmt in ("json", "csv", "md", "html"):
        target = tmp_path / f"report.{fmt}"
        result = cli("report", "-w", running, "--anonymous", "--format", fmt, "--out", target)
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        text = target.read_text(encoding="utf-8")
        for person in store["people"].values():
            assert person["email"] not in text and person["name"] not in text


def test_csv_cells_are_never_formulas(workspace: Path, cli) -> None:
    hostile = PEOPLE + (
        'eve@example.org,"=HYPERLINK(""http://evil.example"",""x"")",Mentee,30,'
        "Networking,,English,UTC,,Evil,\n"
    )
    hostile = hostile.replace(",1,Acme", ",3,Acme").replace(",1,Globex", ",3,Globex")
    csv_file = write_csv(workspace / "people.csv", hostile)
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    result = cli("report", "-w", workspace, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [
        "pair", "mentee", "mentee_email", "mentor", "mentor_email", "status", "week", "score",
        "start_date", "last_answer", "end_reason", "round",
    ]  # fmt: skip
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


def test_html_is_self_contained_with_svg_charts(running: Path, cli) -> None:
    result = cli("report", "-w", running, "--format", "html", "--today", "2026-03-10")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 3  # pairs by status, answer rate, match scores
    assert "<style>" in page
    assert "http" not in page.lower()
    assert "<script" not in page and "<link" not in page and "src=" not in page


def test_html_escapes_names() -> None:
    data = reports.compute(
        people=[{"id": "P1", "name": "<b>x</b>", "role": "mentor"},
                {"id": "P2", "name": "y", "role": "mentee"}],
        pairs=[{"id": "M1", "mentee": "P2", "mentor": "P1", "status": "quiet", "score": 0.5}],
        today=dt.date(2026, 3, 2), duration_weeks=4,
    )  # fmt: skip
    page = report_formats.to_html(data)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_table_and_md_show_the_sections(running: Path, cli) -> None:
    table = cli("report", "-w", running, "--today", "2026-03-10")
    assert table.exit_code == 0, table.output
    for title in ("Sign-ups", "Pairs", "Mentor capacity", "Match scores", "Concerns"):
        assert title in table.stdout
    md = cli("report", "-w", running, "--format", "md", "--today", "2026-03-10").stdout
    assert md.startswith("# Program report") and "## Check-in answers by week" in md
    assert "| 1 | 1 | 1 | 100% |" in md


def test_unknown_format_is_a_usage_error(running: Path, cli) -> None:
    result = cli("report", "-w", running, "--format", "pdf")
    assert result.exit_code == 2 and "unknown format" in result.stderr


def test_recruitment_gap_names_the_topic_nobody_can_take(running: Path, cli) -> None:
    report = _report(cli, running)
    assert report["waiting_mentees"] == 1
    gap = report["recruitment_gap"]
    assert [(g["topic"], g["waiting"], g["free_slots"]) for g in gap] == [("Networking", 1, 0)]
    assert (
        gap[0]["text"] == "1 waiting mentee(s) want 'Networking'; no free mentor slot(s) offer it"
    )
    anonymous = _report(cli, running, "--anonymous")
    assert anonymous["recruitment_gap"] == gap  # aggregates only


def test_answer_rate_is_charted_in_the_terminal(running: Path, cli) -> None:
    result = cli("report", "-w", running, "--today", "2026-03-10")
    assert result.exit_code == 0, result.output
    rows = [
        line
        for line in result.stdout.splitlines()
        if "%" in line and ("#" in line or "...." in line)
    ]
    assert rows, result.stdout
    assert any("#" in line for line in rows)  # the week with an answer has a filled bar
