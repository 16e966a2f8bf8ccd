"""mentorctl people and mentorctl pairs: lists with names beside ids, filters, search, one whole."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import write_csv

# Mentors take one mentee each, so Cy waits.
PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Bio
meg@example.org,Meg Okafor,Mentor,50,,"Career change, Networking",English,UTC,1,Acme,Twenty years in HR
raj@example.org,Raj Lindqvist,Mentor,45,,"Career change, Interview preparation",English,UTC+1,1,Globex,
ann@example.org,Ann Brenner,Mentee,30,"Career change, Networking",,English,UTC,,Initech,Nurse
bo@example.org,Bo Castell,Mentee,28,Interview preparation,,English,UTC+1,,Umbrella,
cy@example.org,Cy Dunmore,Mentee,33,Networking,,English,UTC,,Hooli,
"""
TODAY = "2026-03-10"  # the pairs start on 2026-03-02, so they are in week 2


@pytest.fixture
def running(workspace: Path, cli) -> Path:
    """M1 Ann with Meg (an answer with a note in week 1), M2 Bo with Raj (paused by a concern)."""
    csv_file = write_csv(workspace / "people.csv", PEOPLE)
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    assert cli("introduce", "-w", workspace).exit_code == 0
    answered = cli(
        "checkin", "-w", workspace, "--record", "M1", "--person", "P3", "--week", "1",
        "--answer", "met=yes", "--answer", "progress=4",
    )  # fmt: skip
    assert answered.exit_code == 0, answered.output
    raised = cli("concern", "M2", "--reason", "missed meetings", "-w", workspace)
    assert raised.exit_code == 0, raised.output
    return workspace


