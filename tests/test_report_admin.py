"""The report as an admin shows it: headline figures, outcomes by week, the pairs and notes
for admins only, readable statuses, the admins' CSV, and the calendar's start date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

from helpers import PROGRAM, write_csv

from mentorctl.report import figures as reports
from mentorctl.report import formats as report_formats
from mentorctl.report.labels import day, status_label

PEOPLE = [
    {"id": "P1", "name": "Meg Okafor", "email": "meg@example.org", "role": "mentor",
     "status": "active", "capacity": 3},
    {"id": "P2", "name": "Ann Brenner", "email": "ann@example.org", "role": "mentee",
     "status": "active"},
    {"id": "P3", "name": "Bo Castell", "email": "bo@example.org", "role": "mentee",
     "status": "active"},
    {"id": "P4", "name": "Cy Dunmore", "email": "cy@example.org", "role": "mentee",
     "status": "active"},
    {"id": "P5", "name": "Di Evers", "email": "di@example.org", "role": "mentee",
     "status": "active"},
]  # fmt: skip
PAIRS = [
    {"id": "M1", "mentee": "P2", "mentor": "P1", "status": "active", "score": 0.8,
     "start_date": "2026-01-05"},
    {"id": "M2", "mentee": "P3", "mentor": "P1", "status": "completed", "score": 0.6,
     "start_date": "2026-01-05"},
    {"id": "M3", "mentee": "P4", "mentor": "P1", "status": "lapsed", "score": 0.3,
     "start_date": "2026-01-05", "end_reason": "no answers for 3 weeks"},
]  # fmt: skip
ANSWERS = [
    {"pair": "M1", "person": "P2", "week": 1, "at": "2026-01-06T10:00:00+00:00",
     "answers": {"met": "yes", "progress": 4, "fit": "yes", "note": "Great first call"}},
    {"pair": "M2", "person": "P3", "week": 1, "at": "2026-01-07T10:00:00+00:00",
     "answers": {"met": "yes", "progress": 2, "fit": "yes"}},
    {"pair": "M3", "person": "P4", "week": 1, "at": "2026-01-07T10:00:00+00:00",
     "answers": {"met": "no", "fit": "no"}},
    {"pair": "M1", "person": "P2", "week": 2, "at": "2026-01-13T10:00:00+00:00",
     "answers": {"met": "no", "progress": 3}},
    {"pair": "M2", "person": "P3", "week": 3, "at": "2026-01-20T10:00:00+00:00",
     "answers": {"met": "yes", "progress": 5, "feedback": "It changed my year"}},
]  # fmt: skip
TODAY = dt.date(2026, 1, 20)  # week 3 of the pairs that started on 2026-01-05


def weekly(pairs: list[dict], weeks: int) -> list[dict]:
    """Each pair's week-1..weeks check-in, written to the outbox on the week's first day."""
    out = []
    for pair in pairs:
        start = dt.date.fromisoformat(pair["start_date"])
        for week in range(1, weeks + 1):
            at = (start + dt.timedelta(days=7 * (week - 1))).isoformat() + "T09:00:00+00:00"
            out.append(
                {"id": f"E{len(out) + 1}", "pair": pair["id"], "kind": "weekly", "week": week,
                 "to": [pair["mentee"]], "created": at, "status": "written",
                 "delivery": {pair["mentee"]: {"status": "written", "at": at}}}
            )  # fmt: skip
    return out


MESSAGES = weekly(PAIRS, 3)


def _compute(**kwargs) -> dict:
    return reports.compute(
        people=PEOPLE, pairs=PAIRS, answers=ANSWERS, messages=MESSAGES, today=TODAY,
        duration_weeks=3, program_name="Circle", **kwargs,
    )  # fmt: skip


def test_headline_figures() -> None:
    data = _compute(concerns=[{"id": "C1", "status": "open", "pairs": {"M1": "active"}}])
    # M1 is paused by the concern: not due. Week 3's message reached M2 and M3, which ended
    # in it (no dated end in these documents): due; M2 answered.
    assert data["headline"] == {
        "people": 5,
        "active_pairs": 0,
        "meeting_accepted": 0,
        "paused_pairs": 1,
        "week": 3,
        "answer_rate_this_week": 0.5,
        "answered_this_week": 1,
        "due_this_week": 2,
        "last_week": 2,
        "answer_rate_last_week": 0.3333,
        "answered_last_week": 1,
        "due_last_week": 3,
        "quiet_pairs": 0,
        "open_concerns": 1,
        "waiting_mentees": 3,
        "undeliverable": 0,
    }
    week2, week3 = data["answer_rate"][-2:]
    assert (week3["week"], week3["answered"], week3["pairs"]) == (3, 1, 2)
    assert (week2["week"], week2["answered"], week2["pairs"]) == (2, 1, 3)


def test_outcomes_by_week_and_endings() -> None:
    data = _compute()
    assert data["outcomes"]["by_week"] == [
        {"week": 1, "pairs": 3, "answered": 3, "met": 2, "progress_avg": 3.0, "fit_yes": 2,
         "fit_no": 1, "feedback": 0},
        {"week": 2, "pairs": 3, "answered": 1, "met": 0, "progress_avg": 3.0, "fit_yes": 0,
         "fit_no": 0, "feedback": 0},
        {"week": 3, "pairs": 3, "answered": 1, "met": 1, "progress_avg": 5.0, "fit_yes": 0,
         "fit_no": 0, "feedback": 1},
    ]  # fmt: skip
    assert data["outcomes"]["endings"] == {"completed": 1, "lapsed": 1, "not_fit": 0, "ended": 0}


def test_notes_and_pairs_are_for_admins_only() -> None:
    admin = _compute()
    assert [(n["pair"], n["person_name"], n["kind"], n["text"]) for n in admin["notes"]] == [
        ("M1", "Ann Brenner", "note", "Great first call"),
        ("M2", "Bo Castell", "feedback", "It changed my year"),
    ]
    assert admin["notes"][0]["date"] == "2026-01-06"
    m3 = admin["pairs"][2]
    assert (m3["mentee"], m3["mentee_email"], m3["status_label"], m3["week"]) == (
        "Cy Dunmore", "cy@example.org", "Lapsed (quiet at the end)", 3,
    )  # fmt: skip
    assert (m3["last_answer"], m3["end_reason"]) == ("2026-01-07", "no answers for 3 weeks")
    anonymous = _compute(anonymous=True)
    assert "notes" not in anonymous and anonymous["pairs"] == []
    text = json.dumps(anonymous)
    for word in ("Great first call", "changed my year", "Meg", "@", "M1", "P2"):
        assert word not in text, word
    assert anonymous["outcomes"] == admin["outcomes"]
    assert anonymous["headline"] == admin["headline"]


def test_every_format_shows_readable_statuses_and_days() -> None:
    data = _compute()
    md = report_formats.to_md(data)
    assert "| Lapsed (quiet at the end) | 1 |" in md and "lapsed" not in md
    assert "| Completed | Lapsed (quiet at the end) | Not a fit | Ended |" in md
    assert "| 1 | 3 | 3 | 2 | 3.0 | 2 / 1 | 0 |" in md  # outcomes, week 1
    assert "| M1 | Ann Brenner (P2) | Meg Okafor (P1) | 3 | Active | 0.80 | 2026-01-13 |" in md
    assert "| M2 | 3 | Bo Castell (P3) | 2026-01-20 | Feedback: It changed my year |" in md
    assert not re.search(r"\d{4}-\d\d-\d\dT\d", md)
    sections = [title for title, _, _ in report_formats.sections(data)]
    assert sections[:4] == ["At a glance", "Calendar", "Check-in answers by week",
                            "Outcomes by week"]  # fmt: skip


def test_status_labels_with_a_fallback_for_new_ones() -> None:
    assert [
        status_label(s)
        for s in ("not_fit", "lapsed", "withdrawn", "ended", "completed", "paused", "quiet",
                  "active", "proposed", "on_hold", None)
    ] == [
        "Not a fit", "Lapsed (quiet at the end)", "Withdrawn", "Ended", "Completed", "Paused", "Quiet",
        "Active", "Proposed", "On hold", "-",
    ]  # fmt: skip
    assert day("2026-03-02T09:00:00+00:00") == "2026-03-02" and day(None) == "-"


def test_html_admin_and_anonymous_differ_and_print_on_a4() -> None:
    admin = report_formats.to_html(_compute())
    anonymous = report_formats.to_html(_compute(anonymous=True))
    assert admin != anonymous
    assert "@page{size:A4" in admin and "@media print" in admin
    assert "break-inside:avoid" in admin
    assert "<h2>Pairs</h2>" in admin and "<h2>Pairs</h2>" not in anonymous
    assert "Great first call" in admin and "Great first call" not in anonymous
    assert "For the program's admins" in admin and "Anonymous summary" in anonymous
    # Charted sections are not repeated as tables.
    assert "<th>Score</th><th>Pairs</th>" not in admin
    assert "<th>Rate</th>" not in admin


def test_admin_csv_carries_names_emails_and_outcome(workspace: Path, cli) -> None:
    csv_file = write_csv(
        workspace / "people.csv",
        "Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity\n"
        "meg@example.org,Meg Okafor,Mentor,50,,Networking,English,UTC,1\n"
        "ann@example.org,Ann Brenner,Mentee,30,Networking,,English,UTC,\n",
    )
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    assert cli("introduce", "-w", workspace).exit_code == 0
    ended = cli("pair", "-w", workspace, "--end", "M1", "--reason", "moved abroad")
    assert ended.exit_code == 0, ended.output
    result = cli("report", "-w", workspace, "--format", "csv", "--today", "2026-03-10")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    row = rows[0]
    assert row["mentee"] == "Ann Brenner" and row["mentee_email"] == "ann@example.org"
    assert row["mentor"] == "Meg Okafor" and row["mentor_email"] == "meg@example.org"
    assert (row["status"], row["end_reason"], row["last_answer"]) == ("ended", "moved abroad", "")
    anonymous = cli("report", "-w", workspace, "--format", "csv", "--anonymous")
    assert anonymous.stdout.splitlines()[0] == (
        "week,pairs,answered,met,progress_avg,fit_yes,fit_no,feedback"
    )
    assert "@" not in anonymous.stdout and "Ann" not in anonymous.stdout


def test_calendar_shows_the_programs_start_date(workspace: Path, cli) -> None:
    yaml_file = workspace / PROGRAM / "program.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^#? ?start_date:.*\n", "", text)
    yaml_file.write_text(text + "start_date: '2026-04-06'\n", encoding="utf-8")
    result = cli("report", "-w", workspace, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["calendar"]["start"] == "2026-04-06"
    table = cli("report", "-w", workspace)
    assert "2026-04-06" in table.stdout.split("Calendar")[1].splitlines()[2]


def test_report_dry_run_needs_out(workspace: Path, cli, tmp_path: Path) -> None:
    refused = cli("report", "-w", workspace, "--dry-run")
    assert refused.exit_code == 2
    assert "--dry-run only applies with --out FILE" in refused.stderr
    target = tmp_path / "r.html"
    ok = cli("report", "-w", workspace, "--dry-run", "--out", target)
    assert ok.exit_code == 0 and not target.exists()


def test_quiet_pairs_and_concerns_name_people_beside_ids() -> None:
    pairs = [{**PAIRS[0], "status": "quiet", "quiet_since": 2}, *PAIRS[1:]]
    concerns = [{"id": "C1", "status": "open", "pairs": {"M2": "completed"}, "raised":
                 "2026-01-19T09:00:00+00:00", "reason": "missed calls"}]  # fmt: skip
    data = reports.compute(
        people=PEOPLE, pairs=pairs, answers=ANSWERS, concerns=concerns, today=TODAY,
        duration_weeks=3,
    )  # fmt: skip
    md = report_formats.to_md(data)
    assert "| M1 | Ann Brenner (P2) | Meg Okafor (P1) | week 2 |" in md
    assert "| C1 | Open | M2 (Bo Castell and Meg Okafor) | 2026-01-19 | missed calls |" in md
    hidden = reports.compute(
        people=PEOPLE, pairs=pairs, answers=ANSWERS, concerns=concerns, today=TODAY,
        duration_weeks=3, anonymous=True,
    )  # fmt: skip
    anonymous = report_formats.to_md(hidden)
    assert "| week 2 |" in anonymous and "Ann" not in anonymous and "M1" not in anonymous


def test_notes_come_in_the_pairs_table_s_order() -> None:
    from mentorctl.report import outcomes

    answers = [
        {"pair": pair, "week": week, "person": "P1", "answers": {"note": f"{pair} w{week}"}}
        for pair, week in (("M10", 1), ("M2", 2), ("M2", 1), ("M1", 3))
    ]
    rows = outcomes.notes(answers, lambda pid: "")
    assert [(r["pair"], r["week"]) for r in rows] == [("M1", 3), ("M2", 1), ("M2", 2), ("M10", 1)]
