"""Pairs and addresses refused for good (a 5xx from a real SMTP server, aiosmtpd): a pair held
by a refused introduction shows why, ends after ``quiet_after_weeks`` weeks with its partner
back to waiting; a pair whose two addresses were both refused ends with its outcome when its
last week is over, and nothing is sent to it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from messages_fixtures import (  # noqa: F401  (fixtures)
    IDS,
    messages,
    paired_fixture,
    pairs,
    smtp_ready_fixture,
    smtp_server_fixture,
)

START = dt.date(2026, 3, 2)
MEG, ANN = IDS["meg"], IDS["ann"]


def _day(weeks: int, days: int = 0) -> str:
    return (START + dt.timedelta(days=7 * weeks + days)).isoformat()


def _json(cli, *args: Any) -> dict[str, Any]:
    result = cli(*args, "--json")
    assert result.exit_code in (0, 4), result.output
    return json.loads(result.stdout)


def _pair_row(cli, workspace, pair_id: str, day: str) -> dict[str, Any]:
    shown = _json(cli, "pairs", "-w", workspace, "--today", day)
    return next(p for p in shown["pairs"] if p["id"] == pair_id)


def test_a_pair_held_by_a_refused_introduction_ends_and_frees_the_partner(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    server.handler.refuse = {"meg@example.org"}
    first = cli("introduce", "--send", "-w", workspace, "--today", _day(0))
    assert first.exit_code == 4, first.output
    assert pairs(workspace)["M1"]["status"] == "proposed"
    assert len(server.handler.to("ann@example.org")) == 1  # the introduction reached Ann

    # Shown held, with whose address was refused, in every view and the report.
    held = "Proposed (held: the mentor's address refused)"
    row = _pair_row(cli, workspace, "M1", _day(1))
    assert (row["status"], row["status_label"], row["undeliverable"]) == ("proposed", held, [MEG])
    show = _json(cli, "pairs", "show", "M1", "-w", workspace, "--today", _day(1))
    assert show["status_label"] == held
    ann = _json(cli, "people", "show", ANN, "-w", workspace, "--today", _day(1))
    assert [p["status_label"] for p in ann["pairs"]] == [held]
    assert not ann["waiting"]
    report = _json(cli, "report", "-w", workspace, "--today", _day(1))
    assert next(p for p in report["pairs"] if p["pair"] == "M1")["status_label"] == held
    assert [(u["person"], u["pairs"]) for u in report["undeliverable"]] == [(MEG, ["M1 (held)"])]
    text = cli("report", "-w", workspace, "--today", _day(1), "--format", "md").stdout
    assert "M1 (held)" in text and "Proposed (held: the mentor's address refused)" in text

    # Not tried again, not ended, while the refusal is younger than quiet_after_weeks (2).
    week1 = _json(cli, "checkin", "--send", "-w", workspace, "--today", _day(1))
    assert not [m for m in week1["messages"] if m["pair"] == "M1"]
    assert week1["released"] == [] and pairs(workspace)["M1"]["status"] == "proposed"

    # Two weeks on: the pair ends, Ann goes back to waiting and is told, once.
    week2 = _json(cli, "checkin", "--send", "-w", workspace, "--today", _day(2))
    assert week2["released"] == ["M1"], week2
    m1 = pairs(workspace)["M1"]
    assert m1["status"] == "ended"
    assert m1["end_reason"] == "introduction undeliverable: the mentor's address refused"
    assert (m1["released"], m1["notify_ended"]) == ([ANN], [ANN])
    assert [(m["pair"], m["kind"], m["to"]) for m in week2["messages"] if m["pair"] == "M1"] == [
        ("M1", "ended", [ANN])
    ]
    assert len(server.handler.to("ann@example.org")) == 2
    assert not server.handler.to("meg@example.org")
    ann = _json(cli, "people", "show", ANN, "-w", workspace, "--today", _day(2))
    assert ann["waiting"] and ann["status_label"] == "Waiting"
    waiting = _json(cli, "people", "--status", "waiting", "-w", workspace, "--today", _day(2))
    assert ANN in {p["id"] for p in waiting["people"]}
    row = _pair_row(cli, workspace, "M1", _day(2))
    assert (row["status"], row["undeliverable"]) == ("ended", [])
    assert row["end_reason"] == m1["end_reason"]
    again = _json(cli, "checkin", "--send", "-w", workspace, "--today", _day(3))
    assert not [m for m in again["messages"] if m["pair"] == "M1"]
    # A past day is drawn as it was.
    assert _pair_row(cli, workspace, "M1", _day(1))["status_label"] == held


def test_a_pair_whose_two_addresses_were_refused_ends_with_its_outcome(smtp_ready, cli) -> None:
    workspace, server = smtp_ready
    assert cli("introduce", "--send", "-w", workspace, "--today", _day(0)).exit_code == 0
    server.handler.refuse = {"meg@example.org", "ann@example.org"}
    # The week-1 message meets two 550s: both addresses are undeliverable from then on.
    week1 = _json(cli, "checkin", "--send", "-w", workspace, "--today", _day(1))
    assert {u["person"] for u in week1["undeliverable"]} == {MEG, ANN}
    row = _pair_row(cli, workspace, "M1", _day(1))
    assert (row["status_label"], row["undeliverable"]) == (
        "Active (both addresses refused)",
        [ANN, MEG],
    )
    # Answered (by phone, recorded by hand) in the last quiet_after weeks: completed.
    recorded = cli("checkin", "--record", "M1", "--person", ANN, "--week", "7",
                   "--answer", "met=yes", "-w", workspace, "--today", _day(6, 2))  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    for week in range(2, 10):
        _json(cli, "checkin", "--send", "-w", workspace, "--today", _day(week))
        if week <= 8:
            assert pairs(workspace)["M1"]["status"] == "active", week
    assert pairs(workspace)["M1"]["status"] == "completed"
    assert pairs(workspace)["M2"]["status"] == "lapsed"
    kinds = {(m["kind"], m["week"]) for m in messages(workspace) if m["pair"] == "M1"}
    assert kinds == {("intro", 0), ("weekly", 1)}  # nothing after the refusals, no wrap-up
    # the introduction only: nothing after the refusals got through
    assert (
        len(server.handler.to("meg@example.org")) == len(server.handler.to("ann@example.org")) == 1
    )
    report = _json(cli, "report", "-w", workspace, "--today", _day(9))
    row = next(p for p in report["pairs"] if p["pair"] == "M1")
    assert row["status"] == "completed"
    assert report["outcomes"]["endings"]["completed"] == 1
    # The last week's report, drawn again now, still shows it running.
    before = _json(cli, "report", "-w", workspace, "--today", _day(7, 6))
    assert next(p for p in before["pairs"] if p["pair"] == "M1")["status"] == "active"