def _json(cli, ws: Path, *args: str) -> dict:
    result = cli(*args, "-w", ws, "--today", TODAY, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_people_lists_names_beside_ids(running: Path, cli) -> None:
    result = cli("people", "-w", running, "--today", TODAY)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "People (5)"
    assert lines[1].split() == [
        "Person", "Name", "Email", "Role", "Status", "Pairs", "Week", "Signed", "up",
    ]  # fmt: skip
    ann = next(line for line in lines if line.startswith("P3 "))
    assert ann.split() == [
        "P3", "Ann", "Brenner", "ann@example.org", "mentee", "Active", "M1", "2", "2026-03-02",
    ]  # fmt: skip
    cy = next(line for line in lines if line.startswith("P5 "))
    assert "Waiting" in cy.split()


def test_people_filters_and_search(running: Path, cli) -> None:
    ids = lambda *a: [p["id"] for p in _json(cli, running, "people", *a)["people"]]  # noqa: E731
    assert ids("--role", "mentor") == ["P1", "P2"]
    assert ids("--waiting") == ["P5"]
    assert ids("--search", "BRENNER") == ["P3"]
    assert ids("--search", "raj@") == ["P2"]
    assert ids("--topic", "interview") == ["P2", "P4"]
    assert ids("--week", "2") == ["P1", "P2", "P3", "P4"]
    assert ids("--status", "active", "--role", "mentee") == ["P3", "P4", "P5"]
    assert ids("--quiet") == []
    bad = cli("people", "-w", running, "--role", "boss")
    assert bad.exit_code == 2 and "unknown role 'boss'" in bad.stderr


def test_pairs_list_json_and_csv(running: Path, cli) -> None:
    data = _json(cli, running, "pairs")
    assert data["count"] == 2
    m1, m2 = data["pairs"]
    assert (m1["mentee_name"], m1["mentor_name"], m1["week"]) == ("Ann Brenner", "Meg Okafor", 2)
    assert (m1["status_label"], m1["last_answer"]) == ("Active", "2026-03-02")
    assert (m2["status"], m2["status_label"], m2["last_answer"]) == ("paused", "Paused", None)
    assert [p["id"] for p in _json(cli, running, "pairs", "--search", "castell")["pairs"]] == ["M2"]
    assert [p["id"] for p in _json(cli, running, "pairs", "--status", "paused")["pairs"]] == ["M2"]
    table = cli("pairs", "-w", running, "--today", TODAY)
    assert table.exit_code == 0, table.output
    row = next(line for line in table.stdout.splitlines() if line.startswith("M1 "))
    assert row.split() == [
        "M1", "Ann", "Brenner", "(P3)", "Meg", "Okafor", "(P1)", "2", "Active",
        f"{m1['score']:.2f}", "2026-03-02",
    ]  # fmt: skip
    as_csv = cli("pairs", "-w", running, "--today", TODAY, "--csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0][:6] == ["pair", "mentee_id", "mentee", "mentor_id", "mentor", "status"]
    assert rows[1][:7] == ["M1", "P3", "Ann Brenner", "P1", "Meg Okafor", "active", "2"]


def test_pairs_show_one_whole(running: Path, cli) -> None:
    result = cli("pairs", "show", "M1", "-w", running, "--today", TODAY)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Pair M1: Ann Brenner (P3) with Meg Okafor (P1)\n")
    assert "Status: Active   Week: 2" in out
    assert "Why they were paired: both: Career change, Networking" in out
    for title in ("People", "Status history", "Messages sent", "Answers"):
        assert f"\n{title}\n" in out, title
    assert "met=yes, progress=4" in out
    assert "T09:00" not in out and "+00:00" not in out  # dates as days
    assert "Concerns: none" in out
    paused = _json(cli, running, "pairs", "show", "m2")
    assert paused["status_label"] == "Paused"
    assert [c["reason"] for c in paused["concerns"]] == ["missed meetings"]
    assert [h["status"] for h in paused["history"]][-1] == "paused"
    assert {m["kind"] for m in paused["messages"]} == {"intro"}
    missing = cli("pairs", "show", "M9", "-w", running)
    assert missing.exit_code == 2 and "no pair M9" in missing.stderr
    wrong = cli("pairs", "list", "M1", "-w", running)
    assert wrong.exit_code == 2 and "use 'show ID'" in wrong.stderr


def test_people_show_by_id_or_email(running: Path, cli) -> None:
    by_email = _json(cli, running, "people", "show", "ann@example.org")
    by_id = _json(cli, running, "people", "show", "P3")
    assert by_email == by_id
    assert by_id["name"] == "Ann Brenner" and by_id["signed_up"] == "2026-03-02"
    assert [p["id"] for p in by_id["pairs"]] == ["M1"]
    result = cli("people", "show", "P5", "-w", running, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "Person P5: Cy Dunmore <cy@example.org>",
        "Role: mentee   Status: Waiting   Signed up: 2026-03-02   Time zone: UTC",
    ]
    missing = cli("people", "show", "nobody@example.org", "-w", running)
    assert missing.exit_code == 2
    assert "nobody@example.org" not in missing.stderr  # never echo an email address


def test_block_and_concern_lists_show_names(running: Path, cli) -> None:
    assert cli("block", "P5", "P1", "--reason", "asked", "-w", running).exit_code == 0
    blocks = cli("block", "--list", "-w", running)
    assert blocks.exit_code == 0, blocks.output
    row = blocks.stdout.splitlines()[2]
    assert "Cy Dunmore (P5)" in row and "Meg Okafor (P1)" in row and "2026-03-02" in row
    assert "T09:" not in blocks.stdout
    concerns = cli("concern", "--list", "-w", running)
    assert concerns.exit_code == 0, concerns.output
    assert "M2 (Bo Castell, Raj Lindqvist)" in concerns.stdout
    assert "T09:" not in concerns.stdout


def test_introduce_table_names_the_people_at_a_terminal_only(
    workspace: Path, cli, monkeypatch
) -> None:
    from mentorctl.cli import render_messages

    csv_file = write_csv(workspace / "people.csv", PEOPLE)
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    piped = cli("introduce", "--dry-run", "-w", workspace)  # as cron runs it: a log
    assert piped.exit_code == 0, piped.output
    row = next(line for line in piped.stdout.splitlines() if line.startswith("M1 "))
    assert "P3" in row and "Ann" not in row and "Meg" not in row
    monkeypatch.setattr(render_messages, "_at_terminal", lambda: True)
    result = cli("introduce", "-w", workspace)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("M1 "))
    assert "Ann Brenner (P3), Meg Okafor (P1)" in row or "Meg Okafor (P1), Ann Brenner (P3)" in row


def test_a_pause_shows_for_the_person_and_their_pair(running: Path, cli) -> None:
    paused = cli("pause", "P3", "--until", "2026-03-20", "-w", running, "--today", "2026-03-09")
    assert paused.exit_code == 0, paused.output
    ids = lambda *a: [p["id"] for p in _json(cli, running, *a)[a[0]]]  # noqa: E731
    assert ids("people", "--status", "paused") == ["P3"]
    assert ids("pairs", "--status", "paused") == ["M1", "M2"]
    ann = _json(cli, running, "people", "show", "P3")
    assert (ann["status"], ann["status_label"], ann["paused_until"]) == (
        "paused", "Paused until 2026-03-20", "2026-03-20",
    )  # fmt: skip
    table = cli("people", "-w", running, "--today", TODAY).stdout
    assert "Paused until 2026-03-20" in next(ln for ln in table.splitlines() if ln.startswith("P3"))
    shown = cli("pairs", "show", "M1", "-w", running, "--today", TODAY).stdout
    assert "Status: Paused" in shown and "Paused because of: Ann Brenner (P3) away" in shown
    # The day before the pause, and the day it ends, it is not there.
    before = json.loads(cli("people", "-w", running, "--today", "2026-03-08", "--json").stdout)
    assert next(p for p in before["people"] if p["id"] == "P3")["status"] == "active"
    back = cli("pairs", "-w", running, "--today", "2026-03-20", "--json", "--status", "active")
    assert [p["id"] for p in json.loads(back.stdout)["pairs"]] == ["M1"]


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (("people", "--status", "bogus"), "active, waiting, paused, withdrawn, undeliverable"),
        (("pairs", "--status", "bogus"), "proposed, active, quiet, paused, completed, lapsed"),
        (("pairs", "--role", "boss"), "mentee, mentor, both"),
        (("report", "--format", "bogus"), "table, json, csv, md, html"),
    ],
)
def test_option_values_are_checked(running: Path, cli, args: tuple[str, ...], allowed: str) -> None:
    result = cli(*args, "-w", running)
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and allowed in result.stderr


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("mentorctl people --status pa", ["paused"]),
        ("mentorctl pairs --status ", ["proposed", "active", "quiet", "paused", "completed",
                                       "lapsed", "ended", "not_fit"]),
        ("mentorctl people --role m", ["mentee", "mentor"]),
        ("mentorctl report --format h", ["html"]),
    ],
)  # fmt: skip
def test_option_values_are_offered_by_completion(line: str, offered: list[str]) -> None:
    from typer.testing import CliRunner

    from mentorctl.cli.app import app

    words = line.split(" ")
    env = {"_MENTORCTL_COMPLETE": "complete_bash", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) - 1)}  # fmt: skip
    result = CliRunner().invoke(app, [], env=env, prog_name="mentorctl")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == offered
    helped = CliRunner().invoke(app, [words[1], "--help"])
    assert helped.exit_code == 0 and words[2] in helped.stdout


