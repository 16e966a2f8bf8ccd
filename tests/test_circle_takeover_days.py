"""After a co-mentor takes a circle over, every view of a past day names the mentor of that
day: the lead before the takeover, the co-mentor after; a past day's report drawn after the
takeover is the one drawn that day."""

from __future__ import annotations

import json
from pathlib import Path

import test_circle_ends
from messages_fixtures import pairs
from test_circle_lifecycle import _ids, _run

co_led = test_circle_ends.co_led  # the fixture: a circle of four, a lead and a co-mentor
BEFORE, AFTER = "2026-03-09", "2026-03-16"
FORMATS = ("json", "csv", "md", "html", "table")


def _out(cli, workspace: Path, *args: str) -> str:
    return str(_run(cli, workspace, *args).stdout)


def _views(cli, workspace: Path, day: str, lead: str, member: str) -> dict[str, str]:
    """Every view of ``day`` that names a pair's mentor."""
    out = {f: _out(cli, workspace, "report", "--format", f, "--today", day) for f in FORMATS}
    out["pairs"] = _out(cli, workspace, "pairs", "--json", "--today", day)
    out["pairs table"] = _out(cli, workspace, "pairs", "--today", day)
    out["pair"] = _out(cli, workspace, "pairs", "show", member, "--json", "--today", day)
    out["pair text"] = _out(cli, workspace, "pairs", "show", member, "--today", day)
    out["person"] = _out(cli, workspace, "people", "show", lead, "--json", "--today", day)
    out["person text"] = _out(cli, workspace, "people", "show", lead, "--today", day)
    return out


def test_each_day_names_the_mentor_of_that_day(workspace: Path, cli, co_led: dict) -> None:
    ids = _ids(workspace)
    lead, co = co_led["mentors"]
    names = {ids["am"]: "Ann Mentor", ids["zm"]: "Zoe Mentor"}
    members = sorted(p["id"] for p in pairs(workspace).values() if p.get("circle"))
    member = members[0]
    drawn = _views(cli, workspace, BEFORE, lead, member)
    _run(cli, workspace, "withdraw", lead, "--today", "2026-03-10")
    _run(cli, workspace, "checkin", "--today", AFTER)
    assert {p["mentor"] for p in pairs(workspace).values() if p.get("circle")} == {co}
    # The day before, drawn again after the takeover: as it was drawn that day.
    again = _views(cli, workspace, BEFORE, lead, member)
    for view, text in drawn.items():
        assert again[view] == text, view
    before = json.loads(again["json"])
    assert {p["mentor_id"] for p in before["pairs"] if p["pair"] in members} == {lead}
    rows = json.loads(again["pairs"])["pairs"]
    assert {r["mentor"] for r in rows if r["id"] in members} == {lead}
    assert json.loads(again["pair"])["mentor"] == lead
    assert f"with {names[lead]}" in " ".join(again["pair text"].split())
    shown = json.loads(again["person"])
    assert sorted(p["id"] for p in shown["pairs"]) == members
    assert "Pairs: none" not in again["person text"]
    # The day after: the co-mentor leads them; the lead who left has none of them.
    after = _views(cli, workspace, AFTER, lead, member)
    rows = json.loads(after["json"])["pairs"]
    assert {p["mentor_id"] for p in rows if p["pair"] in members} == {co}
    rows = json.loads(after["pairs"])["pairs"]
    assert {r["mentor"] for r in rows if r["id"] in members} == {co}
    assert json.loads(after["pair"])["mentor"] == co
    assert f"with {names[co]}" in " ".join(after["pair text"].split())
    assert not [p for p in json.loads(after["person"])["pairs"] if p["id"] in members]
    for fmt in ("csv", "md", "table"):
        assert names[co] in after[fmt], fmt
