"""Blocks, concerns, forgetting and exporting a person, backups, and privacy of errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from helpers import PROGRAM, read_store, write_csv

PEOPLE = """Email,Name,Role,Age,Goals,Expertise,Languages,Time zone,Capacity,Company,Bio
meg@example.org,Meg Mentor,Mentor,50,,"Career change, Networking",English,UTC,2,Acme,Twenty years in HR
raj@example.org,Raj Mentor,Mentor,45,,"Career change, Interview preparation",English,UTC+1,2,Globex,
ann@example.org,Ann Mentee,Mentee,30,"Career change, Networking",,English,UTC,,Initech,Nurse moving into tech
bo@example.org,Bo Mentee,Mentee,28,Interview preparation,,English,UTC+1,,Umbrella,
"""


@pytest.fixture
def paired(workspace: Path, cli) -> Path:
    csv_file = write_csv(workspace / "people.csv", PEOPLE)
    assert cli("import-signups", csv_file, "-w", workspace).exit_code == 0
    assert cli("pair", "-w", workspace, "--commit").exit_code == 0
    return workspace


def _store(workspace: Path) -> dict:
    return read_store(workspace / PROGRAM / "data" / "store.json")


def _ids(workspace: Path) -> dict[str, str]:
    return {p["email"].split("@")[0]: p["id"] for p in _store(workspace)["people"].values()}


def _pair_of(workspace: Path, person: str) -> dict:
    return next(
        p
        for p in _store(workspace)["pairs"].values()
        if person in (p["mentee"], p["mentor"]) and p["status"] != "ended"
    )


def test_block_ends_the_current_pair_and_prevents_pairing(paired: Path, cli) -> None:
    ids = _ids(paired)
    pair = _pair_of(paired, ids["ann"])
    other = pair["mentor"]
    result = cli("block", ids["ann"], other, "--reason", "asked", "-w", paired, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ended_pairs"] == [pair["id"]]
    ended = next(p for p in _store(paired)["pairs"].values() if p["id"] == pair["id"])
    assert ended["status"] == "ended" and ended["end_reason"] == "blocked"
    forced = cli("pair", "-w", paired, "--add", ids["ann"], other, "--force")
    assert forced.exit_code == 2 and "blocked" in forced.stderr
    plan = json.loads(cli("pair", "-w", paired, "--json").stdout)
    assert (ids["ann"], other) not in {(p["mentee"], p["mentor"]) for p in plan["pairs"]}


def test_block_list_and_unblock(paired: Path, cli) -> None:
    ids = _ids(paired)
    assert cli("block", ids["bo"], ids["meg"], "-w", paired).exit_code == 0
    again = cli("block", ids["meg"], ids["bo"], "-w", paired)
    assert "already blocked" in again.stdout
    listed = json.loads(cli("block", "--list", "-w", paired, "--json").stdout)["blocks"]
    assert [(b["person"], b["other"]) for b in listed] == [(ids["bo"], ids["meg"])]
    assert cli("block", ids["bo"], ids["meg"], "--unblock", "-w", paired).exit_code == 0
    assert json.loads(cli("block", "--list", "-w", paired, "--json").stdout)["blocks"] == []
    nothing = cli("block", ids["bo"], ids["meg"], "--unblock", "-w", paired)
    assert nothing.exit_code == 2


def test_a_person_cannot_block_themselves(paired: Path, cli) -> None:
    result = cli("block", "ann@example.org", "ann@example.org", "-w", paired)
    assert result.exit_code == 2


def test_concern_pauses_then_resolution_continues(paired: Path, cli) -> None:
    ids = _ids(paired)
    pair = _pair_of(paired, ids["bo"])
    raised = cli(
        "concern",
        pair["id"],
        "--reason",
        "missed meetings",
        "--from",
        "bo@example.org",
        "-w",
        paired,
        "--json",
    )
    assert raised.exit_code == 0, raised.output
    concern = json.loads(raised.stdout)["concern"]
    assert _pair_of(paired, ids["bo"])["status"] == "paused"
    listed = json.loads(cli("concern", "--list", "-w", paired, "--json").stdout)["concerns"]
    assert [c["id"] for c in listed] == [concern]
    resolved = cli("concern", "--resolve", concern, "--outcome", "continue", "-w", paired)
    assert resolved.exit_code == 0, resolved.output
    assert _pair_of(paired, ids["bo"])["status"] == "proposed"
    twice = cli("concern", "--resolve", concern, "--outcome", "end", "-w", paired)
    assert twice.exit_code == 2 and "already resolved" in twice.stderr


def test_concern_about_a_person_and_block_outcome(paired: Path, cli) -> None:
    ids = _ids(paired)
    pair = _pair_of(paired, ids["ann"])
    concern = json.loads(
        cli("concern", "ann@example.org", "--reason", "x", "-w", paired, "--json").stdout
    )
    assert concern["pairs"] == [pair["id"]]
    assert (
        cli(
            "concern", "--resolve", concern["concern"], "--outcome", "block", "-w", paired
        ).exit_code
        == 0
    )
    store = _store(paired)
    ended = next(p for p in store["pairs"].values() if p["id"] == pair["id"])
    assert ended["status"] == "ended"
    assert {frozenset((b["person"], b["other"])) for b in store["blocks"].values()} == {
        frozenset((pair["mentee"], pair["mentor"]))
    }


def test_concern_needs_a_reason_and_outcome(paired: Path, cli) -> None:
    assert cli("concern", "M1", "-w", paired).exit_code == 2
    assert cli("concern", "--resolve", "C1", "-w", paired).exit_code == 2
    bad = cli("concern", "--resolve", "C9", "--outcome", "shrug", "-w", paired)
    assert bad.exit_code == 2 and "expected continue, end or block" in bad.stderr


def test_forget_erases_the_person_everywhere(paired: Path, cli) -> None:
    ids = _ids(paired)
    pair = _pair_of(paired, ids["ann"])
    assert cli("block", ids["ann"], ids["raj"], "-w", paired).exit_code == 0  # makes a backup
    assert cli("concern", pair["id"], "--reason", "about Ann Mentee", "-w", paired).exit_code == 0
    refused = cli("forget", "ann@example.org", "-w", paired)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    result = cli("forget", "ann@example.org", "--yes", "-w", paired, "--json")
    assert result.exit_code == 0, result.output
    (data,) = json.loads(result.stdout)["programs"]
    assert data["person"] == ids["ann"] and data["ended_pairs"] == [pair["id"]]
    data_dir = paired / PROGRAM / "data"
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"ann@example.org" not in content, path
            assert b"Ann Mentee" not in content and b"Nurse moving" not in content, path
    store = _store(paired)
    # only the anonymous trace names their internal id: their pair, which ended
    (trace,) = store["forgotten_people"].values()
    assert trace["id"] == ids["ann"] and ids["ann"] not in json.dumps(store["people"])
    assert set(trace) <= {"id", "role", "status", "capacity", "history", "signed_up",
                          "returned", "created", "forgotten", "goals", "expertise"}  # fmt: skip
    assert any(
        p["mentee"] == ids["ann"] and p["status"] == "ended" for p in store["pairs"].values()
    )
    shown = cli("pairs", "--json", "-w", paired)
    assert ids["ann"] not in shown.stdout and '"mentee": "forgotten"' in shown.stdout
    gone = cli("export-person", "ann@example.org", "-w", paired)
    assert gone.exit_code == 2 and "ann@example.org" not in gone.stderr


def test_forget_dry_run_changes_nothing(paired: Path, cli) -> None:
    store = paired / PROGRAM / "data" / "store.json"
    before = store.read_bytes()
    result = cli("forget", "ann@example.org", "--dry-run", "-w", paired)
    assert result.exit_code == 0, result.output
    assert "Would erase" in result.stdout
    assert store.read_bytes() == before


def test_export_person_holds_everything_about_them(paired: Path, cli, tmp_path: Path) -> None:
    ids = _ids(paired)
    result = cli("export-person", "meg@example.org", "-w", paired)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["person"]["email"] == "meg@example.org"
    assert all(ids["meg"] in (p["mentee"], p["mentor"]) for p in data["pairs"])
    target = tmp_path / "meg.json"
    assert cli("export-person", ids["meg"], "--out", target, "-w", paired).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["person"]["id"] == ids["meg"]


def test_destructive_commands_keep_pruned_backups(paired: Path, cli) -> None:
    ids = _ids(paired)
    backups = paired / PROGRAM / "data" / "backups"
    for _ in range(12):
        assert cli("block", ids["bo"], ids["meg"], "-w", paired).exit_code == 0
        assert cli("block", ids["bo"], ids["meg"], "--unblock", "-w", paired).exit_code == 0
    kept = sorted(backups.glob("store-*.json"))
    assert len(kept) == 10
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert all(json.loads(p.read_bytes())["people"] for p in kept)


def test_unknown_email_is_not_echoed(paired: Path, cli) -> None:
    result = cli("block", "who@example.org", "meg@example.org", "-w", paired)
    assert result.exit_code == 2
    assert "who@example.org" not in result.stderr and "meg@example.org" not in result.stderr


def test_concern_on_a_finished_pair_is_refused(paired: Path, cli) -> None:
    ids = _ids(paired)
    pair = _pair_of(paired, ids["ann"])
    assert cli("pair", "-w", paired, "--end", pair["id"], "--reason", "done").exit_code == 0
    result = cli("concern", pair["id"], "--reason", "late report", "-w", paired)
    assert result.exit_code == 2 and "is over" in result.stderr


def test_overlapping_concerns_keep_the_pair_paused_until_both_resolve(paired: Path, cli) -> None:
    ids = _ids(paired)
    pair = _pair_of(paired, ids["ann"])
    first = json.loads(cli("concern", pair["id"], "--reason", "a", "-w", paired, "--json").stdout)
    second = json.loads(cli("concern", ids["ann"], "--reason", "b", "-w", paired, "--json").stdout)
    assert (
        cli(
            "concern", "--resolve", first["concern"], "--outcome", "continue", "-w", paired
        ).exit_code
        == 0
    )
    assert _pair_of(paired, ids["ann"])["status"] == "paused"
    assert (
        cli(
            "concern", "--resolve", second["concern"], "--outcome", "continue", "-w", paired
        ).exit_code
        == 0
    )
    assert _pair_of(paired, ids["ann"])["status"] == "proposed"


def test_adding_a_second_mentor_needs_force(paired: Path, cli) -> None:
    ids = _ids(paired)
    mentor = _pair_of(paired, ids["ann"])["mentor"]
    other = ids["raj"] if mentor == ids["meg"] else ids["meg"]
    refused = cli("pair", "-w", paired, "--add", ids["ann"], other)
    assert refused.exit_code == 2 and "already has a mentor" in refused.stderr
    assert cli("pair", "-w", paired, "--add", ids["ann"], other, "--force").exit_code == 0


def test_forget_dry_run_keeps_outbox_files(paired: Path, cli) -> None:
    assert cli("introduce", "-w", paired).exit_code == 0
    outbox = paired / PROGRAM / "outbox"
    before = sorted(p.name for p in outbox.iterdir())
    assert before
    assert cli("forget", "ann@example.org", "--dry-run", "-w", paired).exit_code == 0
    assert sorted(p.name for p in outbox.iterdir()) == before
    assert cli("forget", "ann@example.org", "--yes", "-w", paired).exit_code == 0
    assert len(list(outbox.iterdir())) == len(before) - 1


def test_completing_a_pair_early_keeps_a_backup(paired: Path, cli) -> None:
    ids = _ids(paired)
    assert cli("introduce", "-w", paired).exit_code == 0
    pair = _pair_of(paired, ids["ann"])
    backups = paired / PROGRAM / "data" / "backups"
    before = len(list(backups.glob("*.json"))) if backups.exists() else 0
    result = cli("checkin", "--complete", pair["id"], "--no-wrapup", "-w", paired)
    assert result.exit_code == 0, result.output
    assert len(list(backups.glob("*.json"))) == before + 1


def test_block_and_concern_are_dated_on_the_day_given(paired: Path, cli) -> None:
    ids = _ids(paired)
    pair = _pair_of(paired, ids["ann"])

    def ok(*args: str) -> None:
        result = cli(*args, "-w", paired, "--json")
        assert result.exit_code == 0, result.output

    ok("concern", pair["id"], "--reason", "worried", "--today", "2026-03-05")
    ok("concern", "--resolve", "C1", "--outcome", "continue", "--today", "2026-03-06")
    ok("block", ids["ann"], pair["mentor"], "--reason", "asked", "--today", "2026-03-09")
    store = _store(paired)
    (concern,) = store["concerns"].values()
    assert concern["raised"][:10] == "2026-03-05" and concern["resolved"][:10] == "2026-03-06"
    (block,) = store["blocks"].values()
    assert block["at"][:10] == "2026-03-09"
    ended = next(p for p in store["pairs"].values() if p["id"] == pair["id"])
    assert [h["at"][:10] for h in ended["history"][-3:]] == [
        "2026-03-05", "2026-03-06", "2026-03-09",
    ]  # fmt: skip
    # both go back to waiting at once (never to each other)
    assert sorted(ended["released"]) == sorted([ids["ann"], pair["mentor"]])