def test_an_undeliverable_address_shows_from_its_day(running: Path, cli) -> None:
    from mentorctl.history import events
    from mentorctl.store.db import Store

    # As a permanent refusal records it (the mail side writes this entry).
    with Store.writing(running / "test-program" / "data" / "store.json") as store:
        key, ann = next((k, d) for k, d in store.documents("people").items() if d["id"] == "P3")
        refused = events.entry("2026-03-09T09:00:00+00:00", "undeliverable",
                               address="ann@example.org", reason="550 no such user")  # fmt: skip
        store.update_many("people", {int(key): {"history": events.appended(ann, refused)}})
    row = next(p for p in _json(cli, running, "people")["people"] if p["id"] == "P3")
    assert row["status_label"] == "Active, undeliverable"
    assert row["undeliverable"] == {
        "since": "2026-03-09", "address": "ann@example.org", "reason": "550 no such user",
    }  # fmt: skip
    assert [p["id"] for p in _json(cli, running, "people", "--status", "undeliverable")[
        "people"]] == ["P3"]  # fmt: skip
    shown = cli("pairs", "show", "M1", "-w", running, "--today", TODAY).stdout
    assert "Active, undeliverable" in next(
        ln for ln in shown.splitlines() if ln.startswith("mentee")
    )
    report = _json(cli, running, "report")
    assert report["headline"]["undeliverable"] == 1
    assert [u["person"] for u in report["undeliverable"]] == ["P3"]
    md = cli("report", "-w", running, "--today", TODAY, "--format", "md").stdout
    assert "## Undeliverable addresses" in md and "550 no such user" in md
    before = json.loads(cli("people", "-w", running, "--today", "2026-03-08", "--json").stdout)
    assert next(p for p in before["people"] if p["id"] == "P3")["undeliverable"] is None


ACCENTED = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity
jm@example.org,Jürgen Müller,Mentor,40,,Networking,German,UTC+1,1
maria@example.org,María García,Mentee,30,Networking,,Spanish,UTC+1,
ana@example.org,Ana Lopez,Mentee,30,Networking,,Spanish,UTC+1,
mg@example.org,Mario Garcia,Mentee,30,Networking,,English,UTC,
ks@example.org,KLAUS STRASSE,Mentor,40,,Networking,German,UTC+1,1
lw@example.org,Łukasz Wójcik,Mentor,40,,Networking,Polish,UTC+1,1
"""
# Signs up a week later: from then on two people are called "Ana Lopez".
LATER = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity
ana.l@example.org,Ana  López,Mentee,30,Networking,,Spanish,UTC+1,
"""


@pytest.fixture
def accented(workspace: Path, cli) -> Path:
    first = cli("import-signups", write_csv(workspace / "a.csv", ACCENTED), "-w", workspace)
    assert first.exit_code == 0, first.output
    later = write_csv(workspace / "b.csv", LATER)
    second = cli("import-signups", later, "-w", workspace, "--today", "2026-03-09")
    assert second.exit_code == 0, second.output
    return workspace


def test_search_ignores_case_and_accents(accented: Path, cli) -> None:
    def ids(text: str) -> list[str]:
        found = _json(cli, accented, "people", "--search", text)
        return [p["id"] for p in found["people"]]

    assert ids("muller") == ["P1"]
    assert ids("MÜLLER") == ["P1"]
    assert ids("garcia") == ["P2", "P4"]  # accents on either side count for nothing
    assert ids("maría  garcía") == ["P2"]
    assert ids("Straße") == ["P5"]  # ß folds to ss, as the casefold of Unicode says
    assert ids("lukasz wojcik") == ["P6"]
    assert ids("lopez") == ["P3", "P7"]
    assert ids("JM@EXAMPLE") == ["P1"]
    assert ids("mueller") == []


def test_show_takes_a_full_name_that_one_person_has(accented: Path, cli) -> None:
    def shown(*key: str, today: str = TODAY) -> str:
        result = cli("people", "show", *key, "-w", accented, "--today", today, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["id"]

    assert shown("María García") == "P2"
    assert shown("  maria   GARCIA ") == "P2"
    assert shown("Jürgen", "Müller") == "P1"  # the words after 'show', unquoted
    assert shown("jurgen muller") == "P1"
    assert shown("Klaus Straße") == "P5"
    # Before the second Ana signed up, the name is hers alone.
    assert shown("ana lopez", today="2026-03-08") == "P3"
    table = cli("people", "show", "Ana Lopez", "-w", accented, "--today", "2026-03-08")
    assert table.stdout.splitlines()[0] == "Person P3: Ana Lopez <ana@example.org>"


def test_show_lists_the_people_a_name_is_shared_by(accented: Path, cli) -> None:
    both = cli("people", "show", "Ana Lopez", "-w", accented, "--today", "2026-03-09")
    assert both.exit_code == 2
    assert both.stderr == (
        "mentorctl: error: 2 people have that name: P3, P7 (hint: use an id or an address)\n"
    )
    assert both.stdout == ""
    for key in ("Ana", "Nobody Here", "Ana Lopez Smith"):  # a whole name, never a part
        missing = cli("people", "show", key, "-w", accented)
        assert missing.exit_code == 2, key
        assert missing.stderr.startswith("mentorctl: error: no person (by that email or name)")
        assert key not in missing.stderr  # an error line never repeats a name
    assert "P9" in cli("people", "show", "P9", "-w", accented).stderr


def test_a_name_never_erases_and_never_finds_a_forgotten_person(accented: Path, cli) -> None:
    refused = cli("forget", "Ana López", "--yes", "-w", accented, "--today", "2026-03-10")
    assert refused.exit_code != 0
    assert "P7" in [p["id"] for p in _json(cli, accented, "people", "--search", "lopez")["people"]]
    gone = cli("forget", "ana.l@example.org", "--yes", "-w", accented, "--today", "2026-03-10")
    assert gone.exit_code == 0, gone.output
    after = cli("people", "show", "Ana López", "-w", accented, "--today", "2026-03-10", "--json")
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout)["id"] == "P3"  # the one Ana Lopez left
    assert cli("people", "show", "P7", "-w", accented, "--today", "2026-03-10").exit_code == 2
